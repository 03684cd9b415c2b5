/**
 * Bad input through every command, seeded (FUZZ_SEED, default 20261201): special files, damaged
 * certificates and keys, PEM that Go and OpenSSL read differently, absurd flag values, ports,
 * pasted keys, tampered backups. Each case must end in time, exit as documented, print at most one
 * stderr line naming the file or flag, print no internal error and no key material, and change no
 * file. FUZZ_REPORT=FILE writes the counts per outcome and the failures as JSON; CRDB_TLS_CLI runs
 * the same cases against another build (how the before/after figures were measured); FUZZ_GREP
 * runs the cases whose name holds a text; FUZZ_LINES=FILE appends each case's outcome and first
 * stderr line. The commands beyond the first thirteen have their cases in support/fuzzCommands.
 */
import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, chmodSync, cpSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CertsFixture, makeCertsDir } from '../support/certs';
import { FuzzCase, OUTCOMES, Outcome, judge, keyMaterialProbe, rng, runCli } from '../support/fuzz';
import { commandCases } from '../support/fuzzCommands';
import { hashTree } from '../support/tmp';

const SEED = Number(process.env.FUZZ_SEED ?? 20261201);
const CASE_TIMEOUT_MS = 20_000;
/** A loopback port nothing listens on (connections are refused at once). */
const CLOSED = '127.0.0.1:1';

interface Fixture {
  root: string;
  good: CertsFixture;
  issuing: string;
  files: Record<string, string>;
  env: NodeJS.ProcessEnv;
  cwd: string;
  keyTexts: string[];
}

function pemOf(path: string): string {
  return readFileSync(path, 'latin1');
}

function derOf(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
}

function toPem(type: string, der: Buffer): string {
  return `-----BEGIN ${type}-----\n${der
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '')}\n-----END ${type}-----\n`;
}

/** Immutable even for root (chattr +i), else chmod 0500; the undo. */
function readOnly(dir: string): () => void {
  if (process.getuid?.() !== 0) {
    chmodSync(dir, 0o500);
    return () => chmodSync(dir, 0o700);
  }
  const r = spawnSync('chattr', ['+i', dir]);
  assert.equal(r.status, 0, `chattr +i ${dir}: ${r.stderr}`);
  return () => void spawnSync('chattr', ['-i', dir]);
}

/** Every kind of bad file, by name. Special ones are not created under the fixture but named by path. */
function badFiles(dir: string, good: CertsFixture, rand: () => number): Record<string, string> {
  const f: Record<string, string> = {};
  const put = (name: string, data: Buffer | string) => {
    const p = join(dir, name);
    writeFileSync(p, data);
    f[name] = p;
  };
  const fifo = join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
  f.fifo = fifo;
  f['dev-zero'] = '/dev/zero';
  f['dev-urandom'] = '/dev/urandom';
  f['dev-null'] = '/dev/null';
  f.directory = dir;
  f.missing = join(dir, 'no-such-file.crt');
  put('empty', '');
  put('random-1k', Buffer.from(Array.from({ length: 1024 }, () => Math.floor(rand() * 256))));
  put('big-2m', Buffer.alloc(2 * 1024 * 1024, 'A'));
  const caPem = pemOf(join(good.certsDir, 'ca.crt'));
  const nodePem = pemOf(join(good.certsDir, 'node.crt'));
  const der = derOf(nodePem);
  put('truncated-cert', toPem('CERTIFICATE', der.subarray(0, Math.floor(der.length / 2))));
  // A few flipped bytes anywhere, and in the validity times (the "Invalid time value" crash).
  for (let i = 0; i < 6; i++) {
    const x = Buffer.from(der);
    for (let k = 0; k < 3; k++) x[Math.floor(rand() * x.length)] ^= 1 + Math.floor(rand() * 255);
    put(`flipped-${i}`, toPem('CERTIFICATE', x));
  }
  const t = der.indexOf(Buffer.from([0x17, 0x0d]));
  for (const [i, b] of [0x41, 0x3a, 0x00].entries()) {
    const x = Buffer.from(der);
    x[t + 2 + i * 3] = b;
    put(`bad-time-${i}`, toPem('CERTIFICATE', x));
  }
  // PEM that Go's encoding/pem and OpenSSL read differently.
  const lines = caPem.split('\n');
  put('pem-nul', caPem.replace(lines[3], `${lines[3].slice(0, 10)}\0${lines[3].slice(11)}`));
  put('pem-proc-type', caPem.replace('-----\n', '-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00000000000000000000000000000000\n\n'));
  put('pem-blank-line', caPem.replace(`${lines[3]}\n`, `${lines[3]}\n\n`));
  put('pem-two-one-line', caPem.trimEnd() + caPem);
  put('key-as-cert', pemOf(join(good.certsDir, 'node.key')).replace(/PRIVATE KEY/g, 'CERTIFICATE'));
  put('cert-as-key', caPem);
  const keyPem = pemOf(good.caKey);
  for (let i = 0; i < 3; i++) {
    const kd = derOf(keyPem);
    for (let k = 0; k < 4; k++) kd[20 + Math.floor(rand() * (kd.length - 20))] ^= 1 + Math.floor(rand() * 255);
    put(`corrupt-key-${i}`, toPem('RSA PRIVATE KEY', kd));
  }
  put('truncated-key', toPem('RSA PRIVATE KEY', derOf(keyPem).subarray(0, 300)));
  put('huge-line', `DATABASE_URL=postgresql://root@localhost/db?${'x'.repeat(200_000)}\n`);
  return f;
}

async function build(): Promise<Fixture> {
  const rand = rng(SEED);
  const good = await makeCertsDir({ users: ['root'], pkcs8: true });
  const root = good.root;
  const issuing = join(root, 'issuing');
  mkdirSync(issuing, { mode: 0o700 });
  cpSync(join(good.certsDir, 'ca.crt'), join(issuing, 'ca.crt'));
  const bad = join(root, 'bad');
  mkdirSync(bad);
  const files = badFiles(bad, good, rand);
  const home = join(root, 'home');
  mkdirSync(home);
  const cwd = join(root, 'cwd');
  mkdirSync(cwd);
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: home, LANG: 'C.UTF-8' };
  const keyTexts = [good.caKey, join(good.certsDir, 'node.key'), join(good.certsDir, 'client.root.key')].map(pemOf);
  return { root, good, issuing, files, env, cwd, keyTexts };
}

/** A certs dir like the good one with `name` replaced by the bad file `bad` (a symlink for special files). */
function dirWith(fx: Fixture, name: string, kind: string): string {
  const d = join(fx.root, 'dirs', `${kind}-as-${name}`);
  cpSync(fx.good.certsDir, d, { recursive: true });
  const target = join(d, name);
  rmSync(target, { force: true });
  const src = fx.files[kind];
  if (src.startsWith('/dev/') || kind === 'fifo' || kind === 'directory' || kind === 'missing') {
    if (kind === 'fifo') execFileSync('mkfifo', [target]);
    else if (kind !== 'missing') symlinkSync(src, target);
  } else cpSync(src, target);
  return d;
}

function lintDoc(fx: Fixture, name: string, text: string): string {
  const d = join(fx.root, 'docs');
  mkdirSync(d, { recursive: true });
  const p = join(d, `${name}.env`);
  writeFileSync(p, text);
  return p;
}

const url = (q: string, hostPort = CLOSED) => `postgresql://root@${hostPort}/defaultdb?sslmode=verify-full&${q}`;

function fileCases(fx: Fixture): FuzzCase[] {
  const out: FuzzCase[] = [];
  const { certsDir } = fx.good;
  const ca = join(certsDir, 'ca.crt');
  const clientCrt = join(certsDir, 'client.root.crt');
  const clientKey = join(certsDir, 'client.root.key');
  /** Go reads these as the CA certificate they hold (OpenSSL may not: then a note names the file). */
  const usable = new Set(['pem-blank-line', 'pem-proc-type', 'cert-as-key']);
  const noted = new Set(['pem-blank-line', 'pem-proc-type']);
  for (const [kind, F] of Object.entries(fx.files)) {
    if (kind === 'huge-line') continue;
    const any = usable.has(kind) ? [0, 1] : [1];
    const named = usable.has(kind) && !noted.has(kind) ? undefined : [F];
    const textLike = ['empty', 'dev-null', 'big-2m', 'random-1k'].includes(kind) || /pem|cert|key|flipped|time/.test(kind);
    out.push(
      { name: `inspect ${kind}`, args: ['inspect', F, '--ca-file', ca], exits: any, mention: [F] },
      { name: `inspect --json ${kind}`, args: ['inspect', F, '--ca-file', ca, '--json'], exits: any, mention: [F] },
      { name: `verify cert=${kind}`, args: ['verify', '--ca-file', ca, F], exits: any, mention: named },
      {
        name: `verify ca-file=${kind}`,
        args: ['verify', '--ca-file', F, join(certsDir, 'node.crt')],
        exits: kind === 'cert-as-key' ? [0] : any,
        mention: named,
      },
      { name: `create-node --ca-key ${kind}`, args: ['cert', 'create-node', 'localhost', '--certs-dir', fx.issuing, '--ca-key', F], mention: [F] },
      { name: `create-client --ca-key ${kind}`, args: ['cert', 'create-client', 'alice', '--certs-dir', fx.issuing, '--ca-key', F], mention: [F] },
      // lint reports a file it cannot read as one line of its report ("cannot read F: why: fix"), as lint-cli.test.ts pins.
      { name: `lint ${kind}`, args: ['lint', F], exits: [0, 1], mention: textLike ? undefined : [F] },
      {
        name: `lint sslrootcert=${kind}`,
        args: ['lint', lintDoc(fx, `rootcert-${kind}`, `DATABASE_URL=${url(`sslrootcert=${F}`, 'localhost:26257')}\n`)],
        exits: any,
        mention: named,
      },
      {
        name: `lint sslkey=${kind}`,
        args: ['lint', lintDoc(fx, `sslkey-${kind}`, `DATABASE_URL=${url(`sslrootcert=${ca}&sslcert=${clientCrt}&sslkey=${F}`, 'localhost:26257')}\n`)],
        exits: [1],
        mention: [F],
      },
      {
        name: `test-connection sslrootcert=${kind}`,
        args: ['test-connection', url(`sslrootcert=${F}&sslcert=${clientCrt}&sslkey=${clientKey}`), '--timeout', '5s'],
        exits: [1],
        mention: usable.has(kind) ? undefined : [F],
      },
      {
        name: `test-connection sslkey=${kind}`,
        args: ['test-connection', url(`sslrootcert=${ca}&sslcert=${clientCrt}&sslkey=${F}`), '--timeout', '5s'],
        exits: [1],
        mention: [F],
      },
      {
        name: `changefeed-uri --ca-cert ${kind}`,
        args: ['changefeed-uri', '--sink', 'kafka://127.0.0.1:9093', '--ca-cert', F],
        exits: any,
        mention: usable.has(kind) ? undefined : [F],
      },
      {
        name: `changefeed-uri --client-key ${kind}`,
        args: ['changefeed-uri', '--sink', 'kafka://127.0.0.1:9093', '--ca-cert', ca, '--client-cert', clientCrt, '--client-key', F],
        exits: [1],
        mention: [F],
      },
      { name: `probe --ca-file ${kind}`, args: ['probe', CLOSED, '--ca-file', F, '--timeout', '3s'], exits: [1] },
    );
    for (const name of ['ca.crt', 'node.crt', 'client.root.crt']) {
      if (kind === 'directory') continue;
      const d = dirWith(fx, name, kind);
      out.push({ name: `cert list ${kind} as ${name}`, args: ['cert', 'list', '--certs-dir', d], exits: [0, 1], mention: [name] });
    }
  }
  out.push({ name: 'lint a 200k-character line', args: ['lint', fx.files['huge-line']], exits: [0, 1] });
  return out;
}

const PASTED_KEY = (fx: Fixture) => fx.keyTexts[1];

function flagCases(fx: Fixture, rand: () => number): FuzzCase[] {
  const out: FuzzCase[] = [];
  const { certsDir, caKey } = fx.good;
  const ca = join(certsDir, 'ca.crt');
  const long = 'z'.repeat(10_000);
  const badDurations = ['', '0', '-1', '-5h', 'abc', '1e99', '999999999999h', '99999999999h', 'NaN', '1ns', '9'.repeat(25), '🙂', long];
  const badLifetimes = [...badDurations, '1ms', '1s'];
  for (const v of badLifetimes) {
    out.push({
      name: `create-node --lifetime ${JSON.stringify(v.slice(0, 20))}`,
      args: ['cert', 'create-node', 'localhost', '--certs-dir', fx.issuing, '--ca-key', caKey, `--lifetime=${v}`],
      mention: ['--lifetime', 'lifetime'],
    });
    out.push({
      name: `rotate-node --lifetime ${JSON.stringify(v.slice(0, 20))}`,
      args: ['cert', 'rotate-node', '--certs-dir', certsDir, '--ca-key', caKey, `--lifetime=${v}`],
      mention: ['--lifetime', 'lifetime'],
    });
  }
  for (const v of ['', '0', '-1', 'abc', '1e99', '1023', '16385', '99999', 'NaN', '2048.5']) {
    out.push({
      name: `create-client --key-size ${JSON.stringify(v)}`,
      args: ['cert', 'create-client', 'bob', '--certs-dir', fx.issuing, '--ca-key', caKey, `--key-size=${v}`],
      mention: ['--key-size', 'key size'],
    });
  }
  for (const v of ['garbage', '127.0.0.1:0', '127.0.0.1:65536', '127.0.0.1:abc', '', ':', '[::1', 'localhost:-1', long]) {
    out.push({
      name: `rotate-node --verify ${JSON.stringify(v.slice(0, 20))}`,
      args: ['cert', 'rotate-node', '--certs-dir', certsDir, '--ca-key', caKey, `--verify=${v}`],
      mention: ['--verify'],
    });
  }
  for (const v of ['1ns', '0', 'abc', '99999999999h', '', '-1s', '1e99']) {
    out.push({
      name: `rotate-node --verify-timeout ${JSON.stringify(v)}`,
      args: ['cert', 'rotate-node', '--certs-dir', certsDir, '--ca-key', caKey, '--verify', CLOSED, `--verify-timeout=${v}`],
      mention: ['--verify-timeout'],
    });
  }
  for (const v of ['99999999999999999999', '0', '-1', 'abc', '', '1.5', '4194305']) {
    out.push({
      name: `rotate-node --reload-pid ${JSON.stringify(v)}`,
      args: ['cert', 'rotate-node', '--certs-dir', certsDir, '--ca-key', caKey, `--reload-pid=${v}`],
      mention: ['--reload-pid'],
    });
  }
  for (const flag of ['--backup-dir', '--certs-dir', '--ca-key', '--reload-cmd']) {
    out.push({ name: `rotate-node ${flag}=`, args: ['cert', 'rotate-node', '--certs-dir', certsDir, '--ca-key', caKey, `${flag}=`], mention: [flag] });
  }
  out.push({ name: 'verify --ca-file=', args: ['verify', '--ca-file=', join(certsDir, 'node.crt')], mention: ['--ca-file'] });
  out.push({ name: 'inspect --key=', args: ['inspect', ca, '--key='], mention: ['--key'] });
  for (const v of badDurations) {
    out.push({ name: `probe --timeout ${JSON.stringify(v.slice(0, 20))}`, args: ['probe', CLOSED, `--timeout=${v}`], mention: ['--timeout'] });
    out.push({
      name: `test-connection --timeout ${JSON.stringify(v.slice(0, 20))}`,
      args: ['test-connection', url(`sslrootcert=${ca}`), `--timeout=${v}`],
      mention: ['--timeout'],
    });
  }
  for (const v of ['', '0', '-1', 'abc', '1e99', '99999999999', 'NaN']) {
    out.push({
      name: `changefeed-uri --live-timeout ${JSON.stringify(v)}`,
      args: ['changefeed-uri', '--sink', 'kafka://127.0.0.1:1', '--ca-cert', ca, '--check-live', `--live-timeout=${v}`],
      mention: ['--live-timeout'],
    });
  }
  // Ports: parsed once, the same way, in URLs and key=value strings.
  for (const p of ['65536', 'abc', '-1', '0', '99999999999', '1.5', '0x10']) {
    out.push({
      name: `test-connection url port ${p}`,
      args: ['test-connection', `postgresql://root@127.0.0.1:${p}/db?sslmode=verify-full&sslrootcert=${ca}`],
      mention: [p, 'port'],
    });
    out.push({
      name: `test-connection kv port=${p}`,
      args: ['test-connection', `host=127.0.0.1 port=${p} sslmode=verify-full sslrootcert=${ca}`],
      mention: [p, 'port'],
    });
  }
  for (const kv of ['host=127.0.0.1 port=', 'host=127.0.0.1 port', 'host=127.0.0.1 sslmode', `host=127.0.0.1 sslrootcert`, "host='127.0.0.1 port=1"]) {
    out.push({
      name: `test-connection kv ${JSON.stringify(kv)}`,
      args: ['test-connection', kv],
      mention: ['port', 'sslmode', 'sslrootcert', 'quote', 'value', '='],
    });
  }
  // Unknown flags: named, one line.
  for (const cmd of [
    ['inspect', ca],
    ['verify', '--ca-file', ca, ca],
    ['cert', 'list', '--certs-dir', certsDir],
    ['lint', ca],
    ['probe', CLOSED],
    ['test-connection', url('')],
    ['changefeed-uri', '--sink', 'kafka://127.0.0.1:1'],
    ['cert', 'rotate-node', '--certs-dir', certsDir, '--ca-key', caKey],
  ]) {
    for (const flag of ['-x', '--nope', `--${long.slice(0, 500)}`, '-']) {
      if (flag === '-' && (cmd[0] === 'lint' || cmd[0] === 'inspect' || cmd[0] === 'verify')) continue;
      out.push({
        name: `${cmd.slice(0, 2).join(' ')} ${flag.slice(0, 12)}`,
        args: [...cmd, flag],
        exits: [1, 2],
        mention: [flag.slice(0, 12), 'argument', 'flag'],
        maxOutput: 4096,
      });
    }
  }
  // Pasted key material: never echoed.
  const key = PASTED_KEY(fx);
  out.push({ name: 'explain a pasted private key', args: ['explain', key], exits: [0, 1] });
  out.push({ name: 'explain a pasted private key (stdin)', args: ['explain', '-'], input: key, exits: [0, 1] });
  out.push({ name: 'explain a pasted key as a flag value', args: ['explain', `--${key}`], exits: [0, 1] });
  out.push({ name: 'inspect with a pasted key as the file', args: ['inspect', key], exits: [1] });
  out.push({ name: 'verify with a pasted key as the CA', args: ['verify', '--ca-file', key, ca], exits: [1] });
  out.push({ name: 'test-connection with a pasted key as sslkey', args: ['test-connection', url(`sslkey=${encodeURIComponent(key)}`)], exits: [1] });
  out.push({
    name: 'cert create-node with a pasted key as a host',
    args: ['cert', 'create-node', key, '--certs-dir', fx.issuing, '--ca-key', caKey],
    exits: [1],
  });
  out.push({ name: 'explain text starting with -', args: ['explain', '-x509: certificate signed by unknown authority'], exits: [0] });
  out.push({ name: 'explain text starting with --', args: ['explain', '--', '--weird message'], exits: [0, 1] });
  // Changefeed messages.
  out.push({ name: 'changefeed-uri without --sink', args: ['changefeed-uri', '--ca-cert', ca], exits: [1, 2], mention: ['--sink'] });
  const params = Array.from({ length: 10_000 }, (_, i) => `p${i}=${Math.floor(rand() * 1e6)}`).join('&');
  out.push({
    name: 'changefeed-uri with 10k unknown parameters',
    args: ['changefeed-uri', '--sink', `kafka://127.0.0.1:9093?${params}`],
    exits: [0, 1],
    maxOutput: 16 * 1024,
  });
  // Writes refused: nothing may be left behind.
  const unwritable = join(fx.root, 'ro-safe');
  mkdirSync(unwritable, { recursive: true });
  out.push({
    name: 'create-ca with an unwritable CA key folder',
    args: ['cert', 'create-ca', '--certs-dir', join(fx.root, 'new-certs'), '--ca-key', join(unwritable, 'ca.key')],
    mention: [unwritable],
    setup: () => readOnly(unwritable),
  });
  const roParent = join(fx.root, 'ro-parent');
  mkdirSync(roParent, { recursive: true });
  out.push({
    name: 'create-ca in an unwritable parent',
    args: ['cert', 'create-ca', '--certs-dir', join(roParent, 'certs'), '--ca-key', join(fx.root, 'home', 'ca.key')],
    mention: [roParent],
    setup: () => readOnly(roParent),
  });
  for (const k of ['corrupt-key-0', 'corrupt-key-1', 'corrupt-key-2', 'truncated-key', 'cert-as-key', 'empty']) {
    out.push({
      name: `create-ca --allow-ca-key-reuse ${k}`,
      args: ['cert', 'create-ca', '--certs-dir', join(fx.root, 'reuse-certs'), '--ca-key', fx.files[k], '--allow-ca-key-reuse'],
      mention: [fx.files[k]],
    });
  }
  return out;
}

/** Mutations of a real manifest (random, seeded): every one must be refused or be harmless. */
function manifestCases(fx: Fixture, rand: () => number): FuzzCase[] {
  const out: FuzzCase[] = [];
  const base = join(fx.root, 'manifests');
  const certsDir = join(base, 'certs');
  cpSync(fx.good.certsDir, certsDir, { recursive: true });
  const safe = join(base, 'safe');
  cpSync(join(fx.root, 'safe'), safe, { recursive: true });
  // A genuine backup to mutate.
  const r = runCli(['cert', 'rotate-node', '--certs-dir', certsDir, '--ca-key', join(safe, 'ca.key'), '--key-size', '1024'], {
    cwd: fx.cwd,
    env: fx.env,
    timeoutMs: 60_000,
  });
  assert.equal(r.status, 0, r.stderr);
  const backups = `${certsDir}.backups`;
  const [id] = readdirSync(backups);
  const manifestPath = join(backups, id, 'manifest.json');
  const original = readFileSync(manifestPath, 'utf8');
  const genuine = JSON.parse(original) as Record<string, unknown> & { files: Record<string, unknown>[]; created: string[] };
  const outside = join(base, 'outside.txt');
  writeFileSync(outside, 'not yours\n');
  const mutations: [string, (m: typeof genuine) => unknown][] = [
    ['files [null]', (m) => ({ ...m, files: [null] })],
    ['files not an array', (m) => ({ ...m, files: 'x' })],
    ['no id', (m) => ({ ...m, id: undefined })],
    ['id with a slash', (m) => ({ ...m, id: '../x' })],
    ['path outside (absolute)', (m) => ({ ...m, files: m.files.map((f, i) => (i === 0 ? { ...f, path: outside } : f)) })],
    ['path outside (..)', (m) => ({ ...m, files: m.files.map((f, i) => (i === 0 ? { ...f, path: join(certsDir, '..', 'outside.txt') } : f)) })],
    ['copy outside (..)', (m) => ({ ...m, files: m.files.map((f, i) => (i === 0 ? { ...f, copy: '../../safe/ca.key' } : f)) })],
    ['copy absolute', (m) => ({ ...m, files: m.files.map((f, i) => (i === 0 ? { ...f, copy: join(safe, 'ca.key') } : f)) })],
    ['mode 1777', (m) => ({ ...m, files: m.files.map((f) => ({ ...f, mode: 0o1777 })) })],
    ['mode 4755', (m) => ({ ...m, files: m.files.map((f) => ({ ...f, mode: 0o4755 })) })],
    ['mode a string', (m) => ({ ...m, files: m.files.map((f) => ({ ...f, mode: '0600' })) })],
    ['sha256 wrong', (m) => ({ ...m, files: m.files.map((f) => ({ ...f, sha256: '0'.repeat(64) })) })],
    ['created outside', (m) => ({ ...m, created: [outside] })],
    ['created (..)', (m) => ({ ...m, created: [join(certsDir, '..', 'safe', 'ca.key')] })],
    ['created not strings', (m) => ({ ...m, created: [1, {}] })],
    ['certsDir another', (m) => ({ ...m, certsDir: base })],
    ['100k entries', (m) => ({ ...m, files: Array.from({ length: 100_000 }, () => m.files[0]) })],
    ['not an object', () => 42],
    ['null', () => null],
  ];
  // Random structural damage on top.
  const keys = ['id', 'createdAt', 'reason', 'certsDir', 'files', 'created'];
  const junk = [null, 0, -1, 1e308, '', '../../x', [], {}, true, 'x'.repeat(1000)];
  for (let i = 0; i < 12; i++) {
    const k = keys[Math.floor(rand() * keys.length)];
    const v = junk[Math.floor(rand() * junk.length)];
    mutations.push([`random ${k}=${JSON.stringify(v).slice(0, 12)}`, (m) => ({ ...m, [k]: v })]);
  }
  for (const [name, mutate] of mutations) {
    const text = JSON.stringify(mutate(structuredClone(genuine)));
    for (const dry of [false, true]) {
      out.push({
        name: `rollback, manifest ${name}${dry ? ' (--dry-run)' : ''}`,
        args: ['cert', 'rollback', id, '--certs-dir', certsDir, ...(dry ? ['--dry-run'] : [])],
        exits: [1],
        setup: () => {
          writeFileSync(manifestPath, text);
          return () => writeFileSync(manifestPath, original);
        },
      });
    }
  }
  return out;
}

describe('bad input through every command (seeded fuzz suite)', function () {
  this.timeout(CASE_TIMEOUT_MS + 30_000);
  const counts = new Map<Outcome, number>(OUTCOMES.map((o) => [o, 0]));
  const failures: { name: string; outcome: Outcome; detail: string }[] = [];
  let fx: Fixture;
  let cases: FuzzCase[] = [];
  let leak: (out: string) => string | undefined;

  before(async function () {
    this.timeout(120_000);
    fx = await build();
    const rand = rng(SEED + 1);
    const more = commandCases({ ...fx, dirWith: (name, kind) => dirWith(fx, name, kind) });
    cases = [...fileCases(fx), ...flagCases(fx, rand), ...manifestCases(fx, rand), ...more];
    // FUZZ_GREP=text runs only the cases whose name holds it (to look at one case; the count check then fails).
    if (process.env.FUZZ_GREP) cases = cases.filter((c) => c.name.includes(process.env.FUZZ_GREP ?? ''));
    leak = keyMaterialProbe(fx.keyTexts);
  });

  after(() => {
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    const line = OUTCOMES.filter((o) => counts.get(o))
      .map((o) => `${o} ${counts.get(o)}`)
      .join(', ');
    console.log(`      fuzz seed ${SEED}: ${total} cases: ${line}`);
    if (process.env.FUZZ_REPORT)
      writeFileSync(process.env.FUZZ_REPORT, JSON.stringify({ seed: SEED, total, counts: Object.fromEntries(counts), failures }, null, 2));
  });

  it('has at least 300 cases over every command', () => {
    assert.ok(cases.length >= 300, `${cases.length} cases`);
    const commands = new Set(cases.map((c) => (c.args[0] === 'cert' ? `cert ${c.args[1]}` : c.args[0])));
    for (const c of [
      'inspect',
      'verify',
      'lint',
      'probe',
      'test-connection',
      'explain',
      'changefeed-uri',
      'cert list',
      'cert create-node',
      'cert create-client',
      'cert create-ca',
      'cert rotate-node',
      'cert rollback',
      'cert rotate-client',
      'cert rotate-ca',
      'cert reissue-all',
      'cert prune-ca',
      'cert backups',
      'cert import',
      'cert check',
      'cert create-csr',
      'cert create-client-ca',
      'connect',
      'monitor',
      'k8s',
      'fleet',
      'cloud',
    ]) {
      assert.ok(commands.has(c), `no case for ${c}`);
    }
  });

  it('every case: in time, documented exit, one named stderr line, no internal error, no key material, nothing changed', function () {
    this.timeout(0);
    for (const c of cases) {
      const undo = c.setup?.();
      let r;
      let changed;
      try {
        const before = hashTree(fx.root);
        r = runCli(c.args, { cwd: fx.cwd, env: { ...fx.env, ...c.env }, timeoutMs: CASE_TIMEOUT_MS, input: c.input });
        changed = hashTree(fx.root) !== before;
      } finally {
        undo?.();
      }
      const v = judge(c, r, changed, leak);
      if (process.env.FUZZ_LINES) appendFileSync(process.env.FUZZ_LINES, `${v.outcome}\t${c.name}\t${r.status}\t${r.stderr.split('\n')[0]}\n`);
      counts.set(v.outcome, (counts.get(v.outcome) ?? 0) + 1);
      if (v.outcome !== 'ok') failures.push({ name: c.name, outcome: v.outcome, detail: v.detail });
    }
    assert.deepEqual(
      failures.map((f) => `${f.name}: ${f.outcome}: ${f.detail}`),
      [],
    );
  });
});
