/**
 * After a rotation: make the server re-read its certs (SIGHUP, as CockroachDB expects, or a given
 * command such as a systemctl reload), then probe it (pgwire SSLRequest + TLS) until it serves
 * the node certificate now in the certs dir.
 */
import { certInfo } from '../../pki/certinfo';
import { spawn } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import { join } from 'node:path';
import { UserError, errnoCode, errMessage, quoteInput } from '../../errors';
import { timerMs } from '../../pki/duration';
import { DEFAULT_SQL_PORT, parseHostPort } from '../../cockroach/ports';
import { CA_CERT, NODE_CERT } from '../../cockroach/layout';
import { readCerts } from './chain';

export interface ReloadReport {
  /** The pid sent SIGHUP. */
  signalled?: number;
  /** exitCode is null when the command was killed (timedOut) or could not start. */
  command?: { command: string; exitCode: number | null; output: string; timedOut?: boolean; timeoutMs?: number };
}

/** The default limit of a reload command: a systemctl reload or an ssh to the node takes seconds. */
export const DEFAULT_RELOAD_TIMEOUT_MS = 60_000;

/** Process ids are positive and fit a pid_t (a signed 32-bit number). */
const MAX_PID = 2 ** 31 - 1;

/**
 * Checks, before a rotation writes anything, that its reload and verify can run: the pid names a
 * process this user may signal (signal 0 sends nothing), the --verify endpoint is HOST:PORT and its
 * host resolves. Throws a UserError naming the flag.
 */
export async function checkReloadTargets(o: { pid?: number; verify?: string; lookupTimeoutMs?: number }): Promise<void> {
  if (o.pid !== undefined) {
    if (!Number.isSafeInteger(o.pid) || o.pid < 1 || o.pid > MAX_PID) {
      throw new UserError(
        `--reload-pid ${o.pid} is not a process id: pass the pid of the cockroach process (pgrep -f "cockroach start"); nothing was changed.`,
      );
    }
    try {
      process.kill(o.pid, 0);
    } catch (err) {
      const code = errnoCode(err);
      throw new UserError(
        code === 'ESRCH'
          ? `--reload-pid ${o.pid}: no such process: pass the pid of the cockroach process (pgrep -f "cockroach start"); nothing was changed.`
          : code === 'EPERM'
            ? `--reload-pid ${o.pid}: not allowed to signal that process: run as the user cockroach runs as, or as root; nothing was changed.`
            : `--reload-pid ${o.pid}: cannot signal that process (${code ?? errMessage(err)}); nothing was changed.`,
      );
    }
  }
  if (o.verify !== undefined) {
    const { host } = parseHostPort(o.verify, DEFAULT_SQL_PORT, '--verify');
    const limit = o.lookupTimeoutMs ?? 10_000;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        lookup(host),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(Object.assign(new Error('timeout'), { code: 'ETIMEOUT' })), timerMs(limit));
        }),
      ]);
    } catch (err) {
      const code = errnoCode(err);
      throw new UserError(
        `--verify ${quoteInput(o.verify)}: the host ${quoteInput(host)} does not resolve (${code === 'ETIMEOUT' ? `no answer within ${limit / 1000} s` : (code ?? errMessage(err))}): pass the SQL address of the node being rotated, e.g. --verify localhost:${DEFAULT_SQL_PORT}; nothing was changed.`,
      );
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Sends SIGHUP to `pid` and/or runs `command` (in a shell, killed after `timeoutMs`); a failed command is reported, not thrown. */
export async function reloadServer(o: { pid?: number; command?: string; timeoutMs?: number }): Promise<ReloadReport> {
  const r: ReloadReport = {};
  if (o.pid !== undefined) {
    try {
      process.kill(o.pid, 'SIGHUP');
      r.signalled = o.pid;
    } catch (err) {
      const code = errnoCode(err);
      throw new UserError(
        code === 'ESRCH'
          ? `no process ${o.pid} to send SIGHUP to: pass the pid of the cockroach process (pgrep -f "cockroach start").`
          : code === 'EPERM'
            ? `not allowed to send SIGHUP to process ${o.pid}: run as the user cockroach runs as, or as root.`
            : `could not send SIGHUP to process ${o.pid} (${code ?? errMessage(err)}).`,
      );
    }
  }
  if (o.command) r.command = await runShell(o.command, o.timeoutMs ?? DEFAULT_RELOAD_TIMEOUT_MS);
  return r;
}

/** After the shell exits, how long its output may still arrive (a background child can hold the pipes open). */
const OUTPUT_GRACE_MS = 200;
/** After SIGTERM at the time limit, how long the command's processes get before SIGKILL. */
const KILL_GRACE_MS = 2000;

/**
 * Runs `command` in a shell, in its own process group so that the limit ends the whole command
 * (the shell and what it started), not only the shell.
 */
function runShell(command: string, timeoutMs: number): Promise<NonNullable<ReloadReport['command']>> {
  return new Promise((resolve) => {
    const group = process.platform !== 'win32';
    const child = spawn(command, { shell: true, stdio: ['ignore', 'pipe', 'pipe'], detached: group });
    let output = '';
    let timedOut = false;
    let settled = false;
    const timers: NodeJS.Timeout[] = [];
    const add = (b: Buffer) => {
      if (output.length < 8192) output += b.toString('utf8');
    };
    child.stdout.on('data', add);
    child.stderr.on('data', add);
    const signal = (sig: NodeJS.Signals) => {
      try {
        if (child.pid !== undefined) process.kill(group ? -child.pid : child.pid, sig);
      } catch {
        // already gone
      }
    };
    const finish = (exitCode: number | null, extra = '') => {
      if (settled) return;
      settled = true;
      for (const t of timers) clearTimeout(t);
      child.stdout.destroy();
      child.stderr.destroy();
      resolve({ command, exitCode: timedOut ? null : exitCode, output: (output + extra).trim(), ...(timedOut ? { timedOut: true, timeoutMs } : {}) });
    };
    timers.push(
      setTimeout(() => {
        timedOut = true;
        signal('SIGTERM');
        timers.push(
          setTimeout(() => {
            signal('SIGKILL');
            finish(null);
          }, KILL_GRACE_MS),
        );
      }, timerMs(timeoutMs)),
    );
    child.on('error', (err) => finish(null, errMessage(err)));
    child.on('exit', (code) => {
      timers.push(setTimeout(() => finish(code), OUTPUT_GRACE_MS));
    });
    child.on('close', (code) => finish(code));
  });
}

/**
 * What a node serves on its SQL port: the serial and NotAfter (ISO) of its certificate and whether
 * `caFile` verifies the chain. Passed in (the CLI gives the TLS probe), so rotation does not depend
 * on the TLS layer. `signal` ends a probe under way (a cancelled run).
 */
export type ServedProbe = (
  host: string,
  port: number,
  caFile: string,
  signal?: AbortSignal,
) => Promise<{ serial?: string; notAfter?: string; chainVerified?: boolean; error?: string }>;

export interface VerifyReport {
  endpoint: string;
  /** The serial of node.crt in the certs dir, the one that should be served. */
  expectedSerial: string;
  servedSerial?: string;
  /** Whether the served certificate is the expected one. */
  ok: boolean;
  /** Whether ca.crt of the certs dir verifies the served chain. */
  chainVerified?: boolean;
  attempts: number;
  error?: string;
  /** The signal aborted before the expected certificate was served. */
  cancelled?: boolean;
}

/**
 * Probes `endpoint` (HOST:PORT) until it serves the certificate in `certsDir/node.crt`, for up to
 * `timeoutMs` (the server reloads asynchronously after SIGHUP).
 */
export async function verifyServed(
  endpoint: string,
  certsDir: string,
  probe: ServedProbe,
  o: { timeoutMs?: number; intervalMs?: number; signal?: AbortSignal } = {},
): Promise<VerifyReport> {
  const { host, port } = parseHostPort(endpoint, DEFAULT_SQL_PORT, '--verify');
  const node = readCerts(join(certsDir, NODE_CERT))[0];
  if (!node) throw new UserError(`${join(certsDir, NODE_CERT)} holds no certificate: there is nothing to verify.`);
  const expectedSerial = certInfo(node).serial;
  const end = Date.now() + (o.timeoutMs ?? 10_000);
  const report: VerifyReport = { endpoint: `${host}:${port}`, expectedSerial, ok: false, attempts: 0 };
  for (;;) {
    report.attempts++;
    const r = await probe(host, port, join(certsDir, CA_CERT), o.signal);
    if (r.serial) {
      report.servedSerial = r.serial.toLowerCase();
      report.chainVerified = r.chainVerified;
      delete report.error;
    } else report.error = r.error ?? 'no certificate served';
    report.ok = report.servedSerial === expectedSerial;
    if (report.ok || Date.now() >= end) return report;
    if (o.signal?.aborted) return { ...report, cancelled: true };
    await pause(o.intervalMs ?? 200, o.signal);
    if (o.signal?.aborted) return { ...report, cancelled: true };
  }
}

/** Waits `ms`, or less when `signal` aborts. */
function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((res) => {
    const done = () => {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      res();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
