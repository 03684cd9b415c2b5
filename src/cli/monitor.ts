import { resolve } from 'node:path';
import { UserError, errMessage, quoteInput, safeMessage } from '../core/errors';
import { commitFiles } from '../core/certsdir/write';
import { monitorCertsDirs } from '../core/fleet/monitor';
import { DEFAULT_WARN_MS, monitorPrometheus, monitorText, parseWarnWindow } from '../core/monitor/report';
import { parseArgs } from './args';
import { commandHelp } from './help';
import { flagSpec } from './spec';
import type { Io } from './io';

export const MONITOR_USAGE = commandHelp('monitor');

export interface MonitorIo extends Io {
  err?: (s: string) => void;
  now?: Date;
}

export async function runMonitor(argv: string[], io: MonitorIo): Promise<number> {
  const err = io.err ?? ((s: string) => void process.stderr.write(s));
  try {
    return run(argv, io);
  } catch (e) {
    // A monitor that could not check is not "fine" nor a mere warning: exit 2, one line on stderr.
    if (!(e instanceof UserError)) throw e;
    err(`crdb-tls: ${safeMessage(errMessage(e))}\n`);
    return 2;
  }
}

function run(argv: string[], io: MonitorIo): number {
  const a = parseArgs(argv, flagSpec('monitor'), 'monitor');
  if (a.bools.help) {
    io.out(MONITOR_USAGE);
    return 0;
  }
  if (a.positionals.length > 0)
    throw new UserError(`monitor takes no arguments, got ${quoteInput(a.positionals.join(' '))}: name each certs dir with --certs-dir D.`);
  const dirs = a.lists['certs-dir'];
  if (dirs.length === 0) {
    if (!io.env.COCKROACH_CERTS_DIR)
      throw new UserError('monitor needs at least one --certs-dir D (or COCKROACH_CERTS_DIR): e.g. crdb-tls monitor --certs-dir /var/lib/cockroach/certs.');
    dirs.push(io.env.COCKROACH_CERTS_DIR);
  }
  const format = a.values.format ?? (a.bools.json ? 'json' : 'text');
  if (!['text', 'json', 'prometheus'].includes(format))
    throw new UserError(`monitor: --format ${quoteInput(format)} is not a format: use text, json or prometheus.`);
  const warnMs = a.values.warn !== undefined ? parseWarnWindow(a.values.warn) : DEFAULT_WARN_MS;
  const report = monitorCertsDirs({
    certsDirs: dirs.map((d) => resolve(d)),
    warnMs,
    now: io.now,
    skipPermissionChecks: process.platform === 'win32' || io.env.COCKROACH_SKIP_KEY_PERMISSION_CHECK === 'true',
    gid: process.getgid?.(),
  });
  const text = format === 'json' ? JSON.stringify(report, null, 2) + '\n' : format === 'prometheus' ? monitorPrometheus(report) : monitorText(report);
  if (a.values.output !== undefined) commitFiles([{ path: resolve(a.values.output), data: text, mode: 0o644 }]);
  else io.out(text);
  return report.exitCode;
}
