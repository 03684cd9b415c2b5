import { strict as assert } from 'node:assert';
import fs, { chmodSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { commitFiles } from '../../src/core/certsdir/write';
import { tmpDir } from '../support/tmp';

describe('commitFiles (atomic writes of a set of files)', () => {
  it('a failed set puts the files it already replaced back with temp file, fsync, rename: never rewritten in place', () => {
    const dir = tmpDir();
    const a = join(dir, 'node.crt');
    writeFileSync(a, 'old node.crt\n');
    chmodSync(a, 0o444);
    mkdirSync(join(dir, 'node.key')); // the second rename fails: a directory is in the way
    const real = fs.renameSync;
    const renames: string[] = [];
    let inodeOfNew = -1;
    fs.renameSync = ((from: fs.PathLike, to: fs.PathLike) => {
      renames.push(String(to));
      real(from, to);
      if (String(to) === a && inodeOfNew < 0) inodeOfNew = statSync(a).ino;
    }) as typeof fs.renameSync;
    try {
      assert.throws(
        () =>
          commitFiles([
            { path: a, data: 'new node.crt\n', mode: 0o644 },
            { path: join(dir, 'node.key'), data: 'new key\n', mode: 0o600 },
          ]),
        /could not write/,
      );
    } finally {
      fs.renameSync = real;
    }
    assert.equal(readFileSync(a, 'utf8'), 'old node.crt\n', 'the old bytes are back');
    assert.equal(statSync(a).mode & 0o777, 0o444, 'with the old mode');
    assert.notEqual(statSync(a).ino, inodeOfNew, 'in a new file renamed over the new one, not written into it');
    assert.deepEqual(renames.filter((r) => r === a).length, 2, 'renamed into place twice: the new file, then the old one back');
    assert.deepEqual(readdirSync(dir).sort(), ['node.crt', 'node.key'], 'no temp file left');
  });
});
