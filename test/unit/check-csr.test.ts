/**
 * The rules for certificates from another CA, without the CAs themselves: a certificate must be
 * for the key of the CSR create-csr wrote and keep every name it asked for (a CA that replaces the
 * SANs); the file-name sentence says where the loader looks, not "fix at the CA"; import refuses
 * on those failures and changes nothing; create-csr --overwrite backs up the key it replaces.
 */
import { strict as assert } from 'node:assert';
import { X509Certificate, generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkCertificate } from '../../src/core/certsdir/check';
import { createCsr } from '../../src/core/certsdir/csr';
import { applyImport, planImport } from '../../src/core/certsdir/import';
import { listBackups, defaultBackupRoot } from '../../src/core/certsdir/rotate';
import { buildCsr } from '../../src/core/pki/csr';
import { issueCertificate } from '../../src/core/pki/issue';
import { hashTree, tmpDir } from '../support/tmp';

const DAY_MS = 86_400_000;
const now = new Date();
const ecKey = () => generateKeyPairSync('ec', { namedCurve: 'P-256' });

async function makeCa() {
  const key = ecKey();
  const pem = await issueCertificate({ kind: 'ca', commonName: 'Outside CA', lifetimeMs: 30 * DAY_MS, now, publicKey: key.publicKey }, { key: key.privateKey });
  return { key, pem, cert: new X509Certificate(pem) };
}

describe('cert check against the CSR create-csr wrote', () => {
  let ca: Awaited<ReturnType<typeof makeCa>>;
  const nodeKey = ecKey();
  let csr: Buffer;
  const sign = (dns: string[], ip: string[], publicKey = nodeKey.publicKey) =>
    issueCertificate({ kind: 'node', commonName: 'node', lifetimeMs: DAY_MS, now, dns, ip, publicKey }, { cert: ca.cert, key: ca.key.privateKey });
  const check = (pem: string, extra: { csr?: Buffer; hosts?: string[] } = {}) =>
    checkCertificate({
      certFile: 'signed.crt',
      cert: Buffer.from(pem),
      role: { as: 'node' },
      ca: { file: 'ca.crt', bytes: Buffer.from(ca.pem) },
      installName: 'node.crt',
      ...(extra.csr ? { csr: { file: '/certs/node.csr', bytes: extra.csr } } : {}),
      ...(extra.hosts ? { hosts: extra.hosts } : {}),
      now,
    });

  before(async () => {
    ca = await makeCa();
    csr = Buffer.from(
      await buildCsr({ kind: 'node', commonName: 'node', dns: ['localhost', 'db.example.com'], ip: ['127.0.0.1', '::1'], key: nodeKey.privateKey }),
    );
  });

  it('passes a certificate signed with every name the request asked for (a wildcard covers a name as Go matches it)', async () => {
    assert.deepEqual(check(await sign(['localhost', 'db.example.com'], ['127.0.0.1', '::1']), { csr }).failures, []);
    assert.deepEqual(check(await sign(['localhost', '*.example.com'], ['127.0.0.1', '::1']), { csr }).failures, []);
  });

  it('names the names a CA dropped or replaced, and the fix at each CA', async () => {
    const replaced = await sign(['node'], []);
    // Without the CSR (and without --host) nothing would notice: that is the gap the rule closes.
    assert.deepEqual(check(replaced).failures, []);
    const r = check(replaced, { csr });
    assert.equal(r.ok, false);
    assert.deepEqual(
      r.failures.map((f) => [f.code, f.field]),
      [['csr-sans', 'subjectAltName']],
    );
    const m = r.failures[0].message;
    assert.match(m, /^signed\.crt: subjectAltName is node, which drops localhost, db\.example\.com, 127\.0\.0\.1, ::1 that node\.csr requested/);
    assert.match(m, /"certificate is valid for node, not localhost"/);
    for (const fix of [
      'easy-rsa sign-req with --copy-ext',
      'openssl ca -copy_extensions copy',
      'cfssl',
      '"hosts"',
      'Vault alt_names and ip_sans',
      'cert-manager dnsNames and ipAddresses',
    ])
      assert.ok(m.includes(fix), `${fix} in: ${m}`);
    // One name dropped: only that one is named.
    assert.match(check(await sign(['localhost', 'db.example.com'], ['127.0.0.1']), { csr }).failures[0]?.message ?? '', /which drops ::1 that node\.csr/);
  });

  it('a name both --host and the request ask for is reported once, by the --host rule', async () => {
    const r = check(await sign(['node'], []), { csr, hosts: ['localhost'] });
    assert.deepEqual(
      r.failures.map((f) => f.code),
      ['host', 'csr-sans'],
    );
    assert.doesNotMatch(r.failures[1].message, /drops localhost/);
  });

  it('a certificate for another key than the request is refused; an unreadable request says so', async () => {
    const other = ecKey();
    const r = check(await sign(['localhost', 'db.example.com'], ['127.0.0.1', '::1'], other.publicKey), { csr });
    assert.deepEqual(
      r.failures.map((f) => f.code),
      ['csr-key'],
    );
    assert.match(r.failures[0].message, /public key is not the key node\.csr requests a certificate for.*sign node\.csr itself/);
    const bad = check(await sign(['localhost'], []), { csr: Buffer.from('not a request') });
    assert.deepEqual(
      bad.failures.map((f) => f.code),
      ['csr'],
    );
    assert.match(bad.failures[0].message, /\/certs\/node\.csr cannot be read/);
  });

  it('the file-name sentence names the name the loader expects and cert import, not a fix at the CA', async () => {
    const r = checkCertificate({ certFile: '/x/tls.crt', cert: Buffer.from(await sign(['localhost'], [])), role: { as: 'node' }, now });
    const f = r.failures.find((x) => x.code === 'file-name');
    assert.ok(f, JSON.stringify(r.failures));
    assert.equal(
      f.message,
      '/x/tls.crt: file name tls.crt is not node.crt, the name a node certificate needs: CockroachDB skips it as a bad filename (unknown prefix "tls"). ' +
        'Install it as node.crt, the name CockroachDB\'s loader expects: "crdb-tls cert import --as node" installs it under that name (nothing to change at the CA).',
    );
  });
});

describe('cert import with the CSR in the certs dir, and create-csr --overwrite', function () {
  this.timeout(30_000);

  it('refuses a certificate whose SANs the CA replaced, changing nothing; with the names kept it installs', async () => {
    const ca = await makeCa();
    const d = join(tmpDir(), 'certs');
    mkdirSync(d, { mode: 0o700 });
    const made = await createCsr({ certsDir: d, kind: 'node', hosts: ['localhost', '127.0.0.1'], keyType: 'ecdsa' });
    const key = { file: made.keyPath, bytes: readFileSync(made.keyPath) };
    const { createPrivateKey, createPublicKey } = await import('node:crypto');
    const publicKey = createPublicKey(createPrivateKey(key.bytes));
    const issue = (dns: string[], ip: string[]) =>
      issueCertificate({ kind: 'node', commonName: 'node', lifetimeMs: DAY_MS, now, dns, ip, publicKey }, { key: ca.key.privateKey, cert: ca.cert });
    const source = async (dns: string[], ip: string[]) => ({
      cert: { file: 'signed.crt', bytes: Buffer.from(await issue(dns, ip)) },
      key,
      ca: { file: 'ca.crt', bytes: Buffer.from(ca.pem) },
    });
    const before = hashTree(d);
    const plan = planImport({ certsDir: d, role: { as: 'node' }, source: await source(['node'], []), now });
    assert.equal(plan.ok, false);
    assert.deepEqual(
      plan.failures.map((f) => f.code),
      ['csr-sans'],
    );
    assert.throws(() => applyImport(plan), /import refused.*nothing was changed.*drops localhost, 127\.0\.0\.1 that node\.csr requested/);
    assert.equal(hashTree(d), before);
    // --host goes to the same check.
    const hosted = planImport({ certsDir: d, role: { as: 'node' }, source: await source(['localhost'], ['127.0.0.1']), hosts: ['db.example.com'], now });
    assert.deepEqual(
      hosted.failures.map((f) => f.code),
      ['host'],
    );
    const good = planImport({ certsDir: d, role: { as: 'node' }, source: await source(['localhost'], ['127.0.0.1']), now });
    assert.deepEqual(good.failures, []);
    applyImport(good);
    assert.ok(existsSync(join(d, 'node.crt')));
  });

  it('--overwrite backs up the key and CSR it replaces (cert backups lists them) and names the certificate that no longer matches', async () => {
    const d = join(tmpDir(), 'certs');
    mkdirSync(d, { mode: 0o700 });
    await createCsr({ certsDir: d, kind: 'client', user: 'Bob', keyType: 'ecdsa' });
    const oldKey = readFileSync(join(d, 'client.bob.key'));
    await assert.rejects(createCsr({ certsDir: d, kind: 'client', user: 'bob', keyType: 'ecdsa' }), /file exists: .*client\.bob\.key; rerun with --overwrite/);
    writeFileSync(join(d, 'client.bob.crt'), 'the certificate of the old key');
    const r = await createCsr({ certsDir: d, kind: 'client', user: 'bob', keyType: 'ecdsa', overwrite: true });
    assert.notDeepEqual(readFileSync(join(d, 'client.bob.key')), oldKey);
    assert.deepEqual(
      r.files.map((f) => [f.what, f.action]),
      [
        ['key', 'replace'],
        ['csr', 'replace'],
      ],
    );
    assert.equal(r.staleCert, join(d, 'client.bob.crt'));
    assert.ok(r.backup);
    const listed = listBackups(defaultBackupRoot(d), d);
    assert.deepEqual(
      listed.map((b) => b.id),
      [r.backup.id],
    );
    assert.deepEqual(readFileSync(join(r.backup.dir, listed[0].files.find((f) => f.path.endsWith('client.bob.key'))?.copy ?? 'missing')), oldKey);
    // A first CSR replaces nothing: no backup.
    const fresh = await createCsr({ certsDir: d, kind: 'client', user: 'carol', keyType: 'ecdsa' });
    assert.equal(fresh.backup, undefined);
    assert.equal(fresh.staleCert, undefined);
  });
});
