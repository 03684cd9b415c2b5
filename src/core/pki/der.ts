/**
 * A strict DER reader, just enough ASN.1 to show a certificate the way `openssl x509 -text` does.
 * Node's X509Certificate hides key usage, basic constraints details, key identifiers and the
 * signature algorithm; reading them here keeps us free of a second ASN.1 dependency.
 * Every read is bounds-checked: truncated or malformed input throws a DerError, never reads past the end.
 */

export class DerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DerError';
  }
}

export type TagClass = 'universal' | 'application' | 'context' | 'private';

/** One TLV element. `value` and `raw` are views into the buffer it was read from. */
export interface Tlv {
  cls: TagClass;
  constructed: boolean;
  tag: number;
  /** Offset of the first header byte in the buffer it was read from. */
  offset: number;
  headerLength: number;
  value: Buffer;
  /** Header and content. */
  raw: Buffer;
}

export const TAG = {
  BOOLEAN: 1, INTEGER: 2, BIT_STRING: 3, OCTET_STRING: 4, NULL: 5, OID: 6, UTF8_STRING: 12,
  SEQUENCE: 16, SET: 17, NUMERIC_STRING: 18, PRINTABLE_STRING: 19, T61_STRING: 20, IA5_STRING: 22,
  UTC_TIME: 23, GENERALIZED_TIME: 24, VISIBLE_STRING: 26, UNIVERSAL_STRING: 28, BMP_STRING: 30,
} as const;

const CLASSES: TagClass[] = ['universal', 'application', 'context', 'private'];

/** Reads the TLV at `offset`; definite lengths only (DER), long form up to 4 length bytes. */
export function readTlv(buf: Buffer, offset = 0): Tlv {
  let p = offset;
  const need = (n: number, what: string): void => {
    if (p + n > buf.length) throw new DerError(`truncated DER: ${what} at offset ${p} needs ${n} byte(s), ${Math.max(0, buf.length - p)} left`);
  };
  need(1, 'tag');
  const b0 = buf[p++];
  const cls = CLASSES[b0 >> 6];
  const constructed = (b0 & 0x20) !== 0;
  let tag = b0 & 0x1f;
  if (tag === 0x1f) {
    tag = 0;
    for (let i = 0; ; i++) {
      need(1, 'tag number');
      const b = buf[p++];
      if (i === 0 && b === 0x80) throw new DerError(`bad DER: tag number at offset ${p - 1} has a leading zero`);
      if (i === 4) throw new DerError(`bad DER: tag number at offset ${offset} is too large`);
      tag = tag * 128 + (b & 0x7f);
      if ((b & 0x80) === 0) break;
    }
    if (tag < 0x1f) throw new DerError(`bad DER: tag number ${tag} at offset ${offset} must use the short form`);
  }
  need(1, 'length');
  const l0 = buf[p++];
  let length = l0;
  if (l0 === 0x80) throw new DerError(`bad DER: indefinite length at offset ${p - 1} (BER only)`);
  if (l0 > 0x80) {
    const n = l0 & 0x7f;
    if (n > 4) throw new DerError(`bad DER: length of ${n} bytes at offset ${p - 1} is too large`);
    need(n, 'length');
    if (buf[p] === 0) throw new DerError(`bad DER: length at offset ${p - 1} has a leading zero`);
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + buf[p++];
    if (length < 0x80) throw new DerError(`bad DER: length ${length} at offset ${offset} must use the short form`);
  }
  need(length, 'content');
  return {
    cls, constructed, tag, offset, headerLength: p - offset,
    value: buf.subarray(p, p + length), raw: buf.subarray(offset, p + length),
  };
}

/** Reads exactly one element that fills the whole buffer. */
export function readDer(buf: Buffer): Tlv {
  const t = readTlv(buf, 0);
  if (t.raw.length !== buf.length) throw new DerError(`bad DER: ${buf.length - t.raw.length} byte(s) after the end of the element`);
  return t;
}

/** The elements inside a constructed element. */
export function childrenOf(t: Tlv): Tlv[] {
  if (!t.constructed) throw new DerError(`bad DER: ${describeTag(t)} at offset ${t.offset} is primitive, not constructed`);
  const out: Tlv[] = [];
  for (let off = 0; off < t.value.length; ) {
    const c = readTlv(t.value, off);
    out.push(c);
    off += c.raw.length;
  }
  return out;
}

export function describeTag(t: Pick<Tlv, 'cls' | 'tag'>): string {
  if (t.cls === 'context') return `[${t.tag}]`;
  const name = Object.entries(TAG).find(([, v]) => v === t.tag)?.[0];
  return t.cls === 'universal' && name ? name : `${t.cls} tag ${t.tag}`;
}

/** Checks class, tag and form (SEQUENCE and SET are constructed; the other universal types primitive). */
export function expectTag(t: Tlv | undefined, tag: number, what: string, cls: TagClass = 'universal'): Tlv {
  if (!t) throw new DerError(`bad DER: ${what} is missing`);
  if (t.cls !== cls || t.tag !== tag) throw new DerError(`bad DER: ${what} should be ${describeTag({ cls, tag })}, found ${describeTag(t)}`);
  if (cls === 'universal') {
    const shouldConstruct = tag === TAG.SEQUENCE || tag === TAG.SET;
    if (t.constructed !== shouldConstruct) throw new DerError(`bad DER: ${what} (${describeTag(t)}) must be ${shouldConstruct ? 'constructed' : 'primitive'}`);
  }
  return t;
}

// ---- primitive values

export function decodeOid(value: Buffer): string {
  if (value.length === 0) throw new DerError('bad DER: empty OBJECT IDENTIFIER');
  if (value[value.length - 1] & 0x80) throw new DerError('truncated DER: OBJECT IDENTIFIER ends inside a sub-identifier');
  const arcs: bigint[] = [];
  let cur = 0n;
  let start = true;
  for (const b of value) {
    if (start && b === 0x80) throw new DerError('bad DER: OBJECT IDENTIFIER sub-identifier has a leading zero');
    cur = (cur << 7n) | BigInt(b & 0x7f);
    start = (b & 0x80) === 0;
    if (start) {
      arcs.push(cur);
      cur = 0n;
    }
  }
  const first = arcs[0] < 40n ? 0n : arcs[0] < 80n ? 1n : 2n;
  return [first, arcs[0] - first * 40n, ...arcs.slice(1)].join('.');
}

/** The two's complement content of a minimal INTEGER, as lowercase hex. */
export function integerHex(t: Tlv): string {
  const v = expectTag(t, TAG.INTEGER, 'INTEGER').value;
  if (v.length === 0) throw new DerError('bad DER: empty INTEGER');
  if (v.length > 1 && ((v[0] === 0 && v[1] < 0x80) || (v[0] === 0xff && v[1] >= 0x80))) throw new DerError('bad DER: INTEGER is not minimally encoded');
  return v.toString('hex');
}

export function integerValue(t: Tlv): bigint {
  const hex = integerHex(t);
  const n = BigInt('0x' + hex);
  return parseInt(hex[0], 16) >= 8 ? n - (1n << BigInt(hex.length * 4)) : n;
}

export function integerNumber(t: Tlv): number {
  const n = integerValue(t);
  if (n > BigInt(Number.MAX_SAFE_INTEGER) || n < -BigInt(Number.MAX_SAFE_INTEGER)) throw new DerError(`INTEGER ${n} is too large here`);
  return Number(n);
}

export function decodeBoolean(t: Tlv): boolean {
  const v = expectTag(t, TAG.BOOLEAN, 'BOOLEAN').value;
  if (v.length !== 1 || (v[0] !== 0 && v[0] !== 0xff)) throw new DerError('bad DER: BOOLEAN must be one byte, 00 or FF');
  return v[0] === 0xff;
}

export interface BitString {
  unusedBits: number;
  bytes: Buffer;
}

export function decodeBitString(t: Tlv): BitString {
  const v = expectTag(t, TAG.BIT_STRING, 'BIT STRING').value;
  if (v.length === 0) throw new DerError('truncated DER: BIT STRING has no unused-bits byte');
  const unusedBits = v[0];
  if (unusedBits > 7 || (v.length === 1 && unusedBits !== 0)) throw new DerError(`bad DER: BIT STRING with ${unusedBits} unused bits`);
  const bytes = v.subarray(1);
  if (unusedBits > 0 && (bytes[bytes.length - 1] & ((1 << unusedBits) - 1)) !== 0) throw new DerError('bad DER: BIT STRING unused bits are not zero');
  return { unusedBits, bytes };
}

/** Bit `i` counted from the most significant bit of the first byte, as named bit lists number them. */
export function bitIsSet(bs: BitString, i: number): boolean {
  const byte = bs.bytes[i >> 3];
  return byte !== undefined && (byte & (0x80 >> (i & 7))) !== 0 && i < bs.bytes.length * 8 - bs.unusedBits;
}

const UTC_RE = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/;
const GEN_RE = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.(\d*[1-9]))?Z$/;

/** UTCTime (YY < 50 means 20YY, RFC 5280) or GeneralizedTime, both in UTC ("Z") as DER requires. */
export function decodeTime(t: Tlv): Date {
  if (t.cls !== 'universal' || (t.tag !== TAG.UTC_TIME && t.tag !== TAG.GENERALIZED_TIME) || t.constructed) {
    throw new DerError(`bad DER: a time should be UTCTime or GeneralizedTime, found ${describeTag(t)}`);
  }
  const s = t.value.toString('latin1');
  const m = (t.tag === TAG.UTC_TIME ? UTC_RE : GEN_RE).exec(s);
  if (!m) throw new DerError(`bad DER: time ${JSON.stringify(s)} is not in the DER form (…Z)`);
  let year = Number(m[1]);
  if (t.tag === TAG.UTC_TIME) year += year < 50 ? 2000 : 1900;
  const [mon, day, h, min, sec] = [m[2], m[3], m[4], m[5], m[6]].map(Number);
  const ms = m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0;
  const d = new Date(Date.UTC(year, mon - 1, day, h, min, sec, ms));
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== mon - 1 || d.getUTCDate() !== day || h > 23 || min > 59 || sec > 59) {
    throw new DerError(`bad DER: time ${JSON.stringify(s)} is not a valid date`);
  }
  return d;
}

/** The directory string types found in names; T61 is read as Latin-1 as OpenSSL does. */
export function decodeString(t: Tlv): string {
  if (t.cls !== 'universal' || t.constructed) throw new DerError(`bad DER: expected a string, found ${describeTag(t)}`);
  const v = t.value;
  switch (t.tag) {
    case TAG.UTF8_STRING:
      return v.toString('utf8');
    case TAG.PRINTABLE_STRING: case TAG.IA5_STRING: case TAG.NUMERIC_STRING: case TAG.VISIBLE_STRING: case TAG.T61_STRING:
      return v.toString('latin1');
    case TAG.BMP_STRING:
      if (v.length % 2) throw new DerError('bad DER: BMPString has an odd length');
      return Buffer.from(v).swap16().toString('utf16le');
    case TAG.UNIVERSAL_STRING: {
      if (v.length % 4) throw new DerError('bad DER: UniversalString length is not a multiple of 4');
      let s = '';
      for (let i = 0; i < v.length; i += 4) s += String.fromCodePoint(v.readUInt32BE(i));
      return s;
    }
    default:
      throw new DerError(`bad DER: ${describeTag(t)} is not a string type`);
  }
}

/** Uppercase colon hex, as openssl prints key identifiers and fingerprints. */
export function colonHex(bytes: Buffer, upper = true): string {
  const hex = bytes.toString('hex');
  return (upper ? hex.toUpperCase() : hex).replace(/(..)(?!$)/g, '$1:');
}

// ---- names

const ATTR_NAMES: Record<string, string> = {
  '2.5.4.3': 'CN', '2.5.4.4': 'SN', '2.5.4.5': 'serialNumber', '2.5.4.6': 'C', '2.5.4.7': 'L', '2.5.4.8': 'ST',
  '2.5.4.9': 'street', '2.5.4.10': 'O', '2.5.4.11': 'OU', '2.5.4.12': 'title', '2.5.4.13': 'description',
  '2.5.4.15': 'businessCategory', '2.5.4.17': 'postalCode', '2.5.4.42': 'GN', '2.5.4.43': 'initials',
  '2.5.4.44': 'generationQualifier', '2.5.4.46': 'dnQualifier', '2.5.4.65': 'pseudonym', '2.5.4.97': 'organizationIdentifier',
  '1.2.840.113549.1.9.1': 'emailAddress', '0.9.2342.19200300.100.1.1': 'UID', '0.9.2342.19200300.100.1.25': 'DC',
  '1.3.6.1.4.1.311.60.2.1.1': 'jurisdictionL', '1.3.6.1.4.1.311.60.2.1.2': 'jurisdictionST', '1.3.6.1.4.1.311.60.2.1.3': 'jurisdictionC',
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
    }));
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
export function formatName(rdns: NameAttribute[][], style: 'oneline' | 'slash' = 'oneline'): string {
  if (style === 'slash') return rdns.map((rdn) => '/' + rdn.map((a) => `${a.name}=${a.value}`).join('+')).join('');
  return rdns.map((rdn) => rdn.map((a) => `${a.name} = ${escapeValue(a.value)}`).join(' + ')).join(', ');
}

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

function readExtension(t: Tlv): Extension {
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
  keyUsage: '2.5.29.15', extKeyUsage: '2.5.29.37', basicConstraints: '2.5.29.19', subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35', subjectAltName: '2.5.29.17', issuerAltName: '2.5.29.18',
  crlDistributionPoints: '2.5.29.31', certificatePolicies: '2.5.29.32', authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
  serverAuth: '1.3.6.1.5.5.7.3.1', clientAuth: '1.3.6.1.5.5.7.3.2',
} as const;

const EXTENSION_NAMES: Record<string, string> = {
  [OID.keyUsage]: 'X509v3 Key Usage', [OID.extKeyUsage]: 'X509v3 Extended Key Usage', [OID.basicConstraints]: 'X509v3 Basic Constraints',
  [OID.subjectKeyIdentifier]: 'X509v3 Subject Key Identifier', [OID.authorityKeyIdentifier]: 'X509v3 Authority Key Identifier',
  [OID.subjectAltName]: 'X509v3 Subject Alternative Name', [OID.issuerAltName]: 'X509v3 Issuer Alternative Name',
  [OID.crlDistributionPoints]: 'X509v3 CRL Distribution Points', [OID.certificatePolicies]: 'X509v3 Certificate Policies',
  '2.5.29.30': 'X509v3 Name Constraints', '2.5.29.36': 'X509v3 Policy Constraints', '2.5.29.54': 'X509v3 Inhibit Any Policy',
  [OID.authorityInfoAccess]: 'Authority Information Access', '1.3.6.1.4.1.11129.2.4.2': 'CT Precertificate SCTs',
  '1.3.6.1.4.1.11129.2.4.3': 'CT Precertificate Poison', '2.16.840.1.113730.1.1': 'Netscape Cert Type', '2.16.840.1.113730.1.13': 'Netscape Comment',
};

const SIGNATURE_NAMES: Record<string, string> = {
  '1.2.840.113549.1.1.4': 'md5WithRSAEncryption', '1.2.840.113549.1.1.5': 'sha1WithRSAEncryption',
  '1.2.840.113549.1.1.10': 'rsassaPss', '1.2.840.113549.1.1.11': 'sha256WithRSAEncryption',
  '1.2.840.113549.1.1.12': 'sha384WithRSAEncryption', '1.2.840.113549.1.1.13': 'sha512WithRSAEncryption',
  '1.2.840.113549.1.1.14': 'sha224WithRSAEncryption', '1.2.840.10045.4.1': 'ecdsa-with-SHA1',
  '1.2.840.10045.4.3.1': 'ecdsa-with-SHA224', '1.2.840.10045.4.3.2': 'ecdsa-with-SHA256',
  '1.2.840.10045.4.3.3': 'ecdsa-with-SHA384', '1.2.840.10045.4.3.4': 'ecdsa-with-SHA512',
  '1.3.101.112': 'ED25519', '1.3.101.113': 'ED448', '1.2.840.10040.4.3': 'dsa_with_SHA1',
  '2.16.840.1.101.3.4.3.1': 'dsa_with_SHA224', '2.16.840.1.101.3.4.3.2': 'dsa_with_SHA256',
};

/** openssl's name for a signature algorithm OID, else the OID. */
export function signatureAlgorithmName(oidOrCertDer: string | Buffer): string {
  const oid = typeof oidOrCertDer === 'string' ? oidOrCertDer : readCertificate(oidOrCertDer).signatureAlgorithmOid;
  return SIGNATURE_NAMES[oid] ?? oid;
}

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
  '1.2.840.113549.1.1.1': 'rsaEncryption', '1.2.840.113549.1.1.10': 'rsassaPss', '1.2.840.10045.2.1': 'id-ecPublicKey',
  '1.3.101.110': 'X25519', '1.3.101.111': 'X448', '1.3.101.112': 'ED25519', '1.3.101.113': 'ED448', '1.2.840.10040.4.1': 'dsaEncryption',
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

const EKU_NAMES: Record<string, string> = {
  [OID.serverAuth]: 'TLS Web Server Authentication', [OID.clientAuth]: 'TLS Web Client Authentication',
  '1.3.6.1.5.5.7.3.3': 'Code Signing', '1.3.6.1.5.5.7.3.4': 'E-mail Protection', '1.3.6.1.5.5.7.3.5': 'IPSec End System',
  '1.3.6.1.5.5.7.3.6': 'IPSec Tunnel', '1.3.6.1.5.5.7.3.7': 'IPSec User', '1.3.6.1.5.5.7.3.8': 'Time Stamping',
  '1.3.6.1.5.5.7.3.9': 'OCSP Signing', '1.3.6.1.5.5.7.3.17': 'ipsec Internet Key Exchange', '2.5.29.37.0': 'Any Extended Key Usage',
  '1.3.6.1.4.1.311.10.3.3': 'Microsoft Server Gated Crypto', '2.16.840.1.113730.4.1': 'Netscape Server Gated Crypto',
  '1.3.6.1.4.1.311.20.2.2': 'Microsoft Smartcard Login', '1.3.6.1.4.1.311.10.3.4': 'Microsoft Encrypted File System',
};

export interface NamedOid {
  oid: string;
  /** openssl's name, else the OID. */
  name: string;
}

export function decodeExtKeyUsage(value: Buffer): NamedOid[] {
  return childrenOf(expectTag(readDer(value), TAG.SEQUENCE, 'ExtKeyUsageSyntax')).map((t) => {
    const oid = decodeOid(expectTag(t, TAG.OID, 'KeyPurposeId').value);
    return { oid, name: EKU_NAMES[oid] ?? oid };
  });
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
  for (let i = 0; i < groups.length; ) {
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
  if (b.length === 16) return ipGroups(b).map((g) => g.toString(16).toUpperCase()).join(':');
  return `<invalid length=${b.length}>`;
}

export function decodeGeneralName(t: Tlv): GeneralName {
  if (t.cls !== 'context' || t.tag > 8) throw new DerError(`bad DER: ${describeTag(t)} is not a GeneralName`);
  const type = GN_TYPES[t.tag];
  if ([1, 2, 6, 7, 8].includes(t.tag) && t.constructed) throw new DerError(`bad DER: a ${type} name must be primitive`);
  switch (t.tag) {
    case 1: case 2: case 6:
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

function generalNameText(g: GeneralName): string {
  return `${g.type}:${g.value}`;
}

function decodeCrlDistributionPoints(value: Buffer): string[] {
  const lines: string[] = [];
  for (const dp of childrenOf(expectTag(readDer(value), TAG.SEQUENCE, 'CRLDistributionPoints'))) {
    for (const f of childrenOf(expectTag(dp, TAG.SEQUENCE, 'DistributionPoint'))) {
      if (f.cls !== 'context' || f.tag !== 0) continue;
      const [name] = childrenOf(f);
      if (name?.cls === 'context' && name.tag === 0) {
        lines.push('Full Name:', ...childrenOf(name).map((g) => '  ' + generalNameText(decodeGeneralName(g))));
      }
    }
  }
  return lines;
}

function decodeAuthorityInfoAccess(value: Buffer): string[] {
  const methods: Record<string, string> = { '1.3.6.1.5.5.7.48.1': 'OCSP', '1.3.6.1.5.5.7.48.2': 'CA Issuers' };
  return childrenOf(expectTag(readDer(value), TAG.SEQUENCE, 'AuthorityInfoAccess')).map((ad) => {
    const [m, loc] = childrenOf(expectTag(ad, TAG.SEQUENCE, 'AccessDescription'));
    const oid = decodeOid(expectTag(m, TAG.OID, 'accessMethod').value);
    if (!loc) throw new DerError('bad DER: accessLocation is missing');
    return `${methods[oid] ?? oid} - ${generalNameText(decodeGeneralName(loc))}`;
  });
}

function decodeCertificatePolicies(value: Buffer): string[] {
  return childrenOf(expectTag(readDer(value), TAG.SEQUENCE, 'CertificatePolicies')).map((p) => {
    const [oid] = childrenOf(expectTag(p, TAG.SEQUENCE, 'PolicyInformation'));
    const o = decodeOid(expectTag(oid, TAG.OID, 'policyIdentifier').value);
    return `Policy: ${o === '2.5.29.32.0' ? 'X509v3 Any Policy' : o}`;
  });
}

/** The value lines `openssl x509 -text` prints under an extension's name. Throws DerError when malformed. */
export function extensionText(ext: Extension): string[] {
  switch (ext.oid) {
    case OID.keyUsage:
      return [decodeKeyUsage(ext.value).map((b) => b.name).join(', ')];
    case OID.extKeyUsage:
      return [decodeExtKeyUsage(ext.value).map((e) => e.name).join(', ')];
    case OID.basicConstraints: {
      const bc = decodeBasicConstraints(ext.value);
      return [`CA:${bc.ca ? 'TRUE' : 'FALSE'}${bc.pathLen !== undefined ? `, pathlen:${bc.pathLen}` : ''}`];
    }
    case OID.subjectKeyIdentifier:
      return [decodeSubjectKeyId(ext.value)];
    case OID.authorityKeyIdentifier: {
      const a = decodeAuthorityKeyId(ext.value);
      // openssl labels the key id only when issuer or serial follow it.
      if (a.keyId && !a.issuer && !a.serial) return [a.keyId];
      return [
        ...(a.keyId ? [`keyid:${a.keyId}`] : []),
        ...(a.issuer ?? []).map(generalNameText),
        ...(a.serial ? [`serial:${a.serial}`] : []),
      ];
    }
    case OID.subjectAltName:
    case OID.issuerAltName:
      return [decodeGeneralNames(ext.value).map(generalNameText).join(', ')];
    case OID.crlDistributionPoints:
      return decodeCrlDistributionPoints(ext.value);
    case OID.authorityInfoAccess:
      return decodeAuthorityInfoAccess(ext.value);
    case OID.certificatePolicies:
      return decodeCertificatePolicies(ext.value);
    default:
      return [`<not decoded: ${ext.value.length} bytes> ${colonHex(ext.value.subarray(0, 32), false)}${ext.value.length > 32 ? ':…' : ''}`];
  }
}

/** Serial Number as openssl prints it: "4660 (0x1234)" when it fits in 63 bits, else lowercase colon hex. */
export function serialText(serial: Tlv): string {
  const n = integerValue(serial);
  const neg = n < 0n ? '-' : '';
  const mag = n < 0n ? -n : n;
  if (mag < 1n << 63n && n !== -1n) return `${neg}${mag} (${neg}0x${mag.toString(16)})`;
  return `${neg ? '(Negative)' : ''}${colonHex(magnitudeBytes(mag), false)}`;
}

/** The serial's magnitude as lowercase colon hex ("-" first when negative). */
export function serialColonHex(serial: Tlv): string {
  const n = integerValue(serial);
  return (n < 0n ? '-' : '') + colonHex(magnitudeBytes(n < 0n ? -n : n), false);
}

/** The serial as `openssl x509 -serial` prints it: uppercase hex of the magnitude, "-" when negative. */
export function serialHex(serial: Tlv): string {
  const n = integerValue(serial);
  const mag = n < 0n ? -n : n;
  return (n < 0n ? '-' : '') + magnitudeBytes(mag).toString('hex').toUpperCase();
}

function magnitudeBytes(mag: bigint): Buffer {
  let hex = mag.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  return Buffer.from(hex, 'hex');
}
