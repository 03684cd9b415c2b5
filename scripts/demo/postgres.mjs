// The demo's PostgreSQL: a real server with TLS and client-certificate authentication (PgServer
// from test/support/postgres.ts, compiled to out/test/support/postgres.js) serving the demo's
// node certificate, standing in for a CockroachDB node on the wire.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { EXPIRED_USER, repoRoot } from './workspace.mjs';

export const PG_SUPPORT = join(repoRoot, 'out', 'test', 'support', 'postgres.js');
export const PG_INSTALL_HINT =
  "install Debian's PostgreSQL server: sudo apt-get install -y postgresql (or set PG_BIN to a folder holding postgres, initdb and pg_ctl), or run with --no-postgres";

/**
 * The PostgreSQL bin dir (PG_BIN, else the newest /usr/lib/postgresql/<version>/bin), checked
 * before anything slow runs; the same rule as findPgBin() in test/support/postgres.ts.
 */
export function pgBinOrThrow() {
  const has = (d) => ['postgres', 'initdb', 'pg_ctl'].every((b) => existsSync(join(d, b)));
  if (process.env.PG_BIN) {
    if (!has(process.env.PG_BIN)) throw new Error(`PG_BIN=${process.env.PG_BIN} does not hold postgres, initdb and pg_ctl: ${PG_INSTALL_HINT}`);
    return process.env.PG_BIN;
  }
  let versions = [];
  try {
    versions = readdirSync('/usr/lib/postgresql');
  } catch {
    // none installed
  }
  const bins = versions
    .filter((v) => /^\d+(\.\d+)?$/.test(v))
    .sort((a, b) => parseFloat(b) - parseFloat(a))
    .map((v) => join('/usr/lib/postgresql', v, 'bin'))
    .filter(has);
  if (!bins.length) throw new Error(`no PostgreSQL server binaries found (PG_BIN is not set, nothing in /usr/lib/postgresql/*/bin): ${PG_INSTALL_HINT}`);
  return bins[0];
}

/** psql next to the server binaries, else the one on PATH, else undefined. */
export function findPsql(pgBin) {
  if (pgBin && existsSync(join(pgBin, 'psql'))) return join(pgBin, 'psql');
  const r = spawnSync('sh', ['-c', 'command -v psql'], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() ? r.stdout.trim() : undefined;
}

/**
 * Starts PostgreSQL on a free 127.0.0.1 port with the demo's node.crt/node.key. It trusts client
 * certificates from both demo CAs (certs/ca.crt and legacy/certs/ca.crt), so the expired
 * `reporting` certificate is refused for being expired rather than for an unknown issuer.
 * Roles: root (superuser, like CockroachDB's root), app_user and reporting; a table
 * public.accounts that app_user owns. Returns the PgServer (stop() stops it and removes its files).
 */
export async function startDemoPostgres(demo, { log = () => {} } = {}) {
  if (!existsSync(PG_SUPPORT)) throw new Error(`${relative(repoRoot, PG_SUPPORT)} is missing: run \`npx tsc -p tsconfig.test.json\` first`);
  const { PgServer } = createRequire(import.meta.url)(PG_SUPPORT);
  const cas = join(dirname(demo.workspace), `.pg-client-cas-${process.pid}.crt`);
  writeFileSync(cas, readFileSync(join(demo.certsDir, 'ca.crt'), 'utf8') + readFileSync(join(demo.legacyCertsDir, 'ca.crt'), 'utf8'));
  const pg = new PgServer({ certsDir: demo.certsDir, ca: cas });
  try {
    await pg.start();
  } finally {
    rmSync(cas, { force: true }); // PgServer serves its own copy
  }
  try {
    await pg.createRole('root', 'LOGIN SUPERUSER');
    await pg.createRole('app_user');
    await pg.createRole(EXPIRED_USER);
    await pg.query('CREATE TABLE public.accounts (id int PRIMARY KEY, owner text NOT NULL, balance numeric NOT NULL)');
    await pg.query("INSERT INTO public.accounts VALUES (1, 'alice', 250), (2, 'bob', 100)");
    await pg.query('ALTER TABLE public.accounts OWNER TO app_user');
    await pg.query(`GRANT SELECT ON public.accounts TO ${EXPIRED_USER}`);
  } catch (err) {
    await pg.stop();
    throw err;
  }
  log(`PostgreSQL (${pg.bin}) listening on ${pg.host}:${pg.port} with TLS, certificate auth`);
  return pg;
}

/** A psql command line that works from any folder (absolute paths), as `root`. */
export function psqlCommand(demo, port, { user = 'root', psql = 'psql' } = {}) {
  const c = demo.certsDir;
  const url = `postgresql://${user}@localhost:${port}/postgres?sslmode=verify-full&sslrootcert=${c}/ca.crt&sslcert=${c}/client.${user}.crt&sslkey=${c}/client.${user}.key`;
  return { url, line: `${psql} "${url}"` };
}

/** Runs `psql <url> -c <sql>` in `cwd` (relative sslrootcert/sslcert/sslkey resolve there, as in an app run from there). */
export function runPsql(psql, url, { cwd, sql = 'SELECT current_user', timeoutMs = 15_000 } = {}) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^PG/.test(k)));
  const r = spawnSync(psql, ['-X', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-c', sql, url], {
    cwd,
    env: { ...env, PGCONNECT_TIMEOUT: '5' },
    encoding: 'utf8',
    timeout: timeoutMs,
  });
  return { ok: r.status === 0, out: (r.stdout ?? '').trim(), err: (r.stderr ?? r.error?.message ?? '').trim() };
}

/**
 * Connects with every postgresql:// sample from its file's folder and checks it does what the
 * sample says (good ones connect as their user, bad ones are refused, except sslmode=require,
 * which connects without verifying the server). Returns rows { file, name, expected, ok, detail }.
 */
export function checkSamples(psql, demo, samples) {
  return samples
    .filter((s) => s.url.startsWith('postgresql://') && s.connects !== undefined)
    .map((s) => {
      const r = runPsql(psql, s.url, { cwd: dirname(join(demo.workspace, s.file)) });
      const user = /^postgresql:\/\/([^:@]+)/.exec(s.url)[1];
      const pass = s.connects ? r.ok && r.out === user : !r.ok;
      return {
        file: s.file,
        name: s.name,
        expected: s.connects ? `connects as ${user}` : 'refused',
        pass,
        detail: r.ok ? `connected as ${r.out}` : r.err.split('\n')[0],
      };
    });
}
