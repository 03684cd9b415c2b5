/**
 * A FIFO, /dev/zero, /dev/urandom or an oversized file given as any input file: every command
 * answers at once with one line naming the file (or, for cert list and lint, an entry error or
 * a finding), instead of blocking until it is killed or reading without end.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readdirSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { closedPort } from '../support/pgstub';
import { join } from 'node:path';
import { CLI, RunResult, cliForAnyUser, run } from '../support/exec';
import { CertsFixture, makeCertsDir } from '../support/certs';
import { tmpDir } from '../support/tmp';

/** Far above the CLI's usual 0.2 s, far below "until it is killed". */
const TIMEOUT_MS = 8000;
/** To run the same cases against another build (e.g. the code before this fix). */
const CLI_UNDER_TEST = process.env.CRDB_TLS_CLI ?? CLI;
const INTERNAL = /unexpected error|TypeError|RangeError|Cannot read propert|is not a function|\bERR_[A-Z][A-Z_]{2,}\b|\n\s+at .+:\d+:\d+\)?/;

let shared: string | undefined;
/** The CLI copied where nobody may run it (made on first use). */
const anyUserCli = () => (shared ??= cliForAnyUser(CLI_UNDER_TEST));

function cli(args: string[], o: { cwd?: string; asUser?: number } = {}): RunResult {
  if (o.asUser !== undefined) {
    return run('setpriv', [`--reuid=${o.asUser}`, `--regid=${o.asUser}`, '--clear-groups', process.execPath, anyUserCli(), ...args], {
      cwd: o.cwd ?? '/',
      timeoutMs: TIMEOUT_MS,
    });
  }
  return run(process.execPath, [CLI_UNDER_TEST, ...args], { cwd: o.cwd, timeoutMs: TIMEOUT_MS });
}

/** The contract of a refused input: no hang, the exit code, at most one stderr line, no internal error text, the text that names the problem. */
function check(r: RunResult, exit: number, mentions: (string | RegExp)[]): void {
  const out = `${r.stdout}\n${r.stderr}`;
  assert.ok(!r.timedOut, `killed after ${TIMEOUT_MS} ms (a hang); stdout: ${r.stdout.slice(0, 200)}`);
  assert.doesNotMatch(out, INTERNAL);
  const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
  assert.ok(lines.length <= 1, `more than one stderr line:\n${r.stderr}`);
  assert.equal(r.status, exit, `exit ${r.status}: ${r.stderr || r.stdout.slice(0, 400)}`);
  for (const m of mentions) {
    if (typeof m === 'string') assert.ok(out.includes(m), `${JSON.stringify(m)} not in:\n${out.slice(0, 1000)}`);
    else assert.match(out, m);
  }
}

function mkfifo(path: string): void {
  const r = spawnSync('mkfifo', [path], { encoding: 'utf8' });
  assert.equal(r.status, 0, `mkfifo ${path}: ${r.stderr}`);
}

interface Special {
  label: string;
  path: string;
  /** How the refusal describes it. */
  kind: RegExp;
}

describe('special and oversized files as input (dist/cli.js)', function () {
  this.timeout(60_000);
  let fx: CertsFixture;
  let dir: string;
  let port: number;
  const specials: Special[] = [];
  const url = (params: string) => `postgresql://root@127.0.0.1:${port}/defaultdb?sslmode=verify-full&${params}`;

  before(async () => {
    fx = await makeCertsDir();
    dir = join(fx.root, 'special');
    mkdirSync(dir);
    port = await closedPort();
    const fifo = join(dir, 'pipe.pem');
    mkfifo(fifo);
    const big = join(dir, 'big.pem');
    writeFileSync(big, Buffer.alloc(2 * 1024 * 1024, 'A'));
    specials.push(
      { label: 'a FIFO', path: fifo, kind: /is a FIFO \(named pipe\), not a regular file/ },
      { label: '/dev/zero', path: '/dev/zero', kind: /is a character device, not a regular file/ },
      { label: '/dev/urandom', path: '/dev/urandom', kind: /is a character device, not a regular file/ },
      { label: 'a 2 MiB file', path: big, kind: /is 2 MiB, larger than the 1 MiB limit/ },
    );
  });

  // mocha registers the cases before `before` runs: describe them by label, look the file up at run time.
  for (const label of ['a FIFO', '/dev/zero', '/dev/urandom', 'a 2 MiB file']) {
    const f = () => specials.find((s) => s.label === label) as Special;
    describe(label, () => {
      it('inspect FILE', () => {
        check(cli(['inspect', f().path]), 1, [f().path, f().kind]);
      });

      it('inspect CERT --key FILE, and inspect KEY --cert FILE', () => {
        check(cli(['inspect', join(fx.certsDir, 'node.crt'), '--key', f().path]), 1, [`key file ${f().path}`, f().kind]);
        check(cli(['inspect', join(fx.certsDir, 'node.key'), '--cert', f().path]), 1, [`certificate file ${f().path}`, f().kind]);
      });

      it('probe HOST:PORT --ca-file FILE: refused before connecting', () => {
        check(cli(['probe', `127.0.0.1:${port}`, '--ca-file', f().path]), 1, [`CA file ${f().path}`, f().kind]);
      });

      it('verify CERT --ca-file FILE, and verify FILE', () => {
        check(cli(['verify', '--ca-file', f().path, join(fx.certsDir, 'node.crt')]), 1, [`CA file ${f().path}`, f().kind]);
        check(cli(['verify', '--ca-file', join(fx.certsDir, 'ca.crt'), f().path]), 1, [`certificate file ${f().path}`, f().kind]);
      });

      it('cert create-node --ca-key FILE: refused, nothing written', () => {
        const certs = join(fx.root, `onlyca-${label.replace(/\W+/g, '-')}`);
        mkdirSync(certs);
        copyFileSync(join(fx.certsDir, 'ca.crt'), join(certs, 'ca.crt'));
        check(cli(['cert', 'create-node', 'localhost', '--certs-dir', certs, '--ca-key', f().path]), 1, [f().path, f().kind]);
        assert.deepEqual(readdirSync(certs), ['ca.crt']);
      });

      it('test-connection with sslrootcert=FILE, and with sslkey=FILE: fails on the file, before connecting', () => {
        check(cli(['test-connection', url(`sslrootcert=${f().path}`)]), 1, [`sslrootcert file ${f().path} cannot be read`, f().kind]);
        const ca = join(fx.certsDir, 'ca.crt');
        const cert = join(fx.certsDir, 'client.root.crt');
        check(cli(['test-connection', url(`sslrootcert=${ca}&sslcert=${cert}&sslkey=${f().path}`)]), 1, [`sslkey file ${f().path} cannot be read`, f().kind]);
      });

      it('changefeed-uri --ca-cert FILE, and --client-key FILE', () => {
        check(cli(['changefeed-uri', '--sink', 'kafka://broker:9092', '--ca-cert', f().path]), 1, [`cannot read ${f().path} for ca_cert`, f().kind]);
        check(cli(['changefeed-uri', '--sink', 'kafka://broker:9092', '--client-cert', join(fx.certsDir, 'client.root.crt'), '--client-key', f().path]), 1, [
          `cannot read ${f().path} for client_key`,
          f().kind,
        ]);
      });

      it('lint FILE', () => {
        // A 2 MiB text is within lint's 16 MiB cap: it is linted (no connection strings, exit 0).
        if (label === 'a 2 MiB file') check(cli(['lint', f().path]), 0, ['in 1 file']);
        else check(cli(['lint', f().path]), 1, [`cannot read ${f().path}`, f().kind]);
      });
    });
  }

  it('lint FILE larger than 16 MiB: one line saying the limit', () => {
    const huge = join(dir, 'huge.env');
    writeFileSync(huge, '');
    truncateSync(huge, 17 * 1024 * 1024);
    check(cli(['lint', huge]), 1, [`cannot read ${huge}`, /larger than the 16 MiB limit/]);
  });

  it('lint of a connection string whose sslrootcert is /dev/zero and sslkey a FIFO: file-unreadable findings naming each file', () => {
    const app = join(fx.root, 'app');
    mkdirSync(app);
    const fifo = join(app, 'client.root.key');
    mkfifo(fifo);
    const env = join(app, '.env');
    writeFileSync(
      env,
      `DATABASE_URL=postgresql://root@localhost:26257/db?sslmode=verify-full&sslrootcert=/dev/zero&sslcert=${join(fx.certsDir, 'client.root.crt')}&sslkey=./client.root.key\n`,
    );
    const r = cli(['lint', '--json', env]);
    check(r, 1, []);
    const found = JSON.parse(r.stdout) as { code: string; message: string }[];
    const unreadable = found.filter((x) => x.code === 'file-unreadable').map((x) => x.message);
    assert.ok(
      unreadable.some((m) => m.includes('sslrootcert file /dev/zero cannot be read (is a character device, not a regular file)')),
      unreadable.join('\n'),
    );
    assert.ok(
      unreadable.some((m) => m.includes(`sslkey file ${fifo} cannot be read (is a FIFO (named pipe), not a regular file)`)),
      unreadable.join('\n'),
    );
  });

  it('cert list of a certs dir with a FIFO named ca.crt and /dev/zero linked as node.crt: entry errors, the other files listed', () => {
    const certs = join(fx.root, 'odd-certs');
    mkdirSync(certs);
    mkfifo(join(certs, 'ca.crt'));
    symlinkSync('/dev/zero', join(certs, 'node.crt'));
    copyFileSync(join(fx.certsDir, 'node.key'), join(certs, 'node.key'));
    for (const n of ['client.root.crt', 'client.root.key']) copyFileSync(join(fx.certsDir, n), join(certs, n));
    chmodSync(join(certs, 'client.root.key'), 0o600);
    chmodSync(join(certs, 'node.key'), 0o600);

    const j = cli(['cert', 'list', '--certs-dir', certs, '--json']);
    check(j, 0, []);
    const entries = JSON.parse(j.stdout) as { certFile: string; errors: string[]; notAfter: string | null }[];
    const by = (n: string) => entries.find((e) => e.certFile === n);
    assert.match(by('ca.crt')?.errors.join(' ') ?? '', new RegExp(`certificate file ${join(certs, 'ca.crt')} is a FIFO \\(named pipe\\), not a regular file`));
    assert.match(by('node.crt')?.errors.join(' ') ?? '', new RegExp(`certificate file ${join(certs, 'node.crt')} is a character device, not a regular file`));
    assert.ok(by('client.root.crt')?.notAfter, 'the regular client certificate is still read');

    check(cli(['cert', 'list', '--certs-dir', certs]), 0, [
      'ca.crt is a FIFO (named pipe), not a regular file',
      'node.crt is a character device, not a regular file',
    ]);
  });

  it('changefeed-uri with a 50 MB CA file: a quick one-line error with the limit', () => {
    const ca = join(dir, 'fifty.pem');
    writeFileSync(ca, Buffer.alloc(50 * 1000 * 1000, 'A'));
    const t0 = Date.now();
    const r = cli(['changefeed-uri', '--sink', 'kafka://broker:9092', '--ca-cert', ca]);
    check(r, 1, [`cannot read ${ca} for ca_cert`, /larger than the 1 MiB limit/]);
    assert.ok(Date.now() - t0 < 5000, `took ${Date.now() - t0} ms`);
  });

  describe('a certs dir this user cannot read', () => {
    // As root every permission check passes, so root runs these as nobody (setpriv); anyone else as themselves.
    const asUser = process.getuid?.() === 0 ? 65534 : undefined;
    let root: string;
    let locked: string;

    before(() => {
      root = tmpDir('crdb-tls-locked-');
      chmodSync(root, 0o755);
      locked = join(root, 'certs');
      mkdirSync(locked);
      copyFileSync(join(fx.certsDir, 'ca.crt'), join(locked, 'ca.crt'));
      chmodSync(join(locked, 'ca.crt'), 0o644);
      chmodSync(locked, 0o000);
      writeFileSync(join(root, 'app.env'), `DATABASE_URL=postgresql://root@localhost:26257/db?sslmode=verify-full&sslrootcert=${join(locked, 'ca.crt')}\n`);
      chmodSync(join(root, 'app.env'), 0o644);
    });

    after(() => chmodSync(locked, 0o755));

    it('cert list says it cannot be read, not that it does not exist', () => {
      const r = cli(['cert', 'list', '--certs-dir', locked], { asUser });
      check(r, 1, [`certs directory ${locked} cannot be read (permission denied, EACCES)`]);
      assert.doesNotMatch(r.stderr, /does not exist/);
    });

    it('lint of a string whose sslrootcert is inside it: file-unreadable (permission denied), not file-missing', () => {
      const r = cli(['lint', join(root, 'app.env')], { asUser });
      check(r, 1, [`error file-unreadable sslrootcert file ${join(locked, 'ca.crt')} cannot be read (permission denied (EACCES))`]);
      assert.doesNotMatch(r.stdout, /file-missing/);
    });
  });
});
