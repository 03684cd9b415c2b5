/**
 * The one certificate model: a CertInfo is built once per X509Certificate (by the strict DER
 * reader for the extensions, by Node for the rest) and cached for the object's life. cert list,
 * inspect, the tree's tooltips and hovers, probe and test-connection results, lint and the
 * changefeed builder all derive what they show from it; nothing else re-parses a certificate.
 */
import { X509Certificate } from 'node:crypto';
import {
  Extension,
  OID,
  decodeAuthorityKeyId,
  decodeBasicConstraints,
  decodeExtKeyUsageIds,
  decodeKeyUsage,
  decodeSubjectAltName,
  decodeSubjectKeyId,
  readExtensions,
} from './x509der';

export interface Sans {
  dns: string[];
  ip: string[];
  uri: string[];
  email: string[];
}

export interface CertInfo {
  /** Attribute → value ("O" → "Cockroach"); repeated attributes joined with ", ". */
  subject: Readonly<Record<string, string>>;
  issuer: Readonly<Record<string, string>>;
  /** One line, CN first as people read it: "CN=root, O=Cockroach". */
  subjectLine: string;
  issuerLine: string;
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
  /** RFC 5280 ids (digitalSignature, keyCertSign, …). */
  keyUsage: string[];
  /** Short ids (serverAuth, clientAuth, …), else the OID; [] without the extension. */
  extKeyUsage: string[];
  /** Colon hex, as openssl prints it. */
  subjectKeyId?: string;
  authorityKeyId?: string;
  /** "RSA 2048", "EC prime256v1", "ed25519". */
  publicKey: string;
  /** CN and DNS SANs: the names CockroachDB maps to SQL users and node identities. */
  principals: string[];
}

const CACHE = new WeakMap<X509Certificate, CertInfo>();

/** Parses "O=Cockroach\nCN=node" (Node's X509Certificate.subject) into a map; repeated keys are joined with ", ". */
export function parseDn(dn: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of dn.split('\n')) {
    const i = line.indexOf('=');
    if (i <= 0) continue;
    const k = line.slice(0, i);
    const v = line.slice(i + 1);
    out[k] = k in out ? `${out[k]}, ${v}` : v;
  }
  return out;
}

/** DN as one line, CN first as people read it: "CN=root, O=Cockroach". */
export function dnLine(dn: string): string {
  const parts = dn.split('\n').filter(Boolean);
  const cn = parts.filter((p) => p.startsWith('CN='));
  return [...cn, ...parts.filter((p) => !p.startsWith('CN='))].join(', ');
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

function sansOf(value: Buffer): Sans {
  const sans: Sans = { dns: [], ip: [], uri: [], email: [] };
  for (const g of decodeSubjectAltName(value)) {
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

function build(cert: X509Certificate): CertInfo {
  let exts: Extension[] = [];
  try {
    exts = readExtensions(cert.raw);
  } catch {
    // Node parsed it; our stricter reader did not: report no extension facts.
  }
  const subject = parseDn(cert.subject);
  const sans = decoded(exts, OID.subjectAltName, sansOf, { dns: [], ip: [], uri: [], email: [] });
  const info: CertInfo = {
    subject,
    issuer: parseDn(cert.issuer),
    subjectLine: dnLine(cert.subject),
    issuerLine: dnLine(cert.issuer),
    serial: cert.serialNumber.toLowerCase(),
    notBefore: new Date(cert.validFrom),
    notAfter: new Date(cert.validTo),
    fingerprintSha256: cert.fingerprint256,
    isCA: cert.ca,
    sans,
    keyUsage: decoded(exts, OID.keyUsage, (v) => decodeKeyUsage(v).map((b) => b.id), []),
    extKeyUsage: decoded(exts, OID.extKeyUsage, decodeExtKeyUsageIds, []),
    publicKey: publicKeyText(cert),
    principals: [...(subject.CN ? [subject.CN] : []), ...sans.dns],
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
