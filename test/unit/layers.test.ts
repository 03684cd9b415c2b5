import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { ESLint } from 'eslint';

const ROOT = join(__dirname, '..', '..', '..');

/** The layer rule's verdicts on an import written in a file at `file` (relative to the repo). */
async function restricted(file: string, from: string): Promise<boolean> {
  const eslint = new ESLint({ cwd: ROOT });
  const [r] = await eslint.lintText(`import { x } from '${from}';\nexport const y = x;\n`, { filePath: join(ROOT, file) });
  return r.messages.some((m) => m.ruleId === 'no-restricted-imports');
}

describe('core layers (eslint.config.mjs): imports point down, never up', function () {
  this.timeout(60_000);
  const table: [string, string, boolean][] = [
    ['src/core/pki/x.ts', '../cockroach/layout', false],
    ['src/core/pki/x.ts', '../certsdir/list', true],
    ['src/core/cockroach/x.ts', '../pki/certinfo', true],
    ['src/core/connstr/rules/x.ts', '../../tls/probe', true],
    ['src/core/connstr/rules/x.ts', '../../pki/certinfo', false],
    // A sibling file named like a core folder is not that folder.
    ['src/core/connstr/rules/x.ts', './cloud', false],
    ['src/core/certsdir/rotate/x.ts', '../../tls/verify', true],
    ['src/core/tls/x.ts', '../connstr/types', false],
    ['src/core/cloud/x.ts', '../fleet/index', true],
    ['src/core/errors.ts', './pki/x509', true],
    ['src/core/tls/x.ts', 'vscode', true],
    ['src/core/tls/x.ts', '../../extension/ui', true],
  ];
  for (const [file, from, bad] of table) {
    it(`${file}: import '${from}' is ${bad ? 'refused' : 'allowed'}`, async () => {
      assert.equal(await restricted(file, from), bad);
    });
  }
});
