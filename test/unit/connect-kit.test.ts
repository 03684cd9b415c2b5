/** The client kit's builders and the client-dependent lint rules, on strings alone (no server). */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { runConnect } from '../../src/cli/connect';
import { buildClientKit, kitJson } from '../../src/core/connstr/clients/kit';
import { CLIENTS } from '../../src/core/connstr/clients/table';
import { CLIENT_IDS, ClientId } from '../../src/core/connstr/clients/types';
import { lintText } from '../../src/core/connstr/lint';
import { makeCertsDir } from '../support/certs';
import { tmpDir } from '../support/tmp';

const opts = { cwd: '/', newPassword: () => 'pw' };
const codes = (text: string, o = {}) => lintText(text, { now: new Date(), ...o }).flatMap((r) => r.findings.map((f) => f.code));
const WIN = 'postgresql://alice@db.example:26257/defaultdb?sslmode=verify-full&sslrootcert=C%3A%5Ccerts%5Cca.crt';

describe('client kit', function () {
  this.timeout(20_000);

  it('every client: verify-full (Prisma: require + sslaccept=strict), the JSON fields exactly, no key material', async () => {
    const fx = await makeCertsDir({ users: ['alice'] });
    const q = (f: string) => encodeURIComponent(join(fx.certsDir, f));
    const url = `postgresql://alice@localhost:26257/defaultdb?sslmode=require&sslrootcert=${q('ca.crt')}&sslcert=${q('client.alice.crt')}&sslkey=${q('client.alice.key')}`;
    for (const id of CLIENT_IDS) {
      const { kit, findings } = await buildClientKit(id, url, opts);
      assert.deepEqual(Object.keys(kitJson(kit)), ['client', 'language', 'snippet', 'program', 'programFile', 'run', 'files', 'notes'], id);
      assert.equal(kit.language, CLIENTS[id].language);
      assert.doesNotMatch(JSON.stringify(kitJson(kit)), /PRIVATE KEY|BEGIN CERTIFICATE/, id);
      const verify = id === 'prisma' ? /sslmode=require&sslaccept=strict/ : id === 'typeorm' ? /ssl: \{ ca: fs\.readFileSync/ : /verify-full/;
      assert.match(kit.snippet, verify, id);
      assert.ok(!findings.some((f) => f.code === 'sslmode-require'), `${id}: the kit's snippet resolves sslmode=require`);
      assert.ok(
        kit.notes.some((n) => /sslmode=require does not verify the server.*verify-full/.test(n)),
        `${id}: a note says the kit replaced sslmode=require`,
      );
      assert.ok(kit.notes.length > 0 && kit.run.length > 0, id);
    }
  });

  it('Windows paths: percent-encoded in URLs, escaped in literals, as written in DBeaver settings', async () => {
    const psql = (await buildClientKit('psql', WIN, opts)).kit;
    assert.match(psql.snippet, /sslrootcert=C%3A%5Ccerts%5Cca\.crt/);
    assert.ok(psql.notes.some((n) => /Windows paths/.test(n)));
    const jdbc = (await buildClientKit('jdbc', WIN, opts)).kit;
    assert.match(jdbc.snippet, /^jdbc:postgresql:\/\/db\.example:26257\/defaultdb\?user=alice&sslmode=verify-full&sslrootcert=C%3A%5Ccerts%5Cca\.crt$/);
    const typeorm = (await buildClientKit('typeorm', WIN, opts)).kit;
    assert.ok(typeorm.program.includes('fs.readFileSync("C:\\\\certs\\\\ca.crt")'), typeorm.program);
    const dbeaver = (await buildClientKit('dbeaver', WIN, opts)).kit;
    assert.match(dbeaver.snippet, /Root certificate: C:\\certs\\ca\.crt/);
    const ruby = (await buildClientKit('ruby-pg', 'postgresql://u@h:26257/d?sslmode=verify-full&sslrootcert=/c/o%27neil/ca.crt', opts)).kit;
    assert.match(ruby.program, /PG\.connect\('postgresql:\/\/u@h:26257\/d\?sslmode=verify-full&sslrootcert=\/c\/o%27neil\/ca\.crt'\)/);
    assert.match(
      (await buildClientKit('ruby-pg', 'postgresql://u@h:26257/d?sslmode=verify-full&sslrootcert=/c/ca.crt', opts)).kit.program,
      /PG\.connect\('postgresql:\/\/u@h:26257\/d\?sslmode=verify-full&sslrootcert=\/c\/ca\.crt'\)/,
    );
  });

  it('refuses what cannot connect with verify-full: no user, no sslrootcert, sslrootcert=system for a client without it', async () => {
    await assert.rejects(buildClientKit('psql', 'postgresql://h:26257/d?sslrootcert=/c/ca.crt', opts), /names no user/);
    await assert.rejects(buildClientKit('psql', 'postgresql://u@h:26257/d?sslmode=verify-full', opts), /no sslrootcert/);
    await assert.rejects(
      buildClientKit('node-pg', 'postgresql://u@h:26257/d?sslmode=verify-full&sslrootcert=system', opts),
      /does not support sslrootcert=system/,
    );
    assert.match((await buildClientKit('psql', 'postgresql://u@h:26257/d?sslmode=verify-full&sslrootcert=system', opts)).kit.snippet, /sslrootcert=system/);
  });

  it('a raw Windows path that cuts the URL short is refused with the whole string percent-encoded, never built from the cut-off part', async () => {
    const q = 'postgresql://alice@db:26257/d?sslmode=verify-full&sslrootcert=';
    const url = `${q}C:\\certs\\ca.crt&sslcert=C:\\certs\\client.alice.crt&sslkey=C:\\certs\\client.alice.key`;
    let printed: string[] | undefined;
    const err = await buildClientKit('psql', url, { ...opts, onFindings: (f) => (printed = f.map((x) => x.code)) }).then(
      () => assert.fail('built a kit from a cut-off URL'),
      (e: Error) => e,
    );
    assert.equal(err.name, 'UserError');
    assert.match(err.message, /^sslrootcert holds a raw Windows path \("C:\\\\certs\\\\ca\.crt"\), and the URL ends at its drive letter's ":"/);
    assert.ok(err.message.endsWith(`${q}C%3A%5Ccerts%5Cca.crt&sslcert=C%3A%5Ccerts%5Cclient.alice.crt&sslkey=C%3A%5Ccerts%5Cclient.alice.key`), err.message);
    assert.doesNotMatch(err.message, /\n/, 'one line');
    assert.equal(printed, undefined, 'no findings about the cut-off string (a file named "C")');
    // A UNC path and a JDBC URL (its %20 kept as written); the encoded form builds.
    await assert.rejects(buildClientKit('pgx', `${q}\\\\srv\\share\\ca.crt`, opts), /sslrootcert=%5C%5Csrv%5Cshare%5Cca\.crt$/);
    await assert.rejects(
      buildClientKit('jdbc', 'jdbc:postgresql://db:26257/d?user=alice&sslrootcert=D:\\my%20certs\\ca.crt&sslmode=verify-full', opts),
      /sslrootcert holds a raw Windows path.*sslrootcert=D%3A%5Cmy%20certs%5Cca\.crt&sslmode=verify-full$/,
    );
    const fixed = err.message.slice(err.message.indexOf('postgresql://'));
    assert.match(
      (await buildClientKit('psql', fixed, opts)).kit.snippet,
      /sslrootcert=C%3A%5Ccerts%5Cca\.crt&sslcert=C%3A%5Ccerts%5Cclient\.alice\.crt&sslkey=C%3A/,
    );
    // A drive letter with "/" does not cut the URL: built, with the path as Windows writes it.
    assert.match((await buildClientKit('psql', `${q}C:/certs/ca.crt`, opts)).kit.snippet, /sslrootcert=C%3A%5Ccerts%5Cca\.crt$/);
  });

  it('prints only the findings that apply to the string as written and that the kit does not resolve', async () => {
    const fx = await makeCertsDir({ users: ['alice'] });
    const q = (f: string) => encodeURIComponent(join(fx.certsDir, f));
    const url = `postgresql://alice@localhost:26257/d?sslmode=verify-full&sslrootcert=${q('ca.crt')}&sslcert=${q('client.alice.crt')}&sslkey=${q('client.alice.key')}`;
    for (const id of ['prisma', 'jdbc', 'dbeaver'] as const) {
      let printed: string[] = [];
      const { findings } = await buildClientKit(id, url, { ...opts, onFindings: (f) => (printed = f.map((x) => x.code)) });
      assert.deepEqual(printed, [], `${id}: a libpq URL is right as written; the kit makes the .pk8 / the PKCS#12 identity itself`);
      assert.deepEqual(findings, []);
    }
    // The rules still fire on the same string for the client itself (what the kit resolves), and a problem of the files is still printed.
    assert.ok(codes(url, { client: 'prisma' }).includes('prisma-sslcert-client-cert'));
    assert.ok(codes(url, { client: 'jdbc' }).includes('jdbc-key-format'));
    const missing = url.replace(q('ca.crt'), q('no-such-ca.crt'));
    for (const id of ['prisma', 'jdbc'] as const) {
      let printed: string[] = [];
      await buildClientKit(id, missing, { ...opts, onFindings: (f) => (printed = f.map((x) => x.code)) }).catch(() => undefined);
      assert.deepEqual(printed, ['file-missing'], id);
    }
  });

  it("prisma: --out's PKCS#12 is reused while it opens with the .env's password and holds the certificate, else replaced after a backup", async () => {
    const fx = await makeCertsDir({ users: ['alice'] });
    const other = await makeCertsDir({ users: ['alice'] });
    const url = (dir: string) =>
      `postgresql://alice@localhost:26257/d?sslmode=verify-full&sslrootcert=${dir}/ca.crt&sslcert=${dir}/client.alice.crt&sslkey=${dir}/client.alice.key`;
    const out = join(tmpDir(), 'out');
    let n = 0;
    const cli = async (dir: string) => {
      let text = '';
      let err = '';
      const code = await runConnect(['prisma', '--url', url(dir), '--out', out, '--json'], {
        out: (x) => (text += x),
        err: (x) => (err += x),
        env: {},
        cwd: '/',
      });
      assert.equal(code, 0);
      n++;
      const kit = JSON.parse(text) as { snippet: string; files: { path: string; status: string }[] };
      return { kit, err, password: /sslpassword=([^"&]+)/.exec(kit.snippet)![1], p12: readFileSync(join(out, 'client.alice.p12')) };
    };
    const first = await cli(fx.certsDir);
    assert.equal(first.kit.files[0].status, 'write');
    const again = await cli(fx.certsDir);
    assert.deepEqual(
      again.kit.files.map((f) => [basename(f.path), f.status]),
      [
        ['client.alice.p12', 'reused'],
        ['schema.prisma', 'write'],
        ['.env', 'write'],
      ],
    );
    assert.equal(again.password, first.password, 'the stored password');
    assert.ok(again.p12.equals(first.p12), 'the file is kept byte for byte');
    assert.equal(again.err, '', 'nothing replaced, nothing backed up');
    // Another certificate: the identity no longer holds it, so a new one (new password), the old one backed up.
    const moved = await cli(other.certsDir);
    assert.equal(moved.kit.files[0].status, 'write');
    assert.notEqual(moved.password, first.password);
    assert.match(moved.err, /backed up .*client\.alice\.p12.* to .*out\.backups/);
    const backups = readdirSync(join(dirname(out), 'out.backups'), { recursive: true }).map(String);
    assert.ok(
      backups.some((b) => b.endsWith('client.alice.p12')),
      backups.join(', '),
    );
    // A .env whose password does not open the file: replaced too.
    writeFileSync(join(out, '.env'), readFileSync(join(out, '.env'), 'utf8').replace(/sslpassword=[^"&]+/, 'sslpassword=wrong'));
    assert.equal((await cli(other.certsDir)).kit.files[0].status, 'write');
    assert.equal(n, 4);
    // A .env that is a pipe is input like any other: refused in one line, never read (no hang).
    rmSync(join(out, '.env'));
    execFileSync('mkfifo', [join(out, '.env')]);
    await assert.rejects(
      runConnect(['prisma', '--url', url(other.certsDir), '--out', out], { out: () => undefined, err: () => undefined, env: {}, cwd: '/' }),
      (e: Error) => e.name !== 'TypeError' && /\.env is a FIFO \(named pipe\), not a regular file: .*Prisma's \.env\.$/.test(e.message),
    );
    // And where no identity is stored yet: the file --out would replace is checked the same way.
    const fresh = join(tmpDir(), 'fresh');
    mkdirSync(fresh);
    execFileSync('mkfifo', [join(fresh, '.env')]);
    await assert.rejects(
      runConnect(['prisma', '--url', url(other.certsDir), '--out', fresh], { out: () => undefined, err: () => undefined, env: {}, cwd: '/' }),
      /fresh\/\.env is a FIFO \(named pipe\), not a regular file: .*--out\.$/,
    );
  });

  it('run commands name what they need: Go in GOPATH mode, Java with the pgjdbc jar on the class path', async () => {
    const u = 'postgresql://u@h:26257/d?sslmode=verify-full&sslrootcert=/c/ca.crt';
    assert.equal((await buildClientKit('pgx', u, opts)).kit.run, 'GO111MODULE=off go run connect.go');
    assert.equal((await buildClientKit('lib-pq', u, opts)).kit.run, 'GO111MODULE=off go run connect.go');
    assert.equal(
      (await buildClientKit('jdbc', u, { ...opts, pgjdbcJar: '/opt/my jars/pgjdbc.jar' })).kit.run,
      "java -cp '/opt/my jars/pgjdbc.jar' Connect.java",
    );
    assert.equal((await buildClientKit('dbeaver', u, { ...opts, pgjdbcJar: '/j/postgresql.jar' })).kit.run, 'java -cp /j/postgresql.jar Connect.java');
  });

  it('key=value and JDBC input give the same target', async () => {
    const a = (await buildClientKit('pgx', 'host=h port=26000 user=u dbname=d sslmode=verify-full sslrootcert=/c/ca.crt', opts)).kit;
    const b = (await buildClientKit('pgx', 'jdbc:postgresql://h:26000/d?user=u&sslmode=verify-full&sslrootcert=/c/ca.crt', opts)).kit;
    assert.equal(a.snippet, 'postgresql://u@h:26000/d?sslmode=verify-full&sslrootcert=/c/ca.crt');
    assert.equal(b.snippet, a.snippet);
  });
});

describe('client lint rules', () => {
  it("jdbc-key-format: a PEM key given to a Java client (a jdbc: URL, or connect's client jdbc/dbeaver)", async () => {
    const fx = await makeCertsDir({ users: ['alice'] });
    const u = `postgresql://alice@localhost:26257/d?sslmode=verify-full&sslrootcert=${fx.certsDir}/ca.crt&sslcert=${fx.certsDir}/client.alice.crt&sslkey=${fx.certsDir}/client.alice.key`;
    assert.ok(!codes(u).includes('jdbc-key-format'));
    assert.ok(codes(u, { client: 'dbeaver' }).includes('jdbc-key-format'));
    assert.ok(codes(u.replace(/^postgresql/, 'jdbc:postgresql')).includes('jdbc-key-format'));
  });

  it("prisma-sslcert-client-cert: a client certificate as Prisma's sslcert, with the fix to the CA", async () => {
    const fx = await makeCertsDir({ users: ['alice'] });
    const u = `postgresql://alice@localhost:26257/d?sslmode=require&sslrootcert=${fx.certsDir}/ca.crt&sslcert=${fx.certsDir}/client.alice.crt&sslidentity=x.p12`;
    const f = lintText(u, { now: new Date() })[0].findings.find((x) => x.code === 'prisma-sslcert-client-cert');
    assert.ok(f);
    assert.equal(f.fixes[0].kind === 'edit' && f.fixes[0].edits[0].newText, `${fx.certsDir}/ca.crt`);
    assert.ok(!codes(u.replace('client.alice.crt', 'ca.crt')).includes('prisma-sslcert-client-cert'));
    assert.ok(!codes(u.replace('&sslidentity=x.p12', '')).includes('prisma-sslcert-client-cert'), 'libpq reads sslcert as the client cert');
  });

  it('rootcert-system-unsupported: pgjdbc and node-pg, not libpq', () => {
    const u = 'postgresql://u@h:26257/d?sslmode=verify-full&sslrootcert=system';
    assert.ok(codes(u, { client: 'node-pg' as ClientId }).includes('rootcert-system-unsupported'));
    assert.ok(codes(`jdbc:${u}`).includes('rootcert-system-unsupported'));
    assert.ok(!codes(u).includes('rootcert-system-unsupported'));
    assert.ok(!codes(u, { client: 'psql' }).includes('rootcert-system-unsupported'));
  });

  it('path-windows-unencoded: a raw drive letter or backslash in a URL, fixed by percent-encoding', () => {
    const u = 'postgresql://u@h:26257/d?sslmode=verify-full&sslrootcert=C:\\certs\\ca.crt';
    const f = lintText(u, { now: new Date() })[0].findings.find((x) => x.code === 'path-windows-unencoded');
    assert.ok(f);
    assert.equal(f.fixes[0].kind === 'edit' && f.fixes[0].edits[0].newText, 'C%3A%5Ccerts%5Cca.crt');
    assert.ok(!codes(WIN).includes('path-windows-unencoded'));
    assert.ok(!codes("host=h user=u sslmode=verify-full sslrootcert='C:\\certs\\ca.crt'").includes('path-windows-unencoded'));
    // A drive letter with "/" (either case), and what is not Windows: a POSIX path, a one-letter relative file, an encoded path.
    const q = 'postgresql://u@h:26257/d?sslmode=verify-full&sslrootcert=';
    for (const p of ['C:/certs/ca.crt', 'c:/certs/ca.crt']) assert.ok(codes(q + p).includes('path-windows-unencoded'), p);
    for (const p of ['/c/ca.crt', 'c', 'certs/ca.crt', 'C%3A%5Cca.crt']) assert.ok(!codes(q + p).includes('path-windows-unencoded'), p);
  });

  it('path-windows-unencoded: the same verdicts for strings in one document as for each alone (any parameter order)', () => {
    const q = 'postgresql://u@h:26257/d?sslmode=verify-full';
    const strings = [
      `${q}&sslrootcert=/c/ca.crt&sslcert=/c/client.u.crt`,
      `${q}&sslcert=C:\\c\\client.u.crt&sslrootcert=/c/ca.crt`,
      `${q}&sslrootcert=/c/ca.crt&sslkey=/c/client.u.key`,
      `${q}&sslkey=/c/client.u.key&sslrootcert=D:/c/ca.crt`,
      `${q}&sslrootcert=/c/ca.crt`,
    ];
    const alone = strings.map((u) => codes(u).includes('path-windows-unencoded'));
    assert.deepEqual(alone, [false, true, false, true, false]);
    const doc = lintText(strings.map((u) => `url: ${u}`).join('\n'), { now: new Date() });
    assert.deepEqual(
      doc.map((c) => c.findings.some((f) => f.code === 'path-windows-unencoded')),
      alone,
    );
  });

  it('libpq-default-client-files: ~/.postgresql/postgresql.crt exists and the string names no sslcert', () => {
    const home = tmpDir();
    const u = 'postgresql://u@h:26257/d?sslmode=verify-full&sslrootcert=/c/ca.crt';
    assert.ok(!codes(u, { home }).includes('libpq-default-client-files'));
    mkdirSync(join(home, '.postgresql'));
    writeFileSync(join(home, '.postgresql', 'postgresql.crt'), '');
    const f = lintText(u, { now: new Date(), home })[0].findings.find((x) => x.code === 'libpq-default-client-files');
    assert.ok(f);
    assert.equal(
      f.fixes[0].kind === 'edit' && f.fixes[0].edits[0].newText,
      `&sslcert=${home}/.postgresql/postgresql.crt&sslkey=${home}/.postgresql/postgresql.key`,
    );
    assert.ok(!codes(u, { home, client: 'node-pg' }).includes('libpq-default-client-files'), 'node-postgres reads no default files');
  });
});
