import { X509Certificate } from 'node:crypto';
import { splitPem } from './pem';
import { issuedBy } from './chain';
import { Sans, certFacts } from './certfacts';
import { parseCertificate } from './x509';

/** Plain data about one certificate, shared by the CLI (--json), the tree and hovers. */
export interface CertDetails {
  subject: Record<string, string>;
  issuer: Record<string, string>;
  sans: Sans;
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

function publicKeyText(cert: X509Certificate): string {
  const k = cert.publicKey;
  const d = k.asymmetricKeyDetails;
  if (k.asymmetricKeyType === 'rsa') return `RSA ${d?.modulusLength ?? '?'}`;
  if (k.asymmetricKeyType === 'ec') return `EC ${d?.namedCurve ?? ''}`.trim();
  return String(k.asymmetricKeyType);
}

export function certDetails(cert: X509Certificate): CertDetails {
  const f = certFacts(cert);
  return {
    subject: parseDn(cert.subject),
    issuer: parseDn(cert.issuer),
    sans: { dns: [...f.sans.dns], ip: [...f.sans.ip], uri: [...f.sans.uri], email: [...f.sans.email] },
    serial: cert.serialNumber.toLowerCase(),
    notBefore: new Date(cert.validFrom).toISOString(),
    notAfter: new Date(cert.validTo).toISOString(),
    fingerprintSha256: cert.fingerprint256,
    isCA: cert.ca,
    keyUsage: [...f.keyUsage],
    extKeyUsage: [...f.extKeyUsage],
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
