/**
 * The certificates our core issues work on the wire: a real PostgreSQL with TLS and
 * certificate authentication (pg_hba `cert`: the client certificate's CN is the user)
 * stands in for a CockroachDB node, and node-postgres and libpq (psql) connect with
 * sslmode=verify-full.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, ClientConfig } from 'pg';
import { createClient, createNode } from '../../src/core/certsdir/create';
import { CertsFixture, makeCertsDir } from '../support/certs';
import { openssl, run } from '../support/exec';
import { PgServer } from '../support/postgres';
import { tmpDir } from '../support/tmp';

const DAY_MS = 24 * 3600 * 1000;

interface ClientFiles {
  ca: string;
  cert: string;
  key: string;
}

function filesFor(certsDir: string, user: string, caDir = certsDir): ClientFiles {
  return { ca: join(caDir, 'ca.crt'), cert: join(certsDir, `client.${user}.crt`), key: join(certsDir, `client.${user}.key`) };
}

function tlsConfig(host: string, port: number, user: string, f: ClientFiles): ClientConfig {
  return {
    host,
    port,
    user,
    database: 'postgres',
    connectionTimeoutMillis: 15_000,
    // verify-full: the chain against ca, and the default checkServerIdentity for the host name.
    ssl: { ca: readFileSync(f.ca, 'utf8'), cert: readFileSync(f.cert, 'utf8'), key: readFileSync(f.key, 'utf8'), rejectUnauthorized: true },
  };
}

function url(host: string, port: number, user: string, f: ClientFiles, sslmode = 'verify-full'): string {
  const q = [`sslmode=${sslmode}`, `sslrootcert=${encodeURIComponent(f.ca)}`, `sslcert=${encodeURIComponent(f.cert)}`, `sslkey=${encodeURIComponent(f.key)}`];
  return `postgresql://${encodeURIComponent(user)}@${host}:${port}/postgres?${q.join('&')}`;
}

/** Connects, runs SELECT current_user, disconnects. */
async function currentUser(config: ClientConfig | string): Promise<string> {
  const c = new Client(typeof config === 'string' ? { connectionString: config, connectionTimeoutMillis: 15_000 } : config);
  await c.connect();
  try {
    const r = await c.query<{ current_user: string }>('SELECT current_user');
    return r.rows[0].current_user;
  } finally {
    await c.end();
  }
}

/** The error a connection attempt fails with (fails the test when it succeeds). */
async function refusal(config: ClientConfig): Promise<Error> {
  const c = new Client(config);
  c.on('error', () => undefined); // a late TLS alert must not crash the process
  try {
    await c.connect();
  } catch (err) {
    assert.ok(err instanceof Error, `expected an Error, got ${String(err)}`);
    return err;
  }
  let who = '?';
  try {
    who = (await c.query<{ current_user: string }>('SELECT current_user')).rows[0].current_user;
  } catch (err) {
    // TLS 1.3: the client finishes its side of the handshake before the server checks the client certificate,
    // so the server's alert can arrive on the first read after connect().
    assert.ok(err instanceof Error, `expected an Error, got ${String(err)}`);
    await c.end().catch(() => undefined);
    return err;
  }
  await c.end();
  assert.fail(`the connection was accepted (current_user = ${who})`);
}

/** Debian's psql (libpq): a clean environment so no PG* variable or ~/.postgresql file changes the result. */
function psql(connUrl: string): { status: number; stdout: string; stderr: string } {
  const home = tmpDir('crdb-tls-home-');
  return run('psql', [connUrl, '-X', '-A', '-t', '-c', 'select current_user'], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, PGCONNECT_TIMEOUT: '15', LC_ALL: 'C' },
  });
}

describe('PostgreSQL with TLS and certificate auth (a CockroachDB node on the wire)', function () {
  this.timeout(60_000);
  let fx: CertsFixture;
  let server: PgServer | undefined;

  before(async function () {
    this.timeout(120_000);
    fx = await makeCertsDir({ users: ['root', 'alice'] });
    server = new PgServer({ certsDir: fx.certsDir });
    await server.start();
    await server.createRole('root');
    await server.createRole('alice');
  });

  after(async function () {
    this.timeout(30_000);
    await server?.stop();
  });

  const srv = (): PgServer => {
    assert.ok(server, 'server not started');
    return server;
  };

  it('node-postgres connects as alice to localhost with verify-full', async () => {
    const s = srv();
    assert.equal(await currentUser(tlsConfig('localhost', s.port, 'alice', filesFor(fx.certsDir, 'alice'))), 'alice');
  });

  it('node-postgres connects with a connection string (sslmode=verify-full, sslrootcert, sslcert, sslkey)', async () => {
    const s = srv();
    assert.equal(await currentUser(url('localhost', s.port, 'alice', filesFor(fx.certsDir, 'alice'))), 'alice');
  });

  it('root connects with its own certificate', async () => {
    const s = srv();
    assert.equal(await currentUser(tlsConfig('localhost', s.port, 'root', filesFor(fx.certsDir, 'root'))), 'root');
  });

  it('psql (libpq) connects with sslmode=verify-full and the issued files (key 0600 passes its check)', () => {
    const s = srv();
    const r = psql(url('localhost', s.port, 'alice', filesFor(fx.certsDir, 'alice')));
    assert.equal(r.status, 0, `psql failed: ${r.stderr}`);
    assert.equal(r.stdout.trim(), 'alice');
  });

  it('verify-full to 127.0.0.1 works: the node certificate has an IP SAN', async () => {
    const s = srv();
    assert.equal(await currentUser(tlsConfig('127.0.0.1', s.port, 'alice', filesFor(fx.certsDir, 'alice'))), 'alice');
    const r = psql(url('127.0.0.1', s.port, 'alice', filesFor(fx.certsDir, 'alice')));
    assert.equal(r.status, 0, `psql failed: ${r.stderr}`);
    assert.equal(r.stdout.trim(), 'alice');
  });

  it('refuses a client certificate for alice from another CA', async () => {
    const s = srv();
    const other = await makeCertsDir({ users: ['alice'] });
    // Trust the right server CA, present a client cert the server's CA did not sign.
    const logFrom = s.log.length;
    const err = await refusal(tlsConfig('localhost', s.port, 'alice', filesFor(other.certsDir, 'alice', fx.certsDir)));
    assert.match(err.message, /unknown ca|bad certificate|certificate verify failed/i);
    await s.waitForLog(/could not accept SSL connection: certificate verify failed/, logFrom);
    const r = psql(url('localhost', s.port, 'alice', filesFor(other.certsDir, 'alice', fx.certsDir)));
    assert.notEqual(r.status, 0, 'psql connected with a client cert from another CA');
    assert.match(r.stderr, /certificate|unknown ca|alert/i);
  });

  it('refuses an expired client certificate', async () => {
    const s = srv();
    const dir = join(tmpDir(), 'expired');
    mkdirSync(dir, { mode: 0o700 });
    copyFileSync(join(fx.certsDir, 'ca.crt'), join(dir, 'ca.crt'));
    await createClient({ certsDir: dir, caKey: fx.caKey, user: 'alice', now: new Date(Date.now() - 400 * DAY_MS), lifetimeMs: DAY_MS });
    const logFrom = s.log.length;
    const err = await refusal(tlsConfig('localhost', s.port, 'alice', filesFor(dir, 'alice')));
    assert.match(err.message, /certificate expired|certificate has expired/i);
    await s.waitForLog(/could not accept SSL connection: certificate verify failed/, logFrom);
  });

  it('refuses a certificate whose CN is alice when logging in as root (CN must equal the user)', async () => {
    const s = srv();
    const err = await refusal(tlsConfig('localhost', s.port, 'root', filesFor(fx.certsDir, 'alice')));
    assert.match(err.message, /certificate authentication failed for user "root"/);
  });

  it('refuses a connection without a client certificate', async () => {
    const s = srv();
    const f = filesFor(fx.certsDir, 'alice');
    const err = await refusal({
      host: 'localhost',
      port: s.port,
      user: 'alice',
      database: 'postgres',
      connectionTimeoutMillis: 15_000,
      ssl: { ca: readFileSync(f.ca, 'utf8'), rejectUnauthorized: true },
    });
    assert.match(err.message, /connection requires a valid client certificate/);
  });

  it('refuses a plain (non-TLS) connection', async () => {
    const s = srv();
    const err = await refusal({ host: '127.0.0.1', port: s.port, user: 'alice', database: 'postgres', connectionTimeoutMillis: 15_000, ssl: false });
    assert.match(err.message, /no pg_hba\.conf entry|no encryption/i);
  });
});

describe('PostgreSQL with a node certificate for localhost only', function () {
  this.timeout(60_000);
  let fx: CertsFixture;
  let server: PgServer | undefined;

  before(async function () {
    this.timeout(120_000);
    fx = await makeCertsDir({ hosts: ['localhost'], users: ['alice'] });
    server = new PgServer({ certsDir: fx.certsDir });
    await server.start();
    await server.createRole('alice');
  });

  after(async function () {
    this.timeout(30_000);
    await server?.stop();
  });

  it('verify-full to localhost works', async () => {
    assert.ok(server);
    assert.equal(await currentUser(tlsConfig('localhost', server.port, 'alice', filesFor(fx.certsDir, 'alice'))), 'alice');
  });

  it('verify-full to 127.0.0.1 fails host verification (no IP SAN)', async () => {
    assert.ok(server);
    const err = await refusal(tlsConfig('127.0.0.1', server.port, 'alice', filesFor(fx.certsDir, 'alice')));
    assert.match(err.message, /Hostname|IP|altnames/i);
    const r = psql(url('127.0.0.1', server.port, 'alice', filesFor(fx.certsDir, 'alice')));
    assert.notEqual(r.status, 0, 'psql connected to 127.0.0.1 without an IP SAN');
    assert.match(r.stderr, /does not match host name|server certificate/i);
  });

  it('verify-ca to 127.0.0.1 works (only verify-full checks the host name)', () => {
    assert.ok(server);
    const r = psql(url('127.0.0.1', server.port, 'alice', filesFor(fx.certsDir, 'alice'), 'verify-ca'));
    assert.equal(r.status, 0, `psql failed: ${r.stderr}`);
    assert.equal(r.stdout.trim(), 'alice');
  });
});

/** The certificate the server presents (openssl s_client speaks PostgreSQL's SSLRequest with -starttls postgres). */
function servedSerial(port: number): string {
  const r = openssl(['s_client', '-starttls', 'postgres', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost'], { input: '', allowFail: true });
  const pem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(r.stdout);
  assert.ok(pem, `openssl s_client showed no certificate (${r.status}): ${r.stderr}`);
  return new X509Certificate(pem[0]).serialNumber.toLowerCase();
}

describe('PostgreSQL reload: new TLS files after SIGHUP, as a CockroachDB node rotation', function () {
  this.timeout(60_000);
  let fx: CertsFixture;
  let server: PgServer | undefined;

  before(async function () {
    this.timeout(120_000);
    fx = await makeCertsDir({ users: ['alice'] });
    server = new PgServer({ certsDir: fx.certsDir });
    await server.start();
    await server.createRole('alice');
  });

  after(async function () {
    this.timeout(30_000);
    await server?.stop();
  });

  it('serves a re-issued node certificate after replaceTlsFiles + reload, and keeps it when a bad key is refused', async () => {
    assert.ok(server);
    const first = servedSerial(server.port);
    assert.equal(first, new X509Certificate(readFileSync(join(fx.certsDir, 'node.crt'))).serialNumber.toLowerCase());

    const dir = join(tmpDir(), 'rotated');
    mkdirSync(dir, { mode: 0o700 });
    copyFileSync(join(fx.certsDir, 'ca.crt'), join(dir, 'ca.crt'));
    const issued = await createNode({ certsDir: dir, caKey: fx.caKey, hosts: ['localhost', '127.0.0.1'] });
    server.replaceTlsFiles({ cert: join(dir, 'node.crt'), key: join(dir, 'node.key') });
    const ok = await server.reload();
    assert.equal(ok.sslReloaded, true, ok.log.join('\n'));
    assert.equal(servedSerial(server.port), issued.serial);
    assert.equal(await currentUser(tlsConfig('localhost', server.port, 'alice', filesFor(fx.certsDir, 'alice'))), 'alice');

    const port = server.port;
    await server.restart();
    assert.equal(server.port, port);
    assert.equal(servedSerial(server.port), issued.serial);

    // A key that does not match the certificate: PostgreSQL logs it and keeps the TLS files it has loaded.
    server.replaceTlsFiles({ key: join(fx.certsDir, 'client.alice.key') });
    const bad = await server.reload();
    assert.equal(bad.sslReloaded, false, bad.log.join('\n'));
    assert.ok(
      bad.log.some((l) => /could not load private key file/.test(l)),
      bad.log.join('\n'),
    );
    assert.equal(servedSerial(server.port), issued.serial);
    assert.equal(await currentUser(tlsConfig('127.0.0.1', server.port, 'alice', filesFor(fx.certsDir, 'alice'))), 'alice');
  });
});
