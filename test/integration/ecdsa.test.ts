/**
 * ECDSA (P-256) end to end: create-ca, create-node and create-client --key-type ecdsa; openssl
 * verify accepts the chain; PostgreSQL serves the ECDSA node certificate; psql (libpq),
 * node-postgres and pgjdbc (with the DER PKCS#8 .pk8) connect with ECDSA client certificates;
 * list, inspect, lint, test-connection and the changefeed builder read EC keys; rotation keeps
 * the key type. The issuing speed against RSA is a ratio in `npm run bench`, not asserted here.
 */
import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { PGJDBC_JAR, clientEnv, runShell } from '../support/clients';
import { crdbTls, openssl, run, RunResult } from '../support/exec';
import { PgServer } from '../support/postgres';
import { tmpDir } from '../support/tmp';

function ok(r: RunResult, what: string): RunResult {
  assert.equal(r.status, 0, `${what} failed (${r.status}): ${r.stderr}${r.stdout}`);
  return r;
}

const JAVA = `import java.sql.*;
public class Main {
  public static void main(String[] a) throws Exception {
    try (Connection c = DriverManager.getConnection(a[0]); ResultSet r = c.createStatement().executeQuery("select current_user")) {
      r.next();
      System.out.println(r.getString(1));
    }
  }
}
`;

describe('ECDSA P-256 keys end to end', function () {
  this.timeout(180_000);
  const work = tmpDir();
  const d = join(work, 'certs');
  const caKey = join(work, 'ca.key');
  let server: PgServer;

  before(async function () {
    this.timeout(120_000);
    ok(crdbTls(['cert', 'create-ca', '--certs-dir', d, '--ca-key', caKey, '--key-type', 'ecdsa']), 'create-ca');
    ok(crdbTls(['cert', 'create-node', 'localhost', '127.0.0.1', '--certs-dir', d, '--ca-key', caKey, '--key-type', 'ecdsa']), 'create-node');
    for (const user of ['root', 'alice'])
      ok(
        crdbTls(['cert', 'create-client', user, '--certs-dir', d, '--ca-key', caKey, '--key-type', 'ecdsa', '--also-generate-pkcs8-key']),
        `create-client ${user}`,
      );
    server = new PgServer({ certsDir: d });
    await server.start();
    await server.createRole('root');
    await server.createRole('alice');
  });
  after(async () => server?.stop());

  it('writes EC keys in the PEM form CockroachDB reads (SEC1), .pk8 as DER PKCS#8, and openssl verify accepts the chain', () => {
    for (const k of [caKey, join(d, 'node.key'), join(d, 'client.root.key')]) assert.match(readFileSync(k, 'utf8'), /^-----BEGIN EC PRIVATE KEY-----\n/, k);
    assert.match(openssl(['pkey', '-in', join(d, 'node.key'), '-noout', '-text']).stdout, /ASN1 OID: prime256v1/);
    assert.match(openssl(['pkey', '-inform', 'DER', '-in', join(d, 'client.root.key.pk8'), '-noout', '-text']).stdout, /ASN1 OID: prime256v1/);
    const v = openssl(['verify', '-CAfile', join(d, 'ca.crt'), join(d, 'node.crt'), join(d, 'client.root.crt')]).stdout;
    assert.match(v, /node\.crt: OK\n.*client\.root\.crt: OK/);
    assert.match(
      openssl(['x509', '-in', join(d, 'node.crt'), '-noout', '-text']).stdout,
      /Signature Algorithm: ecdsa-with-SHA256[\s\S]*id-ecPublicKey[\s\S]*NIST CURVE: P-256/,
    );
  });

  it('list, check and inspect understand EC certificates and keys', () => {
    const list = JSON.parse(ok(crdbTls(['cert', 'list', '--certs-dir', d, '--json']), 'list').stdout) as {
      certFile: string;
      errors: string[];
      certs: { publicKey: string }[];
    }[];
    assert.deepEqual(
      list.map((e) => [e.certFile, e.errors, e.certs[0].publicKey]),
      [
        ['ca.crt', [], 'EC prime256v1'],
        ['node.crt', [], 'EC prime256v1'],
        ['client.alice.crt', [], 'EC prime256v1'],
        ['client.root.crt', [], 'EC prime256v1'],
      ],
    );
    ok(
      crdbTls(['cert', 'check', join(d, 'node.crt'), '--ca', join(d, 'ca.crt'), '--key', join(d, 'node.key'), '--host', 'localhost', '--host', '127.0.0.1']),
      'check',
    );
    const inspect = ok(crdbTls(['inspect', join(d, 'client.root.crt'), '--ca-file', join(d, 'ca.crt'), '--key', join(d, 'client.root.key')]), 'inspect').stdout;
    assert.match(inspect, /prime256v1|P-256/);
    assert.doesNotMatch(inspect, /\[problem\]/);
  });

  it('PostgreSQL serves the ECDSA node certificate and psql connects with an ECDSA client certificate (verify-full)', () => {
    const url = `postgresql://root@127.0.0.1:${server.port}/postgres?sslmode=verify-full&sslrootcert=${d}/ca.crt&sslcert=${d}/client.root.crt&sslkey=${d}/client.root.key`;
    const r = run('psql', [url, '-X', '-A', '-t', '-c', 'select current_user'], { env: clientEnv(), timeoutMs: 30_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'root');
    const served = openssl(['s_client', '-starttls', 'postgres', '-connect', `127.0.0.1:${server.port}`, '-CAfile', join(d, 'ca.crt')], {
      input: '',
      allowFail: true,
    });
    assert.match(served.stdout, /Peer signature type: ECDSA|Server public key is 256 bit/);
  });

  it('node-postgres connects with an ECDSA client certificate', async () => {
    const c = new Client({
      host: '127.0.0.1',
      port: server.port,
      user: 'alice',
      database: 'postgres',
      ssl: {
        ca: readFileSync(join(d, 'ca.crt')),
        cert: readFileSync(join(d, 'client.alice.crt')),
        key: readFileSync(join(d, 'client.alice.key')),
        servername: 'localhost',
      },
    });
    await c.connect();
    try {
      assert.equal((await c.query<{ u: string }>('select current_user as u')).rows[0].u, 'alice');
    } finally {
      await c.end();
    }
  });

  it('pgjdbc connects with the ECDSA .pk8 key', async () => {
    const dir = join(work, 'java');
    const url = `jdbc:postgresql://localhost:${server.port}/postgres?user=root&sslmode=verify-full&sslrootcert=${d}/ca.crt&sslcert=${d}/client.root.crt&sslkey=${d}/client.root.key.pk8`;
    await runShell('true', dir);
    writeFileSync(join(dir, 'Main.java'), JAVA);
    const r = await runShell(`java -cp ${PGJDBC_JAR} Main.java '${url}'`, dir);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'root');
  });

  it('lint, test-connection and the changefeed builder read EC keys', () => {
    const url = `postgresql://alice@127.0.0.1:${server.port}/postgres?sslmode=verify-full&sslrootcert=${d}/ca.crt&sslcert=${d}/client.alice.crt&sslkey=${d}/client.alice.key`;
    const tc = JSON.parse(ok(crdbTls(['test-connection', url.replace('127.0.0.1', 'localhost'), '--json']), 'test-connection').stdout) as { ok: boolean };
    assert.equal(tc.ok, true);
    // lint reads the EC key and certificate: the right pair is clean, a swapped EC key is a mismatch.
    const codes = (sslkey: string): string[] => {
      const env = join(work, 'app.env');
      writeFileSync(env, `DATABASE_URL=${url.replace(/sslkey=[^&]*/, `sslkey=${sslkey}`)}\n`);
      return (JSON.parse(crdbTls(['lint', env, '--json']).stdout) as { code: string }[]).map((f) => f.code);
    };
    const clean = codes(join(d, 'client.alice.key'));
    for (const bad of ['key-mismatch', 'file-not-key', 'file-not-cert', 'cert-no-client-auth', 'cert-wrong-ca'])
      assert.ok(!clean.includes(bad), `lint: ${clean.join(', ')}`);
    assert.ok(codes(join(d, 'client.root.key')).includes('key-mismatch'));
    const cf = JSON.parse(
      ok(
        crdbTls([
          'changefeed-uri',
          '--sink',
          'kafka://localhost:9093',
          '--ca-cert',
          join(d, 'ca.crt'),
          '--client-cert',
          join(d, 'client.root.crt'),
          '--client-key',
          join(d, 'client.root.key'),
          '--table',
          't',
          '--json',
        ]),
        'changefeed-uri',
      ).stdout,
    ) as { errors: unknown[]; uri: string };
    assert.deepEqual(cf.errors, []);
    assert.match(cf.uri, /client_key=/);
  });

  it('rotation keeps the key type', async () => {
    ok(crdbTls(['cert', 'rotate-client', 'alice', '--certs-dir', d, '--ca-key', caKey]), 'rotate-client');
    assert.match(readFileSync(join(d, 'client.alice.key'), 'utf8'), /^-----BEGIN EC PRIVATE KEY-----\n/);
    assert.match(openssl(['x509', '-in', join(d, 'client.alice.crt'), '-noout', '-text']).stdout, /NIST CURVE: P-256/);
    ok(crdbTls(['cert', 'rotate-ca', '--certs-dir', d, '--ca-key', caKey]), 'rotate-ca');
    assert.match(readFileSync(caKey, 'utf8'), /^-----BEGIN EC PRIVATE KEY-----\n/);
  });
});
