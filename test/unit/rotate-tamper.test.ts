/** The schema and path rules of backup manifests and lock journals (untrusted input), on the core. */
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../src/core/errors';
import { applyPlan, listBackups, planRollback, planRotateCa, planRotateClient, planRotateNode, readLock } from '../../src/core/certsdir/rotate';
import { createBackup } from '../../src/core/certsdir/rotate/backup';
import { isOldKeyPathOf, inCertsDir } from '../../src/core/certsdir/rotate/confine';
import { parseManifest, restorableMode } from '../../src/core/certsdir/rotate/manifest';
import { MAX_BACKUP_ENTRIES, MAX_CERTS_PER_PLAN } from '../../src/core/certsdir/rotate/schema';
import { targetOfTemp, tempPathFor } from '../../src/core/certsdir/rotate/txn';
import { RotationPlan } from '../../src/core/certsdir/rotate/types';
import { CertsFixture, makeCertsDir, cloneCertsDir } from '../support/certs';

const KEY_SIZE = 1024;

const clone = cloneCertsDir;

describe('untrusted manifests and journals: schema, paths, proofs', function () {
  this.timeout(30_000);
  let fx: CertsFixture;
  before(async function () {
    this.timeout(60_000);
    fx = await makeCertsDir({ users: ['root'] });
  });

  it('the names rotate-ca moves the CA key to, and nothing else, are its moved-aside names', () => {
    const k = '/s/ca.key';
    for (const p of ['/s/ca.old.key', '/s/ca.old.20250102T030405678Z.key', '/s/ca.old.20250102T030405678Z-3.key']) assert.ok(isOldKeyPathOf(p, k), p);
    for (const p of ['/s/ca.key', '/s/ca.old.key.x', '/t/ca.old.key', '/s/../s/ca.old.key', '/s/xca.old.key', '/s/ca.old.2025.key'])
      assert.ok(!isOldKeyPathOf(p, k), p);
    assert.ok(isOldKeyPathOf('/s/cakey.old.key', '/s/cakey'), 'no extension: .key');
    assert.ok(isOldKeyPathOf('/s/my.ca.old.pem', '/s/my.ca.pem'));
    assert.ok(inCertsDir('/c/node.key', '/c'));
    for (const p of ['/c/.crdb-tls-rotate.lock', '/c/sub/node.key', '/c/../node.key', 'c/node.key', '/d/node.key']) assert.ok(!inCertsDir(p, '/c'), p);
  });

  it('temps: only the form tempPathFor makes, beside their file', () => {
    const t = tempPathFor('/c/node.key');
    assert.equal(targetOfTemp(t), '/c/node.key');
    for (const p of ['/c/node.key', '/c/.node.key.xyz.crdb-tls.tmp', '/c/.node.key.0123456789ab.crdb-tls.tmp.x']) assert.equal(targetOfTemp(p), undefined, p);
  });

  it('modes recorded: the mode itself when a rollback may restore it, else the usual one', () => {
    assert.equal(restorableMode('/c/node.crt', '/c', 0o444, 1000), 0o444);
    assert.equal(restorableMode('/c/node.crt', '/c', 0o664, 1000), 0o644);
    assert.equal(restorableMode('/c/node.crt', '/c', 0o1777, 1000), 0o644);
    assert.equal(restorableMode('/c/node.key', '/c', 0o400, 1000), 0o400);
    assert.equal(restorableMode('/c/node.key', '/c', 0o640, 1000), 0o600);
    assert.equal(restorableMode('/c/node.key', '/c', 0o640, 0), 0o640, 'a root-owned group-readable key, as cockroach accepts');
    assert.equal(restorableMode('/s/ca.key', '/c', 0o644, 1000), 0o600, 'outside the certs dir: the CA key');
  });

  it("rotate-ca: the manifest and the journal record the CA key and are signed; a rotate-node's are not", async () => {
    const f = clone(fx);
    let journalSeen = false;
    const r = await applyPlan(planRotateCa({ certsDir: f.certsDir, caKey: f.caKey, keySize: KEY_SIZE }), {
      onStep: (s) => {
        if (!s.startsWith('keep ')) return;
        const held = readLock(f.certsDir);
        assert.equal(held?.journal?.caKey, f.caKey, 'a signed journal passes its check');
        assert.equal(held.journal.proof?.length, 2);
        journalSeen = true;
      },
    });
    assert.ok(journalSeen);
    const dir = r.backup?.dir ?? '';
    const raw = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Record<string, unknown>;
    const m = parseManifest(raw, r.backup?.id ?? '');
    assert.equal(m.caKey, f.caKey);
    assert.equal(m.proof?.length, 2);
    const n = await applyPlan(planRotateNode({ certsDir: f.certsDir, caKey: f.caKey, keySize: KEY_SIZE }));
    const nm = JSON.parse(readFileSync(join(n.backup?.dir ?? '', 'manifest.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(nm.caKey, undefined);
    assert.equal(nm.proof, undefined);
    // Its own rollback, without naming the CA key: the signature is the key now at its path.
    const plan = planRollback({ certsDir: f.certsDir, backupId: r.backup?.id });
    assert.equal(plan.caKey, f.caKey);
  });

  it('a signed journal changed by one op is not trusted: readLock ignores it, the next rotation refuses it', async () => {
    const f = clone(fx);
    let lockText = '';
    await assert.rejects(
      applyPlan(planRotateCa({ certsDir: f.certsDir, caKey: f.caKey, keySize: KEY_SIZE }), {
        onStep: (s) => {
          if (s === 'journal') lockText = readFileSync(join(f.certsDir, '.crdb-tls-rotate.lock'), 'utf8');
          if (s.startsWith('keep ')) throw new Error('stop');
        },
      }),
      /stopped half-way/,
    );
    assert.ok(readLock(f.certsDir)?.journal, 'the genuine journal is left for the next run');
    const lock = JSON.parse(readFileSync(join(f.certsDir, '.crdb-tls-rotate.lock'), 'utf8')) as { journal: { ops: { op: string; to?: string }[] } };
    assert.ok(lockText);
    lock.journal.ops[0].to = join(f.root, 'safe', 'ca.old.20250102T030405678Z.key');
    writeFileSync(join(f.certsDir, '.crdb-tls-rotate.lock'), JSON.stringify(lock));
    assert.equal(readLock(f.certsDir), undefined);
    await assert.rejects(
      applyPlan(planRotateNode({ certsDir: f.certsDir, caKey: f.caKey, keySize: KEY_SIZE })),
      (err: unknown) =>
        err instanceof UserError &&
        /is not one this tool wrote \(its journal touches .*, outside the certs dir, and is not signed by the CA key there\)/.test(err.message),
    );
  });

  it('limits: a backup of more than the entry limit, a plan of more steps, rotate-client of too many users; nothing written', async () => {
    const f = clone(fx);
    const root = join(f.root, 'b');
    const many = Array.from({ length: MAX_BACKUP_ENTRIES + 1 }, (_, i) => join(f.certsDir, `x${i}`));
    assert.throws(() => createBackup(root, f.certsDir, 'rotate-node', [], many), /would back up 501 files, more than the limit of 500/);
    assert.ok(!existsSync(root));
    const plan = planRotateNode({ certsDir: f.certsDir, caKey: f.caKey, keySize: KEY_SIZE });
    const big: RotationPlan = { ...plan, steps: many.map((p) => ({ action: 'write', path: p, what: 'file' })) };
    await assert.rejects(applyPlan(big), /would change 501 files, more than the limit of 500/);
    assert.deepEqual(
      readdirSync(f.certsDir).filter((n) => n.startsWith('.')),
      [],
      'no lock taken',
    );
    const users = Array.from({ length: MAX_CERTS_PER_PLAN + 1 }, (_, i) => `u${i}`);
    assert.throws(() => planRotateClient({ certsDir: f.certsDir, caKey: f.caKey, users }), /at most 100 users in one run, got 101/);
  });

  it('listBackups: none valid but some refused is an error naming the folder, not an empty list', () => {
    const f = clone(fx);
    const root = `${f.certsDir}.backups`;
    const dir = join(root, '20250102T030405678Z');
    createBackup(root, f.certsDir, 'rotate-node', [join(f.certsDir, 'node.key')], [], new Date('2025-01-02T03:04:05.678Z'));
    assert.equal(listBackups(root, f.certsDir).length, 1);
    writeFileSync(join(dir, 'manifest.json'), '{"files": [null]}');
    assert.throws(() => listBackups(root, f.certsDir), /backup folder \S+20250102T030405678Z has an invalid manifest\.json \(the manifest has no "id"\)/);
  });
});
