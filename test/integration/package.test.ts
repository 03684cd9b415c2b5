import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { run, REPO_ROOT } from '../support/exec';

describe('the .vsix', function () {
  it('holds only what runs: the bundle, the core and vendor bundles it loads on demand, media, manifest, readme, changelog, license', () => {
    const r = run(process.execPath, [join(REPO_ROOT, 'node_modules', '@vscode', 'vsce', 'vsce'), 'ls', '--no-dependencies'], { cwd: REPO_ROOT });
    assert.equal(r.status, 0, r.stderr);
    const files = r.stdout.trim().split('\n').sort();
    // The parts of the core the extension loads on demand: exactly the dist/core-*.js its bundle requires.
    const lazy = [
      ...new Set(
        [...readFileSync(join(REPO_ROOT, 'dist', 'extension.js'), 'utf8').matchAll(/require\("\.\/(core-[a-z-]+\.js)"\)/g)].map((m) => `dist/${m[1]}`),
      ),
    ];
    assert.ok(lazy.length >= 5, `the extension loads ${lazy.length} core bundles on demand`);
    assert.deepEqual(
      files.filter((f) => !f.startsWith('media/')),
      [
        'CHANGELOG.md',
        'LICENSE',
        'README.md',
        ...lazy.sort(),
        'dist/extension.js',
        'dist/vendor/node-forge.js',
        'dist/vendor/pg.js',
        'dist/vendor/yaml.js',
        'l10n/bundle.l10n.json',
        'package.json',
        'package.nls.json',
      ],
    );
    // Every media file is used: named by the manifest (icon, view container, walkthrough) or loaded by the bundle (webview assets).
    const manifest = readFileSync(join(REPO_ROOT, 'package.json'), 'utf8');
    const bundle = readFileSync(join(REPO_ROOT, 'dist', 'extension.js'), 'utf8');
    const media = files.filter((f) => f.startsWith('media/'));
    assert.ok(media.includes('media/icon.png'), 'the Marketplace icon is packaged');
    for (const f of media) {
      const parts = f.split('/');
      const used =
        manifest.includes(f) ||
        [parts[1], parts.at(-1)].every((n) => bundle.includes(`"${n}"`) || bundle.includes(`'${n}'`)) ||
        // A folder the manifest names (not the screenshots: each one the walkthrough shows is named, the README's stay out).
        (parts[1] !== 'screenshots' && manifest.includes(parts.slice(0, -1).join('/')));
      assert.ok(used, `${f} is packaged but nothing uses it`);
    }
    // And every picture the walkthrough shows is in it.
    const steps = (JSON.parse(manifest) as { contributes: { walkthroughs: { steps: { media: { image?: string } }[] }[] } }).contributes.walkthroughs.flatMap(
      (w) => w.steps,
    );
    for (const s of steps) if (s.media.image) assert.ok(files.includes(s.media.image), `the walkthrough's ${s.media.image} is not in the .vsix`);
  });

  it('has the Marketplace metadata: a 128×128 PNG icon, repository, bugs, homepage, categories, keywords, gallery banner', () => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
    const png = readFileSync(join(REPO_ROOT, pkg.icon));
    assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
    assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [128, 128], 'IHDR width and height');
    assert.match(pkg.repository.url, /^https:\/\/github\.com\//);
    assert.match(pkg.bugs.url, /\/issues$/);
    assert.ok(pkg.homepage);
    assert.ok(pkg.categories.includes('Linters'));
    assert.ok(pkg.keywords.length >= 5 && pkg.keywords.length <= 30, 'vsce allows at most 30 keywords');
    assert.ok(pkg.galleryBanner.color && pkg.galleryBanner.theme);
    assert.ok(!pkg.scripts.package.includes('--allow-missing-repository'));
  });
});
