/**
 * The client libraries installed on this machine (Debian packages, npm dev dependencies), and how
 * to run a program as the client kit's `run` command says: in its folder, with a HOME of its own
 * (no ~/.postgresql files take part), Debian's python3 first, GOPATH at Debian's Go packages (the
 * run command itself says GO111MODULE=off, as the kit's Go note tells), node resolving the
 * repository's node_modules; the Java run command names pgjdbc's jar itself.
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from './exec';
import { tmpDir } from './tmp';

export const PGJDBC_JAR = '/usr/share/java/postgresql.jar';
export const GOPATH = '/usr/share/gocode';

/** One GOCACHE per test process: the Go drivers compile once. */
const goCache = join(tmpDir('crdb-tls-gocache-'), 'cache');

export function clientEnv(home = tmpDir('crdb-tls-home-')): NodeJS.ProcessEnv {
  return {
    PATH: `/usr/bin:/bin:${dirname(process.execPath)}`,
    HOME: home,
    LC_ALL: 'C',
    LANG: 'C',
    GOPATH,
    GOCACHE: goCache,
    GOFLAGS: '',
    NODE_PATH: join(REPO_ROOT, 'node_modules'),
    PGCONNECT_TIMEOUT: '10',
  };
}

export interface ProgramRun {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs `sh -c RUN` in dir (asynchronously: in-process stub servers keep answering). */
export function runShell(command: string, dir: string, env = clientEnv(), timeoutMs = 120_000): Promise<ProgramRun> {
  mkdirSync(dir, { recursive: true });
  return new Promise((resolve) => {
    // Its own process group: a hang is killed with everything the shell started (go run's child, java).
    const p = spawn('sh', ['-c', command], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      try {
        process.kill(-p.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, timeoutMs);
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ status: killed ? -1 : (code ?? -1), stdout, stderr });
    });
  });
}
