import { strict as assert } from 'node:assert';
import { cockroachKeyModeProblem, libpqKeyModeProblem } from '../../src/core/cockroach/keymode';

const ROOT = 0;
const NOBODY = 65534;
const USER = 1000;
const st = (mode: number, uid: number, gid = uid, file = true) => ({ mode: 0o100000 | mode, uid, gid, isFile: () => file });

/**
 * libpq's verdicts. The rows marked psql are what psql 15 answered (as root and, with setpriv, as
 * nobody) in test/integration/keymode-psql.test.ts, which checks this rule against psql on every run.
 */
const LIBPQ: { name: string; mode: number; owner: number; euid: number | undefined; refused: boolean; file?: boolean }[] = [
  { name: 'psql as root: root-owned 0600', mode: 0o600, owner: ROOT, euid: ROOT, refused: false },
  { name: 'psql as root: root-owned 0640 connects (root may give its group read)', mode: 0o640, owner: ROOT, euid: ROOT, refused: false },
  { name: 'psql as root: root-owned 0644', mode: 0o644, owner: ROOT, euid: ROOT, refused: true },
  { name: "psql as root: nobody-owned 0600 (the client's uid is not compared)", mode: 0o600, owner: NOBODY, euid: ROOT, refused: false },
  { name: 'psql as root: nobody-owned 0640 is refused', mode: 0o640, owner: NOBODY, euid: ROOT, refused: true },
  { name: 'psql as root: nobody-owned 0644', mode: 0o644, owner: NOBODY, euid: ROOT, refused: true },
  { name: 'psql as nobody: own 0600', mode: 0o600, owner: NOBODY, euid: NOBODY, refused: false },
  { name: 'psql as nobody: own 0640', mode: 0o640, owner: NOBODY, euid: NOBODY, refused: true },
  { name: 'psql as nobody: own 0644', mode: 0o644, owner: NOBODY, euid: NOBODY, refused: true },
  { name: 'root-owned 0640 read by a user: the mode passes (reading it is up to its group)', mode: 0o640, owner: ROOT, euid: USER, refused: false },
  { name: 'root-owned 0660: group write', mode: 0o660, owner: ROOT, euid: USER, refused: true },
  { name: 'root-owned 0604: world read', mode: 0o604, owner: ROOT, euid: ROOT, refused: true },
  { name: 'root-owned 0650: group execute', mode: 0o650, owner: ROOT, euid: ROOT, refused: true },
  { name: "user-owned 0700: the owner's bits are not checked", mode: 0o700, owner: USER, euid: USER, refused: false },
  { name: 'user-owned 0400', mode: 0o400, owner: USER, euid: USER, refused: false },
  { name: 'user-owned 0610: group execute', mode: 0o610, owner: USER, euid: USER, refused: true },
  { name: 'no POSIX modes (Windows): not checked', mode: 0o644, owner: USER, euid: undefined, refused: false },
  { name: 'not a regular file, whatever the mode', mode: 0o600, owner: USER, euid: USER, refused: true, file: false },
  { name: 'not a regular file, on Windows too', mode: 0o600, owner: USER, euid: undefined, refused: true, file: false },
];

/** cockroach's checkFilePermissions: 0700, or 0740 when owned by root and the process's group. */
const COCKROACH: { name: string; mode: number; owner: number; group: number; processGid: number | undefined; max?: string }[] = [
  { name: '0600', mode: 0o600, owner: USER, group: USER, processGid: USER },
  { name: '0700', mode: 0o700, owner: USER, group: USER, processGid: USER },
  { name: '0640 owned by a user', mode: 0o640, owner: USER, group: USER, processGid: USER, max: '-rwx------ (0700)' },
  { name: '0640 root-owned, the process group', mode: 0o640, owner: ROOT, group: 5, processGid: 5 },
  { name: '0740 root-owned, the process group', mode: 0o740, owner: ROOT, group: 5, processGid: 5 },
  { name: '0750 root-owned, the process group', mode: 0o750, owner: ROOT, group: 5, processGid: 5, max: '-rwxr----- (0740)' },
  { name: '0644 root-owned, the process group', mode: 0o644, owner: ROOT, group: 5, processGid: 5, max: '-rwxr----- (0740)' },
  { name: '0640 root-owned, another group', mode: 0o640, owner: ROOT, group: 5, processGid: 6, max: '-rwx------ (0700)' },
  { name: '0640 root-owned, process group unknown', mode: 0o640, owner: ROOT, group: 5, processGid: undefined, max: '-rwx------ (0700)' },
];

describe('key-mode rules (cockroach/keymode.ts)', () => {
  for (const r of LIBPQ) {
    it(`libpq: ${r.name} → ${r.refused ? 'refused' : 'accepted'}`, () => {
      const p = libpqKeyModeProblem('/k/client.root.key', st(r.mode, r.owner, r.owner, r.file ?? true), r.euid);
      assert.equal(p !== undefined, r.refused, JSON.stringify(p));
      if (!p) return;
      if (r.file === false) {
        assert.equal(p.kind, 'not-regular');
        assert.equal(p.libpqText, 'private key file "/k/client.root.key" is not a regular file');
        return;
      }
      assert.equal(p.kind, 'group-or-world');
      assert.equal(p.max, r.owner === ROOT ? 0o640 : 0o600);
      assert.match(
        p.message,
        new RegExp(
          `\\(mode 0${r.mode.toString(8)}\\); libpq refuses it and allows at most ${r.owner === ROOT ? 'u=rw,g=r \\(0640\\) for a key owned by root' : 'u=rw \\(0600\\)'}`,
        ),
      );
      assert.match(p.libpqText, /^private key file "\/k\/client\.root\.key" has group or world access; file must have permissions u=rw \(0600\) or less/);
      assert.match(p.fix, /^chmod 600 \/k\/client\.root\.key/);
    });
  }

  // owner of the 0644 key, the client's euid → the fix as text and as data (what Fix Key Permissions applies).
  const FIXES: [string, number, number, string, { mode: number; owner?: number }][] = [
    ["the client's own key", USER, USER, 'chmod 600 /k', { mode: 0o600 }],
    ['a key of USER, read by root (root reads it after the chmod)', USER, ROOT, 'chmod 600 /k', { mode: 0o600 }],
    ["root's key", ROOT, USER, 'chmod 600 /k', { mode: 0o600 }],
    [
      "nobody's key, read by USER: a chown too",
      NOBODY,
      USER,
      `chmod 600 /k and chown ${USER} /k (it belongs to uid ${NOBODY}, the client runs as uid ${USER})`,
      { mode: 0o600, owner: USER },
    ],
  ];
  for (const [name, owner, euid, fix, apply] of FIXES) {
    it(`libpq fix: ${name}`, () => {
      const p = libpqKeyModeProblem('/k', st(0o644, owner), euid);
      assert.equal(p?.fix, fix);
      assert.deepEqual(p?.apply, apply);
    });
  }
  it('libpq fix: a path that is not a regular file has no mode to apply', () => {
    assert.equal(libpqKeyModeProblem('/k', st(0o600, USER, USER, false), USER)?.apply, undefined);
  });

  for (const r of COCKROACH) {
    it(`cockroach: ${r.name} → ${r.max ? `exceeds ${r.max}` : 'accepted'}`, () => {
      const p = cockroachKeyModeProblem('/c/node.key', st(r.mode, r.owner, r.group), r.processGid);
      if (!r.max) return assert.equal(p, undefined);
      assert.ok(p);
      assert.match(p, /^key file \/c\/node\.key has permissions -[-rwx]{9} \(0\d{3}\), exceeds /);
      assert.ok(p.includes(`exceeds ${r.max}: run "chmod 600 /c/node.key".`), p);
    });
  }
});
