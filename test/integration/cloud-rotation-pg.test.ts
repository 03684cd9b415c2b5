/**
 * Client CA rotation end to end: the CLI changes the bundle the Cloud API stand-in holds, and a
 * real PostgreSQL (TLS, pg_hba `cert`: a CockroachDB Cloud cluster on the wire) trusts exactly that
 * bundle as its client CA file, reloaded after each change. Old and new client certs both connect
 * after `client-ca add`; after `client-ca remove` of the old CA, only the new one does.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, ClientConfig } from 'pg';
import { CertsFixture, makeCertsDir } from '../support/certs';
import { CloudSpec } from '../support/cloudSpec';
import { CloudStandIn } from '../support/cloudStandIn';
import { cloudEnv, crdbTlsAsync } from '../support/cloudCli';
import { PgServer } from '../support/postgres';
import { tmpDir } from '../support/tmp';

const KEY = `CCDB1_${randomUUID().replace(/-/g, '')}`;
const PROD = randomUUID();
const WAIT = ['--wait', '--interval', '20ms', '--timeout', '20s'];

describe('Cloud client CA rotation against a real PostgreSQL that trusts the stand-in bundle', function () {
  this.timeout(90_000);
  let spec: CloudSpec;
  let api: CloudStandIn;
  let pg: PgServer | undefined;
  let oldFx: CertsFixture;
  let newFx: CertsFixture;
  let home: string;
  let bundleFile: string;

  const cli = async (args: string[]) => {
    const r = await crdbTlsAsync(['cloud', 'client-ca', ...args, ...WAIT], { env: cloudEnv(home, api.url, KEY) });
    assert.equal(r.status, 0, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    assert.ok(!r.stdout.includes(KEY) && !r.stderr.includes(KEY));
    return r;
  };

  /** PostgreSQL's client CA file becomes the bundle the stand-in holds; then a reload. */
  async function syncServer(): Promise<void> {
    const held = api.clientCa(PROD);
    assert.equal(held.status, 'IS_SET');
    writeFileSync(bundleFile, held.pem!);
    pg!.replaceTlsFiles({ ca: bundleFile });
    const r = await pg!.reload();
    assert.ok(r.sslReloaded, r.log.join('\n'));
  }

  function config(fx: CertsFixture): ClientConfig {
    return {
      host: '127.0.0.1',
      port: pg!.port,
      user: 'alice',
      database: 'postgres',
      connectionTimeoutMillis: 15_000,
      ssl: {
        ca: readFileSync(join(oldFx.certsDir, 'ca.crt'), 'utf8'),
        cert: readFileSync(join(fx.certsDir, 'client.alice.crt'), 'utf8'),
        key: readFileSync(join(fx.certsDir, 'client.alice.key'), 'utf8'),
        servername: 'localhost',
        rejectUnauthorized: true,
      },
    };
  }

  /** 'accepted' with current_user alice, or 'refused' (TLS 1.3 may report the server's alert on the first query). */
  async function attempt(fx: CertsFixture): Promise<'accepted' | 'refused'> {
    const c = new Client(config(fx));
    c.on('error', () => undefined); // a late TLS alert must not crash the process
    let accepted = false;
    try {
      await c.connect();
      const r = await c.query<{ current_user: string }>('SELECT current_user');
      assert.equal(r.rows[0].current_user, 'alice');
      accepted = true;
    } catch (err) {
      assert.match(String(err), /certificate|alert|closed|ECONNRESET|terminated|unknown ca/i);
    }
    // A refused connection's end() may never settle (the socket is gone): do not wait for it then.
    if (accepted) await c.end();
    else void c.end().catch(() => undefined);
    return accepted ? 'accepted' : 'refused';
  }

  before(async function () {
    this.timeout(180_000);
    spec = await CloudSpec.load();
    oldFx = await makeCertsDir({ clientCa: true, users: ['alice'] });
    newFx = await makeCertsDir({ clientCa: true, users: ['alice'] });
    home = tmpDir('crdb-tls-home-');
    bundleFile = join(tmpDir(), 'cloud-client-ca.crt');
    api = await CloudStandIn.start(spec, {
      apiKey: KEY,
      pendingPolls: 1,
      clusters: [{ id: PROD, name: 'prod', plan: 'ADVANCED', caPem: readFileSync(join(oldFx.certsDir, 'ca.crt'), 'utf8') }],
    });
    await cli(['set', 'prod', '--cert-file', join(oldFx.certsDir, 'ca-client.crt')]);
    writeFileSync(bundleFile, api.clientCa(PROD).pem!);
    pg = new PgServer({ certsDir: oldFx.certsDir, ca: bundleFile });
    await pg.start();
    await pg.createRole('alice');
  });

  after(async function () {
    this.timeout(30_000);
    await pg?.stop();
    await api?.stop();
  });

  it('before the rotation: the old client cert is accepted, the new one refused', async () => {
    assert.equal(await attempt(oldFx), 'accepted');
    assert.equal(await attempt(newFx), 'refused');
  });

  it('after client-ca add: both are accepted', async () => {
    await cli(['add', 'prod', '--cert-file', join(newFx.certsDir, 'ca-client.crt')]);
    await syncServer();
    assert.equal(await attempt(oldFx), 'accepted');
    assert.equal(await attempt(newFx), 'accepted');
  });

  it('after client-ca remove of the old CA: only the new one is accepted', async () => {
    await cli(['remove', 'prod', '--cert-file', join(oldFx.certsDir, 'ca-client.crt'), '--certs-dir', newFx.certsDir]);
    await syncServer();
    assert.equal(await attempt(oldFx), 'refused');
    assert.equal(await attempt(newFx), 'accepted');
  });

  it('every request was valid against the spec: set (POST), add and remove (PATCH)', () => {
    assert.deepEqual(api.violations(), []);
    assert.deepEqual(api.responseErrors, []);
    assert.deepEqual(
      api.mutations().map((m) => m.method),
      ['POST', 'PATCH', 'PATCH'],
    );
  });
});
