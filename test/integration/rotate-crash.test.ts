/**
 * Crash safety: the CLI is killed (SIGKILL) at each write step of a rotation in turn (the test hook
 * CRDB_TLS_TEST_KILL_AT=N). After every kill: no key is lost; the dir loads, or the journal says
 * renames were under way; after the recovery the next run does first, the dir is wholly old
 * (byte-identical) or wholly new, and a rerun or a rollback finishes the job.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { listCertsDir } from '../../src/core/certsdir/list';
import { readLock, recoverInterrupted } from '../../src/core/certsdir/rotate';
import { CertsFixture, makeCertsDir, cloneCertsDir } from '../support/certs';
import { CLI, RunResult, crdbTls } from '../support/exec';
import { hashTree } from '../support/tmp';

const clone = cloneCertsDir;

function killedAt(step: number, args: string[]): { signal: NodeJS.Signals | null; status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, 'cert', ...args], { env: { ...process.env, CRDB_TLS_TEST_KILL_AT: String(step) }, encoding: 'utf8' });
  return { signal: r.signal, status: r.status, stderr: r.stderr };
}

function ok(r: RunResult): RunResult {
  assert.equal(r.status, 0, `exit ${r.status}: ${r.stderr}`);
  return r;
}

const state = (f: CertsFixture) => hashTree(f.certsDir) + hashTree(join(f.root, 'safe'));
const errorsOf = (dir: string) => listCertsDir(dir).flatMap((e) => e.errors);
const serialOf = (p: string) => new X509Certificate(readFileSync(p)).serialNumber.toLowerCase();

interface Case {
  name: string;
  args: (f: CertsFixture) => string[];
  /** Checked after every kill, before any recovery. */
  noKeyLost: (f: CertsFixture, before: CertsFixture) => void;
  isNew: (f: CertsFixture, before: CertsFixture) => boolean;
}

const CASES: Case[] = [
  {
    name: 'rotate-node',
    args: (f) => ['rotate-node', '--certs-dir', f.certsDir, '--ca-key', f.caKey, '--key-size', '1024'],
    noKeyLost: (f) => assert.ok(existsSync(join(f.certsDir, 'node.key'))),
    isNew: (f, before) => serialOf(join(f.certsDir, 'node.crt')) !== serialOf(join(before.certsDir, 'node.crt')),
  },
  {
    name: 'rotate-ca',
    args: (f) => ['rotate-ca', '--certs-dir', f.certsDir, '--ca-key', f.caKey, '--key-size', '1024'],
    noKeyLost: (f, before) => {
      const old = readFileSync(before.caKey);
      const aside = join(f.root, 'safe', 'ca.old.key');
      assert.ok(readFileSync(f.caKey).equals(old) || (existsSync(aside) && readFileSync(aside).equals(old)), 'the old CA key is at ca.key or ca.old.key');
    },
    isNew: (f) => listCertsDir(f.certsDir).find((e) => e.certFile === 'ca.crt')?.numCerts === 2,
  },
];

describe('crash safety: SIGKILL at every write step of a rotation', function () {
  this.timeout(120_000);
  let pristine: CertsFixture;
  before(async () => {
    pristine = await makeCertsDir({ users: ['root'] });
  });

  for (const c of CASES) {
    it(`${c.name}: wholly old or wholly new after each kill and recovery; a rerun or a rollback finishes`, () => {
      const h0 = state(pristine);
      const outcomes: string[] = [];
      for (let step = 1; step < 30; step++) {
        const f = clone(pristine);
        const r = killedAt(step, c.args(f));
        if (r.status === 0) break; // past the last step: the run completed
        assert.equal(r.signal, 'SIGKILL', `step ${step}: ${r.stderr}`);
        c.noKeyLost(f, pristine);
        const loads = errorsOf(f.certsDir).length === 0;
        if (!loads) assert.equal(readLock(f.certsDir)?.journal?.phase, 'commit', `step ${step}: a dir that does not load has a journal of renames under way`);

        recoverInterrupted(f.certsDir); // what the next run does first
        c.noKeyLost(f, pristine);
        assert.deepEqual(errorsOf(f.certsDir), [], `step ${step}: the dir loads after recovery`);
        assert.deepEqual(
          readdirSync(f.certsDir).filter((n) => n.startsWith('.')),
          [],
          `step ${step}: no temp or lock file left`,
        );
        if (c.isNew(f, pristine)) {
          outcomes.push(`${step}:new${loads ? '' : '(finished)'}`);
          ok(crdbTls(['cert', 'rollback', '--certs-dir', f.certsDir]));
          assert.equal(state(f), h0, `step ${step}: rollback restores the files byte for byte`);
        } else {
          outcomes.push(`${step}:old`);
          assert.equal(state(f), h0, `step ${step}: wholly old, byte for byte`);
          ok(crdbTls(['cert', ...c.args(f)]));
          assert.ok(c.isNew(f, pristine), `step ${step}: the rerun rotates`);
          assert.deepEqual(errorsOf(f.certsDir), []);
        }
      }
      assert.ok(outcomes.length >= 7, outcomes.join(' '));
      // node.crt and node.key are two renames: a kill between them is the one mixed state, finished by the recovery.
      if (c.name === 'rotate-node')
        assert.ok(
          outcomes.some((o) => o.endsWith('(finished)')),
          outcomes.join(' '),
        );
      assert.ok(outcomes.some((o) => o.endsWith('old')) && outcomes.some((o) => o.includes('new')), outcomes.join(' '));
    });
  }
});
