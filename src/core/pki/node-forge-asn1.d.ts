/** node-forge's ASN.1 and util modules alone (its DER writer), without the rest of node-forge: the issuing path loads only these. */
declare module 'node-forge/lib/asn1' {
  import type * as Forge from 'node-forge';
  const asn1: typeof Forge.asn1;
  export = asn1;
}
declare module 'node-forge/lib/util' {
  import type * as Forge from 'node-forge';
  const util: typeof Forge.util;
  export = util;
}
