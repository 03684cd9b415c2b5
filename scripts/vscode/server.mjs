// Starts and stops a VS Code server (the one from test/vscode-server) for in-editor tests and
// Playwright e2e tests, and builds workbench URLs that load this extension under development.
//
//   import { startServer } from './server.mjs';
//   const server = await startServer();                      // or { workspaceTrust: true }
//   await page.goto(server.workbenchUrl({ folder, extensionDevelopmentPath, extensionTestsPath }));
//   await server.stop();
//
// The server runs in its own process group, killed on stop(), on process exit, SIGINT and SIGTERM.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { ensureServer } from './ensure-server.mjs';

export const HOST = '127.0.0.1';
const READY = /Extension host agent listening on (\d+)/;

/** Quiet, offline defaults for test windows. */
export const DEFAULT_USER_SETTINGS = {
  'chat.disableAIFeatures': true,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'telemetry.telemetryLevel': 'off',
  'workbench.enableExperiments': false,
  'workbench.startupEditor': 'none',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'update.mode': 'none',
};

/** A free TCP port on 127.0.0.1 (asks the OS for one, then releases it). */
export function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.unref();
    s.on('error', rej);
    s.listen(0, HOST, () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

const live = new Set();
let hooksInstalled = false;
function installExitHooks() {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', () => {
    for (const s of live) s.killNow();
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.once(sig, () => {
      for (const s of live) s.killNow();
      process.exit(sig === 'SIGINT' ? 130 : 143);
    });
  }
}

/**
 * Starts the VS Code server and resolves once it listens.
 * Options:
 *  - workspaceTrust: false (default) passes --disable-workspace-trust; true keeps workspace trust
 *    on (untrusted folders open in restricted mode).
 *  - port: fixed port (default: a free one).
 *  - echo: copy the server's output to stderr (default off; a start-up failure's error includes
 *    it); it is always written to logFile (default <tmp>/server.log, removed with the temp dirs).
 *  - env: extra environment for the server; the extension host inherits it.
 *  - extraArgs: more server flags.
 *  - startTimeoutMs: default 120 s.
 *  - userSettings: user settings.json for the workbench, written to <user-data>/User/settings.json
 *    (default: DEFAULT_USER_SETTINGS, which turns off AI/chat features, the welcome page, update
 *    checks and telemetry; pass null for none).
 *  - keepTemp: keep the temp user-data/server-data/extensions dirs on stop (default: env KEEP_TMP).
 * Returns { port, baseUrl, tmp, logFile, vscodeVersion, process, remoteUri(path), workbenchUrl(opts), stop() }.
 */
export async function startServer({
  workspaceTrust = false,
  port,
  echo = false,
  env = {},
  extraArgs = [],
  startTimeoutMs = 120_000,
  keepTemp = Boolean(process.env.KEEP_TMP),
  userSettings = DEFAULT_USER_SETTINGS,
  logFile,
  log = (m) => console.error(`[vscode-server] ${m}`),
} = {}) {
  const { node, serverMain, vscodeVersion } = await ensureServer({ log });
  installExitHooks();
  port ??= await freePort();
  const tmp = mkdtempSync(join(tmpdir(), 'crdb-tls-vscode-'));
  const dirs = { userData: join(tmp, 'user-data'), serverData: join(tmp, 'server-data'), extensions: join(tmp, 'extensions') };
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
  if (userSettings) {
    // The web workbench keeps its user data on the server, in <user-data-dir>/User.
    mkdirSync(join(dirs.userData, 'User'), { recursive: true });
    writeFileSync(join(dirs.userData, 'User', 'settings.json'), JSON.stringify(userSettings, null, 2) + '\n');
  }
  logFile ??= join(tmp, 'server.log');
  mkdirSync(dirname(logFile), { recursive: true });
  const logStream = createWriteStream(logFile);

  const args = [
    serverMain,
    '--host', HOST,
    '--port', String(port),
    '--without-connection-token',
    '--accept-server-license-terms',
    '--enable-smoke-test-driver',
    ...(workspaceTrust ? [] : ['--disable-workspace-trust']),
    '--user-data-dir', dirs.userData,
    '--server-data-dir', dirs.serverData,
    '--extensions-dir', dirs.extensions,
    ...extraArgs,
  ];
  const t0 = Date.now();
  const child = spawn(node, args, {
    detached: true, // own process group: stop() kills the extension host and helpers too
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });

  let stopped = false;
  const exited = new Promise((res) => child.once('exit', (code, signal) => res({ code, signal })));
  const killGroup = (sig) => {
    try {
      process.kill(-child.pid, sig);
    } catch {
      // already gone
    }
  };
  const handle = {
    killNow() {
      if (child.exitCode === null && child.signalCode === null) killGroup('SIGKILL');
      if (!keepTemp) rmSync(tmp, { recursive: true, force: true });
    },
  };
  live.add(handle);

  let output = '';
  const ready = new Promise((res, rej) => {
    const onData = (chunk) => {
      const text = chunk.toString();
      logStream.write(text);
      if (echo) process.stderr.write(text);
      if (output !== null) {
        output += text;
        const m = READY.exec(output);
        if (m) {
          output = null;
          res(Number(m[1]));
        } else if (output.length > 1_000_000) {
          output = output.slice(-100_000);
        }
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', rej);
    exited.then(({ code, signal }) => rej(new Error(`VS Code server exited before listening (code ${code}, signal ${signal}); log: ${logFile}\n${output ?? ''}`)));
  });
  let timer;
  const timeout = new Promise((_, rej) => {
    timer = setTimeout(() => rej(new Error(`VS Code server did not print "Extension host agent listening" within ${startTimeoutMs / 1000} s; log: ${logFile}\n${output ?? ''}`)), startTimeoutMs);
  });

  async function stop() {
    if (stopped) return;
    stopped = true;
    live.delete(handle);
    if (child.exitCode === null && child.signalCode === null) {
      killGroup('SIGTERM');
      const t = setTimeout(() => killGroup('SIGKILL'), 5_000);
      await exited;
      clearTimeout(t);
      killGroup('SIGKILL'); // stragglers in the group (extension host, file watchers)
    }
    await new Promise((res) => logStream.end(res));
    if (!keepTemp) rmSync(tmp, { recursive: true, force: true });
  }

  try {
    await Promise.race([ready, timeout]);
  } catch (err) {
    await stop();
    throw err;
  } finally {
    clearTimeout(timer);
  }
  log(`VS Code ${vscodeVersion} server listening on ${HOST}:${port} after ${((Date.now() - t0) / 1000).toFixed(1)} s${workspaceTrust ? ' (workspace trust on)' : ''}`);

  const baseUrl = `http://${HOST}:${port}`;
  /** vscode-remote URI of an absolute path on this machine (the server's file system). */
  const remoteUri = (p) => `vscode-remote://${HOST}:${port}${resolve(p).split('\\').join('/')}`;
  /**
   * Workbench URL. folder: workspace folder to open; extensionDevelopmentPath / extensionTestsPath:
   * absolute paths (turned into vscode-remote URIs); payload: more [key, value] pairs.
   */
  const workbenchUrl = ({ folder, extensionDevelopmentPath, extensionTestsPath, payload = [] } = {}) => {
    const pairs = [...payload];
    if (extensionDevelopmentPath) pairs.push(['extensionDevelopmentPath', remoteUri(extensionDevelopmentPath)]);
    if (extensionTestsPath) pairs.push(['extensionTestsPath', remoteUri(extensionTestsPath)]);
    const q = [];
    if (folder) q.push(`folder=${encodeURIComponent(resolve(folder))}`);
    if (pairs.length) q.push(`payload=${encodeURIComponent(JSON.stringify(pairs))}`);
    return `${baseUrl}/${q.length ? `?${q.join('&')}` : ''}`;
  };

  return { port, baseUrl, tmp, dirs, logFile, vscodeVersion, process: child, remoteUri, workbenchUrl, stop };
}
