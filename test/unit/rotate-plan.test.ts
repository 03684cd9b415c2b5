import { strict as assert } from 'node:assert';
import { X509Certificate } from 'node:crypto';
import { chmodSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../src/core/errors';
import { RotationPlan, planPruneCa, planReissueAll, planRotateCa, planRotateClient, planRotateNode } from '../../src/core/certsdir/rotate';
import { createCa } from '../../src/core/certsdir/create';
import { CertsFixture, makeCertsDir, cloneCertsDir } from '../support/certs';
import { hashTree } from '../support/tmp';

const HOUR = 3_600_000;
const NOW = new Date();
const floorS = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString();

/** A copy of the fixture (certs dir and CA key), so that each test may change it. */
const clone = cloneCertsDir;

function serialOf(path: string): string {
  return new X509Certificate(readFileSync(path)).serialNumber.toLowerCase();
}

function refuses(fn: () => unknown, re: RegExp): void {
  assert.throws(fn, (err: unknown) => err instanceof UserError && re.test(err.message));
}

describe('rotation plans (plain data, nothing written)', function () {
  let fx: CertsFixture;
  before(async function () {
    this.timeout(60_000);
    fx = await makeCertsDir({ users: ['root', 'app.reader'], pkcs8: true });
  });

  it('rotate-node: replaces node.crt and node.key, keeps the SANs, shows dates, CA, and what it replaces', () => {
    const before = hashTree(fx.root);
    const plan = planRotateNode({ certsDir: fx.certsDir, caKey: fx.caKey, now: NOW });
    assert.equal(hashTree(fx.root), before, 'planning writes nothing');
    assert.deepEqual(plan.steps, [
      { action: 'replace', path: join(fx.certsDir, 'node.crt'), what: 'node certificate', mode: 0o644 },
      { action: 'replace', path: join(fx.certsDir, 'node.key'), what: 'node key', mode: 0o600 },
    ]);
    const [c] = plan.certs;
    assert.deepEqual({ kind: c.kind, cn: c.commonName, sans: c.sans }, { kind: 'node', cn: 'node', sans: { dns: ['localhost'], ip: ['127.0.0.1'] } });
    assert.equal(c.notBefore, floorS(NOW.getTime() - 24 * HOUR));
    assert.equal(c.notAfter, floorS(NOW.getTime() + 43_920 * HOUR));
    assert.ok(c.signedBy !== 'self');
    assert.equal(c.signedBy.file, 'ca.crt');
    assert.equal(c.signedBy.serial, serialOf(join(fx.certsDir, 'ca.crt')));
    assert.equal(c.replaces?.serial, serialOf(join(fx.certsDir, 'node.crt')));
    assert.deepEqual(plan.backupFiles, [join(fx.certsDir, 'node.crt'), join(fx.certsDir, 'node.key')]);
    assert.equal(plan.backupRoot, `${fx.certsDir}.backups`);
    assert.ok(
      plan.expect.every((e) => typeof e.sha256 === 'string'),
      'the plan remembers the bytes it was made from',
    );
    assert.match(plan.notes.join(' '), /SIGHUP/);
    const copy = JSON.parse(JSON.stringify(plan)) as RotationPlan;
    assert.deepEqual(copy, plan, 'plain data: survives JSON');
  });

  it('rotate-node: hosts given replace the SANs; a bad host or no host at all is refused', () => {
    const plan = planRotateNode({
      certsDir: fx.certsDir,
      caKey: fx.caKey,
      hosts: ['node1.example.com', '10.0.0.1', 'localhost'],
      now: NOW,
      backupDir: join(fx.root, 'bk'),
    });
    assert.deepEqual(plan.certs[0].sans, { dns: ['node1.example.com', 'localhost'], ip: ['10.0.0.1'] });
    assert.equal(plan.backupRoot, join(fx.root, 'bk'));
    refuses(() => planRotateNode({ certsDir: fx.certsDir, caKey: fx.caKey, backupDir: join(fx.certsDir, 'bk') }), /is inside the certs directory/);
    refuses(() => planRotateNode({ certsDir: fx.certsDir, caKey: fx.caKey, hosts: ['bad_host!'] }), /Invalid host "bad_host!"/);
    const f = clone(fx);
    unlinkSync(join(f.certsDir, 'node.crt'));
    unlinkSync(join(f.certsDir, 'node.key'));
    refuses(() => planRotateNode({ certsDir: f.certsDir, caKey: f.caKey }), /node\.crt does not exist, so there are no hosts to keep/);
    assert.deepEqual(
      planRotateNode({ certsDir: f.certsDir, caKey: f.caKey, hosts: ['localhost'] }).steps.map((s) => s.action),
      ['write', 'write'],
    );
  });

  it('rotate-client: each user, the pkcs8 key too when there is one', () => {
    const plan = planRotateClient({ certsDir: fx.certsDir, caKey: fx.caKey, users: ['app.reader'], now: NOW });
    assert.deepEqual(
      plan.steps.map((s) => [s.action, s.path.slice(fx.certsDir.length + 1)]),
      [
        ['replace', 'client.app.reader.crt'],
        ['replace', 'client.app.reader.key'],
        ['replace', 'client.app.reader.key.pk8'],
      ],
    );
    assert.equal(plan.certs[0].commonName, 'app.reader');
    assert.equal(plan.certs[0].pkcs8, true);
    const fresh = planRotateClient({ certsDir: fx.certsDir, caKey: fx.caKey, users: ['Bob'], now: NOW });
    assert.deepEqual(
      fresh.steps.map((s) => s.action),
      ['write', 'write'],
      'a user without a cert yet gets new files',
    );
    assert.equal(fresh.certs[0].commonName, 'bob');
    refuses(() => planRotateClient({ certsDir: fx.certsDir, caKey: fx.caKey, users: [] }), /at least one user/);
  });

  it('rotate-ca: the old key is moved aside (ca.old.key, then a timestamped name), a new key and CA, the bundle replaced', () => {
    const f = clone(fx);
    const plan = planRotateCa({ certsDir: f.certsDir, caKey: f.caKey, now: NOW });
    const aside = join(f.root, 'safe', 'ca.old.key');
    assert.deepEqual(plan.steps, [
      { action: 'move', path: f.caKey, to: aside, what: 'CA key', mode: 0o600 },
      { action: 'write', path: f.caKey, what: 'CA key', mode: 0o600 },
      { action: 'replace', path: join(f.certsDir, 'ca.crt'), what: 'CA certificate', mode: 0o644 },
    ]);
    assert.equal(plan.certs[0].signedBy, 'self');
    assert.equal(plan.certs[0].notAfter, floorS(NOW.getTime() + 87_840 * HOUR));
    assert.deepEqual(plan.backupFiles, [f.caKey, join(f.certsDir, 'ca.crt')]);
    assert.ok(plan.expect.some((e) => e.path === aside && e.sha256 === null));
    writeFileSync(aside, 'taken');
    const again = planRotateCa({ certsDir: f.certsDir, caKey: f.caKey, now: NOW });
    assert.equal(again.steps[0].to, join(f.root, 'safe', `ca.old.${NOW.toISOString().replace(/[-:.]/g, '')}.key`));
  });

  it('reissue-all: every node and client certificate, same names, CN and SANs', () => {
    const plan = planReissueAll({ certsDir: fx.certsDir, caKey: fx.caKey, now: NOW });
    assert.deepEqual(
      plan.certs.map((c) => [c.path.slice(fx.certsDir.length + 1), c.commonName, [...c.sans.dns, ...c.sans.ip].join(',')]),
      [
        ['node.crt', 'node', 'localhost,127.0.0.1'],
        ['client.app.reader.crt', 'app.reader', ''],
        ['client.root.crt', 'root', ''],
      ],
    );
    assert.equal(plan.steps.filter((s) => s.action === 'replace').length, 8, 'cert + key each, and the two pkcs8 keys');
  });

  it('reissue-all: --client-ca-key that cannot apply (no ca-client.crt, or no client certificate) is refused before the key is read', async () => {
    // A good key, and one that does not exist: the refusal comes before any read of it.
    for (const clientCaKey of [fx.caKey, join(fx.root, 'no-such-client-ca.key')])
      refuses(
        () => planReissueAll({ certsDir: fx.certsDir, caKey: fx.caKey, clientCaKey, now: NOW }),
        /^--client-ca-key cannot apply: .* has no ca-client\.crt, so ca\.crt \(--ca-key\) signs its client certificates; drop --client-ca-key\.$/,
      );
    const split = await makeCertsDir({ clientCa: true, users: ['root'] });
    const plan = planReissueAll({ certsDir: split.certsDir, caKey: split.caKey, clientCaKey: split.clientCaKey, now: NOW });
    assert.equal(plan.clientCaKey, split.clientCaKey);
    unlinkSync(join(split.certsDir, 'client.root.crt'));
    unlinkSync(join(split.certsDir, 'client.root.key'));
    refuses(
      () => planReissueAll({ certsDir: split.certsDir, caKey: split.caKey, clientCaKey: split.clientCaKey, now: NOW }),
      /^--client-ca-key cannot apply: .* holds no client certificate; drop --client-ca-key\.$/,
    );
  });

  it('prune-ca: refuses while certificates chain only to the old CA, listing them; refuses a bundle of one', async () => {
    const f = clone(fx);
    refuses(() => planPruneCa({ certsDir: f.certsDir }), /holds 1 certificate: there is no old CA to prune/);
    // A second CA in front: everything in the dir still depends on the old one.
    await createCa({ certsDir: f.certsDir, caKey: join(f.root, 'safe', 'new.key'), overwrite: true, keySize: 1024 });
    const before = hashTree(f.root);
    assert.throws(
      () => planPruneCa({ certsDir: f.certsDir }),
      (err: unknown) => {
        assert.ok(err instanceof UserError);
        assert.match(err.message, /cannot prune .*ca\.crt: 3 certificates still chain only to an old CA/);
        for (const n of ['node.crt', 'client.root.crt', 'client.app.reader.crt']) assert.ok(err.message.includes(join(f.certsDir, n)), n);
        return true;
      },
    );
    assert.equal(hashTree(f.root), before);
  });

  it('bad input is refused with the file and the fix: missing CA key, wrong CA key, loader errors', async () => {
    const f = clone(fx);
    const before = hashTree(f.root);
    refuses(() => planRotateNode({ certsDir: f.certsDir, caKey: join(f.root, 'safe', 'nope.key') }), /CA key .*nope\.key not found/);
    refuses(() => planRotateNode({ certsDir: f.certsDir, caKey: '' }), /--ca-key/);
    refuses(() => planRotateNode({ certsDir: join(f.root, 'missing'), caKey: f.caKey }), /does not exist/);
    const other = await makeCertsDir({ users: [] });
    refuses(() => planRotateCa({ certsDir: f.certsDir, caKey: other.caKey }), /does not match the first certificate/);
    chmodSync(join(f.certsDir, 'client.root.key'), 0o644);
    const broken = hashTree(f.root);
    refuses(() => planRotateNode({ certsDir: f.certsDir, caKey: f.caKey }), /has errors CockroachDB would report.*client\.root\.key has permissions/s);
    // The files a plan replaces may be the broken ones: rotating them is the fix.
    assert.equal(planRotateClient({ certsDir: f.certsDir, caKey: f.caKey, users: ['root'] }).certs.length, 1);
    assert.equal(hashTree(f.root), broken);
    chmodSync(join(f.certsDir, 'client.root.key'), 0o600);
    assert.equal(hashTree(f.root), before);
  });
});
