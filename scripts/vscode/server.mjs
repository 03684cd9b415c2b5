// Starts and stops a VS Code server (test/vscode-server, or with { vscode: 'min' } the oldest
// supported one from test/vscode-server-min; see ensure-server.mjs) for in-editor tests and
// Playwright e2e tests, and builds workbench URLs that load this extension under development.
//
//   import { startServer } from './server.mjs';
//   const server = await startServer();                      // or { workspaceTrust: true, vscode: 'min' }
//   await page.goto(server.workbenchUrl({ folder, extensionDevelopmentPath, extensionTestsPath }));
//   await server.stop();
//
// Or with an installed .vsix instead of an extension under development (as a person runs it):
//   const server = await startServer({ installExtensions: ['dist/cockroach-tls.vsix'] });
//   await page.goto(server.workbenchUrl({ folder }));
//
// The server runs in its own process group, killed on stop(), on process exit, SIGINT and SIGTERM.
import { spawn, spawnSync } from 'node:child_process';
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

/**
 * Installs extensions (.vsix paths or gallery ids) with the VS Code server's own CLI
 * (`server-main.js --install-extension X --extensions-dir D`, run with Node 24) into the
 * extensions dir a server is then started with. Throws with the CLI's output on failure.
 */
export async function installExtensions(
  extensions,
  { extensionsDir, userDataDir, serverDataDir, vscode = 'current', log = (m) => console.error(`[vscode-server] ${m}`) },
) {
  const { node, serverMain } = await ensureServer({ vscode, log });
  const args = [serverMain, '--accept-server-license-terms', '--extensions-dir', extensionsDir];
  if (userDataDir) args.push('--user-data-dir', userDataDir);
  if (serverDataDir) args.push('--server-data-dir', serverDataDir);
  for (const ext of extensions) args.push('--install-extension', ext.includes('/') || ext.endsWith('.vsix') ? resolve(ext) : ext);
  const t0 = Date.now();
  const r = spawnSync(node, [...args, '--force'], { encoding: 'utf8', timeout: 120_000 });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
  if (r.error || r.status !== 0 || (out.match(/successfully installed/g) ?? []).length < extensions.length) {
    throw new Error(`installing ${extensions.join(', ')} into ${extensionsDir} failed (${r.error?.message ?? r.signal ?? `exit ${r.status}`}):\n${out}`);
  }
  log(`installed ${extensions.join(', ')} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

const live = new Set();
let hooksInstalled = false;
let signalHooksInstalled = false;
function installExitHooks(handleSignals) {
  if (!hooksInstalled) {
    hooksInstalled = true;
    process.on('exit', () => {
      for (const s of live) s.killNow();
    });
  }
  if (!handleSignals || signalHooksInstalled) return;
  signalHooksInstalled = true;
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
 *  - vscode: which server, 'current' (default, test/vscode-server) or 'min' (test/vscode-server-min).
 *  - workspaceTrust: false (default) passes --disable-workspace-trust; true keeps workspace trust
 *    on (untrusted folders open in restricted mode).
 *  - port: fixed port (default: a free one).
 *  - host: address to listen on (default 127.0.0.1; '0.0.0.0' for remote access: there is no
 *    connection token, anyone who reaches the port gets a shell). baseUrl and workbenchUrl()
 *    always use 127.0.0.1, where this machine reaches the server.
 *  - extensionsDir: extensions dir to use (kept on stop; default: one in the temp dir).
 *  - installExtensions: .vsix paths (or gallery ids) installed into the extensions dir with the
 *    server's CLI (--install-extension) before the server starts; the workbench then runs them
 *    as installed extensions, as a person who installed the .vsix would.
 *  - echo: copy the server's output to stderr (default off; a start-up failure's error includes
 *    it); it is always written to logFile (default <tmp>/server.log, removed with the temp dirs).
 *  - env: extra environment for the server; the extension host inherits it.
 *  - extraArgs: more server flags.
 *  - startTimeoutMs: default 120 s.
 *  - userSettings: user settings.json for the workbench, written to <user-data>/User/settings.json
 *    (default: DEFAULT_USER_SETTINGS, which turns off AI/chat features, the welcome page, update
 *    checks and telemetry; pass null for none).
 *  - smokeTestDriver: pass --enable-smoke-test-driver (default true). The workbench needs it to
 *    load an extension under development from the URL (extensionDevelopmentPath), but with it
 *    notifications never pop up as toasts (they only go to the notification center): pass false
 *    to run installed extensions as a person sees them.
 *  - handleSignals: on SIGINT/SIGTERM/SIGHUP kill the server and exit (default true). Pass false
 *    when the caller handles signals itself and calls stop(); the server is still killed at exit.
 *  - keepTemp: keep the temp user-data/server-data/extensions dirs on stop (default: env KEEP_TMP).
 * Returns { port, baseUrl, tmp, logFile, vscodeVersion, nodeVersion, process, remoteUri(path), workbenchUrl(opts), stop() }.
 */
export async function startServer({
  vscode = 'current',
  workspaceTrust = false,
  port,
  host = HOST,
  extensionsDir,
  installExtensions: toInstall = [],
  echo = false,
  env = {},
  extraArgs = [],
  startTimeoutMs = 120_000,
  keepTemp = Boolean(process.env.KEEP_TMP),
  userSettings = DEFAULT_USER_SETTINGS,
  logFile,
  handleSignals = true,
  smokeTestDriver = true,
  log = (m) => console.error(`[vscode-server] ${m}`),
} = {}) {
  const { node, serverMain, vscodeVersion, nodeVersion } = await ensureServer({ vscode, log });
  installExitHooks(handleSignals);
  port ??= await freePort();
  const tmp = mkdtempSync(join(tmpdir(), 'crdb-tls-vscode-'));
  const dirs = {
    userData: join(tmp, 'user-data'),
    serverData: join(tmp, 'server-data'),
    extensions: extensionsDir ? resolve(extensionsDir) : join(tmp, 'extensions'),
  };
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
  if (userSettings) {
    // The web workbench keeps its user data on the server, in <user-data-dir>/User.
    mkdirSync(join(dirs.userData, 'User'), { recursive: true });
    writeFileSync(join(dirs.userData, 'User', 'settings.json'), JSON.stringify(userSettings, null, 2) + '\n');
  }
  if (toInstall.length) {
    try {
      await installExtensions(toInstall, { extensionsDir: dirs.extensions, userDataDir: dirs.userData, serverDataDir: dirs.serverData, vscode, log });
    } catch (err) {
      if (!keepTemp) rmSync(tmp, { recursive: true, force: true });
      throw err;
    }
  }
  logFile ??= join(tmp, 'server.log');
  mkdirSync(dirname(logFile), { recursive: true });
  const logStream = createWriteStream(logFile);

  const args = [
    serverMain,
    '--host',
    host,
    '--port',
    String(port),
    '--without-connection-token',
    '--accept-server-license-terms',
    ...(smokeTestDriver ? ['--enable-smoke-test-driver'] : []),
    ...(workspaceTrust ? [] : ['--disable-workspace-trust']),
    '--user-data-dir',
    dirs.userData,
    '--server-data-dir',
    dirs.serverData,
    '--extensions-dir',
    dirs.extensions,
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
    exited.then(({ code, signal }) =>
      rej(new Error(`VS Code server exited before listening (code ${code}, signal ${signal}); log: ${logFile}\n${output ?? ''}`)),
    );
  });
  let timer;
  const timeout = new Promise((_, rej) => {
    timer = setTimeout(
      () => rej(new Error(`VS Code server did not print "Extension host agent listening" within ${startTimeoutMs / 1000} s; log: ${logFile}\n${output ?? ''}`)),
      startTimeoutMs,
    );
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
  log(
    `VS Code ${vscodeVersion} server (Node ${nodeVersion}) listening on ${host}:${port} after ${((Date.now() - t0) / 1000).toFixed(1)} s${workspaceTrust ? ' (workspace trust on)' : ''}`,
  );

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

  return { port, baseUrl, tmp, dirs, logFile, vscodeVersion, nodeVersion, process: child, remoteUri, workbenchUrl, stop };
}
