/**
 * After a rotation: make the server re-read its certs (SIGHUP, as CockroachDB expects, or a given
 * command such as a systemctl reload), then probe it (pgwire SSLRequest + TLS) until it serves
 * the node certificate now in the certs dir.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { UserError, errnoCode, errMessage } from '../../errors';
import { parseHostPort, probe } from '../../tls/probe';
import { CA_CERT, NODE_CERT } from '../layout';
import { readCerts } from './chain';

export interface ReloadReport {
  /** The pid sent SIGHUP. */
  signalled?: number;
  command?: { command: string; exitCode: number | null; output: string };
}

/** Sends SIGHUP to `pid` and/or runs `command` (in a shell); a failed command is reported, not thrown. */
export async function reloadServer(o: { pid?: number; command?: string; timeoutMs?: number }): Promise<ReloadReport> {
  const r: ReloadReport = {};
  if (o.pid !== undefined) {
    try {
      process.kill(o.pid, 'SIGHUP');
      r.signalled = o.pid;
    } catch (err) {
      const code = errnoCode(err);
      throw new UserError(code === 'ESRCH' ? `no process ${o.pid} to send SIGHUP to: pass the pid of the cockroach process (pgrep -f "cockroach start").`
        : code === 'EPERM' ? `not allowed to send SIGHUP to process ${o.pid}: run as the user cockroach runs as, or as root.`
          : `could not send SIGHUP to process ${o.pid} (${code ?? errMessage(err)}).`);
    }
  }
  if (o.command) r.command = await runShell(o.command, o.timeoutMs ?? 60_000);
  return r;
}

function runShell(command: string, timeoutMs: number): Promise<NonNullable<ReloadReport['command']>> {
  return new Promise((resolve) => {
    const child = spawn(command, { shell: true, stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    let output = '';
    const add = (b: Buffer) => {
      if (output.length < 8192) output += b.toString('utf8');
    };
    child.stdout.on('data', add);
    child.stderr.on('data', add);
    child.on('error', (err) => resolve({ command, exitCode: null, output: output + errMessage(err) }));
    child.on('close', (code) => resolve({ command, exitCode: code, output: output.trim() }));
  });
}

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
}

/**
 * Probes `endpoint` (HOST:PORT) until it serves the certificate in `certsDir/node.crt`, for up to
 * `timeoutMs` (the server reloads asynchronously after SIGHUP).
 */
export async function verifyServed(endpoint: string, certsDir: string, o: { timeoutMs?: number; intervalMs?: number } = {}): Promise<VerifyReport> {
  const { host, port } = parseHostPort(endpoint);
  const node = readCerts(join(certsDir, NODE_CERT))[0];
  if (!node) throw new UserError(`${join(certsDir, NODE_CERT)} holds no certificate: there is nothing to verify.`);
  const expectedSerial = node.serialNumber.toLowerCase();
  const end = Date.now() + (o.timeoutMs ?? 10_000);
  const report: VerifyReport = { endpoint: `${host}:${port}`, expectedSerial, ok: false, attempts: 0 };
  for (;;) {
    report.attempts++;
    const r = await probe(host, port, { caFile: join(certsDir, CA_CERT), timeoutMs: 5000 });
    const leaf = r.chain[0];
    if (leaf) {
      report.servedSerial = leaf.serial.toLowerCase();
      report.chainVerified = r.verification?.ok;
      delete report.error;
    } else report.error = r.error?.message ?? 'no certificate served';
    report.ok = report.servedSerial === expectedSerial;
    if (report.ok || Date.now() >= end) return report;
    await new Promise((res) => setTimeout(res, o.intervalMs ?? 200));
  }
}
