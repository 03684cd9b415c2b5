import { strict as assert } from 'node:assert';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../src/core/errors';
import { applyPlan, planRollback, planRotateClient, planRotateNode } from '../../src/core/certsdir/rotate';
import { CertsFixture, makeCertsDir, cloneCertsDir } from '../support/certs';
import { hashTree } from '../support/tmp';

const KEY_SIZE = 1024;

const clone = cloneCertsDir;

describe('rollback to an older backup: one plan over it and every later backup', function () {
  this.timeout(30_000);
  let fx: CertsFixture;
  before(async function () {
    this.timeout(60_000);
    fx = await makeCertsDir({ users: ['root'] });
  });

  it('each file from the oldest backup at or after the target that holds it; undoes names the later ones, newest first', async () => {
    const f = clone(fx);
    const h0 = hashTree(f.certsDir);
    const node = await applyPlan(planRotateNode({ certsDir: f.certsDir, caKey: f.caKey, keySize: KEY_SIZE }));
    const client = await applyPlan(planRotateClient({ certsDir: f.certsDir, caKey: f.caKey, users: ['root'], keySize: KEY_SIZE }));
    const node2 = await applyPlan(planRotateNode({ certsDir: f.certsDir, caKey: f.caKey, keySize: KEY_SIZE }));
    const plan = planRollback({ certsDir: f.certsDir, backupId: node.backup?.id });
    assert.equal(plan.rollbackOf, node.backup?.id);
    assert.deepEqual(plan.undoes, [node2.backup?.id, client.backup?.id]);
    const d = f.certsDir;
    assert.deepEqual(
      plan.steps.map((s) => [s.action, s.path, s.from]),
      [
        ['restore', join(d, 'node.crt'), node.backup?.id],
        ['restore', join(d, 'node.key'), node.backup?.id],
        ['restore', join(d, 'client.root.crt'), client.backup?.id],
        ['restore', join(d, 'client.root.key'), client.backup?.id],
      ],
      'node.* as of the first backup (not the copies in the third), client.root.* from the second',
    );
    const r = await applyPlan(plan);
    assert.equal(hashTree(d), h0, 'the dir as it was before the first rotation');
    assert.equal(r.backup?.reason, `before rollback to ${node.backup?.id}`);
    assert.equal(r.backup?.files.length, 4, 'one backup for the one transaction');
  });

  it('the backups changed between plan and apply (a later one removed): refused, nothing changed', async () => {
    const f = clone(fx);
    const node = await applyPlan(planRotateNode({ certsDir: f.certsDir, caKey: f.caKey, keySize: KEY_SIZE }));
    const client = await applyPlan(planRotateClient({ certsDir: f.certsDir, caKey: f.caKey, users: ['root'], keySize: KEY_SIZE }));
    const plan = planRollback({ certsDir: f.certsDir, backupId: node.backup?.id });
    assert.ok(client.backup);
    rmSync(client.backup.dir, { recursive: true });
    const h = hashTree(f.certsDir);
    await assert.rejects(
      applyPlan(plan),
      (err: unknown) => err instanceof UserError && /the backups of \S+ changed since the rollback was planned: make the plan again/.test(err.message),
    );
    assert.equal(hashTree(f.certsDir), h);
  });
});
