import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CertsFixture, makeCertsDir, cloneCertsDir } from '../support/certs';
import { RunResult, crdbTls } from '../support/exec';
import { hashTree } from '../support/tmp';

const clone = cloneCertsDir;

function ok(r: RunResult): RunResult {
  assert.equal(r.status, 0, `exit ${r.status}: ${r.stderr}`);
  return r;
}

const cert = (...args: string[]) => crdbTls(['cert', ...args]);
const state = (f: CertsFixture) => hashTree(f.certsDir) + hashTree(join(f.root, 'safe'));

describe('crdb-tls cert rotation commands', function () {
  this.timeout(60_000);
  let fx: CertsFixture;
  before(async () => {
    fx = await makeCertsDir({ users: ['root'] });
  });

  it('--dry-run prints the plan (files, new expiry, backup) and writes nothing; --json gives it as data', () => {
    const f = clone(fx);
    const h = hashTree(f.root);
    const r = ok(cert('rotate-node', 'db1.example.com', '127.0.0.1', '--certs-dir', f.certsDir, '--ca-key', f.caKey, '--dry-run'));
    assert.match(r.stdout, /^Plan: rotate-node, certs dir /);
    assert.match(r.stdout, /replace +\S+node\.crt +\[node certificate, mode 0644\]/);
    assert.match(
      r.stdout,
      /new node certificate \S+: CN=node, DNS:db1\.example\.com, IP:127\.0\.0\.1, RSA 2048\n +valid \S+ to \S+ \(expires \d{4}-\d\d-\d\d\), signed by ca\.crt serial [0-9a-f]+; replaces serial/,
    );
    assert.match(r.stdout, /backup first: .* -> a new folder in .*certs\.backups\n/);
    assert.match(r.stdout, /Dry run: nothing was written\.\n$/);
    const j = JSON.parse(ok(cert('rotate-ca', '--certs-dir', f.certsDir, '--ca-key', f.caKey, '--dry-run', '--json')).stdout) as {
      dryRun: boolean;
      plan: { steps: { action: string; to?: string }[] };
    };
    assert.equal(j.dryRun, true);
    assert.deepEqual(
      j.plan.steps.map((s) => s.action),
      ['move', 'write', 'replace'],
    );
    assert.equal(j.plan.steps[0].to, join(f.root, 'safe', 'ca.old.key'));
    assert.equal(hashTree(f.root), h);
  });

  it('rotate-client, backups --json, rollback: byte for byte, and the rollback is itself backed up', () => {
    const f = clone(fx);
    const h0 = state(f);
    const r = ok(cert('rotate-client', 'root', '--certs-dir', f.certsDir, '--ca-key', f.caKey, '--key-size', '1024'));
    assert.match(r.stdout, /backup \d{8}T\d{9}Z: \S+certs\.backups\/\d{8}T\d{9}Z \(2 files\)/);
    assert.match(r.stdout, /issued client certificate \S+client\.root\.crt: serial [0-9a-f]+/);
    assert.notEqual(state(f), h0);
    const list = JSON.parse(ok(cert('backups', '--certs-dir', f.certsDir, '--json')).stdout) as {
      id: string;
      createdAt: string;
      reason: string;
      files: { path: string; mode: number; sha256: string }[];
    }[];
    assert.equal(list.length, 1);
    assert.equal(list[0].reason, 'rotate-client');
    assert.match(list[0].createdAt, /^\d{4}-\d\d-\d\dT/);
    assert.deepEqual(
      list[0].files.map((x) => [x.path, x.mode]),
      [
        [join(f.certsDir, 'client.root.crt'), 0o644],
        [join(f.certsDir, 'client.root.key'), 0o600],
      ],
    );
    const rb = ok(cert('rollback', '--certs-dir', f.certsDir));
    assert.match(rb.stdout, new RegExp(`Plan: rollback to backup ${list[0].id}`));
    assert.match(rb.stdout, /restored \S+client\.root\.key/);
    assert.equal(state(f), h0);
    const text = ok(cert('backups', '--certs-dir', f.certsDir)).stdout;
    assert.match(text, new RegExp(`before rollback to ${list[0].id}`));
    assert.match(text, /\(2 rows\)/);
  });

  it('bad input: a wrong CA key, a certs dir with errors, an unknown backup: exit 1, a clear message, nothing changed', async () => {
    const f = clone(fx);
    const other = await makeCertsDir({ users: [] });
    const h = hashTree(f.root);
    const wrong = cert('rotate-node', '--certs-dir', f.certsDir, '--ca-key', other.caKey);
    assert.equal(wrong.status, 1);
    assert.match(wrong.stderr, /^crdb-tls: CA key \S+ does not match the first certificate in \S+ca\.crt: pass the key that signed it with --ca-key\.\n$/);
    const none = cert('rollback', 'nope', '--certs-dir', f.certsDir);
    assert.match(none.stderr, /no backups of .* nothing to roll back to/);
    writeFileSync(join(f.certsDir, 'ca.old.crt'), 'x'); // CockroachDB: bad filename
    const h2 = hashTree(f.root);
    const bad = cert('rotate-client', 'root', '--certs-dir', f.certsDir, '--ca-key', f.caKey);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /has errors CockroachDB would report; fix them first \(nothing was changed\): .*bad filename .*ca\.old\.crt/);
    assert.equal(hashTree(f.root), h2);
    assert.notEqual(h, h2);
  });

  it('--reload-cmd runs after the rotation; --verify reports a server that does not serve the new cert, exit 1', () => {
    const f = clone(fx);
    const marker = join(f.root, 'reloaded');
    const r = cert(
      'rotate-node',
      '--certs-dir',
      f.certsDir,
      '--ca-key',
      f.caKey,
      '--key-size',
      '1024',
      '--reload-cmd',
      `echo reloading > ${JSON.stringify(marker)}`,
      '--verify',
      '127.0.0.1:1',
      '--verify-timeout',
      '300ms',
    );
    assert.equal(r.status, 1, r.stdout);
    assert.equal(readFileSync(marker, 'utf8'), 'reloading\n');
    assert.match(r.stdout, /ran echo reloading > .*: exit 0/);
    assert.match(r.stdout, /NOT verified: 127\.0\.0\.1:1 serves nothing \(.*\), expected node\.crt serial [0-9a-f]+ after \d+ probes?/);
    assert.ok(!existsSync(join(f.certsDir, '.crdb-tls-rotate.lock')));
  });
});
