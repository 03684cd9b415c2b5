/**
 * libpq's key-mode rule, against psql itself: a client key of mode 0600, 0640 or 0644, owned by
 * root or by nobody, used by psql running as root and (setpriv) as nobody against a PostgreSQL
 * with certificate authentication. crdb-tls lint, inspect and test-connection, run as the same
 * user, must give psql's verdict: it connects, refuses the mode before connecting ("has group or
 * world access"), or cannot read the key at all.
 */
import { strict as assert } from 'node:assert';
import { chmodSync, chownSync, copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CertsFixture, makeCertsDir } from '../support/certs';
import { CLI, RunResult, cliForAnyUser, run } from '../support/exec';
import { PgServer } from '../support/postgres';
import { tmpDir } from '../support/tmp';

const ROOT = 0;
const NOBODY = 65534;
const IS_ROOT = process.geteuid?.() === 0;
const TIMEOUT_MS = 30_000;
/** To run the same cases against another build (e.g. the code before this fix). */
/** A copy anyone can run: the cases run it as nobody too. */
const CLI_UNDER_TEST = cliForAnyUser(process.env.CRDB_TLS_CLI ?? CLI);

type Verdict = 'connects' | 'mode refused' | 'unreadable';

/** Runs `cmd` as `uid` (setpriv for anyone but root; its group is its uid's, no supplementary groups), in a clean environment. */
function as(uid: number, home: string, cmd: string, args: string[]): RunResult {
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, PGCONNECT_TIMEOUT: '15', LC_ALL: 'C' };
  if (uid === ROOT) return run(cmd, args, { env, cwd: '/', timeoutMs: TIMEOUT_MS });
  return run('setpriv', [`--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', cmd, ...args], { env, cwd: '/', timeoutMs: TIMEOUT_MS });
}

function psqlVerdict(r: RunResult): Verdict {
  if (r.status === 0 && r.stdout.trim() === 'alice') return 'connects';
  if (/private key file ".*" has group or world access/.test(r.stderr)) return 'mode refused';
  // libpq 15 prints OpenSSL's reason for an unreadable file as garbage bytes: the start of the line is what counts.
  if (/could not load private key file "/.test(r.stderr)) return 'unreadable';
  assert.fail(`psql gave neither a connection nor a key refusal (exit ${r.status}): ${r.stderr}`);
}

function lintVerdict(r: RunResult): Verdict {
  const codes = (JSON.parse(r.stdout) as { code: string; message: string }[]).filter(
    (f) => f.message.includes('sslkey') || f.message.includes('key file') || f.code.startsWith('key-') || f.code.startsWith('file-'),
  );
  const c = codes.map((f) => f.code);
  if (c.includes('key-permissions')) return 'mode refused';
  if (c.includes('file-unreadable')) return 'unreadable';
  assert.deepEqual(c, [], `lint: ${r.stdout}`);
  return 'connects';
}

function inspectVerdict(r: RunResult): Verdict {
  if (r.status !== 0 && /cannot read (key )?file .*\(EACCES\)/.test(r.stderr)) return 'unreadable';
  const k = JSON.parse(r.stdout) as { libpqPermissions?: { ok: boolean; reason?: string } };
  assert.ok(k.libpqPermissions, r.stdout);
  return k.libpqPermissions.ok ? 'connects' : 'mode refused';
}

function testConnectionVerdict(r: RunResult): Verdict {
  const t = JSON.parse(r.stdout) as { category: string; cause: string };
  if (t.category === 'ok') return 'connects';
  if (t.category === 'key-permissions') return 'mode refused';
  if (/sslkey file .* cannot be read \(.*EACCES/.test(t.cause)) return 'unreadable';
  assert.fail(`test-connection: ${r.stdout}`);
}

// chown to nobody and setpriv need root: the rows are registered only as root (CI runs as root), never skipped.
(IS_ROOT ? describe : () => undefined)("libpq key modes: lint, inspect and test-connection give psql's verdict", function () {
  this.timeout(180_000);
  let fx: CertsFixture;
  let server: PgServer | undefined;
  let dir: string;

  before(async function () {
    fx = await makeCertsDir({ users: ['alice'] });
    server = new PgServer({ certsDir: fx.certsDir });
    await server.start();
    await server.createRole('alice');
    // A folder every user may enter, holding the CA and the client certificate (0644).
    dir = tmpDir('crdb-tls-keymode-');
    chmodSync(dir, 0o755);
    for (const f of ['ca.crt', 'client.alice.crt']) {
      copyFileSync(join(fx.certsDir, f), join(dir, f));
      chmodSync(join(dir, f), 0o644);
    }
  });

  after(async function () {
    await server?.stop();
  });

  const cases: { runner: number; owner: number; mode: number }[] = [];
  for (const runner of [ROOT, NOBODY]) for (const owner of [ROOT, NOBODY]) for (const mode of [0o600, 0o640, 0o644]) cases.push({ runner, owner, mode });
  const who = (uid: number) => (uid === ROOT ? 'root' : 'nobody');

  /** A key for case `c` (its own copy, owner and mode), a home for the runner and the URL that names the key. */
  function prepare(c: (typeof cases)[number], tag: string): { key: string; home: string; url: string } {
    assert.ok(server);
    const key = join(dir, `client.alice.${tag}.key`);
    copyFileSync(join(fx.certsDir, 'client.alice.key'), key);
    chownSync(key, c.owner, c.owner);
    chmodSync(key, c.mode);
    const home = join(dir, `home-${tag}`);
    mkdirSync(home, { mode: 0o700 });
    chownSync(home, c.runner, c.runner);
    const url = `postgresql://alice@localhost:${server.port}/postgres?sslmode=verify-full&sslrootcert=${join(dir, 'ca.crt')}&sslcert=${join(dir, 'client.alice.crt')}&sslkey=${key}`;
    return { key, home, url };
  }
  const tagOf = (c: (typeof cases)[number]) => `${who(c.runner)}-${who(c.owner)}-${c.mode.toString(8)}`;
  const psqlFor = (c: (typeof cases)[number], p: { home: string; url: string }) =>
    psqlVerdict(as(c.runner, p.home, 'psql', [p.url, '-X', '-A', '-t', '-c', 'select current_user']));
  const nameOf = (c: (typeof cases)[number]) => `as ${who(c.runner)}: key 0${c.mode.toString(8)} owned by ${who(c.owner)}`;

  for (const c of cases) {
    it(nameOf(c), function () {
      const p = prepare(c, tagOf(c));
      const env = join(p.home, 'conn.env');
      writeFileSync(env, `DATABASE_URL=${p.url}\n`);
      chownSync(env, c.runner, c.runner);

      const psql = psqlFor(c, p);
      const lint = lintVerdict(as(c.runner, p.home, process.execPath, [CLI_UNDER_TEST, 'lint', '--json', env]));
      const inspect = inspectVerdict(
        as(c.runner, p.home, process.execPath, [CLI_UNDER_TEST, 'inspect', p.key, '--cert', join(dir, 'client.alice.crt'), '--json']),
      );
      const test = testConnectionVerdict(as(c.runner, p.home, process.execPath, [CLI_UNDER_TEST, 'test-connection', p.url, '--json', '--timeout', '20s']));
      assert.deepEqual({ lint, inspect, 'test-connection': test }, { lint: psql, inspect: psql, 'test-connection': psql }, `psql: ${psql}`);
    });
  }

  it("psql's verdicts are the rule in the facts file: by owner, root ≤ 0640, anyone else ≤ 0600; the client's uid only decides whether it can read the key", function () {
    // Its own keys and psql runs: this test passes alone (mocha --grep), whatever ran before it.
    const seen = new Map(cases.map((c) => [nameOf(c), psqlFor(c, prepare(c, `summary-${tagOf(c)}`))] as const));
    const expected: Record<string, Verdict> = {
      'as root: key 0600 owned by root': 'connects',
      'as root: key 0640 owned by root': 'connects',
      'as root: key 0644 owned by root': 'mode refused',
      'as root: key 0600 owned by nobody': 'connects',
      'as root: key 0640 owned by nobody': 'mode refused',
      'as root: key 0644 owned by nobody': 'mode refused',
      'as nobody: key 0600 owned by root': 'unreadable',
      'as nobody: key 0640 owned by root': 'unreadable',
      'as nobody: key 0644 owned by root': 'mode refused',
      'as nobody: key 0600 owned by nobody': 'connects',
      'as nobody: key 0640 owned by nobody': 'mode refused',
      'as nobody: key 0644 owned by nobody': 'mode refused',
    };
    assert.deepEqual(Object.fromEntries(seen), expected);
  });
});
