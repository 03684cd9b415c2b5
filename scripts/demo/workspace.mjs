// The demo workspace shared by `npm start` (scripts/start.mjs) and the e2e tests (test/e2e/run.mjs):
// a self-hosted cluster issued by our own CLI, a second cluster whose certificates are about to
// expire or have expired, workspace settings naming the first cluster, and sample files with good
// and bad connection strings.
//
//   import { createDemoWorkspace, writeSampleFiles } from './demo/workspace.mjs';
//   const demo = await createDemoWorkspace({ parent: tmpDir });   // certs, keys, .vscode/settings.json
//   const samples = writeSampleFiles(demo, { port: 26257 });       // app/.env, app/db.ts, ...
//
// Needs `npm run build` (dist/cli.js) and `npx tsc -p tsconfig.test.json` (out/src/core/...).
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = join(repoRoot, 'dist', 'cli.js');
export const CORE_CREATE = join(repoRoot, 'out', 'src', 'core', 'certsdir', 'create.js');

/** Name of the workspace folder (what VS Code shows in its title and Explorer). */
export const DEMO_FOLDER = 'cockroach-demo';
/** The cluster named in .vscode/settings.json. */
export const DEMO_CLUSTER = 'demo';
/** The second cluster: found in the workspace (not in settings), certificates near or past expiry. */
export const LEGACY_DIR = 'legacy/certs';
export const EXPIRED_USER = 'reporting';
/** The port written into connection strings when no PostgreSQL runs (CockroachDB's default). */
export const DEFAULT_SQL_PORT = 26257;

const DAY = 86_400_000;

function cli(args, cwd) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    throw new Error(`crdb-tls ${args.join(' ')} failed (${r.error?.message ?? r.signal ?? `exit ${r.status}`}): ${(r.stderr || r.stdout || '').trim()}`);
  }
  return r.stdout;
}

/** Fails early, with the command that fixes it, when the build outputs the demo needs are missing. */
export function checkBuildOutputs() {
  if (!existsSync(CLI)) throw new Error(`${relative(repoRoot, CLI)} is missing: run \`npm run build\` first`);
  if (!existsSync(CORE_CREATE)) throw new Error(`${relative(repoRoot, CORE_CREATE)} is missing: run \`npx tsc -p tsconfig.test.json\` first`);
}

/**
 * Creates <parent>/<DEMO_FOLDER> (which must not exist yet) with:
 *  - certs/ (ca.crt, node.crt for localhost and 127.0.0.1, client.root.*, client.app_user.* with
 *    .key.pk8) and my-safe-directory/ca.key, all issued by `node dist/cli.js cert ...`, run in
 *    the workspace with relative paths as a person types them;
 *  - legacy/certs/ with legacy/my-safe-directory/ca.key, issued with the core and back-dated:
 *    a CA that expires in about 200 days, a node certificate that expires in 20 days and a
 *    client certificate (user `reporting`) that expired 3 days ago;
 *  - .vscode/settings.json naming the first cluster (with its CA key) in cockroachTls.clusters.
 * Returns the paths.
 */
export async function createDemoWorkspace({ parent, log = () => {} }) {
  checkBuildOutputs();
  const workspace = join(resolve(parent), DEMO_FOLDER);
  if (existsSync(workspace)) throw new Error(`${workspace} already exists: the demo starts from an empty folder`);
  mkdirSync(workspace, { recursive: true });

  // The self-hosted cluster, exactly as the README tells people to create it.
  mkdirSync(join(workspace, 'my-safe-directory'), { mode: 0o700 });
  const common = ['--certs-dir', 'certs', '--ca-key', join('my-safe-directory', 'ca.key')];
  cli(['cert', 'create-ca', ...common], workspace);
  cli(['cert', 'create-node', 'localhost', '127.0.0.1', ...common], workspace);
  cli(['cert', 'create-client', 'root', ...common], workspace);
  cli(['cert', 'create-client', 'app_user', '--also-generate-pkcs8-key', ...common], workspace);
  log(`issued certs/ca.crt, node.crt, client.root.crt, client.app_user.crt (+ .key.pk8) with crdb-tls`);

  // The cluster that needs attention: back-dated with the core's `now` and `lifetimeMs`.
  const core = createRequire(import.meta.url)(CORE_CREATE);
  const legacyCerts = join(workspace, LEGACY_DIR);
  const legacyKey = join(workspace, 'legacy', 'my-safe-directory', 'ca.key');
  mkdirSync(dirname(legacyKey), { recursive: true, mode: 0o700 });
  const now = Date.now();
  await core.createCa({ certsDir: legacyCerts, caKey: legacyKey, now: new Date(now - 3000 * DAY), lifetimeMs: 3200 * DAY });
  await core.createNode({ certsDir: legacyCerts, caKey: legacyKey, hosts: ['localhost', '127.0.0.1'], now: new Date(now - 80 * DAY), lifetimeMs: 100 * DAY });
  await core.createClient({ certsDir: legacyCerts, caKey: legacyKey, user: EXPIRED_USER, now: new Date(now - 40 * DAY), lifetimeMs: 37 * DAY });
  log(`issued ${LEGACY_DIR}: CA expires in ~200 d, node in ~20 d, client.${EXPIRED_USER} expired ~3 d ago`);

  mkdirSync(join(workspace, '.vscode'));
  writeFileSync(
    join(workspace, '.vscode', 'settings.json'),
    JSON.stringify(
      {
        'cockroachTls.clusters': [{ name: DEMO_CLUSTER, certsDir: 'certs', caKey: 'my-safe-directory/ca.key' }],
      },
      null,
      2,
    ) + '\n',
  );

  return {
    workspace,
    certsDir: join(workspace, 'certs'),
    caKey: join(workspace, 'my-safe-directory', 'ca.key'),
    legacyCertsDir: legacyCerts,
    legacyCaKey: legacyKey,
  };
}

/** Relative path from a file's folder to a workspace path, with forward slashes (as people write them). */
function rel(fileDir, target) {
  const r = relative(fileDir, target);
  return r.split(sep).join('/');
}

/**
 * The connection strings of the sample files, each relative to the file it is in.
 * connects: what libpq (psql) does with it, run from the file's folder, against the demo
 * PostgreSQL (TLS, certificate authentication, CN = user).
 */
function samplesFor(demo, { host, port }) {
  const ws = demo.workspace;
  const at = (file) => {
    const dir = dirname(join(ws, file));
    const p = (target) => rel(dir, join(ws, target));
    const tls = (user, extra = '') =>
      `sslmode=verify-full&sslrootcert=${p('certs/ca.crt')}&sslcert=${p(`certs/client.${user}.crt`)}&sslkey=${p(`certs/client.${user}.key`)}${extra}`;
    const url = (user, query) => `postgresql://${user}@${host}:${port}/postgres?${query}`;
    return { p, tls, url };
  };
  const env = at('app/.env');
  const ts = at('app/db.ts');
  const yml = at('config/database.yml');
  const readme = at('README.md');
  const jdbc = at('jdbc.properties');
  return [
    { file: 'app/.env', name: 'DATABASE_URL', good: true, connects: true, problem: '', url: env.url('app_user', env.tls('app_user')) },
    {
      file: 'app/.env',
      name: 'DATABASE_URL_LOCAL',
      good: false,
      connects: false,
      problem: 'sslmode=disable: no TLS at all (the cluster refuses it)',
      url: env.url('app_user', 'sslmode=disable'),
    },
    {
      file: 'app/.env',
      name: 'REPORTING_DATABASE_URL',
      good: false,
      connects: false,
      problem: `expired client certificate (${LEGACY_DIR}/client.${EXPIRED_USER}.crt)`,
      url: `postgresql://${EXPIRED_USER}@${host}:${port}/postgres?sslmode=verify-full&sslrootcert=${env.p('certs/ca.crt')}&sslcert=${env.p(`${LEGACY_DIR}/client.${EXPIRED_USER}.crt`)}&sslkey=${env.p(`${LEGACY_DIR}/client.${EXPIRED_USER}.key`)}`,
    },
    {
      file: 'app/.env',
      name: 'ADMIN_DATABASE_URL',
      good: false,
      connects: false,
      problem: 'password in the URL (and no client certificate)',
      url: `postgresql://root:s3cret-pa55@${host}:${port}/postgres?sslmode=verify-full&sslrootcert=${env.p('certs/ca.crt')}`,
    },
    { file: 'app/db.ts', name: 'primary', good: true, connects: true, problem: '', url: ts.url('app_user', ts.tls('app_user')) },
    {
      file: 'app/db.ts',
      name: 'replica',
      good: false,
      connects: false,
      problem: '`sslroot=` is not a parameter (typo of sslrootcert)',
      url: ts.url(
        'app_user',
        `sslmode=verify-full&sslroot=${ts.p('certs/ca.crt')}&sslcert=${ts.p('certs/client.app_user.crt')}&sslkey=${ts.p('certs/client.app_user.key')}`,
      ),
    },
    {
      file: 'app/db.ts',
      name: 'jobs',
      good: false,
      connects: false,
      problem: 'key file app/keys/client.app_user.key has mode 0644 (libpq wants 0600)',
      url: ts.url(
        'app_user',
        `sslmode=verify-full&sslrootcert=${ts.p('certs/ca.crt')}&sslcert=${ts.p('certs/client.app_user.crt')}&sslkey=${ts.p('app/keys/client.app_user.key')}`,
      ),
    },
    { file: 'config/database.yml', name: 'production', good: true, connects: true, problem: '', url: yml.url('app_user', yml.tls('app_user')) },
    {
      file: 'config/database.yml',
      name: 'staging',
      good: false,
      connects: false,
      problem: 'no sslrootcert: the server certificate is checked against ~/.postgresql/root.crt',
      url: yml.url('app_user', `sslmode=verify-full&sslcert=${yml.p('certs/client.app_user.crt')}&sslkey=${yml.p('certs/client.app_user.key')}`),
    },
    {
      file: 'config/database.yml',
      name: 'worker',
      good: false,
      connects: false,
      problem: 'user root, but the certificate is for app_user (CN=app_user)',
      url: yml.url('root', yml.tls('app_user')),
    },
    { file: 'README.md', name: 'root', good: true, connects: true, problem: '', url: readme.url('root', readme.tls('root')) },
    {
      file: 'README.md',
      name: 'quickstart',
      good: false,
      connects: true,
      problem: 'sslmode=require: encrypted, but the server is not verified (anyone in the middle can pose as it)',
      url: readme.url('app_user', `sslmode=require&sslcert=${readme.p('certs/client.app_user.crt')}&sslkey=${readme.p('certs/client.app_user.key')}`),
    },
    {
      file: 'jdbc.properties',
      name: 'db.url',
      good: true,
      connects: undefined,
      problem: '',
      url: `jdbc:postgresql://${host}:${port}/postgres?user=app_user&${jdbc.tls('app_user').replace('client.app_user.key', 'client.app_user.key.pk8')}`,
    },
    {
      file: 'jdbc.properties',
      name: 'db.reporting.url',
      good: false,
      connects: undefined,
      problem: 'sslmode=require and a password instead of a client certificate',
      url: `jdbc:postgresql://${host}:${port}/postgres?user=app_user&password=changeme&sslmode=require`,
    },
  ];
}

/**
 * Writes app/.env, app/db.ts, config/database.yml, README.md, jdbc.properties and a copy of the
 * app_user key with mode 0644 (app/keys/client.app_user.key). Paths in the connection strings
 * are relative to the file they are in. Returns the samples ({ file, name, good, connects,
 * problem, url }).
 */
export function writeSampleFiles(demo, { host = 'localhost', port = DEFAULT_SQL_PORT, postgres = true } = {}) {
  const ws = demo.workspace;
  const samples = samplesFor(demo, { host, port });
  const of = (file) => samples.filter((s) => s.file === file);
  const get = (file, name) => samples.find((s) => s.file === file && s.name === name).url;
  const write = (file, text, mode) => {
    const p = join(ws, file);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, text);
    if (mode) chmodSync(p, mode);
  };

  const looseKey = join(ws, 'app', 'keys', 'client.app_user.key');
  mkdirSync(dirname(looseKey), { recursive: true });
  copyFileSync(join(demo.certsDir, 'client.app_user.key'), looseKey);
  chmodSync(looseKey, 0o644);

  write(
    'app/.env',
    [
      '# Connection strings for the app (paths relative to this file).',
      ...of('app/.env').flatMap((s) => [...(s.good ? [] : [`# BAD: ${s.problem}`]), `${s.name}=${s.url}`]),
      '',
    ].join('\n'),
  );

  write(
    'app/db.ts',
    `import { Pool } from 'pg';

// The app's pools. Paths in the URLs are relative to this file's folder (app/).
export const primary = new Pool({
  connectionString: '${get('app/db.ts', 'primary')}',
});

// BAD: ${of('app/db.ts')[1].problem}
export const replica = new Pool({
  connectionString: '${get('app/db.ts', 'replica')}',
});

// BAD: ${of('app/db.ts')[2].problem}
export const jobs = new Pool({
  connectionString: '${get('app/db.ts', 'jobs')}',
});
`,
  );

  write(
    'config/database.yml',
    `# Database settings per environment (paths relative to this file's folder, config/).
production:
  url: "${get('config/database.yml', 'production')}"

# BAD: ${of('config/database.yml')[1].problem}
staging:
  url: "${get('config/database.yml', 'staging')}"

# BAD: ${of('config/database.yml')[2].problem}
worker:
  url: "${get('config/database.yml', 'worker')}"
`,
  );

  write(
    'jdbc.properties',
    `# JDBC (pgJDBC) settings: Java reads the PKCS#8 key (.key.pk8).
db.url=${get('jdbc.properties', 'db.url')}
# BAD: ${of('jdbc.properties')[1].problem}
db.reporting.url=${get('jdbc.properties', 'db.reporting.url')}
`,
  );

  const bad = samples.filter((s) => !s.good);
  write(
    'README.md',
    `# CockroachDB TLS demo workspace

Made by \`npm start\` in the cockroach-tls repository. Everything here is throw-away.

| What | Where |
|---|---|
| Cluster **${DEMO_CLUSTER}** (in \`.vscode/settings.json\`) | \`certs/\`: CA, node (localhost, 127.0.0.1), clients \`root\` and \`app_user\` (with \`.key.pk8\`) |
| Its CA key | \`my-safe-directory/ca.key\` |
| A cluster that needs attention (found in the workspace) | \`${LEGACY_DIR}/\`: node certificate expiring in 20 days, client \`${EXPIRED_USER}\` expired |
| PostgreSQL with TLS and certificate auth (stands in for a CockroachDB node) | ${postgres ? `\`${host}:${port}\`` : `not started (\`--no-postgres\`); the strings use port ${port}`} |

Open the **CockroachDB TLS** view in the activity bar: hover a certificate for its details,
click it to inspect it, use the status bar item to jump to the soonest expiry. Open
\`app/.env\`, \`app/db.ts\`, \`config/database.yml\` or \`jdbc.properties\`: the bad connection
strings below are underlined and listed in the Problems panel. From a terminal:
\`node ${CLI} lint app/.env app/db.ts config/database.yml jdbc.properties README.md\`
(\`crdb-tls lint ...\` after \`npm link\`).

## Connect

From this folder:

\`\`\`sh
psql "${get('README.md', 'root')}"
\`\`\`

## Connection strings in this workspace

Good (verify-full, the cluster CA, a client certificate for the user):
${samples
  .filter((s) => s.good)
  .map((s) => `- \`${s.file}\` ${s.name}`)
  .join('\n')}

Bad, on purpose:
${bad.map((s) => `- \`${s.file}\` ${s.name}: ${s.problem}`).join('\n')}

BAD: ${of('README.md')[1].problem}

\`\`\`sh
psql "${get('README.md', 'quickstart')}"
\`\`\`
`,
  );
  return samples;
}
