// Runs the same in-editor suites as run-tests.mjs with @vscode/test-electron: a desktop VS Code
// that test-electron downloads into .vscode-test/ (needs access to update.code.visualstudio.com,
// and a display or xvfb-run on Linux). Not part of `npm test`; on machines that can only reach
// the npm registry use scripts/vscode/run-tests.mjs (npm run test:vscode) instead.
// Builds nothing: run `npm run build && npx tsc -p tsconfig.test.json` first.
//
//   node scripts/vscode/run-electron.mjs [--grep <pattern>]
// Environment: VSCODE_TEST_VERSION (default 'stable'), VSCODE_TEST_WORKSPACE (default: a temp copy
// of test/vscode/fixtures/workspace), KEEP_TMP=1.
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTests } from '@vscode/test-electron';
import { addSpecialFiles } from './special-files.mjs';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const testsIndex = join(repoRoot, 'out', 'test', 'vscode', 'index.js');
const argv = process.argv.slice(2);
const grepAt = argv.indexOf('--grep');
const grep = grepAt >= 0 ? argv[grepAt + 1] : process.env.MOCHA_GREP;

async function main() {
  if (!existsSync(join(repoRoot, 'dist', 'extension.js'))) throw new Error('dist/extension.js is missing: run `npm run build` first');
  if (!existsSync(testsIndex)) throw new Error(`${testsIndex} is missing: run \`npx tsc -p tsconfig.test.json\` first`);
  let workspace = process.env.VSCODE_TEST_WORKSPACE ? resolve(process.env.VSCODE_TEST_WORKSPACE) : undefined;
  let tmp;
  if (!workspace) {
    tmp = mkdtempSync(join(tmpdir(), 'crdb-tls-ws-'));
    workspace = join(tmp, 'workspace');
    cpSync(join(repoRoot, 'test', 'vscode', 'fixtures', 'workspace'), workspace, { recursive: true });
    addSpecialFiles(workspace); // a FIFO and a .env pointing at /dev/zero: git cannot hold them
  }
  try {
    return await runTests({
      version: process.env.VSCODE_TEST_VERSION || 'stable',
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: testsIndex,
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
      extensionTestsEnv: { ...(grep ? { MOCHA_GREP: grep } : {}), CRDB_TLS_TEST_WORKSPACE: workspace },
    });
  } finally {
    if (tmp && !process.env.KEEP_TMP) rmSync(tmp, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`[test:electron] ${err instanceof Error ? err.message : String(err)}`);
    console.error('[test:electron] (test-electron downloads a desktop VS Code; where only the npm registry is reachable use `npm run test:vscode`)');
    process.exit(1);
  },
);
