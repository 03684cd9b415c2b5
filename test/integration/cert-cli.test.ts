import { strict as assert } from 'node:assert';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { crdbTls, openssl, RunResult } from '../support/exec';
import { hashTree, tmpDir } from '../support/tmp';

const DAY = 86_400_000;

function ok(r: RunResult): RunResult {
  assert.equal(r.status, 0, `exit ${r.status}: ${r.stderr}`);
  return r;
}

function mode(path: string): number {
  return statSync(path).mode & 0o777;
}

/** The fields of `openssl x509 -text` we check, by name. */
function x509Text(path: string): string {
  return openssl(['x509', '-in', path, '-noout', '-text']).stdout;
}

function opensslDate(path: string, which: 'startdate' | 'enddate'): number {
  const out = openssl(['x509', '-in', path, '-noout', `-${which}`]).stdout.trim();
  return Date.parse(out.split('=')[1]);
}

describe('crdb-tls cert, cross-checked with the openssl CLI', function () {
  let root: string;
  let certs: string;
  let caKey: string;
  let t0: number;

  before(() => {
    root = tmpDir();
    certs = join(root, 'certs');
    mkdirSync(join(root, 'safe'), { mode: 0o700 });
    caKey = join(root, 'safe', 'ca.key');
    t0 = Date.now();
    ok(crdbTls(['cert', 'create-ca', '--certs-dir', certs, '--ca-key', caKey]));
    ok(crdbTls(['cert', 'create-node', 'localhost', 'node1.example.com', '*.crdb.internal', '127.0.0.1', '::1', '--certs-dir', certs, '--ca-key', caKey]));
    ok(crdbTls(['cert', 'create-client', 'Root', '--also-generate-pkcs8-key', `--certs-dir=${certs}`, `--ca-key=${caKey}`]));
  });

  it('writes the files, names and modes cockroach cert writes', () => {
    assert.equal(mode(certs), 0o700);
    assert.equal(mode(caKey), 0o600);
    assert.equal(mode(join(certs, 'ca.crt')), 0o644);
    for (const k of ['node.key', 'client.root.key', 'client.root.key.pk8']) assert.equal(mode(join(certs, k)), 0o600, k);
    for (const c of ['node.crt', 'client.root.crt']) assert.equal(mode(join(certs, c)), 0o644, c);
    assert.ok(!existsSync(join(certs, 'ca.key')), 'the CA key stays out of the certs dir');
    for (const k of [caKey, join(certs, 'node.key'), join(certs, 'client.root.key')]) {
      assert.match(readFileSync(k, 'utf8'), /^-----BEGIN RSA PRIVATE KEY-----\n/, `${k} is PKCS#1`);
      assert.match(openssl(['rsa', '-in', k, '-check', '-noout']).stdout, /RSA key ok/);
    }
  });

  it('issues a chain openssl verifies, with the purposes CockroachDB needs', () => {
    const ca = join(certs, 'ca.crt');
    assert.match(openssl(['verify', '-CAfile', ca, join(certs, 'node.crt')]).stdout, /node\.crt: OK/);
    assert.match(openssl(['verify', '-CAfile', ca, join(certs, 'client.root.crt')]).stdout, /client\.root\.crt: OK/);
    assert.match(openssl(['verify', '-CAfile', ca, '-purpose', 'sslserver', join(certs, 'node.crt')]).stdout, /OK/);
    assert.match(openssl(['verify', '-CAfile', ca, '-purpose', 'sslclient', join(certs, 'node.crt')]).stdout, /OK/);
    assert.match(openssl(['verify', '-CAfile', ca, '-purpose', 'sslclient', join(certs, 'client.root.crt')]).stdout, /OK/);
    const asServer = openssl(['verify', '-CAfile', ca, '-purpose', 'sslserver', join(certs, 'client.root.crt')], { allowFail: true });
    assert.notEqual(asServer.status, 0, 'a client cert is not a server cert');
  });

  it('shapes the CA as cockroach does', () => {
    const t = x509Text(join(certs, 'ca.crt'));
    assert.match(t, /Version: 3 \(0x2\)/);
    assert.match(t, /Signature Algorithm: sha256WithRSAEncryption/);
    assert.match(t, /Issuer: O = Cockroach, CN = Cockroach CA/);
    assert.match(t, /Subject: O = Cockroach, CN = Cockroach CA/);
    assert.match(t, /Public-Key: \(2048 bit\)/);
    assert.match(t, /X509v3 Key Usage: critical\n\s+Digital Signature, Non Repudiation, Key Encipherment, Certificate Sign\n/);
    assert.match(t, /X509v3 Basic Constraints: critical\n\s+CA:TRUE, pathlen:1\n/);
    assert.match(t, /X509v3 Subject Key Identifier:/);
    assert.doesNotMatch(t, /Extended Key Usage/);
    const lifetime = opensslDate(join(certs, 'ca.crt'), 'enddate') - t0;
    assert.ok(Math.abs(lifetime - 87840 * 3_600_000) < 60_000, `CA lifetime 87840h (${lifetime / 3_600_000}h)`);
    const backdate = t0 - opensslDate(join(certs, 'ca.crt'), 'startdate');
    assert.ok(Math.abs(backdate - DAY) < 60_000, `NotBefore backdated 24h (${backdate / 3_600_000}h)`);
  });

  it('shapes the node cert as cockroach does', () => {
    const t = x509Text(join(certs, 'node.crt'));
    assert.match(t, /Subject: O = Cockroach, CN = node\n/);
    assert.match(t, /Issuer: O = Cockroach, CN = Cockroach CA/);
    assert.match(t, /X509v3 Key Usage: critical\n\s+Digital Signature, Key Encipherment\n/);
    assert.match(t, /X509v3 Extended Key Usage: \n?\s+TLS Web Server Authentication, TLS Web Client Authentication\n/);
    assert.match(t, /DNS:localhost, DNS:node1\.example\.com, DNS:\*\.crdb\.internal, IP Address:127\.0\.0\.1, IP Address:0:0:0:0:0:0:0:1/);
    assert.match(t, /X509v3 Authority Key Identifier:/);
    assert.doesNotMatch(t, /Basic Constraints/);
    const lifetime = opensslDate(join(certs, 'node.crt'), 'enddate') - t0;
    assert.ok(Math.abs(lifetime - 43920 * 3_600_000) < 60_000, `node lifetime 43920h (${lifetime / 3_600_000}h)`);
    const serial = openssl(['x509', '-in', join(certs, 'node.crt'), '-noout', '-serial'])
      .stdout.trim()
      .split('=')[1];
    assert.ok(serial.replace(/^0+/, '').length <= 32, `128-bit serial ${serial}`);
  });

  it('shapes the client cert as cockroach does, CN = the normalised user', () => {
    const t = x509Text(join(certs, 'client.root.crt'));
    assert.match(t, /Subject: O = Cockroach, CN = root\n/);
    assert.match(t, /X509v3 Extended Key Usage: \n?\s+TLS Web Client Authentication\n/);
    assert.doesNotMatch(t, /Subject Alternative Name/);
  });

  it('writes the PKCS#8 DER key JDBC needs, the same key as the PEM', () => {
    const pk8 = join(certs, 'client.root.key.pk8');
    const pem = openssl(['pkcs8', '-inform', 'DER', '-nocrypt', '-in', pk8]).stdout;
    assert.match(pem, /-----BEGIN PRIVATE KEY-----/);
    const modulus = (args: string[], input?: string) => openssl(['rsa', ...args, '-noout', '-modulus'], { input }).stdout.trim();
    assert.equal(modulus([], pem), modulus(['-in', join(certs, 'client.root.key')]));
    assert.equal(
      modulus(['-in', join(certs, 'client.root.key')]),
      openssl(['x509', '-in', join(certs, 'client.root.crt'), '-noout', '-modulus']).stdout.trim(),
    );
  });

  it('lists like cockroach cert list, with a status column', () => {
    const out = ok(crdbTls(['cert', 'list', '--certs-dir', certs])).stdout;
    const lines = out.split('\n');
    assert.equal(lines[0], `Certificate directory: ${certs}`);
    assert.match(lines[1], /^\s+Usage\s+\|\s+Certificate File\s+\|\s+Key File\s+\|\s+Expires\s+\|\s+Status\s+\|\s+Notes\s+\|\s+Error$/);
    assert.match(out, /\n\s+CA\s+\| ca\.crt\s+\|\s+\| \d{4}\/\d{2}\/\d{2} \| ok \(36\d\d d left\)\s+\| num certs: 1/);
    assert.match(
      out,
      /\n\s+Node\s+\| node\.crt\s+\| node\.key\s+\| \d{4}\/\d{2}\/\d{2} \| ok \(18\d\d d left\) \| addresses: localhost,node1\.example\.com,\*\.crdb\.internal,127\.0\.0\.1,::1/,
    );
    assert.match(out, /\n\s+Client \| client\.root\.crt\s+\| client\.root\.key \| \d{4}\/\d{2}\/\d{2} \| ok \(18\d\d d left\) \| user: root/);
    assert.match(out, /\(3 rows\)\n$/);
  });

  it('lists as JSON with the fields CI pipelines need', () => {
    const entries = JSON.parse(ok(crdbTls(['cert', 'list', '--certs-dir', certs, '--json'])).stdout) as Record<string, unknown>[];
    assert.deepEqual(
      entries.map((e) => e.usage),
      ['CA', 'Node', 'Client'],
    );
    const node = entries[1] as {
      certFile: string;
      keyFile: string;
      notBefore: string;
      notAfter: string;
      subject: { CN: string };
      sans: { dns: string[]; ip: string[] };
      issuer: { CN: string };
      serial: string;
      fingerprintSha256: string;
      numCerts: number;
      status: string;
      daysLeft: number;
      errors: string[];
    };
    assert.equal(node.certFile, 'node.crt');
    assert.equal(node.keyFile, 'node.key');
    assert.equal(node.subject.CN, 'node');
    assert.deepEqual(node.sans.ip, ['127.0.0.1', '::1']);
    assert.equal(node.issuer.CN, 'Cockroach CA');
    assert.equal(node.numCerts, 1);
    assert.equal(node.status, 'ok');
    assert.deepEqual(node.errors, []);
    assert.equal(new Date(node.notAfter).toISOString(), node.notAfter);
    // The same facts openssl reports.
    assert.equal(Date.parse(node.notAfter), opensslDate(join(certs, 'node.crt'), 'enddate'));
    const fp = openssl(['x509', '-in', join(certs, 'node.crt'), '-noout', '-fingerprint', '-sha256'])
      .stdout.trim()
      .split('=')[1];
    assert.equal(node.fingerprintSha256, fp);
    const serial = openssl(['x509', '-in', join(certs, 'node.crt'), '-noout', '-serial'])
      .stdout.trim()
      .split('=')[1];
    assert.equal(node.serial.replace(/^0+/, ''), serial.toLowerCase().replace(/^0+/, ''));
  });

  it('honours --lifetime and --key-size', () => {
    const dir = join(root, 'short');
    const key = join(root, 'safe', 'short-ca.key');
    const start = Date.now();
    ok(crdbTls(['cert', 'create-ca', '--certs-dir', dir, '--ca-key', key, '--lifetime', '8784h', '--key-size', '3072']));
    ok(crdbTls(['cert', 'create-node', 'localhost', '--certs-dir', dir, '--ca-key', key, '--lifetime', '720h']));
    assert.match(x509Text(join(dir, 'ca.crt')), /Public-Key: \(3072 bit\)/);
    const end = opensslDate(join(dir, 'node.crt'), 'enddate') - start;
    assert.ok(Math.abs(end - 720 * 3_600_000) < 60_000);
  });

  it('rotates the CA: --overwrite prepends the new CA, old certs still verify against the bundle', () => {
    const dir = join(root, 'rotate');
    const oldKey = join(root, 'safe', 'rot-old.key');
    const newKey = join(root, 'safe', 'rot-new.key');
    ok(crdbTls(['cert', 'create-ca', '--certs-dir', dir, '--ca-key', oldKey]));
    ok(crdbTls(['cert', 'create-client', 'alice', '--certs-dir', dir, '--ca-key', oldKey]));
    const oldCa = readFileSync(join(dir, 'ca.crt'), 'utf8');
    const r = ok(crdbTls(['cert', 'create-ca', '--certs-dir', dir, '--ca-key', newKey, '--overwrite']));
    assert.match(r.stdout, /2 certificates in .*ca\.crt \(new one first\)/);
    const bundle = readFileSync(join(dir, 'ca.crt'), 'utf8');
    assert.ok(bundle.endsWith(oldCa), 'old CA kept after the new one');
    assert.equal((bundle.match(/BEGIN CERTIFICATE/g) ?? []).length, 2);
    // New node cert signed by the new (first) CA; the old client cert still chains to the bundle.
    ok(crdbTls(['cert', 'create-node', 'localhost', '--certs-dir', dir, '--ca-key', newKey]));
    assert.match(
      openssl(['verify', '-CAfile', join(dir, 'ca.crt'), join(dir, 'node.crt'), join(dir, 'client.alice.crt')]).stdout,
      /node\.crt: OK\n.*client\.alice\.crt: OK/,
    );
    const firstCa = join(root, 'first.pem');
    writeFileSync(firstCa, bundle.slice(0, bundle.indexOf('-----END CERTIFICATE-----') + 26));
    assert.match(openssl(['verify', '-CAfile', firstCa, join(dir, 'node.crt')]).stdout, /OK/);
    // Signing with the old key now fails: it does not match the first certificate.
    const bad = crdbTls(['cert', 'create-client', 'bob', '--certs-dir', dir, '--ca-key', oldKey]);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /CA key .*rot-old\.key does not match the first certificate in .*ca\.crt/);
    // --allow-ca-key-reuse: a new CA cert for the same key.
    ok(crdbTls(['cert', 'create-ca', '--certs-dir', dir, '--ca-key', newKey, '--overwrite', '--allow-ca-key-reuse']));
    assert.equal((readFileSync(join(dir, 'ca.crt'), 'utf8').match(/BEGIN CERTIFICATE/g) ?? []).length, 3);
  });

  it('signs client certs with the client CA when ca-client.crt exists', () => {
    const dir = join(root, 'clientca');
    const key = join(root, 'safe', 'cc-ca.key');
    const ckey = join(root, 'safe', 'cc-client-ca.key');
    ok(crdbTls(['cert', 'create-ca', '--certs-dir', dir, '--ca-key', key]));
    ok(crdbTls(['cert', 'create-client-ca', '--certs-dir', dir, '--ca-key', ckey]));
    assert.match(x509Text(join(dir, 'ca-client.crt')), /CA:TRUE, pathlen:1/);
    ok(crdbTls(['cert', 'create-node', 'localhost', '--certs-dir', dir, '--ca-key', key]));
    ok(crdbTls(['cert', 'create-client', 'node', '--certs-dir', dir, '--ca-key', ckey]));
    ok(crdbTls(['cert', 'create-client', 'root', '--certs-dir', dir, '--ca-key', ckey]));
    assert.match(openssl(['verify', '-CAfile', join(dir, 'ca-client.crt'), join(dir, 'client.root.crt')]).stdout, /OK/);
    assert.notEqual(openssl(['verify', '-CAfile', join(dir, 'ca.crt'), join(dir, 'client.root.crt')], { allowFail: true }).status, 0);
    const entries = JSON.parse(ok(crdbTls(['cert', 'list', '--certs-dir', dir, '--json'])).stdout) as { usage: string; errors: string[] }[];
    assert.deepEqual(
      entries.map((e) => e.usage),
      ['CA', 'Client CA', 'Node', 'Client', 'Client'],
    );
    assert.ok(
      entries.every((e) => e.errors.length === 0),
      JSON.stringify(entries.map((e) => e.errors)),
    );
    // With the cluster CA key instead of the client CA key: refused.
    const r = crdbTls(['cert', 'create-client', 'carol', '--certs-dir', dir, '--ca-key', key]);
    assert.match(r.stderr, /does not match the first certificate in .*ca-client\.crt/);
  });

  it('lists every CockroachDB rule an outside-signed certificate breaks (openssl x509 -req), errors and warnings, in --json and the table', () => {
    const dir = join(root, 'outside-rules');
    mkdirSync(dir, { mode: 0o700 });
    copyFileSync(join(certs, 'ca.crt'), join(dir, 'ca.crt'));
    const sign = (name: string, cn: string, ext: string, bits = 2048) => {
      const key = join(dir, `${name}.key`);
      openssl(['genrsa', '-out', key, String(bits)]);
      chmodSync(key, 0o600);
      const csr = join(root, `${name}.csr`);
      openssl(['req', '-new', '-key', key, '-subj', `/O=Cockroach/CN=${cn}`, '-out', csr]);
      const extFile = join(root, `${name}.ext`);
      writeFileSync(extFile, ext);
      openssl([
        'x509',
        '-req',
        '-in',
        csr,
        '-CA',
        join(certs, 'ca.crt'),
        '-CAkey',
        caKey,
        '-set_serial',
        '0x' + Date.now().toString(16),
        '-days',
        '30',
        '-extfile',
        extFile,
        '-out',
        join(dir, `${name}.crt`),
      ]);
    };
    sign('client.web', 'web', 'keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n');
    sign('node', 'node', 'keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\n');
    sign('client.weak', 'weak', 'extendedKeyUsage=clientAuth\n', 1024);
    copyFileSync(join(certs, 'node.crt'), join(dir, 'tls.crt'));
    const entries = JSON.parse(ok(crdbTls(['cert', 'list', '--certs-dir', dir, '--json'])).stdout) as {
      certFile: string;
      errors: string[];
      warnings: string[];
      problems: { code: string; severity: string; path: string }[];
      loaderName?: string;
    }[];
    const by = (f: string) => entries.find((e) => e.certFile === f) ?? assert.fail(`${f} listed`);
    const codes = (f: string) => by(f).problems.map((p) => `${p.severity} ${p.code}`);
    assert.deepEqual(codes('ca.crt'), []);
    assert.deepEqual(codes('client.web.crt'), ['error eku']);
    assert.match(by('client.web.crt').errors[0], /client\.web\.crt: extendedKeyUsage allows serverAuth but lacks clientAuth/);
    assert.deepEqual(codes('node.crt'), ['error sans']);
    assert.match(by('node.crt').errors[0], /node\.crt: subjectAltName has no DNS or IP SANs/);
    assert.deepEqual(codes('client.weak.crt'), ['warning key-type']);
    assert.deepEqual(by('client.weak.crt').errors, []);
    assert.match(by('client.weak.crt').warnings[0], /RSA 1024 bits: OpenSSL \(libpq, psql\) at its default security level refuses RSA keys under 2048 bits/);
    assert.deepEqual(codes('tls.crt'), ['error bad-filename']);
    assert.equal(by('tls.crt').loaderName, 'node.crt');
    assert.match(
      by('tls.crt').errors[0],
      /node\.crt exists; to use this one instead, "crdb-tls cert import --certs-dir .* --as node --cert .*tls\.crt --key .*tls\.key --overwrite"/,
    );
    // The table's Error column carries the warnings too, marked as such.
    const table = ok(crdbTls(['cert', 'list', '--certs-dir', dir])).stdout;
    assert.match(table, /client\.weak\.crt .*\| warning: .*client\.weak\.crt: the public key is RSA 1024 bits/);
    assert.match(table, /client\.web\.crt .*\| client certificate .*lacks clientAuth/);
  });
});

describe('crdb-tls cert on bad input: a clear error, nothing changed', function () {
  let root: string;
  let certs: string;
  let caKey: string;

  before(() => {
    root = tmpDir();
    certs = join(root, 'certs');
    caKey = join(root, 'ca.key');
    ok(crdbTls(['cert', 'create-ca', '--certs-dir', certs, '--ca-key', caKey, '--lifetime', '2000h']));
    ok(crdbTls(['cert', 'create-node', 'localhost', '--certs-dir', certs, '--ca-key', caKey, '--lifetime', '1000h']));
    ok(crdbTls(['cert', 'create-client', 'root', '--certs-dir', certs, '--ca-key', caKey, '--lifetime', '1000h']));
    writeFileSync(join(root, 'garbage.key'), 'not a key at all\n');
    writeFileSync(join(root, 'cert-as-key.pem'), readFileSync(join(certs, 'node.crt')));
    ok(crdbTls(['cert', 'create-ca', '--certs-dir', join(root, 'other'), '--ca-key', join(root, 'other.key')]));
    mkdirSync(join(root, 'garbage-ca'));
    writeFileSync(join(root, 'garbage-ca', 'ca.crt'), 'garbage');
    mkdirSync(join(root, 'empty-dir'));
    copyFileSync(caKey, join(root, 'readonly-parent.key'));
  });

  const cases: [string, () => string[], RegExp][] = [
    [
      'missing CA key',
      () => ['create-node', 'localhost', '--certs-dir', certs, '--ca-key', join(root, 'nope.key'), '--overwrite'],
      /CA key .*nope\.key not found: pass the key that signed .*ca\.crt with --ca-key/,
    ],
    ['garbage CA key', () => ['create-client', 'bob', '--certs-dir', certs, '--ca-key', join(root, 'garbage.key')], /garbage\.key is not a PEM private key/],
    [
      'a certificate passed as the CA key',
      () => ['create-client', 'bob', '--certs-dir', certs, '--ca-key', join(root, 'cert-as-key.pem')],
      /cert-as-key\.pem is not a PEM private key/,
    ],
    [
      "another CA's key",
      () => ['create-client', 'bob', '--certs-dir', certs, '--ca-key', join(root, 'other.key')],
      /CA key .*other\.key does not match the first certificate in .*ca\.crt/,
    ],
    [
      'missing ca.crt',
      () => ['create-client', 'bob', '--certs-dir', join(root, 'empty-dir'), '--ca-key', caKey],
      /CA certificate .*empty-dir\/ca\.crt not found: create the CA/,
    ],
    [
      'garbage ca.crt',
      () => ['create-client', 'bob', '--certs-dir', join(root, 'garbage-ca'), '--ca-key', caKey],
      /CA certificate .*garbage-ca\/ca\.crt holds no PEM certificate/,
    ],
    [
      'missing certs dir',
      () => ['create-node', 'localhost', '--certs-dir', join(root, 'missing'), '--ca-key', caKey],
      /certs directory .*missing does not exist: create the CA first/,
    ],
    ['invalid user name', () => ['create-client', 'bad user!', '--certs-dir', certs, '--ca-key', caKey], /Invalid user name "bad user!"/],
    ['no user name', () => ['create-client', '--certs-dir', certs, '--ca-key', caKey], /create-client takes exactly one user name/],
    ['invalid host', () => ['create-node', 'localhost', 'bad host', '--certs-dir', certs, '--ca-key', caKey, '--overwrite'], /Invalid host "bad host"/],
    [
      'no host',
      () => ['create-node', '--certs-dir', certs, '--ca-key', caKey, '--overwrite'],
      /create-node requires at least one host name or address, none was specified/,
    ],
    [
      'existing node cert without --overwrite',
      () => ['create-node', 'localhost', '--certs-dir', certs, '--ca-key', caKey],
      /file exists: .*node\.crt; rerun with --overwrite/,
    ],
    ['existing client cert without --overwrite', () => ['create-client', 'Root', '--certs-dir', certs, '--ca-key', caKey], /file exists: .*client\.root\.crt/],
    [
      'existing ca.crt without --overwrite',
      () => ['create-ca', '--certs-dir', certs, '--ca-key', join(root, 'new-ca.key')],
      /file exists: .*ca\.crt; rerun with --overwrite/,
    ],
    [
      'existing CA key without reuse',
      () => ['create-ca', '--certs-dir', certs, '--ca-key', caKey, '--overwrite'],
      /CA key .*ca\.key exists, but key reuse is disabled: rerun with --allow-ca-key-reuse/,
    ],
    [
      "lifetime past the CA's",
      () => ['create-client', 'bob', '--certs-dir', certs, '--ca-key', caKey],
      /ca\.crt: CA lifetime is 19\d\d\.\d{6}h, shorter than the requested 439(19|20)\.\d{6}h\. Renew CA certificate, or rerun with --lifetime=19\d\dh for a shorter duration\./,
    ],
    ['bad lifetime', () => ['create-client', 'bob', '--certs-dir', certs, '--ca-key', caKey, '--lifetime', '5y'], /--lifetime "5y" is not a duration/],
    ['bad key size', () => ['create-client', 'bob', '--certs-dir', certs, '--ca-key', caKey, '--key-size', '512'], /--key-size 512 is not supported/],
    ['unknown flag', () => ['create-client', 'bob', '--certs-dir', certs, '--ca-key', caKey, '--ovewrite'], /unknown flag --ovewrite/],
    [
      'CA key directory missing',
      () => ['create-ca', '--certs-dir', join(root, 'fresh'), '--ca-key', join(root, 'no-such-dir', 'ca.key')],
      /the directory of CA key .*no-such-dir\/ca\.key does not exist/,
    ],
    ['unknown command', () => ['create-user', 'bob'], /unknown cert command "create-user"/],
  ];

  for (const [name, args, expected] of cases) {
    it(name, () => {
      const before = hashTree(root);
      const r = crdbTls(['cert', ...args()]);
      assert.equal(r.status, 1, `exit code for ${name}: ${r.stdout}${r.stderr}`);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, expected);
      assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
      assert.match(r.stderr, /^crdb-tls: /);
      assert.equal(hashTree(root), before, 'no file changed');
    });
  }
});
