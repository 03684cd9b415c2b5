import { CertDetails } from '../pki/inspect';
import { formatMs } from './cancel';
import { ProbeResult, ProbedCert, sansText } from './probe';
import { CertSummary, TestConnectionResult } from './testConnection';

/** Plain-text renderings shared by the CLI and the editor's result documents. */

function timings(t: Record<string, number | undefined>, labels: Record<string, string>): string {
  return Object.entries(labels)
    .filter(([k]) => t[k] !== undefined)
    .map(([k, label]) => `${label} ${formatMs(t[k] as number)}`)
    .join(', ');
}

function certLines(c: ProbedCert | CertDetails, i: number): string[] {
  const inCa = 'inCaFile' in c && c.inCaFile ? ' (in the CA file)' : '';
  const validity = 'validity' in c && c.validity !== 'valid' ? ` (${c.validity.toUpperCase()})` : '';
  return [
    `    ${i}: ${c.subjectLine}${inCa}`,
    `       SANs: ${sansText(c)}`,
    `       Issuer: ${c.issuerLine}`,
    `       Valid: ${c.notBefore} to ${c.notAfter}${validity}`,
    `       Serial: ${c.serial}`,
    `       SHA-256: ${c.fingerprintSha256}`,
  ];
}

export function probeText(r: ProbeResult): string {
  const out = [`Probe of ${r.host}:${r.port}${r.address && r.address !== r.host ? ` (${r.address})` : ''}`];
  if (r.sslResponse === 'S') out.push("  SSLRequest: answered 'S': the server accepts TLS");
  else if (r.sslResponse === 'N') out.push("  SSLRequest: answered 'N': the server does NOT accept TLS");
  else if (r.sslResponse) out.push(`  SSLRequest: answered ${r.sslResponse} (hex): not a PostgreSQL/CockroachDB answer`);
  if (r.protocol) out.push(`  TLS: ${r.protocol}, ${r.cipher?.standardName ?? r.cipher?.name ?? '?'}${r.servername ? `, SNI ${r.servername}` : ''}`);
  if (r.chain.length) {
    out.push('  Server certificate chain:');
    r.chain.forEach((c, i) => out.push(...certLines(c, i)));
  }
  if (r.verification) {
    out.push(
      r.verification.ok
        ? `  CA: verified by ${r.verification.against}`
        : `  CA: NOT verified by ${r.verification.against}: ${r.verification.code}: ${r.verification.reason ?? ''}`.trimEnd(),
    );
  }
  if (r.hostname)
    out.push(
      r.hostname.ok
        ? `  Host name: ${r.hostname.name} matches the certificate`
        : `  Host name: ${r.hostname.name} does NOT match: ${r.hostname.reason ?? ''}`.trimEnd(),
    );
  if (r.error) out.push(`  Error (${r.error.category}): ${r.error.message}`);
  out.push(
    `  Timings: ${timings(r.timings, { dnsMs: 'dns', connectMs: 'connect', sslResponseMs: 'SSLRequest answered', handshakeMs: 'handshake done', totalMs: 'total' })} (from the start)`,
  );
  return out.join('\n') + '\n';
}

function chainLines(chain: CertSummary[]): string[] {
  return chain.flatMap((c, i) => [
    `    ${i}: ${c.subject}`,
    `       SANs: ${c.sans}; issuer: ${c.issuer}`,
    `       valid ${c.notBefore} to ${c.notAfter}, serial ${c.serial}`,
  ]);
}

export function testConnectionText(r: TestConnectionResult): string {
  const d = r.details;
  const out = [r.ok ? 'OK' : `FAILED: ${r.category}`, `Cause: ${r.cause}`, `Fix: ${r.fix}`];
  if (d.host)
    out.push(
      `Target: ${d.host}:${d.port} as ${d.user}${d.database ? `, database ${d.database}` : ''}, sslmode=${d.sslmode ?? '?'}${d.sslmodeSource === 'default' ? ' (default)' : ''}`,
    );
  for (const f of d.files)
    out.push(
      `File: ${f.param} ${f.path}: ${f.status}${f.what ? `, ${f.what}` : ''}${f.mode ? `, mode ${f.mode}` : ''}${f.source === 'default' ? ' (libpq default)' : ''}`,
    );
  if (d.protocol) out.push(`TLS: ${d.protocol}, ${d.cipher ?? '?'}`);
  if (d.serverChain?.length) out.push('Server certificate chain:', ...chainLines(d.serverChain));
  if (d.probe?.verification && !d.probe.verification.ok) out.push(`Probe: CA ${d.probe.verification.code}: ${d.probe.verification.reason ?? ''}`);
  if (d.probe?.hostname && !d.probe.hostname.ok) out.push(`Probe: ${d.probe.hostname.reason}`);
  if (d.error) out.push(`Driver error: ${d.error.message}${d.error.code ? ` (${d.error.code})` : ''}`);
  out.push(`Timings: ${timings(d.timings, { dnsMs: 'dns', connectMs: 'connect', tlsMs: 'TLS', authMs: 'login', queryMs: 'SELECT 1', totalMs: 'total' })}`);
  for (const n of d.notes) out.push(`Note: ${n}`);
  return out.join('\n') + '\n';
}
