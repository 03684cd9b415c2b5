/** What `crdb-tls monitor` reads: each certs dir as CockroachDB's loader sees it (listCertsDir), as the monitor report's plain data. */
import { resolve } from 'node:path';
import { UserError, errMessage } from '../errors';
import { roleFromFilename } from '../cockroach/layout';
import { listCertsDir } from '../certsdir/list';
import { MonitorInputDir, MonitorReport, monitorReport } from '../monitor/report';

export interface MonitorOptions {
  certsDirs: string[];
  /** The warning window (--warn); default 30 days. */
  warnMs?: number;
  now?: Date;
  skipPermissionChecks?: boolean;
  gid?: number;
}

/** Reads every certs dir once (the same dir named twice is one: no duplicate series); a dir that cannot be read is a loader error of the report, not a throw. */
export function monitorCertsDirs(o: MonitorOptions): MonitorReport {
  const now = o.now ?? new Date();
  const dirs: MonitorInputDir[] = [...new Set(o.certsDirs.map((d) => resolve(d)))].map((certsDir) => {
    try {
      const entries = listCertsDir(certsDir, { now, skipPermissionChecks: o.skipPermissionChecks, gid: o.gid });
      return {
        certsDir,
        files: entries.map((e) => ({
          usage: e.usage,
          file: e.certFile,
          ...(e.usage === 'Client' && e.name !== null ? { user: e.name } : {}),
          ...(e.serial ? { serial: e.serial } : {}),
          ...(e.notBefore ? { notBefore: e.notBefore } : {}),
          ...(e.notAfter ? { notAfter: e.notAfter } : {}),
          errors: e.errors,
          ...(roleFromFilename(e.certFile).badName ? { skipped: true } : {}),
        })),
      };
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      return { certsDir, files: [], error: errMessage(err) };
    }
  });
  return monitorReport(dirs, now, o.warnMs);
}
