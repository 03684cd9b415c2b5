/**
 * PKCS#10 certificate signing requests (RFC 2986) read with the strict DER reader: the subject,
 * the public key, the extensions requested in the extensionRequest attribute (RFC 2985), and
 * whether the request's self-signature verifies (node:crypto). describeCsr.ts turns this into
 * what `crdb-tls inspect FILE.csr` and the editor's certificate viewer show.
 */
import { KeyObject, createPublicKey, verify } from 'node:crypto';
import { DerError, TAG, Tlv, childrenOf, decodeBitString, decodeOid, decodeString, expectTag, integerNumber, readDer } from './asn1';
import {
  BasicConstraints,
  Extension,
  GeneralName,
  KeyUsageBit,
  NamedOid,
  OID,
  PublicKeyInfo,
  decodeBasicConstraints,
  decodeExtKeyUsage,
  decodeExtKeyUsageIds,
  decodeGeneralNames,
  decodeKeyUsage,
  decodePublicKeyInfo,
  readExtension,
} from './x509der';
import { NameAttribute, decodeName } from './x509name';
import { splitPem } from './pem';

export const CSR_OID = {
  extensionRequest: '1.2.840.113549.1.9.14',
  challengePassword: '1.2.840.113549.1.9.7',
  unstructuredName: '1.2.840.113549.1.9.2',
  /** Microsoft's certificate template and request attributes, as AD CS writes them. */
  msExtensionRequest: '1.3.6.1.4.1.311.2.1.14',
} as const;

const ATTRIBUTE_NAMES: Record<string, string> = {
  [CSR_OID.extensionRequest]: 'Requested Extensions',
  [CSR_OID.msExtensionRequest]: 'Requested Extensions (Microsoft)',
  [CSR_OID.challengePassword]: 'challengePassword',
  [CSR_OID.unstructuredName]: 'unstructuredName',
};

/** An attribute other than the extension request. A challengePassword's value is never kept. */
export interface CsrAttribute {
  oid: string;
  name: string;
  /** The values as text (strings), "<hidden>" for a challengePassword, "<n bytes>" when not a string. */
  values: string[];
}

export interface CsrStructure {
  /** 1 for the only version PKCS#10 defines (encoded 0). */
  version: number;
  subject: NameAttribute[][];
  subjectRaw: Tlv;
  spki: Tlv;
  publicKeyInfo: PublicKeyInfo;
  /** The extensions of the extensionRequest attribute, in order; [] when none were requested. */
  extensions: Extension[];
  attributes: CsrAttribute[];
  signatureAlgorithmOid: string;
  /** The DER of certificationRequestInfo: what the signature covers. */
  signedBytes: Buffer;
  signature: Buffer;
}

/** Parses CertificationRequest ::= SEQUENCE { certificationRequestInfo, signatureAlgorithm, signature BIT STRING }. Throws DerError. */
export function readCsr(der: Buffer): CsrStructure {
  const [infoT, sigAlgT, sigT, extra] = childrenOf(expectTag(readDer(der), TAG.SEQUENCE, 'CertificationRequest'));
  if (extra) throw new DerError('bad DER: CertificationRequest has more than three elements');
  const [algT] = childrenOf(expectTag(sigAlgT, TAG.SEQUENCE, 'signatureAlgorithm'));
  const signatureAlgorithmOid = decodeOid(expectTag(algT, TAG.OID, 'signatureAlgorithm algorithm').value);
  const sig = decodeBitString(expectTag(sigT, TAG.BIT_STRING, 'signature'));
  const [versionT, subjectT, spkiT, attrsT, more] = childrenOf(expectTag(infoT, TAG.SEQUENCE, 'CertificationRequestInfo'));
  if (more) throw new DerError('bad DER: CertificationRequestInfo has more than four elements');
  const version = integerNumber(expectTag(versionT, TAG.INTEGER, 'version')) + 1;
  if (version !== 1) throw new DerError(`bad DER: CSR version ${version - 1} is not 0 (PKCS#10 v1.7)`);
  const subjectRaw = expectTag(subjectT, TAG.SEQUENCE, 'subject');
  const subject = decodeName(subjectRaw);
  const spki = expectTag(spkiT, TAG.SEQUENCE, 'subjectPKInfo');
  const publicKeyInfo = decodePublicKeyInfo(spki);
  const extensions: Extension[] = [];
  const attributes: CsrAttribute[] = [];
  // attributes [0] IMPLICIT SET OF Attribute: required by the ASN.1, but some writers leave it out.
  if (attrsT) {
    if (attrsT.cls !== 'context' || attrsT.tag !== 0 || !attrsT.constructed) throw new DerError('bad DER: CSR attributes should be [0]');
    for (const a of childrenOf(attrsT)) {
      const [typeT, valuesT] = childrenOf(expectTag(a, TAG.SEQUENCE, 'Attribute'));
      const oid = decodeOid(expectTag(typeT, TAG.OID, 'attribute type').value);
      const values = childrenOf(expectTag(valuesT, TAG.SET, `values of attribute ${oid}`));
      if (oid === CSR_OID.extensionRequest || oid === CSR_OID.msExtensionRequest) {
        for (const v of values) for (const e of childrenOf(expectTag(v, TAG.SEQUENCE, 'Extensions'))) extensions.push(readExtension(e));
      } else {
        attributes.push({ oid, name: ATTRIBUTE_NAMES[oid] ?? oid, values: values.map((v) => attributeText(oid, v)) });
      }
    }
  }
  return { version, subject, subjectRaw, spki, publicKeyInfo, extensions, attributes, signatureAlgorithmOid, signedBytes: infoT.raw, signature: sig.bytes };
}

function attributeText(oid: string, v: Tlv): string {
  if (oid === CSR_OID.challengePassword) return '<hidden>';
  try {
    return decodeString(v);
  } catch {
    return `<${v.raw.length} bytes>`;
  }
}

/** Node's digest for each signature algorithm a CSR is signed with; null for Ed25519/Ed448 (no separate digest). */
const VERIFY_DIGESTS: Record<string, string | null> = {
  '1.2.840.113549.1.1.5': 'sha1',
  '1.2.840.113549.1.1.14': 'sha224',
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.10045.4.1': 'sha1',
  '1.2.840.10045.4.3.1': 'sha224',
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
  '1.3.101.112': null,
  '1.3.101.113': null,
};

/** The request's public key as a KeyObject (throws when Node cannot import it). */
export function csrPublicKey(c: CsrStructure): KeyObject {
  return createPublicKey({ key: c.spki.raw, format: 'der', type: 'spki' });
}

/** Whether the self-signature verifies with the requested key: true, false, or undefined with why it was not checked. */
export function verifyCsrSignature(c: CsrStructure): { valid: boolean | undefined; reason?: string } {
  if (!(c.signatureAlgorithmOid in VERIFY_DIGESTS))
    return { valid: undefined, reason: `signature algorithm ${c.signatureAlgorithmOid} is not one crdb-tls verifies` };
  let key: KeyObject;
  try {
    key = csrPublicKey(c);
  } catch (err) {
    return { valid: undefined, reason: `its public key cannot be used (${err instanceof Error ? err.message : String(err)})` };
  }
  try {
    return { valid: verify(VERIFY_DIGESTS[c.signatureAlgorithmOid], c.signedBytes, key, c.signature) };
  } catch {
    return { valid: false };
  }
}

/** The requested extensions CockroachDB's rules look at, decoded; a malformed one reads as absent and is named in `undecodable`. */
export interface RequestedExtensions {
  sans: GeneralName[];
  keyUsage: KeyUsageBit[];
  extKeyUsage: NamedOid[];
  /** Short ids (serverAuth, clientAuth), else the OID. */
  extKeyUsageIds: string[];
  basicConstraints?: BasicConstraints;
  undecodable: string[];
}

export function requestedExtensions(c: CsrStructure): RequestedExtensions {
  const undecodable: string[] = [];
  const get = <T>(oid: string, f: (v: Buffer) => T): T | undefined => {
    const e = c.extensions.find((x) => x.oid === oid);
    if (!e) return undefined;
    try {
      return f(e.value);
    } catch {
      undecodable.push(e.name);
      return undefined;
    }
  };
  const out: RequestedExtensions = {
    sans: get(OID.subjectAltName, decodeGeneralNames) ?? [],
    keyUsage: get(OID.keyUsage, decodeKeyUsage) ?? [],
    extKeyUsage: get(OID.extKeyUsage, decodeExtKeyUsage) ?? [],
    extKeyUsageIds: get(OID.extKeyUsage, decodeExtKeyUsageIds) ?? [],
    undecodable: [...new Set(undecodable)],
  };
  const bc = get(OID.basicConstraints, decodeBasicConstraints);
  if (bc) out.basicConstraints = bc;
  return out;
}

/** The one request of a CSR file (PEM CERTIFICATE REQUEST, or DER), or why it cannot be read (a phrase, no fix). */
export function readCsrFile(content: Buffer): { ok: true; csr: CsrStructure } | { ok: false; error: string } {
  const block = splitPem(content.toString('latin1')).find((b) => /^(NEW )?CERTIFICATE REQUEST$/.test(b.type));
  if (!block && content[0] !== 0x30) return { ok: false, error: 'it holds no PEM "BEGIN CERTIFICATE REQUEST" block' };
  try {
    return { ok: true, csr: readCsr(block ? block.der : content) };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}
