import { X509Certificate } from 'node:crypto';
import { splitPem } from './pem';
import { issuedBy } from './chain';
import { keyUsageNames } from './x509der';
import { parseCertificate } from './x509';

/** Plain data about one certificate, shared by the CLI (--json), the tree and hovers. */
export interface CertDetails {
  subject: Record<string, string>;
  issuer: Record<string, string>;
  sans: { dns: string[]; ip: string[]; uri: string[]; email: string[] };
  serial: string;
  notBefore: string;
  notAfter: string;
  fingerprintSha256: string;
  isCA: boolean;
  keyUsage: string[];
  extKeyUsage: string[];
  publicKey: string;
  selfSigned: boolean;
}

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

/** Node prints IPv6 SANs expanded (0:0:0:0:0:0:0:1); show them as Go and openssl users write them (::1). */
export function compactIp(ip: string): string {
  if (!ip.includes(':')) return ip;
  const groups = ip.split(':').map((g) => g.replace(/^0+(?=.)/, '').toLowerCase());
  if (groups.length !== 8) return ip.toLowerCase();
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

/** Parses Node's subjectAltName text ("DNS:a, IP Address:127.0.0.1, URI:crdb://..."). */
export function parseSans(text: string | undefined): CertDetails['sans'] {
  const sans: CertDetails['sans'] = { dns: [], ip: [], uri: [], email: [] };
  if (!text) return sans;
  // Values may be quoted JSON strings when they hold commas (Node >= 17.3).
  const re = /(DNS|IP Address|URI|email):("(?:[^"\\]|\\.)*"|[^,]*)(?:, |$)/g;
  for (const m of text.matchAll(re)) {
    const value = m[2].startsWith('"') ? (JSON.parse(m[2]) as string) : m[2];
    if (m[1] === 'DNS') sans.dns.push(value);
    else if (m[1] === 'IP Address') sans.ip.push(compactIp(value));
    else if (m[1] === 'URI') sans.uri.push(value);
    else sans.email.push(value);
  }
  return sans;
}

const EKU_NAMES: Record<string, string> = {
  '1.3.6.1.5.5.7.3.1': 'serverAuth',
  '1.3.6.1.5.5.7.3.2': 'clientAuth',
  '1.3.6.1.5.5.7.3.3': 'codeSigning',
  '1.3.6.1.5.5.7.3.4': 'emailProtection',
  '1.3.6.1.5.5.7.3.8': 'timeStamping',
  '1.3.6.1.5.5.7.3.9': 'OCSPSigning',
};

/** The keyUsage bits by name (digitalSignature, keyCertSign...); [] when absent or malformed. */
export function keyUsageOf(cert: X509Certificate): string[] {
  try {
    return keyUsageNames(cert.raw, 'id');
  } catch {
    return [];
  }
}

export function extKeyUsageOf(cert: X509Certificate): string[] {
  // Node names this property keyUsage, though it holds the extended key usage OIDs.
  const oids = (cert as unknown as { keyUsage?: string[] }).keyUsage ?? [];
  return oids.map((o) => EKU_NAMES[o] ?? o);
}

function publicKeyText(cert: X509Certificate): string {
  const k = cert.publicKey;
  const d = k.asymmetricKeyDetails;
  if (k.asymmetricKeyType === 'rsa') return `RSA ${d?.modulusLength ?? '?'}`;
  if (k.asymmetricKeyType === 'ec') return `EC ${d?.namedCurve ?? ''}`.trim();
  return String(k.asymmetricKeyType);
}

export function certDetails(cert: X509Certificate): CertDetails {
  return {
    subject: parseDn(cert.subject),
    issuer: parseDn(cert.issuer),
    sans: parseSans(cert.subjectAltName),
    serial: cert.serialNumber.toLowerCase(),
    notBefore: new Date(cert.validFrom).toISOString(),
    notAfter: new Date(cert.validTo).toISOString(),
    fingerprintSha256: cert.fingerprint256,
    isCA: cert.ca,
    keyUsage: keyUsageOf(cert),
    extKeyUsage: extKeyUsageOf(cert),
    publicKey: publicKeyText(cert),
    selfSigned: issuedBy(cert, cert),
  };
}

export type ParsedCertFile = { ok: true; certs: X509Certificate[] } | { ok: false; error: string };

/**
 * Parses a certificate file the way CockroachDB's loader does: empty file, no PEM blocks, a block
 * that is not a CERTIFICATE, or a certificate that does not parse are errors (sentences with a fix).
 */
export function parseCertFile(content: Buffer, name: string): ParsedCertFile {
  if (content.length === 0) return { ok: false, error: `empty certificate file: ${name} is empty; issue it again or restore it from a backup.` };
  const blocks = splitPem(content.toString('latin1'));
  if (blocks.length === 0)
    return { ok: false, error: `no certificates found in ${name}: it holds no PEM "BEGIN CERTIFICATE" block; put the PEM certificate there.` };
  const certs: X509Certificate[] = [];
  for (let i = 0; i < blocks.length; i++) {
    if (blocks[i].type !== 'CERTIFICATE') {
      return {
        ok: false,
        error: `block #${i} in ${name} is of type ${blocks[i].type}, not CERTIFICATE: keep keys in .key files and only certificates in .crt files.`,
      };
    }
    try {
      certs.push(parseCertificate(blocks[i].der));
    } catch (err) {
      return { ok: false, error: `failed to parse certificate ${i} in file ${name} (${(err as Error).message}): replace it with a valid PEM certificate.` };
    }
  }
  return { ok: true, certs };
}
