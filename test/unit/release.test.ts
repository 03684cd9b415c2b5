import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpDir } from '../support/tmp';

const ROOT = join(__dirname, '..', '..', '..');
const script = join(ROOT, 'scripts', 'changelog-version.mjs');

describe('releases: npm version, the CHANGELOG and --version move together', () => {
  it('package.json runs the CHANGELOG step on npm version; the CHANGELOG keeps an Unreleased section in Keep a Changelog form', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    assert.match(pkg.scripts.version, /changelog-version\.mjs/);
    const log = readFileSync(join(ROOT, 'CHANGELOG.md'), 'utf8');
    assert.match(log, /^## \[Unreleased\]$/m);
    for (const h of log.match(/^### .*$/gm) ?? []) assert.match(h, /^### (Added|Changed|Deprecated|Removed|Fixed|Security)$/);
  });

  it('turns Unreleased into the new version with its date, under a fresh Unreleased; refuses twice', () => {
    const f = join(tmpDir('changelog-'), 'CHANGELOG.md');
    writeFileSync(f, '# Changelog\n\n## [Unreleased]\n\n### Added\n\n- a thing\n\n## [0.1.0] - 2026-01-01\n');
    const r = spawnSync(process.execPath, [script, f, '0.2.0', '2026-12-01'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(readFileSync(f, 'utf8'), '# Changelog\n\n## [Unreleased]\n\n## [0.2.0] - 2026-12-01\n\n### Added\n\n- a thing\n\n## [0.1.0] - 2026-01-01\n');
    const again = spawnSync(process.execPath, [script, f, '0.2.0', '2026-12-02'], { encoding: 'utf8' });
    assert.equal(again.status, 1);
    assert.match(again.stderr, /already has a section for 0\.2\.0/);
  });
});
