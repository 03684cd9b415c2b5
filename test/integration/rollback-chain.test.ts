/**
 * Rolling back to an older backup brings the whole certs dir back to that point: after rotate-ca,
 * reissue-all and prune-ca, `cert rollback <the rotate-ca backup>` undoes all three, newest first, in
 * one transaction, and openssl verify accepts every certificate against ca.crt. When a later change
 * cannot be undone, or the result would leave a certificate not chaining, nothing changes.
 */
import { strict as assert } from 'node:assert';
import { appendFileSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CertEntry } from '../../src/core/certsdir/list';
import type { BackupManifest } from '../../src/core/certsdir/rotate/types';
import { CertsFixture, makeCertsDir } from '../support/certs';
import { RunResult, crdbTls, openssl } from '../support/exec';
import { hashTree, tmpDir } from '../support/tmp';

const cert = (...args: string[]) => crdbTls(['cert', ...args], { timeoutMs: 60_000 });

function ok(r: RunResult, what: string): RunResult {
  assert.equal(r.status, 0, `${what}: exit ${r.status}\n${r.stdout}${r.stderr}`);
  return r;
}

/** Exit 1 with one stderr line matching `re`. */
function refused(r: RunResult, re: RegExp): string {
  assert.equal(r.status, 1, `exit ${r.status}\n${r.stdout}${r.stderr}`);
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], re);
  return lines[0];
}

/** The id of the backup a rotation just made (its output names it). */
function backupId(r: RunResult): string {
  const id = /^backup (\d{8}T\S+): /m.exec(r.stdout)?.[1];
  assert.ok(id, r.stdout);
  return id;
}

/** openssl verify of every node and client certificate of the dir against `caFile` (default its ca.crt): file → OK or not. */
function opensslVerdicts(dir: string, caFile = join(dir, 'ca.crt')): Record<string, boolean> {
  const out: Record<string, boolean> = {};
  for (const n of readdirSync(dir)
    .filter((x) => /^(node|client\..+)\.crt$/.test(x))
    .sort()) {
    out[n] = openssl(['verify', '-CAfile', caFile, join(dir, n)], { allowFail: true }).status === 0;
  }
  return out;
}

interface Run {
  f: CertsFixture;
  /** Certs dir and CA key folder before the rotations. */
  before: string;
  ids: { rotateCa: string; reissueAll: string; pruneCa?: string };
}

const state = (f: CertsFixture) => hashTree(f.certsDir) + hashTree(join(f.root, 'safe'));
const backups = (f: CertsFixture) => `${f.certsDir}.backups`;

/** A fresh dir with node and two users, then rotate-ca, reissue-all and (unless told) prune-ca, as a user does a CA rotation. */
async function rotated(prune = true): Promise<Run> {
  const f = await makeCertsDir({ users: ['root', 'app'] });
  const before = state(f);
  const flags = ['--certs-dir', f.certsDir, '--key-size', '1024'];
  const rotateCa = backupId(ok(cert('rotate-ca', ...flags, '--ca-key', f.caKey), 'rotate-ca'));
  const reissueAll = backupId(ok(cert('reissue-all', ...flags, '--ca-key', f.caKey), 'reissue-all'));
  const pruneCa = prune ? backupId(ok(cert('prune-ca', '--certs-dir', f.certsDir), 'prune-ca')) : undefined;
  assert.deepEqual(Object.values(opensslVerdicts(f.certsDir)), [true, true, true], 'the rotation itself leaves a good dir');
  return { f, before, ids: { rotateCa, reissueAll, ...(pruneCa ? { pruneCa } : {}) } };
}

describe('cert rollback to an older backup: the whole dir as of that point, checked with openssl verify', function () {
  this.timeout(180_000);

  it('rotate-ca, reissue-all, prune-ca, then rollback to the rotate-ca backup: undone newest first; every leaf verifies against ca.crt', async () => {
    const { f, before, ids } = await rotated();
    const dry = ok(cert('rollback', ids.rotateCa, '--certs-dir', f.certsDir, '--dry-run', '--json'), 'dry run');
    const plan = (JSON.parse(dry.stdout) as { plan: { undoes: string[]; steps: { action: string; path: string; from?: string }[] } }).plan;
    assert.deepEqual(plan.undoes, [ids.pruneCa, ids.reissueAll]);
    assert.deepEqual(
      plan.steps.filter((s) => s.path.endsWith('node.crt')).map((s) => [s.action, s.from]),
      [['restore', ids.reissueAll]],
      'node.crt as it was before reissue-all',
    );

    const r = ok(cert('rollback', ids.rotateCa, '--certs-dir', f.certsDir), 'rollback');
    assert.match(r.stdout, /undoes first, newest first: /);
    assert.match(r.stdout, /restored \S+node\.crt/);
    assert.match(r.stdout, /removed \S+safe\/ca\.old\.key/);
    assert.deepEqual(opensslVerdicts(f.certsDir), { 'client.app.crt': true, 'client.root.crt': true, 'node.crt': true });
    assert.equal(state(f), before, 'the certs dir and the CA key folder byte for byte as before rotate-ca');
    const entries = JSON.parse(ok(cert('list', '--certs-dir', f.certsDir, '--json'), 'list').stdout) as CertEntry[];
    assert.deepEqual(
      entries.flatMap((e) => e.errors),
      [],
    );
    assert.deepEqual(
      entries.filter((e) => e.chain).map((e) => e.chain?.signedBy),
      [0, 0, 0],
    );

    // One transaction, one backup: rolling that back returns to the pruned new CA, which verifies too.
    const all = JSON.parse(ok(cert('backups', '--certs-dir', f.certsDir, '--json'), 'backups').stdout) as BackupManifest[];
    assert.equal(all[0].reason, `before rollback to ${ids.rotateCa}`);
    assert.equal(all.length, 4);
    ok(cert('rollback', '--certs-dir', f.certsDir), 'undo the rollback');
    assert.notEqual(state(f), before);
    assert.deepEqual(opensslVerdicts(f.certsDir), { 'client.app.crt': true, 'client.root.crt': true, 'node.crt': true });
  });

  it('a later backup that is damaged: refused, naming the later changes; nothing changed', async () => {
    const { f, ids } = await rotated();
    const m = JSON.parse(readFileSync(join(backups(f), ids.reissueAll, 'manifest.json'), 'utf8')) as BackupManifest;
    appendFileSync(join(backups(f), ids.reissueAll, m.files[0].copy), 'x');
    const h = state(f) + hashTree(backups(f));
    refused(
      cert('rollback', ids.rotateCa, '--certs-dir', f.certsDir),
      new RegExp(
        `^crdb-tls: cannot roll back \\S+ to backup ${ids.rotateCa}: a rollback to it first undoes the later changes, newest first \\(${ids.pruneCa} \\(prune-ca\\), ${ids.reissueAll} \\(reissue-all\\)\\), ` +
          `and ${ids.reissueAll} \\(reissue-all\\) cannot be undone: backup ${ids.reissueAll} is damaged: .*nothing was changed`,
      ),
    );
    assert.equal(state(f) + hashTree(backups(f)), h);
    assert.deepEqual(Object.values(opensslVerdicts(f.certsDir)), [true, true, true]);
    // The newer backups still roll back on their own.
    ok(cert('rollback', ids.pruneCa ?? '', '--certs-dir', f.certsDir), 'rollback of prune-ca alone');
  });

  it('a later backup removed: the result would not chain (openssl verify agrees), so it is refused naming the certificate', async () => {
    const { f, ids } = await rotated(false);
    rmSync(join(backups(f), ids.reissueAll), { recursive: true });
    // What the rollback would restore as ca.crt, against today's node.crt: openssl refuses it too.
    const m = JSON.parse(readFileSync(join(backups(f), ids.rotateCa, 'manifest.json'), 'utf8')) as BackupManifest;
    const caCopy = m.files.find((x) => x.path === join(f.certsDir, 'ca.crt'));
    assert.ok(caCopy);
    const oldCa = join(tmpDir(), 'ca.crt');
    writeFileSync(oldCa, readFileSync(join(backups(f), ids.rotateCa, caCopy.copy)));
    assert.deepEqual(opensslVerdicts(f.certsDir, oldCa), { 'client.app.crt': false, 'client.root.crt': false, 'node.crt': false });
    const h = state(f);
    refused(
      cert('rollback', ids.rotateCa, '--certs-dir', f.certsDir),
      /cannot roll back \S+ to backup \S+: it would leave \S+\/client\.app\.crt not chaining to \S+\/ca\.crt \(its issuer CN=Cockroach CA, O=Cockroach is the name of the CA certificate in ca\.crt, but not its key: .*\): .*nothing was changed\.$/,
    );
    assert.equal(state(f), h);
  });

  it('a backup folder after the target with an invalid manifest: refused, naming the folder', async () => {
    const { f, ids } = await rotated(false);
    const bad = join(backups(f), '29991231T235959999Z');
    mkdirSync(bad, { mode: 0o700 });
    writeFileSync(join(bad, 'manifest.json'), '{"id": 1}');
    const h = state(f);
    refused(
      cert('rollback', ids.rotateCa, '--certs-dir', f.certsDir),
      /backup folder \S+29991231T235959999Z after it has an invalid manifest\.json .*repair or remove that folder/,
    );
    assert.equal(state(f), h);
  });
});
