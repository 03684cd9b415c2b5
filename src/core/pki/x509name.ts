/** X.501 Names: read from DER, and printed as `openssl x509 -text` prints them (the one place for both). */
import { DerError, TAG, Tlv, childrenOf, decodeOid, decodeString, expectTag } from './asn1';

const ATTR_NAMES: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.4': 'SN',
  '2.5.4.5': 'serialNumber',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'street',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.12': 'title',
  '2.5.4.13': 'description',
  '2.5.4.15': 'businessCategory',
  '2.5.4.17': 'postalCode',
  '2.5.4.42': 'GN',
  '2.5.4.43': 'initials',
  '2.5.4.44': 'generationQualifier',
  '2.5.4.46': 'dnQualifier',
  '2.5.4.65': 'pseudonym',
  '2.5.4.97': 'organizationIdentifier',
  '1.2.840.113549.1.9.1': 'emailAddress',
  '0.9.2342.19200300.100.1.1': 'UID',
  '0.9.2342.19200300.100.1.25': 'DC',
  '1.3.6.1.4.1.311.60.2.1.1': 'jurisdictionL',
  '1.3.6.1.4.1.311.60.2.1.2': 'jurisdictionST',
  '1.3.6.1.4.1.311.60.2.1.3': 'jurisdictionC',
};

export interface NameAttribute {
  oid: string;
  /** openssl's short name (CN, O, …) or the OID. */
  name: string;
  value: string;
}

/** A Name as a list of RDNs, each a list of attributes (more than one for multi-valued RDNs). */
export function decodeName(t: Tlv): NameAttribute[][] {
  return childrenOf(expectTag(t, TAG.SEQUENCE, 'Name')).map((rdn) =>
    childrenOf(expectTag(rdn, TAG.SET, 'RelativeDistinguishedName')).map((atv) => {
      const [type, value] = childrenOf(expectTag(atv, TAG.SEQUENCE, 'AttributeTypeAndValue'));
      const oid = decodeOid(expectTag(type, TAG.OID, 'attribute type').value);
      if (!value) throw new DerError('bad DER: attribute value is missing');
      let text: string;
      try {
        text = decodeString(value);
      } catch {
        text = '#' + value.raw.toString('hex').toUpperCase();
      }
      return { oid, name: ATTR_NAMES[oid] ?? oid, value: text };
    }),
  );
}

/** openssl's one-line escaping: quote values holding , + ; < > or edge spaces; backslash " and \ and control characters. */
function escapeValue(v: string): string {
  const quote = /[,+;<>]|^[ #]| $/.test(v);
  let body = '';
  for (const ch of v) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '"' || ch === '\\') body += '\\' + ch;
    else if (code < 0x20 || code === 0x7f) body += '\\' + code.toString(16).toUpperCase().padStart(2, '0');
    else body += ch;
  }
  return quote ? `"${body}"` : body;
}

/**
 * "O = Cockroach, CN = node", as `openssl x509 -text` prints names (non-ASCII is kept readable
 * where openssl would print \XX bytes). `slash` gives "/O=Cockroach/CN=node" as in DirName values.
 */
export function formatName(rdns: readonly (readonly NameAttribute[])[], style: 'oneline' | 'slash' = 'oneline'): string {
  if (style === 'slash') return rdns.map((rdn) => '/' + rdn.map((a) => `${a.name}=${a.value}`).join('+')).join('');
  return rdns.map((rdn) => rdn.map((a) => `${a.name} = ${escapeValue(a.value)}`).join(' + ')).join(', ');
}

/**
 * The one DN line of the product, RFC 4514 order (the last RDN first, as Go's pkix.Name.String()
 * prints it): "CN=root, O=Cockroach"; a multi-valued RDN's attributes joined with "+". Every
 * subject and issuer the CLI and the editor print outside openssl-style text comes from here.
 */
export function dnLine(rdns: readonly (readonly NameAttribute[])[]): string {
  return [...rdns]
    .reverse()
    .map((rdn) => rdn.map((a) => `${a.name}=${a.value}`).join('+'))
    .join(', ');
}

/** Attribute → value ("O" → "Cockroach"): CN is the last one, as Go's pkix.Name (and CockroachDB) reads it; other repeated attributes are joined with ", ". */
export function nameRecord(rdns: readonly (readonly NameAttribute[])[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of rdns.flat()) out[a.name] = a.name !== 'CN' && a.name in out ? `${out[a.name]}, ${a.value}` : a.value;
  return out;
}

/** Node's X509Certificate text ("O=Cockroach\nCN=node") as RDNs of one attribute each: for a certificate the strict DER reader refuses. */
export function rdnsFromNodeText(dn: string): NameAttribute[][] {
  const out: NameAttribute[][] = [];
  for (const line of dn.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) out.push([{ oid: '', name: line.slice(0, i), value: line.slice(i + 1) }]);
  }
  return out;
}
