import { strict as assert } from 'node:assert';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createClient } from '../../src/core/certsdir/create';
import { CLI, crdbTls, run, RunResult } from '../support/exec';
import { tmpDir } from '../support/tmp';

const DAY = 86_400_000;

function ok(r: RunResult): RunResult {
  assert.equal(r.status, 0, `exit ${r.status}: ${r.stderr}`);
  return r;
}

describe('crdb-tls lint (dist/cli.js) on files with real certificates', function () {
  let root: string;
  let certs: string;

  before(async () => {
    root = tmpDir();
    certs = join(root, 'certs');
    mkdirSync(join(root, 'safe'), { mode: 0o700 });
    const caKey = join(root, 'safe', 'ca.key');
    ok(crdbTls(['cert', 'create-ca', '--certs-dir', certs, '--ca-key', caKey]));
    ok(crdbTls(['cert', 'create-node', 'localhost', '--certs-dir', certs, '--ca-key', caKey]));
    ok(crdbTls(['cert', 'create-client', 'root', '--also-generate-pkcs8-key', '--certs-dir', certs, '--ca-key', caKey]));
    await createClient({ certsDir: certs, caKey, user: 'old', now: new Date(Date.now() - 40 * DAY), lifetimeMs: 37 * DAY });
    copyFileSync(join(certs, 'client.root.key'), join(root, 'loose.key'));
    chmodSync(join(root, 'loose.key'), 0o644);

    mkdirSync(join(root, 'app'));
    // Relative paths: ../certs from app/, certs/ from the current directory (root).
    writeFileSync(
      join(root, 'app', 'config.yaml'),
      [
        'database:',
        '  primary: "postgresql://root@localhost:26257/defaultdb?sslmode=verify-full&sslrootcert=../certs/ca.crt&sslcert=../certs/client.root.crt&sslkey=../certs/client.root.key"',
        '  replica: "postgresql://root:hunter2@replica:5432/defaultdb?sslmode=require"',
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(root, 'README.md'),
      [
        '# Connect',
        '',
        '    cockroach sql --url "postgresql://old@localhost:26257?sslrootcert=certs/ca.crt&sslcert=certs/client.old.crt&sslkey=certs/client.old.key"',
        '',
        'Java: `jdbc:postgresql://localhost:26257/defaultdb?user=root&sslmode=verify-full&sslrootcert=certs/ca.crt&sslcert=certs/client.root.crt&sslkey=certs/client.root.key`',
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(root, 'clean.env'),
      'DATABASE_URL=postgresql://root@localhost:26257/defaultdb?sslmode=verify-full&sslrootcert=certs/ca.crt&sslcert=certs/client.root.crt&sslkey=certs/client.root.key\n',
    );
    writeFileSync(join(root, 'warn.sh'), 'psql "host=localhost port=26257 user=root sslmode=prefer"\n');
    writeFileSync(
      join(root, 'perm.env'),
      `PGDSN="host=localhost user=root sslmode=verify-full sslrootcert=certs/ca.crt sslcert=certs/client.root.crt sslkey=${join(root, 'loose.key')}"\n`,
    );
    writeFileSync(join(root, 'big.txt'), `${'x'.repeat(5000)}\npostgresql://db/app?sslmode=disable\n`);
  });

  const lint = (args: string[]) => crdbTls(['lint', ...args], { cwd: root });
  /** 1-based column of `needle` on a 1-based line of a file under root. */
  const col = (file: string, line: number, needle: string) => {
    const i = readFileSync(join(root, file), 'utf8').split('\n')[line - 1].indexOf(needle);
    assert.ok(i >= 0, `${needle} on ${file}:${line}`);
    return i + 1;
  };

  it('prints file:line:col: severity code message, sorted by file then position, and a summary', () => {
    const r = lint(['app/config.yaml', 'README.md']);
    assert.equal(r.status, 1, r.stderr);
    assert.equal(r.stderr, '');
    const lines = r.stdout.trimEnd().split('\n');
    const rows = lines.slice(0, -1).map((l) => /^([^:]+):(\d+):(\d+): (error|warning|info) ([a-z-]+) (.+)$/.exec(l));
    assert.ok(rows.every(Boolean), r.stdout);
    assert.deepEqual(
      rows.map((m) => [m![1], Number(m![2]), Number(m![3]), m![4], m![5]]),
      [
        ['README.md', 3, col('README.md', 3, 'certs/client.old.crt'), 'error', 'cert-expired'],
        ['README.md', 5, col('README.md', 5, 'certs/client.root.key'), 'error', 'jdbc-key-format'],
        ['app/config.yaml', 3, col('app/config.yaml', 3, 'hunter2'), 'warning', 'password-in-string'],
        ['app/config.yaml', 3, col('app/config.yaml', 3, 'replica:5432'), 'info', 'port-non-default'],
        ['app/config.yaml', 3, col('app/config.yaml', 3, 'sslmode=require'), 'warning', 'sslmode-require'],
      ],
    );
    assert.match(lines[0], /The client certificate in sslcert expired on \d{4}-\d{2}-\d{2} \(3 d ago\)/);
    assert.equal(lines[lines.length - 1], '2 errors, 2 warnings, 1 info in 2 files (4 connection strings)');
  });

  it('--json prints only an array of findings with 1-based positions and docs', () => {
    const r = lint(['--json', 'README.md', 'app/config.yaml']);
    assert.equal(r.status, 1);
    const out = JSON.parse(r.stdout) as Record<string, unknown>[];
    assert.equal(out.length, 5);
    for (const f of out) {
      assert.deepEqual(Object.keys(f), ['file', 'line', 'column', 'endLine', 'endColumn', 'severity', 'code', 'message', 'docs']);
      assert.match(String(f.docs), /^https:\/\/www\.cockroachlabs\.com\//);
    }
    assert.deepEqual(out[2], {
      file: 'app/config.yaml',
      line: 3,
      column: col('app/config.yaml', 3, 'hunter2'),
      endLine: 3,
      endColumn: col('app/config.yaml', 3, 'hunter2') + 7,
      severity: 'warning',
      code: 'password-in-string',
      message:
        'A password is written in the connection string (a secret in source): move it to the PGPASSWORD environment variable, or use a client certificate.',
      docs: 'https://www.cockroachlabs.com/docs/stable/connection-parameters',
    });
    assert.equal(r.stderr, '');
  });

  it('exits 0 without findings, and with warnings only', () => {
    const clean = ok(lint(['clean.env']));
    assert.equal(clean.stdout, '0 errors, 0 warnings, 0 info in 1 file (1 connection string)\n');
    assert.equal(ok(lint(['--json', 'clean.env'])).stdout, '[]\n');
    const warn = ok(lint(['warn.sh']));
    assert.match(warn.stdout, /^warn\.sh:1:43: warning sslmode-prefer /);
  });

  it('reports a key that libpq refuses (group/world access)', () => {
    const r = lint(['perm.env']);
    assert.equal(r.status, 1);
    assert.match(r.stdout, /perm\.env:1:\d+: error key-permissions private key file .*loose\.key has group or world access \(mode 0644\)/);
  });

  it('names an unreadable file on stderr, exits 1, and still checks the others', () => {
    const r = lint(['missing.txt', 'warn.sh', 'app']);
    assert.equal(r.status, 1);
    assert.equal(
      r.stderr,
      'crdb-tls: cannot read missing.txt: no such file (ENOENT): check the path\ncrdb-tls: cannot read app: is a directory (EISDIR): pass the files in it, e.g. app/*.env\n',
    );
    assert.match(r.stdout, /^warn\.sh:1:43: warning sslmode-prefer /);
    assert.match(r.stdout, /0 errors, 1 warning, 0 info in 1 file/);
    const j = lint(['--json', 'missing.txt']);
    assert.equal(j.status, 1);
    assert.equal(j.stdout, '[]\n');
  });

  it('--disable turns rules off (repeatable, comma-separated) and rejects unknown codes', () => {
    const r = lint(['--disable', 'port-non-default', '--disable=password-in-string,sslmode-require', 'app/config.yaml']);
    assert.equal(r.status, 0, r.stdout);
    assert.equal(r.stdout, '0 errors, 0 warnings, 0 info in 1 file (2 connection strings)\n');
    const bad = lint(['--disable', 'sslmode-nope', 'app/config.yaml']);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /^crdb-tls: lint: unknown rule code "sslmode-nope" for --disable; codes: sslmode-missing, /);
  });

  it('--max-file-size skips bigger files with a note', () => {
    const r = lint(['--max-file-size', '1K', 'big.txt', 'warn.sh']);
    assert.equal(r.status, 0);
    assert.equal(r.stderr, 'crdb-tls: skipped big.txt: 5037 bytes, more than --max-file-size 1024\n');
    assert.doesNotMatch(r.stdout, /big\.txt/);
    assert.equal(lint(['--max-file-size=1M', 'big.txt']).status, 1);
    assert.equal(lint(['--max-file-size', 'lots', 'big.txt']).status, 1);
  });

  it('reads standard input for "-" and resolves its paths against the current directory', () => {
    const input = 'postgresql://root@localhost:26257/db?sslmode=verify-full&sslrootcert=certs/ca.crt&sslcert=certs/nope.crt&sslkey=certs/client.root.key\n';
    const r = run(process.execPath, [CLI, 'lint', '-'], { cwd: root, input });
    assert.equal(r.status, 1);
    assert.match(r.stdout, /^-:1:\d+: error file-missing sslcert file .*certs\/nope\.crt does not exist/);
  });

  it('prints the usage without a FILE (exit 2) and lists lint in the main help', () => {
    const r = lint([]);
    assert.equal(r.status, 2);
    assert.match(r.stdout, /^Usage: crdb-tls lint \[--json\]/);
    assert.match(ok(crdbTls(['--help'])).stdout, /\n {2}lint +check the connection strings/);
    assert.match(ok(lint(['--help'])).stdout, /Exit code: 1 when any finding is an error/);
  });
});
