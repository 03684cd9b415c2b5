/**
 * `crdb-tls monitor`: the state of certs dirs for cron, systemd timers and CI, from plain data (the
 * loader's view, gathered by fleet/monitor.ts), as text, JSON or the Prometheus text format that
 * node_exporter's textfile collector reads. Exit codes: 0 fine, 1 something expires within the
 * warning window, 2 something has expired (or is not yet valid) or the loader would reject a file.
 */
import { UserError, quoteInput } from '../errors';
import { Usage } from '../cockroach/layout';
import { daysLeft } from '../cockroach/expiry';
import { expirationMetricName, expirationMetricSource } from '../cockroach/metrics';

const DAY_MS = 86_400_000;
/** --warn without a value: 30 days, CockroachDB's "rotate now" threshold for node and client certificates. */
export const DEFAULT_WARN_MS = 30 * DAY_MS;
const MAX_WARN_MS = 100 * 366 * DAY_MS;

/** "30d", "2w", "720h", "90m" or a bare number of days: the warning window in milliseconds. */
export function parseWarnWindow(text: string, flag = '--warn'): number {
  const m = /^(\d+(?:\.\d+)?)(d|w|h|m|s)?$/.exec(text.trim());
  const unit: Record<string, number> = { w: 7 * DAY_MS, d: DAY_MS, h: 3_600_000, m: 60_000, s: 1000 };
  const ms = m ? Number(m[1]) * unit[m[2] ?? 'd'] : NaN;
  if (!Number.isFinite(ms) || ms <= 0 || ms > MAX_WARN_MS)
    throw new UserError(
      `${flag} ${quoteInput(text)} is not a warning window: use a number of days like 30d (or 2w, 720h), more than zero and at most 100 years.`,
    );
  return ms;
}

export type MonitorState = 'ok' | 'warning' | 'expired' | 'error';

/** One certificate file as the loader sees it (its first certificate: the one CockroachDB reports). */
export interface MonitorInputFile {
  usage: Usage;
  file: string;
  /** Client certificates: the user from the file name. */
  user?: string;
  serial?: string;
  notBefore?: string;
  notAfter?: string;
  /** What the loader (or our checks) would reject, each a sentence naming the file and the fix. */
  errors: string[];
  /** The loader skips the file for its name (ca.old.crt): it is no certificate of the node, so it has no expiry sample. */
  skipped?: boolean;
}

export interface MonitorInputDir {
  certsDir: string;
  files: MonitorInputFile[];
  /** The dir itself could not be read. */
  error?: string;
}

export interface MonitoredCert extends MonitorInputFile {
  certsDir: string;
  state: MonitorState;
  daysLeft?: number;
}

export interface MonitorReport {
  checkedAt: string;
  warnSeconds: number;
  /** The worst state of all. */
  state: MonitorState;
  exitCode: 0 | 1 | 2;
  /** loaderErrors: the files of the dir the loader would reject or skip, plus 1 when the dir itself cannot be read. */
  certsDirs: { certsDir: string; loaderErrors: number; error?: string }[];
  certificates: MonitoredCert[];
}

function stateOf(f: MonitorInputFile, now: Date, warnMs: number): MonitorState {
  if (f.errors.length > 0 || !f.notAfter || !f.notBefore) return 'error';
  const end = Date.parse(f.notAfter);
  if (now.getTime() > end || now.getTime() < Date.parse(f.notBefore)) return 'expired';
  return end - now.getTime() < warnMs ? 'warning' : 'ok';
}

const RANK: Record<MonitorState, 0 | 1 | 2> = { ok: 0, warning: 1, expired: 2, error: 2 };
/** Worse states last: the report's state is the worst one. */
const ORDER: MonitorState[] = ['ok', 'warning', 'expired', 'error'];

export function monitorReport(dirs: MonitorInputDir[], now: Date, warnMs = DEFAULT_WARN_MS): MonitorReport {
  const certificates: MonitoredCert[] = dirs.flatMap((d) =>
    d.files.map((f) => ({
      ...f,
      certsDir: d.certsDir,
      state: stateOf(f, now, warnMs),
      ...(f.notAfter ? { daysLeft: daysLeft(new Date(f.notAfter), now) } : {}),
    })),
  );
  const dirErrors = dirs.filter((d) => d.error).length;
  const worst = certificates.reduce((w, c) => (ORDER.indexOf(c.state) > ORDER.indexOf(w) ? c.state : w), 'ok' as MonitorState);
  const state: MonitorState = dirErrors > 0 ? 'error' : worst;
  return {
    checkedAt: now.toISOString(),
    warnSeconds: Math.round(warnMs / 1000),
    state,
    exitCode: RANK[state],
    certsDirs: dirs.map((d) => ({
      certsDir: d.certsDir,
      loaderErrors: d.files.filter((f) => stateOf(f, now, warnMs) === 'error').length + (d.error ? 1 : 0),
      ...(d.error ? { error: d.error } : {}),
    })),
    certificates,
  };
}

/** Text for a person or a cron mail: one line per certificate that needs attention, then a summary. */
export function monitorText(r: MonitorReport): string {
  const lines: string[] = [];
  for (const d of r.certsDirs) if (d.error) lines.push(`ERROR   ${d.error}`);
  for (const c of r.certificates) {
    const where = `${c.certsDir}/${c.file}`;
    const when =
      c.daysLeft === undefined ? '' : c.daysLeft < 0 ? ` expired ${-c.daysLeft} d ago (${c.notAfter})` : ` expires in ${c.daysLeft} d (${c.notAfter})`;
    if (c.state === 'error') for (const e of c.errors.length ? c.errors : ['it holds no readable certificate']) lines.push(`ERROR   ${where}: ${e}`);
    else if (c.state === 'expired')
      lines.push(
        `EXPIRED ${where} (${c.usage})${when || ' is not valid now'}${c.notBefore && Date.parse(c.notBefore) > Date.parse(r.checkedAt) ? ` (valid only from ${c.notBefore})` : ''}`,
      );
    else if (c.state === 'warning') lines.push(`WARNING ${where} (${c.usage})${when}`);
    else lines.push(`ok      ${where} (${c.usage})${when}`);
  }
  const n = (s: MonitorState) => r.certificates.filter((c) => c.state === s).length;
  // The same count as the loader_errors metric: rejected files, and a dir that cannot be read.
  const rejected = r.certsDirs.reduce((k, d) => k + d.loaderErrors, 0);
  lines.push(
    `${r.state === 'ok' ? 'OK' : r.state === 'warning' ? 'WARNING' : 'CRITICAL'}: ${r.certificates.length} certificate${r.certificates.length === 1 ? '' : 's'} in ${r.certsDirs.length} certs dir${r.certsDirs.length === 1 ? '' : 's'}; ` +
      `${n('expired')} expired, ${rejected} rejected by the loader, ${n('warning')} expiring within ${Math.round(r.warnSeconds / 86400)} d (exit ${r.exitCode}).`,
  );
  return lines.join('\n') + '\n';
}

/** A label value in the text exposition format: backslash, double quote and newline escaped. */
function label(v: string): string {
  return `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

const LOADER_ERRORS = 'crdb_tls_certs_dir_loader_errors';
const WARN_WINDOW = 'crdb_tls_monitor_warn_window_seconds';
const CHECKED_AT = 'crdb_tls_monitor_last_run_timestamp_seconds';

/**
 * The Prometheus text format (version 0.0.4): one gauge family per CockroachDB expiry metric, a
 * sample per certificate (Unix seconds of NotAfter; 0, as CockroachDB reports, when it cannot be
 * read or is rejected), labelled certs_dir, usage, file and, for client certificates, user; a file
 * the loader skips for its name has no sample (it counts in the loader errors); then the loader
 * errors per certs dir, the warning window and the time of the check.
 */
export function monitorPrometheus(r: MonitorReport): string {
  const families = new Map<string, { help: string; samples: string[] }>();
  for (const c of r.certificates) {
    const name = c.skipped ? undefined : expirationMetricName(c.usage, c.user);
    if (!name) continue;
    let fam = families.get(name);
    if (!fam) {
      fam = {
        help: `Expiration of the ${c.usage === 'Client' && c.user === 'node' ? "node's client" : c.usage} certificate, Unix seconds (CockroachDB's ${expirationMetricSource(c.usage, c.user)}); 0 when it cannot be read.`,
        samples: [],
      };
      families.set(name, fam);
    }
    const labels = [
      `certs_dir=${label(c.certsDir)}`,
      `usage=${label(c.usage)}`,
      `file=${label(c.file)}`,
      ...(c.user !== undefined ? [`user=${label(c.user)}`] : []),
    ];
    const value = c.notAfter && c.errors.length === 0 ? Math.floor(Date.parse(c.notAfter) / 1000) : 0;
    fam.samples.push(`${name}{${labels.join(',')}} ${value}`);
  }
  const out: string[] = [];
  for (const [name, fam] of families) out.push(`# HELP ${name} ${fam.help}`, `# TYPE ${name} gauge`, ...fam.samples);
  out.push(`# HELP ${LOADER_ERRORS} Files of the certs dir CockroachDB's loader would reject (and the dir itself when it cannot be read).`);
  out.push(`# TYPE ${LOADER_ERRORS} gauge`);
  for (const d of r.certsDirs) out.push(`${LOADER_ERRORS}{certs_dir=${label(d.certsDir)}} ${d.loaderErrors}`);
  out.push(`# HELP ${WARN_WINDOW} The warning window of crdb-tls monitor (--warn).`, `# TYPE ${WARN_WINDOW} gauge`, `${WARN_WINDOW} ${r.warnSeconds}`);
  out.push(
    `# HELP ${CHECKED_AT} When crdb-tls monitor last ran, Unix seconds.`,
    `# TYPE ${CHECKED_AT} gauge`,
    `${CHECKED_AT} ${Math.floor(Date.parse(r.checkedAt) / 1000)}`,
  );
  return out.join('\n') + '\n';
}
