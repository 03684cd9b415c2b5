/**
 * A fleet on loopback for the fleet tests: each node is a PostgreSQL with TLS that reads its
 * node.crt, node.key and ca.crt from its own certs dir (reloaded by SIGHUP, as CockroachDB is) and
 * its own OpenSSH sshd on its own 127.0.0.1 port, with its own host key. One test user key logs in
 * to all of them (as root when the tests run as root: the simplest reliable setup on loopback).
 * The sshd runs the client's command through a ForceCommand wrapper that can inject one fault
 * (kill the sshd in the middle of an upload). Everything is stopped at process exit.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { createNode } from '../../src/core/certsdir/create';
import { makeCertsDir } from './certs';
import { CLI, RunResult } from './exec';
import { PgServer, freePort } from './postgres';
import { hashTree } from './tmp';

const SSHD = '/usr/sbin/sshd';
const INSTALL_HINT = "install Debian's openssh-server and openssh-client: apt-get install -y openssh-server";

export interface FleetNodeOptions {
  /** The node's reload command; default: SIGHUP to its postmaster. */
  reload?: (n: TestNode) => string;
}

export interface FleetOptions {
  nodes?: number;
  reload?: (n: TestNode) => string;
  /** Leave these nodes' host keys out of known_hosts. */
  unknownHostKey?: string[];
  /** Put another key than the node's in known_hosts for these nodes. */
  changedHostKey?: string[];
}

function sh(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 30_000 });
  if (r.error) throw new Error(`${cmd}: ${r.error.message}: ${INSTALL_HINT}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms).unref());

async function waitForPort(port: number, timeoutMs: number, alive: () => boolean): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((res) => {
      const s = netConnect({ host: '127.0.0.1', port }, () => {
        s.destroy();
        res(true);
      });
      s.on('error', () => res(false));
    });
    if (ok) return;
    if (!alive()) throw new Error(`sshd on port ${port} exited before it listened`);
    if (Date.now() > end) throw new Error(`sshd did not listen on port ${port} within ${timeoutMs} ms`);
    await delay(50);
  }
}

/** A parent any user can traverse (PostgreSQL runs as postgres and must reach the certs dirs). */
function traversableRoot(): string {
  let d = resolve(tmpdir());
  for (;;) {
    if ((statSync(d).mode & 0o001) === 0) return mkdtempSync('/tmp/crdb-tls-fleet-');
    const up = dirname(d);
    if (up === d) return mkdtempSync(join(tmpdir(), 'crdb-tls-fleet-'));
    d = up;
  }
}

function postgresOwner(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const f = spawnSync('getent', ['passwd', 'postgres'], { encoding: 'utf8' }).stdout.trim().split(':');
  return { uid: Number(f[2]), gid: Number(f[3]) };
}

const live = new Set<Fleet>();
process.on('exit', () => {
  for (const f of live) f.killNow();
});
for (const sig of ['SIGINT', 'SIGTERM'] as const)
  process.once(sig, () => {
    for (const f of live) f.killNow();
    process.kill(process.pid, sig);
  });

export class TestNode {
  server!: PgServer;
  sshPort = 0;
  private sshd: ChildProcess | undefined;
  readonly hostKey: string;
  readonly sshdDir: string;
  sshdLog = '';

  constructor(
    readonly fleet: Fleet,
    readonly name: string,
    readonly certsDir: string,
  ) {
    this.sshdDir = join(fleet.root, 'sshd', name);
    mkdirSync(this.sshdDir, { recursive: true, mode: 0o700 });
    this.hostKey = join(this.sshdDir, 'host_ed25519');
    sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `${name}-host`, '-f', this.hostKey]);
  }

  get pid(): number {
    return Number(readFileSync(join(this.server.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  }

  get faultFile(): string {
    return join(this.sshdDir, 'fault');
  }

  /** The node's SSH host key line for known_hosts. */
  knownHostsLine(key = `${this.hostKey}.pub`): string {
    const [type, b64] = readFileSync(key, 'utf8').trim().split(/\s+/);
    return `[127.0.0.1]:${this.sshPort} ${type} ${b64}`;
  }

  /** The next SSH command of the fleet op `op` (e.g. "upload") gets part of its input, then the node's sshd is killed (listener and sessions). */
  injectSshdKill(op: string): void {
    writeFileSync(this.faultFile, op);
  }

  async startSshd(): Promise<void> {
    if (!this.sshPort) this.sshPort = await freePort();
    const pidFile = join(this.sshdDir, 'sshd.pid');
    const wrapper = join(this.sshdDir, 'force.sh');
    writeFileSync(
      wrapper,
      `#!/bin/sh
# The test sshd's ForceCommand: the client's command as sent, or once the fault named in ${this.faultFile}.
f=${this.faultFile}
if [ -f "$f" ]; then
  op=$(cat "$f")
  case "$SSH_ORIGINAL_COMMAND" in
    *"crdb-tls-fleet-$op "*)
      rm -f "$f"
      head -c 600 | sh -c "$SSH_ORIGINAL_COMMAND" >/dev/null 2>&1
      L=$(cat ${pidFile})
      for p in $(pgrep -P "$L"); do kill -9 "$p"; done
      kill -9 "$L"
      exit 1;;
  esac
fi
exec sh -c "$SSH_ORIGINAL_COMMAND"
`,
      { mode: 0o755 },
    );
    const config = join(this.sshdDir, 'sshd_config');
    writeFileSync(
      config,
      [
        `Port ${this.sshPort}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${this.hostKey}`,
        `PidFile ${pidFile}`,
        `AuthorizedKeysFile ${this.fleet.authorizedKeys}`,
        'StrictModes no',
        'PubkeyAuthentication yes',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'UsePAM no',
        'PermitRootLogin prohibit-password',
        `AllowUsers ${this.fleet.user}`,
        `ForceCommand ${wrapper}`,
        'X11Forwarding no',
        'AllowTcpForwarding no',
        'LogLevel ERROR',
        '',
      ].join('\n'),
    );
    if (process.getuid?.() === 0) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
    if (!existsSync(SSHD)) throw new Error(`${SSHD} not found: ${INSTALL_HINT}`);
    const child = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.sshd = child;
    child.stderr?.on('data', (b: Buffer) => (this.sshdLog += b.toString('utf8')));
    await waitForPort(this.sshPort, 10_000, () => child.exitCode === null && child.signalCode === null);
  }

  /** Whether this node's sshd is running. */
  get sshdRunning(): boolean {
    return !!this.sshd && this.sshd.exitCode === null && this.sshd.signalCode === null;
  }

  async stopSshd(): Promise<void> {
    const c = this.sshd;
    if (c && c.exitCode === null && c.signalCode === null) {
      const gone = new Promise((r) => c.once('exit', r));
      c.kill('SIGKILL');
      await Promise.race([gone, delay(5000)]);
    }
    this.sshd = undefined;
  }

  killSshdNow(): void {
    try {
      this.sshd?.kill('SIGKILL');
    } catch {
      // gone
    }
  }

  /** Serial of node.crt in the certs dir, as the node's files say. */
  fileSerial(): string {
    return new X509Certificate(readFileSync(join(this.certsDir, 'node.crt'))).serialNumber.toLowerCase();
  }

  /** Bytes of the node's cert dir files (node.crt, node.key, ca.crt) and everything else, for byte-for-byte checks. */
  snapshot(): string {
    return hashTree(this.certsDir);
  }

  get inventoryEntry(): string {
    const reload = (this.fleet.opts.reload ?? defaultReload)(this);
    return [
      `  - name: ${this.name}`,
      `    ssh: ${this.fleet.user}@127.0.0.1:${this.sshPort}`,
      `    certsDir: ${this.certsDir}`,
      `    hosts: [localhost, 127.0.0.1]`,
      `    verify: localhost:${this.server.port}`,
      `    reload: ${JSON.stringify(reload)}`,
    ].join('\n');
  }
}

/** SIGHUP to the node's postmaster: PostgreSQL re-reads its TLS files, as cockroach re-reads its certs dir. */
export function defaultReload(n: TestNode): string {
  return `kill -HUP $(head -1 ${join(n.server.dataDir, 'postmaster.pid')})`;
}

export class Fleet {
  readonly nodes: TestNode[] = [];
  readonly user = userInfo().username;
  readonly root: string;
  readonly home: string;
  readonly caCert: string;
  readonly caKey: string;
  readonly clientKey: string;
  readonly authorizedKeys: string;
  readonly knownHosts: string;
  readonly inventory: string;
  /** The client files of user root (any node's CA trusts them: one CA). */
  readonly client: { ca: string; cert: string; key: string };

  private constructor(
    readonly opts: FleetOptions,
    root: string,
    ca: { caCert: string; caKey: string; client: { ca: string; cert: string; key: string } },
  ) {
    this.root = root;
    this.home = join(root, 'home');
    mkdirSync(this.home, { mode: 0o700 });
    this.caCert = ca.caCert;
    this.caKey = ca.caKey;
    this.client = ca.client;
    this.clientKey = join(root, 'id_ed25519');
    sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'crdb-tls-fleet-test', '-f', this.clientKey]);
    this.authorizedKeys = join(root, 'authorized_keys');
    writeFileSync(this.authorizedKeys, readFileSync(`${this.clientKey}.pub`), { mode: 0o644 });
    this.knownHosts = join(root, 'known_hosts');
    this.inventory = join(root, 'fleet.yaml');
  }

  /** N nodes (default 3) with one CA, each a PostgreSQL and an sshd; the inventory and known_hosts written. */
  static async start(opts: FleetOptions = {}): Promise<Fleet> {
    const root = traversableRoot();
    chmodSync(root, 0o711);
    mkdirSync(join(root, 'n1'));
    const fx = await makeCertsDir({ certsDir: join(root, 'n1', 'certs'), caKey: join(root, 'safe', 'ca.key') });
    const clientDir = join(root, 'client');
    mkdirSync(clientDir, { mode: 0o700 });
    for (const n of ['ca.crt', 'client.root.crt', 'client.root.key']) copyFileSync(join(fx.certsDir, n), join(clientDir, n));
    const fleet = new Fleet(opts, root, {
      caCert: join(root, 'safe', 'ca.crt'),
      caKey: fx.caKey,
      client: { ca: join(clientDir, 'ca.crt'), cert: join(clientDir, 'client.root.crt'), key: join(clientDir, 'client.root.key') },
    });
    copyFileSync(join(fx.certsDir, 'ca.crt'), fleet.caCert);
    live.add(fleet);
    try {
      const owner = postgresOwner();
      for (let i = 1; i <= (opts.nodes ?? 3); i++) {
        const name = `n${i}`;
        const certsDir = join(root, name, 'certs');
        if (i > 1) {
          mkdirSync(certsDir, { recursive: true, mode: 0o700 });
          copyFileSync(fleet.caCert, join(certsDir, 'ca.crt'));
          await createNode({ certsDir, caKey: fleet.caKey, hosts: ['localhost', '127.0.0.1'] });
        }
        for (const f of readdirSync(certsDir)) if (f.startsWith('client.')) rmSync(join(certsDir, f));
        chmodSync(join(root, name), 0o711);
        if (owner) {
          chownSync(certsDir, owner.uid, owner.gid);
          for (const f of readdirSync(certsDir)) chownSync(join(certsDir, f), owner.uid, owner.gid);
        }
        const node = new TestNode(fleet, name, certsDir);
        fleet.nodes.push(node);
        node.server = new PgServer({
          certsDir,
          settings: { ssl_cert_file: join(certsDir, 'node.crt'), ssl_key_file: join(certsDir, 'node.key'), ssl_ca_file: join(certsDir, 'ca.crt') },
        });
        await node.server.start();
        await node.server.createRole('root');
        await node.startSshd();
      }
      fleet.writeKnownHosts();
      fleet.writeInventory();
      return fleet;
    } catch (err) {
      await fleet.stop();
      throw err;
    }
  }

  node(name: string): TestNode {
    const n = this.nodes.find((x) => x.name === name);
    if (!n) throw new Error(`no node ${name}`);
    return n;
  }

  writeKnownHosts(): void {
    const lines: string[] = [];
    for (const n of this.nodes) {
      if (this.opts.unknownHostKey?.includes(n.name)) continue;
      if (this.opts.changedHostKey?.includes(n.name)) {
        const other = join(this.root, `other-${n.name}`);
        if (!existsSync(other)) sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other]);
        lines.push(n.knownHostsLine(`${other}.pub`));
      } else lines.push(n.knownHostsLine());
    }
    writeFileSync(this.knownHosts, lines.join('\n') + '\n', { mode: 0o644 });
  }

  writeInventory(): void {
    writeFileSync(
      this.inventory,
      [`sshIdentityFile: ${this.clientKey}`, `knownHostsFile: ${this.knownHosts}`, 'nodes:', ...this.nodes.map((n) => n.inventoryEntry), ''].join('\n'),
    );
  }

  /** The environment the CLI runs with: its own HOME (no ~/.ssh/config of the machine's user). */
  env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: this.home, LANG: 'C', ...extra };
  }

  /** crdb-tls fleet SUB --inventory <this fleet's> ARGS, as a child process (the event loop keeps running). */
  cli(sub: string, args: string[] = [], extraEnv: NodeJS.ProcessEnv = {}, timeoutMs = 110_000): Promise<RunResult & { signal?: string }> {
    return new Promise((res) => {
      const child = spawn(process.execPath, [CLI, 'fleet', sub, '--inventory', this.inventory, ...args], {
        env: this.env(extraEnv),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (b: Buffer) => (stdout += b.toString('utf8')));
      child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        res({ status: code ?? -1, stdout, stderr, ...(signal ? { signal } : {}) });
      });
    });
  }

  rotateArgs(): string[] {
    return ['--ca-cert', this.caCert, '--ca-key', this.caKey];
  }

  snapshots(): Record<string, string> {
    return Object.fromEntries(this.nodes.map((n) => [n.name, n.snapshot()]));
  }

  async stop(): Promise<void> {
    live.delete(this);
    for (const n of this.nodes) {
      await n.stopSshd();
      await n.server?.stop();
    }
    if (!process.env.KEEP_TMP) rmSync(this.root, { recursive: true, force: true });
  }

  killNow(): void {
    for (const n of this.nodes) {
      n.killSshdNow();
      n.server?.killNow();
    }
    if (!process.env.KEEP_TMP) rmSync(this.root, { recursive: true, force: true });
  }
}
