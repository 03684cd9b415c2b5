/** House rules that a reviewer would otherwise check by eye: small files, no module-level mutable state in the core. */
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const SRC = join(__dirname, '..', '..', '..', 'src');
const MAX_LINES = 450;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('source shape', () => {
  it(`no file under src/ is over ${MAX_LINES} lines`, () => {
    const long = sources(SRC)
      .map((p) => ({ p, n: readFileSync(p, 'utf8').split('\n').length }))
      .filter((f) => f.n > MAX_LINES);
    assert.deepEqual(long, []);
  });

  it('no module-level let, var or export let in src/core (state lives in objects made per use)', () => {
    const found = sources(join(SRC, 'core')).flatMap((p) =>
      readFileSync(p, 'utf8')
        .split('\n')
        .filter((l) => /^(export )?(let|var) /.test(l))
        .map((l) => `${p}: ${l}`),
    );
    assert.deepEqual(found, []);
  });
});
