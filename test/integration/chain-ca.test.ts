/**
 * A node or client certificate that does not chain to the CA file that must sign it, the usual
 * state after someone creates the CA again (same name O=Cockroach, CN=Cockroach CA, new key):
 * cert list, inspect and lint must say so, with openssl verify agreeing on the same files.
 */
import { strict as assert } from 'node:assert';
import { appendFileSync, chmodSync, copyFileSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCa, createClient, createClientCa, createNode } from '../../src/core/certsdir/create';
import type { CertEntry } from '../../src/core/certsdir/list';
import { CertsFixture, makeCertsDir } from '../support/certs';
import { crdbTls, openssl } from '../support/exec';
import { tmpDir } from '../support/tmp';

function list(dir: string): CertEntry[] {
  const r = crdbTls(['cert', 'list', '--certs-dir', dir, '--json']);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as CertEntry[];
}

function entry(entries: CertEntry[], file: string): CertEntry {
  const e = entries.find((x) => x.certFile === file);
  assert.ok(e, `${file} listed`);
  return e;
}

/** openssl verify of `leaf` against `caFile`: true when it says OK. */
function opensslVerifies(caFile: string, leaf: string): boolean {
  return openssl(['verify', '-CAfile', caFile, leaf], { allowFail: true }).status === 0;
}

/** A key id as `openssl x509 -ext` prints it (uppercase colon hex). */
function opensslKeyId(path: string, ext: 'subjectKeyIdentifier' | 'authorityKeyIdentifier'): string {
  const out = openssl(['x509', '-in', path, '-noout', '-ext', ext]).stdout;
  const m = /([0-9A-F]{2}(?::[0-9A-F]{2})+)/.exec(out);
  assert.ok(m, out);
  return m[1];
}

/** Every node and client certificate of the dir: checked against its CA file, and our verdict is openssl's. */
function assertAgreesWithOpenssl(dir: string): CertEntry[] {
  const entries = list(dir);
  const leaves = entries.filter((e) => e.usage === 'Node' || e.usage === 'Client');
  assert.ok(leaves.length > 0);
  for (const e of leaves) {
    assert.ok(e.chain, `${e.certFile} is checked`);
    const verified = opensslVerifies(join(dir, e.chain.caFile), e.certPath);
    assert.equal(
      e.chain.signedBy !== null,
      verified,
      `${e.certFile} against ${e.chain.caFile}: openssl verify says ${verified ? 'OK' : 'no'}; we say signed by ${e.chain.signedBy}`,
    );
    assert.equal(
      e.errors.some((x) => x.includes('does not chain to')),
      !verified,
      `${e.certFile}: ${e.errors.join(' | ')}`,
    );
  }
  return entries;
}

describe('a certificate from another CA of the same name: list, inspect and lint agree with openssl verify', function () {
  this.timeout(120_000);
  let a: CertsFixture;
  let ca1: string;
  let other: string;

  before(async () => {
    a = await makeCertsDir({ users: ['root'] }); // dir A: CA1, node.crt and client.root.crt from CA1
    ca1 = readFileSync(join(a.certsDir, 'ca.crt'), 'utf8');
    const b = await makeCertsDir({ users: [] }); // CA2: the same name, another key
    copyFileSync(join(b.certsDir, 'ca.crt'), join(a.certsDir, 'ca.crt'));
    // And a client certificate from a CA of another name, made with openssl.
    other = tmpDir();
    const o = (...args: string[]) => openssl(args);
    o(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      join(other, 'other.key'),
      '-out',
      join(other, 'other.crt'),
      '-subj',
      '/O=Other/CN=Other CA',
      '-days',
      '30',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign',
    );
    o(
      'req',
      '-new',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      join(a.certsDir, 'client.eve.key'),
      '-out',
      join(other, 'eve.csr'),
      '-subj',
      '/O=Cockroach/CN=eve',
    );
    o(
      'x509',
      '-req',
      '-in',
      join(other, 'eve.csr'),
      '-CA',
      join(other, 'other.crt'),
      '-CAkey',
      join(other, 'other.key'),
      '-set_serial',
      '7',
      '-days',
      '20',
      '-out',
      join(a.certsDir, 'client.eve.crt'),
    );
  });

  it('cert list: node.crt and client.root.crt do not chain to ca.crt; the message names the key ids openssl shows, and the fix', () => {
    const entries = assertAgreesWithOpenssl(a.certsDir);
    assert.deepEqual(
      entries.filter((e) => e.chain).map((e) => [e.certFile, e.chain?.caFile, e.chain?.signedBy]),
      [
        ['node.crt', 'ca.crt', null],
        ['client.eve.crt', 'ca.crt', null],
        ['client.root.crt', 'ca.crt', null],
      ],
    );
    const caPath = join(a.certsDir, 'ca.crt');
    for (const file of ['node.crt', 'client.root.crt']) {
      const text = entry(entries, file).errors.join(' ');
      const aki = opensslKeyId(join(a.certsDir, file), 'authorityKeyIdentifier');
      const ski = opensslKeyId(caPath, 'subjectKeyIdentifier');
      assert.notEqual(aki, ski);
      assert.ok(
        text.includes(
          `does not chain to ${caPath}: its issuer CN=Cockroach CA, O=Cockroach is the name of the CA certificate in ca.crt, but not its key: ` +
            `its authority key id ${aki} is not that CA's subject key id ${ski}; it comes from another CA with the same name`,
        ),
        text,
      );
      assert.match(
        text,
        /Fix: re-issue it with the key of the first certificate of ca\.crt \("crdb-tls cert rotate-(node|client root) --certs-dir .*"; "crdb-tls cert reissue-all" does every node and client certificate\), or, while a CA rotation is under way, append the CA certificate that signed it to ca\.crt\./,
      );
    }
    assert.match(
      entry(entries, 'client.eve.crt').errors.join(' '),
      /does not chain to .*ca\.crt: no certificate in ca\.crt signed it \(its issuer CN=Other CA, O=Other is not that CA\)/,
    );
    assert.deepEqual(entry(entries, 'ca.crt').errors, [], 'the CA itself is fine');
    const table = crdbTls(['cert', 'list', '--certs-dir', a.certsDir]);
    assert.match(table.stdout, /Node +\| node\.crt .*does not chain to/);
  });

  it('inspect exits 1 and names the same CA and key ids; lint reports cert-wrong-ca with them', () => {
    const r = crdbTls(['inspect', join(a.certsDir, 'node.crt')]);
    assert.equal(r.status, 1, r.stdout);
    const aki = opensslKeyId(join(a.certsDir, 'node.crt'), 'authorityKeyIdentifier');
    assert.match(
      r.stdout,
      new RegExp(
        `has the issuer's name, but its key did not sign this certificate \\(its authority key id ${aki} is not that CA's subject key id [0-9A-F:]+\\)`,
      ),
    );

    const env = join(tmpDir(), 'app.env');
    writeFileSync(
      env,
      `DATABASE_URL=postgresql://root@localhost:26257/defaultdb?sslmode=verify-full&sslrootcert=${join(a.certsDir, 'ca.crt')}&sslcert=${join(a.certsDir, 'client.root.crt')}&sslkey=${join(a.certsDir, 'client.root.key')}\n`,
    );
    const l = crdbTls(['lint', '--json', env]);
    assert.equal(l.status, 1);
    const wrong = (JSON.parse(l.stdout) as { code: string; message: string }[]).find((f) => f.code === 'cert-wrong-ca');
    assert.ok(wrong, l.stdout);
    assert.match(wrong.message, new RegExp(`is the name of the CA certificate in ca\\.crt, but not its key: its authority key id ${aki} is not`));
  });

  it('the fix of a rotation (the old CA appended to ca.crt): openssl verify and cert list accept them, signed by certificate 2', () => {
    // A copy of dir A with CA1 appended after CA2.
    const dir = join(tmpDir(), 'certs');
    copyDir(a.certsDir, dir);
    appendFileSync(join(dir, 'ca.crt'), ca1);
    const entries = assertAgreesWithOpenssl(dir);
    assert.deepEqual(entry(entries, 'node.crt').chain, { caFile: 'ca.crt', signedBy: 1 });
    assert.deepEqual(entry(entries, 'client.root.crt').chain, { caFile: 'ca.crt', signedBy: 1 });
    assert.deepEqual(entry(entries, 'node.crt').errors, []);
    assert.equal(crdbTls(['inspect', join(dir, 'node.crt')]).status, 0);
  });

  it('a separate client CA: client certificates are checked against ca-client.crt, node.crt against ca.crt, as openssl verify does', async () => {
    const root = tmpDir();
    const dir = join(root, 'certs');
    const caKey = join(root, 'ca.key');
    await createCa({ certsDir: dir, caKey });
    await createNode({ certsDir: dir, caKey, hosts: ['localhost'] });
    await createClient({ certsDir: dir, caKey, user: 'bob' }); // from ca.crt: there is no client CA yet
    await createClientCa({ certsDir: dir, caKey: join(root, 'ca-client.key') });
    await createClient({ certsDir: dir, caKey: join(root, 'ca-client.key'), user: 'root' });
    const entries = assertAgreesWithOpenssl(dir);
    assert.deepEqual(
      entries.filter((e) => e.chain).map((e) => [e.certFile, e.chain?.caFile, e.chain?.signedBy]),
      [
        ['node.crt', 'ca.crt', 0],
        ['client.bob.crt', 'ca-client.crt', null],
        ['client.root.crt', 'ca-client.crt', 0],
      ],
    );
    assert.match(
      entry(entries, 'client.bob.crt').errors.join(' '),
      /does not chain to .*ca-client\.crt: .*rotate-client bob --certs-dir .* --ca-key <ca-client\.key>/,
    );
  });
});

/** Copies the files of a certs dir (no subfolders) to a new one, keeping modes. */
function copyDir(from: string, to: string): void {
  mkdirSync(to, { mode: 0o700 });
  for (const n of readdirSync(from)) {
    const st = statSync(join(from, n));
    if (!st.isFile()) continue;
    copyFileSync(join(from, n), join(to, n));
    chmodSync(join(to, n), st.mode & 0o777);
  }
}
