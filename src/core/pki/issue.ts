import { randomBytes, KeyObject, X509Certificate } from 'node:crypto';
import { certInfo } from './certinfo';
import { toPem } from './pem';
import { readCertificate } from './x509der';
import {
  Asn1,
  OIDS,
  cockroachName,
  extKeyUsage,
  extension,
  keyUsage,
  loadDer,
  signatureAlgorithm,
  signed,
  spkiDer,
  subjectAltName,
  subjectKeyIdOf,
} from './x509write';

const DAY_MS = 86_400_000;
/** cockroach backdates every certificate by 24h against clock skew (pkg/security/x509.go validFrom). */
export const BACKDATE_MS = DAY_MS;

export type CertKind = 'ca' | 'node' | 'client';

export interface CertTemplate {
  kind: CertKind;
  commonName: string;
  /** Milliseconds from `now` to NotAfter (cockroach: NotAfter = now + lifetime, NotBefore = now - 24h). */
  lifetimeMs: number;
  now: Date;
  dns?: string[];
  ip?: string[];
  /** The public key to certify (RSA or EC P-256; a private key stands for its public half). */
  publicKey: KeyObject;
}

export interface Issuer {
  /** The issuing CA certificate; absent for a self-signed CA. */
  cert?: X509Certificate;
  /** RSA (sha256WithRSAEncryption) or EC P-256 (ecdsa-with-SHA256). */
  key: KeyObject;
}

/** A random positive 128-bit serial, as cockroach draws it (rand.Int below 2^128), in minimal hex. */
export function randomSerialHex(random: (n: number) => Buffer = randomBytes): string {
  let bytes = random(16);
  while (bytes.length > 1 && bytes[0] === 0) bytes = bytes.subarray(1);
  let hex = bytes.toString('hex');
  if (bytes[0] >= 0x80) hex = '00' + hex; // DER INTEGER: keep it positive
  return hex === '00' ? '01' : hex;
}

function truncateToSeconds(ms: number): Date {
  return new Date(Math.floor(ms / 1000) * 1000);
}

/**
 * Builds and signs an X.509 certificate shaped exactly as `cockroach cert` makes them:
 * O=Cockroach, the CN, random 128-bit serial, NotBefore now-24h, keyUsage digitalSignature +
 * keyEncipherment (critical), CA: basicConstraints CA:true pathlen 1 + keyCertSign + contentCommitment
 * + subject key id; node: serverAuth + clientAuth and SANs; client: clientAuth. Authority key id
 * from the CA's subject key id (as Go's x509.CreateCertificate does); the issuer is the CA's
 * subject byte for byte. DER from node-forge's ASN.1 writer, the signature from node:crypto.
 */
export async function issueCertificate(t: CertTemplate, issuer: Issuer, serialHex = randomSerialHex()): Promise<string> {
  const d = await loadDer();
  const spki = spkiDer(t.publicKey);
  const subject = cockroachName(d, t.commonName);
  const exts: Asn1[] = [extension(d, OIDS.keyUsage, true, keyUsage(d, t.kind === 'ca'))];
  if (t.kind === 'ca') {
    exts.push(extension(d, OIDS.basicConstraints, true, d.seq([d.bool(true), d.int(1)])));
    exts.push(extension(d, OIDS.subjectKeyIdentifier, false, d.octets(subjectKeyIdOf(spki))));
  } else {
    exts.push(extension(d, OIDS.extKeyUsage, false, extKeyUsage(d, t.kind === 'node' ? ['serverAuth', 'clientAuth'] : ['clientAuth'])));
  }
  let issuerName = subject;
  if (issuer.cert) {
    issuerName = d.fromDer(readCertificate(issuer.cert.raw).subject.raw);
    const ski = certInfo(issuer.cert).subjectKeyId;
    if (ski)
      exts.push(extension(d, OIDS.authorityKeyIdentifier, false, d.seq([d.ctx(0, false, Buffer.from(ski.replace(/:/g, ''), 'hex').toString('binary'))])));
  }
  const dns = t.dns ?? [];
  const ip = t.ip ?? [];
  if (dns.length + ip.length > 0) exts.push(extension(d, OIDS.subjectAltName, false, subjectAltName(d, dns, ip)));

  const tbs = d.seq([
    d.ctx(0, true, [d.int(2)]),
    d.intHex(serialHex),
    signatureAlgorithm(d, issuer.key),
    issuerName,
    d.seq([d.time(truncateToSeconds(t.now.getTime() - BACKDATE_MS)), d.time(truncateToSeconds(t.now.getTime() + t.lifetimeMs))]),
    subject,
    d.fromDer(spki),
    d.ctx(3, true, [d.seq(exts)]),
  ]);
  return toPem('CERTIFICATE', signed(d, tbs, issuer.key));
}
