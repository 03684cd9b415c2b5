/**
 * The one certificate model: a CertInfo is built once per X509Certificate (by the strict DER
 * reader for the names and the extensions, by Node for the rest) and cached for the object's life. cert list,
 * inspect, the tree's tooltips and hovers, probe and test-connection results, lint and the
 * changefeed builder all derive what they show from it; nothing else re-parses a certificate.
 */
import { X509Certificate } from 'node:crypto';
import {
  Extension,
  GeneralName,
  OID,
  decodeAuthorityKeyId,
  decodeBasicConstraints,
  decodeExtKeyUsage,
  decodeKeyUsage,
  decodeSubjectAltName,
  decodeSubjectKeyId,
  extKeyUsageId,
  readCertificate,
} from './x509der';
import { NameAttribute, decodeName, dnLine, nameRecord, rdnsFromNodeText } from './x509name';

export interface Sans {
  dns: string[];
  ip: string[];
  uri: string[];
  email: string[];
}

export interface CertInfo {
  /** Attribute → value ("O" → "Cockroach"), read from the DER: CN is the last one (as Go reads it), other repeated attributes joined with ", ". */
  subject: Readonly<Record<string, string>>;
  issuer: Readonly<Record<string, string>>;
  /** The names as RDNs, in DER order (Node's text when the DER reader refuses the certificate). */
  subjectRdns: readonly (readonly NameAttribute[])[];
  issuerRdns: readonly (readonly NameAttribute[])[];
  /** One line, RFC 4514 order (x509name.dnLine): "CN=root, O=Cockroach". */
  subjectLine: string;
  issuerLine: string;
  /** The subject's last CN, as Go's pkix.Name.CommonName (CockroachDB's user and node identity). */
  commonName?: string;
  /** Lowercase hex without leading zeros, as Node and `cockroach cert list` print it. */
  serial: string;
  notBefore: Date;
  notAfter: Date;
  /** Colon hex, uppercase, as Node and openssl print it. */
  fingerprintSha256: string;
  isCA: boolean;
  /** basicConstraints when present and readable. */
  basicConstraints?: { ca: boolean; pathLen?: number };
  /** IP addresses as people write them (::1). */
  sans: Sans;
  /** Every subjectAltName entry in order, as openssl prints them (all name types). */
  altNames: readonly GeneralName[];
  /** RFC 5280 ids (digitalSignature, keyCertSign, …). */
  keyUsage: string[];
  /** Short ids (serverAuth, clientAuth, …), else the OID; [] without the extension. */
  extKeyUsage: string[];
  /** The same purposes by OID, in order. */
  extKeyUsageOids: string[];
  /** Colon hex, as openssl prints it. */
  subjectKeyId?: string;
  authorityKeyId?: string;
  /** "RSA 2048", "EC prime256v1", "ed25519". */
  publicKey: string;
  /** CN and DNS SANs: the names CockroachDB maps to SQL users and node identities. */
  principals: string[];
}

const CACHE = new WeakMap<X509Certificate, CertInfo>();

/** Parses "O=Cockroach\nCN=node" (Node's X509Certificate.subject) into a map, by the rule of CertInfo.subject. */
export function parseDn(dn: string): Record<string, string> {
  return nameRecord(rdnsFromNodeText(dn));
}

/** One extension's decoded value, or `fallback` when it is absent or malformed. */
function decoded<T>(exts: Extension[], oid: string, decode: (value: Buffer) => T, fallback: T): T {
  const ext = exts.find((e) => e.oid === oid);
  if (!ext) return fallback;
  try {
    return decode(ext.value);
  } catch {
    return fallback;
  }
}

function sansOf(names: readonly GeneralName[]): Sans {
  const sans: Sans = { dns: [], ip: [], uri: [], email: [] };
  for (const g of names) {
    if (g.type === 'DNS') sans.dns.push(g.value);
    else if (g.type === 'IP Address') sans.ip.push(g.compact ?? g.value);
    else if (g.type === 'URI') sans.uri.push(g.value);
    else if (g.type === 'email') sans.email.push(g.value);
  }
  return sans;
}

function publicKeyText(cert: X509Certificate): string {
  const k = cert.publicKey;
  const d = k.asymmetricKeyDetails;
  if (k.asymmetricKeyType === 'rsa') return `RSA ${d?.modulusLength ?? '?'}`;
  if (k.asymmetricKeyType === 'ec') return `EC ${d?.namedCurve ?? ''}`.trim();
  return String(k.asymmetricKeyType);
}

/** The names and extensions from the DER; Node's names and no extension facts when the strict reader refuses it (Node parsed it). */
function readParts(cert: X509Certificate): { subject: NameAttribute[][]; issuer: NameAttribute[][]; exts: Extension[] } {
  try {
    const s = readCertificate(cert.raw);
    return { subject: decodeName(s.subject), issuer: decodeName(s.issuer), exts: s.extensions };
  } catch {
    return { subject: rdnsFromNodeText(cert.subject), issuer: rdnsFromNodeText(cert.issuer), exts: [] };
  }
}

function build(cert: X509Certificate): CertInfo {
  const { subject: subjectRdns, issuer: issuerRdns, exts } = readParts(cert);
  const subject = nameRecord(subjectRdns);
  const altNames = decoded<GeneralName[]>(exts, OID.subjectAltName, decodeSubjectAltName, []);
  const sans = sansOf(altNames);
  const ekuOids = decoded(exts, OID.extKeyUsage, (v) => decodeExtKeyUsage(v).map((e) => e.oid), []);
  const info: CertInfo = {
    subject,
    issuer: nameRecord(issuerRdns),
    subjectRdns,
    issuerRdns,
    subjectLine: dnLine(subjectRdns),
    issuerLine: dnLine(issuerRdns),
    serial: cert.serialNumber.toLowerCase(),
    notBefore: new Date(cert.validFrom),
    notAfter: new Date(cert.validTo),
    fingerprintSha256: cert.fingerprint256,
    isCA: cert.ca,
    sans,
    altNames,
    keyUsage: decoded(exts, OID.keyUsage, (v) => decodeKeyUsage(v).map((b) => b.id), []),
    extKeyUsage: ekuOids.map(extKeyUsageId),
    extKeyUsageOids: ekuOids,
    publicKey: publicKeyText(cert),
    principals: [...(subject.CN !== undefined ? [subject.CN] : []), ...sans.dns],
  };
  if (subject.CN !== undefined) info.commonName = subject.CN;
  const bc = decoded<{ ca: boolean; pathLen?: number } | undefined>(exts, OID.basicConstraints, decodeBasicConstraints, undefined);
  if (bc) info.basicConstraints = bc;
  const ski = decoded<string | undefined>(exts, OID.subjectKeyIdentifier, decodeSubjectKeyId, undefined);
  if (ski) info.subjectKeyId = ski;
  const aki = decoded<string | undefined>(exts, OID.authorityKeyIdentifier, (v) => decodeAuthorityKeyId(v).keyId, undefined);
  if (aki) info.authorityKeyId = aki;
  return Object.freeze(info);
}

/** The CertInfo of `cert`, built on first use and cached for the object's life. Malformed extensions read as absent. */
export function certInfo(cert: X509Certificate): CertInfo {
  let info = CACHE.get(cert);
  if (!info) {
    info = build(cert);
    CACHE.set(cert, info);
  }
  return info;
}
