import { KeyObject, X509Certificate } from 'node:crypto';
import { daysLeft } from '../cockroach/expiry';
import { Usage } from '../cockroach/layout';
import { errnoCode, errMessage } from '../errors';
import { InputFileError, readInputBytes } from '../input';
import { certInfo } from '../pki/certinfo';
import { parseCertFile } from '../pki/inspect';
import { describeKey, keyMatchesCert, parsePrivateKey } from '../pki/keys';
import { alertFor } from '../monitor/expiry';
import { ExpiryThresholds, DEFAULT_THRESHOLDS } from '../cockroach/expiry';
import { CertParam, SinkFinding } from './types';

/** A PEM file for a sink parameter: a path to read, or contents (from the editor, a decoded URI). */
export interface PemInput {
  file?: string;
  content?: Buffer | string;
  /** How messages name it when there is no file (e.g. "the client_cert value"). */
  label?: string;
}

export interface LoadedPem {
  name: string;
  bytes: Buffer;
}

/** Plain data about an embedded certificate, for hovers, the panel and --json. */
export interface CertSummary {
  param: CertParam;
  index: number;
  subject: string;
  issuer: string;
  notBefore: string;
  notAfter: string;
  daysLeft: number;
  isCA: boolean;
  extKeyUsage: string[];
  fingerprintSha256: string;
}

export interface KeySummary {
  param: 'client_key';
  description: string;
}

export interface CheckContext {
  now: Date;
  thresholds?: ExpiryThresholds;
}

const READ_REASONS: Record<string, string> = { ENOENT: 'no such file', EACCES: 'permission denied', EISDIR: 'is a directory' };

/** A certificate or key file as sink parameters take it: a regular file within the PEM cap (never a FIFO or device). */
export function readPemFile(path: string): Buffer {
  return readInputBytes(path);
}

/** Reads a PEM input; a file that cannot be read is a finding naming the file and the fix. */
export function loadPem(input: PemInput, param: CertParam, read: (p: string) => Buffer = readPemFile): { pem?: LoadedPem; finding?: SinkFinding } {
  if (input.content !== undefined) {
    const bytes = Buffer.isBuffer(input.content) ? input.content : Buffer.from(input.content, 'utf8');
    return { pem: { name: input.label ?? input.file ?? `the ${param} value`, bytes } };
  }
  if (!input.file) return {};
  try {
    return { pem: { name: input.file, bytes: read(input.file) } };
  } catch (err) {
    const code = errnoCode(err);
    if (err instanceof InputFileError && (err.problem === 'not-regular' || err.problem === 'too-large')) {
      return {
        finding: {
          code: 'sink-file-unreadable',
          severity: 'error',
          param,
          message: `cannot read ${input.file} for ${param}: it ${err.detail}; pass the PEM file itself.`,
        },
      };
    }
    const reason = code && READ_REASONS[code] ? `${READ_REASONS[code]} (${code})` : err instanceof InputFileError ? err.detail : errMessage(err);
    return {
      finding: { code: 'sink-file-unreadable', severity: 'error', param, message: `cannot read ${input.file} for ${param}: ${reason}; check the path.` },
    };
  }
}

export function summarize(cert: X509Certificate, param: CertParam, index: number, now: Date): CertSummary {
  const f = certInfo(cert);
  return {
    param,
    index,
    subject: f.subjectLine,
    issuer: f.issuerLine,
    notBefore: f.notBefore.toISOString(),
    notAfter: f.notAfter.toISOString(),
    daysLeft: daysLeft(f.notAfter, now),
    isCA: f.isCA,
    extKeyUsage: [...f.extKeyUsage],
    fingerprintSha256: f.fingerprintSha256,
  };
}

/** Expired and not-yet-valid are errors (the handshake fails); under the alert thresholds, a warning. */
function expiryFindings(cert: X509Certificate, usage: Usage, label: string, param: CertParam, ctx: CheckContext): SinkFinding[] {
  const { notBefore, notAfter, fingerprintSha256 } = certInfo(cert);
  if (ctx.now.getTime() < notBefore.getTime()) {
    return [
      {
        code: 'sink-cert-not-yet-valid',
        severity: 'error',
        param,
        message: `${label} is not valid until ${notBefore.toISOString()}: check the clock of the machine that issued it, or issue it again.`,
      },
    ];
  }
  const alert = alertFor({ id: fingerprintSha256, usage, label, notAfter }, ctx.now, ctx.thresholds ?? DEFAULT_THRESHOLDS);
  if (!alert) return [];
  if (alert.threshold === 'expired') return [{ code: 'sink-cert-expired', severity: 'error', param, message: alert.message }];
  return [{ code: 'sink-cert-expiring', severity: 'warning', param, message: alert.message }];
}

function parseCerts(pem: LoadedPem, param: CertParam, fix: string): { certs?: X509Certificate[]; finding?: SinkFinding } {
  const text = pem.bytes.toString('latin1');
  if (!/-----BEGIN /.test(text)) {
    return {
      finding: { code: 'sink-cert-invalid', severity: 'error', param, message: `${pem.name} is not PEM (no "-----BEGIN CERTIFICATE-----" block): ${fix}` },
    };
  }
  const parsed = parseCertFile(pem.bytes, pem.name);
  if (!parsed.ok) return { finding: { code: 'sink-cert-invalid', severity: 'error', param, message: parsed.error } };
  return { certs: parsed.certs };
}

export interface CaCheck {
  certs: CertSummary[];
  findings: SinkFinding[];
}

/** ca_cert: PEM certificates, each a CA (a leaf here is a mistake), none expired. */
export function checkCaCert(pem: LoadedPem, ctx: CheckContext): CaCheck {
  const param = 'ca_cert';
  const { certs, finding } = parseCerts(pem, param, "pass the PEM file of the CA that issued the server's certificate (e.g. ca.crt).");
  if (!certs) return { certs: [], findings: [finding as SinkFinding] };
  const findings: SinkFinding[] = [];
  certs.forEach((c, i) => {
    const which = certs.length > 1 ? `certificate #${i} in ${pem.name}` : pem.name;
    if (!certInfo(c).isCA) {
      findings.push({
        code: 'sink-ca-not-ca',
        severity: 'error',
        param,
        message: `${which} is not a CA certificate (subject ${certInfo(c).subjectLine}, issued by ${certInfo(c).issuerLine}): pass the CA certificate that issued the server's certificate (e.g. ca.crt), not a node or client certificate.`,
      });
    }
    findings.push(...expiryFindings(c, 'CA', `${which} (CA ${certInfo(c).subjectLine})`, param, ctx));
  });
  return { certs: certs.map((c, i) => summarize(c, param, i, ctx.now)), findings };
}

export interface ClientCheck {
  certs: CertSummary[];
  key?: KeySummary;
  findings: SinkFinding[];
}

/** client_cert and client_key: both parse, the key is the certificate's, it may authenticate clients, it is valid now. */
export function checkClientPair(cert: LoadedPem | undefined, key: LoadedPem | undefined, ctx: CheckContext): ClientCheck {
  const out: ClientCheck = { certs: [], findings: [] };
  let leaf: X509Certificate | undefined;
  let keyObj: KeyObject | undefined;
  if (cert) {
    const param = 'client_cert';
    const { certs, finding } = parseCerts(cert, param, 'pass the client certificate file (e.g. client.<user>.crt).');
    if (finding) out.findings.push(finding);
    if (certs) {
      leaf = certs[0];
      out.certs = certs.map((c, i) => summarize(c, param, i, ctx.now));
      const eku = certInfo(leaf).extKeyUsage;
      if (eku.length > 0 && !eku.includes('clientAuth') && !eku.includes('2.5.29.37.0')) {
        out.findings.push({
          code: 'sink-cert-no-client-auth',
          severity: 'error',
          param,
          message: `${cert.name} may not be used for client authentication (extended key usage: ${eku.join(', ')}): issue a client certificate (e.g. crdb-tls cert create-client <user>) or one with clientAuth.`,
        });
      }
      out.findings.push(...expiryFindings(leaf, 'Client', `${cert.name} (${certInfo(leaf).subjectLine})`, param, ctx));
    }
  }
  if (key) {
    try {
      keyObj = parsePrivateKey(key.bytes, key.name);
      out.key = { param: 'client_key', description: describeKey(keyObj) };
    } catch (err) {
      out.findings.push({ code: 'sink-key-invalid', severity: 'error', param: 'client_key', message: errMessage(err) });
    }
  }
  if (cert && key && leaf && keyObj && !keyMatchesCert(keyObj, leaf)) {
    out.findings.push({
      code: 'sink-key-mismatch',
      severity: 'error',
      param: 'client_key',
      message: `${key.name} is not the private key of ${cert.name} (${certInfo(leaf).subjectLine}): pass the key file issued with that certificate (client.<user>.key beside client.<user>.crt).`,
    });
  }
  if (cert && !key) {
    out.findings.push({
      code: 'sink-cert-without-key',
      severity: 'error',
      param: 'client_cert',
      message: `client_cert requires client_key to be set: pass the key of ${cert.name} too.`,
    });
  }
  if (key && !cert) {
    out.findings.push({
      code: 'sink-key-without-cert',
      severity: 'error',
      param: 'client_key',
      message: `client_key requires client_cert to be set: pass the certificate that belongs to ${key.name} too.`,
    });
  }
  return out;
}
