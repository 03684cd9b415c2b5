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

  it('no export let in src/extension either (a module exports an accessor, never a binding others see change)', () => {
    const found = sources(join(SRC, 'extension')).flatMap((p) =>
      readFileSync(p, 'utf8')
        .split('\n')
        .filter((l) => /^export (let|var) /.test(l))
        .map((l) => `${p}: ${l}`),
    );
    assert.deepEqual(found, []);
  });

  it('the editor tests no core class with instanceof but UserError (parts of the core load from their own bundles)', () => {
    const found = sources(join(SRC, 'extension')).flatMap((p) => {
      const text = readFileSync(p, 'utf8');
      const fromCore = new Set(
        [...text.matchAll(/import\s*\{([^}]*)\}\s*from\s*'(?:\.\.\/)+core\/[^']*'/g)].flatMap((m) =>
          m[1]
            .split(',')
            .map((n) =>
              n
                .replace(/^\s*type\s+/, '')
                .split(/\s+as\s+/)
                .pop()!
                .trim(),
            )
            .filter(Boolean),
        ),
      );
      return [...text.matchAll(/instanceof\s+([A-Za-z_$][\w$]*)/g)]
        .map((m) => m[1])
        .filter((n) => fromCore.has(n) && n !== 'UserError')
        .map((n) => `${p}: instanceof ${n}`);
    });
    assert.deepEqual(found, []);
  });
});
