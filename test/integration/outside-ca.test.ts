/**
 * Certificates from real outside CAs (easy-rsa, cfssl, openssl ca): a CSR from `cert create-csr`,
 * signed by the CA, checked, imported, listed clean, served by PostgreSQL, and psql connects with
 * verify-full. The usual mistakes (easy-rsa's `server` type, a CA that drops the CSR's SANs, a
 * node cert without clientAuth) fail `check` with the sentence naming the field and the fix at
 * that CA, and `import` refuses them changing nothing.
 */
import { strict as assert } from 'node:assert';
import { copyFileSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crdbTls, run, RunResult } from '../support/exec';
import { PgServer } from '../support/postgres';
import { hashTree, tmpDir } from '../support/tmp';

const EASYRSA = '/usr/share/easy-rsa/easyrsa';

function ok(r: RunResult, what: string): RunResult {
  assert.equal(r.status, 0, `${what} failed (${r.status}): ${r.stderr}${r.stdout}`);
  return r;
}

interface Failure {
  code: string;
  field: string;
  message: string;
}

function check(args: string[]): { status: number; failures: Failure[] } {
  const r = crdbTls(['cert', 'check', ...args, '--json']);
  assert.ok(r.status === 0 || r.status === 1, `cert check crashed (${r.status}): ${r.stderr}`);
  return { status: r.status, failures: (JSON.parse(r.stdout) as { failures: Failure[] }).failures };
}

function psql(port: number, dir: string, user: string): RunResult {
  const url = `postgresql://${user}@127.0.0.1:${port}/postgres?sslmode=verify-full&sslrootcert=${dir}/ca.crt&sslcert=${dir}/client.${user}.crt&sslkey=${dir}/client.${user}.key`;
  return run('psql', [url, '-X', '-A', '-t', '-c', 'select current_user'], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tmpDir('crdb-tls-home-'), PGCONNECT_TIMEOUT: '15', LC_ALL: 'C' },
    timeoutMs: 30_000,
  });
}

/** A certs dir with node and client root CSRs (and their keys), as create-csr writes them. */
function csrDir(keyType: 'rsa' | 'ecdsa'): string {
  const d = join(tmpDir(), 'certs');
  mkdirSync(d, { mode: 0o700 });
  ok(crdbTls(['cert', 'create-csr', 'node', 'localhost', '127.0.0.1', '--certs-dir', d, '--key-type', keyType]), 'create-csr node');
  ok(crdbTls(['cert', 'create-csr', 'client', 'root', '--certs-dir', d, '--key-type', keyType]), 'create-csr client');
  assert.equal(statSync(join(d, 'node.key')).mode & 0o777, 0o600);
  return d;
}

/** Imports node and client certs signed by a CA, lists the dir clean, serves it from PostgreSQL and connects with psql. */
async function roundTrip(d: string, node: string, client: string, ca: string): Promise<void> {
  // Before import only the file name may be wrong (the CA names its files its own way).
  const codes = (args: string[]) =>
    check(args)
      .failures.map((f) => f.code)
      .filter((c) => c !== 'file-name');
  assert.deepEqual(codes([node, '--as', 'node', '--ca', ca, '--key', join(d, 'node.key'), '--host', 'localhost', '--host', '127.0.0.1']), []);
  assert.deepEqual(codes([client, '--as', 'client', 'root', '--ca', ca, '--key', join(d, 'client.root.key')]), []);
  ok(crdbTls(['cert', 'import', '--certs-dir', d, '--as', 'node', '--cert', node, '--key', join(d, 'node.key'), '--ca', ca]), 'import node');
  ok(
    crdbTls(['cert', 'import', '--certs-dir', d, '--as', 'client', 'root', '--cert', client, '--key', join(d, 'client.root.key'), '--ca', ca]),
    'import client',
  );
  assert.deepEqual(
    check([join(d, 'node.crt'), '--ca', join(d, 'ca.crt'), '--key', join(d, 'node.key'), '--host', 'localhost', '--host', '127.0.0.1']).failures,
    [],
  );
  const list = JSON.parse(ok(crdbTls(['cert', 'list', '--certs-dir', d, '--json']), 'list').stdout) as { certFile: string; errors: string[] }[];
  assert.deepEqual(
    list.map((e) => [e.certFile, e.errors]),
    [
      ['ca.crt', []],
      ['node.crt', []],
      ['client.root.crt', []],
    ],
  );
  const server = new PgServer({ certsDir: d });
  try {
    await server.start();
    await server.createRole('root');
    const r = psql(server.port, d, 'root');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'root');
  } finally {
    await server.stop();
  }
}

/** import must refuse the certificate and leave the dir exactly as it was. */
function refusesImport(d: string, cert: string, ca: string, re: RegExp): void {
  const before = hashTree(d);
  const r = crdbTls(['cert', 'import', '--certs-dir', d, '--as', 'node', '--cert', cert, '--key', join(d, 'node.key'), '--ca', ca]);
  assert.equal(r.status, 1, r.stdout);
  assert.match(r.stdout, re);
  assert.match(r.stdout, /nothing was changed/);
  assert.equal(hashTree(d), before, 'import changed the certs dir');
}

describe('certificates from outside CAs: easy-rsa, cfssl, openssl ca', function () {
  this.timeout(180_000);

  it('easy-rsa: serverClient with --copy-ext round-trips; the server type and dropped SANs fail check with the fix, and import refuses them', async () => {
    const d = csrDir('rsa');
    const pki = join(tmpDir(), 'pki');
    const env = { ...process.env, EASYRSA_BATCH: '1', EASYRSA_PKI: pki, EASYRSA_REQ_CN: 'Easy-RSA CA' };
    const ez = (...args: string[]) => ok(run(EASYRSA, args, { env, timeoutMs: 60_000 }), `easyrsa ${args.join(' ')}`);
    ez('init-pki');
    ez('build-ca', 'nopass');
    ez('import-req', join(d, 'node.csr'), 'node');
    ez('--copy-ext', 'sign-req', 'serverClient', 'node');
    ez('import-req', join(d, 'client.root.csr'), 'root');
    ez('sign-req', 'client', 'root');
    // The mistakes: the server type (serverAuth only), and SANs replaced at signing.
    ez('import-req', join(d, 'node.csr'), 'srv');
    ez('sign-req', 'server', 'srv');
    ez('import-req', join(d, 'node.csr'), 'nosan');
    ez('--san=DNS:other.example', 'sign-req', 'serverClient', 'nosan');
    const ca = join(pki, 'ca.crt');

    const srv = check([join(pki, 'issued', 'srv.crt'), '--as', 'node', '--ca', ca, '--key', join(d, 'node.key')]);
    assert.equal(srv.status, 1);
    const eku = srv.failures.find((f) => f.code === 'eku');
    assert.ok(eku, JSON.stringify(srv.failures));
    assert.equal(eku.field, 'extendedKeyUsage');
    assert.match(eku.message, /lacks clientAuth: .*node-to-node.*Fix at the issuing CA: .*easy-rsa "sign-req serverClient" \(not "server"\) with --copy-ext/);
    const nosan = check([join(pki, 'issued', 'nosan.crt'), '--as', 'node', '--ca', ca, '--host', 'localhost', '--host', '127.0.0.1']);
    const host = nosan.failures.find((f) => f.code === 'host');
    assert.ok(host, JSON.stringify(nosan.failures));
    assert.match(host.message, /subjectAltName is other\.example, which does not cover localhost, 127\.0\.0\.1.*--copy-ext.*-copy_extensions copy/);
    refusesImport(d, join(pki, 'issued', 'srv.crt'), ca, /lacks clientAuth/);
    // Without --host too: the node.csr create-csr wrote says which names the CA dropped.
    refusesImport(
      d,
      join(pki, 'issued', 'nosan.crt'),
      ca,
      /subjectAltName is other\.example, which drops localhost, 127\.0\.0\.1 that node\.csr requested.*easy-rsa sign-req with --copy-ext/,
    );

    await roundTrip(d, join(pki, 'issued', 'node.crt'), join(pki, 'issued', 'root.crt'), ca);
  });

  it('cfssl: a profile with server and client auth round-trips; a server-only profile, and -hostname replacing the SANs, are refused by import', async () => {
    const d = csrDir('rsa');
    const w = tmpDir();
    writeFileSync(join(w, 'ca-csr.json'), JSON.stringify({ CN: 'cfssl CA', key: { algo: 'ecdsa', size: 256 }, names: [{ O: 'Example' }] }));
    const profiles = {
      node: { expiry: '8760h', usages: ['signing', 'key encipherment', 'server auth', 'client auth'] },
      client: { expiry: '8760h', usages: ['signing', 'key encipherment', 'client auth'] },
      server: { expiry: '8760h', usages: ['signing', 'key encipherment', 'server auth'] },
    };
    writeFileSync(join(w, 'cfg.json'), JSON.stringify({ signing: { default: { expiry: '8760h' }, profiles } }));
    const sh = (cmd: string) => ok(run('sh', ['-c', cmd], { cwd: w, timeoutMs: 60_000 }), cmd);
    sh('cfssl genkey -initca ca-csr.json | cfssljson -bare ca');
    sh(`cfssl sign -ca ca.pem -ca-key ca-key.pem -config cfg.json -profile node ${join(d, 'node.csr')} | cfssljson -bare node`);
    sh(`cfssl sign -ca ca.pem -ca-key ca-key.pem -config cfg.json -profile client ${join(d, 'client.root.csr')} | cfssljson -bare root`);
    sh(`cfssl sign -ca ca.pem -ca-key ca-key.pem -config cfg.json -profile server ${join(d, 'node.csr')} | cfssljson -bare srv`);
    // -hostname replaces the CSR's SANs.
    sh(`cfssl sign -ca ca.pem -ca-key ca-key.pem -config cfg.json -profile node -hostname db.example.com ${join(d, 'node.csr')} | cfssljson -bare nosan`);
    const ca = join(w, 'ca.pem');
    const srv = check([join(w, 'srv.pem'), '--as', 'node', '--ca', ca]);
    assert.match(
      srv.failures.find((f) => f.code === 'eku')?.message ?? '',
      /lacks clientAuth.*cfssl profile usages \["signing", "key encipherment", "server auth", "client auth"\]/,
    );
    // cfssl writes .pem: check names the file CockroachDB would skip, and import writes node.crt.
    assert.match(
      check([join(w, 'node.pem'), '--as', 'node', '--ca', ca]).failures.find((f) => f.code === 'file-name')?.message ?? '',
      /node\.pem is not node\.crt.*only \.crt files/,
    );
    refusesImport(d, join(w, 'srv.pem'), ca, /lacks clientAuth/);
    refusesImport(
      d,
      join(w, 'nosan.pem'),
      ca,
      /subjectAltName is db\.example\.com, which drops localhost, 127\.0\.0\.1 that node\.csr requested.*cfssl sign without -hostname/,
    );
    await roundTrip(d, join(w, 'node.pem'), join(w, 'root.pem'), ca);
  });

  it('openssl ca: -copy_extensions copy round-trips; without it the SANs are dropped, check says so and import refuses', async () => {
    const d = csrDir('ecdsa');
    const w = tmpDir();
    mkdirSync(join(w, 'new'));
    writeFileSync(join(w, 'index.txt'), '');
    writeFileSync(join(w, 'serial'), '1000\n');
    const conf = (copy: boolean) =>
      [
        '[ca]',
        'default_ca = ca_default',
        '[ca_default]',
        `dir = ${w}`,
        'database = $dir/index.txt',
        'serial = $dir/serial',
        'new_certs_dir = $dir/new',
        'certificate = $dir/ca.crt',
        'private_key = $dir/ca.key',
        'default_md = sha256',
        'default_days = 365',
        'policy = policy_any',
        'unique_subject = no',
        'x509_extensions = leaf',
        ...(copy ? ['copy_extensions = copy'] : []),
        '[policy_any]',
        'commonName = supplied',
        'organizationName = optional',
        '[leaf]',
        'basicConstraints = critical, CA:FALSE',
        'keyUsage = critical, digitalSignature, keyEncipherment',
        '',
      ].join('\n');
    writeFileSync(join(w, 'copy.cnf'), conf(true));
    writeFileSync(join(w, 'nocopy.cnf'), conf(false));
    const o = (...args: string[]) => ok(run('openssl', args, { cwd: w, timeoutMs: 60_000 }), `openssl ${args.join(' ')}`);
    o(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
      '-subj',
      '/O=Example/CN=openssl CA',
      '-days',
      '3650',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    );
    o('ca', '-batch', '-config', 'copy.cnf', '-in', join(d, 'node.csr'), '-out', 'node.crt', '-notext');
    o('ca', '-batch', '-config', 'copy.cnf', '-in', join(d, 'client.root.csr'), '-out', 'root.crt', '-notext');
    o('ca', '-batch', '-config', 'nocopy.cnf', '-in', join(d, 'node.csr'), '-out', 'nocopy.crt', '-notext');
    const ca = join(w, 'ca.crt');
    const nocopy = check([join(w, 'nocopy.crt'), '--as', 'node', '--ca', ca, '--host', 'localhost']);
    const fields = nocopy.failures.map((f) => f.field);
    // No extensions copied: no SANs, and no EKU (which Go reads as any usage, so that is not a failure).
    assert.ok(fields.includes('subjectAltName'), JSON.stringify(nocopy.failures));
    assert.match(nocopy.failures.find((f) => f.code === 'sans')?.message ?? '', /has no DNS or IP SANs.*openssl ca -copy_extensions copy/);
    refusesImport(d, join(w, 'nocopy.crt'), ca, /no DNS or IP SANs/);
    await roundTrip(d, join(w, 'node.crt'), join(w, 'root.crt'), ca);
    // The ECDSA key create-csr wrote is still the one in the dir: import had nothing to replace.
    assert.match(readFileSync(join(d, 'node.key'), 'utf8'), /^-----BEGIN EC PRIVATE KEY-----/);
  });

  it('cert-manager: its layout (tls.crt, tls.key, ca.crt) and Secrets round-trip; a different CA joins ca.crt as a bundle', async () => {
    const src = join(tmpDir(), 'certs');
    ok(crdbTls(['cert', 'create-ca', '--certs-dir', src, '--ca-key', join(src, '..', 'ca.key'), '--key-type', 'ecdsa']), 'create-ca');
    ok(
      crdbTls(['cert', 'create-node', 'localhost', '127.0.0.1', '--certs-dir', src, '--ca-key', join(src, '..', 'ca.key'), '--key-type', 'ecdsa']),
      'create-node',
    );
    // What cert-manager mounts from its Secret.
    const cm = join(tmpDir(), 'cm');
    mkdirSync(cm);
    copyFileSync(join(src, 'node.crt'), join(cm, 'tls.crt'));
    copyFileSync(join(src, 'node.key'), join(cm, 'tls.key'));
    copyFileSync(join(src, 'ca.crt'), join(cm, 'ca.crt'));
    const tlsCheck = check([join(cm, 'tls.crt'), '--ca', join(cm, 'ca.crt'), '--key', join(cm, 'tls.key')]);
    assert.deepEqual(
      tlsCheck.failures.map((f) => f.message.replace(/^.*?: /, '')),
      [
        'file name tls.crt is not node.crt, the name a node certificate needs: CockroachDB skips it as a bad filename (unknown prefix "tls"). Install it as node.crt, the name CockroachDB\'s loader expects: "crdb-tls cert import --as node" installs it under that name (nothing to change at the CA).',
        'key file name tls.key is not node.key: CockroachDB pairs a certificate with its key by name only. Install it as node.key, the name CockroachDB\'s loader expects: "crdb-tls cert import --as node" installs it under that name (nothing to change at the CA).',
      ],
    );
    // Into a dir that already trusts another CA: the cert-manager CA joins ca.crt.
    const other = join(tmpDir(), 'certs');
    ok(crdbTls(['cert', 'create-ca', '--certs-dir', other, '--ca-key', join(other, '..', 'ca.key')]), 'create-ca other');
    const first = readFileSync(join(other, 'ca.crt'), 'utf8');
    const imp = JSON.parse(ok(crdbTls(['cert', 'import', '--certs-dir', other, '--as', 'node', '--from-cert-manager', cm, '--json']), 'import').stdout) as {
      caBundle: { action: string; certs: number };
      backup: { id: string } | null;
    };
    assert.deepEqual(imp.caBundle, { file: 'ca.crt', action: 'joined', certs: 2 });
    assert.ok(imp.backup, 'the replaced ca.crt is backed up');
    const bundle = readFileSync(join(other, 'ca.crt'), 'utf8');
    assert.ok(bundle.startsWith(first), 'the CA already trusted stays first');
    assert.ok(bundle.includes(readFileSync(join(cm, 'ca.crt'), 'utf8')), 'the cert-manager CA joined');
    assert.equal(statSync(join(other, 'node.key')).mode & 0o777, 0o600);
    assert.equal(statSync(join(other, 'node.crt')).mode & 0o777, 0o644);
    const list = JSON.parse(ok(crdbTls(['cert', 'list', '--certs-dir', other, '--json']), 'list').stdout) as { certFile: string; errors: string[] }[];
    assert.deepEqual(
      list.map((e) => e.errors),
      [[], []],
    );

    // Secrets: the manifest has the chart's and operator's data keys, and reads back into a new dir byte for byte.
    const manifest = ok(crdbTls(['k8s', 'secret', '--certs-dir', other, '--node', '--name', 'cockroachdb.node', '--namespace', 'db']), 'k8s secret').stdout;
    assert.match(
      manifest,
      /^apiVersion: v1\nkind: Secret\nmetadata:\n {2}name: cockroachdb\.node\n {2}namespace: db\ntype: Opaque\ndata:\n {2}ca\.crt: [A-Za-z0-9+/=]+\n {2}node\.crt: [A-Za-z0-9+/=]+\n {2}node\.key: [A-Za-z0-9+/=]+\n$/,
    );
    const secretFile = join(tmpDir(), 'node-secret.yaml');
    writeFileSync(secretFile, manifest);
    const back = join(tmpDir(), 'certs');
    ok(crdbTls(['cert', 'import', '--certs-dir', back, '--as', 'node', '--from-k8s-secret', secretFile]), 'import secret');
    for (const f of ['ca.crt', 'node.crt', 'node.key']) assert.equal(readFileSync(join(back, f), 'utf8'), readFileSync(join(other, f), 'utf8'), f);
    // The operator's layout: a kubernetes.io/tls Secret with ca.crt, tls.crt, tls.key, read back the same.
    const opManifest = ok(
      crdbTls(['k8s', 'secret', '--certs-dir', other, '--node', '--name', 'crdb-node', '--layout', 'operator']),
      'k8s secret operator',
    ).stdout;
    assert.match(
      opManifest,
      /\ntype: kubernetes\.io\/tls\ndata:\n {2}ca\.crt: [A-Za-z0-9+/=]+\n {2}tls\.crt: [A-Za-z0-9+/=]+\n {2}tls\.key: [A-Za-z0-9+/=]+\n$/,
    );
    const opFile = join(tmpDir(), 'op-secret.yaml');
    writeFileSync(opFile, opManifest);
    const opBack = join(tmpDir(), 'certs');
    ok(crdbTls(['cert', 'import', '--certs-dir', opBack, '--as', 'node', '--from-k8s-secret', opFile]), 'import operator secret');
    for (const f of ['ca.crt', 'node.crt', 'node.key']) assert.equal(readFileSync(join(opBack, f), 'utf8'), readFileSync(join(other, f), 'utf8'), f);
    // cert-manager's own Secret (kubernetes.io/tls, as JSON from kubectl): tls.crt, tls.key, ca.crt.
    const cmSecret = join(tmpDir(), 'cm-secret.json');
    const b64 = (f: string) => readFileSync(join(cm, f)).toString('base64');
    writeFileSync(
      cmSecret,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Secret',
        type: 'kubernetes.io/tls',
        data: { 'ca.crt': b64('ca.crt'), 'tls.crt': b64('tls.crt'), 'tls.key': b64('tls.key') },
      }),
    );
    const fromCm = join(tmpDir(), 'certs');
    ok(crdbTls(['cert', 'import', '--certs-dir', fromCm, '--as', 'node', '--from-k8s-secret', cmSecret]), 'import cert-manager secret');
    const server = new PgServer({ certsDir: fromCm });
    try {
      await server.start();
      const probe = JSON.parse(ok(crdbTls(['probe', `127.0.0.1:${server.port}`, '--ca-file', join(fromCm, 'ca.crt'), '--json']), 'probe').stdout) as {
        chain: { subject: unknown }[];
      };
      assert.ok(probe.chain.length >= 1);
    } finally {
      await server.stop();
    }
  });
});
