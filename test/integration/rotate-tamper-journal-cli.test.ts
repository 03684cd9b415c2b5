/**
 * Crafted lock journals: a cloned repository can carry `.crdb-tls-rotate.lock`, and the next
 * rotate-node, rotate-client or rollback would finish "the interrupted rotation" it describes. A
 * journal is obeyed only when it has the form this tool writes (journal.ts) and agrees with its
 * backup and the files (consistent.ts); every other case is refused with one line naming the lock
 * file and what to do, and nothing inside or outside the certs dir changes. The controls show that
 * the journal of a real interrupted rotation is still finished.
 */
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, linkSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { journalProofData } from '../../src/core/certsdir/rotate/journal';
import { BackupManifest, Journal, LockInfo } from '../../src/core/certsdir/rotate/types';
import { CertsFixture, makeCertsDir } from '../support/certs';
import { CLI } from '../support/exec';
import { Fx, cert, clone, forged, lockOf, refused, sha, snapshot } from '../support/tamper';

const ID = '20250102T030405678Z';
const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid ?? 999_999;
const stale = (journal: unknown) => ({ pid: deadPid(), hostname: hostname(), startedAt: '2020-01-01T00:00:00.000Z', command: 'rotate-node', journal });
const tmpOf = (dir: string, name: string) => join(dir, `.${name}.0123456789ab.crdb-tls.tmp`);

interface LockCase {
  name: string;
  lock: (f: Fx) => unknown;
  re: RegExp;
}

/** The refusal of a crafted lock, with `re` inside its parentheses. */
const lockRe = (re: RegExp) =>
  new RegExp(
    `the lock file \\S+\\.crdb-tls-rotate\\.lock is not one this tool wrote \\(.*${re.source}.*\\): nothing was changed; check the certs dir, remove that file by hand`,
  );

/** rotate-node, rotate-client and rollback each refuse the lock of `f` with `re`. */
function refusedByAll(f: Fx, re: RegExp): void {
  refused(cert('rotate-node', '--certs-dir', f.certsDir, '--ca-key', f.caKey, '--key-size', '1024'), re, 'rotate-node');
  refused(cert('rotate-client', 'root', '--certs-dir', f.certsDir, '--ca-key', f.caKey, '--key-size', '1024'), re, 'rotate-client');
  refused(cert('rollback', '--certs-dir', f.certsDir), re, 'rollback');
}

/** A genuine rotate-node of `f` (its backup lists node.crt and node.key as they were); returns the backup id. */
function rotated(f: Fx): string {
  const r = cert('rotate-node', '--certs-dir', f.certsDir, '--ca-key', f.caKey, '--key-size', '1024');
  assert.equal(r.status, 0, r.stderr);
  return /^backup (\d{8}T\S+): /m.exec(r.stdout)?.[1] ?? '';
}

/** rotate-node killed (SIGKILL) after it renamed node.crt and before node.key: a real journal of renames under way. */
function killedMidCommit(f: Fx, ...flags: string[]): LockInfo {
  const r = spawnSync(process.execPath, [CLI, 'cert', 'rotate-node', '--certs-dir', f.certsDir, '--ca-key', f.caKey, '--key-size', '1024', ...flags], {
    env: { ...process.env, CRDB_TLS_TEST_KILL_AT: '7' },
    encoding: 'utf8',
  });
  assert.equal(r.signal, 'SIGKILL', r.stderr);
  const info = JSON.parse(readFileSync(lockOf(f), 'utf8')) as LockInfo;
  assert.equal(info.journal?.phase, 'commit', 'killed between the renames');
  return info;
}

describe('crafted lock journals are refused, and nothing changes', function () {
  this.timeout(120_000);
  let fx: CertsFixture;
  before(async function () {
    this.timeout(60_000);
    fx = await makeCertsDir({ users: ['root'] });
  });

  describe('by their form', () => {
    const CASES: LockCase[] = [
      {
        name: 'rename from a temp outside the certs dir',
        lock: (f) =>
          stale({ command: 'rotate-node', phase: 'commit', temps: [f.victim], ops: [{ op: 'rename', tmp: f.victim, path: join(f.certsDir, 'node.key') }] }),
        re: /journal\.ops\[0\]\.tmp .* is not a temp file beside/,
      },
      {
        name: 'rename of a well-formed temp over a file outside',
        lock: (f) => {
          writeFileSync(tmpOf(f.outside, 'victim.txt'), 'pwned\n');
          return stale({
            command: 'rotate-node',
            phase: 'commit',
            temps: [tmpOf(f.outside, 'victim.txt')],
            ops: [{ op: 'rename', tmp: tmpOf(f.outside, 'victim.txt'), path: f.victim }],
          });
        },
        re: /is neither a file directly in the certs dir nor the journal's CA key/,
      },
      {
        name: 'unlink outside',
        lock: (f) => stale({ command: 'rollback', phase: 'commit', temps: [], ops: [{ op: 'unlink', path: f.victim }] }),
        re: /journal\.ops\[0\]\.path .*victim\.txt" is not a file directly in the certs dir/,
      },
      {
        name: 'unlink the old CA key, caKey recorded, signed by another key',
        lock: (f) => {
          const old = join(f.root, 'safe', 'ca.old.key');
          writeFileSync(old, readFileSync(f.caKey), { mode: 0o600 });
          const j: Journal = { command: 'rollback', phase: 'commit', temps: [], ops: [{ op: 'unlink', path: old }], backupId: ID, caKey: f.caKey };
          return stale({ ...j, proof: forged(journalProofData(j, f.certsDir)) });
        },
        re: /its journal touches \S+ca\.old\.key, outside the certs dir, and is not signed by the CA key there/,
      },
      {
        name: 'keep a key as a file outside',
        lock: (f) =>
          stale({
            command: 'rotate-ca',
            phase: 'commit',
            temps: [],
            ops: [
              { op: 'keep', from: join(f.certsDir, 'node.key'), to: join(f.outside, 'stolen.key'), sha256: sha(readFileSync(join(f.certsDir, 'node.key'))) },
            ],
          }),
        re: /journal\.ops\[0\] keeps .*node\.key" as .*stolen\.key": only the CA key is kept/,
      },
      {
        name: 'keep the CA key beside it, without a signature',
        lock: (f) =>
          stale({
            command: 'rotate-ca',
            phase: 'commit',
            temps: [],
            caKey: f.caKey,
            backupId: ID,
            ops: [{ op: 'keep', from: f.caKey, to: join(f.root, 'safe', 'ca.old.key'), sha256: sha(readFileSync(f.caKey)) }],
          }),
        re: /not signed by the CA key there/,
      },
      {
        name: 'staging temps outside the certs dir',
        lock: (f) => {
          writeFileSync(tmpOf(f.outside, 'victim.txt'), 'precious too\n');
          return stale({ command: 'rotate-node', phase: 'staging', temps: [tmpOf(f.outside, 'victim.txt')], ops: [] });
        },
        re: /journal\.temps\[0\] .* is neither a file directly in the certs dir nor the journal's CA key/,
      },
      {
        name: 'staging temps that are not temps',
        lock: (f) => stale({ command: 'rotate-node', phase: 'staging', temps: [join(f.certsDir, 'node.key')], ops: [] }),
        re: /journal\.temps\[0\] .* is not a temp file name of this tool/,
      },
      {
        name: 'an unknown op',
        lock: (f) => stale({ command: 'rotate-node', phase: 'commit', temps: [], ops: [{ op: 'exec', path: f.victim }] }),
        re: /journal\.ops\[0\]\.op is "exec", not one of keep, rename, unlink/,
      },
      {
        name: 'ops: [null]',
        lock: () => stale({ command: 'rotate-node', phase: 'commit', temps: [], ops: [null] }),
        re: /journal\.ops\[0\] is null, not an object/,
      },
      {
        name: 'a pid that is a string',
        lock: () => ({ pid: '1', hostname: hostname(), startedAt: 'x', command: 'rotate-node' }),
        re: /pid is "1", not a whole number/,
      },
      { name: 'JSON that is not an object', lock: () => [1, 2], re: /the lock is \[1,2\], not an object/ },
      { name: 'not JSON', lock: () => 'rm -rf /', re: /it is not JSON/ },
      {
        name: "the audit's: abandoned, in the commit phase, removing files of the certs dir, no backup",
        lock: (f) => ({
          pid: 1,
          hostname: 'x',
          startedAt: '2026-01-01T00:00:00.000Z',
          command: 'rotate-node',
          abandoned: true,
          journal: {
            command: 'rotate-node',
            phase: 'commit',
            temps: [],
            ops: [
              { op: 'unlink', path: join(f.certsDir, 'client.root.key') },
              { op: 'unlink', path: join(f.certsDir, 'ca.crt') },
            ],
          },
        }),
        re: /journal\.backupId is missing: a journal in the commit phase names the backup made before it/,
      },
      {
        name: 'rotate-node removing a file (only a rollback removes files)',
        lock: (f) => stale({ command: 'rotate-node', phase: 'commit', temps: [], ops: [{ op: 'unlink', path: join(f.certsDir, 'ca.crt') }], backupId: ID }),
        re: /journal\.ops\[0\] removes a file, which only a rollback does, not rotate-node/,
      },
      {
        name: 'rotate-node keeping the CA key aside (only rotate-ca does)',
        lock: (f) =>
          stale({
            command: 'rotate-node',
            phase: 'commit',
            temps: [],
            caKey: f.caKey,
            backupId: ID,
            ops: [{ op: 'keep', from: f.caKey, to: join(f.root, 'safe', 'ca.old.key'), sha256: sha(readFileSync(f.caKey)) }],
          }),
        re: /journal\.ops\[0\] keeps a file aside, which only rotate-ca does, not rotate-node/,
      },
      {
        name: "a rename of a temp that is not one of the journal's temps",
        lock: (f) => {
          writeFileSync(tmpOf(f.certsDir, 'node.key'), 'pwned\n');
          return stale({
            command: 'rotate-node',
            phase: 'commit',
            temps: [],
            backupId: ID,
            ops: [{ op: 'rename', tmp: tmpOf(f.certsDir, 'node.key'), path: join(f.certsDir, 'node.key') }],
          });
        },
        re: /journal\.ops\[0\]\.tmp .* is not one of the journal's temps/,
      },
      {
        name: 'abandoned in the staging phase',
        lock: () => ({ ...stale({ command: 'rotate-node', phase: 'staging', temps: [], ops: [] }), abandoned: true }),
        re: /marked abandoned in the staging phase/,
      },
      {
        name: 'abandoned without a journal',
        lock: () => ({ pid: 1, hostname: 'x', startedAt: 'x', command: 'rotate-node', abandoned: true }),
        re: /marked abandoned but has no journal/,
      },
    ];

    for (const c of CASES) {
      it(`lock: ${c.name}`, () => {
        const f = clone(fx);
        const v = c.lock(f);
        writeFileSync(lockOf(f), typeof v === 'string' ? v : JSON.stringify(v));
        const before = snapshot(f.root);
        const re = lockRe(c.re);
        refusedByAll(f, re);
        assert.equal(snapshot(f.root), before, 'nothing inside or outside the certs dir changed');
      });
    }

    it('control: a well-formed stale journal of the certs dir is still finished (so each refusal above is the crafting)', () => {
      const f = clone(fx);
      const t = tmpOf(f.certsDir, 'node.key');
      writeFileSync(t, 'half-written');
      writeFileSync(lockOf(f), JSON.stringify(stale({ command: 'rotate-node', phase: 'staging', temps: [t], ops: [] })));
      const r = cert('rotate-node', '--certs-dir', f.certsDir, '--ca-key', f.caKey, '--key-size', '1024');
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /note: an interrupted rotate-node had not replaced any file yet: its temp files were removed/);
      assert.ok(!existsSync(t) && !existsSync(lockOf(f)));
    });

    it('lock: a symbolic link, and a FIFO', () => {
      const f = clone(fx);
      symlinkSync(f.victim, lockOf(f));
      let before = snapshot(f.root);
      refused(
        cert('rotate-node', '--certs-dir', f.certsDir, '--ca-key', f.caKey),
        /the lock file \S+ is not one this tool wrote \(it is a symbolic link\)/,
        'symlink',
      );
      assert.equal(snapshot(f.root), before);
      rmSync(lockOf(f));
      assert.equal(spawnSync('mkfifo', [lockOf(f)]).status, 0);
      before = snapshot(f.root);
      refused(cert('rotate-node', '--certs-dir', f.certsDir, '--ca-key', f.caKey), /the lock file \S+ is not one this tool wrote \(the file is a FIFO/, 'fifo');
      assert.equal(snapshot(f.root), before);
    });
  });

  describe('that disagree with their backup or the files', () => {
    /** A rollback journal of the commit phase: the one kind that removes files. */
    const rollbackJournal = (backupId: string, ops: unknown[], extra: Record<string, unknown> = {}) =>
      stale({ command: 'rollback', phase: 'commit', temps: [], ops, backupId, ...extra });
    const CASES: LockCase[] = [
      {
        name: 'a backup id that names no backup',
        lock: (f) => rollbackJournal(ID, [{ op: 'unlink', path: join(f.certsDir, 'node.key') }]),
        re: /its backup 20250102T030405678Z is not in \S+certs\.backups \(or is of another certs dir\), so what it would replace or remove is not backed up/,
      },
      {
        name: 'a backup folder elsewhere that holds no such backup',
        lock: (f) => rollbackJournal(rotated(f), [{ op: 'unlink', path: join(f.certsDir, 'node.key') }], { backupRoot: f.outside }),
        re: /its backup \S+ is not in \S+outside/,
      },
      {
        name: 'removes a file its backup does not list',
        lock: (f) => rollbackJournal(rotated(f), [{ op: 'unlink', path: join(f.certsDir, 'client.root.key') }]),
        re: /it removes "\S+client\.root\.key", which its backup \S+ does not list/,
      },
      {
        name: 'removes a listed file whose bytes are not its copy (replaced since)',
        lock: (f) => rollbackJournal(rotated(f), [{ op: 'unlink', path: join(f.certsDir, 'node.key') }]),
        re: /it removes "\S+node\.key", whose bytes are not the copy in its backup/,
      },
      {
        name: 'renames a temp over node.key whose bytes are not its copy',
        lock: (f) => {
          const id = rotated(f);
          const t = tmpOf(f.certsDir, 'node.key');
          writeFileSync(t, 'pwned\n', { mode: 0o600 });
          return stale({
            command: 'rotate-node',
            phase: 'commit',
            temps: [t],
            ops: [{ op: 'rename', tmp: t, path: join(f.certsDir, 'node.key') }],
            backupId: id,
          });
        },
        re: /it replaces "\S+node\.key", whose bytes are not the copy in its backup/,
      },
      {
        name: 'renames a temp that is a hard link to the CA key',
        lock: (f) => {
          const id = rotated(f);
          const t = tmpOf(f.certsDir, 'node.key');
          linkSync(f.caKey, t);
          return stale({
            command: 'rotate-node',
            phase: 'commit',
            temps: [t],
            ops: [{ op: 'rename', tmp: t, path: join(f.certsDir, 'node.key') }],
            backupId: id,
          });
        },
        re: /its temp "\S+node\.key\.0123456789ab\.crdb-tls\.tmp" is not a regular file with one link/,
      },
      {
        name: 'its backup has a copy that is a hard link to the CA key',
        lock: (f) => {
          const id = rotated(f);
          const dir = join(f.backups, id);
          const mPath = join(dir, 'manifest.json');
          const m = JSON.parse(readFileSync(mPath, 'utf8')) as BackupManifest;
          const i = m.files.findIndex((x) => x.path.endsWith('/node.key'));
          const key = readFileSync(f.caKey);
          m.files[i] = { ...m.files[i], sha256: sha(key), size: key.length };
          writeFileSync(mPath, JSON.stringify(m));
          rmSync(join(dir, m.files[i].copy));
          linkSync(f.caKey, join(dir, m.files[i].copy));
          return rollbackJournal(id, [{ op: 'unlink', path: join(f.certsDir, 'node.key') }]);
        },
        re: /its backup \S+ does not pass the checks of a rollback: backup \S+ is damaged: .*node\.key\) has 2 hard links, not 1/,
      },
      {
        name: 'its backup has an invalid manifest',
        lock: (f) => {
          const id = rotated(f);
          writeFileSync(join(f.backups, id, 'manifest.json'), '{"files": [null]}');
          return rollbackJournal(id, [{ op: 'unlink', path: join(f.certsDir, 'node.key') }]);
        },
        re: /its backup \S+ in \S+certs\.backups has an invalid manifest\.json/,
      },
    ];

    for (const c of CASES) {
      it(`lock: ${c.name}`, () => {
        const f = clone(fx);
        writeFileSync(lockOf(f), JSON.stringify(c.lock(f)));
        const before = snapshot(f.root);
        refusedByAll(f, lockRe(c.re));
        assert.equal(snapshot(f.root), before, 'nothing inside or outside the certs dir changed');
      });
    }

    it('control: a rotation killed between its renames, its backup in --backup-dir elsewhere, is finished by the next run without the flag', () => {
      const f = clone(fx);
      const info = killedMidCommit(f, '--backup-dir', join(f.root, 'elsewhere'));
      assert.equal(info.journal?.backupRoot, join(f.root, 'elsewhere'));
      const r = cert('rotate-client', 'root', '--certs-dir', f.certsDir, '--ca-key', f.caKey, '--key-size', '1024');
      assert.equal(r.status, 0, r.stderr);
      assert.match(
        r.stdout,
        /note: finished an interrupted rotate-node: its files had all been written, the remaining renames were done \(its backup is \S+\)/,
      );
      assert.ok(!existsSync(lockOf(f)));
      const ok = cert('list', '--certs-dir', f.certsDir);
      assert.equal(ok.status, 0, ok.stdout + ok.stderr);
    });

    it('the same real journal after node.key (still to be replaced) changed by hand, or pointed at another backup folder: refused', () => {
      for (const tamper of [
        (f: Fx) => writeFileSync(join(f.certsDir, 'node.key'), readFileSync(f.caKey), { mode: 0o600 }),
        (f: Fx, info: LockInfo) => writeFileSync(lockOf(f), JSON.stringify({ ...info, journal: { ...info.journal, backupRoot: f.outside } })),
      ]) {
        const f = clone(fx);
        const info = killedMidCommit(f);
        tamper(f, info);
        const before = snapshot(f.root);
        refusedByAll(f, lockRe(/it replaces "\S+node\.key", whose bytes are not the copy in its backup|its backup \S+ is not in \S+outside/));
        assert.equal(snapshot(f.root), before, 'nothing inside or outside the certs dir changed');
      }
    });
  });

  it('SIGINT while the keys are made: temps removed, lock released, nothing changed', async function () {
    const f = clone(fx);
    const before = snapshot(f.root);
    const users = Array.from({ length: 60 }, (_, i) => `u${i}`);
    const child = spawn(process.execPath, [CLI, 'cert', 'rotate-client', ...users, '--certs-dir', f.certsDir, '--ca-key', f.caKey, '--key-size', '4096'], {
      stdio: 'ignore',
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => child.on('exit', (code, signal) => res({ code, signal })));
    const t0 = Date.now();
    while (!existsSync(lockOf(f)) && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 10));
    assert.ok(existsSync(lockOf(f)), 'the rotation took the lock');
    child.kill('SIGINT');
    const end = await exited;
    assert.equal(end.signal, 'SIGINT', `ended by the signal, not by finishing (${JSON.stringify(end)})`);
    assert.ok(!existsSync(lockOf(f)), 'lock released');
    assert.deepEqual(
      readdirSync(f.certsDir).filter((n) => n.startsWith('.')),
      [],
      'no temp left',
    );
    assert.equal(snapshot(f.root), before);
  });
});
