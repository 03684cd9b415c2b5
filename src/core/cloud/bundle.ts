/**
 * Client CA bundles: what may be uploaded (PEM, only CA certificates, no private key, none expired),
 * what a bundle holds (subject, issuer, validity, expiry status, fingerprint), and the bundle that
 * add, remove and set produce. The Cloud API stores one PEM text; the spec has no append mode.
 */
import { X509Certificate } from 'node:crypto';
import { UserError, quoteInput } from '../errors';
import { readInputBytes } from '../input';
import { DEFAULT_THRESHOLDS, ExpiryStatus, daysLeft, expiryStatus, statusText } from '../cockroach/expiry';
import { splitPem, toPem } from '../pki/pem';
import { parseCertificate } from '../pki/x509';
import { certInfo } from '../pki/certinfo';

/** An upload is refused when a CA has expired, and warned about with fewer days left than this (the guidance's "rotate now" line). */
export const UPLOAD_WARNING_DAYS = DEFAULT_THRESHOLDS.leafErrorDays;

/** One CA of a bundle, as the front ends show it (plain data). */
export interface CaEntry {
  subject: string;
  issuer: string;
  notBefore: string;
  notAfter: string;
  status: ExpiryStatus;
  daysLeft: number;
  /** "ok (3650 d left)", "expired (3 d ago)". */
  statusText: string;
  /** Colon hex, uppercase: the id `remove --fingerprint` takes. */
  fingerprintSha256: string;
  isCA: boolean;
}

/** The certificates of a bundle and its canonical PEM (each certificate re-encoded, in order). */
export interface CaBundle {
  certs: X509Certificate[];
  pem: string;
}

export function caEntry(cert: X509Certificate, now: Date): CaEntry {
  const i = certInfo(cert);
  const days = daysLeft(i.notAfter, now);
  const status = expiryStatus('Client CA', i.notBefore, i.notAfter, now);
  return {
    subject: i.subjectLine,
    issuer: i.issuerLine,
    notBefore: i.notBefore.toISOString(),
    notAfter: i.notAfter.toISOString(),
    status,
    daysLeft: days,
    statusText: statusText(status, days),
    fingerprintSha256: i.fingerprintSha256,
    isCA: i.isCA,
  };
}

export function bundleOf(certs: X509Certificate[]): CaBundle {
  return { certs, pem: certs.map((c) => toPem('CERTIFICATE', c.raw)).join('') };
}

/** The certificates of a bundle the API returned (blocks that do not parse are skipped: the server's text is not ours to refuse). */
export function parseApiBundle(pem: string | undefined): CaBundle {
  const certs: X509Certificate[] = [];
  for (const b of splitPem(pem ?? '')) {
    if (b.type !== 'CERTIFICATE') continue;
    try {
      certs.push(parseCertificate(b.der));
    } catch {
      // not a certificate we can read; shown as missing from the list
    }
  }
  return bundleOf(certs);
}

/** "AB:CD:..." from "abcd...", "AB:CD:..." or "SHA256:ab:cd..."; undefined when it is not 32 bytes of hex. */
export function normalizeFingerprint(text: string): string | undefined {
  const hex = text
    .trim()
    .replace(/^sha-?256[:=]?/i, '')
    .replace(/[:\s]/g, '')
    .toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex)) return undefined;
  return hex.match(/../g)!.join(':');
}

export interface CaFileCheck extends CaBundle {
  warnings: string[];
}

/**
 * The guards on a file to upload, each a one-line UserError naming the file and the fix: PEM,
 * no private key, only certificates, each a CA (basicConstraints CA:TRUE), none expired. A CA
 * with fewer than UPLOAD_WARNING_DAYS left, or not yet valid, is a warning.
 */
export interface CaCheckOptions {
  flag?: string;
  /** remove --cert-file: the file names CAs to drop, so an expired one is fine. */
  allowExpired?: boolean;
}

export function checkCaText(text: string, file: string, now: Date, o: CaCheckOptions = {}): CaFileCheck {
  const flag = o.flag ?? '--cert-file';
  if (/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(text))
    throw new UserError(
      `${file} (${flag}) holds a private key: a client CA upload is the CA certificate alone; pass the CA's .crt file (e.g. ca-client.crt), never its key.`,
      file,
    );
  const blocks = splitPem(text);
  if (blocks.length === 0)
    throw new UserError(
      `${file} (${flag}) holds no PEM certificate: pass the CA certificate in PEM ("-----BEGIN CERTIFICATE-----"), e.g. ca-client.crt.`,
      file,
    );
  const certs: X509Certificate[] = [];
  const warnings: string[] = [];
  blocks.forEach((b, i) => {
    const which = blocks.length === 1 ? `the certificate in ${file}` : `certificate ${i + 1} of ${blocks.length} in ${file}`;
    if (b.type !== 'CERTIFICATE')
      throw new UserError(`block ${i + 1} in ${file} (${flag}) is ${quoteInput(b.type)}, not CERTIFICATE: pass a file that holds only CA certificates.`, file);
    let cert: X509Certificate;
    try {
      cert = parseCertificate(b.der);
    } catch (err) {
      throw new UserError(`${which} (${flag}) is ${(err as Error).message}: pass a valid PEM CA certificate.`, file);
    }
    const e = caEntry(cert, now);
    if (!cert.ca)
      throw new UserError(
        `${which} (${flag}, ${e.subject}) is not a CA certificate (basicConstraints CA:FALSE or missing): upload the CA that signs your client certificates (e.g. ca-client.crt), not a client certificate.`,
        file,
      );
    if (e.status === 'expired' && !o.allowExpired)
      throw new UserError(
        `${which} (${flag}, ${e.subject}) expired on ${e.notAfter}: create a new client CA (crdb-tls cert create-client-ca) and upload that, or drop the expired one from the file.`,
        file,
      );
    if (e.status === 'not-yet-valid') warnings.push(`${which} (${e.subject}) is not valid before ${e.notBefore}: check the clock of the machine that made it.`);
    else if (e.daysLeft < UPLOAD_WARNING_DAYS && !o.allowExpired)
      warnings.push(
        `${which} (${e.subject}) expires in ${e.daysLeft} d (${e.notAfter}): plan its rotation now (crdb-tls cert create-client-ca, then client-ca add).`,
      );
    if (certs.some((c) => c.fingerprint256 === cert.fingerprint256)) return; // the same CA twice: once is enough
    certs.push(cert);
  });
  return { ...bundleOf(certs), warnings };
}

/** checkCaText on a file read the safe way (regular files only, size cap). */
export function readCaFile(file: string, now: Date, o: CaCheckOptions = {}): CaFileCheck {
  const data = readInputBytes(file, { what: `the CA certificate file (${o.flag ?? '--cert-file'})` });
  return checkCaText(data.toString('latin1'), file, now, o);
}

export function hasCert(certs: readonly X509Certificate[], c: X509Certificate): boolean {
  return certs.some((x) => x.fingerprint256 === c.fingerprint256);
}

/** The CAs of a saved or returned bundle, as entries (history, show). */
export function parseBundleEntries(pem: string | undefined, now: Date): CaEntry[] {
  return parseApiBundle(pem).certs.map((c) => caEntry(c, now));
}
