import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { run, REPO_ROOT } from '../support/exec';

describe('the .vsix', function () {
  it('holds only what runs: the bundle and its lazily loaded vendor bundles, media, manifest, readme, changelog, license', () => {
    const r = run(process.execPath, [join(REPO_ROOT, 'node_modules', '@vscode', 'vsce', 'vsce'), 'ls', '--no-dependencies'], { cwd: REPO_ROOT });
    assert.equal(r.status, 0, r.stderr);
    const files = r.stdout.trim().split('\n').sort();
    assert.deepEqual(
      files.filter((f) => !f.startsWith('media/')),
      ['CHANGELOG.md', 'LICENSE', 'README.md', 'dist/extension.js', 'dist/vendor/node-forge.js', 'dist/vendor/pg.js', 'package.json'],
    );
    assert.ok(files.some((f) => f.startsWith('media/') && f.endsWith('.svg')));
  });
});
