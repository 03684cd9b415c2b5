/**
 * X.509 certificates read with the strict DER reader: the certificate structure, its public key
 * and the extensions CockroachDB cares about (basicConstraints, keyUsage, extKeyUsage, SAN, AKI/SKI).
 * Node's X509Certificate hides key usage, basic constraints details, key identifiers and the
 * signature algorithm; reading them here keeps us free of a second ASN.1 dependency.
 */
import {
  DerError,
  TAG,
  Tlv,
  bitIsSet,
  childrenOf,
  colonHex,
  decodeBitString,
  decodeBoolean,
  decodeOid,
  decodeTime,
  describeTag,
  expectTag,
  integerHex,
  integerNumber,
  integerValue,
  readDer,
} from './asn1';
import { decodeName, formatName } from './x509name';

// ---- the certificate

export interface Extension {
  oid: string;
  /** openssl's label ("X509v3 Key Usage"), or the OID when we do not know it. */
  name: string;
  critical: boolean;
  /** The extnValue contents: the DER of the extension's own structure. */
  value: Buffer;
}

export interface CertStructure {
  /** 1, 2 or 3 (the encoded value plus one). */
  version: number;
  serial: Tlv;
  signatureAlgorithmOid: string;
  issuer: Tlv;
  notBefore: Date;
  notAfter: Date;
  subject: Tlv;
  /** SubjectPublicKeyInfo. */
  spki: Tlv;
  extensions: Extension[];
}

/** Parses Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue } (RFC 5280). */
export function readCertificate(certDer: Buffer): CertStructure {
  const [tbsT, sigAlgT, sigT, extra] = childrenOf(expectTag(readDer(certDer), TAG.SEQUENCE, 'Certificate'));
  if (extra) throw new DerError('bad DER: Certificate has more than three elements');
  expectTag(sigT, TAG.BIT_STRING, 'signatureValue');
  const signatureAlgorithmOid = algorithmOid(sigAlgT, 'signatureAlgorithm');
  const tbs = childrenOf(expectTag(tbsT, TAG.SEQUENCE, 'TBSCertificate'));
  let i = 0;
  let version = 1;
  if (tbs[0]?.cls === 'context' && tbs[0].tag === 0) {
    const [v] = childrenOf(tbs[i++]);
    version = integerNumber(expectTag(v, TAG.INTEGER, 'version')) + 1;
  }
  const serial = expectTag(tbs[i++], TAG.INTEGER, 'serialNumber');
  integerHex(serial);
  algorithmOid(tbs[i++], 'signature');
  const issuer = expectTag(tbs[i++], TAG.SEQUENCE, 'issuer');
  const [nb, na] = childrenOf(expectTag(tbs[i++], TAG.SEQUENCE, 'validity'));
  if (!nb || !na) throw new DerError('bad DER: validity needs notBefore and notAfter');
  const subject = expectTag(tbs[i++], TAG.SEQUENCE, 'subject');
  const spki = expectTag(tbs[i++], TAG.SEQUENCE, 'subjectPublicKeyInfo');
  const extensions: Extension[] = [];
  for (; i < tbs.length; i++) {
    const t = tbs[i];
    if (t.cls !== 'context' || t.tag < 1 || t.tag > 3) throw new DerError(`bad DER: unexpected ${describeTag(t)} in TBSCertificate`);
    if (t.tag !== 3) continue; // issuerUniqueID, subjectUniqueID
    const [seq] = childrenOf(t);
    for (const ext of childrenOf(expectTag(seq, TAG.SEQUENCE, 'extensions'))) extensions.push(readExtension(ext));
  }
  return { version, serial, signatureAlgorithmOid, issuer, notBefore: decodeTime(nb), notAfter: decodeTime(na), subject, spki, extensions };
}

function algorithmOid(t: Tlv | undefined, what: string): string {
  const [oid] = childrenOf(expectTag(t, TAG.SEQUENCE, what));
  return decodeOid(expectTag(oid, TAG.OID, `${what} algorithm`).value);
}

export function readExtension(t: Tlv): Extension {
  const parts = childrenOf(expectTag(t, TAG.SEQUENCE, 'Extension'));
  if (parts.length < 2 || parts.length > 3) throw new DerError(`bad DER: an extension has ${parts.length} elements, not 2 or 3`);
  const oid = decodeOid(expectTag(parts[0], TAG.OID, 'extnID').value);
  const critical = parts.length === 3 ? decodeBoolean(parts[1]) : false;
  const value = expectTag(parts[parts.length - 1], TAG.OCTET_STRING, `value of extension ${oid}`).value;
  return { oid, name: EXTENSION_NAMES[oid] ?? oid, critical, value };
}

/** The extensions of a certificate, in order. */
export function readExtensions(certDer: Buffer): Extension[] {
  return readCertificate(certDer).extensions;
}

export const OID = {
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  basicConstraints: '2.5.29.19',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
  subjectAltName: '2.5.29.17',
  issuerAltName: '2.5.29.18',
  crlDistributionPoints: '2.5.29.31',
  certificatePolicies: '2.5.29.32',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
} as const;

const EXTENSION_NAMES: Record<string, string> = {
  [OID.keyUsage]: 'X509v3 Key Usage',
  [OID.extKeyUsage]: 'X509v3 Extended Key Usage',
  [OID.basicConstraints]: 'X509v3 Basic Constraints',
  [OID.subjectKeyIdentifier]: 'X509v3 Subject Key Identifier',
  [OID.authorityKeyIdentifier]: 'X509v3 Authority Key Identifier',
  [OID.subjectAltName]: 'X509v3 Subject Alternative Name',
  [OID.issuerAltName]: 'X509v3 Issuer Alternative Name',
  [OID.crlDistributionPoints]: 'X509v3 CRL Distribution Points',
  [OID.certificatePolicies]: 'X509v3 Certificate Policies',
  '2.5.29.30': 'X509v3 Name Constraints',
  '2.5.29.36': 'X509v3 Policy Constraints',
  '2.5.29.54': 'X509v3 Inhibit Any Policy',
  [OID.authorityInfoAccess]: 'Authority Information Access',
  '1.3.6.1.4.1.11129.2.4.2': 'CT Precertificate SCTs',
  '1.3.6.1.4.1.11129.2.4.3': 'CT Precertificate Poison',
  '2.16.840.1.113730.1.1': 'Netscape Cert Type',
  '2.16.840.1.113730.1.13': 'Netscape Comment',
};

// ---- public key

const CURVES: Record<string, { name: string; nist?: string; bits: number }> = {
  '1.2.840.10045.3.1.7': { name: 'prime256v1', nist: 'P-256', bits: 256 },
  '1.3.132.0.34': { name: 'secp384r1', nist: 'P-384', bits: 384 },
  '1.3.132.0.35': { name: 'secp521r1', nist: 'P-521', bits: 521 },
  '1.3.132.0.10': { name: 'secp256k1', bits: 256 },
  '1.2.840.10045.3.1.1': { name: 'prime192v1', nist: 'P-192', bits: 192 },
  '1.3.132.0.33': { name: 'secp224r1', nist: 'P-224', bits: 224 },
};

const KEY_ALGORITHMS: Record<string, string> = {
  '1.2.840.113549.1.1.1': 'rsaEncryption',
  '1.2.840.113549.1.1.10': 'rsassaPss',
  '1.2.840.10045.2.1': 'id-ecPublicKey',
  '1.3.101.110': 'X25519',
  '1.3.101.111': 'X448',
  '1.3.101.112': 'ED25519',
  '1.3.101.113': 'ED448',
  '1.2.840.10040.4.1': 'dsaEncryption',
};

export interface PublicKeyInfo {
  /** openssl's name: rsaEncryption, id-ecPublicKey, ED25519, … or the OID. */
  algorithm: string;
  /** Key size in bits (RSA modulus, curve size), when known. */
  bits?: number;
  /** RSA public exponent. */
  exponent?: number;
  /** EC curve: openssl's name (prime256v1) and the NIST name (P-256). */
  curve?: string;
  nistCurve?: string;
}

function bitLength(unsignedBytes: Buffer): number {
  let i = 0;
  while (i < unsignedBytes.length && unsignedBytes[i] === 0) i++;
  if (i === unsignedBytes.length) return 0;
  return (unsignedBytes.length - i - 1) * 8 + (32 - Math.clz32(unsignedBytes[i]));
}

export function decodePublicKeyInfo(spki: Tlv): PublicKeyInfo {
  const [alg, key] = childrenOf(expectTag(spki, TAG.SEQUENCE, 'subjectPublicKeyInfo'));
  const [oidT, params] = childrenOf(expectTag(alg, TAG.SEQUENCE, 'algorithm'));
  const oid = decodeOid(expectTag(oidT, TAG.OID, 'public key algorithm').value);
  const bits = decodeBitString(expectTag(key, TAG.BIT_STRING, 'subjectPublicKey'));
  const algorithm = KEY_ALGORITHMS[oid] ?? oid;
  if (algorithm === 'rsaEncryption' || algorithm === 'rsassaPss') {
    const [n, e] = childrenOf(expectTag(readDer(bits.bytes), TAG.SEQUENCE, 'RSAPublicKey'));
    const modulus = Buffer.from(integerHex(expectTag(n, TAG.INTEGER, 'modulus')), 'hex');
    const exp = integerValue(expectTag(e, TAG.INTEGER, 'publicExponent'));
    return { algorithm, bits: bitLength(modulus), exponent: exp <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(exp) : undefined };
  }
  if (algorithm === 'id-ecPublicKey') {
    const curveOid = params?.tag === TAG.OID && params.cls === 'universal' ? decodeOid(params.value) : undefined;
    const c = curveOid ? CURVES[curveOid] : undefined;
    return { algorithm, bits: c?.bits, curve: c?.name ?? curveOid ?? 'explicit parameters', nistCurve: c?.nist };
  }
  const fixed: Record<string, number> = { ED25519: 256, X25519: 256, ED448: 456, X448: 448 };
  return { algorithm, bits: fixed[algorithm] };
}

// ---- extension decoders

export interface KeyUsageBit {
  bit: number;
  /** RFC 5280 name, as inspect.ts reports it (digitalSignature, contentCommitment, …). */
  id: string;
  /** As openssl prints it (Digital Signature, Non Repudiation, …). */
  name: string;
}

export const KEY_USAGE_BITS: readonly KeyUsageBit[] = [
  { bit: 0, id: 'digitalSignature', name: 'Digital Signature' },
  { bit: 1, id: 'contentCommitment', name: 'Non Repudiation' },
  { bit: 2, id: 'keyEncipherment', name: 'Key Encipherment' },
  { bit: 3, id: 'dataEncipherment', name: 'Data Encipherment' },
  { bit: 4, id: 'keyAgreement', name: 'Key Agreement' },
  { bit: 5, id: 'keyCertSign', name: 'Certificate Sign' },
  { bit: 6, id: 'cRLSign', name: 'CRL Sign' },
  { bit: 7, id: 'encipherOnly', name: 'Encipher Only' },
  { bit: 8, id: 'decipherOnly', name: 'Decipher Only' },
];

export function decodeKeyUsage(value: Buffer): KeyUsageBit[] {
  const bs = decodeBitString(readDer(value));
  return KEY_USAGE_BITS.filter((b) => bitIsSet(bs, b.bit));
}

/**
 * The key usage of a certificate: openssl's names by default, or the RFC 5280 ids that
 * inspect.ts's CertDetails.keyUsage holds. [] without the extension; throws DerError when malformed.
 */
export function keyUsageNames(certDer: Buffer, style: 'openssl' | 'id' = 'openssl'): string[] {
  const ext = readExtensions(certDer).find((e) => e.oid === OID.keyUsage);
  return ext ? decodeKeyUsage(ext.value).map((b) => (style === 'id' ? b.id : b.name)) : [];
}

/** Extended key usages: openssl's name, and for the common ones the short id inspect.ts reports (serverAuth, clientAuth, …). */
const EKUS: Record<string, { name: string; id?: string }> = {
  [OID.serverAuth]: { name: 'TLS Web Server Authentication', id: 'serverAuth' },
  [OID.clientAuth]: { name: 'TLS Web Client Authentication', id: 'clientAuth' },
  '1.3.6.1.5.5.7.3.3': { name: 'Code Signing', id: 'codeSigning' },
  '1.3.6.1.5.5.7.3.4': { name: 'E-mail Protection', id: 'emailProtection' },
  '1.3.6.1.5.5.7.3.5': { name: 'IPSec End System' },
  '1.3.6.1.5.5.7.3.6': { name: 'IPSec Tunnel' },
  '1.3.6.1.5.5.7.3.7': { name: 'IPSec User' },
  '1.3.6.1.5.5.7.3.8': { name: 'Time Stamping', id: 'timeStamping' },
  '1.3.6.1.5.5.7.3.9': { name: 'OCSP Signing', id: 'OCSPSigning' },
  '1.3.6.1.5.5.7.3.17': { name: 'ipsec Internet Key Exchange' },
  '2.5.29.37.0': { name: 'Any Extended Key Usage' },
  '1.3.6.1.4.1.311.10.3.3': { name: 'Microsoft Server Gated Crypto' },
  '2.16.840.1.113730.4.1': { name: 'Netscape Server Gated Crypto' },
  '1.3.6.1.4.1.311.20.2.2': { name: 'Microsoft Smartcard Login' },
  '1.3.6.1.4.1.311.10.3.4': { name: 'Microsoft Encrypted File System' },
};

export interface NamedOid {
  oid: string;
  /** openssl's name, else the OID. */
  name: string;
}

export function decodeExtKeyUsage(value: Buffer): NamedOid[] {
  return childrenOf(expectTag(readDer(value), TAG.SEQUENCE, 'ExtKeyUsageSyntax')).map((t) => {
    const oid = decodeOid(expectTag(t, TAG.OID, 'KeyPurposeId').value);
    return { oid, name: extKeyUsageName(oid) };
  });
}

/** A purpose's short id (serverAuth, clientAuth, …), else its OID. */
export function extKeyUsageId(oid: string): string {
  return EKUS[oid]?.id ?? oid;
}

/** A purpose's openssl name ("TLS Web Server Authentication"), else its OID. */
export function extKeyUsageName(oid: string): string {
  return EKUS[oid]?.name ?? oid;
}

/** The extended key usages by short id (serverAuth, clientAuth, …), else the OID. */
export function decodeExtKeyUsageIds(value: Buffer): string[] {
  return decodeExtKeyUsage(value).map((e) => extKeyUsageId(e.oid));
}

export interface BasicConstraints {
  ca: boolean;
  pathLen?: number;
}

export function decodeBasicConstraints(value: Buffer): BasicConstraints {
  const parts = childrenOf(expectTag(readDer(value), TAG.SEQUENCE, 'BasicConstraints'));
  let i = 0;
  const ca = parts[0]?.tag === TAG.BOOLEAN && parts[0].cls === 'universal' ? decodeBoolean(parts[i++]) : false;
  const pathLen = parts[i] ? integerNumber(expectTag(parts[i++], TAG.INTEGER, 'pathLenConstraint')) : undefined;
  if (i !== parts.length) throw new DerError('bad DER: unexpected element in BasicConstraints');
  return pathLen === undefined ? { ca } : { ca, pathLen };
}

export function decodeSubjectKeyId(value: Buffer): string {
  return colonHex(expectTag(readDer(value), TAG.OCTET_STRING, 'SubjectKeyIdentifier').value);
}

export type GeneralNameType = 'othername' | 'email' | 'DNS' | 'X400Name' | 'DirName' | 'EdiPartyName' | 'URI' | 'IP Address' | 'Registered ID';

export interface GeneralName {
  type: GeneralNameType;
  /** As openssl prints it after "TYPE:" (IPv6 expanded: 0:0:0:0:0:0:0:1). */
  value: string;
  /** IP addresses as people write them (::1). */
  compact?: string;
}

const GN_TYPES: GeneralNameType[] = ['othername', 'email', 'DNS', 'X400Name', 'DirName', 'EdiPartyName', 'URI', 'IP Address', 'Registered ID'];

/** RFC 5952: lowercase, leading zeros dropped, the first longest run of two or more zero groups as "::". */
export function compactIpv6(groups: number[]): string {
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < groups.length;) {
    let j = i;
    while (j < groups.length && groups[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  return best < 0 ? hex.join(':') : `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

function ipGroups(b: Buffer): number[] {
  const groups: number[] = [];
  for (let i = 0; i < b.length; i += 2) groups.push(b.readUInt16BE(i));
  return groups;
}

function ipText(b: Buffer): string {
  if (b.length === 4) return Array.from(b).join('.');
  if (b.length === 16)
    return ipGroups(b)
      .map((g) => g.toString(16).toUpperCase())
      .join(':');
  return `<invalid length=${b.length}>`;
}

export function decodeGeneralName(t: Tlv): GeneralName {
  if (t.cls !== 'context' || t.tag > 8) throw new DerError(`bad DER: ${describeTag(t)} is not a GeneralName`);
  const type = GN_TYPES[t.tag];
  if ([1, 2, 6, 7, 8].includes(t.tag) && t.constructed) throw new DerError(`bad DER: a ${type} name must be primitive`);
  switch (t.tag) {
    case 1:
    case 2:
    case 6:
      return { type, value: t.value.toString('latin1') };
    case 4: {
      const [name] = childrenOf(t);
      return { type, value: formatName(decodeName(expectTag(name, TAG.SEQUENCE, 'directoryName')), 'slash') };
    }
    case 7: {
      const value = ipText(t.value);
      return { type, value, compact: t.value.length === 16 ? compactIpv6(ipGroups(t.value)) : value };
    }
    case 8:
      return { type, value: decodeOid(t.value) };
    default:
      return { type, value: '<unsupported>' };
  }
}

export function decodeGeneralNames(value: Buffer): GeneralName[] {
  return childrenOf(expectTag(readDer(value), TAG.SEQUENCE, 'GeneralNames')).map(decodeGeneralName);
}

/** subjectAltName is GeneralNames. */
export const decodeSubjectAltName = decodeGeneralNames;

export interface AuthorityKeyId {
  keyId?: string;
  issuer?: GeneralName[];
  /** Uppercase colon hex, as openssl prints it. */
  serial?: string;
}

export function decodeAuthorityKeyId(value: Buffer): AuthorityKeyId {
  const out: AuthorityKeyId = {};
  for (const t of childrenOf(expectTag(readDer(value), TAG.SEQUENCE, 'AuthorityKeyIdentifier'))) {
    if (t.cls !== 'context' || t.tag > 2) throw new DerError(`bad DER: unexpected ${describeTag(t)} in AuthorityKeyIdentifier`);
    if (t.tag === 0) out.keyId = colonHex(t.value);
    else if (t.tag === 1) out.issuer = childrenOf(t).map(decodeGeneralName);
    else out.serial = colonHex(t.value.length > 1 && t.value[0] === 0 ? t.value.subarray(1) : t.value); // openssl drops the sign pad
  }
  return out;
}
