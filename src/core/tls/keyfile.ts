import { X509Certificate } from 'node:crypto';
import { Stats } from 'node:fs';
import { errMessage } from '../errors';
import { keyMatchesCert, parsePrivateKey } from '../pki/keys';
import { certInfo } from '../pki/certinfo';
import { splitPem } from '../pki/pem';
import { cockroachKeyModeProblem, libpqKeyModeProblem, octalMode } from '../cockroach/keymode';

/** What a key file holds and whether the clients and CockroachDB accept it. */
export interface KeyFileInfo {
  path: string;
  ok: boolean;
  /** RSA, EC, ED25519, ... */
  type?: string;
  bits?: number;
  curve?: string;
  /** "PKCS#1 PEM (RSA PRIVATE KEY)", "PKCS#8 PEM", "SEC1 PEM (EC PRIVATE KEY)", "PKCS#8 DER (.pk8, for JDBC)". */
  format?: string;
  /** Why the file cannot be used as a key. */
  problem?: string;
  mode?: string;
  /** libpq's rule for sslkey (psql, psycopg): at most 0600, 0640 when owned by root (cockroach/keymode.ts). */
  libpqPermissions?: { ok: boolean; reason?: string };
  /** cockroach's rule for keys in its certs dir: at most 0700, 0740 when owned by root and the process's group. */
  cockroachPermissions?: { ok: boolean; reason?: string };
  /** Whether the key belongs to the certificate given. */
  cert?: { path: string; subject: string; matches: boolean };
}

export function isKeyContent(content: Buffer): boolean {
  const blocks = splitPem(content.toString('latin1'));
  if (blocks.some((b) => /PRIVATE KEY$/.test(b.type))) return true;
  if (blocks.length > 0 || content.length === 0 || content[0] !== 0x30) return false;
  try {
    parsePrivateKey(content, 'key', 'der');
    return true;
  } catch {
    return false;
  }
}

export interface KeyFileInput {
  path: string;
  content: Buffer;
  stat?: Pick<Stats, 'mode' | 'uid' | 'gid' | 'isFile'>;
  /** The effective uid of the client, for libpq's rule (undefined: no POSIX modes, as on Windows). */
  euid?: number;
  /** The group of the cockroach process, for its 0740 allowance (undefined: unknown, 0700 applies). */
  gid?: number;
  cert?: { path: string; cert: X509Certificate };
}

export function describeKeyFile(i: KeyFileInput): KeyFileInfo {
  const out: KeyFileInfo = { path: i.path, ok: false };
  if (i.stat) {
    out.mode = octalMode(i.stat.mode);
    const libpq = libpqKeyModeProblem(i.path, i.stat, i.euid);
    out.libpqPermissions = libpq ? { ok: false, reason: `${libpq.message}: run "${libpq.fix}"` } : { ok: true };
    const cockroach = cockroachKeyModeProblem(i.path, i.stat, i.gid);
    out.cockroachPermissions = cockroach ? { ok: false, reason: cockroach } : { ok: true };
  }
  const blocks = splitPem(i.content.toString('latin1'));
  const keyBlock = blocks.find((b) => /PRIVATE KEY$/.test(b.type));
  out.format = keyBlock
    ? keyBlock.type === 'RSA PRIVATE KEY'
      ? 'PKCS#1 PEM (RSA PRIVATE KEY)'
      : keyBlock.type === 'EC PRIVATE KEY'
        ? 'SEC1 PEM (EC PRIVATE KEY)'
        : keyBlock.type === 'ENCRYPTED PRIVATE KEY'
          ? 'encrypted PKCS#8 PEM'
          : 'PKCS#8 PEM'
    : 'PKCS#8 DER (.pk8, what JDBC reads)';
  try {
    const key = parsePrivateKey(keyBlock ? i.content.toString('latin1') : i.content, i.path, keyBlock ? 'pem' : 'der');
    const d = key.asymmetricKeyDetails;
    out.type = String(key.asymmetricKeyType).toUpperCase();
    if (d?.modulusLength) out.bits = d.modulusLength;
    if (d?.namedCurve) out.curve = d.namedCurve;
    out.ok = true;
    if (i.cert) {
      let matches = false;
      try {
        matches = keyMatchesCert(key, i.cert.cert);
      } catch {
        matches = false;
      }
      out.cert = { path: i.cert.path, subject: certInfo(i.cert.cert).subjectLine, matches };
      if (!matches) out.ok = false;
    }
  } catch (err) {
    out.problem = errMessage(err);
  }
  return out;
}

export function keyFileText(k: KeyFileInfo): string {
  const lines = [`Key file: ${k.path}`];
  if (k.problem) lines.push(`Problem: ${k.problem}`);
  if (k.type) lines.push(`Type: ${k.type}${k.bits ? ` ${k.bits} bits` : ''}${k.curve ? ` ${k.curve}` : ''}`);
  if (k.format) lines.push(`Format: ${k.format}`);
  if (k.mode) lines.push(`Mode: ${k.mode}`);
  if (k.libpqPermissions)
    lines.push(`libpq (psql, psycopg): ${k.libpqPermissions.ok ? 'accepts its permissions' : `refuses it: ${k.libpqPermissions.reason}`}`);
  if (k.cockroachPermissions)
    lines.push(`cockroach (certs dir): ${k.cockroachPermissions.ok ? 'accepts its permissions' : `refuses it: ${k.cockroachPermissions.reason}`}`);
  if (k.cert)
    lines.push(
      k.cert.matches
        ? `Matches ${k.cert.path} (${k.cert.subject})`
        : `Does NOT match ${k.cert.path} (${k.cert.subject}): pair the certificate with the key issued with it`,
    );
  return lines.join('\n') + '\n';
}
