import { quoteInput } from '../errors';
import { ExpiryThresholds } from '../cockroach/expiry';
import { decodeParam, rawQueryOf } from './decode';
import { encodeFileParam, encodePath, encodeQueryValue } from './encode';
import { LoadedPem, checkCaCert, checkClientPair, loadPem } from './material';
import { ChangefeedOption, KNOWN_OPTIONS, checkConnectionName, createChangefeed, createExternalConnection, tableName } from './sql';
import { CertParam, KAFKA_PASSTHROUGH_PARAMS, KAFKA_STRUCTURED_PARAMS, SASL_MECHANISMS, SECRET_PARAMS, SinkFinding, SinkType } from './types';
import { SCHEME_OF, uriHost, validHost } from './uri';
import type { SinkSpec, BuildInput, BuiltUri, BuildResult } from './buildTypes';
export type { SaslSpec, SinkSpec, ChangefeedSpec, BuildInput, BuiltUri, BuildResult } from './buildTypes';

export const DEFAULT_OPTIONS: ChangefeedOption[] = [{ name: 'updated' }, { name: 'resolved' }];

/** How many unknown parameter names a message lists before it only counts the rest. */
const NAMED_UNKNOWN = 5;

/** One finding for all unknown Kafka parameters, naming the first few: 10,000 of them still make one short line. */
function unknownParamsMessage(keys: string[]): string {
  const named = keys
    .slice(0, NAMED_UNKNOWN)
    .map((k) => quoteInput(k, 30).replace(/^"(.*)"$/, '$1'))
    .join(', ');
  const more = keys.length > NAMED_UNKNOWN ? ` and ${keys.length - NAMED_UNKNOWN} more` : '';
  return `unknown kafka sink query parameter${keys.length === 1 ? '' : 's'} ${named}${more}: CockroachDB refuses the changefeed; remove ${keys.length === 1 ? 'it' : 'them'} or check the spelling.`;
}

const err = (code: string, message: string, param?: string): SinkFinding => ({ code, severity: 'error', message, ...(param ? { param } : {}) });
const warn = (code: string, message: string, param?: string): SinkFinding => ({ code, severity: 'warning', message, ...(param ? { param } : {}) });
const info = (code: string, message: string, param?: string): SinkFinding => ({ code, severity: 'info', message, ...(param ? { param } : {}) });

const SINK_NAMES: Record<SinkType, string> = { kafka: 'Kafka sink', webhook: 'webhook sink', 'schema-registry': 'schema registry' };

function checkAddress(spec: SinkSpec, findings: SinkFinding[]): string {
  const hosts = [{ host: spec.host, port: spec.port }, ...(spec.moreHosts ?? [])];
  const parts: string[] = [];
  for (const h of hosts) {
    const host = (h.host ?? '').trim();
    if (!host) {
      findings.push(
        err(
          'sink-host-missing',
          `the ${SINK_NAMES[spec.type]} needs a host: give the ${spec.type === 'kafka' ? 'broker' : 'server'}'s address, e.g. ${SCHEME_OF[spec.type]}://${spec.type === 'kafka' ? 'broker.example.com:9093' : 'host.example.com'}.`,
        ),
      );
      continue;
    }
    if (!validHost(uriHost(host))) {
      findings.push(
        err(
          'sink-host-invalid',
          `${JSON.stringify(host)} is not a valid host name or IP address: write it without scheme, path or spaces, e.g. broker.example.com.`,
        ),
      );
      continue;
    }
    if (h.port !== undefined && (!Number.isInteger(h.port) || h.port < 1 || h.port > 65535)) {
      findings.push(err('sink-port-invalid', `port ${h.port} of ${host} is not a port number: use 1 to 65535.`));
      continue;
    }
    if (spec.type === 'kafka' && h.port === undefined) {
      findings.push(
        err('sink-port-missing', `Kafka broker ${host} needs a port (CockroachDB dials host:port): e.g. kafka://${uriHost(host)}:9093 for a TLS listener.`),
      );
      continue;
    }
    parts.push(h.port === undefined ? uriHost(host) : `${uriHost(host)}:${h.port}`);
  }
  if (spec.type !== 'kafka' && hosts.length > 1)
    findings.push(err('sink-hosts-multiple', `a ${SINK_NAMES[spec.type]} takes one host; only Kafka takes a list of brokers.`));
  return parts.join(',');
}

function normalizeMechanism(m: string | undefined): string | undefined {
  if (m === undefined || m === '') return undefined;
  const upper = m.toUpperCase();
  return (SASL_MECHANISMS as readonly string[]).includes(upper) ? upper : m;
}

interface Pair {
  key: string;
  value: string;
  /** Encoded value, when not the plain percent-encoding (cert params). */
  encoded: string;
  cert?: boolean;
}

/** Builds one sink URI (Kafka, webhook or schema registry) and runs the checks on what it embeds. */
export function buildSinkUri(spec: SinkSpec, ctx: { now: Date; thresholds?: ExpiryThresholds; read?: (p: string) => Buffer }): BuiltUri {
  const findings: SinkFinding[] = [];
  const address = checkAddress(spec, findings);
  const isKafka = spec.type === 'kafka';

  // Certificates and key: read, parse, cross-check.
  const loaded: Partial<Record<CertParam, LoadedPem>> = {};
  for (const [param, input] of [
    ['ca_cert', spec.caCert],
    ['client_cert', spec.clientCert],
    ['client_key', spec.clientKey],
  ] as const) {
    if (!input) continue;
    const { pem, finding } = loadPem(input, param, ctx.read);
    if (finding) findings.push(finding);
    if (pem) {
      if (pem.bytes.length === 0) findings.push(err('sink-cert-invalid', `${pem.name} is empty: pass the PEM file for ${param}.`, param));
      else loaded[param] = pem;
    }
  }
  const certCtx = { now: ctx.now, thresholds: ctx.thresholds };
  const ca = loaded.ca_cert ? checkCaCert(loaded.ca_cert, certCtx) : undefined;
  const unreadable = (p: CertParam) => findings.some((f) => f.code === 'sink-file-unreadable' && f.param === p);
  const client = loaded.client_cert || loaded.client_key ? checkClientPair(loaded.client_cert, loaded.client_key, certCtx) : undefined;
  if (ca) findings.push(...ca.findings);
  // An unreadable half of the pair is already reported; do not also call it missing.
  if (client)
    findings.push(
      ...client.findings.filter(
        (f) => !(f.code === 'sink-cert-without-key' && unreadable('client_key')) && !(f.code === 'sink-key-without-cert' && unreadable('client_cert')),
      ),
    );

  // TLS (Kafka): ca_cert and client_cert need tls_enabled=true.
  let tlsEnabled = spec.tlsEnabled;
  const wantsTls = !!(spec.caCert || spec.clientCert || spec.clientKey || spec.insecureTlsSkipVerify);
  if (isKafka) {
    if (tlsEnabled === false) {
      for (const p of ['ca_cert', 'client_cert'] as const) {
        if (spec[p === 'ca_cert' ? 'caCert' : 'clientCert'])
          findings.push(
            err(
              'sink-tls-disabled',
              `${p} requires tls_enabled=true, but tls_enabled=false was asked for: turn TLS on (the broker's listener must speak TLS) or leave out ${p}.`,
              p,
            ),
          );
      }
      if (spec.insecureTlsSkipVerify)
        findings.push(warn('sink-skip-verify-no-tls', 'insecure_tls_skip_verify has no effect with tls_enabled=false.', 'insecure_tls_skip_verify'));
    } else if (tlsEnabled === undefined && wantsTls) {
      tlsEnabled = true;
      findings.push(
        info(
          'sink-tls-enabled-auto',
          'added tls_enabled=true: CockroachDB requires it with ca_cert and client_cert (without it the changefeed fails with "ca_cert requires tls_enabled=true").',
          'tls_enabled',
        ),
      );
    }
  } else if (spec.tlsEnabled !== undefined) {
    findings.push(
      err('sink-param-not-for-sink', `tls_enabled is a Kafka parameter: a ${SINK_NAMES[spec.type]} on https always uses TLS; leave it out.`, 'tls_enabled'),
    );
  }
  if (spec.insecureTlsSkipVerify && (tlsEnabled !== false || !isKafka)) {
    findings.push(
      warn(
        'sink-insecure-skip-verify',
        `insecure_tls_skip_verify=true: the changefeed will not verify the ${isKafka ? 'broker' : 'server'}'s certificate, so anyone on the network path can read or alter the feed${spec.caCert ? ', and ca_cert is ignored' : ''}; pass the CA that issued the ${isKafka ? 'broker' : 'server'}'s certificate with ca_cert instead.`,
        'insecure_tls_skip_verify',
      ),
    );
  }

  // SASL (Kafka).
  const sasl = spec.sasl ?? {};
  const saslGiven = !!(sasl.user || sasl.password || sasl.mechanism);
  let saslEnabled = sasl.enabled;
  const mechanism = normalizeMechanism(sasl.mechanism);
  if (!isKafka) {
    if (saslGiven || sasl.enabled)
      findings.push(err('sink-param-not-for-sink', `SASL parameters apply to Kafka sinks only, not to a ${SINK_NAMES[spec.type]}.`, 'sasl_enabled'));
  } else {
    if (saslEnabled === false && saslGiven) {
      const what = sasl.user ? 'sasl_user' : sasl.password ? 'sasl_password' : 'sasl_mechanism';
      findings.push(err('sink-sasl-disabled', `sasl_enabled must be enabled if ${what} is provided: turn SASL on or leave out the SASL settings.`, what));
    } else if (saslEnabled === undefined && saslGiven) {
      saslEnabled = true;
      findings.push(
        info(
          'sink-sasl-enabled-auto',
          'added sasl_enabled=true: CockroachDB refuses SASL settings without it ("sasl_enabled must be enabled if sasl_user is provided").',
          'sasl_enabled',
        ),
      );
    }
    if (saslEnabled) {
      if (!sasl.user) findings.push(err('sink-sasl-user-missing', 'sasl_user must be provided when SASL is enabled: give the SASL user name.', 'sasl_user'));
      if (!sasl.password)
        findings.push(err('sink-sasl-password-missing', 'sasl_password must be provided when SASL is enabled: give the SASL password.', 'sasl_password'));
      if (mechanism !== undefined && !(SASL_MECHANISMS as readonly string[]).includes(mechanism)) {
        findings.push(
          err(
            'sink-sasl-mechanism',
            `sasl_mechanism ${JSON.stringify(mechanism)} is not supported: use one of ${SASL_MECHANISMS.join(', ')}.`,
            'sasl_mechanism',
          ),
        );
      }
      if (!tlsEnabled) {
        findings.push(
          warn(
            'sink-sasl-without-tls',
            `SASL without tls_enabled=true: ${mechanism === undefined || mechanism === 'PLAIN' ? 'the password and ' : ''}the feed travel in clear text; use the broker's TLS listener with tls_enabled=true and ca_cert.`,
            'sasl_enabled',
          ),
        );
      }
    }
  }

  // Topics (Kafka).
  if (!isKafka) {
    for (const [k, v] of [
      ['topic_prefix', spec.topicPrefix],
      ['topic_name', spec.topicName],
    ] as const) {
      if (v !== undefined && v !== '') findings.push(err('sink-param-not-for-sink', `${k} is a Kafka parameter, not one of a ${SINK_NAMES[spec.type]}.`, k));
    }
  }
  if (isKafka && spec.path && spec.path !== '/')
    findings.push(warn('sink-path-ignored', `CockroachDB ignores the path ${JSON.stringify(spec.path)} of a Kafka URI: leave it out.`));
  if (spec.userinfo && isKafka) findings.push(err('sink-param-not-for-sink', 'a Kafka URI takes no user:password@; use sasl_user and sasl_password.'));

  // The query, in a readable order.
  const pairs: Pair[] = [];
  const add = (key: string, value: string) => pairs.push({ key, value, encoded: encodeQueryValue(value) });
  if (isKafka && tlsEnabled !== undefined) add('tls_enabled', String(tlsEnabled));
  if (spec.insecureTlsSkipVerify !== undefined) add('insecure_tls_skip_verify', String(spec.insecureTlsSkipVerify));
  for (const p of ['ca_cert', 'client_cert', 'client_key'] as const) {
    const pem = loaded[p];
    if (pem) pairs.push({ key: p, value: pem.bytes.toString('base64'), encoded: encodeFileParam(pem.bytes), cert: true });
  }
  if (isKafka) {
    if (saslEnabled !== undefined) add('sasl_enabled', String(saslEnabled));
    if (saslEnabled && mechanism) add('sasl_mechanism', mechanism);
    if (sasl.user) add('sasl_user', sasl.user);
    if (sasl.password) add('sasl_password', sasl.password);
    if (spec.topicPrefix) add('topic_prefix', spec.topicPrefix);
    if (spec.topicName) add('topic_name', spec.topicName);
  }
  const seen = new Set(pairs.map((p) => p.key));
  const unknown: string[] = [];
  for (const [k, v] of spec.params ?? []) {
    if (seen.has(k) || (KAFKA_STRUCTURED_PARAMS.has(k) && isKafka)) {
      findings.push(err('sink-param-duplicate', `${quoteInput(k)} is given twice: CockroachDB reads only the first value; set it once.`, k));
      continue;
    }
    if (isKafka && !KAFKA_PASSTHROUGH_PARAMS.has(k)) {
      unknown.push(k);
      continue;
    }
    if (!isKafka && KAFKA_STRUCTURED_PARAMS.has(k)) {
      findings.push(err('sink-param-not-for-sink', `${k} is not a parameter of a ${SINK_NAMES[spec.type]}.`, k));
      continue;
    }
    seen.add(k);
    add(k, v);
  }
  if (unknown.length > 0) findings.push(err('sink-param-unknown', unknownParamsMessage(unknown), unknown[0]));

  let prefix = `${SCHEME_OF[spec.type]}://`;
  let maskedPrefix = prefix;
  if (spec.userinfo && !isKafka) {
    const user = encodeQueryValue(spec.userinfo.user);
    prefix += spec.userinfo.password !== undefined ? `${user}:${encodeQueryValue(spec.userinfo.password)}@` : `${user}@`;
    maskedPrefix += spec.userinfo.password !== undefined ? `${user}:redacted@` : `${user}@`;
  }
  const path = !isKafka && spec.path ? encodePath(spec.path.startsWith('/') ? spec.path : `/${spec.path}`) : '';
  const tail = `${address}${path}`;
  const query = (mask: 'none' | 'secrets' | 'display') =>
    pairs
      .map((p) => {
        let v = p.encoded;
        if (mask !== 'none' && SECRET_PARAMS.has(p.key)) v = 'redacted';
        else if (mask === 'display' && p.cert) v = `<${p.encoded.length} chars>`;
        return `${encodeQueryValue(p.key)}=${v}`;
      })
      .join('&');
  const withQuery = (q: string) => (q ? `?${q}` : '');
  const uri = `${prefix}${tail}${withQuery(query('none'))}`;

  // Right by construction, and checked: CockroachDB's decoding of what we emit gives back the files' bytes.
  const raw = rawQueryOf(uri).query;
  for (const p of ['ca_cert', 'client_cert', 'client_key'] as const) {
    const pem = loaded[p];
    if (!pem) continue;
    const d = decodeParam(raw, p);
    if (!d.ok || !d.bytes.equals(pem.bytes)) throw new Error(`internal error: ${p} does not decode back to the bytes of ${pem.name}`);
  }

  return {
    uri,
    maskedUri: `${maskedPrefix}${tail}${withQuery(query('secrets'))}`,
    displayUri: `${maskedPrefix}${tail}${withQuery(query('display'))}`,
    certs: [...(ca?.certs ?? []), ...(client?.certs ?? [])],
    key: client?.key,
    findings,
  };
}

function hasSecrets(spec: SinkSpec): boolean {
  return !!(spec.clientKey || spec.sasl?.password || spec.userinfo?.password);
}

/** Builds the sink URI, runs every check, and writes the SQL (both forms). */
export function buildChangefeed(input: BuildInput): BuildResult {
  const now = input.now ?? new Date();
  const ctx = { now, thresholds: input.thresholds, read: input.read };
  const built = buildSinkUri(input.sink, ctx);
  const findings = [...built.findings];
  const cf = input.changefeed ?? {};
  const sink = input.sink;

  let registry: BuiltUri | undefined;
  if (cf.schemaRegistry) {
    if (cf.schemaRegistry.type !== 'schema-registry') throw new Error('changefeed.schemaRegistry must be a schema-registry sink spec');
    registry = buildSinkUri(cf.schemaRegistry, ctx);
    findings.push(...registry.findings.map((f) => ({ ...f, message: `schema registry: ${f.message}` })));
  }

  const tables: string[] = [];
  for (const t of cf.tables ?? []) {
    const r = tableName(t);
    if (r.error) findings.push(err('sink-table-invalid', r.error));
    else tables.push(r.sql as string);
  }

  const options: ChangefeedOption[] = [...(cf.options ?? DEFAULT_OPTIONS)];
  const names = new Set<string>();
  for (const o of options) {
    if (!/^[a-z_]+$/.test(o.name))
      findings.push(
        err('sink-option-invalid', `changefeed option ${JSON.stringify(o.name)} is not an option name: write e.g. updated, resolved=10s or format=avro.`),
      );
    else if (!KNOWN_OPTIONS.has(o.name))
      findings.push(warn('sink-option-unknown', `changefeed option ${o.name} is not one CockroachDB documents: check its spelling.`));
    if (names.has(o.name)) findings.push(err('sink-option-duplicate', `changefeed option ${o.name} is given twice: give it once.`));
    names.add(o.name);
  }
  const format = options.find((o) => o.name === 'format');
  const regOption = options.find((o) => o.name === 'confluent_schema_registry');
  if (registry) {
    if (regOption) findings.push(err('sink-option-duplicate', 'confluent_schema_registry is given as an option and as a schema registry: give it once.'));
    if (!format) {
      options.push({ name: 'format', value: 'avro' });
      findings.push(info('sink-format-avro-auto', "added format = 'avro': the schema registry is used for Avro only."));
    } else if (format.value !== 'avro')
      findings.push(
        err(
          'sink-registry-without-avro',
          `a schema registry is used with format = 'avro', not format = '${format.value ?? ''}': set format=avro or leave out the registry.`,
        ),
      );
  }
  if (format?.value === 'avro') {
    if (sink.type === 'webhook') findings.push(err('sink-format-unsupported', 'a webhook sink takes format=json or csv, not avro: use a Kafka sink for Avro.'));
    else if (sink.type === 'kafka' && !registry && !regOption?.value)
      findings.push(
        err('sink-avro-registry-missing', "WITH option format=avro requires option confluent_schema_registry: give the schema registry's https:// URI."),
      );
  }

  const name = cf.externalConnection;
  if (name !== undefined) {
    const e = checkConnectionName(name);
    if (e) findings.push(err('sink-connection-name', e));
  }

  const errors = findings.filter((f) => f.severity === 'error');
  const warnings = findings.filter((f) => f.severity !== 'error');
  const ok = errors.length === 0;

  const directOptions = registry ? [...options, { name: 'confluent_schema_registry', value: registry.uri }] : options;
  const directSql = ok && tables.length > 0 && sink.type !== 'schema-registry' ? [createChangefeed(tables, built.uri, directOptions)] : [];
  let sql = directSql;
  if (ok && name !== undefined) {
    const regName = `${name}_registry`;
    const extOptions = registry ? [...options, { name: 'confluent_schema_registry', value: `external://${regName}` }] : options;
    sql = [createExternalConnection(name, built.uri)];
    if (registry) sql.push(createExternalConnection(regName, registry.uri));
    if (tables.length > 0 && sink.type !== 'schema-registry') sql.push(createChangefeed(tables, `external://${name}`, extOptions));
  } else if (ok && directSql.length > 0 && (hasSecrets(sink) || (cf.schemaRegistry && hasSecrets(cf.schemaRegistry)))) {
    warnings.push(
      warn(
        'sink-keys-in-statement',
        "the CREATE CHANGEFEED statement embeds a private key or password, which then travels with every copy of the statement (scripts, shell history, logs): create an external connection once and use INTO 'external://<name>'.",
      ),
    );
  }

  return {
    ok,
    uri: built.uri,
    maskedUri: built.maskedUri,
    displayUri: built.displayUri,
    registryUri: registry?.uri,
    registryDisplayUri: registry?.displayUri,
    registryCerts: registry?.certs,
    registryKey: registry?.key,
    sql,
    directSql,
    warnings,
    errors,
    certs: [...built.certs, ...(registry?.certs ?? [])],
    key: built.key,
  };
}
