// Entry point VS Code loads as extensionTestsPath (compiled to out/test/vscode/index.js), both
// under scripts/vscode/run-tests.mjs (VS Code server + Chromium) and run-electron.mjs
// (@vscode/test-electron). Runs every out/test/vscode/**/*.test.js with mocha in the extension
// host; the returned promise rejects when a test fails, which VS Code turns into exit code 1.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';
import * as vscode from 'vscode';

export function run(): Promise<void> {
  // scripts/vscode/run-tests.mjs reads this line: the VS Code the suites really run on.
  console.log(`[vscode-suites] VS Code ${vscode.version}, extension host Node ${process.version}`);
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000 });
  if (process.env.MOCHA_GREP) mocha.grep(process.env.MOCHA_GREP);
  const root = __dirname;
  const files = (readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith('.test.js')).sort();
  for (const f of files) mocha.addFile(join(root, f));
  return new Promise((resolve, reject) => {
    if (files.length === 0) {
      reject(new Error(`no *.test.js files below ${root}`));
      return;
    }
    try {
      mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} test(s) failed`)) : resolve()));
    } catch (err) {
      reject(err);
    }
  });
}
