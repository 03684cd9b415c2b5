import * as vscode from 'vscode';
import { loadRef } from '../../core/connstr/files';
import { ConnString, Finding, paramValue } from '../../core/connstr/types';
import { certDetails } from '../../core/pki/inspect';
import { daysLeft, spanText } from '../../core/cockroach/expiry';
import { sslVerificationLines } from '../../core/cockroach/sslmode';
import type { LintedConn } from '../../core/connstr/lint';
import { md } from '../certView';
import { LintHover, Span, plainMarkdown } from '../doclint/hover';
import type { DocLint } from './linter';

const SEVERITY_WORD: Record<Finding['severity'], string> = { error: 'Error:', warning: 'Warning:', info: 'Note:' };
const SECRET_KEYS = new Set(['password', 'sslpassword', 'sasl_password']);

/** What the string verifies (core/cockroach/sslmode's one table), then how the client authenticates. */
function verifies(c: ConnString): string[] {
  const out = sslVerificationLines(c, {
    sslmode: paramValue(c, 'sslmode')?.value,
    ssl: paramValue(c, 'ssl')?.value,
    sslrootcert: paramValue(c, 'sslrootcert')?.value,
  });
  const cert = paramValue(c, 'sslcert')?.value;
  const key = paramValue(c, 'sslkey')?.value;
  out.push(
    `Client authentication: ${cert && key ? `certificate ${cert} (CN must be the user${c.user ? ` "${c.user}"` : ''})` : c.password ? 'password (written in the string)' : 'password from the environment or .pgpass, or none'}`,
  );
  return out;
}

/** The hover over a connection string: its parameters, its files' certificates, what it verifies. */
export class ConnHover extends LintHover<DocLint, LintedConn> {
  protected hits(r: DocLint): { span: Span; hit: LintedConn }[] {
    return r.results.map((hit) => ({ span: hit.conn.span, hit }));
  }

  protected markdown(hit: LintedConn, r: DocLint): vscode.MarkdownString {
    const c = hit.conn;
    const m = plainMarkdown();
    m.appendMarkdown(
      `**CockroachDB connection string** (${c.kind === 'kv' ? 'key/value' : c.kind === 'jdbc' ? 'JDBC' : 'URL'}${c.context === 'cockroach-cli' ? ', cockroach CLI' : ''})\n\n`,
    );
    // First what is wrong (the Problems' messages), then what the string verifies, then its parts and files.
    if (hit.findings.length) {
      for (const f of hit.findings) m.appendMarkdown(`- **${SEVERITY_WORD[f.severity]}** ${md(f.message)} (\`${f.code}\`)\n`);
      m.appendMarkdown('\n');
    } else m.appendMarkdown('No problem found.\n\n');
    m.appendMarkdown('**What it verifies**\n\n');
    for (const v of verifies(c)) m.appendMarkdown(`- ${md(v)}\n`);
    m.appendMarkdown('\n');
    const rows: [string, string][] = [];
    if (c.user !== undefined && c.kind === 'url') rows.push(['user', c.user]);
    if (c.password !== undefined && c.kind === 'url') rows.push(['password', '••••••']);
    if (c.hosts.length && c.kind !== 'kv') rows.push(['host', c.hosts.map((h) => `${h.host}${h.port ? `:${h.port}` : ''}`).join(', ')]);
    if (c.database && c.kind !== 'kv') rows.push(['database', c.database]);
    for (const p of c.params) rows.push([p.key, SECRET_KEYS.has(p.key) ? '••••••' : p.value]);
    m.appendMarkdown('| parameter | value |\n|---|---|\n');
    for (const [k, v] of rows) m.appendMarkdown(`| ${md(k)} | ${md(v)} |\n`);
    m.appendMarkdown('\n');
    for (const key of ['sslrootcert', 'sslcert', 'sslkey'] as const) {
      const p = paramValue(c, key);
      if (!p?.value) continue;
      const ref = loadRef(p.value, r.options);
      m.appendMarkdown(`**${key}** ${md(ref.path)}\n\n`);
      if (ref.error) {
        m.appendMarkdown(`- ${md(ref.error === 'missing' ? 'file not found' : ref.error)}\n\n`);
        continue;
      }
      if (key === 'sslkey') {
        m.appendMarkdown(
          `- ${ref.key ? md(`${String(ref.key.asymmetricKeyType).toUpperCase()} private key, mode 0${((ref.stat?.mode ?? 0) & 0o777).toString(8)}`) : 'no private key in this file'}\n\n`,
        );
        continue;
      }
      const now = new Date();
      for (const x of ref.certs.slice(0, 3)) {
        const d = certDetails(x);
        const days = daysLeft(new Date(d.notAfter), now);
        const sans = [...d.sans.dns, ...d.sans.ip].join(', ');
        m.appendMarkdown(`- ${md(d.subjectLine)}${d.isCA ? ' (CA)' : ''}${sans ? ` · SANs ${md(sans)}` : ''}\n`);
        m.appendMarkdown(
          `  issuer ${md(d.issuerLine)} · ${md(days < 0 ? `expired ${spanText(-days)} ago` : `expires ${d.notAfter.slice(0, 10)}, ${spanText(days)} left`)}\n`,
        );
        m.appendMarkdown(`  SHA-256 ${md(d.fingerprintSha256)}\n`);
      }
      if (ref.certs.length > 3) m.appendMarkdown(`- and ${ref.certs.length - 3} more\n`);
      m.appendMarkdown('\n');
    }
    return m;
  }
}
