import { strict as assert } from 'node:assert';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KeyObject, X509Certificate, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import * as forge from 'node-forge';
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
      /^UI certificate .*ui\.crt does not chain to .*ca\.crt: its issuer CN=Cockroach CA, O=Cockroach is the name of the CA certificate in ca\.crt, but not its key/m,
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

/** A certificate shaped by hand (node-forge), for the rules crdb-tls's own issuing never breaks. */
function forgeCert(o: {
  cn: string;
  key: KeyObject;
  issuer?: { certPem: string; key: KeyObject };
  ca?: boolean;
  keyUsage?: Record<string, boolean>;
  eku?: ('serverAuth' | 'clientAuth')[];
  dns?: string[];
}): string {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(createPublicKey(o.key).export({ type: 'spki', format: 'pem' }).toString());
  cert.serialNumber = '01' + randomBytes(8).toString('hex');
  cert.validity.notBefore = new Date(Date.now() - DAY);
  cert.validity.notAfter = new Date(Date.now() + 30 * DAY);
  cert.setSubject([
    { shortName: 'O', value: 'Cockroach' },
    { shortName: 'CN', value: o.cn },
  ]);
  const issuer = o.issuer ? forge.pki.certificateFromPem(o.issuer.certPem) : undefined;
  cert.setIssuer(issuer ? issuer.subject.attributes : cert.subject.attributes);
  const exts: object[] = [{ name: 'basicConstraints', cA: !!o.ca, critical: true }];
  if (o.keyUsage) exts.push({ name: 'keyUsage', critical: true, ...o.keyUsage });
  if (o.eku) exts.push({ name: 'extKeyUsage', ...Object.fromEntries(o.eku.map((u) => [u, true])) });
  if (o.dns) exts.push({ name: 'subjectAltName', altNames: o.dns.map((value) => ({ type: 2, value })) });
  cert.setExtensions(exts);
  const signer = o.issuer?.key ?? o.key;
  cert.sign(forge.pki.privateKeyFromPem(signer.export({ type: 'pkcs1', format: 'pem' }).toString()), forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}

describe('every CockroachDB rule of the role, as errors or warnings (cockroach/certrules)', function () {
  let fx: CertsFixture;
  let caPem: string;
  let caKey: KeyObject;
  before(async () => {
    fx = await makeCertsDir({ users: [] });
    caPem = readFileSync(join(fx.certsDir, 'ca.crt'), 'utf8');
    caKey = createPrivateKey(readFileSync(fx.caKey));
  });

  /** A dir with the fixture's CA and one file (and its key) of the given name. */
  const dirWith = (name: string, pem: string, key: KeyObject, extra: string[] = []) => {
    const dir = tmpDir('rules');
    copyFileSync(join(fx.certsDir, 'ca.crt'), join(dir, 'ca.crt'));
    for (const f of extra) copyFileSync(join(fx.certsDir, f), join(dir, f));
    writeFileSync(join(dir, name), pem);
    writeFileSync(join(dir, name.replace(/\.crt$/, '.key')), key.export({ type: 'pkcs1', format: 'pem' }), { mode: 0o600 });
    return dir;
  };
  const rsa = (bits = 2048) => generateKeyPairSync('rsa', { modulusLength: bits }).privateKey;

  it('a client certificate with serverAuth only is an error naming the missing clientAuth and the fix', () => {
    const key = rsa();
    const pem = forgeCert({ cn: 'web', key, issuer: { certPem: caPem, key: caKey }, keyUsage: { digitalSignature: true }, eku: ['serverAuth'] });
    const e = byFile(listCertsDir(dirWith('client.web.crt', pem, key)), 'client.web.crt');
    assert.deepEqual(e.chain, { caFile: 'ca.crt', signedBy: 0 });
    assert.equal(e.errors.length, 1, e.errors.join('\n'));
    assert.match(
      e.errors[0],
      /^client certificate .*client\.web\.crt: extendedKeyUsage allows serverAuth but lacks clientAuth: the server refuses it as a client certificate .*rotate-client web/,
    );
    assert.deepEqual(
      e.problems.map((p) => [p.code, p.severity, p.path]),
      [['eku', 'error', e.certPath]],
    );
    assert.deepEqual(e.warnings, []);
  });

  it('a node certificate without SANs is an error: clients match the host against the SANs only', () => {
    const key = rsa();
    const pem = forgeCert({ cn: 'node', key, issuer: { certPem: caPem, key: caKey }, eku: ['serverAuth', 'clientAuth'] });
    const e = byFile(listCertsDir(dirWith('node.crt', pem, key)), 'node.crt');
    assert.equal(e.errors.length, 1, e.errors.join('\n'));
    assert.match(
      e.errors[0],
      /^node certificate .*node\.crt: subjectAltName has no DNS or IP SANs: .*"crdb-tls cert create-node <host or IP>\.\.\. --certs-dir /,
    );
    assert.equal(e.notes, 'addresses: ');
  });

  it('a CA without keyCertSign is an error; a leaf marked CA:TRUE and an RSA 1024 key are warnings (CockroachDB loads them, some clients do not)', () => {
    const caOnly = tmpDir('rules');
    const k = rsa();
    writeFileSync(join(caOnly, 'ca.crt'), forgeCert({ cn: 'Corp CA', key: k, ca: true, keyUsage: { digitalSignature: true, cRLSign: true } }));
    const ca = byFile(listCertsDir(caOnly), 'ca.crt');
    assert.deepEqual(
      ca.problems.map((p) => [p.code, p.severity]),
      [['ca-key-usage', 'error']],
    );
    assert.match(ca.errors[0], /^CA certificate .*ca\.crt: keyUsage lacks keyCertSign: TLS libraries refuse the certificates it signs/);

    const weak = rsa(1024);
    const pem = forgeCert({ cn: 'bob', key: weak, issuer: { certPem: caPem, key: caKey }, ca: true, eku: ['clientAuth'] });
    const bob = byFile(listCertsDir(dirWith('client.bob.crt', pem, weak)), 'client.bob.crt');
    assert.deepEqual(bob.errors, []);
    assert.deepEqual(
      bob.problems.map((p) => [p.code, p.severity]),
      [
        ['ca', 'warning'],
        ['key-type', 'warning'],
      ],
    );
    assert.match(bob.warnings.join('\n'), /client\.bob\.crt: basicConstraints is a CA certificate \(basicConstraints CA:TRUE\), not a leaf certificate/);
    assert.match(bob.warnings.join('\n'), /client\.bob\.crt: the public key is RSA 1024 bits: OpenSSL \(libpq, psql\) .* refuses RSA keys under 2048 bits/);
  });

  it('tls.crt: the bad name says what the loader expects (node.crt and node.key), or how to import it when node.crt exists', () => {
    const copy = (dir: string) => {
      copyFileSync(join(fx.certsDir, 'node.crt'), join(dir, 'tls.crt'));
      copyFileSync(join(fx.certsDir, 'node.key'), join(dir, 'tls.key'));
    };
    const bare = tmpDir('tls');
    copyFileSync(join(fx.certsDir, 'ca.crt'), join(bare, 'ca.crt'));
    copy(bare);
    const e = byFile(listCertsDir(bare), 'tls.crt');
    assert.equal(e.usage, 'Unknown');
    assert.equal(e.loaderName, 'node.crt');
    assert.deepEqual(
      e.problems.map((p) => p.code),
      ['bad-filename'],
    );
    assert.match(
      e.errors[0],
      /^bad filename .*tls\.crt: unknown prefix "tls"; CockroachDB skips this file: it holds a node certificate, which CockroachDB loads as node\.crt; rename it to node\.crt and its key tls\.key to node\.key/,
    );
    const withNode = dirWith('node.crt', readFileSync(join(fx.certsDir, 'node.crt'), 'utf8'), createPrivateKey(readFileSync(join(fx.certsDir, 'node.key'))));
    copy(withNode);
    assert.match(
      byFile(listCertsDir(withNode), 'tls.crt').errors[0],
      /node\.crt exists; to use this one instead, "crdb-tls cert import --certs-dir .* --as node --cert .*tls\.crt --key .*tls\.key --overwrite" checks and installs it/,
    );
  });

  it('a key problem is about the key file, a missing key about the certificate', () => {
    const dir = tmpDir('keys');
    for (const f of ['ca.crt', 'node.crt', 'node.key']) copyFileSync(join(fx.certsDir, f), join(dir, f));
    chmodSync(join(dir, 'node.key'), 0o644);
    const node = byFile(listCertsDir(dir, { gid: 12345 }), 'node.crt');
    assert.deepEqual(
      node.problems.map((p) => [p.code, p.path]),
      [['key-mode', join(dir, 'node.key')]],
    );
    unlinkSync(join(dir, 'node.key'));
    assert.deepEqual(
      byFile(listCertsDir(dir), 'node.crt').problems.map((p) => [p.code, p.path]),
      [['key-missing', join(dir, 'node.crt')]],
    );
  });
});
