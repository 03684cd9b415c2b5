/**
 * crdb-tls verify and inspect through their CLI modules, against `openssl verify` on the same
 * files: the same verdict, the same error numbers and lines.
 */
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Io } from '../../src/cli/io';
import { runInspect } from '../../src/cli/inspect';
import { runVerify } from '../../src/cli/verify';
import { createClient, createNode } from '../../src/core/certsdir/create';
import { CertsFixture, makeCertsDir } from '../support/certs';
import { openssl } from '../support/exec';
import { tmpDir } from '../support/tmp';

const DAY_MS = 86_400_000;

function capture(): Io & { text: () => string } {
  let s = '';
  return { out: (t) => (s += t), env: { ...process.env }, text: () => s };
}

async function verify(...args: string[]): Promise<{ code: number; text: string }> {
  const io = capture();
  const code = await runVerify(args, io);
  return { code, text: io.text() };
}

describe('crdb-tls verify and inspect (CLI modules) against openssl', function () {
  this.timeout(60_000);
  let fx: CertsFixture;
  let other: CertsFixture;
  let dir: string;

  before(async function () {
    this.timeout(120_000);
    [fx, other] = await Promise.all([makeCertsDir({ users: ['alice'], pkcs8: true }), makeCertsDir({ users: ['alice'] })]);
    dir = tmpDir();
    for (const [name, now, lifetimeMs] of [
      ['expired', Date.now() - 10 * DAY_MS, 2 * DAY_MS],
      ['future', Date.now() + 10 * DAY_MS, undefined],
    ] as const) {
      mkdirSync(join(dir, name));
      copyFileSync(join(fx.certsDir, 'ca.crt'), join(dir, name, 'ca.crt'));
      await createNode({ certsDir: join(dir, name), caKey: fx.caKey, hosts: ['localhost'], now: new Date(now), lifetimeMs });
    }
    // A leaf signed with node.key: its issuer is not a CA. The file holds the leaf and node.crt, as a server would send them.
    openssl(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'leaf.key'), '-subj', '/CN=leaf', '-out', join(dir, 'leaf.csr')]);
    openssl([
      'x509',
      '-req',
      '-in',
      join(dir, 'leaf.csr'),
      '-CA',
      join(fx.certsDir, 'node.crt'),
      '-CAkey',
      join(fx.certsDir, 'node.key'),
      '-CAcreateserial',
      '-out',
      join(dir, 'leaf.crt'),
      '-days',
      '5',
    ]);
    writeFileSync(join(dir, 'leafchain.crt'), readFileSync(join(dir, 'leaf.crt'), 'latin1') + readFileSync(join(fx.certsDir, 'node.crt'), 'latin1'));
  });

  const cases: [name: string, ca: () => string, cert: () => string, untrusted?: boolean][] = [
    ['a node cert from the CA: OK', () => join(fx.certsDir, 'ca.crt'), () => join(fx.certsDir, 'node.crt')],
    ['another CA: error 20, unable to get local issuer certificate', () => join(other.certsDir, 'ca.crt'), () => join(fx.certsDir, 'node.crt')],
    ['an expired node cert: error 10', () => join(fx.certsDir, 'ca.crt'), () => join(dir, 'expired', 'node.crt')],
    ['a node cert not yet valid: error 9', () => join(fx.certsDir, 'ca.crt'), () => join(dir, 'future', 'node.crt')],
    ['another self-signed CA: error 18', () => join(fx.certsDir, 'ca.crt'), () => join(other.certsDir, 'ca.crt')],
    ['node.crt used as a CA file: error 20', () => join(fx.certsDir, 'node.crt'), () => join(fx.certsDir, 'client.alice.crt')],
    ['issued by a certificate that is not a CA: errors 79 and 32', () => join(fx.certsDir, 'ca.crt'), () => join(dir, 'leafchain.crt'), true],
  ];
  for (const [name, ca, cert, untrusted] of cases) {
    it(`${name}, exactly as openssl verify prints it`, async () => {
      const o = openssl(['verify', '-CAfile', ca(), ...(untrusted ? ['-untrusted', cert()] : []), cert()], { allowFail: true });
      const ours = await verify('--ca-file', ca(), cert());
      assert.equal(ours.code, o.status === 0 ? 0 : 1);
      assert.equal(ours.text.split('Reason: ')[0], o.stdout + o.stderr);
      if (ours.code) assert.match(ours.text, /\nReason: .{20,}\n$/);
    });
  }

  it('verify --json: the verdict with its OpenSSL code, depth, reason and chain', async () => {
    const io = capture();
    assert.equal(await runVerify(['--ca-file', join(other.certsDir, 'ca.crt'), join(fx.certsDir, 'node.crt'), '--json'], io), 1);
    const r = JSON.parse(io.text()) as { file: string; ok: boolean; code: string; errorNumber: number; depth: number; reason: string; chain: unknown[] };
    assert.equal(r.ok, false);
    assert.equal(r.code, 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY');
    assert.equal(r.errorNumber, 20);
    assert.equal(r.depth, 0);
    assert.match(r.reason, /same name, "Cockroach CA", but with another key/);
    await assert.rejects(runVerify([join(fx.certsDir, 'node.crt')], capture()), /verify needs the CA/);
  });

  it('inspect a certificate: the openssl-like text, its CA and its key', async () => {
    const io = capture();
    assert.equal(await runInspect([join(fx.certsDir, 'node.crt')], io), 0);
    assert.match(io.text(), /CockroachDB role: node certificate \(node\.crt\)/);
    assert.match(io.text(), /Subject: O = Cockroach, CN = node/);
    assert.match(io.text(), /signed by certificate 1 of 1 in .*ca\.crt/);
    assert.match(io.text(), /Matches .*node\.crt \(CN=node, O=Cockroach\)/);
    const json = capture();
    assert.equal(await runInspect([join(fx.certsDir, 'client.alice.crt'), '--key', join(fx.certsDir, 'node.key'), '--json'], json), 1);
    const r = JSON.parse(json.text()) as { kind: string; usage: string; certs: { commonName: string }[]; key: { cert: { matches: boolean } } };
    assert.equal(r.kind, 'certificate');
    assert.equal(r.usage, 'Client');
    assert.equal(r.certs[0].commonName, 'alice');
    assert.equal(r.key.cert.matches, false);
  });

  it('inspect a key: type, size, format, permissions for libpq and cockroach, and whether it matches', async () => {
    const io = capture();
    assert.equal(await runInspect([join(fx.certsDir, 'client.alice.key'), '--json'], io), 0);
    const k = JSON.parse(io.text()) as Record<string, unknown>;
    assert.deepEqual(
      { kind: k.kind, type: k.type, bits: k.bits, format: k.format, mode: k.mode, libpq: k.libpqPermissions, cockroach: k.cockroachPermissions, cert: k.cert },
      {
        kind: 'key',
        type: 'RSA',
        bits: 2048,
        format: 'PKCS#1 PEM (RSA PRIVATE KEY)',
        mode: '0600',
        libpq: { ok: true },
        cockroach: { ok: true },
        cert: { path: join(fx.certsDir, 'client.alice.crt'), subject: 'CN=alice, O=Cockroach', matches: true },
      },
    );
    const pk8 = capture();
    assert.equal(await runInspect([join(fx.certsDir, 'client.alice.key.pk8'), '--cert', join(fx.certsDir, 'client.alice.crt')], pk8), 0);
    assert.match(pk8.text(), /Format: PKCS#8 DER \(\.pk8, what JDBC reads\)/);
    assert.match(pk8.text(), /Matches /);
    const loose = join(dir, 'loose.key');
    copyFileSync(join(fx.certsDir, 'client.alice.key'), loose);
    chmodSync(loose, 0o644);
    const l = capture();
    assert.equal(await runInspect([loose, '--cert', join(other.certsDir, 'client.alice.crt')], l), 1);
    assert.match(l.text(), /libpq \(psql, psycopg\): refuses it: .*0644.*chmod 600/);
    assert.match(
      l.text(),
      /cockroach \(certs dir\): refuses it: key file .* has permissions -rw-r--r-- \(0644\), exceeds -rwx(------|r-----) \(07[04]0\): run "chmod 600 /,
    );
    assert.match(l.text(), /Does NOT match/);
    await assert.rejects(runInspect([join(dir, 'nope.crt')], capture()), /does not exist/);
  });

  it('a freshly issued client certificate: OK', async () => {
    const d = join(dir, 'reissued');
    mkdirSync(d);
    copyFileSync(join(fx.certsDir, 'ca.crt'), join(d, 'ca.crt'));
    await createClient({ certsDir: d, caKey: fx.caKey, user: 'bob' });
    const ours = await verify('--ca-file', join(fx.certsDir, 'ca.crt'), join(d, 'client.bob.crt'));
    assert.equal(ours.text, `${join(d, 'client.bob.crt')}: OK\n`);
    assert.equal(ours.code, 0);
  });
});
