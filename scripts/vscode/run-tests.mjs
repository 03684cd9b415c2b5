// Runs the in-editor suites (out/test/vscode/**/*.test.js, through out/test/vscode/index.js) in a
// real VS Code: a VS Code server (see ensure-server.mjs) plus headless Chromium.
// Builds nothing: run `npm run build && npx tsc -p tsconfig.test.json` first.
//
//   node scripts/vscode/run-tests.mjs [--vscode current|min] [--restricted] [--grep <pattern>]
//
// --vscode <which> current (default): test/vscode-server, the newest VS Code (1.139, Node 24);
//                  min: test/vscode-server-min, the oldest VS Code that package.json's
//                  engines.vscode accepts (1.90, Node 20). Env VSCODE_TEST_SERVER works too.
//                  The run prints the VS Code version the server ships and the one the suites
//                  see (vscode.version), and fails if they differ.
// --restricted     keep workspace trust on: the workspace opens untrusted (restricted mode);
//                  the suites see CRDB_TLS_TEST_RESTRICTED=1 (and CRDB_TLS_TEST_WORKSPACE always).
// --grep <pattern> only tests whose full title matches (mocha grep; env MOCHA_GREP works too).
// Environment:
//   VSCODE_TEST_WORKSPACE   folder to open (used in place, not copied); default: a temp copy of
//                           test/vscode/fixtures/workspace
//   VSCODE_TEST_TIMEOUT_MS  overall limit for the suites (default 300000)
//   CHROMIUM_PATH           browser binary (default /usr/bin/chromium)
//   VSCODE_TEST_VERBOSE=1   also print the server's output and the browser console
//   KEEP_TMP=1              keep the temp workspace and server dirs
// Exit code: the suites' (0 all passed, 1 failures), 2 for harness errors or a timeout.
// Artifacts in test-artifacts/vscode/<current|min>[-restricted]/ (one folder per kind of run, so
// `npm test` keeps all of them): workbench.png (screenshot at the end), workbench.log (the
// workbench's log, extension host console included), server.log, logs/ (VS Code's log files).
import { cpSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { format } from 'node:util';
import { dirname, join, resolve } from 'node:path';
import { ensureServer, repoRoot, serverFlavor } from './ensure-server.mjs';
import { startServer } from './server.mjs';
import { chromiumPath, launchChromium } from './browser.mjs';
import { addSpecialFiles } from './special-files.mjs';

const argv = process.argv.slice(2);
const restricted = argv.includes('--restricted');
const grepAt = argv.indexOf('--grep');
const grep = grepAt >= 0 ? argv[grepAt + 1] : process.env.MOCHA_GREP;
const vscodeAt = argv.findIndex((a) => a === '--vscode' || a.startsWith('--vscode='));
const which =
  vscodeAt < 0 ? process.env.VSCODE_TEST_SERVER || 'current' : argv[vscodeAt].includes('=') ? argv[vscodeAt].slice('--vscode='.length) : argv[vscodeAt + 1];
const runName = `${which}${restricted ? '-restricted' : ''}`;
const verbose = Boolean(process.env.VSCODE_TEST_VERBOSE);
const timeoutMs = Number(process.env.VSCODE_TEST_TIMEOUT_MS || 300_000);
const artifacts = join(repoRoot, 'test-artifacts', 'vscode', runName);
const artifactsRel = `test-artifacts/vscode/${runName}`;
const testsIndex = join(repoRoot, 'out', 'test', 'vscode', 'index.js');
const say = (m) => console.error(`[test:vscode ${runName}] ${m}`);
// What test/vscode/index.ts prints first in the extension host, and mocha's spec reporter totals.
const SUITES_VERSION = /^\[vscode-suites\] VS Code ([^\s,]+)/m;
const TOTALS = /^\s*(\d+) (passing|failing|pending)\b/m;

// Workbench chatter printed only with VSCODE_TEST_VERBOSE (always in test-artifacts/vscode/<run>/workbench.log).
const NOISE = [
  /^\[(AgentHost|AgentHost:remote|RemoteAgentHostProtocol|ChatModelSelection|AccountPolicyGate|Service Worker|reconnection-grace-time)\]/,
  /^(Resolving|Resolved) connection token/,
  /^Creating a socket/,
  /^Creation of workbench contribution/,
  /^Updating additional builtin extensions cache/,
  /getaddrinfo ENOTFOUND/, // extension gallery (open-vsx.org) is unreachable offline
  /_static\/out\/browser\/serviceWorker\.js/, // code-server's PWA worker, served by code-server's wrapper only
  /Timed out waiting for authentication provider/,
  /^DialogService: refused to show dialog in tests\. Contents: Do you trust the authors/, // 1.90, --restricted: the trust prompt, refused, so the folder stays untrusted
];
const isNoise = (text) => NOISE.some((re) => re.test(text));

/**
 * The "min" server must be the oldest VS Code that package.json's engines.vscode (^X.Y.Z) accepts:
 * same X.Y. Raising the claim without moving the server (or the reverse) fails here.
 */
function checkMinimum(vscodeVersion) {
  const claim = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).engines?.vscode ?? '';
  const want = /^\^(\d+)\.(\d+)\.\d+$/.exec(claim);
  const have = /^(\d+)\.(\d+)\./.exec(vscodeVersion);
  if (!want) throw new Error(`package.json engines.vscode is "${claim}": expected ^X.Y.Z`);
  if (!have || have[1] !== want[1] || have[2] !== want[2]) {
    throw new Error(
      `package.json engines.vscode is ${claim}, but the "min" server (test/vscode-server-min) is VS Code ${vscodeVersion}: pin the code-server release that ships VS Code ${want[1]}.${want[2]} there`,
    );
  }
}

async function main() {
  const t0 = Date.now();
  if (!existsSync(join(repoRoot, 'dist', 'extension.js'))) throw new Error('dist/extension.js is missing: run `npm run build` first');
  if (!existsSync(testsIndex)) throw new Error(`${testsIndex} is missing: run \`npx tsc -p tsconfig.test.json\` first`);
  serverFlavor(which); // an unknown --vscode value fails here, before anything slow
  chromiumPath(); // fail early, before installing or starting anything, when there is no browser
  const installed = await ensureServer({ vscode: which });
  say(
    `VS Code ${installed.vscodeVersion} (server "${which}", Node ${installed.nodeVersion}), ${restricted ? 'restricted mode (workspace untrusted)' : 'trusted workspace'}`,
  );
  if (which === 'min') checkMinimum(installed.vscodeVersion);

  let workspace = process.env.VSCODE_TEST_WORKSPACE ? resolve(process.env.VSCODE_TEST_WORKSPACE) : undefined;
  let tmpWorkspace;
  if (!workspace) {
    tmpWorkspace = mkdtempSync(join(tmpdir(), 'crdb-tls-ws-'));
    workspace = join(tmpWorkspace, 'workspace');
    cpSync(join(repoRoot, 'test', 'vscode', 'fixtures', 'workspace'), workspace, { recursive: true });
    addSpecialFiles(workspace); // a FIFO and a .env pointing at /dev/zero: git cannot hold them
    process.on('exit', () => {
      if (!process.env.KEEP_TMP) rmSync(tmpWorkspace, { recursive: true, force: true });
    });
  }
  rmSync(artifacts, { recursive: true, force: true }); // only this run's files
  mkdirSync(artifacts, { recursive: true });

  const server = await startServer({
    vscode: which,
    workspaceTrust: restricted,
    echo: verbose,
    logFile: join(artifacts, 'server.log'),
    env: { ...(grep ? { MOCHA_GREP: grep } : {}), CRDB_TLS_TEST_WORKSPACE: workspace, CRDB_TLS_TEST_RESTRICTED: restricted ? '1' : '' },
  });
  const tServer = Date.now();
  let browser;
  const workbenchLog = createWriteStream(join(artifacts, 'workbench.log'));
  try {
    browser = await launchChromium({ vscode: which });
    // Clipboard permissions: VS Code 1.90's web clipboard reads navigator.clipboard only (no
    // in-memory fallback as in newer versions), which headless Chromium refuses without them;
    // the desktop VS Code the suites stand in for has a clipboard.
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 }, permissions: ['clipboard-read', 'clipboard-write'] });
    let finish;
    const finished = new Promise((res) => (finish = res));

    // The workbench's log (extension host console included) at info level and above.
    let suitesVersion;
    const totals = {};
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      const text = format(...(Array.isArray(args) ? args : [args]));
      const v = SUITES_VERSION.exec(text);
      if (v) suitesVersion ??= v[1];
      const t = TOTALS.exec(text);
      if (t) totals[t[2]] = Number(t[1]);
      workbenchLog.write(`[${type}] ${text}\n`);
      if (verbose || !isNoise(text)) (type === 'error' || type === 'warn' ? console.error : console.log)(text);
    });
    await page.exposeFunction('codeAutomationExit', async (code, logs) => {
      try {
        mkdirSync(artifacts, { recursive: true });
        await page.screenshot({ path: join(artifacts, 'workbench.png') });
        if (Array.isArray(logs)) {
          rmSync(join(artifacts, 'logs'), { recursive: true, force: true });
          for (const { relativePath, contents } of logs) {
            const f = join(artifacts, 'logs', relativePath);
            mkdirSync(dirname(f), { recursive: true });
            writeFileSync(f, contents);
          }
        }
      } catch (err) {
        say(`could not save artifacts: ${err.message}`);
      }
      finish(typeof code === 'number' ? code : 1);
    });
    page.on('pageerror', (err) => say(`page error: ${err.message}`));
    if (verbose) page.on('console', (m) => console.error(`[browser ${m.type()}] ${m.text()}`));

    const url = server.workbenchUrl({ folder: workspace, extensionDevelopmentPath: repoRoot, extensionTestsPath: testsIndex });
    say(`opening ${url}`);
    await page.goto(url);

    let timer;
    const timedOut = new Promise((res) => {
      timer = setTimeout(() => res('timeout'), timeoutMs);
    });
    const result = await Promise.race([finished, timedOut]);
    clearTimeout(timer);
    if (result === 'timeout') {
      mkdirSync(artifacts, { recursive: true });
      await page.screenshot({ path: join(artifacts, 'workbench-timeout.png') }).catch(() => {});
      say(`the suites did not finish within ${timeoutMs / 1000} s (screenshot: ${artifactsRel}/workbench-timeout.png, server log: ${artifactsRel}/server.log)`);
      return 2;
    }
    const tEnd = Date.now();
    const counts =
      ['passing', 'failing', 'pending']
        .filter((k) => k in totals)
        .map((k) => `${totals[k]} ${k}`)
        .join(', ') || 'no mocha totals seen';
    say(
      `VS Code ${suitesVersion ?? '(version not reported by the suites)'}: ${counts}; exit code ${result}; server start ${((tServer - t0) / 1000).toFixed(1)} s, workbench + suites ${((tEnd - tServer) / 1000).toFixed(1)} s; screenshot: ${artifactsRel}/workbench.png`,
    );
    if (suitesVersion !== installed.vscodeVersion) {
      say(
        `error: the suites ran on VS Code ${suitesVersion ?? '(unknown: no "[vscode-suites] VS Code" line from test/vscode/index.ts)'}, but the "${which}" server is VS Code ${installed.vscodeVersion}`,
      );
      return result || 2;
    }
    return result;
  } finally {
    await browser?.close().catch(() => {});
    await new Promise((res) => workbenchLog.end(res));
    await server.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`[test:vscode ${runName}] error: ${err.message}`);
    process.exit(2);
  },
);
