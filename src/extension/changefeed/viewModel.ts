/**
 * The builder's view model: form state and the core's build result in, what the webview shows
 * out. Pure (no VS Code): panel.ts only reads files, runs commands and posts messages, and the
 * unit tests drive this module directly.
 */
import { spanText } from '../../core/cockroach/expiry';
import type { BuildInput, BuildResult } from '../../core/changefeed/build';
import type { CertSummary } from '../../core/changefeed/material';
import type { SinkFinding, SinkType } from '../../core/changefeed/types';
import { isCaUsage } from '../../core/cockroach/layout';
import type { CertEntry } from '../../core/certsdir/list';
import { errMessage } from '../../core/errors';
import { BuilderForm, CertField, buildInputOf, mergeForm } from './form';
import type { BuilderView, CertChoice, ViewCert, ViewFinding, ViewLive } from './protocol';

/** The clusters of the tree, as much of them as the builder needs. */
export interface ClusterCerts {
  cluster: { name: string };
  entries: readonly CertEntry[];
}

const PARAM_FIELD: Record<string, [CertField, CertField]> = {
  ca_cert: ['caCert', 'registryCaCert'],
  client_cert: ['clientCert', 'registryClientCert'],
  client_key: ['clientKey', 'registryClientKey'],
};
/** What each picker is called in dialogs. */
export const PICKER_LABEL: Record<CertField, string> = {
  caCert: 'ca_cert',
  clientCert: 'client_cert',
  clientKey: 'client_key',
  registryCaCert: 'schema registry ca_cert',
  registryClientCert: 'schema registry client_cert',
  registryClientKey: 'schema registry client_key',
};
const REGISTRY_PREFIX = 'schema registry: ';
/** Kafka's TLS listener by convention; https (443) for a webhook; the Confluent registry's 8081. */
export const DEFAULT_PORT: Record<SinkType, string> = { kafka: '9093', webhook: '', 'schema-registry': '8081' };

const CLIENT_KEY_FIELD: Partial<Record<CertField, CertField>> = { clientCert: 'clientKey', registryClientCert: 'registryClientKey' };

/** The key the tree lists next to a certificate file, if any. */
export function keyOfCert(clusters: readonly ClusterCerts[], certPath: string): string | undefined {
  return clusters.flatMap((s) => s.entries).find((e) => e.certPath === certPath && e.keyPath)?.keyPath ?? undefined;
}

/** A client certificate picked from the tree brings its key along (unless another key was chosen). */
export function pairKeys(before: BuilderForm, after: BuilderForm, clusters: readonly ClusterCerts[]): { form: BuilderForm; changed: boolean } {
  let form = after;
  let changed = false;
  for (const f of ['clientCert', 'registryClientCert'] as const) {
    const kf = CLIENT_KEY_FIELD[f] as CertField;
    if (form[f] === before[f]) continue;
    const key = keyOfCert(clusters, form[f]);
    const oldKey = keyOfCert(clusters, before[f]);
    if (key && (form[kf] === '' || form[kf] === oldKey)) {
      form = { ...form, [kf]: key };
      changed = true;
    }
  }
  return { form, changed };
}

/**
 * The form after the webview reported a change. `changed`: the extension changed fields too
 * (a paired key, a port following the sink type), so the fields must be sent back.
 */
export function applyChange(before: BuilderForm, change: unknown, clusters: readonly ClusterCerts[]): { form: BuilderForm; changed: boolean } {
  let { form, changed } = pairKeys(before, mergeForm(before, change), clusters);
  // Another sink type: an untouched default port follows it.
  if (form.sinkType !== before.sinkType && form.port === DEFAULT_PORT[before.sinkType]) {
    form = { ...form, port: DEFAULT_PORT[form.sinkType] };
    changed = true;
  }
  return { form, changed };
}

/** The form after a file was chosen for a picker (Browse…). */
export function applyPicked(before: BuilderForm, field: CertField, path: string, clusters: readonly ClusterCerts[]): BuilderForm {
  return pairKeys(before, { ...before, [field]: path }, clusters).form;
}

/** The certificates and keys of the tree's clusters, offered in the pickers (each file once). */
export function choicesOf(clusters: readonly ClusterCerts[]): BuilderView['choices'] {
  const ca: CertChoice[] = [];
  const client: CertChoice[] = [];
  const key: CertChoice[] = [];
  const seen = new Set<string>();
  const add = (list: CertChoice[], path: string, label: string, description: string) => {
    if (seen.has(path)) return;
    seen.add(path);
    list.push({ path, label, description });
  };
  for (const s of clusters) {
    for (const e of s.entries) {
      if (isCaUsage(e.usage)) add(ca, e.certPath, `${s.cluster.name}: ${e.certFile}`, e.usage);
      else if (e.usage === 'Client' || e.usage === 'Tenant Client') {
        add(client, e.certPath, `${s.cluster.name}: ${e.certFile}`, `${e.usage}${e.name ? ` ${e.name}` : ''}`);
        if (e.keyPath && e.keyFile) add(key, e.keyPath, `${s.cluster.name}: ${e.keyFile}`, `key of ${e.certFile}`);
      }
    }
  }
  return { ca, client, key };
}

function certLine(c: CertSummary): ViewCert['line'] {
  const expiry =
    c.daysLeft < 0 ? `expired ${spanText(-c.daysLeft)} ago (${c.notAfter.slice(0, 10)})` : `expires ${c.notAfter.slice(0, 10)} (${spanText(c.daysLeft)} left)`;
  return `${c.index > 0 ? `#${c.index} ` : ''}${c.subject}${c.isCA ? ' (CA)' : ''} · issued by ${c.issuer} · ${expiry}`;
}

/** Everything the view shows besides the build. */
export interface ViewContext {
  form: BuilderForm;
  clusters: readonly ClusterCerts[];
  trusted: boolean;
  /** Where Insert SQL goes: the last editor's file name, or undefined for a new SQL document. */
  insertTarget: string | undefined;
  live?: ViewLive;
}

/** The view for a build result (undefined: the build failed) and the form's own findings. */
export function viewOf(r: BuildResult | undefined, own: SinkFinding[], ctx: ViewContext): BuilderView {
  // A port that is not a number is reported once, not also as a missing port.
  const badPort = own.some((f) => f.code === 'sink-port-invalid');
  const all = [...own, ...(r?.errors ?? []), ...(r?.warnings ?? [])].filter((f) => !(badPort && f.code === 'sink-port-missing'));
  const findings: ViewFinding[] = all.map((f) => {
    const registry = f.message.startsWith(REGISTRY_PREFIX);
    const field = f.param && PARAM_FIELD[f.param] ? PARAM_FIELD[f.param][registry ? 1 : 0] : undefined;
    return { severity: f.severity, code: f.code, message: f.message, ...(field ? { field } : {}) };
  });
  const certs: ViewCert[] = [];
  if (r) {
    const regCount = r.registryCerts?.length ?? 0;
    const sinkCerts = r.certs.slice(0, r.certs.length - regCount);
    const fieldOf = (param: string, registry: boolean) => PARAM_FIELD[param][registry ? 1 : 0];
    const push = (c: CertSummary, registry: boolean) =>
      certs.push({
        field: fieldOf(c.param, registry),
        param: c.param,
        line: certLine(c),
        ...(c.daysLeft < 0
          ? { severity: 'error' as const }
          : findings.some((f) => f.code === 'sink-cert-expiring' && f.field === fieldOf(c.param, registry))
            ? { severity: 'warning' as const }
            : {}),
      });
    sinkCerts.forEach((c) => push(c, false));
    (r.registryCerts ?? []).forEach((c) => push(c, true));
    const keyLine = (registry: boolean, d: string) => {
      const field = registry ? 'registryClientKey' : 'clientKey';
      const mismatch = findings.some((f) => f.code === 'sink-key-mismatch' && f.field === field);
      certs.push({
        field,
        param: 'client_key',
        line: `${d}${mismatch ? ', does not match client_cert' : ', matches client_cert'}`,
        ...(mismatch ? { severity: 'error' as const } : {}),
      });
    };
    if (r.key) keyLine(false, r.key.description);
    if (r.registryKey) keyLine(true, r.registryKey.description);
  }
  const show = (s: string) => {
    if (!r) return s;
    let t = s.split(r.uri).join(r.displayUri);
    if (r.registryUri && r.registryDisplayUri) t = t.split(r.registryUri).join(r.registryDisplayUri);
    return t;
  };
  const ok = !!r && r.ok && own.every((f) => f.severity !== 'error');
  const sql = ok && r ? r.sql.map(show) : [];
  let sqlHint: string | undefined;
  if (sql.length === 0) {
    if (!ok) sqlHint = 'Fix the errors to get the SQL.';
    else if (ctx.form.sinkType === 'schema-registry')
      sqlHint = 'A schema registry URI alone: name an external connection to get CREATE EXTERNAL CONNECTION, or add the registry to a Kafka sink.';
    else sqlHint = 'Add a table to get CREATE CHANGEFEED.';
  }
  return {
    ok,
    displayUri: r?.displayUri ?? '',
    maskedUri: r?.maskedUri ?? '',
    sql,
    sqlForm: sql.length === 0 ? 'none' : ctx.form.externalConnection.trim() ? 'external' : 'direct',
    ...(sqlHint ? { sqlHint } : {}),
    findings,
    certs,
    choices: choicesOf(ctx.clusters),
    trusted: ctx.trusted,
    insertTarget: ctx.insertTarget ?? 'a new SQL document',
    ...(ctx.live ? { live: ctx.live } : {}),
  };
}

/** The core's builder (core/changefeed/build, which the panel loads on first use). */
export type BuildFn = (input: BuildInput) => BuildResult;

/** Builds the form with the core and makes its view; a failure of the builder itself is one finding. */
export function computeView(
  build: BuildFn,
  ctx: ViewContext,
  env: Pick<BuildInput, 'now' | 'thresholds' | 'read'>,
): { view: BuilderView; result?: BuildResult; error?: string } {
  const { input, findings: own } = buildInputOf(ctx.form);
  let result: BuildResult;
  try {
    result = build({ ...input, ...env });
  } catch (err) {
    const error = errMessage(err);
    return { view: viewOf(undefined, [{ code: 'sink-internal', severity: 'error', message: error }], ctx), error };
  }
  return { view: viewOf(result, own, ctx), result };
}

/** What Copy SQL, Copy URI and Insert SQL take: the real text (secrets included), or why there is none yet. */
export function outgoing(
  r: BuildResult | undefined,
  view: BuilderView | undefined,
  what: 'sql' | 'uri',
  verb: 'copy' | 'insert',
): { text: string; statements: number } | { warning: string } {
  if (!r || !view?.ok) return { warning: `Nothing to ${verb} yet: fix the errors listed in the builder first.` };
  if (what === 'uri') return { text: r.uri, statements: 0 };
  if (r.sql.length === 0) return { warning: view.sqlHint ?? 'No SQL yet.' };
  return { text: r.sql.join('\n'), statements: r.sql.length };
}

/** Where Live Check connects: host and port from the form, or the sentence saying what is missing. */
export function liveTarget(form: BuilderForm): { host: string; port: number; target: string; problem?: string } {
  const registryOnly = form.sinkType === 'schema-registry';
  const host = form.host.trim().replace(/^\[|\]$/g, '');
  const portText = form.port.trim() || (form.sinkType === 'kafka' ? '' : '443');
  const port = Number(portText);
  const target = `${host.includes(':') ? `[${host}]` : host || '?'}:${portText || '?'}`;
  if (!host || !/^\d{1,5}$/.test(portText) || port < 1 || port > 65535) {
    return { host, port, target, problem: `Give the ${registryOnly ? 'registry' : form.sinkType === 'kafka' ? 'broker' : 'server'}'s host and port first.` };
  }
  return { host, port, target };
}
