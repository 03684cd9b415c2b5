import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { appendFileSync, chmodSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../../src/core/errors';
import {
  LOCK_NAME,
  applyPlan,
  listBackups,
  planRollback,
  planRotateCa,
  planRotateClient,
  planRotateNode,
  readLock,
  recoverInterrupted,
} from '../../src/core/certsdir/rotate';
import { listCertsDir } from '../../src/core/certsdir/list';
import { CertsFixture, makeCertsDir, cloneCertsDir } from '../support/certs';
import { hashTree } from '../support/tmp';

const KEY_SIZE = 1024; // fast; the size is not what these tests are about

const clone = cloneCertsDir;

const mode = (p: string) => statSync(p).mode & 0o777;
const serialOf = (p: string) => new X509Certificate(readFileSync(p)).serialNumber.toLowerCase();
const errorsOf = (dir: string) => listCertsDir(dir).flatMap((e) => e.errors);
/** Certs dir and CA key dir (the backups beside them are not part of the state). */
const state = (f: CertsFixture) => hashTree(f.certsDir) + hashTree(join(f.root, 'safe'));

async function rejects(p: Promise<unknown>, re: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => err instanceof UserError && re.test(err.message));
}

function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '']);
  return r.pid ?? 999_999;
}

describe('applying rotations: backups, rollback, lock, interrupted runs', function () {
  this.timeout(30_000);
  let fx: CertsFixture;
  before(async function () {
    this.timeout(60_000);
    fx = await makeCertsDir({ users: ['root'] });
  });

  it('rotate-node: new serial and key in place, modes kept, a backup beside the dir (0700, copies 0600, manifest)', async () => {
    const f = clone(fx);
    const oldCrt = readFileSync(join(f.certsDir, 'node.crt'));
    const oldKey = readFileSync(join(f.certsDir, 'node.key'));
    const plan = planRotateNode({ certsDir: f.certsDir, caKey: f.caKey, keySize: KEY_SIZE });
    const r = await applyPlan(plan);
    assert.equal(r.issued.length, 1);
    assert.equal(serialOf(join(f.certsDir, 'node.crt')), r.issued[0].serial);
    assert.notEqual(r.issued[0].serial, plan.certs[0].replaces?.serial);
    assert.deepEqual(errorsOf(f.certsDir), [], 'the new key matches the new cert; the dir loads');
    assert.equal(mode(join(f.certsDir, 'node.key')), 0o600);
    assert.equal(mode(join(f.certsDir, 'node.crt')), 0o644);
    assert.deepEqual(readdirSync(f.certsDir).sort(), ['ca.crt', 'client.root.crt', 'client.root.key', 'node.crt', 'node.key'], 'no temp or lock file left');

    const b = r.backup;
    assert.ok(b);
    assert.equal(b.dir, join(`${f.certsDir}.backups`, b.id));
    assert.equal(mode(`${f.certsDir}.backups`), 0o700);
    assert.equal(mode(b.dir), 0o700);
    assert.deepEqual(
      b.files.map((x) => [x.path, x.mode]),
      [
        [join(f.certsDir, 'node.crt'), 0o644],
        [join(f.certsDir, 'node.key'), 0o600],
      ],
    );
    for (const x of b.files) assert.equal(mode(join(b.dir, x.copy)), 0o600);
    assert.deepEqual(readFileSync(join(b.dir, b.files[0].copy)), oldCrt);
    assert.deepEqual(readFileSync(join(b.dir, b.files[1].copy)), oldKey);
    const manifest = JSON.parse(readFileSync(join(b.dir, 'manifest.json'), 'utf8')) as { reason: string; files: { sha256: string }[] };
    assert.equal(manifest.reason, 'rotate-node');
    assert.match(manifest.files[0].sha256, /^[0-9a-f]{64}$/);
    assert.deepEqual(
      listBackups(`${f.certsDir}.backups`, f.certsDir).map((x) => x.id),
      [b.id],
    );
  });

  it('rollback restores byte for byte with modes (CA key included), after backing up the current state; and back again', async () => {
    const f = clone(fx);
    chmodSync(join(f.certsDir, 'ca.crt'), 0o444);
    chmodSync(f.caKey, 0o400);
    const h0 = state(f);
    const oldCaKey = readFileSync(f.caKey);
    const rotated = await applyPlan(planRotateCa({ certsDir: f.certsDir, caKey: f.caKey, keySize: KEY_SIZE }));
    assert.deepEqual(readFileSync(join(f.root, 'safe', 'ca.old.key')), oldCaKey, 'the old CA key is kept beside the new one');
    assert.equal(listCertsDir(f.certsDir).find((e) => e.certFile === 'ca.crt')?.numCerts, 2);
    await applyPlan(planRotateClient({ certsDir: f.certsDir, caKey: f.caKey, users: ['root'], keySize: KEY_SIZE }));
    const h1 = state(f);

    // Roll back the client rotation, then the CA rotation (by id).
    await applyPlan(planRollback({ certsDir: f.certsDir }));
    const plan = planRollback({ certsDir: f.certsDir, backupId: rotated.backup?.id });
    assert.deepEqual(
      plan.steps.map((s) => [s.action, s.path]),
      [
        ['restore', f.caKey],
        ['restore', join(f.certsDir, 'ca.crt')],
        ['remove', join(f.root, 'safe', 'ca.old.key')],
      ],
    );
    await applyPlan(plan);
    assert.equal(state(f), h0, 'files, bytes and modes as before the rotation');
    assert.equal(mode(f.caKey), 0o400);

    const all = listBackups(`${f.certsDir}.backups`, f.certsDir);
    assert.deepEqual(
      all.map((b) => b.reason),
      [`before rollback to ${rotated.backup?.id}`, `before rollback to ${all[2].id}`, 'rotate-client', 'rotate-ca'],
    );
    assert.ok(
      all[0].files.some((x) => x.path === join(f.root, 'safe', 'ca.old.key')),
      'the key removed by the rollback is in its backup',
    );
    // Undo both rollbacks: newest first.
    await applyPlan(planRollback({ certsDir: f.certsDir }));
    await applyPlan(planRollback({ certsDir: f.certsDir, backupId: all[1].id }));
    assert.equal(state(f), h1);
  });

  it('refuses a damaged backup, and a plan whose files changed since it was made; nothing changed', async () => {
    const f = clone(fx);
    const r = await applyPlan(planRotateNode({ certsDir: f.certsDir, caKey: f.caKey, keySize: KEY_SIZE }));
    const plan = planRotateNode({ certsDir: f.certsDir, caKey: f.caKey, keySize: KEY_SIZE });
    appendFileSync(join(f.certsDir, 'node.crt'), '\n');
    const h = state(f);
    await rejects(applyPlan(plan), /node\.crt changed since the plan was made/);
    assert.equal(state(f), h);
    assert.ok(r.backup);
    appendFileSync(join(r.backup.dir, r.backup.files[0].copy), 'x');
    assert.throws(() => planRollback({ certsDir: f.certsDir }), /backup .* is damaged/);
    assert.equal(state(f), h);
  });

  it('the lock: a second rotation at the same time is refused; a stale lock is taken over with a message', async () => {
    const f = clone(fx);
    const p1 = planRotateNode({ certsDir: f.certsDir, caKey: f.caKey, keySize: KEY_SIZE });
    const p2 = planRotateClient({ certsDir: f.certsDir, caKey: f.caKey, users: ['root'], keySize: KEY_SIZE });
    const [a, b] = await Promise.allSettled([applyPlan(p1), applyPlan(p2)]);
    assert.equal(a.status, 'fulfilled');
    assert.equal(b.status, 'rejected');
    assert.match(String((b as PromiseRejectedResult).reason), /another rotation is running on this certs directory \(rotate-node, pid \d+/);

    const lock = join(f.certsDir, LOCK_NAME);
    writeFileSync(lock, JSON.stringify({ pid: process.pid, hostname: 'elsewhere', startedAt: 'x', command: 'rotate-ca' }));
    await rejects(applyPlan(planRotateNode({ certsDir: f.certsDir, caKey: f.caKey, keySize: KEY_SIZE })), /another rotation .*rotate-ca, pid \d+ on elsewhere/);
    const pid = deadPid();
    writeFileSync(lock, JSON.stringify({ pid, hostname: hostname(), startedAt: '2020-01-01T00:00:00.000Z', command: 'rotate-ca' }));
    const r = await applyPlan(planRotateNode({ certsDir: f.certsDir, caKey: f.caKey, keySize: KEY_SIZE }));
    assert.deepEqual(r.messages, [`took over a stale lock: rotate-ca (pid ${pid}, started 2020-01-01T00:00:00.000Z) is no longer running.`]);
    assert.ok(!existsSync(lock));
  });

  it('interrupted before the renames: nothing changed; interrupted between them: the next run finishes the job', async () => {
    const f = clone(fx);
    const h = state(f);
    const failAt = (name: string) => (s: string) => {
      if (s === name) throw new Error(`interrupted at ${s}`);
    };
    await assert.rejects(
      applyPlan(planRotateNode({ certsDir: f.certsDir, caKey: f.caKey, keySize: KEY_SIZE }), { onStep: failAt('journal') }),
      /interrupted at journal/,
    );
    assert.equal(state(f), h, 'temps removed, lock released');

    const plan = planRotateNode({ certsDir: f.certsDir, caKey: f.caKey, keySize: KEY_SIZE });
    await rejects(applyPlan(plan, { onStep: failAt(`rename ${join(f.certsDir, 'node.key')}`) }), /rotate-node stopped half-way/);
    assert.match(errorsOf(f.certsDir).join(' '), /node\.key does not match/, 'new cert, old key: a mixed state');
    const held = readLock(f.certsDir);
    assert.equal(held?.journal?.phase, 'commit');
    assert.equal(held.abandoned, true, 'marked for the next run, although this process is alive');
    assert.deepEqual(recoverInterrupted(f.certsDir), [
      `took over a stale lock: rotate-node (pid ${process.pid}, started ${held.startedAt}) is no longer running.`,
      `finished an interrupted rotate-node: its files had all been written, the remaining renames were done (its backup is ${held.journal.backupId}).`,
    ]);
    assert.equal(serialOf(join(f.certsDir, 'node.crt')) !== plan.certs[0].replaces?.serial, true);
    assert.deepEqual(errorsOf(f.certsDir), []);
    assert.deepEqual(
      readdirSync(f.certsDir).filter((n) => n.startsWith('.')),
      [],
      'no temp or lock left',
    );
  });

  it('a read-only certs dir: clear error, nothing changed', async function () {
    const f = clone(fx);
    const plan = planRotateNode({ certsDir: f.certsDir, caKey: f.caKey, keySize: KEY_SIZE });
    const h = state(f);
    const ro = readOnly(f.certsDir);
    assert.ok(ro, 'making the dir read-only needs chmod (non-root) or chattr +i (root, on ext4/xfs)');
    try {
      await rejects(applyPlan(plan), /could not create the lock file .* the certs directory must be writable to rotate; nothing was changed/);
    } finally {
      ro();
    }
    assert.equal(state(f), h);
    assert.ok(!existsSync(`${f.certsDir}.backups`), 'no backup either');
  });
});

/** Makes `dir` unwritable even for root (chattr +i); returns the undo, or undefined when that is not possible. */
function readOnly(dir: string): (() => void) | undefined {
  if (process.getuid?.() !== 0) {
    chmodSync(dir, 0o500);
    return () => chmodSync(dir, 0o700);
  }
  const r = spawnSync('chattr', ['+i', dir]);
  if (r.status !== 0) return undefined;
  return () => void spawnSync('chattr', ['-i', dir]);
}
