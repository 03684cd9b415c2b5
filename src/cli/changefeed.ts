import { UserError, quoteInput } from '../core/errors';
import { parseTimeout } from '../core/pki/duration';
import { BuildResult, SinkSpec, buildChangefeed } from '../core/changefeed/build';
import { LiveResult, liveCheck } from '../core/changefeed/live';
import { readPemFile } from '../core/changefeed/material';
import { sinkSpecFromUrl } from '../core/changefeed/spec';
import { ChangefeedOption, parseOption } from '../core/changefeed/sql';
import { SinkFinding } from '../core/changefeed/types';
import { parseArgs } from './args';
import { commandHelp } from './help';
import { flagSpec } from './spec';
import type { Io } from './io';

export const CHANGEFEED_USAGE = commandHelp('changefeed-uri');

export interface ChangefeedIo extends Io {
  read?: (path: string) => Buffer;
  now?: Date;
}

/** How many problems one error line names; the rest are counted (10,000 bad parameters still make one short line). */
const MAX_PROBLEMS = 3;

function oneLine(findings: SinkFinding[]): string {
  const shown = findings
    .slice(0, MAX_PROBLEMS)
    .map((f) => f.message.replace(/\s*\n\s*/g, ' '))
    .join(' ');
  const rest = findings.length - MAX_PROBLEMS;
  return rest > 0 ? `${shown} (and ${rest} more problem${rest === 1 ? '' : 's'}: run with --json for all)` : shown;
}

function specFrom(url: string, flag: string): SinkSpec {
  const { spec, findings } = sinkSpecFromUrl(url);
  const errors = findings.filter((f) => f.severity === 'error');
  if (!spec || errors.length) throw new UserError(`${flag}: ${oneLine(errors)}`);
  return spec;
}

function printText(io: Io, r: BuildResult, live: LiveResult | undefined): void {
  io.out(`${r.uri}\n`);
  if (r.registryUri && r.sql.length === 0) io.out(`${r.registryUri}\n`);
  if (r.sql.length) io.out(`\n${r.sql.join('\n')}\n`);
  const notes: string[] = [];
  for (const c of r.certs) {
    notes.push(
      `-- ${c.param}${c.index > 0 ? ` #${c.index}` : ''}: ${c.subject}, issued by ${c.issuer}, expires ${c.notAfter.slice(0, 10)} (${c.daysLeft} d left)`,
    );
  }
  if (r.key) notes.push(`-- client_key: ${r.key.description}, matches client_cert`);
  for (const w of r.warnings) notes.push(`-- ${w.severity} ${w.code}: ${w.message}`);
  if (live) notes.push(`-- live check (${live.category}): ${live.message}`);
  if (notes.length) io.out(`\n${notes.join('\n')}\n`);
}

export async function runChangefeedUri(argv: string[], io: ChangefeedIo): Promise<number> {
  const a = parseArgs(argv, flagSpec('changefeed-uri'), 'changefeed-uri');
  const lists = a.lists;
  if (a.bools.help) {
    io.out(CHANGEFEED_USAGE);
    return 0;
  }
  if (a.positionals.length > 0)
    throw new UserError(`changefeed-uri takes no arguments, got ${quoteInput(a.positionals.join(' '))}: pass the sink with --sink URL.`);
  const v = a.values;
  if (v.sink === undefined) {
    throw new UserError(
      'changefeed-uri: --sink is required: pass --sink kafka://broker:9093, webhook-https://host:port/path or https://registry:8081 (a schema registry); see crdb-tls changefeed-uri --help.',
    );
  }
  // Every flag is read before any file is: a bad --live-timeout is refused first.
  const liveTimeoutMs = v['live-timeout'] !== undefined ? parseTimeout(v['live-timeout'], '--live-timeout', { bare: 'ms' }) : 5000;
  if (v['live-timeout'] !== undefined && !a.bools['check-live'])
    throw new UserError('changefeed-uri: --live-timeout is a limit of --check-live: add --check-live, or leave --live-timeout out.');
  const sink = specFrom(v.sink, '--sink');
  if (sink.type === 'schema-registry' && (lists.table.length > 0 || lists.option.length > 0)) {
    throw new UserError(
      '--sink https://... builds a schema registry URI alone: pass the Kafka sink with --sink and the registry with --schema-registry to write the changefeed.',
    );
  }
  if (v['ca-cert'] !== undefined) sink.caCert = { file: v['ca-cert'] };
  if (v['client-cert'] !== undefined) sink.clientCert = { file: v['client-cert'] };
  if (v['client-key'] !== undefined) sink.clientKey = { file: v['client-key'] };
  if (a.bools['tls-enabled'] !== undefined) sink.tlsEnabled = a.bools['tls-enabled'];
  if (a.bools['insecure-tls-skip-verify'] !== undefined) sink.insecureTlsSkipVerify = a.bools['insecure-tls-skip-verify'];
  if (v['topic-prefix'] !== undefined) sink.topicPrefix = v['topic-prefix'];
  if (v['topic-name'] !== undefined) sink.topicName = v['topic-name'];
  const password = v['sasl-password'] ?? (v['sasl-user'] !== undefined && sink.sasl?.password === undefined ? io.env.CRDB_TLS_SASL_PASSWORD : undefined);
  if (v['sasl-user'] !== undefined || password !== undefined || v['sasl-mechanism'] !== undefined) {
    sink.sasl = {
      ...sink.sasl,
      ...(v['sasl-user'] !== undefined ? { user: v['sasl-user'] } : {}),
      ...(password !== undefined ? { password } : {}),
      ...(v['sasl-mechanism'] !== undefined ? { mechanism: v['sasl-mechanism'] } : {}),
    };
  }

  let schemaRegistry: SinkSpec | undefined;
  if (v['schema-registry'] !== undefined) {
    schemaRegistry = specFrom(v['schema-registry'], '--schema-registry');
    if (schemaRegistry.type !== 'schema-registry')
      throw new UserError("--schema-registry: give the registry's https:// URL, e.g. https://registry.example.com:8081.");
  } else if (['registry-ca-cert', 'registry-client-cert', 'registry-client-key'].some((f) => v[f] !== undefined)) {
    throw new UserError('--registry-ca-cert, --registry-client-cert and --registry-client-key need --schema-registry URL.');
  }
  if (schemaRegistry) {
    if (v['registry-ca-cert'] !== undefined) schemaRegistry.caCert = { file: v['registry-ca-cert'] };
    if (v['registry-client-cert'] !== undefined) schemaRegistry.clientCert = { file: v['registry-client-cert'] };
    if (v['registry-client-key'] !== undefined) schemaRegistry.clientKey = { file: v['registry-client-key'] };
  }

  const options: ChangefeedOption[] | undefined = lists.option.length ? lists.option.map(parseOption) : undefined;
  const result = buildChangefeed({
    sink,
    changefeed: { tables: lists.table, options, externalConnection: v['external-connection'], schemaRegistry },
    now: io.now ?? new Date(),
    read: io.read,
  });

  let live: LiveResult | undefined;
  if (a.bools['check-live'] && result.ok) {
    const read = io.read ?? readPemFile;
    const bytes = (p: SinkSpec['caCert']) => (p?.content !== undefined ? Buffer.from(p.content) : p?.file ? read(p.file) : undefined);
    live = await liveCheck({
      host: sink.host,
      port: sink.port ?? (sink.type === 'kafka' ? 9092 : 443),
      ca: bytes(sink.caCert),
      cert: bytes(sink.clientCert),
      key: bytes(sink.clientKey),
      timeoutMs: liveTimeoutMs,
    });
  }

  if (a.bools.json) {
    io.out(
      JSON.stringify(
        {
          uri: result.ok ? result.uri : null,
          maskedUri: result.ok ? result.maskedUri : null,
          registryUri: result.registryUri ?? null,
          sql: result.sql,
          directSql: result.directSql,
          warnings: result.warnings,
          errors: result.errors,
          certs: result.certs,
          key: result.key ?? null,
          ...(live ? { live } : {}),
        },
        null,
        2,
      ) + '\n',
    );
  } else if (result.ok) {
    printText(io, result, live);
  }
  if (!result.ok) throw new UserError(oneLine(result.errors));
  if (live && live.category !== 'ok') throw new UserError(`live check: ${live.message}`);
  return 0;
}
