/**
 * Running the built CLI against the Cloud stand-in: the stand-in answers in this process, so the
 * CLI must run without blocking it (spawn, not spawnSync). Every output is kept, to prove at the end
 * of a suite that the API key never appeared in any of them.
 */
import { spawn } from 'node:child_process';
import { CLI, RunResult } from './exec';

export interface CloudCliOptions {
  env: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

export function crdbTlsAsync(args: string[], o: CloudCliOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: o.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ status: code ?? -1, stdout, stderr, ...(signal === 'SIGKILL' ? { timedOut: true } : {}) });
    });
  });
}

/** The environment for a CLI run: PATH, a temp HOME (libpq's ~/.postgresql and the config dir), the stand-in and the key. */
export function cloudEnv(home: string, server: string, apiKey?: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    COCKROACH_SERVER: server,
    ...(apiKey !== undefined ? { COCKROACH_API_KEY: apiKey } : {}),
  };
}
