/**
 * Rotation against a real server: PostgreSQL with TLS and certificate auth stands in for a
 * CockroachDB node. The server reads its TLS files straight from the certs dir (ssl_cert_file,
 * ssl_key_file and ssl_ca_file point into it) and re-reads them on SIGHUP, as CockroachDB does, so
 * `--reload-pid <postmaster pid>` is the real reload: the CLI rotates the files in place, signals
 * the postmaster, and probes it (--verify) until the new serial is served.
 */
import { strict as assert } from 'node:assert';
import { execFile, spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { chmodSync, chownSync, copyFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TLSSocket } from 'node:tls';
import { Client } from 'pg';
import { CertsFixture, makeCertsDir } from '../support/certs';
import { CLI, RunResult } from '../support/exec';
import { PgServer } from '../support/postgres';
import { hashTree, tmpDir } from '../support/tmp';

/** The CLI as a child process, without blocking the event loop (the client loop keeps running meanwhile). */
function cli(args: string[]): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, 'cert', ...args], { encoding: 'utf8' }, (err, stdout, stderr) => {
      const status = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ status, stdout, stderr });
    });
  });
}

function ok(r: RunResult): RunResult {
  assert.equal(r.status, 0, `exit ${r.status}: ${r.stderr}\n${r.stdout}`);
  return r;
}

interface ClientFiles {
  ca: string;
  cert: string;
  key: string;
}

const clientFiles = (dir: string, user: string): ClientFiles => ({
  ca: join(dir, 'ca.crt'),
  cert: join(dir, `client.${user}.crt`),
  key: join(dir, `client.${user}.key`),
});

/** One TLS connection with verify-full and a client certificate, SELECT 1; resolves to the server certificate's serial. */
async function connectOnce(port: number, user: string, f: ClientFiles): Promise<string> {
  const c = new Client({
    host: 'localhost',
    port,
    user,
    database: 'postgres',
    connectionTimeoutMillis: 10_000,
    ssl: { ca: readFileSync(f.ca, 'utf8'), cert: readFileSync(f.cert, 'utf8'), key: readFileSync(f.key, 'utf8'), rejectUnauthorized: true },
  });
  c.on('error', () => undefined);
  try {
    await c.connect();
    const stream = (c as unknown as { connection: { stream: TLSSocket } }).connection.stream;
    const serial = stream.getPeerCertificate().serialNumber.toLowerCase();
    await c.query('SELECT 1');
    return serial;
  } finally {
    // pg's end() can wait forever on a connection the server already closed: bounded.
    await Promise.race([c.end().catch(() => undefined), delay(2000)]);
  }
}

interface Attempt {
  startedAt: number;
  endedAt: number;
  serial?: string;
  error?: string;
}

/** A client that opens a new TLS connection every `everyMs` until stopped. */
function clientLoop(port: number, user: string, f: ClientFiles, everyMs = 50): { stop: () => Promise<Attempt[]> } {
  const attempts: Promise<Attempt>[] = [];
  const fire = () => {
    const startedAt = Date.now();
    attempts.push(
      connectOnce(port, user, f).then(
        (serial) => ({ startedAt, endedAt: Date.now(), serial }),
        (err: unknown) => ({ startedAt, endedAt: Date.now(), error: String(err) }),
      ),
    );
  };
  fire();
  const timer = setInterval(fire, everyMs);
  return {
    stop: async () => {
      clearInterval(timer);
      return Promise.all(attempts);
    },
  };
}

const serialOf = (p: string) => new X509Certificate(readFileSync(p)).serialNumber.toLowerCase();
const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

function postgresOwner(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const f = spawnSync('getent', ['passwd', 'postgres'], { encoding: 'utf8' }).stdout.trim().split(':');
  return { uid: Number(f[2]), gid: Number(f[3]) };
}

/**
 * A server that reads node.crt, node.key and ca.crt from the certs dir itself. As root, PostgreSQL
 * runs as `postgres`: the certs dir is handed to that user as it would be to the cockroach user
 * (the rotation keeps the owner of the files it replaces).
 */
async function serverOn(fx: CertsFixture): Promise<{ server: PgServer; pid: number }> {
  const owner = postgresOwner();
  if (owner) {
    chmodSync(fx.root, 0o711);
    chownSync(fx.certsDir, owner.uid, owner.gid);
    for (const n of readdirSync(fx.certsDir)) chownSync(join(fx.certsDir, n), owner.uid, owner.gid);
  }
  const server = new PgServer({
    certsDir: fx.certsDir,
    settings: { ssl_cert_file: join(fx.certsDir, 'node.crt'), ssl_key_file: join(fx.certsDir, 'node.key'), ssl_ca_file: join(fx.certsDir, 'ca.crt') },
  });
  await server.start();
  const pid = Number(readFileSync(join(server.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  return { server, pid };
}

describe('rotation against PostgreSQL with TLS (a CockroachDB node on the wire), reloaded by SIGHUP', function () {
  this.timeout(120_000);
  let server: PgServer | undefined;

  afterEach(async function () {
    this.timeout(30_000);
    await server?.stop();
    server = undefined;
  });

  it('rotate-node with --reload-pid and --verify while a client connects every 50 ms: no failed connection, then only the new serial', async () => {
    const fx = await makeCertsDir({ users: ['alice'] });
    const s = await serverOn(fx);
    server = s.server;
    await server.createRole('alice');
    const oldSerial = serialOf(join(fx.certsDir, 'node.crt'));
    const loop = clientLoop(server.port, 'alice', clientFiles(fx.certsDir, 'alice'));
    await delay(500);
    const r = ok(
      await cli(['rotate-node', '--certs-dir', fx.certsDir, '--ca-key', fx.caKey, '--reload-pid', String(s.pid), '--verify', `localhost:${server.port}`]),
    );
    const rotatedAt = Date.now();
    await delay(500);
    const attempts = await loop.stop();

    const newSerial = serialOf(join(fx.certsDir, 'node.crt'));
    assert.notEqual(newSerial, oldSerial);
    assert.match(r.stdout, new RegExp(`sent SIGHUP to process ${s.pid}`));
    assert.ok(r.stdout.includes(`verified: localhost:${server.port} serves node.crt serial ${newSerial}`), r.stdout);
    const failed = attempts.filter((a) => a.error);
    assert.deepEqual(failed, [], 'no connection failed during the rotation');
    assert.ok(attempts.length >= 15, `the client kept connecting (${attempts.length} connections)`);
    assert.ok(
      attempts.some((a) => a.serial === oldSerial),
      'connections before the reload saw the old serial',
    );
    const after = attempts.filter((a) => a.startedAt > rotatedAt);
    assert.ok(after.length >= 3, `${after.length} connections after the reload`);
    assert.deepEqual([...new Set(after.map((a) => a.serial))], [newSerial], 'new connections see the new serial after the reload');
    assert.doesNotMatch(server.log, /SSL configuration was not reloaded/);
  });

  it('CA rotation end to end: old-CA clients keep connecting through rotate-ca and reissue-all, prune refuses while they remain, then refuses them', async () => {
    const fx = await makeCertsDir({ users: ['root', 'alice'] });
    const s = await serverOn(fx);
    server = s.server;
    await server.createRole('root');
    await server.createRole('alice');
    const port = server.port;
    // A remote client of alice: her certificate from the old CA, and a copy of ca.crt.
    const remote = join(tmpDir(), 'alice-client');
    mkdirSync(remote, { mode: 0o700 });
    for (const n of ['ca.crt', 'client.alice.crt', 'client.alice.key']) copyFileSync(join(fx.certsDir, n), join(remote, n));
    const sighup = ['--reload-pid', String(s.pid)];
    const dir = ['--certs-dir', fx.certsDir];

    ok(await cli(['rotate-ca', ...dir, '--ca-key', fx.caKey, ...sighup]));
    copyFileSync(join(fx.certsDir, 'ca.crt'), join(remote, 'ca.crt')); // the combined bundle is distributed
    const loop = clientLoop(port, 'alice', clientFiles(remote, 'alice'), 100);

    const h = hashTree(fx.certsDir);
    const early = await cli(['prune-ca', ...dir]);
    assert.equal(early.status, 1);
    for (const n of ['node.crt', 'client.root.crt', 'client.alice.crt'])
      assert.ok(early.stderr.includes(join(fx.certsDir, n)), `${n} listed:\n${early.stderr}`);
    assert.equal(hashTree(fx.certsDir), h, 'a refused prune changes nothing');

    const re = ok(await cli(['reissue-all', ...dir, '--ca-key', fx.caKey, ...sighup, '--verify', `localhost:${port}`]));
    assert.match(re.stdout, /verified: .* serves node\.crt serial/);
    await delay(300);
    const attempts = await loop.stop();
    assert.deepEqual(
      attempts.filter((a) => a.error),
      [],
      'the old-CA client connected throughout the transition',
    );
    assert.equal(attempts.at(-1)?.serial, serialOf(join(fx.certsDir, 'node.crt')), 'and it now sees the re-issued node certificate');
    assert.equal(await connectOnce(port, 'root', clientFiles(fx.certsDir, 'root')).then(() => 'ok'), 'ok', 'a new-CA client connects too');

    const h2 = hashTree(fx.certsDir);
    const blocked = await cli(['prune-ca', ...dir, '--also-check', remote]);
    assert.equal(blocked.status, 1);
    assert.match(blocked.stderr, /1 certificate still chains only to an old CA/);
    assert.ok(blocked.stderr.includes(join(remote, 'client.alice.crt')), blocked.stderr);
    assert.equal(hashTree(fx.certsDir), h2);

    const pruned = ok(await cli(['prune-ca', ...dir, ...sighup, '--verify', `localhost:${port}`]));
    assert.match(pruned.stdout, /drop old CA serial/);
    await assert.rejects(connectOnce(port, 'alice', clientFiles(remote, 'alice')), 'the old-CA client is refused after the prune');
    assert.equal(await connectOnce(port, 'alice', clientFiles(fx.certsDir, 'alice')).then(() => 'ok'), 'ok', 'alice with her re-issued certificate connects');
  });
});
