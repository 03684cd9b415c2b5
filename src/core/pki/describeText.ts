import { Usage, isCaUsage } from '../cockroach/layout';
import { DescribedCert } from './describeTypes';

/** Text for describe.ts: the openssl-like document (`openssl x509 -text` fields plus status, checks and chain). */

const DAY_MS = 86_400_000;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "Nov 27 03:45:26 2026 GMT", as openssl prints validity dates. */
export function opensslDate(d: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} ${d.getUTCFullYear()} GMT`;
}

export function certText(c: DescribedCert, total: number, usage: Usage): string[] {
  const out: string[] = [];
  let title = `Certificate ${c.index + 1} of ${total}`;
  if (isCaUsage(usage)) title += c.index === 0 ? ' (signs new certificates)' : ' (still trusted; no longer signs)';
  else if (total > 1) title += c.index === 0 ? " (this file's own certificate)" : ' (sent along as part of its chain)';
  out.push(title);
  if (c.problem) out.push(`    Problem: ${c.problem}`);
  const serial = c.serialText;
  out.push(`    Version: ${c.version} (0x${(c.version - 1).toString(16)})`);
  out.push(serial.includes('(0x') ? `    Serial Number: ${serial}` : `    Serial Number:\n        ${serial}`);
  out.push(`    Signature Algorithm: ${c.signatureAlgorithm}`);
  out.push(`    Issuer: ${c.issuer}`);
  out.push('    Validity');
  out.push(`        Not Before: ${opensslDate(new Date(c.notBefore))} (${c.notBefore})`);
  out.push(`        Not After : ${opensslDate(new Date(c.notAfter))} (${c.notAfter})`);
  out.push(`    Subject: ${c.subject}`);
  out.push('    Subject Public Key Info:');
  const k = c.publicKey;
  out.push(`        Public Key Algorithm: ${k.algorithm}`);
  if (k.bits) out.push(`            Public-Key: (${k.bits} bit)`);
  if (k.exponent !== undefined) out.push(`            Exponent: ${k.exponent} (0x${k.exponent.toString(16)})`);
  if (k.curve) out.push(`            ASN1 OID: ${k.curve}`);
  if (k.nistCurve) out.push(`            NIST CURVE: ${k.nistCurve}`);
  if (c.extensions.length > 0) {
    out.push('    X509v3 extensions:');
    for (const e of c.extensions) {
      out.push(`        ${e.name}:${e.critical ? ' critical' : ''}`);
      for (const l of e.lines) out.push(`            ${l}`);
    }
  }
  out.push(`    SHA-256 Fingerprint: ${c.fingerprintSha256}`);
  out.push(
    `    Status: ${c.statusText}${c.status === 'expiring' ? ' — plan its rotation' : c.status === 'expired' ? ' — TLS handshakes with it fail; reissue it' : c.status === 'not-yet-valid' ? ` — valid from ${c.notBefore}; check this machine's clock` : ''}`,
  );
  out.push(`    Lifetime used: ${c.lifetimeUsedPercent}% (${Math.round((Date.parse(c.notAfter) - Date.parse(c.notBefore)) / DAY_MS)} days in all)`);
  if (c.checks.length > 0) {
    out.push('    For CockroachDB:');
    for (const ch of c.checks) out.push(`        [${ch.ok ? 'ok' : 'problem'}] ${ch.text}`);
  }
  return out;
}

function asOf(now: Date): string {
  return `As of: ${now.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** The first lines of the document: the file and its CockroachDB role. */
export function headLines(path: string, role: string): string[] {
  return [`Certificate file: ${path}`, `CockroachDB role: ${role}`];
}

/** The document for a file that could not be read as certificates. */
export function failText(head: string[], now: Date, problem: string): string {
  return [...head, asOf(now), '', `Problem: ${problem}`, ''].join('\n');
}

export interface DocumentInput {
  head: string[];
  /** What the role means to CockroachDB, one line each. */
  meaning: string[];
  usage: Usage;
  now: Date;
  problems: string[];
  certs: DescribedCert[];
  /** The CA file the chain was checked against, and how many certificates it holds. */
  ca?: { path: string; certCount: number };
}

/** The whole document for a file read as certificates. */
export function documentText(d: DocumentInput): string {
  const { head, meaning, usage, now, problems, certs, ca } = d;
  const lines = [...head];
  lines.push(...meaning.map((l) => `  ${l}`));
  lines.push(
    certs.length === 1
      ? 'Holds 1 certificate.'
      : `Holds ${certs.length} certificates${isCaUsage(usage) ? ': CockroachDB signs new certificates with the first and trusts all of them.' : ": the first is the file's own, the rest its chain."}`,
  );
  lines.push(asOf(now));
  for (const p of problems) lines.push(`Problem: ${p}`);
  for (const c of certs) lines.push('', ...certText(c, certs.length, usage));
  lines.push('', ca ? `Chain (against ${ca.path}${ca.certCount ? `, ${ca.certCount} certificate${ca.certCount > 1 ? 's' : ''}` : ''})` : 'Chain');
  for (const c of certs) lines.push(`    Certificate ${c.index + 1}${c.commonName !== undefined ? ` (CN = ${c.commonName})` : ''}: ${c.chain.text}`);
  return lines.join('\n') + '\n';
}
