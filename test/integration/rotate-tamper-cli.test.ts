/**
 * Tampered backups and lock journals: a cloned repository can carry `<certs>.backups/*` and
 * `.crdb-tls-rotate.lock`, and one Roll Back runs them. Each crafted case is refused with one line,
 * and nothing in the certs dir, its backups, the CA key's folder or a folder beside them changes.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, linkSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createPrivateKey } from 'node:crypto';
import { join } from 'node:path';
import { manifestProofData } from '../../src/core/certsdir/rotate/manifest';
import { BackupManifest } from '../../src/core/certsdir/rotate/types';
import { CertsFixture, makeCertsDir } from '../support/certs';
import { Fx, attackerPem, cert, clone, forged, refused, sha, snapshot } from '../support/tamper';

const ID = '20250102T030405678Z';
const CREATED_AT = '2025-01-02T03:04:05.678Z';

/** A manifest of the form createBackup writes: node.key restored from a copy of `bytes`. */
function base(f: Fx, bytes: Buffer): { m: BackupManifest & Record<string, unknown>; dir: string; copies: Map<string, Buffer | string> } {
  const m = {
    id: ID,
    createdAt: CREATED_AT,
    reason: 'rotate-node',
    certsDir: f.certsDir,
    created: [] as string[],
    files: [{ path: join(f.certsDir, 'node.key'), copy: '000-node.key', mode: 0o600, sha256: sha(bytes), size: bytes.length }],
  };
  return { m, dir: join(f.backups, ID), copies: new Map([['000-node.key', bytes]]) };
}

/** node.key as PKCS#8, the same key: base()'s copy (PKCS#1) is then a restore that changes bytes but still fits node.crt. */
function reencodeNodeKey(f: Fx): void {
  const p = join(f.certsDir, 'node.key');
  writeFileSync(p, createPrivateKey(readFileSync(p)).export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
}

function plant(dir: string, manifest: unknown, copies: Map<string, Buffer | string>): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (const [name, data] of copies) writeFileSync(join(dir, name), data, { mode: 0o600 });
  if (manifest !== undefined) writeFileSync(join(dir, 'manifest.json'), typeof manifest === 'string' ? manifest : JSON.stringify(manifest));
}

type Mutate = (f: Fx, b: ReturnType<typeof base>, other: CertsFixture) => void;

interface ManifestCase {
  name: string;
  mutate: Mutate;
  re: RegExp;
  /** Extra flags for the rollback (the user's --ca-key). */
  flags?: (f: Fx) => string[];
}

const entry = (path: string, copy: string, data: Buffer | string, mode = 0o600) => ({ path, copy, mode, sha256: sha(data), size: Buffer.byteLength(data) });

const MANIFEST_CASES: ManifestCase[] = [
  {
    name: "CA key overwritten with the attacker's key and CA (no proof)",
    mutate: (f, b, other) => {
      const key = readFileSync(other.caKey);
      const ca = readFileSync(join(other.certsDir, 'ca.crt'));
      b.m.files = [entry(f.caKey, '000-ca.key', key), entry(join(f.certsDir, 'ca.crt'), '001-ca.crt', ca, 0o644)];
      b.copies.clear();
      b.copies.set('000-ca.key', key).set('001-ca.crt', ca);
    },
    re: /outside the certs dir .* pass it with --ca-key/,
  },
  {
    name: "CA key overwritten, caKey recorded, signed by the attacker's own key",
    mutate: (f, b, other) => {
      const key = readFileSync(other.caKey);
      const ca = readFileSync(join(other.certsDir, 'ca.crt'));
      b.m.files = [entry(f.caKey, '000-ca.key', key), entry(join(f.certsDir, 'ca.crt'), '001-ca.crt', ca, 0o644)];
      b.m.caKey = f.caKey;
      b.m.reason = 'rotate-ca';
      b.m.proof = forged(manifestProofData(b.m));
      b.copies.clear();
      b.copies.set('000-ca.key', key).set('001-ca.crt', ca);
    },
    re: /nothing shows it was made with the CA key there/,
  },
  {
    name: 'CA key overwritten with --ca-key given, by a key that does not sign ca.crt',
    mutate: (f, b) => {
      b.m.files = [entry(f.caKey, '000-ca.key', attackerPem)];
      b.copies.clear();
      b.copies.set('000-ca.key', attackerPem);
    },
    flags: (f) => ['--ca-key', f.caKey],
    re: /does not sign the first certificate of .*ca\.crt/,
  },
  {
    name: 'copy ../../safe/ca.key with its real SHA-256',
    mutate: (f, b) => {
      const key = readFileSync(f.caKey);
      b.m.files = [{ ...entry(join(f.certsDir, 'node.key'), '../../safe/ca.key', key) }];
      b.copies.clear();
    },
    re: /files\[0\]\.copy is "\.\.\/\.\.\/safe\/ca\.key", not "000-node\.key"/,
  },
  {
    name: 'an absolute path outside the certs dir',
    mutate: (f, b) => {
      b.m.files = [entry(f.victim, '000-victim.txt', 'pwned\n')];
      b.copies.clear();
      b.copies.set('000-victim.txt', 'pwned\n');
    },
    re: /outside the certs dir/,
  },
  {
    name: 'an absolute path outside, with --ca-key given',
    mutate: (f, b) => {
      b.m.files = [entry(f.victim, '000-victim.txt', 'pwned\n')];
      b.copies.clear();
      b.copies.set('000-victim.txt', 'pwned\n');
    },
    flags: (f) => ['--ca-key', f.caKey],
    re: /names \S+victim\.txt: outside the certs dir .* touches only the CA key/,
  },
  {
    name: 'a ../ path',
    mutate: (f, b) => {
      const p = `${f.certsDir}/../outside/victim.txt`;
      b.m.files = [entry(p, '000-victim.txt', 'pwned\n', 0o644)];
      b.copies.clear();
      b.copies.set('000-victim.txt', 'pwned\n');
    },
    re: /files\[0\]\.path .* is not an absolute path without "\.\."/,
  },
  {
    name: 'created: a file outside (deleted by the rollback)',
    mutate: (f, b) => {
      b.m.created = [f.victim];
    },
    re: /outside the certs dir/,
  },
  {
    name: 'created: the CA key itself',
    mutate: (f, b) => {
      b.m.created = [f.caKey];
    },
    flags: (f) => ['--ca-key', f.caKey],
    re: /touches only the CA key/,
  },
  {
    name: 'created: the old CA key, with a forged proof',
    mutate: (f, b) => {
      writeFileSync(join(f.root, 'safe', 'ca.old.key'), readFileSync(f.caKey), { mode: 0o600 });
      b.m.created = [join(f.root, 'safe', 'ca.old.key')];
      b.m.caKey = f.caKey;
      b.m.proof = forged(manifestProofData(b.m));
    },
    re: /nothing shows it was made with the CA key there/,
  },
  {
    name: 'created: the lock file name in the certs dir',
    mutate: (f, b) => {
      b.m.created = [join(f.certsDir, '.crdb-tls-rotate.lock')];
    },
    re: /outside the certs dir/,
  },
  {
    name: 'mode 1777',
    mutate: (_f, b) => {
      b.m.files[0].mode = 0o1777;
    },
    re: /files\[0\]\.mode is 01777, not a mode a rollback restores/,
  },
  {
    name: 'mode 4755',
    mutate: (_f, b) => {
      b.m.files[0].mode = 0o4755;
    },
    re: /mode is 04755/,
  },
  {
    name: 'a world-readable key (0644)',
    mutate: (_f, b) => {
      b.m.files[0].mode = 0o644;
    },
    re: /mode is 0644, not a mode a rollback restores \(keys 0600/,
  },
  {
    name: 'a bad id',
    mutate: (_f, b) => {
      b.m.id = '../../x';
    },
    re: /id is "\.\.\/\.\.\/x", not a backup id/,
  },
  {
    name: "an id that is not its folder's name",
    mutate: (_f, b) => {
      b.m.id = '20250102T030405678Z-1';
    },
    re: /is not the name of its folder/,
  },
  {
    name: 'a copy name with a slash',
    mutate: (_f, b) => {
      b.m.files[0].copy = '000-sub/node.key';
    },
    re: /files\[0\]\.copy is "000-sub\/node\.key"/,
  },
  {
    name: 'a copy that is a hard link to the CA key (with its SHA-256 and size)',
    mutate: (f, b) => {
      b.m.files = [entry(join(f.certsDir, 'node.key'), '000-node.key', readFileSync(f.caKey))];
      b.copies.clear();
      mkdirSync(b.dir, { recursive: true, mode: 0o700 });
      linkSync(f.caKey, join(b.dir, '000-node.key'));
    },
    re: /is damaged: .*000-node\.key \(of \S+node\.key\) has 2 hard links, not 1: a copy is a file of its own.*Use another backup/,
  },
  {
    name: "the CA key's bytes as node.key (a plain copy, its SHA-256 right)",
    mutate: (f, b) => {
      const key = readFileSync(f.caKey);
      b.m.files = [entry(join(f.certsDir, 'node.key'), '000-node.key', key)];
      b.copies.set('000-node.key', key);
    },
    re: /\S+certs\/node\.key would not be the key of \S+certs\/node\.crt after the rollback \(from backup 20250102T030405678Z\).*roll back to another backup/,
  },
  {
    name: 'the node key as client.root.key',
    mutate: (f, b) => {
      const key = readFileSync(join(f.certsDir, 'node.key'));
      b.m.files = [entry(join(f.certsDir, 'client.root.key'), '000-client.root.key', key)];
      b.copies.clear();
      b.copies.set('000-client.root.key', key);
    },
    re: /\S+client\.root\.key would not be the key of \S+client\.root\.crt after the rollback/,
  },
  {
    name: 'node.crt of another CA restored beside the current node.key',
    mutate: (f, b, other) => {
      const crt = readFileSync(join(other.certsDir, 'node.crt'));
      b.m.files = [entry(join(f.certsDir, 'node.crt'), '000-node.crt', crt, 0o644)];
      b.copies.clear();
      b.copies.set('000-node.crt', crt);
    },
    re: /\S+node\.key would not be the key of \S+node\.crt after the rollback/,
  },
  {
    name: 'a copy that is a symbolic link to the CA key (with its SHA-256)',
    mutate: (f, b) => {
      const key = readFileSync(f.caKey);
      b.m.files = [entry(join(f.certsDir, 'node.key'), '000-node.key', key)];
      b.copies.clear();
      mkdirSync(b.dir, { recursive: true, mode: 0o700 });
      symlinkSync(f.caKey, join(b.dir, '000-node.key'));
    },
    re: /is damaged: .*000-node\.key .* is a symbolic link/,
  },
  {
    name: 'a target that is a symbolic link out of the certs dir',
    mutate: (f) => {
      rmSync(join(f.certsDir, 'node.key'));
      symlinkSync(f.victim, join(f.certsDir, 'node.key'));
    },
    re: /node\.key is a symbolic link: a rollback replaces or removes only regular files/,
  },
  { name: 'JSON that is not an object (a list)', mutate: (_f, b) => void (b.m = [] as unknown as typeof b.m), re: /the manifest is \[\], not an object/ },
  { name: 'JSON null', mutate: (_f, b) => void (b.m = null as unknown as typeof b.m), re: /the manifest is null, not an object/ },
  { name: 'not JSON', mutate: (_f, b) => void (b.m = '{"id": ' as unknown as typeof b.m), re: /it is not JSON/ },
  { name: 'files: [null]', mutate: (_f, b) => void (b.m.files = [null as unknown as BackupManifest['files'][0]]), re: /files\[0\] is null, not an object/ },
  { name: 'files: an object', mutate: (_f, b) => void (b.m.files = {} as unknown as BackupManifest['files']), re: /files is \{\}, not a list/ },
  { name: 'mode as a string', mutate: (_f, b) => void (b.m.files[0].mode = '600' as unknown as number), re: /files\[0\]\.mode is "600", not a whole number/ },
  { name: 'a negative size', mutate: (_f, b) => void (b.m.files[0].size = -1), re: /files\[0\]\.size is -1/ },
  { name: 'created: a string', mutate: (_f, b) => void (b.m.created = 'x' as unknown as string[]), re: /created is "x", not a list/ },
  { name: 'an unknown field', mutate: (_f, b) => void (b.m.run = 'rm -rf /'), re: /unknown field "run"/ },
  { name: 'a bad createdAt', mutate: (_f, b) => void (b.m.createdAt = 'yesterday'), re: /createdAt is "yesterday", not an ISO time/ },
  { name: 'a sha256 that is not hex', mutate: (_f, b) => void (b.m.files[0].sha256 = 123 as unknown as string), re: /files\[0\]\.sha256 is 123, not a string/ },
  {
    name: 'a wrong SHA-256',
    mutate: (_f, b) => {
      b.m.files[0].sha256 = sha('something else');
    },
    re: /is damaged: .* does not have the SHA-256 in its manifest/,
  },
  {
    name: '100k entries',
    mutate: (_f, b) => {
      b.m.created = Array.from({ length: 100_000 }, (_, i) => `/c${i}`);
    },
    re: /created has 100000 entries, more than the limit of 500/,
  },
  {
    name: 'an oversize manifest (5 MiB)',
    mutate: (_f, b) => {
      b.m.reason = `rotate-node${' '.repeat(5 * 1024 * 1024)}`;
    },
    re: /manifest\.json is 5 MiB, larger than the 4 MiB limit/,
  },
  {
    name: 'a FIFO as manifest.json',
    mutate: (_f, b) => {
      b.m = undefined as unknown as typeof b.m;
      mkdirSync(b.dir, { recursive: true, mode: 0o700 });
      const r = spawnSync('mkfifo', [join(b.dir, 'manifest.json')]);
      assert.equal(r.status, 0, 'mkfifo');
    },
    re: /manifest\.json is a FIFO \(named pipe\), not a regular file/,
  },
];

describe('tampered backups and lock journals are refused, and nothing changes', function () {
  this.timeout(120_000);
  let fx: CertsFixture;
  let other: CertsFixture;
  before(async function () {
    this.timeout(60_000);
    fx = await makeCertsDir({ users: ['root'] });
    other = await makeCertsDir({ users: [] });
  });

  it('control: the untampered crafted manifest is accepted (so each refusal below is the tampering)', () => {
    const f = clone(fx);
    const b = base(f, readFileSync(join(f.certsDir, 'node.key')));
    reencodeNodeKey(f);
    plant(b.dir, b.m, b.copies);
    const r = cert('rollback', '--certs-dir', f.certsDir, '--dry-run');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /restore +\S+node\.key +\[node key, mode 0600\]/);
  });

  for (const c of MANIFEST_CASES) {
    it(`manifest: ${c.name}`, () => {
      const f = clone(fx);
      const b = base(f, readFileSync(join(f.certsDir, 'node.key')));
      reencodeNodeKey(f);
      c.mutate(f, b, other);
      if (b.m !== undefined || b.copies.size) plant(b.dir, b.m, b.copies);
      const before = snapshot(f.root);
      const flags = ['--certs-dir', f.certsDir, ...(c.flags?.(f) ?? [])];
      refused(cert('rollback', ...flags, '--dry-run'), c.re, 'rollback --dry-run');
      refused(cert('rollback', ...flags), c.re, 'rollback');
      refused(cert('rollback', ID, ...flags), c.re, `rollback ${ID}`);
      assert.equal(snapshot(f.root), before, 'nothing inside or outside the certs dir changed');
      assert.ok(!existsSync(join(f.certsDir, '.crdb-tls-rotate.lock')), 'no lock left');
    });
  }

  it('a corrupt manifest is not "no backups": cert backups names the folder; a valid backup beside it is still listed', () => {
    const f = clone(fx);
    const b = base(f, readFileSync(join(f.certsDir, 'node.key')));
    b.m.files = [null as unknown as BackupManifest['files'][0]];
    plant(b.dir, b.m, new Map());
    refused(
      cert('backups', '--certs-dir', f.certsDir),
      /backup folder \S+20250102T030405678Z has an invalid manifest\.json \(files\[0\] is null, not an object\)/,
      'backups',
    );
    const ok = cert('rotate-node', '--certs-dir', f.certsDir, '--ca-key', f.caKey, '--key-size', '1024');
    assert.equal(ok.status, 0, ok.stderr);
    const list = cert('backups', '--certs-dir', f.certsDir);
    assert.equal(list.status, 0, list.stderr);
    assert.match(list.stdout, /rotate-node/);
    refused(
      cert('rollback', ID, '--certs-dir', f.certsDir, '--dry-run'),
      /backup folder \S+20250102T030405678Z has an invalid manifest\.json/,
      'rollback of the bad one',
    );
  });

  it('genuine rotate-ca: signed manifest, rollback without --ca-key works; the same manifest tampered is refused', () => {
    const f = clone(fx);
    const h0 = snapshot(join(f.root, 'safe')) + snapshot(f.certsDir);
    const rot = cert('rotate-ca', '--certs-dir', f.certsDir, '--ca-key', f.caKey, '--key-size', '1024');
    assert.equal(rot.status, 0, rot.stderr);
    const id = /^backup (\d{8}T\S+): /m.exec(rot.stdout)?.[1] ?? '';
    const mPath = join(f.backups, id, 'manifest.json');
    const genuine = readFileSync(mPath, 'utf8');
    const m = JSON.parse(genuine) as BackupManifest;
    assert.equal(m.caKey, f.caKey);
    assert.equal(m.proof?.length, 2, 'signed by the old and the new CA key');

    // Tampered: one more file outside to delete; then a mode changed. The signature no longer holds,
    // and naming the CA key does not allow a file outside that is not the key or its old name.
    const tampered: [BackupManifest, RegExp, string[]][] = [
      [{ ...m, created: [...m.created, f.victim] }, /neither a file directly in the certs dir nor the CA key/, []],
      [{ ...m, files: m.files.map((x) => ({ ...x, mode: 0o400 })) }, /nothing shows it was made with the CA key there/, []],
      [{ ...m, created: [...m.created, f.victim] }, /neither a file directly in the certs dir nor the CA key/, ['--ca-key', f.caKey]],
    ];
    for (const [t, re, flags] of tampered) {
      writeFileSync(mPath, JSON.stringify(t));
      const before = snapshot(f.root);
      refused(cert('rollback', '--certs-dir', f.certsDir, ...flags), re, 'tampered');
      refused(cert('rollback', '--certs-dir', f.certsDir, '--dry-run', ...flags), re, 'tampered, --dry-run');
      assert.equal(snapshot(f.root), before);
    }
    writeFileSync(mPath, genuine);

    const rb = cert('rollback', '--certs-dir', f.certsDir);
    assert.equal(rb.status, 0, rb.stderr);
    assert.match(rb.stdout, /restored \S+safe\/ca\.key/);
    assert.match(rb.stdout, /removed \S+safe\/ca\.old\.key/);
    assert.equal(snapshot(join(f.root, 'safe')) + snapshot(f.certsDir), h0, 'back byte for byte');
  });

  it('an older CA rotation (the key at its path has changed since) needs --ca-key, and then rolls back', () => {
    const f = clone(fx);
    const certs0 = snapshot(f.certsDir);
    const key0 = readFileSync(f.caKey);
    const first = cert('rotate-ca', '--certs-dir', f.certsDir, '--ca-key', f.caKey, '--key-size', '1024');
    assert.equal(first.status, 0, first.stderr);
    const id = /^backup (\d{8}T\S+): /m.exec(first.stdout)?.[1] ?? '';
    assert.equal(cert('rotate-ca', '--certs-dir', f.certsDir, '--ca-key', f.caKey, '--key-size', '1024').status, 0);
    // The first backup is signed by the first two keys; the third is at ca.key now.
    const before = snapshot(f.root);
    refused(
      cert('rollback', id, '--certs-dir', f.certsDir),
      /nothing shows it was made with the CA key there: if \S+ca\.key is your CA key, pass it with --ca-key/,
      'older rotation',
    );
    refused(
      cert('rollback', id, '--certs-dir', f.certsDir, '--ca-key', join(f.root, 'safe', 'other.key')),
      /was made for the CA key \S+ca\.key, not \S+other\.key/,
      'another --ca-key',
    );
    assert.equal(snapshot(f.root), before);
    const rb = cert('rollback', id, '--certs-dir', f.certsDir, '--ca-key', f.caKey);
    assert.equal(rb.status, 0, rb.stderr);
    assert.deepEqual(readFileSync(f.caKey), key0, 'the first CA key is back');
    assert.equal(snapshot(f.certsDir), certs0);
  });

  it('rotate-client with 5,000 users is refused up front with the limit; nothing written, no lock', () => {
    const f = clone(fx);
    const before = snapshot(f.root);
    const users = Array.from({ length: 5000 }, (_, i) => `u${i}`);
    refused(
      cert('rotate-client', ...users, '--certs-dir', f.certsDir, '--ca-key', f.caKey),
      /at most 100 users in one run, got 5000: run it in batches of 100 or fewer/,
      'rotate-client',
    );
    assert.equal(snapshot(f.root), before);
  });
});
