/**
 * The builder panel's fields as plain data, and their translation into the core's BuildInput.
 * No VS Code here: the panel, the webview and the in-editor tests share these shapes.
 */
import type { BuildInput, SinkSpec } from '../../core/changefeed/build';
import type { ChangefeedOption } from '../../core/changefeed/sql';
import type { SinkFinding, SinkType } from '../../core/changefeed/types';

/** Every field of the form; certificate fields hold file paths ('' for none). */
export interface BuilderForm {
  sinkType: SinkType;
  host: string;
  port: string;
  path: string;
  tlsEnabled: 'auto' | 'true' | 'false';
  insecureTlsSkipVerify: boolean;
  caCert: string;
  clientCert: string;
  clientKey: string;
  topicPrefix: string;
  topicName: string;
  sasl: boolean;
  saslMechanism: string;
  saslUser: string;
  saslPassword: string;
  registry: boolean;
  registryHost: string;
  registryPort: string;
  registryCaCert: string;
  registryClientCert: string;
  registryClientKey: string;
  /** Comma- or newline-separated table names. */
  tables: string;
  updated: boolean;
  resolved: boolean;
  resolvedInterval: string;
  diff: boolean;
  /** '' leaves format out (CockroachDB's default, json). */
  format: string;
  /** '' writes the direct form (URI inline in CREATE CHANGEFEED). */
  externalConnection: string;
}

export type CertField = 'caCert' | 'clientCert' | 'clientKey' | 'registryCaCert' | 'registryClientCert' | 'registryClientKey';
export const CERT_FIELDS: readonly CertField[] = ['caCert', 'clientCert', 'clientKey', 'registryCaCert', 'registryClientCert', 'registryClientKey'];

export const DEFAULT_FORM: Readonly<BuilderForm> = {
  sinkType: 'kafka',
  host: '',
  port: '9093',
  path: '',
  tlsEnabled: 'auto',
  insecureTlsSkipVerify: false,
  caCert: '',
  clientCert: '',
  clientKey: '',
  topicPrefix: '',
  topicName: '',
  sasl: false,
  saslMechanism: 'SCRAM-SHA-512',
  saslUser: '',
  saslPassword: '',
  registry: false,
  registryHost: '',
  registryPort: '8081',
  registryCaCert: '',
  registryClientCert: '',
  registryClientKey: '',
  tables: '',
  updated: true,
  resolved: true,
  resolvedInterval: '',
  diff: false,
  format: '',
  externalConnection: '',
};

const SINK_TYPES: readonly SinkType[] = ['kafka', 'webhook', 'schema-registry'];

/** Takes the known fields of the right type from a message (anything else is ignored). */
export function mergeForm(base: BuilderForm, input: unknown): BuilderForm {
  const out: BuilderForm = { ...base };
  if (typeof input !== 'object' || input === null) return out;
  const src = input as Record<string, unknown>;
  const target = out as unknown as Record<string, unknown>;
  for (const [k, def] of Object.entries(DEFAULT_FORM)) {
    const v = src[k];
    if (v === undefined || typeof v !== typeof def) continue;
    target[k] = v;
  }
  if (!SINK_TYPES.includes(out.sinkType)) out.sinkType = base.sinkType;
  if (!['auto', 'true', 'false'].includes(out.tlsEnabled)) out.tlsEnabled = base.tlsEnabled;
  return out;
}

/** Splits the tables field on commas and newlines, keeping commas inside "quoted names". */
export function splitTables(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    if (!quoted && (ch === ',' || ch === '\n' || ch === '\r')) {
      out.push(cur);
      cur = '';
      continue;
    }
    cur += ch;
  }
  out.push(cur);
  return out.map((t) => t.trim()).filter(Boolean);
}

function portOf(text: string, what: string, findings: SinkFinding[]): number | undefined {
  const t = text.trim();
  if (!t) return undefined;
  if (/^\d{1,5}$/.test(t)) return Number(t);
  findings.push({
    code: 'sink-port-invalid',
    severity: 'error',
    param: 'port',
    message: `${what} port ${JSON.stringify(t)} is not a port number: use 1 to 65535.`,
  });
  return undefined;
}

const file = (path: string) => (path.trim() ? { file: path.trim() } : undefined);

/** The form as the core's input; `findings` are the form's own problems (a port that is not a number). */
export function buildInputOf(form: BuilderForm): { input: BuildInput; findings: SinkFinding[] } {
  const findings: SinkFinding[] = [];
  const isKafka = form.sinkType === 'kafka';
  const sink: SinkSpec = {
    type: form.sinkType,
    host: form.host.trim(),
    port: portOf(form.port, form.sinkType === 'kafka' ? 'the broker' : 'the server', findings),
    caCert: file(form.caCert),
    clientCert: file(form.clientCert),
    clientKey: file(form.clientKey),
  };
  if (!isKafka && form.path.trim()) sink.path = form.path.trim();
  if (form.insecureTlsSkipVerify) sink.insecureTlsSkipVerify = true;
  if (isKafka) {
    if (form.tlsEnabled !== 'auto') sink.tlsEnabled = form.tlsEnabled === 'true';
    if (form.topicPrefix.trim()) sink.topicPrefix = form.topicPrefix.trim();
    if (form.topicName.trim()) sink.topicName = form.topicName.trim();
    if (form.sasl) {
      sink.sasl = { enabled: true, mechanism: form.saslMechanism || undefined, user: form.saslUser || undefined, password: form.saslPassword || undefined };
    }
  }
  let schemaRegistry: SinkSpec | undefined;
  if (isKafka && form.registry) {
    schemaRegistry = {
      type: 'schema-registry',
      host: form.registryHost.trim(),
      port: portOf(form.registryPort, 'the schema registry', findings),
      caCert: file(form.registryCaCert),
      clientCert: file(form.registryClientCert),
      clientKey: file(form.registryClientKey),
    };
  }
  const options: ChangefeedOption[] = [];
  if (form.updated) options.push({ name: 'updated' });
  if (form.resolved) options.push(form.resolvedInterval.trim() ? { name: 'resolved', value: form.resolvedInterval.trim() } : { name: 'resolved' });
  if (form.diff) options.push({ name: 'diff' });
  if (form.format) options.push({ name: 'format', value: form.format });
  const name = form.externalConnection.trim();
  return {
    input: { sink, changefeed: { tables: splitTables(form.tables), options, externalConnection: name || undefined, schemaRegistry } },
    findings,
  };
}
