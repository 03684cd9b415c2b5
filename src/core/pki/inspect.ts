import { X509Certificate } from 'node:crypto';
import { splitPem } from './pem';
import { issuedBy } from './chain';
import { Sans, certInfo } from './certinfo';
import { parseCertificate } from './x509';

/** Plain data about one certificate, shared by the CLI (--json), the tree and hovers. */
export interface CertDetails {
  subject: Record<string, string>;
  issuer: Record<string, string>;
  /** The one DN line (x509name.dnLine): "CN=node, O=Cockroach". */
  subjectLine: string;
  issuerLine: string;
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

/** The JSON form of a CertInfo (dates as ISO strings, copies of the lists). */
export function certDetails(cert: X509Certificate): CertDetails {
  const f = certInfo(cert);
  return {
    subject: { ...f.subject },
    issuer: { ...f.issuer },
    subjectLine: f.subjectLine,
    issuerLine: f.issuerLine,
    sans: { dns: [...f.sans.dns], ip: [...f.sans.ip], uri: [...f.sans.uri], email: [...f.sans.email] },
    serial: f.serial,
    notBefore: f.notBefore.toISOString(),
    notAfter: f.notAfter.toISOString(),
    fingerprintSha256: f.fingerprintSha256,
    isCA: f.isCA,
    keyUsage: [...f.keyUsage],
    extKeyUsage: [...f.extKeyUsage],
    publicKey: f.publicKey,
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
    if (/^(NEW )?CERTIFICATE REQUEST$/.test(blocks[i].type)) {
      return {
        ok: false,
        error: `${name} is a certificate signing request (PEM "${blocks[i].type}"), not a certificate: have your CA sign it and pass the certificate it returns (see what it asks for with "crdb-tls inspect ${name}").`,
      };
    }
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
