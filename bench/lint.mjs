// Benchmark: the connection string linter (src/core/connstr) against a bare regex scan.
//
//   Text    ~10 MiB, at least 25,000 connection strings of every kind (URLs in .env / YAML / JSON /
//           Markdown / shell / code lines, JDBC URLs, libpq key=value strings, `cockroach sql
//           --url`), between filler lines of prose and code. The strings name a few real files
//           (CA, client certs and keys, a .pk8, a node cert, a missing file), issued with
//           dist/cli.js into a temp dir, by absolute and by relative path. Deterministic (seeded).
//   Lint    lintText(text, {docPath, workspaceFolders, cache: FileCache, uid, now}) from out/
//           (the compiled core), in this process; one warm-up run fills the cache (each file is
//           read and parsed once), then `reps` timed runs.
//   Floor   one pass of /postgres(?:ql)?:\/\/[^\s'"`<>]+|\bhost=\S+/g over the same text, counting
//           matches: what merely finding the strings costs. Same number of runs.
//   Target  median lint / median floor <= 10.
//
// Use: `node bench/lint.mjs` (BENCH_LINT_REPS=n, default 7), or import { runLintBench } and call
// runLintBench({ reps }) -> { lintMs, floorMs, ratio, strings, bytes, findings, target }.
// Needs out/ (npx tsc -p tsconfig.test.json) and dist/cli.js (npm run build); builds them when missing.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const CLI = join(ROOT, 'dist', 'cli.js');
const OUT_LINT = join(ROOT, 'out', 'src', 'core', 'connstr', 'lint.js');
const OUT_CACHE = join(ROOT, 'out', 'src', 'core', 'cache.js');
export const TARGET_RATIO = 10;
const TARGET_BYTES = 10 * 1024 * 1024;
const MIN_STRINGS = 25_000;
const FLOOR_RE = /postgres(?:ql)?:\/\/[^\s'"`<>]+|\bhost=\S+/g;

function newestMtime(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** Builds out/ (tsc) and dist/ (esbuild) when missing or older than the sources they come from. */
function ensureBuilt() {
  const src = newestMtime(join(ROOT, 'src', 'core'));
  if (!existsSync(OUT_LINT) || statSync(OUT_LINT).mtimeMs < src) {
    // tsc still emits when an unrelated file has a type error; the check below is what matters.
    spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.test.json')], {
      stdio: 'inherit',
      cwd: ROOT,
    });
    if (!existsSync(OUT_LINT)) throw new Error(`${OUT_LINT} is missing: run npx tsc -p tsconfig.test.json`);
  }
  if (!existsSync(CLI) || statSync(CLI).mtimeMs < src) {
    const r = spawnSync(process.execPath, [join(ROOT, 'esbuild.mjs')], { stdio: 'inherit', cwd: ROOT });
    if (r.status !== 0) throw new Error('node esbuild.mjs failed');
  }
}

function cli(args) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`crdb-tls ${args.join(' ')}: ${r.stderr}`);
}

/** A certs dir issued by crdb-tls itself: CA, node, clients root and alice (with .pk8). */
function issueCerts(dir) {
  const certs = join(dir, 'certs');
  mkdirSync(join(dir, 'safe'), { mode: 0o700 });
  const caKey = join(dir, 'safe', 'ca.key');
  cli(['cert', 'create-ca', '--certs-dir', certs, '--ca-key', caKey]);
  cli(['cert', 'create-node', 'localhost', 'db.internal', '--certs-dir', certs, '--ca-key', caKey]);
  for (const u of ['root', 'alice']) cli(['cert', 'create-client', u, '--also-generate-pkcs8-key', '--certs-dir', certs, '--ca-key', caKey]);
  return certs;
}

/** mulberry32: a small seeded generator, so every run lints the same text. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The text: connection strings of every kind between filler lines; returns it with the count of strings written. */
export function makeText(certs, { bytes = TARGET_BYTES, minStrings = MIN_STRINGS, seed = 26257 } = {}) {
  const r = rng(seed);
  const pick = (xs) => xs[Math.floor(r() * xs.length)];
  const abs = (f) => join(certs, f);
  const users = ['root', 'alice', 'bob', 'Alice'];
  const hosts = ['localhost', 'db.internal', 'n1.crdb.internal', 'free-tier.gcp-us-central1.cockroachlabs.cloud', '10.0.0.7'];
  const ports = ['26257', '26257', '26257', '5432', '26258'];
  const modes = ['verify-full', 'verify-full', 'verify-full', 'require', 'disable', 'prefer', 'verify-ca', 'verify_full'];
  const roots = [abs('ca.crt'), abs('ca.crt'), 'certs/ca.crt', abs('node.crt'), abs('nope.crt')];
  const client = (u, pk8) => {
    const user = u.toLowerCase() === 'bob' ? 'root' : u.toLowerCase();
    return [abs(`client.${user}.crt`), abs(`client.${user}.key${pk8 ? '.pk8' : ''}`)];
  };
  const url = () => {
    const u = pick(users);
    const [crt, key] = client(u, false);
    const params = [];
    const shape = r();
    if (shape < 0.85) params.push(`sslmode=${pick(modes)}`);
    if (shape < 0.7) params.push(`sslrootcert=${pick(roots)}`);
    if (shape < 0.5) params.push(`sslcert=${crt}`, `sslkey=${key}`);
    if (r() < 0.05) params.push('sslroot=certs/ca.crt');
    if (r() < 0.05) params.push('sslmode=disable');
    if (r() < 0.05) params.push('options=--cluster%3Dmy-cluster-123');
    if (r() < 0.1) params.push('application_name=web');
    const pw = r() < 0.1 ? ':s3cret' : '';
    return `postgresql://${u}${pw}@${pick(hosts)}:${pick(ports)}/defaultdb${params.length ? `?${params.join('&')}` : ''}`;
  };
  const jdbc = () => {
    const u = pick(users);
    const [crt, key] = client(u, r() < 0.6);
    return `jdbc:postgresql://${pick(hosts)}:${pick(ports)}/defaultdb?user=${u}&sslmode=${pick(modes)}&sslrootcert=${pick(roots)}&sslcert=${crt}&sslkey=${key}${r() < 0.1 ? '&password=pw' : ''}`;
  };
  const kv = () => {
    const u = pick(users);
    const [crt, key] = client(u, false);
    const extra = r() < 0.5 ? ` sslrootcert=${pick(roots)} sslcert=${crt} sslkey=${key}` : '';
    return `host=${pick(hosts)} port=${pick(ports)} user=${u} dbname=app sslmode=${pick(modes)}${extra}${r() < 0.1 ? " password='a b'" : ''}`;
  };
  const contexts = [
    () => `DATABASE_URL=${url()}`,
    () => `  url: "${url()}"`,
    () => `  "dsn": "${url()}",`,
    () => `See [the cluster](${url()}) for details.`,
    () => `psql "${url()}" -c 'select 1'`,
    () => `    cockroach sql --url "${url()}"`,
    () => `db, err := sql.Open("pgx", "${url()}")`,
    () => `spring.datasource.url=${jdbc()}`,
    () => `Connection c = DriverManager.getConnection("${jdbc()}");`,
    () => `conn = psycopg.connect("${kv()}")`,
    () => `PGDSN='${kv()}'`,
  ];
  const filler = [
    'The quick brown fox jumps over the lazy dog while the cluster rebalances its ranges.',
    'function handler(req, res) { return res.status(200).json({ ok: true, items: [] }); }',
    '# Rotate the node certificates before they expire; see the runbook for the SIGHUP step.',
    '  replicas: 3  # one per availability zone, x=1 y=2 z=3',
    '    for (let i = 0; i < rows.length; i++) total += rows[i].amount * rate;',
    'SELECT id, name FROM accounts WHERE balance > 100 ORDER BY id LIMIT 50;',
    'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt.',
    '',
  ];
  const perString = bytes / Math.max(minStrings * 1.15, 1);
  const parts = [];
  let size = 0;
  let strings = 0;
  while (size < bytes) {
    const line = pick(contexts)();
    parts.push(line);
    size += line.length + 1;
    strings++;
    let budget = perString - line.length;
    while (budget > 0) {
      const f = pick(filler);
      parts.push(f);
      size += f.length + 1;
      budget -= f.length + 1;
    }
  }
  const text = parts.join('\n') + '\n';
  return { text, written: strings };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function time(fn) {
  const t0 = process.hrtime.bigint();
  const v = fn();
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, v };
}

function floorScan(text) {
  FLOOR_RE.lastIndex = 0;
  let n = 0;
  while (FLOOR_RE.exec(text) !== null) n++;
  return n;
}

export async function runLintBench({ reps = 7, log = () => {} } = {}) {
  ensureBuilt();
  const require = createRequire(import.meta.url);
  const { lintText } = require(OUT_LINT);
  const { FileCache } = require(OUT_CACHE);
  const dir = mkdtempSync(join(tmpdir(), 'crdb-tls-lint-bench-'));
  try {
    const certs = issueCerts(dir);
    const { text } = makeText(certs);
    const bytes = Buffer.byteLength(text);
    const opts = { docPath: join(dir, 'big.yaml'), workspaceFolders: [dir], cache: new FileCache(), uid: process.geteuid?.(), now: new Date() };
    const warm = lintText(text, opts);
    const strings = warm.length;
    const findings = warm.reduce((n, c) => n + c.findings.length, 0);
    if (strings < MIN_STRINGS) throw new Error(`only ${strings} connection strings found (want >= ${MIN_STRINGS})`);
    log(`text: ${(bytes / 1048576).toFixed(1)} MiB, ${strings} connection strings, ${findings} findings, ${opts.cache.reads} file reads`);
    floorScan(text);
    const lint = [];
    const floor = [];
    for (let i = 0; i < reps; i++) {
      // Interleaved, so both sides share the machine's noise.
      floor.push(time(() => floorScan(text)).ms);
      lint.push(time(() => lintText(text, opts)).ms);
    }
    const lintMs = median(lint);
    const floorMs = median(floor);
    return { lintMs, floorMs, ratio: lintMs / floorMs, strings, bytes, findings, target: TARGET_RATIO, samples: { lint, floor } };
  } finally {
    if (!process.env.BENCH_KEEP_TMP) rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const reps = Number(process.env.BENCH_LINT_REPS ?? 7);
  const r = await runLintBench({ reps, log: (s) => console.log(s) });
  console.log(`lintText  median ${r.lintMs.toFixed(1)} ms over ${reps} runs`);
  console.log(`regex     median ${r.floorMs.toFixed(1)} ms (floor)`);
  console.log(`ratio     ${r.ratio.toFixed(2)}x (target <= ${r.target}x): ${r.ratio <= r.target ? 'met' : 'MISSED'}`);
  if (r.ratio > r.target && process.env.BENCH_STRICT) process.exitCode = 1;
}
