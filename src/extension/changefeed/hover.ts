import { spanText } from '../../core/cockroach/expiry';
import * as vscode from 'vscode';
import type { SinkUriCheck } from '../../core/changefeed/inText';
import { CERT_PARAMS, SECRET_PARAMS } from '../../core/changefeed/types';
import { md } from '../certView';
import { LintHover, Span, plainMarkdown } from '../doclint/hover';
import type { DocSinks } from './linter';

const TYPE_NAME = { kafka: 'Kafka', webhook: 'webhook', 'schema-registry': 'Confluent schema registry' } as const;
const CONTEXT_NAME = { 'create-changefeed': 'in CREATE CHANGEFEED', 'create-external-connection': 'in CREATE EXTERNAL CONNECTION', other: '' } as const;

function expiry(notAfter: string, daysLeft: number): string {
  return daysLeft < 0 ? `**expired** ${spanText(-daysLeft)} ago (${notAfter.slice(0, 10)})` : `expires ${notAfter.slice(0, 10)}, ${spanText(daysLeft)} left`;
}

/** The hover's Markdown: parameters (secrets hidden), the embedded certificates decoded as CockroachDB decodes them. */
export function sinkHoverMarkdown(c: SinkUriCheck): vscode.MarkdownString {
  const { found, parsed, findings } = c;
  const m = plainMarkdown();
  const where = CONTEXT_NAME[found.context];
  m.appendMarkdown(`**Changefeed sink URI** (${TYPE_NAME[found.type]}${where ? `, ${where}` : ''})\n\n`);
  const rows: [string, string][] = [];
  if (parsed.hosts.length)
    rows.push([
      parsed.hosts.length > 1 ? 'hosts' : 'host',
      parsed.hosts.map((h) => `${h.host}${h.port ? `:${h.port}` : h.badPort ? `:${h.badPort}` : ''}`).join(', '),
    ]);
  if (parsed.path && parsed.path !== '/') rows.push(['path', parsed.path]);
  const certParams = new Set<string>(CERT_PARAMS);
  for (const p of parsed.params) {
    const key = p.key ?? p.rawKey;
    let value: string;
    if (p.error) value = `not decodable: ${p.error}`;
    else if (key === 'client_key') value = `•••••• (${p.rawValue.length} chars)`;
    else if (SECRET_PARAMS.has(key)) value = '••••••';
    else if (certParams.has(key)) value = `base64 PEM, ${p.rawValue.length} chars`;
    else value = p.value ?? '';
    rows.push([key, value]);
  }
  if (rows.length) {
    m.appendMarkdown('| parameter | value |\n|---|---|\n');
    for (const [k, v] of rows) m.appendMarkdown(`| ${md(k)} | ${md(v)} |\n`);
    m.appendMarkdown('\n');
  }
  for (const param of ['ca_cert', 'client_cert'] as const) {
    const certs = parsed.certs.filter((x) => x.param === param);
    if (!certs.length) continue;
    m.appendMarkdown(`**${param}** (decoded)\n\n`);
    for (const x of certs.slice(0, 3)) {
      m.appendMarkdown(`- ${md(x.subject)}${x.isCA ? ' (CA)' : ''} · ${expiry(x.notAfter, x.daysLeft)}\n`);
      m.appendMarkdown(`  issuer ${md(x.issuer)}${x.extKeyUsage.length ? ` · ${md(x.extKeyUsage.join(', '))}` : ''}\n`);
      m.appendMarkdown(`  SHA-256 ${md(x.fingerprintSha256)}\n`);
    }
    if (certs.length > 3) m.appendMarkdown(`- and ${certs.length - 3} more\n`);
    m.appendMarkdown('\n');
  }
  if (parsed.key) {
    const mismatch = parsed.findings.some((f) => f.code === 'sink-key-mismatch');
    m.appendMarkdown(
      `**client_key** (decoded): ${md(parsed.key.description)}${parsed.certs.some((x) => x.param === 'client_cert') ? (mismatch ? ', **not** the key of client_cert' : ', matches client_cert') : ''}\n\n`,
    );
  }
  const undecoded = CERT_PARAMS.filter(
    (p) => parsed.params.some((x) => x.key === p) && !parsed.certs.some((x) => x.param === p) && !(p === 'client_key' && parsed.key),
  );
  if (undecoded.length)
    m.appendMarkdown(`${undecoded.map((p) => `\`${p}\``).join(', ')}: CockroachDB cannot decode ${undecoded.length > 1 ? 'them' : 'it'} (see Problems).\n\n`);
  if (findings.length) m.appendMarkdown(`${findings.length} finding${findings.length > 1 ? 's' : ''}: see Problems.`);
  return m;
}

/** The hover over a changefeed sink URI in any file. */
export class SinkHover extends LintHover<DocSinks, SinkUriCheck> {
  protected hits(r: DocSinks): { span: Span; hit: SinkUriCheck }[] {
    return r.checks.map((hit) => ({ span: hit.found.span, hit }));
  }

  protected markdown(hit: SinkUriCheck): vscode.MarkdownString {
    return sinkHoverMarkdown(hit);
  }
}
