/**
 * The rules behind every flag and argument, where they live: the argument parser (cli/args),
 * quoting of inputs (core/errors), ports (core/cockroach/ports, probe's HOST:PORT, a connection
 * string given as a target), key sizes and damaged keys (core/pki/keys), unknown sink parameters.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from '../../src/cli/args';
import { createCa, createNode } from '../../src/core/certsdir/create';
import { checkReloadTargets, planRotateNode, reloadServer } from '../../src/core/certsdir/rotate';
import { buildChangefeed } from '../../src/core/changefeed/build';
import { splitUri } from '../../src/core/changefeed/uri';
import { parsePort, portProblem } from '../../src/core/cockroach/ports';
import { keyValuePairs, targetPort } from '../../src/core/connstr/target';
import { findConnStrings } from '../../src/core/connstr/find';
import { UserError, quoteInput, safeMessage } from '../../src/core/errors';
import { MAX_KEY_SIZE, assertKeySigns, parseKeySize, parsePrivateKey, validateKeySize } from '../../src/core/pki/keys';
import { explain } from '../../src/core/tls/explain';
import { parseHostPort } from '../../src/core/cockroach/ports';
import { makeCertsDir } from '../support/certs';
import { hashTree, tmpDir } from '../support/tmp';

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
const KEY_PEM = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
const KEY_BODY = KEY_PEM.split('\n')[3];

const userError = (re: RegExp) => (e: unknown) => e instanceof UserError && re.test(e.message) && !e.message.includes('\n');

describe('parseArgs: every flag value checked, for every command', () => {
  const spec = { values: ['lifetime', 'backup-dir', 'verify'], bools: ['json'], lists: ['table'] };

  it('refuses an empty value, naming the flag', () => {
    for (const argv of [['--lifetime='], ['--backup-dir='], ['--verify', ''], ['--verify', '  '], ['--table=']]) {
      assert.throws(
        () => parseArgs(argv, spec, 'cmd'),
        userError(/^cmd: --(lifetime|backup-dir|verify|table) is empty: give it a value, or leave the flag out/),
        argv.join(' '),
      );
    }
  });

  it('names a single-dash flag as an unknown flag, not an extra argument', () => {
    assert.throws(
      () => parseArgs(['-x'], spec, 'cmd'),
      userError(/^cmd: unknown flag -x: flags are long ones, such as --help; known flags: --lifetime, --backup-dir, --verify, --table, --json\.$/),
    );
  });

  it('a flag followed by another flag has no value', () => {
    assert.throws(() => parseArgs(['--verify', '--json'], spec, 'cmd'), userError(/^cmd: --verify needs a value/));
    assert.throws(() => parseArgs(['--verify'], spec, 'cmd'), userError(/^cmd: --verify needs a value/));
  });

  it('echoes at most a short prefix of an unknown flag, and never a pasted key', () => {
    const long = `--${'a'.repeat(10_000)}`;
    assert.throws(
      () => parseArgs([long], spec, 'cmd'),
      (e: Error) => e.message.length < 300 && /unknown flag "--a{38}…" \(10002 characters\)/.test(e.message),
    );
    assert.throws(
      () => parseArgs([KEY_PEM], spec, 'cmd'),
      (e: Error) => /unknown flag <a PEM private key, not shown>/.test(e.message) && !e.message.includes(KEY_BODY.slice(0, 20)),
    );
    assert.throws(() => parseArgs(['--json=maybe'], spec, 'cmd'), userError(/--json takes true or false, not "maybe"/));
  });

  it('dashIsText (explain): text starting with "-" is text; the own flags are still flags', () => {
    const a = parseArgs([KEY_PEM, '--- FATAL', '-x', '--json'], { values: [], bools: ['json'], dashIsText: true }, 'explain');
    assert.deepEqual(a.positionals, [KEY_PEM, '--- FATAL', '-x']);
    assert.equal(a.bools.json, true);
  });

  it('list flags keep every value in order', () => {
    const a = parseArgs(['--table', 'a', '--table=b', '--verify', 'h:1'], spec, 'cmd');
    assert.deepEqual(a.lists.table, ['a', 'b']);
    assert.equal(a.values.verify, 'h:1');
  });
});

describe('quoting user input in messages', () => {
  it('quoteInput: JSON-quoted, cut at 40 characters with the length, no key', () => {
    assert.equal(quoteInput('abc'), '"abc"');
    assert.equal(quoteInput('a\nb'), '"a\\nb"');
    assert.equal(quoteInput('x'.repeat(41)), `"${'x'.repeat(40)}…" (41 characters)`);
    assert.equal(quoteInput(KEY_PEM), '<a PEM private key, not shown>');
    assert.equal(quoteInput(KEY_PEM.replace(/-----/g, '')), '<a PEM private key, not shown>');
  });

  it('safeMessage: the last guard drops key blocks, folds lines, caps the length', () => {
    const m = safeMessage(`bad ${KEY_PEM} here\nand ${'y'.repeat(5000)}`);
    assert.ok(!m.includes(KEY_BODY.slice(0, 20)) && !m.includes('\n') && m.length < 2100, m.slice(0, 200));
    assert.match(m, /^bad <a PEM private key, not shown> here and y+… \(message cut at 2000 of \d+ characters\)$/);
  });

  it('explain: a pasted key is recognised as a key and not shown', () => {
    const r = explain(KEY_PEM);
    assert.equal(r.category, 'other');
    assert.match(r.cause, /the text holds a private key, not an error message \(it is not shown\)/);
    assert.ok(!JSON.stringify(r).includes(KEY_BODY.slice(0, 20)));
    assert.ok(explain(`x ${'z'.repeat(5000)}`).cause.length < 300);
  });
});

describe('ports: one rule (digits, 1-65535), used by probe, --verify, connection strings and sinks', () => {
  it('portProblem / parsePort', () => {
    assert.equal(portProblem('26257'), undefined);
    assert.equal(portProblem('1'), undefined);
    assert.equal(portProblem('65535'), undefined);
    for (const [p, why] of [
      ['0', 'outside'],
      ['65536', 'outside'],
      ['99999999999999999999', 'outside'],
      ['-1', 'not a number'],
      ['abc', 'not a number'],
      ['1e3', 'not a number'],
      [' 1', 'not a number'],
      ['', 'empty'],
    ]) {
      assert.match(portProblem(p) ?? '', new RegExp(why), p);
    }
    assert.throws(
      () => parsePort('abc', 'in --verify "h:abc"'),
      userError(/^port "abc" in --verify "h:abc" is not a port number \(it is not a number\): use 1-65535, e\.g\. 26257\.$/),
    );
  });

  it('parseHostPort names the flag it was given with', () => {
    assert.deepEqual(parseHostPort('h:1', 26257, '--verify'), { host: 'h', port: 1 });
    for (const t of ['h:0', 'h:65536', 'h:abc', 'h:-1', 'h:', '[::1]:x'])
      assert.throws(() => parseHostPort(t, 26257, '--verify'), userError(/^port .* in --verify .* is not a port number/), t);
    assert.throws(() => parseHostPort(':1', 26257, '--verify'), userError(/^--verify ":1" names no host/));
  });

  it('a connection string given as a target: ports checked, libpq key=value rules', () => {
    const port = (s: string) => targetPort(s, findConnStrings(s)[0]);
    assert.equal(port('postgresql://u@h:5433/db'), 5433);
    assert.equal(port('postgresql://u@h/db'), undefined);
    assert.equal(port('postgresql://u@[::1]:5/db'), 5);
    assert.equal(port('postgresql://a:1,b:2/db'), 1);
    assert.equal(port('host=h port=26258'), 26258);
    assert.equal(port('host=a,b port=1,2'), 1);
    for (const s of [
      'postgresql://h:65536/',
      'postgresql://127.0.0.1:abc/',
      'postgresql://127.0.0.1:-1/',
      'postgresql://h:/db',
      'postgresql://h/db?port=x',
      'jdbc:postgresql://h:0/db',
      'host=h port=abc',
      'host=h port=',
      "host=h port=''",
      'host=h port=65536',
      'host=a,b port=1,x',
    ]) {
      assert.throws(() => port(s), userError(/^port .* in the connection string .* is not a port number \(.*\): use 1-65535/), s);
    }
    assert.throws(() => targetPort('host=localhost port'), userError(/^missing "=" after "port" in the connection string: write key=value pairs/));
    assert.throws(() => targetPort("host='x"), userError(/^unterminated quoted string in the connection string/));
    assert.deepEqual(keyValuePairs("host = h  sslrootcert='my certs/ca.crt' password=a\\ b"), [
      { key: 'host', value: 'h' },
      { key: 'sslrootcert', value: 'my certs/ca.crt' },
      { key: 'password', value: 'a b' },
    ]);
  });

  it('sink URIs follow the same rule', () => {
    assert.equal(splitUri('kafka://b:9093')?.hosts[0].port, 9093);
    for (const p of ['0', '65536', 'abc', '-1']) assert.equal(splitUri(`kafka://b:${p}`)?.hosts[0].badPort, p);
  });
});

describe('key sizes and damaged keys', () => {
  it('--key-size: 1024 to 8192, and why', () => {
    assert.equal(MAX_KEY_SIZE, 8192);
    assert.equal(validateKeySize(8192), 8192);
    assert.throws(
      () => validateKeySize(16384),
      userError(/^--key-size 16384 is not supported: use a number of bits from 1024 to 8192 \(default 2048; larger RSA keys take minutes to generate/),
    );
    assert.throws(() => parseKeySize('99999999999999999999'), userError(/--key-size "99999999999999999999" is not supported/));
    for (const s of ['abc', '-1', '1e4', '', '2048.0']) assert.throws(() => parseKeySize(s), userError(/--key-size .* is not a number of bits/), s);
  });

  it('assertKeySigns accepts a good key and refuses damaged ones: numbers that disagree, or any flipped byte', () => {
    assertKeySigns(privateKey, 'CA key k');
    const jwk = privateKey.export({ format: 'jwk' });
    const bump = (b64: string) => {
      const b = Buffer.from(b64, 'base64url');
      b[b.length - 1] ^= 2;
      return b.toString('base64url');
    };
    for (const field of ['d', 'dp', 'dq', 'qi', 'p'] as const) {
      const damaged = createPrivateKey({ key: { ...jwk, [field]: bump(jwk[field] as string) }, format: 'jwk' });
      assert.throws(() => assertKeySigns(damaged, 'CA key k'), userError(/^CA key k is a damaged private key: its numbers do not belong together/), field);
    }
    const both = createPrivateKey({ key: { ...jwk, d: bump(jwk.d as string), dp: bump(jwk.dp as string) }, format: 'jwk' });
    assert.throws(() => assertKeySigns(both, 'CA key k'), UserError);
    // Seeded byte flips in the DER, as the fuzz run made them: each is refused with a UserError (never signs, never a raw OpenSSL error).
    const der = privateKey.export({ type: 'pkcs1', format: 'der' });
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let i = 0; i < 60; i++) {
      const d = Buffer.from(der);
      for (let j = 0; j < 3; j++) d[Math.floor(rand() * d.length)] ^= 1 << Math.floor(rand() * 8);
      if (d.equals(der)) continue;
      const pem = `-----BEGIN RSA PRIVATE KEY-----\n${d.toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END RSA PRIVATE KEY-----\n`;
      assert.throws(
        () => assertKeySigns(parsePrivateKey(pem, 'k.key'), 'CA key k.key'),
        (e: Error) => e instanceof UserError && !/error:[0-9A-F]{8}/.test(e.message),
        `flip set ${i}`,
      );
    }
  });
});

describe('changefeed: unknown sink parameters make one bounded message', () => {
  it('names the first five and counts the rest', () => {
    const params: [string, string][] = Array.from({ length: 10_000 }, (_, i) => [`x${i}`, '1']);
    const r = buildChangefeed({ sink: { type: 'kafka', host: 'b', port: 9093, params }, changefeed: { tables: [] }, now: new Date() });
    const unknown = r.errors.filter((e) => e.code === 'sink-param-unknown');
    assert.equal(unknown.length, 1);
    assert.equal(
      unknown[0].message,
      'unknown kafka sink query parameters x0, x1, x2, x3, x4 and 9995 more: CockroachDB refuses the changefeed; remove them or check the spelling.',
    );
  });
});

describe('issuing and rotating: lifetimes and folders checked before anything is written', () => {
  it('createCa / createNode refuse a lifetime outside 1h..878400h and change nothing', async () => {
    const root = tmpDir();
    await assert.rejects(createCa({ certsDir: join(root, 'c'), caKey: join(root, 'ca.key'), lifetimeMs: 1 }), userError(/^--lifetime 1ms is too short/));
    await assert.rejects(
      createCa({ certsDir: join(root, 'c'), caKey: join(root, 'ca.key'), lifetimeMs: 999_999_999_999 * 3_600_000 }),
      userError(/^--lifetime 999999999999h is too long/),
    );
    assert.deepEqual(readdirSync(root), []);
    const fx = await makeCertsDir({ users: [] });
    const before = hashTree(fx.root);
    await assert.rejects(createNode({ certsDir: fx.certsDir, caKey: fx.caKey, hosts: ['localhost'], overwrite: true, lifetimeMs: 1 }), userError(/too short/));
    assert.throws(() => planRotateNode({ certsDir: fx.certsDir, caKey: fx.caKey, lifetimeMs: 30 * 60_000 }), userError(/^--lifetime 30m is too short/));
    assert.equal(hashTree(fx.root), before);
  });

  it('createCa: a CA key folder that cannot be written leaves no new certs dir behind', async () => {
    const root = tmpDir();
    // /proc takes no new files, for root too: the write fails after every check passed.
    await assert.rejects(createCa({ certsDir: join(root, 'certs'), caKey: '/proc/crdb-tls-test-ca.key' }), userError(/\/proc\/crdb-tls-test-ca\.key/));
    assert.deepEqual(readdirSync(root), []);
    await assert.rejects(
      createCa({ certsDir: '/proc/crdb-tls-test-certs', caKey: join(root, 'ca.key') }),
      userError(/certs directory \/proc\/crdb-tls-test-certs/),
    );
    assert.deepEqual(readdirSync(root), []);
  });
});

/** Whether `pid` runs: a killed child whose parent (here, a container's init) has not reaped it yet is a zombie, not alive. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe('reload and verify targets', () => {
  it('checkReloadTargets: the pid must be a live process, the --verify host must parse and resolve', async () => {
    await checkReloadTargets({ pid: process.pid, verify: 'localhost:26257' });
    await assert.rejects(checkReloadTargets({ pid: 2 ** 40 }), userError(/^--reload-pid 1099511627776 is not a process id/));
    const dead = spawnSync('true').pid as number;
    await assert.rejects(checkReloadTargets({ pid: dead }), userError(new RegExp(`^--reload-pid ${dead}: no such process`)));
    for (const v of ['localhost:0', 'localhost:65536', 'localhost:abc'])
      await assert.rejects(checkReloadTargets({ verify: v }), userError(/in --verify .* is not a port number/), v);
    await assert.rejects(
      checkReloadTargets({ verify: 'garbage.invalid:26257' }),
      userError(/^--verify "garbage\.invalid:26257": the host "garbage\.invalid" does not resolve/),
    );
  });

  it('reloadServer: --reload-cmd is killed at its limit, with what it started', async function () {
    this.timeout(10_000);
    const pidFile = join(tmpDir(), 'pid');
    const t0 = Date.now();
    const r = await reloadServer({ command: `sleep 30 & echo $! > ${pidFile}; wait`, timeoutMs: 300 });
    assert.ok(Date.now() - t0 < 5000, `took ${Date.now() - t0} ms`);
    assert.equal(r.command?.timedOut, true);
    assert.equal(r.command?.exitCode, null);
    const sleeper = Number(readFileSync(pidFile, 'utf8'));
    await new Promise((res) => setTimeout(res, 100));
    assert.equal(alive(sleeper), false, "the command's child is gone too");
    const quick = await reloadServer({ command: 'echo done; exit 3', timeoutMs: 5000 });
    assert.deepEqual([quick.command?.exitCode, quick.command?.output, quick.command?.timedOut], [3, 'done', undefined]);
  });
});
