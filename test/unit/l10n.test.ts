import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
const script = (name: string, ...args: string[]) => spawnSync(process.execPath, [join(ROOT, 'scripts', name), ...args], { cwd: ROOT, encoding: 'utf8' });

describe('localisation (package.nls.json, vscode.l10n with l10n/bundle.l10n.json)', () => {
  it('every manifest display string is a %key%, every %key% has a value, every key is used', () => {
    const r = script('nls.mjs', '--check');
    assert.equal(r.status, 0, r.stderr);
    const pkgText = readFileSync(join(ROOT, 'package.json'), 'utf8');
    const nls = JSON.parse(readFileSync(join(ROOT, 'package.nls.json'), 'utf8')) as Record<string, string>;
    const used = new Set([...pkgText.matchAll(/"%([\w.-]+)%"/g)].map((m) => m[1]));
    for (const k of used) assert.ok(typeof nls[k] === 'string' && nls[k].length > 0, `%${k}% has no value in package.nls.json`);
    for (const k of Object.keys(nls)) assert.ok(used.has(k), `package.nls.json key ${k} is not used in package.json`);
  });

  it('every vscode.l10n.t message of the extension is in l10n/bundle.l10n.json and nothing else is; package.json names the folder', () => {
    const r = script('l10n.mjs', '--check');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).l10n, './l10n');
    const bundle = JSON.parse(readFileSync(join(ROOT, 'l10n', 'bundle.l10n.json'), 'utf8')) as Record<string, string>;
    for (const [k, v] of Object.entries(bundle)) {
      assert.equal(v, k, 'the English bundle maps each message to itself');
      const holes = [...k.matchAll(/\{(\d+)\}/g)].map((m) => Number(m[1]));
      holes.forEach((n) => assert.ok(n < holes.length, `${k}: placeholders are {0}..{n}`));
    }
  });
});
