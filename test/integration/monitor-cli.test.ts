/**
 * crdb-tls monitor as cron, a systemd timer or CI run it: the exit code for each state (0 fine,
 * 1 within the warning window, 2 expired or rejected by the loader or no check possible), the
 * Prometheus text format read back by a text-format parser and checked line by line, and JSON.
 */
import { strict as assert } from 'node:assert';
import { chmodSync, copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { makeCertsDir } from '../support/certs';
import { crdbTls } from '../support/exec';
import { tmpDir } from '../support/tmp';

interface PromFamily {
  name: string;
  help: string;
  type: string;
  metrics: { value: string; labels?: Record<string, string> }[];
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const parsePrometheus = require('parse-prometheus-text-format') as (text: string) => PromFamily[];

const DAY = 86_400_000;
const monitor = (args: string[]) => crdbTls(['monitor', ...args], { timeoutMs: 60_000 });
const notAfter = (p: string) => Math.floor(Date.parse(new X509Certificate(readFileSync(p)).validTo) / 1000);

/** The exposition format's grammar, strictly: HELP and TYPE before a family's samples, names, label syntax, numeric values, no series twice. */
function strictPrometheusCheck(text: string): void {
  assert.ok(text.endsWith('\n'), 'ends with a newline');
  const declared = new Map<string, string>();
  const series = new Set<string>();
  for (const line of text.slice(0, -1).split('\n')) {
    const help = /^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)$/.exec(line);
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (gauge|counter|untyped)$/.exec(line);
    if (help) continue;
    if (type) {
      assert.ok(!declared.has(type[1]), `${type[1]} declared once`);
      declared.set(type[1], type[2]);
      continue;
    }
    const m =
      /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*")*)?\})? (-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)$/.exec(
        line,
      );
    assert.ok(m, `a sample line: ${line}`);
    assert.ok(declared.has(m[1]), `${m[1]} has its TYPE before its samples`);
    const id = `${m[1]}${m[2] ?? ''}`;
    assert.ok(!series.has(id), `one sample per series: ${id} twice`);
    series.add(id);
  }
}

describe('crdb-tls monitor: exit codes, Prometheus text format, JSON', function () {
  this.timeout(120_000);

  it('exit 0 when everything is fine, 1 within the warning window (--warn), 2 when expired', async () => {
    const fine = await makeCertsDir();
    const r0 = monitor(['--certs-dir', fine.certsDir]);
    assert.equal(r0.status, 0, r0.stdout + r0.stderr);
    assert.match(r0.stdout, /^OK: 3 certificates in 1 certs dir; 0 expired, 0 rejected by the loader, 0 expiring within 30 d \(exit 0\)\.$/m);

    const soon = await makeCertsDir({ lifetimeMs: 10 * DAY });
    const r1 = monitor(['--certs-dir', soon.certsDir]);
    assert.equal(r1.status, 1, r1.stdout);
    assert.match(r1.stdout, /^WARNING .*node\.crt \(Node\) expires in 9 d/m);
    assert.equal(monitor(['--certs-dir', soon.certsDir, '--warn', '5d']).status, 0, 'outside a 5-day window');
    assert.equal(monitor(['--certs-dir', soon.certsDir, '--warn', '2w']).status, 1);

    const old = await makeCertsDir({ now: new Date(Date.now() - 3 * DAY), lifetimeMs: DAY });
    const r2 = monitor(['--certs-dir', fine.certsDir, '--certs-dir', old.certsDir]);
    assert.equal(r2.status, 2, r2.stdout);
    assert.match(r2.stdout, /^EXPIRED .*client\.root\.crt \(Client\) expired 2 d ago/m);
    assert.match(r2.stdout, /^CRITICAL: 6 certificates in 2 certs dirs; 2 expired/m);

    // Issued as of three days from now (NotBefore two days ahead, past the 24 h backdating): not valid yet, as fatal as expired.
    const early = await makeCertsDir({ node: { now: new Date(Date.now() + 3 * DAY), lifetimeMs: 365 * DAY } });
    const r3 = monitor(['--certs-dir', early.certsDir]);
    assert.equal(r3.status, 2, r3.stdout);
    assert.match(r3.stdout, /^EXPIRED .*node\.crt \(Node\).*\(valid only from \d{4}-/m);
    assert.match(r3.stdout, /^CRITICAL: 3 certificates in 1 certs dir; 1 expired, 0 rejected by the loader/m);
    assert.equal(JSON.parse(monitor(['--certs-dir', early.certsDir, '--format', 'json']).stdout).state, 'expired');
  });

  it('exit 2 when the loader would reject a file, when a certs dir is missing, and on a bad flag', async () => {
    const fx = await makeCertsDir();
    chmodSync(join(fx.certsDir, 'node.key'), 0o644);
    const r = monitor(['--certs-dir', fx.certsDir]);
    assert.equal(r.status, 2, r.stdout);
    assert.match(r.stdout, /^ERROR .*node\.crt: key file .*node\.key has permissions/m);
    const missing = monitor(['--certs-dir', join(tmpDir(), 'nope')]);
    assert.equal(missing.status, 2);
    assert.match(missing.stdout, /^ERROR +certs directory .*nope does not exist/m);
    const bad = monitor(['--certs-dir', fx.certsDir, '--format', 'xml']);
    assert.equal(bad.status, 2);
    assert.equal(bad.stdout, '');
    assert.match(bad.stderr, /^crdb-tls: monitor: --format "xml" is not a format: use text, json or prometheus\.\n$/);
    assert.equal(monitor(['--certs-dir', fx.certsDir, '--warn', '-3']).status, 2);
  });

  it('an empty client.root.crt, or one cut short, is a loader error in every format: exit 2, counted once, sample 0', async () => {
    const fx = await makeCertsDir();
    const crt = join(fx.certsDir, 'client.root.crt');
    const pem = readFileSync(crt, 'latin1');
    const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    for (const [what, content] of [
      ['empty', ''],
      ['truncated', `-----BEGIN CERTIFICATE-----\n${der.subarray(0, der.length >> 1).toString('base64')}\n-----END CERTIFICATE-----\n`],
    ]) {
      writeFileSync(crt, content);
      const t = monitor(['--certs-dir', fx.certsDir]);
      assert.equal(t.status, 2, `${what}: ${t.stdout}${t.stderr}`);
      assert.match(t.stdout, /^ERROR +.*client\.root\.crt: /m, what);
      assert.match(t.stdout, /^CRITICAL: 3 certificates in 1 certs dir; 0 expired, 1 rejected by the loader/m, what);
      const j = monitor(['--certs-dir', fx.certsDir, '--format', 'json']);
      assert.equal(j.status, 2, what);
      const report = JSON.parse(j.stdout);
      assert.equal(report.exitCode, 2, what);
      assert.deepEqual(report.certsDirs, [{ certsDir: fx.certsDir, loaderErrors: 1 }], what);
      assert.equal(report.certificates.find((c: { file: string }) => c.file === 'client.root.crt')?.state, 'error', what);
      const p = monitor(['--certs-dir', fx.certsDir, '--format', 'prometheus']);
      assert.equal(p.status, 2, what);
      strictPrometheusCheck(p.stdout);
      const fams = new Map(parsePrometheus(p.stdout).map((f) => [f.name, f]));
      assert.deepEqual(
        fams.get('security_certificate_expiration_client')?.metrics.map((m) => [m.labels?.file, m.value]),
        [['client.root.crt', '0']],
        what,
      );
      assert.deepEqual(
        fams.get('crdb_tls_certs_dir_loader_errors')?.metrics.map((m) => m.value),
        ['1'],
        what,
      );
    }
  });

  it('--format prometheus: parsed by a text-format parser, one gauge per CockroachDB expiry metric, Unix seconds, loader errors', async () => {
    const a = await makeCertsDir({ users: ['root', 'app.user'] });
    const b = await makeCertsDir({ lifetimeMs: 10 * DAY });
    chmodSync(join(b.certsDir, 'client.root.key'), 0o644);
    const r = monitor(['--certs-dir', a.certsDir, '--certs-dir', b.certsDir, '--format', 'prometheus']);
    assert.equal(r.status, 2, r.stderr);
    strictPrometheusCheck(r.stdout);
    const fams = new Map(parsePrometheus(r.stdout).map((f) => [f.name, f]));
    assert.deepEqual([...fams.keys()].sort(), [
      'crdb_tls_certs_dir_loader_errors',
      'crdb_tls_monitor_last_run_timestamp_seconds',
      'crdb_tls_monitor_warn_window_seconds',
      'security_certificate_expiration_ca',
      'security_certificate_expiration_client',
      'security_certificate_expiration_node',
    ]);
    for (const f of fams.values()) assert.equal(f.type, 'GAUGE');
    const node = fams.get('security_certificate_expiration_node');
    assert.deepEqual(
      node?.metrics.find((m) => m.labels?.certs_dir === a.certsDir),
      {
        value: String(notAfter(join(a.certsDir, 'node.crt'))),
        labels: { certs_dir: a.certsDir, usage: 'Node', file: 'node.crt' },
      },
    );
    const clients = fams.get('security_certificate_expiration_client')?.metrics ?? [];
    assert.deepEqual(
      clients.map((m) => [m.labels?.certs_dir === a.certsDir ? 'a' : 'b', m.labels?.user, m.labels?.file, Number(m.value) > 0]),
      [
        ['a', 'app.user', 'client.app.user.crt', true],
        ['a', 'root', 'client.root.crt', true],
        ['b', 'root', 'client.root.crt', false],
      ],
      'a client cert the loader rejects reports 0, as CockroachDB does',
    );
    const errors = fams.get('crdb_tls_certs_dir_loader_errors')?.metrics ?? [];
    assert.deepEqual(
      errors.map((m) => [m.labels?.certs_dir, m.value]),
      [
        [a.certsDir, '0'],
        [b.certsDir, '1'],
      ],
    );
    assert.equal(fams.get('crdb_tls_monitor_warn_window_seconds')?.metrics[0].value, String(30 * 86400));
  });

  it("--format prometheus: client.node.crt is CockroachDB's node-client metric; a dir named twice is read once; a skipped file has no sample but counts as a loader error, as in the text", async () => {
    const a = await makeCertsDir({ users: ['root', 'node'] });
    // The loader skips ca.old.crt for its name (a left-over of a CA rotation): no expiry sample, one loader error.
    copyFileSync(join(a.certsDir, 'ca.crt'), join(a.certsDir, 'ca.old.crt'));
    const twice = ['--certs-dir', a.certsDir, '--certs-dir', `${a.certsDir}/`, '--certs-dir', join(a.certsDir, '..', 'certs')];
    assert.equal(join(a.certsDir, '..', 'certs'), a.certsDir, 'the fixture dir is named certs');
    const r = monitor([...twice, '--format', 'prometheus']);
    assert.equal(r.status, 2, r.stdout + r.stderr);
    strictPrometheusCheck(r.stdout);
    const fams = new Map(parsePrometheus(r.stdout).map((f) => [f.name, f]));
    assert.deepEqual(
      fams.get('security_certificate_expiration_node_client')?.metrics,
      [
        {
          value: String(notAfter(join(a.certsDir, 'client.node.crt'))),
          labels: { certs_dir: a.certsDir, usage: 'Client', file: 'client.node.crt', user: 'node' },
        },
      ],
      "the node's client certificate",
    );
    assert.deepEqual(
      fams.get('security_certificate_expiration_client')?.metrics.map((m) => m.labels?.user),
      ['root'],
      'client.node.crt is not a client sample',
    );
    assert.deepEqual(
      fams.get('security_certificate_expiration_ca')?.metrics,
      [{ value: String(notAfter(join(a.certsDir, 'ca.crt'))), labels: { certs_dir: a.certsDir, usage: 'CA', file: 'ca.crt' } }],
      'ca.crt once, and no sample (no 0) for ca.old.crt',
    );
    assert.doesNotMatch(r.stdout, /ca\.old\.crt/);
    assert.deepEqual(
      fams.get('crdb_tls_certs_dir_loader_errors')?.metrics.map((m) => [m.labels?.certs_dir, m.value]),
      [[a.certsDir, '1']],
    );
    const t = monitor(twice);
    assert.equal(t.status, 2);
    assert.match(t.stdout, /^ERROR .*ca\.old\.crt: bad filename .*CockroachDB skips this file/m);
    assert.match(t.stdout, /^CRITICAL: 5 certificates in 1 certs dir; 0 expired, 1 rejected by the loader, 0 expiring/m);
    const j = JSON.parse(monitor([...twice, '--format', 'json']).stdout);
    assert.deepEqual(j.certsDirs, [{ certsDir: a.certsDir, loaderErrors: 1 }]);
  });

  it('--format json and --output: the report as plain data, written atomically', async () => {
    const fx = await makeCertsDir({ lifetimeMs: 10 * DAY });
    const out = join(tmpDir(), 'certs.prom');
    const w = monitor(['--certs-dir', fx.certsDir, '--format', 'prometheus', '--output', out]);
    assert.equal(w.status, 1);
    assert.equal(w.stdout, '');
    strictPrometheusCheck(readFileSync(out, 'utf8'));
    const r = monitor(['--certs-dir', fx.certsDir, '--format', 'json']);
    assert.equal(r.status, 1);
    const j = JSON.parse(r.stdout);
    assert.equal(j.exitCode, 1);
    assert.equal(j.state, 'warning');
    assert.equal(j.warnSeconds, 30 * 86400);
    assert.deepEqual(
      j.certificates.map((c: { file: string; state: string; usage: string }) => [c.file, c.usage, c.state]),
      [
        ['ca.crt', 'CA', 'ok'],
        ['node.crt', 'Node', 'warning'],
        ['client.root.crt', 'Client', 'warning'],
      ],
    );
    assert.deepEqual(j.certsDirs, [{ certsDir: fx.certsDir, loaderErrors: 0 }]);
  });
});
