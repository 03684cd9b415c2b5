import { createPublicKey, randomBytes, sign, KeyObject, X509Certificate } from 'node:crypto';
import type * as Forge from 'node-forge';
import { certInfo } from './certinfo';
import { toPem } from './pem';
import { readCertificate } from './x509der';

/** Heavy: loaded on first issue so that listing and activation stay light. */
async function loadForge(): Promise<typeof Forge> {
  const mod = await import('node-forge');
  return ((mod as unknown as { default?: typeof Forge }).default ?? mod) as typeof Forge;
}

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
  /** The public key to certify. */
  publicKey: KeyObject;
}

export interface Issuer {
  /** The issuing CA certificate; absent for a self-signed CA. */
  cert?: X509Certificate;
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

/** Go's pkix marshalling: PrintableString when every character allows it, else UTF8String. */
function stringTag(forge: typeof Forge, value: string): number {
  return /^[A-Za-z0-9 '()+,\-./:=?]*$/.test(value) ? forge.asn1.Type.PRINTABLESTRING : forge.asn1.Type.UTF8;
}

function truncateToSeconds(ms: number): Date {
  return new Date(Math.floor(ms / 1000) * 1000);
}

interface TbsParts {
  subject: Forge.asn1.Asn1;
  /** The raw bytes of the subject key id, as node-forge takes a keyIdentifier. */
  subjectKeyId?: string;
}

/** The raw subject (to copy byte for byte as the issuer) and the subject key id of a CA certificate, from the DER reader. */
function caParts(forge: typeof Forge, cert: X509Certificate): TbsParts {
  const subject = forge.asn1.fromDer(forge.util.createBuffer(readCertificate(cert.raw).subject.raw.toString('binary')));
  const ski = certInfo(cert).subjectKeyId;
  return ski ? { subject, subjectKeyId: Buffer.from(ski.replace(/:/g, ''), 'hex').toString('binary') } : { subject };
}

/**
 * Builds and signs an X.509 certificate shaped exactly as `cockroach cert` makes them:
 * O=Cockroach, the CN, random 128-bit serial, NotBefore now-24h, keyUsage digitalSignature +
 * keyEncipherment (critical), CA: basicConstraints CA:true pathlen 1 + keyCertSign + contentCommitment
 * + subject key id; node: serverAuth + clientAuth and SANs; client: clientAuth. Authority key id
 * from the CA's subject key id (as Go's x509.CreateCertificate does). Structure from node-forge,
 * signature from Node's native crypto (sha256WithRSAEncryption).
 */
export async function issueCertificate(t: CertTemplate, issuer: Issuer, serialHex = randomSerialHex()): Promise<string> {
  const forge = await loadForge();
  const cert = forge.pki.createCertificate();
  const pub = t.publicKey.type === 'private' ? createPublicKey(t.publicKey) : t.publicKey;
  cert.publicKey = forge.pki.publicKeyFromPem(pub.export({ type: 'spki', format: 'pem' }).toString());
  cert.serialNumber = serialHex;
  cert.validity.notBefore = truncateToSeconds(t.now.getTime() - BACKDATE_MS);
  cert.validity.notAfter = truncateToSeconds(t.now.getTime() + t.lifetimeMs);
  const subject = [
    { shortName: 'O', value: 'Cockroach', valueTagClass: stringTag(forge, 'Cockroach') },
    { shortName: 'CN', value: t.commonName, valueTagClass: stringTag(forge, t.commonName) },
  ] as unknown as Forge.pki.CertificateField[];
  cert.setSubject(subject);
  cert.setIssuer(subject); // replaced by the CA's raw subject below for issued certs

  const keyUsage = { name: 'keyUsage', critical: true, digitalSignature: true, keyEncipherment: true } as Record<string, unknown>;
  const exts: Record<string, unknown>[] = [keyUsage];
  if (t.kind === 'ca') {
    Object.assign(keyUsage, { keyCertSign: true, nonRepudiation: true });
    exts.push({ name: 'basicConstraints', critical: true, cA: true, pathLenConstraint: 1 });
    exts.push({ name: 'subjectKeyIdentifier' });
  } else {
    exts.push(t.kind === 'node' ? { name: 'extKeyUsage', serverAuth: true, clientAuth: true } : { name: 'extKeyUsage', clientAuth: true });
  }
  let parts: TbsParts | undefined;
  if (issuer.cert) {
    parts = caParts(forge, issuer.cert);
    if (parts.subjectKeyId) exts.push({ name: 'authorityKeyIdentifier', keyIdentifier: parts.subjectKeyId });
  }
  const altNames = [...(t.dns ?? []).map((value) => ({ type: 2, value })), ...(t.ip ?? []).map((ip) => ({ type: 7, ip }))];
  if (altNames.length > 0) exts.push({ name: 'subjectAltName', altNames });
  cert.setExtensions(exts);

  const oid = forge.pki.oids.sha256WithRSAEncryption;
  const c = cert as unknown as { signatureOid: string; siginfo: { algorithmOid: string }; md: unknown; tbsCertificate: Forge.asn1.Asn1; signature: string };
  c.signatureOid = oid;
  c.siginfo.algorithmOid = oid;
  c.md = forge.md.sha256.create();
  const tbs = (forge.pki as unknown as { getTBSCertificate(c: Forge.pki.Certificate): Forge.asn1.Asn1 }).getTBSCertificate(cert);
  if (parts) (tbs.value as Forge.asn1.Asn1[])[3] = parts.subject; // [0] version, serial, sigAlg, issuer
  c.tbsCertificate = tbs;
  const tbsDer = Buffer.from(forge.asn1.toDer(tbs).getBytes(), 'binary');
  c.signature = sign('sha256', tbsDer, issuer.key).toString('binary');
  const der = Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary');
  return toPem('CERTIFICATE', der);
}
