import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { buildSync } from 'esbuild';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RunResult {
  status: number;
  stdout: string;
  stderr: string;
  /** Killed at `timeoutMs` (a hang); status is then -1. */
  timedOut?: boolean;
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  input?: string;
  /** Kill the process (SIGKILL) after this long and report timedOut instead of waiting for ever. */
  timeoutMs?: number;
}

export const REPO_ROOT = join(__dirname, '..', '..', '..');
export const CLI = join(REPO_ROOT, 'dist', 'cli.js');

export function run(cmd: string, args: string[], opts: RunOptions = {}): RunResult {
  const r = spawnSync(cmd, args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    input: opts.input,
    encoding: 'utf8',
    ...(opts.timeoutMs !== undefined ? { timeout: opts.timeoutMs, killSignal: 'SIGKILL' as const } : {}),
  });
  const timedOut = opts.timeoutMs !== undefined && ((r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT' || r.signal === 'SIGKILL');
  if (r.error && !timedOut) throw r.error;
  return { status: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '', ...(timedOut ? { timedOut } : {}) };
}

/** Runs the built CLI (dist/cli.js), as a user would. */
export function crdbTls(args: string[], opts: Omit<RunOptions, 'input'> = {}): RunResult {
  return run(process.execPath, [CLI, ...args], opts);
}

/** Runs the openssl CLI; throws with its stderr when it fails unless `allowFail`. */
export function openssl(args: string[], opts: { allowFail?: boolean; input?: string } = {}): RunResult {
  const r = run('openssl', args, { input: opts.input });
  if (r.status !== 0 && !opts.allowFail) throw new Error(`openssl ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r;
}

/**
 * The built CLI where any user can run it: `cli` bundled with the modules it loads at run time
 * (pg, node-forge) into one file in a world-readable temp folder. Tests that run the CLI as
 * another user (setpriv) need it: a clean clone often sits in a folder only its owner may enter
 * (mktemp -d is 0700), and so do its node_modules.
 */
export function cliForAnyUser(cli = CLI): string {
  const dir = mkdtempSync(join(tmpdir(), 'crdb-tls-cli-'));
  chmodSync(dir, 0o755);
  const out = join(dir, 'cli.js');
  buildSync({
    entryPoints: [cli],
    bundle: true,
    platform: 'node',
    target: 'node20',
    outfile: out,
    external: ['pg-native'],
    logLevel: 'silent',
    nodePaths: [join(REPO_ROOT, 'node_modules')],
  });
  chmodSync(out, 0o755);
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return out;
}
