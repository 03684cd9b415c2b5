// `npm start`: the extension, installed from its .vsix, in a real VS Code (web) on a demo workspace
// with certificates, a PostgreSQL that speaks TLS with client-certificate auth, and sample
// connection strings. Open the printed URL in a browser; Ctrl-C stops everything.
//
//   node scripts/start.mjs [--port N] [--host 0.0.0.0] [--no-postgres] [--workspace-trust]
//                          [--skip-build] [--keep] [--smoke]
//
// Steps: npm run build, npm run package (dist/cockroach-tls.vsix), tsc -p tsconfig.test.json
// (out/: the core and test/support/postgres.js), the VS Code server (scripts/vscode/ensure-server.mjs,
// installed into test/vscode-server on first use), the demo workspace in a new temp dir
// (<tmp>/crdb-tls-demo-XXXXXX/cockroach-demo, removed on exit, so every run starts clean),
// PostgreSQL, a two-node fleet (scripts/demo/fleet.mjs: PostgreSQL + sshd per node on loopback, the
// inventory in fleet/; skipped with a note when sshd is missing), the .vsix installed with the
// server's own --install-extension, then the server.
//
// Workspace trust is off (--disable-workspace-trust) unless --workspace-trust: the workspace is
// one this script just made, and the demo should show the commands that write files (Create CA,
// Create Node/Client Certificate), which a restricted-mode window refuses; a person would also
// first face the "Do you trust the authors?" dialog. --workspace-trust shows restricted mode.
//
// --smoke (for tests): does all of the above, then opens the URL in headless Chromium, waits for
// the CockroachDB TLS tree to show the demo cluster, saves test-artifacts/start/workbench.png,
// checks every sample connection string with psql, stops everything, checks (in /proc) that nothing
// is left running, and exits 0 (1 on any failure).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { networkInterfaces, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createDemoWorkspace, DEFAULT_SQL_PORT, DEMO_CLUSTER, repoRoot, writeSampleFiles } from './demo/workspace.mjs';
import { checkSamples, findPsql, PG_SUPPORT, pgBinOrThrow, psqlCommand, runPsql, startDemoPostgres } from './demo/postgres.mjs';
import { fleetMissing, loadFleetSupport, startDemoFleet } from './demo/fleet.mjs';
import { cloudMissing, startDemoCloud } from './demo/cloud.mjs';
import { openCockroachView, STATUS_ITEM, waitForCluster, waitForWorkbench } from './demo/workbench.mjs';
import { ensureServer } from './vscode/ensure-server.mjs';
import { DEFAULT_USER_SETTINGS, startServer } from './vscode/server.mjs';
import { chromiumPath, launchChromium } from './vscode/browser.mjs';

const USAGE = `Usage: node scripts/start.mjs [options]   (npm start -- [options])

Builds and packages the extension, installs the .vsix into a VS Code server, prepares a demo
workspace (certificates, PostgreSQL with TLS, sample connection strings) and prints the URL.

  --port N            VS Code server port (default: a free port)
  --host ADDR         address to listen on (default 127.0.0.1); 0.0.0.0 for remote access:
                      there is NO connection token, anyone who reaches the port gets a shell
  --no-postgres       do not start PostgreSQL (if its binaries are missing); connection
                      strings then use port ${DEFAULT_SQL_PORT}
  --workspace-trust   keep workspace trust on (the workspace opens in restricted mode)
  --skip-build        reuse dist/ and out/ as they are (no build, package, tsc)
  --keep              keep the temp workspace after exit (its path is printed)
  --smoke             open the URL in headless Chromium, wait for the tree, screenshot to
                      test-artifacts/start/, check the connection strings, stop, exit 0/1
  -h, --help          this text`;

const say = (m) => console.error(`[start] ${m}`);

function parseArgs(argv) {
  const o = { port: undefined, host: '127.0.0.1', postgres: true, workspaceTrust: false, build: true, keep: false, smoke: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined || v.startsWith('--')) throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--port': {
        const v = value();
        o.port = Number(v);
        if (!Number.isInteger(o.port) || o.port < 1 || o.port > 65535) throw new Error(`--port ${v}: not a port number (1-65535)`);
        break;
      }
      case '--host':
        o.host = value();
        break;
      case '--no-postgres':
        o.postgres = false;
        break;
      case '--workspace-trust':
        o.workspaceTrust = true;
        break;
      case '--skip-build':
        o.build = false;
        break;
      case '--keep':
        o.keep = true;
        break;
      case '--smoke':
        o.smoke = true;
        break;
      case '-h':
      case '--help':
        o.help = true;
        break;
      default:
        throw new Error(`unknown option ${a} (--help lists them)`);
    }
  }
  return o;
}

// ---- Stopping: everything started registers a cleanup, run in reverse order, once. ----

const cleanups = [];
let stopping;
let signalled;
/** The child process of the running build step (killed when stopping). */
let currentStep;

function stopAll() {
  stopping ??= (async () => {
    let ok = true;
    currentStep?.kill('SIGTERM');
    for (const c of cleanups.splice(0).reverse()) {
      try {
        await c.fn();
      } catch (err) {
        ok = false;
        say(`stopping ${c.what} failed: ${err.message}`);
      }
    }
    return ok;
  })();
  return stopping;
}

function onSignal(sig) {
  if (signalled) {
    say(`${sig} again: exiting now (the exit hooks kill what is left)`);
    process.exit(130);
  }
  signalled = sig;
  say(`${sig}: stopping everything...`);
  void stopAll().then((ok) => {
    say(ok ? 'stopped.' : 'stopped, with errors (see above).');
    process.exit(ok ? 0 : 1);
  });
}

/** Ours only: the helpers' own handlers would exit at once, before PostgreSQL and the server are stopped in order. */
function takeOverSignals() {
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.removeAllListeners(sig);
    process.on(sig, () => onSignal(sig));
  }
}

function npmCommand() {
  const execPath = process.env.npm_execpath;
  if (execPath && /npm-cli\.js$/.test(execPath)) return { cmd: process.execPath, pre: [execPath] };
  return { cmd: 'npm', pre: [] };
}

/** Runs a build step with inherited output; rejects on a non-zero exit. */
function step(what, cmd, args) {
  if (stopping) return Promise.reject(new Error('stopping'));
  const t0 = Date.now();
  say(`${what}: ${[cmd === process.execPath ? 'node' : cmd, ...args.map((a) => (a.startsWith(repoRoot) ? relative(repoRoot, a) || '.' : a))].join(' ')}`);
  return new Promise((res, rej) => {
    const child = spawn(cmd, args, { cwd: repoRoot, stdio: ['ignore', 'inherit', 'inherit'] });
    currentStep = child;
    child.once('error', (err) => rej(new Error(`${what}: ${err.message}`)));
    child.once('exit', (code, signal) => {
      currentStep = undefined;
      if (code === 0) {
        say(`${what}: done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
        res();
      } else rej(new Error(`${what} failed (${signal ?? `exit ${code}`})`));
    });
  });
}

/** Processes still running that belong to what we started (by pid, process group or a path in their arguments). */
function leftovers({ pids = [], pgids = [], markers = [] }) {
  return readPs().filter(
    (p) => p.pid !== process.pid && (pids.includes(p.pid) || pids.includes(p.ppid) || pgids.includes(p.pgid) || markers.some((m) => m && p.args.includes(m))),
  );
}

function readPs() {
  const rows = [];
  for (const d of readdirProc()) {
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const args = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0').join(' ').trim();
      rows.push({ pid: Number(d), ppid: Number(rest[1]), pgid: Number(rest[2]), state: rest[0], args });
    } catch {
      // gone meanwhile
    }
  }
  return rows.filter((p) => p.state !== 'Z');
}

function readdirProc() {
  try {
    return readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return [];
  }
}

function lanAddresses() {
  return Object.values(networkInterfaces())
    .flat()
    .filter((a) => a && a.family === 'IPv4' && !a.internal)
    .map((a) => a.address);
}

async function smokeBrowser(url, artifacts) {
  const browser = await launchChromium();
  cleanups.push({ what: 'Chromium', fn: () => browser.close() });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const errors = [];
  page.on('pageerror', (err) => errors.push(err.message));
  say(`smoke: opening ${url} in Chromium`);
  await page.goto(url);
  try {
    await waitForWorkbench(page);
    await openCockroachView(page);
    const groups = await waitForCluster(page, DEMO_CLUSTER, { minItems: 4 });
    const demo = groups.find((g) => g.cluster.label === DEMO_CLUSTER);
    const labels = demo.items.map((r) => r.label);
    for (const want of ['CA', 'Node', 'Client: app_user', 'Client: root']) {
      if (!labels.includes(want)) throw new Error(`the demo cluster shows ${labels.join(', ')}: no "${want}"`);
    }
    const status = await page.locator(STATUS_ITEM).innerText({ timeout: 30_000 });
    // For a representative picture: the expiry alerts as toasts and the README preview (not checked here: test/e2e does).
    await page
      .locator('.notification-toast')
      .first()
      .waitFor({ state: 'visible', timeout: 10_000 })
      .catch(() => say('smoke: (no notification toast within 10 s)'));
    await page
      .frameLocator('iframe.webview')
      .frameLocator('iframe')
      .locator('h1')
      .first()
      .waitFor({ state: 'visible', timeout: 10_000 })
      .catch(() => say('smoke: (the README preview did not render within 10 s)'));
    await page.screenshot({ path: join(artifacts, 'workbench.png') });
    say(`smoke: the tree shows ${groups.map((g) => `${g.cluster.label} (${g.items.map((r) => `${r.label}: ${r.description}`).join('; ')})`).join(', ')}`);
    say(`smoke: status bar: ${status.trim()}; screenshot test-artifacts/start/workbench.png`);
  } catch (err) {
    await page.screenshot({ path: join(artifacts, 'workbench-failed.png') }).catch(() => {});
    throw new Error(`${err.message} (screenshot: test-artifacts/start/workbench-failed.png${errors.length ? `; page errors: ${errors.join('; ')}` : ''})`);
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.help) {
    console.log(USAGE);
    return 0;
  }
  const t0 = Date.now();
  takeOverSignals();
  process.on('exit', () => {
    currentStep?.kill('SIGKILL');
  });

  // Fail early, before anything slow, on what is missing.
  const pgBin = opts.postgres ? pgBinOrThrow() : undefined;
  if (opts.smoke) chromiumPath();
  const artifacts = join(repoRoot, 'test-artifacts', 'start');
  if (opts.smoke) {
    rmSync(artifacts, { recursive: true, force: true });
    mkdirSync(artifacts, { recursive: true });
  }

  const npm = npmCommand();
  const vsix = join(repoRoot, 'dist', 'cockroach-tls.vsix');
  if (opts.build) {
    await step('build', npm.cmd, [...npm.pre, 'run', 'build']);
    await step('package', npm.cmd, [...npm.pre, 'run', 'package']);
    const tsc = createRequire(join(repoRoot, 'package.json')).resolve('typescript/bin/tsc');
    await step('compile (tsc -p tsconfig.test.json)', process.execPath, [tsc, '-p', join(repoRoot, 'tsconfig.test.json')]);
  } else if (!existsSync(vsix)) {
    throw new Error('dist/cockroach-tls.vsix is missing: run without --skip-build (or `npm run package`)');
  }
  const tBuild = Date.now();
  await ensureServer({ log: (m) => say(m) });
  if (stopping) return 130;

  // PgServer (test/support/postgres.ts) installs signal handlers when loaded: load it now and take over.
  if (opts.postgres) createRequire(import.meta.url)(PG_SUPPORT);
  // The two-node fleet (scripts/demo/fleet.mjs): PostgreSQL and sshd per node; its builder hooks signals too.
  let fleetWhyNot = opts.postgres ? fleetMissing() : 'PostgreSQL is off (--no-postgres)';
  if (!fleetWhyNot) loadFleetSupport();
  takeOverSignals();

  const root = mkdtempSync(join(tmpdir(), 'crdb-tls-demo-'));
  const removeRoot = () => {
    if (!opts.keep) rmSync(root, { recursive: true, force: true });
  };
  process.on('exit', removeRoot);
  cleanups.push({ what: `the demo dir ${root}`, fn: removeRoot });
  const demo = await createDemoWorkspace({ parent: root, log: (m) => say(m) });

  let pg;
  if (opts.postgres) {
    pg = await startDemoPostgres(demo, { log: (m) => say(m) });
    cleanups.push({ what: 'PostgreSQL', fn: () => pg.stop() });
  }
  let fleet;
  if (!fleetWhyNot) {
    try {
      fleet = await startDemoFleet(demo, { log: (m) => say(m) });
      cleanups.push({ what: 'the demo fleet', fn: () => fleet.fleet.stop() });
    } catch (err) {
      fleetWhyNot = `it did not start (${err.message.split('\n')[0]})`;
    }
  }
  if (fleetWhyNot) say(`no demo fleet: ${fleetWhyNot}; the rest of the demo starts without it`);
  const sqlPort = pg?.port ?? DEFAULT_SQL_PORT;
  const samples = writeSampleFiles(demo, { port: sqlPort, postgres: Boolean(pg) });
  say(`wrote ${[...new Set(samples.map((s) => s.file))].join(', ')} and app/keys/client.app_user.key (mode 0644)`);

  // The demo Cloud account: the API stand-in on 127.0.0.1 (scripts/demo/cloud.mjs); the extension host gets COCKROACH_SERVER.
  let cloud;
  let cloudWhyNot = cloudMissing();
  if (!cloudWhyNot) {
    try {
      cloud = await startDemoCloud(demo, { log: (m) => say(m) });
      cleanups.push({ what: 'the Cloud API stand-in', fn: () => cloud.stop() });
    } catch (err) {
      cloudWhyNot = `it did not start (${err.message.split('\n')[0]})`;
    }
  }
  if (cloudWhyNot) say(`no demo Cloud account: ${cloudWhyNot}`);

  const psql = findPsql(pgBin);
  const psqlCmd = psqlCommand(demo, sqlPort);
  if (pg && psql) {
    const r = runPsql(psql, psqlCmd.url, { cwd: tmpdir() });
    if (!r.ok || r.out !== 'root') throw new Error(`the psql command line does not work: ${r.err || r.out}`);
  }

  const server = await startServer({
    port: opts.port,
    host: opts.host,
    workspaceTrust: opts.workspaceTrust,
    installExtensions: [vsix],
    handleSignals: false,
    ...(cloud ? { env: { COCKROACH_SERVER: cloud.url } } : {}),
    smokeTestDriver: false, // with it, notifications (the expiry alerts) never pop up as toasts
    logFile: opts.smoke ? join(artifacts, 'server.log') : join(root, 'vscode-server.log'),
    // Opens the demo README (connection strings, what to look at) when the folder opens.
    userSettings: { ...DEFAULT_USER_SETTINGS, 'workbench.startupEditor': 'readme' },
    log: (m) => say(m),
  });
  cleanups.push({ what: 'the VS Code server', fn: () => server.stop() });
  const serverGroup = server.process.pid;
  const url = `${server.baseUrl}/?folder=${encodeURI(demo.workspace)}`;
  const tReady = Date.now();

  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
  const line = '─'.repeat(78);
  const remote =
    opts.host === '127.0.0.1' || opts.host === 'localhost'
      ? []
      : [
          ...(['0.0.0.0', '::'].includes(opts.host) ? lanAddresses() : [opts.host]).map(
            (a) => `   Remote:      http://${a}:${server.port}/?folder=${encodeURI(demo.workspace)}`,
          ),
          `   WARNING:     listening on ${opts.host} WITHOUT a connection token: anyone who reaches port ${server.port}`,
          '                gets a VS Code with a terminal on this machine. Use it on a trusted network only.',
        ];
  console.log(
    [
      '',
      line,
      ` CockroachDB TLS demo: VS Code ${server.vscodeVersion} with ${pkg.publisher}.${pkg.name} ${pkg.version} installed from dist/cockroach-tls.vsix`,
      '',
      `   Open:        ${url}`,
      ...remote,
      `   Workspace:   ${demo.workspace}${opts.keep ? ' (kept after exit: --keep)' : ' (temporary, removed on exit)'}`,
      pg
        ? `   PostgreSQL:  127.0.0.1:${pg.port} (localhost), TLS with client-certificate auth; roles root, app_user`
        : `   PostgreSQL:  not started (--no-postgres); connection strings use port ${DEFAULT_SQL_PORT}`,
      ...(pg ? [`   psql:        ${psqlCmd.line}`] : []),
      ...(pg && !psql ? ['                (psql is not installed here: apt-get install -y postgresql-client)'] : []),
      fleet
        ? `   Fleet:       fleet/demo.fleet.yaml: ${fleet.nodes.map((n) => `${n.name} (ssh ${n.ssh}, sql ${n.sql})`).join(', ')}; see fleet/README.md`
        : `   Fleet:       not started: ${fleetWhyNot}`,
      cloud
        ? `   Cloud:       API stand-in ${cloud.url} (demo-advanced, demo-basic); run "Set Cloud API Key" with ${cloud.key}`
        : `   Cloud:       not started: ${cloudWhyNot}`,
      `   Trust:       ${opts.workspaceTrust ? 'workspace trust on: the folder opens in restricted mode' : 'workspace trust disabled (--disable-workspace-trust): the demo folder is trusted'}`,
      '',
      `   Ready in ${((tReady - t0) / 1000).toFixed(1)} s (build ${((tBuild - t0) / 1000).toFixed(1)} s). Press Ctrl-C to stop the VS Code server${pg ? ' and PostgreSQL' : ''}${opts.keep ? '' : ' and remove the workspace'}.`,
      line,
      '',
    ].join('\n'),
  );

  const markers = [root, server.tmp, pg?.dir, fleet?.fleet.root].filter(Boolean);
  const pgPid = pg ? pg.child?.pid : undefined;
  if (opts.smoke) {
    let failure;
    try {
      await smokeBrowser(url, artifacts);
      if (pg && psql) {
        const rows = checkSamples(psql, demo, samples);
        for (const r of rows) say(`smoke: ${r.pass ? 'ok  ' : 'FAIL'} ${r.file} ${r.name}: expected ${r.expected}; ${r.detail}`);
        const bad = rows.filter((r) => !r.pass);
        if (bad.length)
          throw new Error(`${bad.length} connection string(s) did not behave as the sample says: ${bad.map((r) => `${r.file} ${r.name}`).join(', ')}`);
        writeFileSync(join(artifacts, 'connection-strings.json'), JSON.stringify(rows, null, 2) + '\n');
      }
      if (cloud) {
        // Not spawnSync: the stand-in answers from this process's event loop.
        const r = await new Promise((res) => {
          const child = spawn(process.execPath, [join(repoRoot, 'dist', 'cli.js'), 'cloud', 'clusters', '--json'], {
            env: { ...process.env, COCKROACH_SERVER: cloud.url, COCKROACH_API_KEY: cloud.key },
          });
          let stdout = '';
          let stderr = '';
          child.stdout.on('data', (d) => (stdout += d));
          child.stderr.on('data', (d) => (stderr += d));
          const t = setTimeout(() => child.kill('SIGKILL'), 60_000);
          child.on('close', (status) => {
            clearTimeout(t);
            res({ status, stdout, stderr });
          });
        });
        const names = r.status === 0 ? JSON.parse(r.stdout).map((c) => `${c.name} (${c.plan})`) : [];
        if (names.length !== 2 || cloud.standIn.violations().length)
          throw new Error(`crdb-tls cloud clusters against the demo Cloud failed (${r.status}): ${r.stderr || r.stdout}`);
        say(`smoke: crdb-tls cloud clusters against the demo Cloud: ${names.join(', ')}`);
      }
      if (fleet) {
        const r = spawnSync(process.execPath, [join(repoRoot, 'dist', 'cli.js'), 'fleet', 'status', '--inventory', fleet.inventory], {
          encoding: 'utf8',
          timeout: 60_000,
        });
        if (r.status !== 0) throw new Error(`crdb-tls fleet status of the demo fleet failed (${r.status}): ${r.stderr || r.stdout}`);
        say(`smoke: crdb-tls fleet status of ${relative(demo.workspace, fleet.inventory)}: both nodes ok`);
      }
    } catch (err) {
      failure = err;
    }
    const ok = await stopAll();
    const left = leftovers({ pids: pgPid ? [pgPid] : [], pgids: [serverGroup], markers });
    if (left.length) {
      say(`still running after stop:\n${left.map((p) => `  ${p.pid} ${p.args}`).join('\n')}`);
      failure ??= new Error(`${left.length} process(es) left running`);
    } else say('smoke: stopped; nothing left running (checked /proc for our pids, process group and paths)');
    if (!ok) failure ??= new Error('stopping failed');
    if (failure) throw failure;
    say(`smoke: passed in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    return 0;
  }

  // Interactive: run until a signal, or until the VS Code server or PostgreSQL dies.
  return new Promise((res) => {
    const died = (what) => {
      if (stopping) return;
      say(`${what} exited unexpectedly: stopping everything`);
      void stopAll().then(() => res(1));
    };
    server.process.once('exit', () => died('the VS Code server'));
    pg?.child?.once('exit', () => died('PostgreSQL'));
  });
}

main().then(
  (code) => process.exit(code),
  async (err) => {
    // A step that got Ctrl-C too (same process group) fails first: let the pending signal be handled, then stay quiet.
    await new Promise((r) => setTimeout(r, 50));
    if (signalled) return; // the signal handler stops everything and exits
    say(`error: ${err.message}`);
    await stopAll();
    process.exit(1);
  },
);
