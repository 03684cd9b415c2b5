/**
 * Bad flag and argument values through the built CLI (dist/cli.js): each is refused before anything
 * is written, with exactly one stderr line that names the flag and the fix, no internal error text,
 * no key material, and every folder involved (certs dir, CA key folder, backups) byte for byte as
 * before. A reload or verify that fails after a correct write says so in one line with the rollback.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CertsFixture, makeCertsDir, cloneCertsDir } from '../support/certs';
import { RunResult, crdbTls } from '../support/exec';
import { hashTree, tmpDir } from '../support/tmp';

const INTERNAL = /unexpected error|TypeError|RangeError|Cannot read propert|ERR_[A-Z_]{3,}|TimeoutOverflowWarning|error:[0-9A-F]{8}|\n\s+at /;
/** A loopback port nothing listens on: a connection is refused at once. */
const CLOSED = '127.0.0.1:1';

const clone = cloneCertsDir;

/** Exit 1, nothing on stdout, exactly one stderr line matching `re`, no internal error text. */
function refused(r: RunResult, re: RegExp, what: string): string {
  assert.ok(!r.timedOut, `${what}: hung`);
  assert.doesNotMatch(r.stderr + r.stdout, INTERNAL, `${what}: ${r.stderr}`);
  assert.equal(r.status, 1, `${what}: exit ${r.status}: ${r.stderr}${r.stdout.slice(0, 500)}`);
  assert.equal(r.stdout, '', `${what}: stdout ${r.stdout.slice(0, 300)}`);
  const lines = r.stderr.split('\n');
  assert.equal(lines.length, 2, `${what}: not one line: ${r.stderr.slice(0, 500)}`);
  assert.equal(lines[1], '');
  assert.match(lines[0], /^crdb-tls: /, what);
  assert.match(lines[0], re, what);
  return lines[0];
}

/** A folder this process cannot create files in, root included (chattr +i; chmod for others); returns the undo. */
function readOnly(dir: string): () => void {
  if (process.getuid?.() !== 0) {
    chmodSync(dir, 0o500);
    return () => chmodSync(dir, 0o700);
  }
  const r = spawnSync('chattr', ['+i', dir], { encoding: 'utf8' });
  assert.equal(r.status, 0, `chattr +i ${dir}: ${r.stderr}`);
  return () => void spawnSync('chattr', ['-i', dir]);
}

describe('crdb-tls flags: every value checked before anything is written, one line naming the flag', function () {
  this.timeout(120_000);
  let fx: CertsFixture;
  let keyText: string;
  let deadPid: number;

  before(async () => {
    fx = await makeCertsDir({ users: ['root'] });
    keyText = readFileSync(fx.caKey, 'utf8');
    deadPid = spawnSync('true').pid as number;
  });

  const certs = () => ['--certs-dir', fx.certsDir, '--ca-key', fx.caKey];
  const url = 'postgresql://root@127.0.0.1:1/defaultdb?sslmode=disable';
  const sink = ['--sink', `kafka://${CLOSED}`];

  // [name, argv, the line it must print]. Every case runs against the fixture, whose root (certs dir,
  // safe/ca.key, certs.backups) must hash the same after.
  const cases: [string, () => string[], RegExp][] = [
    // Lifetimes: refused with the limits (1h .. 878400h), and nothing written.
    [
      'create-node --lifetime 999999999999h',
      () => ['cert', 'create-node', 'localhost', '--overwrite', ...certs(), '--lifetime', '999999999999h'],
      /--lifetime 999999999999h is too long: at most 878400h \(100 years\)/,
    ],
    [
      'create-ca (new dir) --lifetime 999999999999h',
      () => ['cert', 'create-ca', '--certs-dir', join(fx.root, 'new-certs'), '--ca-key', join(fx.root, 'new.key'), '--lifetime', '999999999999h'],
      /--lifetime 999999999999h is too long/,
    ],
    [
      'create-client --lifetime 1ms',
      () => ['cert', 'create-client', 'bob', ...certs(), '--lifetime', '1ms'],
      /--lifetime 1ms is too short: a certificate must be valid for at least 1h/,
    ],
    ['rotate-node --lifetime 1ms', () => ['cert', 'rotate-node', ...certs(), '--lifetime', '1ms'], /--lifetime 1ms is too short/],
    ['rotate-ca --lifetime 999999999999h', () => ['cert', 'rotate-ca', ...certs(), '--lifetime', '999999999999h'], /--lifetime 999999999999h is too long/],
    ['--lifetime 1e99', () => ['cert', 'create-node', 'localhost', '--overwrite', ...certs(), '--lifetime', '1e99'], /--lifetime "1e99" is not a duration/],
    // Time limits: at most 2^31-1 ms, at least 1 ms; never Node's TimeoutOverflowWarning.
    [
      'probe --timeout 99999999999h',
      () => ['probe', CLOSED, '--timeout', '99999999999h'],
      /--timeout "99999999999h" is too long: at most 596h31m23\.647s \(2\^31-1 ms/,
    ],
    ['probe --timeout 1ns', () => ['probe', CLOSED, '--timeout', '1ns'], /--timeout "1ns" is too short: at least 1ms/],
    ['test-connection --timeout 99999999999h', () => ['test-connection', url, '--timeout', '99999999999h'], /--timeout .* is too long/],
    ['test-connection --timeout 1e99', () => ['test-connection', url, '--timeout', '1e99'], /--timeout "1e99" is not a duration/],
    [
      'changefeed-uri --live-timeout 1e99',
      () => ['changefeed-uri', ...sink, '--check-live', '--live-timeout', '1e99'],
      /--live-timeout "1e99" is not a duration: use e\.g\. --live-timeout 5000 \(ms\) or 5s/,
    ],
    [
      'changefeed-uri --live-timeout 99999999999h',
      () => ['changefeed-uri', ...sink, '--check-live', '--live-timeout', '99999999999h'],
      /--live-timeout .* is too long/,
    ],
    [
      'changefeed-uri --live-timeout without --check-live',
      () => ['changefeed-uri', ...sink, '--live-timeout', '5s'],
      /--live-timeout is a limit of --check-live/,
    ],
    [
      'rotate-node --verify-timeout 99999999999h',
      () => ['cert', 'rotate-node', ...certs(), '--verify', CLOSED, '--verify-timeout', '99999999999h'],
      /--verify-timeout .* is too long/,
    ],
    [
      'rotate-node --verify-timeout 1ns',
      () => ['cert', 'rotate-node', ...certs(), '--verify', CLOSED, '--verify-timeout', '1ns'],
      /--verify-timeout "1ns" is too short: at least 1ms/,
    ],
    [
      'rotate-node --reload-timeout 0s',
      () => ['cert', 'rotate-node', ...certs(), '--reload-cmd', 'true', '--reload-timeout', '0s'],
      /--reload-timeout "0s" is not a duration/,
    ],
    [
      'rotate-node --reload-timeout without --reload-cmd',
      () => ['cert', 'rotate-node', ...certs(), '--reload-timeout', '5s'],
      /--reload-timeout is the limit of --reload-cmd/,
    ],
    // Reload and verify targets: checked before the rotation writes.
    [
      'rotate-node --verify garbage.invalid',
      () => ['cert', 'rotate-node', ...certs(), '--verify', 'garbage.invalid'],
      /--verify "garbage\.invalid": the host "garbage\.invalid" does not resolve \(.*\): pass the SQL address .*; nothing was changed/,
    ],
    [
      'rotate-node --verify localhost:0',
      () => ['cert', 'rotate-node', ...certs(), '--verify', 'localhost:0'],
      /port "0" in --verify "localhost:0" is not a port number \(it is outside 1-65535\): use 1-65535/,
    ],
    ['rotate-node --verify localhost:65536', () => ['cert', 'rotate-node', ...certs(), '--verify', 'localhost:65536'], /port "65536" in --verify/],
    [
      'rotate-node --verify localhost:abc',
      () => ['cert', 'rotate-node', ...certs(), '--verify', 'localhost:abc'],
      /port "abc" in --verify "localhost:abc" is not a port number \(it is not a number\)/,
    ],
    [
      'rotate-node --reload-pid 99999999999999999999',
      () => ['cert', 'rotate-node', ...certs(), '--reload-pid', '99999999999999999999'],
      /--reload-pid "99999999999999999999" is not a process id: pass the pid of the cockroach process/,
    ],
    [
      'rotate-node --reload-pid of no process',
      () => ['cert', 'rotate-node', ...certs(), '--reload-pid', String(deadPid)],
      /--reload-pid \d+: no such process: .*; nothing was changed/,
    ],
    [
      'rotate-node --dry-run --verify localhost:0 (a dry run checks the flags too)',
      () => ['cert', 'rotate-node', ...certs(), '--dry-run', '--verify', 'localhost:0'],
      /in --verify "localhost:0"/,
    ],
    // test-connection ports: one rule with probe's.
    [
      'test-connection URL port 65536',
      () => ['test-connection', 'postgresql://root@localhost:65536/defaultdb'],
      /port "65536" in the connection string \(host "localhost:65536"\) is not a port number \(it is outside 1-65535\)/,
    ],
    [
      'test-connection URL port abc',
      () => ['test-connection', 'postgresql://root@127.0.0.1:abc/defaultdb'],
      /port "abc" in the connection string \(host "127\.0\.0\.1:abc"\) is not a port number/,
    ],
    ['test-connection URL port -1', () => ['test-connection', 'postgresql://root@127.0.0.1:-1/defaultdb'], /port "-1" in the connection string/],
    [
      'test-connection key=value key without a value',
      () => ['test-connection', 'host=localhost port'],
      /missing "=" after "port" in the connection string: write key=value pairs/,
    ],
    ['test-connection port=abc', () => ['test-connection', 'host=localhost port=abc'], /port "abc" in the connection string \(port=abc\) is not a port number/],
    [
      'test-connection port=',
      () => ['test-connection', 'host=localhost port='],
      /port "" in the connection string \(port=\) is not a port number \(it is empty\)/,
    ],
    ['test-connection port=65536', () => ['test-connection', 'host=localhost port=65536'], /port "65536" in the connection string/],
    ['probe HOST:65536', () => ['probe', 'localhost:65536'], /port "65536" in "localhost:65536" is not a port number/],
    // Empty values, unknown single-dash flags.
    [
      '--lifetime=',
      () => ['cert', 'create-node', 'localhost', '--overwrite', ...certs(), '--lifetime='],
      /cert create-node: --lifetime is empty: give it a value, or leave the flag out/,
    ],
    ['--backup-dir=', () => ['cert', 'rotate-node', ...certs(), '--backup-dir='], /cert rotate-node: --backup-dir is empty/],
    ['--ca-file=', () => ['probe', CLOSED, '--ca-file='], /probe: --ca-file is empty/],
    ['--verify ""', () => ['cert', 'rotate-node', ...certs(), '--verify', ''], /cert rotate-node: --verify is empty/],
    ['--table=', () => ['changefeed-uri', ...sink, '--table='], /changefeed-uri: --table is empty/],
    ['--also-check=', () => ['cert', 'prune-ca', '--certs-dir', fx.certsDir, '--also-check='], /cert prune-ca: --also-check is empty/],
    ['-x', () => ['cert', 'create-node', 'localhost', ...certs(), '-x'], /cert create-node: unknown flag -x: flags are long ones/],
    ['-x to cert list', () => ['cert', 'list', '--certs-dir', fx.certsDir, '-x'], /cert list: unknown flag -x/],
    ['a flag given as a value', () => ['cert', 'create-node', 'localhost', '--certs-dir', '--ca-key', fx.caKey], /cert create-node: --certs-dir needs a value/],
    // Messages.
    [
      'changefeed-uri without --sink',
      () => ['changefeed-uri'],
      /changefeed-uri: --sink is required: pass --sink kafka:\/\/broker:9093, webhook-https:\/\/host:port\/path or https:\/\/registry:8081/,
    ],
    ['changefeed-uri with flags but no --sink', () => ['changefeed-uri', '--table', 't'], /--sink is required/],
    [
      '--key-size 16384',
      () => ['cert', 'create-client', 'bob', ...certs(), '--key-size', '16384'],
      /--key-size 16384 is not supported: use a number of bits from 1024 to 8192 \(default 2048; larger RSA keys take minutes to generate/,
    ],
    [
      '--key-size 99999999999999999999',
      () => ['cert', 'rotate-node', ...certs(), '--key-size', '99999999999999999999'],
      /--key-size "99999999999999999999" is not supported/,
    ],
  ];

  for (const [name, args, expected] of cases) {
    it(name, () => {
      const before = hashTree(fx.root);
      const t0 = Date.now();
      refused(crdbTls(args(), { timeoutMs: 30_000 }), expected, name);
      assert.ok(Date.now() - t0 < 15_000, `${name}: took ${Date.now() - t0} ms`);
      assert.equal(hashTree(fx.root), before, `${name}: files changed`);
      assert.ok(!existsSync(join(fx.root, 'new-certs')), `${name}: created a certs dir`);
    });
  }

  it('a pasted private key is never echoed: explain treats it as text, other commands as an unknown flag', () => {
    const body = keyText.split('\n')[2];
    const ex = crdbTls(['explain', keyText.replace(/\n/g, ' ')]);
    assert.equal(ex.status, 1, ex.stderr);
    assert.match(ex.stdout, /^Category: other\nCause: not recognised: the text holds a private key, not an error message \(it is not shown\)\./);
    const flag = crdbTls(['cert', 'list', '--certs-dir', fx.certsDir, keyText]);
    refused(flag, /cert list: unknown flag <a PEM private key, not shown>; known flags: --certs-dir, --json\./, 'key as a flag');
    const host = crdbTls(['cert', 'create-node', `x${keyText}`, ...certs(), '--overwrite']);
    refused(host, /Invalid host <a PEM private key, not shown> for a node certificate/, 'key as a host');
    const conn = crdbTls(['test-connection', `postgresql://root@${CLOSED}/db?sslmode=verify-full&sslkey=${encodeURIComponent(keyText)}`]);
    refused(
      conn,
      /"sslkey" in the connection string holds a private key, not a file path \(it is not shown\): save it to a file \(mode 0600\)/,
      'key as sslkey',
    );
    for (const r of [ex, flag, host, conn]) assert.ok(!(r.stdout + r.stderr).includes(body.slice(0, 24)), 'key material in the output');
  });

  it('text starting with "-" is text for explain', () => {
    const r = crdbTls(['explain', '-x', 'x509: certificate signed by unknown authority']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^Category: unknown-authority\n/);
  });

  it('explain on a text that names no single cause: the candidates, each with what tells it apart, in the text and in --json', () => {
    const text = 'psql: error: connection to server at "db" (10.0.0.5), port 26257 failed: SSL error: certificate verify failed';
    const r = crdbTls(['explain', text]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stdout,
      /^Category: ambiguous\nCause: the text alone cannot tell: .*\nCandidates: unknown-authority \(probe .*\); server-cert-expired \(.*\); server-cert-not-yet-valid \(.*\)\nFix: tell them apart with crdb-tls test-connection .*\nMatched: "certificate verify failed"/,
    );
    const j = crdbTls(['explain', text, '--json']);
    assert.equal(j.status, 0, j.stderr);
    const o = JSON.parse(j.stdout) as Record<string, unknown>;
    assert.deepEqual(Object.keys(o), ['category', 'cause', 'fix', 'candidates']);
    assert.deepEqual(o.candidates, ['unknown-authority', 'server-cert-expired', 'server-cert-not-yet-valid']);
    assert.doesNotMatch(String(o.fix), /point sslrootcert at the CA/, 'the fix picks no candidate');
    // A text with one cause: no candidates.
    assert.deepEqual(Object.keys(JSON.parse(crdbTls(['explain', 'x509: certificate signed by unknown authority', '--json']).stdout) as object), [
      'category',
      'cause',
      'fix',
    ]);
  });

  it('huge arguments are quoted in part: an unknown flag of 100,000 characters makes a short line', () => {
    const line = refused(
      crdbTls(['probe', CLOSED, `--${'a'.repeat(100_000)}`]),
      /probe: unknown flag "--a{38}…" \(100002 characters\); known flags:/,
      'long flag',
    );
    assert.ok(line.length < 300, `${line.length} characters`);
  });

  it('10,000 unknown sink parameters: one short line naming the first five and counting the rest', () => {
    const query = Array.from({ length: 10_000 }, (_, i) => `x${i}=1`).join('&');
    const line = refused(
      crdbTls(['changefeed-uri', '--sink', `kafka://b:9093?${query}`]),
      /unknown kafka sink query parameters x0, x1, x2, x3, x4 and 9995 more: CockroachDB refuses the changefeed/,
      '10k params',
    );
    assert.ok(line.length < 400, `${line.length} characters`);
  });
});

describe('crdb-tls cert create-ca: a failed command changes nothing, and says which folder and the fix', function () {
  this.timeout(60_000);

  it('a CA key folder that is not writable: refused before the certs dir is made', () => {
    const root = tmpDir();
    const safe = join(root, 'safe');
    mkdirSync(safe, { mode: 0o700 });
    const before = hashTree(root);
    const undo = readOnly(safe);
    try {
      refused(
        crdbTls(['cert', 'create-ca', '--certs-dir', join(root, 'certs'), '--ca-key', join(safe, 'ca.key')]),
        /the directory of CA key .*safe\/ca\.key is not writable by this user \(E[A-Z]+\): pass a --ca-key path in a folder you can write to .*; nothing was changed\.$/,
        'read-only key folder',
      );
    } finally {
      undo();
    }
    assert.equal(hashTree(root), before);
    assert.ok(!existsSync(join(root, 'certs')), 'the certs dir was left behind');
  });

  it('a write that fails after every check passed (/proc takes no files) removes the certs dir it made', () => {
    const root = tmpDir();
    refused(
      crdbTls(['cert', 'create-ca', '--certs-dir', join(root, 'certs'), '--ca-key', '/proc/crdb-tls-flags-test.key']),
      /\/proc\/crdb-tls-flags-test\.key/,
      '/proc key',
    );
    assert.ok(!existsSync(join(root, 'certs')), 'the certs dir was left behind');
  });

  it('a certs dir whose parent is not writable: a one-line error naming the dir, not EACCES from mkdir', () => {
    const root = tmpDir();
    const parent = join(root, 'parent');
    mkdirSync(parent);
    const before = hashTree(root);
    const undo = readOnly(parent);
    try {
      refused(
        crdbTls(['cert', 'create-ca', '--certs-dir', join(parent, 'certs'), '--ca-key', join(root, 'ca.key')]),
        /cannot create certs directory .*parent\/certs: its parent .*parent is not writable by this user \(E[A-Z]+\): create the directory yourself \(mkdir -m 700 .*\) or pass a --certs-dir you can write to; nothing was changed\.$/,
        'read-only parent',
      );
    } finally {
      undo();
    }
    assert.equal(hashTree(root), before);
  });

  it('--allow-ca-key-reuse with a damaged CA key: refused before signing, nothing written', async () => {
    const fx = await makeCertsDir({ users: [] });
    const jwk = createPrivateKey(readFileSync(fx.caKey)).export({ format: 'jwk' });
    const damaged = (field: 'd' | 'dp' | 'qi') => {
      const b = Buffer.from(jwk[field] as string, 'base64url');
      b[b.length - 1] ^= 4;
      return createPrivateKey({ key: { ...jwk, [field]: b.toString('base64url') }, format: 'jwk' })
        .export({ type: 'pkcs1', format: 'pem' })
        .toString();
    };
    for (const field of ['d', 'dp', 'qi'] as const) {
      const keyFile = join(fx.root, `damaged-${field}.key`);
      writeFileSync(keyFile, damaged(field), { mode: 0o600 });
      const before = hashTree(fx.root);
      refused(
        crdbTls(['cert', 'create-ca', '--certs-dir', join(fx.root, 'reuse'), '--ca-key', keyFile, '--allow-ca-key-reuse']),
        /damaged-\w+\.key is a damaged (RSA )?private key: its numbers do not belong together.*restore (the key|it) from a backup/,
        field,
      );
      assert.equal(hashTree(fx.root), before, field);
      // As the --ca-key of create-node it matches ca.crt's public key, but is refused as well.
      refused(
        crdbTls(['cert', 'create-node', 'localhost', '--overwrite', '--certs-dir', fx.certsDir, '--ca-key', keyFile]),
        /damaged-\w+\.key is a damaged (RSA )?private key/,
        `${field} (create-node)`,
      );
      assert.equal(hashTree(fx.root), before, `${field} (create-node)`);
    }
  });
});

describe('crdb-tls cert rotate-*: a reload or verify that fails after a correct write', function () {
  this.timeout(120_000);
  let fx: CertsFixture;
  before(async () => {
    fx = await makeCertsDir({ users: ['root'] });
  });

  it('says so in one line with the rollback command, and that command undoes the rotation', () => {
    const f = clone(fx);
    const state = () => hashTree(f.certsDir) + hashTree(join(f.root, 'safe'));
    const before = state();
    const r = crdbTls([
      'cert',
      'rotate-node',
      '--certs-dir',
      f.certsDir,
      '--ca-key',
      f.caKey,
      '--key-size',
      '1024',
      '--reload-cmd',
      'echo no such service; exit 3',
      '--verify',
      CLOSED,
      '--verify-timeout',
      '300ms',
    ]);
    assert.equal(r.status, 1, r.stderr);
    assert.doesNotMatch(r.stderr + r.stdout, INTERNAL);
    assert.match(r.stdout, /issued node certificate /);
    const lines = r.stderr.split('\n');
    assert.equal(lines.length, 2, r.stderr);
    const m =
      /^crdb-tls: rotate-node wrote the new files \(backup (\d{8}T\d{9}Z)\), but the reload command exited with 3 \("no such service"\); fix it and reload the server yourself; and 127\.0\.0\.1:1 does not serve the new node\.crt .*, or undo the rotation with: (crdb-tls cert rollback \1 --certs-dir \S+)\.$/.exec(
        lines[0],
      );
    assert.ok(m, lines[0]);
    assert.notEqual(state(), before);
    const args = m[2].split(' ').slice(1);
    const rb = crdbTls(args);
    assert.equal(rb.status, 0, rb.stderr);
    assert.equal(state(), before, 'the rollback command given restores the files');
  });

  it('--reload-cmd is killed at --reload-timeout, with what it started', () => {
    const f = clone(fx);
    const pidFile = join(f.root, 'sleep.pid');
    const t0 = Date.now();
    const r = crdbTls(
      [
        'cert',
        'rotate-node',
        '--certs-dir',
        f.certsDir,
        '--ca-key',
        f.caKey,
        '--key-size',
        '1024',
        '--reload-cmd',
        `sleep 60 & echo $! > ${pidFile}; wait`,
        '--reload-timeout',
        '500ms',
      ],
      { timeoutMs: 30_000 },
    );
    assert.ok(Date.now() - t0 < 10_000, `took ${Date.now() - t0} ms`);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /ran sleep 60 .*: killed after 500ms \(--reload-timeout\)/);
    assert.match(
      r.stderr,
      /^crdb-tls: rotate-node wrote the new files \(backup \S+\), but the reload command was killed after 500ms \(--reload-timeout\); check it, then reload the server yourself, or undo the rotation with: crdb-tls cert rollback \S+ --certs-dir \S+\.\n$/,
    );
    const sleeper = Number(readFileSync(pidFile, 'utf8'));
    let alive = true;
    try {
      process.kill(sleeper, 0);
      alive = !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${sleeper}/stat`, 'utf8')); // a zombie is dead, only not reaped
    } catch {
      alive = false;
    }
    assert.equal(alive, false, 'the sleep the command started still runs');
    assert.ok(!existsSync(join(f.certsDir, '.crdb-tls-rotate.lock')));
  });
});
