import { strict as assert } from 'node:assert';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { X509Certificate, createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { issueCertificate } from '../../src/core/pki/issue';
import { listCertsDir, CertEntry } from '../../src/core/certsdir/list';
import { createCa, createNode } from '../../src/core/certsdir/create';
import { makeCertsDir, CertsFixture } from '../support/certs';
import { tmpDir } from '../support/tmp';
import { FileCache } from '../../src/core/cache';

const DAY = 86_400_000;
const byFile = (entries: CertEntry[], f: string) => {
  const e = entries.find((x) => x.certFile === f);
  assert.ok(e, `${f} listed`);
  return e;
};

describe('listing a certs dir (cockroach cert list)', function () {
  let fx: CertsFixture;
  before(async () => {
    fx = await makeCertsDir({ users: ['root', 'app.reader'] });
  });

  it("lists CA, node and clients in cockroach's order with their fields", () => {
    const entries = listCertsDir(fx.certsDir);
    assert.deepEqual(
      entries.map((e) => [e.usage, e.certFile, e.keyFile]),
      [
        ['CA', 'ca.crt', null],
        ['Node', 'node.crt', 'node.key'],
        ['Client', 'client.app.reader.crt', 'client.app.reader.key'],
        ['Client', 'client.root.crt', 'client.root.key'],
      ],
    );
    const node = byFile(entries, 'node.crt');
    assert.deepEqual(node.errors, []);
    assert.equal(node.subject?.CN, 'node');
    assert.deepEqual(node.sans, { dns: ['localhost'], ip: ['127.0.0.1'], uri: [], email: [] });
    assert.equal(node.issuer?.CN, 'Cockroach CA');
    assert.match(node.fingerprintSha256 ?? '', /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    assert.equal(node.status, 'ok');
    assert.ok((node.daysLeft ?? 0) >= 1829 && (node.daysLeft ?? 0) <= 1830, String(node.daysLeft));
    assert.equal(node.notes, 'addresses: localhost,127.0.0.1');
    assert.equal(byFile(entries, 'client.app.reader.crt').notes, 'user: app.reader');
    assert.equal(byFile(entries, 'ca.crt').notes, 'num certs: 1');
  });

  it('reports expiry status against the given now', () => {
    const later = new Date(Date.now() + 1800 * DAY);
    const entries = listCertsDir(fx.certsDir, { now: later });
    assert.equal(byFile(entries, 'node.crt').status, 'expiring');
    assert.equal(byFile(entries, 'ca.crt').status, 'ok');
    const muchLater = listCertsDir(fx.certsDir, { now: new Date(Date.now() + 1900 * DAY) });
    assert.equal(byFile(muchLater, 'client.root.crt').status, 'expired');
    assert.ok((byFile(muchLater, 'client.root.crt').daysLeft ?? 0) < 0);
  });

  it('finds every loader problem and says how to fix it', async () => {
    const dir = join(tmpDir(), 'certs');
    mkdirSync(dir);
    for (const f of ['ca.crt', 'node.crt', 'node.key', 'client.root.crt', 'client.root.key', 'client.app.reader.crt', 'client.app.reader.key']) {
      copyFileSync(join(fx.certsDir, f), join(dir, f));
    }
    chmodSync(join(dir, 'node.key'), 0o644); // loose key mode
    unlinkSync(join(dir, 'client.root.key')); // missing key
    copyFileSync(join(fx.certsDir, 'node.key'), join(dir, 'client.app.reader.key')); // key of another cert
    chmodSync(join(dir, 'client.app.reader.key'), 0o600);
    copyFileSync(join(fx.certsDir, 'ca.crt'), join(dir, 'ca.old.crt')); // bad file name
    writeFileSync(join(dir, 'client.empty.crt'), ''); // empty
    writeFileSync(join(dir, 'client.keyonly.crt'), readFileSync(join(fx.certsDir, 'node.key'))); // not a certificate
    copyFileSync(join(fx.certsDir, 'client.root.crt'), join(dir, 'client.bob.crt')); // CN root in bob's file
    copyFileSync(join(fx.certsDir, 'client.root.key'), join(dir, 'client.bob.key'));
    writeFileSync(join(dir, 'notes.txt'), 'ignored');
    mkdirSync(join(dir, 'sub'));

    const entries = listCertsDir(dir, { gid: 12345 });
    assert.match(
      byFile(entries, 'node.crt').errors.join(),
      /key file .*node\.key has permissions -rw-r--r-- \(0644\), exceeds -rwx------ \(0700\): run "chmod 600/,
    );
    assert.match(byFile(entries, 'client.root.crt').errors.join(), /key file .*client\.root\.key is missing/);
    assert.match(byFile(entries, 'client.app.reader.crt').errors.join(), /does not match .*client\.app\.reader\.crt/);
    assert.match(
      byFile(entries, 'ca.old.crt').errors.join(),
      /bad filename .*ca\.old\.crt: CA certificate file name should be ca\.crt; CockroachDB skips this file/,
    );
    assert.match(byFile(entries, 'client.empty.crt').errors.join(), /empty certificate file/);
    assert.match(byFile(entries, 'client.keyonly.crt').errors.join(), /block #0 .* is of type RSA PRIVATE KEY, not CERTIFICATE/);
    assert.match(byFile(entries, 'client.bob.crt').errors.join(), /has principals \["root"\], expected "bob"/);
    assert.deepEqual(byFile(entries, 'ca.crt').errors, []);
    assert.ok(!entries.some((e) => e.certFile === 'notes.txt' || e.certFile === 'sub'));
    // Skipped by the permission check when asked (COCKROACH_SKIP_KEY_PERMISSION_CHECK).
    assert.deepEqual(listCertsDir(dir, { skipPermissionChecks: true }).find((e) => e.certFile === 'node.crt')?.errors, []);
  });

  it('allows 0740 only for root-owned keys in the process group, as CockroachDB does', () => {
    const dir = join(tmpDir(), 'certs');
    mkdirSync(dir);
    for (const f of ['ca.crt', 'node.crt', 'node.key']) copyFileSync(join(fx.certsDir, f), join(dir, f));
    chmodSync(join(dir, 'node.key'), 0o640);
    const asRootGroup = listCertsDir(dir, { gid: process.getgid?.() });
    const otherGroup = listCertsDir(dir, { gid: 99999 });
    if (process.getuid?.() === 0) assert.deepEqual(byFile(asRootGroup, 'node.crt').errors, []);
    assert.match(byFile(otherGroup, 'node.crt').errors.join(), /exceeds -rwx------/);
  });

  it('flags a node certificate whose CN is not node', async () => {
    const root = tmpDir();
    const dir = join(root, 'certs');
    await createCa({ certsDir: dir, caKey: join(root, 'ca.key') });
    await createNode({ certsDir: dir, caKey: join(root, 'ca.key'), hosts: ['localhost'] });
    // A client cert renamed to node.crt: CN=root.
    copyFileSync(join(fx.certsDir, 'client.root.crt'), join(dir, 'node.crt'));
    copyFileSync(join(fx.certsDir, 'client.root.key'), join(dir, 'node.key'));
    const node = byFile(listCertsDir(dir), 'node.crt');
    assert.match(node.errors.join(), /client\/server node certificate .* has principals \["root"\], expected "node"/);
  });

  it('flags a key CockroachDB refuses (certrules): an EC key on secp256k1', async () => {
    const root = tmpDir();
    const dir = join(root, 'certs');
    await createCa({ certsDir: dir, caKey: join(root, 'ca.key') });
    const ca = new X509Certificate(readFileSync(join(dir, 'ca.crt')));
    const key = generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).privateKey;
    const pem = await issueCertificate(
      { kind: 'client', commonName: 'root', lifetimeMs: 10 * DAY, now: new Date(), publicKey: key },
      { cert: ca, key: createPrivateKey(readFileSync(join(root, 'ca.key'))) },
    );
    writeFileSync(join(dir, 'client.root.crt'), pem);
    writeFileSync(join(dir, 'client.root.key'), key.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    const errors = byFile(listCertsDir(dir), 'client.root.crt').errors;
    assert.equal(errors.length, 1, errors.join('\n'));
    assert.match(errors[0], /client\.root\.crt: the public key is EC secp256k1: .*issue it again with "crdb-tls cert rotate-client root --certs-dir /);
  });

  it('counts the certificates of a combined CA and reports the first one', async () => {
    const root = tmpDir();
    const dir = join(root, 'certs');
    await createCa({ certsDir: dir, caKey: join(root, 'old.key'), lifetimeMs: 100 * DAY });
    await createCa({ certsDir: dir, caKey: join(root, 'new.key'), overwrite: true });
    const ca = byFile(listCertsDir(dir), 'ca.crt');
    assert.equal(ca.numCerts, 2);
    assert.equal(ca.notes, 'num certs: 2');
    assert.ok((ca.daysLeft ?? 0) > 3600, 'expiry of the first (new) CA');
    assert.equal(ca.certs.length, 2);
  });

  it('names the directory and the fix when it is missing', () => {
    assert.throws(() => listCertsDir('/nonexistent/certs'), /certs directory \/nonexistent\/certs does not exist: check --certs-dir/);
  });

  it('re-reads only the files that changed when given a cache', async () => {
    const f = await makeCertsDir({ users: ['root', 'alice'] });
    const cache = new FileCache();
    const first = listCertsDir(f.certsDir, { cache });
    assert.equal(cache.reads, 7, 'ca + node/key + 2 clients/keys');
    const again = listCertsDir(f.certsDir, { cache });
    assert.equal(cache.reads, 7, 'nothing re-read');
    assert.deepEqual(again, first);
    // Replace alice's cert with root's: only that file is read again, and the mismatch is seen.
    await new Promise((r) => setTimeout(r, 20));
    copyFileSync(join(f.certsDir, 'client.root.crt'), join(f.certsDir, 'client.alice.crt'));
    const third = listCertsDir(f.certsDir, { cache });
    assert.equal(cache.reads, 8, 'only the new cert (its key is checked again from the cached bytes)');
    assert.match(byFile(third, 'client.alice.crt').errors.join(), /principals \["root"\], expected "alice"/);
    assert.deepEqual(listCertsDir(f.certsDir), third, 'same result as an uncached listing');
  });
});

describe('UI and tenant client certificates against the CA file that signs them', function () {
  let a: CertsFixture;
  let b: CertsFixture;
  before(async () => {
    [a, b] = await Promise.all([makeCertsDir(), makeCertsDir()]);
  });

  const withUi = (ui: CertsFixture, extra: Record<string, string> = {}) => {
    const dir = tmpDir('ui-chain');
    copyFileSync(join(a.certsDir, 'ca.crt'), join(dir, 'ca.crt'));
    copyFileSync(join(ui.certsDir, 'node.crt'), join(dir, 'ui.crt'));
    copyFileSync(join(ui.certsDir, 'node.key'), join(dir, 'ui.key'));
    chmodSync(join(dir, 'ui.key'), 0o600);
    for (const [to, from] of Object.entries(extra)) copyFileSync(from, join(dir, to));
    return byFile(listCertsDir(dir), 'ui.crt');
  };

  it('ui.crt from ca.crt chains; one from another CA of the same name is an error naming ca.crt and the fix', () => {
    const ok = withUi(a);
    assert.deepEqual(ok.chain, { caFile: 'ca.crt', signedBy: 0 });
    assert.deepEqual(ok.errors, []);
    const bad = withUi(b);
    assert.deepEqual(bad.chain, { caFile: 'ca.crt', signedBy: null });
    assert.match(
      bad.errors.join('\n'),
      /^UI certificate .*ui\.crt does not chain to .*ca\.crt: its issuer O=Cockroach, CN=Cockroach CA is the name of the CA certificate in ca\.crt, but not its key/m,
    );
  });

  it('with a ca-ui.crt, ui.crt must chain to it instead', () => {
    const e = withUi(b, { 'ca-ui.crt': join(b.certsDir, 'ca.crt') });
    assert.deepEqual(e.chain, { caFile: 'ca-ui.crt', signedBy: 0 });
    assert.deepEqual(e.errors, []);
  });

  it('client-tenant.<id>.crt chains to ca-client-tenant.crt when present, else to ca.crt', () => {
    const dir = tmpDir('tenant-chain');
    copyFileSync(join(a.certsDir, 'ca.crt'), join(dir, 'ca.crt'));
    copyFileSync(join(b.certsDir, 'client.root.crt'), join(dir, 'client-tenant.5.crt'));
    copyFileSync(join(b.certsDir, 'client.root.key'), join(dir, 'client-tenant.5.key'));
    chmodSync(join(dir, 'client-tenant.5.key'), 0o600);
    const before = byFile(listCertsDir(dir), 'client-tenant.5.crt');
    assert.deepEqual(before.chain, { caFile: 'ca.crt', signedBy: null });
    assert.match(before.errors.join('\n'), /^tenant client certificate .* does not chain to /m);
    copyFileSync(join(b.certsDir, 'ca.crt'), join(dir, 'ca-client-tenant.crt'));
    const after = byFile(listCertsDir(dir), 'client-tenant.5.crt');
    assert.deepEqual(after.chain, { caFile: 'ca-client-tenant.crt', signedBy: 0 });
    assert.deepEqual(
      after.errors.filter((e) => /chain/.test(e)),
      [],
    );
  });
});
