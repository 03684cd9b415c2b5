/**
 * The client kit, proven: for each client library installed here, `crdb-tls connect CLIENT --out
 * DIR` writes a program, and the program, run exactly as the kit's `run` says, connects to a real
 * PostgreSQL with TLS and certificate login (CN = user) and prints 1. The same kit built from an
 * expired client certificate, or one from another CA, fails. The certificates sit in a folder whose
 * name needs percent-encoding ("#", "+", "&", a space). Prisma cannot run here (its engines are
 * downloads): its PKCS#12 identity is proven with openssl and with pgjdbc's sslkey=*.p12.
 */
import assert from 'node:assert/strict';
import { copyFileSync, cpSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { runConnect } from '../../src/cli/connect';
import { createClient } from '../../src/core/certsdir/create';
import { findConnStrings } from '../../src/core/connstr/find';
import { CertsFixture, makeCertsDir } from '../support/certs';
import { PGJDBC_JAR, runShell } from '../support/clients';
import { openssl } from '../support/exec';
import { PgServer } from '../support/postgres';
import { tmpDir } from '../support/tmp';

const DAY_MS = 86_400_000;
const RUNNABLE = ['psql', 'psycopg2', 'psycopg3', 'jdbc', 'dbeaver', 'pgx', 'lib-pq', 'node-pg', 'typeorm', 'ruby-pg'] as const;

interface KitJson {
  client: string;
  language: string;
  snippet: string;
  program: string;
  programFile?: string;
  run: string;
  files: { path: string; purpose: string; status: string; mode: string }[];
  notes: string[];
}

async function connect(client: string, url: string, out?: string): Promise<{ kit: KitJson; warnings: string }> {
  let text = '';
  let warnings = '';
  const code = await runConnect([client, '--url', url, '--json', ...(out ? ['--out', out] : [])], {
    out: (s) => (text += s),
    err: (s) => (warnings += s),
    env: {},
    cwd: '/',
  });
  assert.equal(code, 0);
  return { kit: JSON.parse(text) as KitJson, warnings };
}

function url(port: number, dir: string, caDir = dir): string {
  const q = (p: string) => encodeURIComponent(p);
  return `postgresql://alice@localhost:${port}/postgres?sslmode=verify-full&sslrootcert=${q(join(caDir, 'ca.crt'))}&sslcert=${q(join(dir, 'client.alice.crt'))}&sslkey=${q(join(dir, 'client.alice.key'))}`;
}

describe('crdb-tls connect: every program connects with the real client library', function () {
  this.timeout(300_000);
  let fx: CertsFixture;
  let certs: string; // fx's certs in a folder that needs percent-encoding
  let expired: string;
  let otherCa: string;
  let server: PgServer | undefined;

  before(async function () {
    this.timeout(120_000);
    fx = await makeCertsDir({ users: ['alice'] });
    const other = await makeCertsDir({ users: ['alice'] });
    certs = join(fx.root, 'my certs #1+&');
    cpSync(fx.certsDir, certs, { recursive: true });
    expired = join(fx.root, 'expired');
    mkdirSync(expired, { mode: 0o700 });
    copyFileSync(join(fx.certsDir, 'ca.crt'), join(expired, 'ca.crt'));
    await createClient({ certsDir: expired, caKey: fx.caKey, user: 'alice', now: new Date(Date.now() - 400 * DAY_MS), lifetimeMs: DAY_MS });
    otherCa = other.certsDir;
    server = new PgServer({ certsDir: fx.certsDir });
    await server.start();
    await server.createRole('alice');
  });

  after(async () => {
    await server?.stop();
  });

  const port = () => {
    assert.ok(server, 'server not started');
    return server.port;
  };

  for (const client of RUNNABLE) {
    it(`${client}: the program prints 1; with an expired client certificate or one from another CA it fails`, async () => {
      const out = tmpDir(`crdb-tls-kit-${client}-`);
      const { kit } = await connect(client, url(port(), certs), out);
      assert.ok(kit.programFile);
      assert.equal(readFileSync(join(out, kit.programFile), 'utf8'), kit.program);
      assert.doesNotMatch(kit.snippet + kit.program, /PRIVATE KEY|BEGIN CERT/, 'no key material in the code');
      assert.match(kit.snippet, /verify-full|rejectUnauthorized|ssl: \{ ca/);
      for (const f of kit.files) if (f.status === 'write') assert.equal(statSync(f.path).mode & 0o777, 0o600, f.path);
      // The run command works as written: Go says GOPATH mode itself, Java names pgjdbc's jar (nothing is put beside the program).
      if (kit.language === 'go') assert.equal(kit.run, 'GO111MODULE=off go run connect.go');
      if (kit.programFile === 'Connect.java') assert.equal(kit.run, `java -cp ${PGJDBC_JAR} Connect.java`);
      const ok = await runShell(kit.run, out);
      assert.equal(ok.status, 0, `${kit.run}: ${ok.stderr}`);
      assert.equal(ok.stdout.trim().split('\n').pop(), '1', ok.stdout);

      for (const [what, dir, caDir] of [
        ['expired', expired, expired],
        ['another CA', otherCa, certs],
      ] as const) {
        const bad = tmpDir(`crdb-tls-kit-${client}-bad-`);
        const { kit: k } = await connect(client, url(port(), dir, caDir), bad);
        const r = await runShell(k.run, bad);
        assert.notEqual(r.status, 0, `${client} connected with a client certificate (${what})`);
        assert.doesNotMatch(r.stdout.trim(), /^1$/m);
        assert.ok(r.stderr.trim().length > 0, `${client} printed no error (${what})`);
      }
    });
  }

  it("prisma: the sslidentity PKCS#12 holds the client's key and certificate (openssl) and pgjdbc logs in with it", async () => {
    const out = tmpDir('crdb-tls-kit-prisma-');
    const { kit } = await connect('prisma', url(port(), certs), out);
    const u = /DATABASE_URL="([^"]+)"/.exec(kit.snippet)?.[1];
    assert.ok(u, kit.snippet);
    const params = new URL(u).searchParams;
    assert.equal(params.get('sslmode'), 'require');
    assert.equal(params.get('sslaccept'), 'strict');
    assert.equal(params.get('sslcert'), join(certs, 'ca.crt'), "Prisma's sslcert is the CA");
    const p12 = params.get('sslidentity');
    const password = params.get('sslpassword');
    assert.ok(p12 && password);
    assert.deepEqual(
      kit.files.map((f) => [f.path, f.status, f.mode]),
      [
        [p12, 'write', '0600'],
        [join(out, 'schema.prisma'), 'write', '0644'],
        [join(out, '.env'), 'write', '0600'],
      ],
    );
    // --out writes the whole program: connect.js, the schema prisma generate reads, and the .env with DATABASE_URL.
    assert.equal(readFileSync(join(out, '.env'), 'utf8'), `DATABASE_URL=${JSON.stringify(u)}\n`);
    assert.equal(statSync(join(out, '.env')).mode & 0o777, 0o600);
    assert.match(
      readFileSync(join(out, 'schema.prisma'), 'utf8'),
      /^generator client \{\n {2}provider = "prisma-client-js"\n\}\n\ndatasource db \{\n {2}provider = "cockroachdb"\n {2}url {6}= env\("DATABASE_URL"\)\n\}\n$/,
    );
    assert.equal(kit.run, 'npx prisma generate && node connect.js');
    const dump = openssl(['pkcs12', '-in', p12, '-passin', `pass:${password}`, '-nodes']).stdout;
    const cert = openssl(['x509', '-noout', '-fingerprint', '-sha256'], { input: dump }).stdout;
    assert.equal(cert, openssl(['x509', '-noout', '-fingerprint', '-sha256', '-in', join(certs, 'client.alice.crt')]).stdout);
    const keyPub = openssl(['pkey', '-pubout'], { input: dump }).stdout;
    assert.equal(keyPub, openssl(['pkey', '-pubout', '-in', join(certs, 'client.alice.key')]).stdout);
    assert.notEqual(openssl(['pkcs12', '-in', p12, '-passin', 'pass:wrong', '-nodes'], { allowFail: true }).status, 0);

    // pgjdbc reads a .p12 sslkey as a PKCS#12 keystore: the JDBC kit's program with the Prisma identity.
    const jdir = tmpDir('crdb-tls-kit-p12-jdbc-');
    const { kit: j } = await connect('jdbc', url(port(), certs), jdir);
    const program = j.program.replace(/sslkey=[^"&]+/, `sslkey=${encodeURIComponent(p12)}&sslpassword=${encodeURIComponent(password)}`);
    assert.notEqual(program, j.program);
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(jdir, 'Connect.java'), program);
    const r = await runShell(j.run, jdir);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), '1');
  });

  it('cockroach-sql, sqlalchemy and dbeaver (not runnable here): the structure of the snippet and the program', async () => {
    const u = url(port(), certs);
    const c = (await connect('cockroach-sql', u)).kit;
    assert.match(c.program, /^exec cockroach-sql --url '[^']+' --format=csv -e 'SELECT 1'$/m);
    const cu = new URL(c.snippet);
    assert.equal(cu.searchParams.get('sslmode'), 'verify-full');
    assert.equal(cu.searchParams.get('sslrootcert'), join(certs, 'ca.crt'));
    assert.equal(cu.searchParams.get('sslkey'), join(certs, 'client.alice.key'));

    const s = (await connect('sqlalchemy', u)).kit;
    const su = new URL(s.snippet);
    assert.equal(su.protocol, 'cockroachdb:');
    assert.equal(su.username, 'alice');
    assert.equal(su.searchParams.get('sslmode'), 'verify-full');
    assert.equal(su.searchParams.get('sslcert'), join(certs, 'client.alice.crt'));
    assert.ok(s.program.includes(`create_engine(${JSON.stringify(s.snippet)})`));
    // The same URL with postgresql:// is what psycopg2 (which the dialect uses) reads, and it connects (above).
    assert.equal(findConnStrings(s.snippet.replace(/^cockroachdb:/, 'postgresql:')).length, 1);

    const d = (await connect('dbeaver', u)).kit;
    assert.match(d.snippet, /SSL mode: verify-full/);
    assert.match(d.snippet, new RegExp(`Client private key: ${join(certs, 'client.alice.key.pk8').replace(/[+#&.]/g, '\\$&')}`));
    assert.match(d.snippet, new RegExp(`Root certificate: ${join(certs, 'ca.crt').replace(/[+#&.]/g, '\\$&')}`));
  });

  it('jdbc reuses client.<user>.key.pk8 when it exists and belongs to the certificate', async () => {
    const pk = await makeCertsDir({ users: ['alice'], pkcs8: true });
    const { kit } = await connect('jdbc', url(port(), pk.certsDir));
    assert.deepEqual(
      kit.files.map((f) => [f.path, f.status]),
      [[join(pk.certsDir, 'client.alice.key.pk8'), 'reused']],
    );
  });
});
