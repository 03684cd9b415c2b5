/**
 * `crdb-tls connect prisma` with an ECDSA client certificate: the sslidentity PKCS#12 is written
 * (it used to crash: node-forge's pki reads RSA keys only), openssl reads its certificate and key
 * (-info -nokeys, -nodes), Java's keytool lists the key entry, and pgjdbc logs in to a real
 * PostgreSQL with it as sslkey=*.p12.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runConnect } from '../../src/cli/connect';
import { runShell } from '../support/clients';
import { crdbTls, openssl, run } from '../support/exec';
import { PgServer } from '../support/postgres';
import { tmpDir } from '../support/tmp';

interface KitJson {
  snippet: string;
  program: string;
  run: string;
  files: { path: string; status: string; mode: string }[];
}

async function kit(client: string, url: string, out: string): Promise<KitJson> {
  let text = '';
  const code = await runConnect([client, '--url', url, '--json', '--out', out], { out: (s) => (text += s), err: () => undefined, env: {}, cwd: '/' });
  assert.equal(code, 0);
  return JSON.parse(text) as KitJson;
}

describe('connect prisma with an ECDSA client certificate: the PKCS#12 identity', function () {
  this.timeout(240_000);
  let server: PgServer;
  let d: string;

  before(async () => {
    const root = tmpDir();
    d = join(root, 'certs');
    const ok = (args: string[]) => assert.equal(crdbTls(args).status, 0, args.join(' '));
    ok(['cert', 'create-ca', '--certs-dir', d, '--ca-key', join(root, 'ca.key'), '--key-type', 'ecdsa']);
    ok(['cert', 'create-node', 'localhost', '127.0.0.1', '--certs-dir', d, '--ca-key', join(root, 'ca.key'), '--key-type', 'ecdsa']);
    ok(['cert', 'create-client', 'alice', '--certs-dir', d, '--ca-key', join(root, 'ca.key'), '--key-type', 'ecdsa']);
    server = new PgServer({ certsDir: d });
    await server.start();
    await server.createRole('alice');
  });

  after(async () => {
    await server?.stop();
  });

  it('openssl and keytool read it, and pgjdbc logs in with it', async () => {
    const url = `postgresql://alice@localhost:${server.port}/postgres?sslmode=verify-full&sslrootcert=${d}/ca.crt&sslcert=${d}/client.alice.crt&sslkey=${d}/client.alice.key`;
    const out = tmpDir('crdb-tls-p12-ec-');
    const k = await kit('prisma', url, out);
    const params = new URL(/DATABASE_URL="([^"]+)"/.exec(k.snippet)?.[1] ?? 'x:').searchParams;
    const p12 = params.get('sslidentity');
    const password = params.get('sslpassword');
    assert.ok(p12 && password, k.snippet);
    assert.deepEqual(
      k.files.map((f) => [f.path, f.status, f.mode]),
      // The identity, and Prisma's schema and .env beside the program (--out).
      [
        [p12, 'write', '0600'],
        [join(out, 'schema.prisma'), 'write', '0644'],
        [join(out, '.env'), 'write', '0600'],
      ],
    );
    const info = openssl(['pkcs12', '-in', p12, '-passin', `pass:${password}`, '-info', '-nokeys']);
    assert.match(info.stderr + info.stdout, /Shrouded Keybag/);
    assert.match(info.stdout, /subject=.*CN ?= ?alice/);
    const dump = openssl(['pkcs12', '-in', p12, '-passin', `pass:${password}`, '-nodes']).stdout;
    assert.equal(openssl(['pkey', '-pubout'], { input: dump }).stdout, openssl(['pkey', '-pubout', '-in', join(d, 'client.alice.key')]).stdout);
    assert.equal(
      openssl(['x509', '-noout', '-fingerprint', '-sha256'], { input: dump }).stdout,
      openssl(['x509', '-noout', '-fingerprint', '-sha256', '-in', join(d, 'client.alice.crt')]).stdout,
    );
    const list = run('keytool', ['-list', '-keystore', p12, '-storetype', 'PKCS12', '-storepass', password]);
    assert.equal(list.status, 0, list.stderr + list.stdout);
    assert.match(list.stdout, /PrivateKeyEntry/);

    // pgjdbc reads a .p12 sslkey as a PKCS#12 keystore: the JDBC kit's program with the Prisma identity.
    const jdir = tmpDir('crdb-tls-p12-ec-jdbc-');
    const j = await kit('jdbc', url, jdir);
    const program = j.program.replace(/sslkey=[^"&]+/, `sslkey=${encodeURIComponent(p12)}&sslpassword=${encodeURIComponent(password)}`);
    assert.notEqual(program, j.program);
    writeFileSync(join(jdir, 'Connect.java'), program);
    const r = await runShell(j.run, jdir);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), '1');
  });
});
