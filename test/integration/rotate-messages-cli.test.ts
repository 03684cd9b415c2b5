/**
 * Messages of the rotation commands over a certs dir in an odd state: each names the file or the
 * folders that explain it, in one line, and changes nothing.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CertsFixture, makeCertsDir } from '../support/certs';
import { cert, clone, refused, snapshot } from '../support/tamper';

describe('rotation messages name the file or folder at fault', function () {
  this.timeout(120_000);
  let fx: CertsFixture;
  before(async function () {
    this.timeout(60_000);
    fx = await makeCertsDir({ users: ['root'] });
  });

  it('rotate-node without hosts over a FIFO or a damaged node.crt reports that file, not "no names to keep"', () => {
    for (const [kind, re] of [
      ['fifo', /node\.crt is a FIFO \(named pipe\), not a regular file: .*nothing was changed \(or list the node's hosts/],
      ['damaged', /no certificates found in \S+node\.crt: .*nothing was changed \(or list the node's hosts/],
    ] as const) {
      const f = clone(fx);
      const crt = join(f.certsDir, 'node.crt');
      if (kind === 'fifo') {
        rmSync(crt);
        assert.equal(spawnSync('mkfifo', [crt]).status, 0);
      } else writeFileSync(crt, readFileSync(crt).subarray(0, 40));
      const before = snapshot(f.root);
      refused(cert('rotate-node', '--certs-dir', f.certsDir, '--ca-key', f.caKey), re, kind);
      assert.equal(snapshot(f.root), before);
    }
  });

  it('a moved certs dir: cert backups and rollback name the backup folders made for its old path', () => {
    const f = clone(fx);
    assert.equal(cert('rotate-node', '--certs-dir', f.certsDir, '--ca-key', f.caKey, '--key-size', '1024').status, 0);
    const moved = join(f.root, 'moved');
    renameSync(f.certsDir, moved);
    renameSync(f.backups, `${moved}.backups`);
    const before = snapshot(f.root);
    const re = /no backups of \S+moved in \S+moved\.backups, but 1 backup folder there was made for \S+\/certs \(\d{8}T\d{9}Z\): .*move it back to roll back/;
    refused(cert('backups', '--certs-dir', moved), re, 'backups');
    refused(cert('rollback', '--certs-dir', moved, '--dry-run'), re, 'rollback --dry-run');
    refused(cert('rollback', '--certs-dir', moved), re, 'rollback');
    assert.equal(snapshot(f.root), before);
  });
});
