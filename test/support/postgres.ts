/**
 * A real PostgreSQL server with TLS and certificate authentication, standing in for a
 * CockroachDB node on the wire: it presents node.crt, verifies client certificates against
 * the CA file, and maps the client certificate's CN to the SQL user (pg_hba `cert`).
 *
 * Needs PostgreSQL server binaries: Debian's `postgresql` package
 * (/usr/lib/postgresql/<version>/bin), or a directory in PG_BIN.
 * As root, initdb, postgres and pg_ctl run as the `postgres` OS user (PostgreSQL refuses root).
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Client } from 'pg';

const DEBIAN_PG_ROOT = '/usr/lib/postgresql';
const INSTALL_HINT = "install Debian's postgresql package: apt-get install -y postgresql";
const READY = 'database system is ready to accept connections';
const SIGHUP_LINE = 'received SIGHUP, reloading configuration files';

export interface PgServerOptions {
  /** A certs dir: node.crt, node.key, and ca-client.crt when it exists, else ca.crt. */
  certsDir?: string;
  /** Overrides for the files served; each defaults to the file in certsDir. */
  cert?: string;
  key?: string;
  /** The CA file clients are verified against (ssl_ca_file). */
  ca?: string;
  /** Extra postgresql.conf settings. */
  settings?: Record<string, string | number | boolean>;
  /** How long start() waits for the server; default 30 s. */
  startTimeoutMs?: number;
}

export interface TlsFiles {
  cert?: string;
  key?: string;
  ca?: string;
}

export interface ReloadResult {
  /** False when PostgreSQL logged `SSL configuration was not reloaded` (it keeps the old files). */
  sslReloaded: boolean;
  /** Server log lines written by the reload. */
  log: string[];
}

interface RunAs {
  uid: number;
  gid: number;
}

/** The newest /usr/lib/postgresql/<version>/bin holding initdb and postgres, or PG_BIN. */
export function findPgBin(): string {
  const has = (dir: string) => existsSync(join(dir, 'postgres')) && existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'));
  const fromEnv = process.env.PG_BIN;
  if (fromEnv) {
    if (!has(fromEnv)) throw new Error(`PG_BIN=${fromEnv} does not hold postgres, initdb and pg_ctl: fix PG_BIN, or unset it and ${INSTALL_HINT}`);
    return fromEnv;
  }
  let versions: string[] = [];
  try {
    versions = readdirSync(DEBIAN_PG_ROOT);
  } catch {
    // no PostgreSQL installed
  }
  const bins = versions
    .filter((v) => /^\d+(\.\d+)?$/.test(v))
    .sort((a, b) => parseFloat(b) - parseFloat(a))
    .map((v) => join(DEBIAN_PG_ROOT, v, 'bin'))
    .filter(has);
  if (bins.length === 0) {
    throw new Error(`no PostgreSQL server binaries found (looked in ${DEBIAN_PG_ROOT}/*/bin; PG_BIN is not set): ${INSTALL_HINT}`);
  }
  return bins[0];
}

function postgresUser(): RunAs {
  const r = spawnSync('getent', ['passwd', 'postgres'], { encoding: 'utf8' });
  const fields = r.status === 0 ? r.stdout.trim().split(':') : [];
  if (fields.length < 4) {
    throw new Error(`running as root, but there is no "postgres" OS user to run PostgreSQL as (PostgreSQL refuses to run as root): ${INSTALL_HINT}`);
  }
  return { uid: Number(fields[2]), gid: Number(fields[3]) };
}

/** A parent for the server's dir that another user can traverse (os.tmpdir() may be private to root). */
function traversableTmp(): string {
  let d = resolve(tmpdir());
  for (;;) {
    if ((statSync(d).mode & 0o001) === 0) return '/tmp';
    const up = dirname(d);
    if (up === d) return resolve(tmpdir());
    d = up;
  }
}

/** A loopback port nothing listened on a moment ago (bound to port 0, then closed). */
export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => (port ? res(port) : rej(new Error('could not get a free port'))));
    });
  });
}

function confValue(v: string | number | boolean): string {
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? 'on' : 'off';
  return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Servers not yet stopped: killed and removed at process exit even when a test forgot (or failed before) stop(). */
const live = new Set<PgServer>();
process.on('exit', () => {
  for (const s of live) s.killNow();
});
// Killed by a signal (a CI timeout, Ctrl-C on the runner only): stop the servers, then die of the same signal.
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(sig, () => {
    for (const s of live) s.killNow();
    process.kill(process.pid, sig);
  });
}

export class PgServer {
  readonly host = '127.0.0.1';
  readonly bin: string;
  /** Where everything lives: data/, tls/ (the served copies) and sock/. Removed by stop() unless KEEP_TMP is set. */
  readonly dir: string;
  readonly dataDir: string;
  readonly socketDir: string;
  readonly tlsDir: string;
  readonly certFile: string;
  readonly keyFile: string;
  readonly caFile: string;

  private readonly opts: PgServerOptions;
  private readonly runAs: RunAs | undefined;
  private child: ChildProcess | undefined;
  private exited: Promise<void> | undefined;
  private logText = '';
  private _port = 0;
  private baseConf: string | undefined;
  private stopped = false;

  constructor(opts: PgServerOptions) {
    this.opts = opts;
    this.bin = findPgBin();
    this.runAs = process.getuid?.() === 0 ? postgresUser() : undefined;
    this.dir = mkdtempSync(join(traversableTmp(), 'crdb-tls-pg-'));
    this.dataDir = join(this.dir, 'data');
    this.socketDir = join(this.dir, 'sock');
    this.tlsDir = join(this.dir, 'tls');
    this.certFile = join(this.tlsDir, 'server.crt');
    this.keyFile = join(this.tlsDir, 'server.key');
    this.caFile = join(this.tlsDir, 'ca.crt');
    live.add(this);
    this.own(this.dir, 0o700);
    for (const d of [this.socketDir, this.tlsDir]) {
      mkdirSync(d, { mode: 0o700 });
      this.own(d, 0o700);
    }
  }

  get port(): number {
    if (!this._port) throw new Error('PgServer is not started');
    return this._port;
  }

  /** Everything the server logged so far (stderr). */
  get log(): string {
    return this.logText;
  }

  /** initdb, TLS files, pg_hba, then postgres on a free 127.0.0.1 port; resolves once it accepts connections. */
  async start(): Promise<void> {
    if (this.child) throw new Error('PgServer already started');
    if (this.stopped) throw new Error('PgServer was stopped (its files are gone): create a new one');
    try {
      await this.setupAndLaunch();
    } catch (err) {
      this.stopped = true;
      live.delete(this);
      this.cleanupDir();
      throw err;
    }
  }

  /** Stops postgres (fast shutdown) and starts it again on the same port with the same data and TLS files. */
  async restart(): Promise<void> {
    if (!this.child) throw new Error('PgServer is not started');
    const port = this._port;
    await this.stopChild();
    await this.launch(port);
  }

  private async setupAndLaunch(): Promise<void> {
    this.replaceTlsFiles(this.sourceFiles());
    this.initdb();
    writeFileSync(
      join(this.dataDir, 'pg_hba.conf'),
      [
        '# crdb-tls test server: unix socket for setup, TLS with client certificates (CN = user) on 127.0.0.1 only.',
        'local all all trust',
        'hostssl all all 127.0.0.1/32 cert',
        '',
      ].join('\n'),
    );
    this.own(join(this.dataDir, 'pg_hba.conf'), 0o600);
    this.baseConf = readFileSync(join(this.dataDir, 'postgresql.conf'), 'utf8');

    let lastErr: unknown;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await this.launch(await freePort());
        return;
      } catch (err) {
        lastErr = err;
        // Another process took the port between freePort() and bind: try another one.
        if (!/could not bind|Address already in use|could not create any TCP\/IP sockets/i.test(String(err))) break;
      }
    }
    throw lastErr;
  }

  /** Fast shutdown, then SIGKILL if it lingers; removes the server's dir. Safe to call twice or after a failed start. */
  async stop(): Promise<void> {
    await this.stopChild();
    this.stopped = true;
    live.delete(this);
    this.cleanupDir();
  }

  private async stopChild(): Promise<void> {
    const child = this.child;
    if (child && this.exited && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGINT');
      const timedOut = await Promise.race([this.exited.then(() => false), delay(10_000).then(() => true)]);
      if (timedOut) {
        child.kill('SIGKILL');
        await this.exited;
      }
    }
    this.child = undefined;
    this._port = 0;
  }

  /** Synchronous immediate shutdown for the process-exit hook. */
  killNow(): void {
    try {
      const c = this.child;
      if (c && c.exitCode === null && c.signalCode === null) c.kill('SIGQUIT');
    } catch {
      // already gone
    }
    this.cleanupDir();
  }

  /**
   * `pg_ctl reload` (SIGHUP): PostgreSQL re-reads postgresql.conf, pg_hba.conf and its TLS files.
   * Resolves once the reload is done (new connections use the new files).
   */
  async reload(): Promise<ReloadResult> {
    if (!this.child) throw new Error('PgServer is not started');
    const from = this.logText.length;
    const before = countOf(this.logText, SIGHUP_LINE);
    const r = this.runSync(join(this.bin, 'pg_ctl'), ['reload', '-s', '-D', this.dataDir]);
    if (r.status !== 0) throw new Error(`pg_ctl reload failed (${r.status}): ${r.stderr}${r.stdout}`);
    await this.waitFor(() => countOf(this.logText, SIGHUP_LINE) > before, 10_000, 'the server to log the SIGHUP');
    // The postmaster handles the reload before it accepts another connection: one round trip proves it is done.
    await this.query('SELECT 1');
    const log = this.logText
      .slice(from)
      .split('\n')
      .filter((l) => l.trim() !== '');
    return { sslReloaded: !log.some((l) => l.includes('SSL configuration was not reloaded')), log };
  }

  /**
   * Copies new TLS files in (each optional), atomically: a temp file in the same dir renamed over the old one.
   * The server uses them after reload() (or start()).
   */
  replaceTlsFiles(files: TlsFiles): void {
    if (files.cert) this.install(files.cert, this.certFile, 0o644);
    if (files.key) this.install(files.key, this.keyFile, 0o600);
    if (files.ca) this.install(files.ca, this.caFile, 0o644);
  }

  /** Waits until the server log, from offset `from` (an earlier `log.length`), matches `re`; returns that part of the log. */
  async waitForLog(re: RegExp, from = 0, timeoutMs = 10_000): Promise<string> {
    await this.waitFor(() => re.test(this.logText.slice(from)), timeoutMs, `the server log to match ${re}`);
    return this.logText.slice(from);
  }

  /** CREATE ROLE <name> LOGIN, over the unix socket as the postgres superuser. */
  async createRole(name: string, options = 'LOGIN'): Promise<void> {
    await this.query(`CREATE ROLE ${quoteIdent(name)} ${options}`);
  }

  /** Runs SQL as the superuser over the unix socket (no TLS). */
  async query<T extends object = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    const c = new Client({ host: this.socketDir, port: this.port, user: 'postgres', database: 'postgres', connectionTimeoutMillis: 10_000 });
    await c.connect();
    try {
      const r = await c.query<T>(sql, params);
      return r.rows;
    } finally {
      await c.end();
    }
  }

  private sourceFiles(): Required<TlsFiles> {
    const dir = this.opts.certsDir;
    const pick = (given: string | undefined, names: string[], what: string): string => {
      if (given) return given;
      if (!dir) throw new Error(`PgServer needs certsDir or an explicit ${what} file`);
      const found = names.map((n) => join(dir, n)).find((p) => existsSync(p));
      if (!found) throw new Error(`PgServer: ${names.join(' or ')} not found in ${dir}`);
      return found;
    };
    return {
      cert: pick(this.opts.cert, ['node.crt'], 'cert'),
      key: pick(this.opts.key, ['node.key'], 'key'),
      ca: pick(this.opts.ca, ['ca-client.crt', 'ca.crt'], 'ca'),
    };
  }

  private install(src: string, dest: string, mode: number): void {
    const tmp = `${dest}.tmp-${process.pid}`;
    copyFileSync(src, tmp);
    this.own(tmp, mode);
    renameSync(tmp, dest);
  }

  private own(path: string, mode: number): void {
    chmodSync(path, mode);
    if (this.runAs) chownSync(path, this.runAs.uid, this.runAs.gid);
  }

  private env(): NodeJS.ProcessEnv {
    return { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C', LANG: 'C', TZ: 'UTC' };
  }

  private runSync(cmd: string, args: string[]): { status: number; stdout: string; stderr: string } {
    const r = spawnSync(cmd, args, { cwd: this.dir, env: this.env(), encoding: 'utf8', uid: this.runAs?.uid, gid: this.runAs?.gid, timeout: 60_000 });
    if (r.error) throw r.error;
    return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  }

  private initdb(): void {
    const r = this.runSync(join(this.bin, 'initdb'), [
      '-D',
      this.dataDir,
      '-U',
      'postgres',
      '--auth=trust',
      '-E',
      'UTF8',
      '--locale=C',
      '--no-sync',
      '--no-instructions',
    ]);
    if (r.status !== 0) throw new Error(`initdb failed (${r.status}): ${r.stderr}${r.stdout}`);
  }

  private writeConf(port: number): void {
    const settings: Record<string, string | number | boolean> = {
      listen_addresses: '127.0.0.1',
      port,
      unix_socket_directories: this.socketDir,
      ssl: true,
      ssl_cert_file: this.certFile,
      ssl_key_file: this.keyFile,
      ssl_ca_file: this.caFile,
      max_connections: 30,
      shared_buffers: '16MB',
      fsync: false,
      synchronous_commit: false,
      full_page_writes: false,
      log_connections: true,
      lc_messages: 'C',
      ...this.opts.settings,
    };
    const block = Object.entries(settings)
      .map(([k, v]) => `${k} = ${confValue(v)}`)
      .join('\n');
    const conf = join(this.dataDir, 'postgresql.conf');
    writeFileSync(conf, `${this.baseConf ?? ''}\n# crdb-tls test server\n${block}\n`);
    this.own(conf, 0o600);
  }

  private async launch(port: number): Promise<void> {
    this.writeConf(port);
    this._port = port;
    const child = spawn(join(this.bin, 'postgres'), ['-D', this.dataDir], {
      cwd: this.dir,
      env: this.env(),
      uid: this.runAs?.uid,
      gid: this.runAs?.gid,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.exited = new Promise((res) => child.once('exit', () => res()));
    const onData = (b: Buffer) => {
      this.logText += b.toString('utf8');
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    const from = this.logText.length;
    try {
      await this.waitFor(
        () => {
          if (child.exitCode !== null || child.signalCode !== null) {
            throw new Error(`postgres exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${this.logText.slice(from)}`);
          }
          return this.logText.includes(READY, from);
        },
        this.opts.startTimeoutMs ?? 30_000,
        `postgres to accept connections on port ${port}`,
      );
    } catch (err) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await this.exited;
      }
      this.child = undefined;
      this._port = 0;
      throw err;
    }
  }

  private async waitFor(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!done()) {
      if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; server log:\n${this.logText}`);
      await delay(25);
    }
  }

  private cleanupDir(): void {
    if (process.env.KEEP_TMP) return;
    try {
      rmSync(this.dir, { recursive: true, force: true });
    } catch {
      // best effort
    }
  }
}

/** A timer that does not keep the process alive (a stop's fallback must not delay the test run's exit). */
function delay(ms: number): Promise<void> {
  return new Promise((res) => setTimeout(res, ms).unref());
}

function countOf(text: string, needle: string): number {
  let n = 0;
  for (let i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + needle.length)) n++;
  return n;
}
