import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runChangefeedUri } from '../../src/cli/changefeed';
import { decodeParam, rawQueryOf } from '../../src/core/changefeed/decode';
import { UserError } from '../../src/core/errors';
import { CertsFixture, makeCertsDir } from '../support/certs';
import { crdbTls, openssl } from '../support/exec';
import { startTlsServer, TlsServerHandle } from '../support/tlsServer';
import { tmpDir } from '../support/tmp';

interface Run {
  code: number | undefined;
  out: string;
  error?: string;
}

/** Runs the command in-process, as main() would, capturing stdout and the one-line error. */
async function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  let out = '';
  try {
    const code = await runChangefeedUri(args, { out: (s) => (out += s), env });
    return { code, out };
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    return { code: undefined, out, error: err.message };
  }
}

describe('crdb-tls changefeed-uri', function () {
  this.timeout(120_000);
  let a: CertsFixture;
  let b: CertsFixture;
  let broker: TlsServerHandle;
  const f = (fx: CertsFixture, n: string) => join(fx.certsDir, n);
  const certArgs = (fx: CertsFixture) => ['--ca-cert', f(fx, 'ca.crt'), '--client-cert', f(fx, 'client.root.crt'), '--client-key', f(fx, 'client.root.key')];

  before(async () => {
    [a, b] = await Promise.all([makeCertsDir({ users: ['root'] }), makeCertsDir({ users: ['root'] })]);
    broker = await startTlsServer({ cert: readFileSync(f(a, 'node.crt')), key: readFileSync(f(a, 'node.key')), ca: readFileSync(f(a, 'ca.crt')) });
  });

  after(() => broker?.close());

  it('prints the URI, then the SQL, then notes as SQL comments', async () => {
    const r = await run([
      '--sink',
      'kafka://broker.example.com:9093',
      ...certArgs(a),
      '--table',
      'movr.rides',
      '--table',
      'users',
      '--external-connection',
      'kafka_sink',
    ]);
    assert.equal(r.code, 0, r.error);
    const lines = r.out.split('\n');
    const uri = lines[0];
    assert.match(uri, /^kafka:\/\/broker\.example\.com:9093\?tls_enabled=true&ca_cert=/);
    assert.ok(decodeParam(rawQueryOf(uri).query, 'client_key').ok);
    assert.equal(lines[1], '');
    assert.equal(lines[2], `CREATE EXTERNAL CONNECTION kafka_sink AS '${uri}';`);
    assert.equal(lines[3], "CREATE CHANGEFEED FOR TABLE movr.rides, users INTO 'external://kafka_sink' WITH updated, resolved;");
    assert.match(r.out, /\n-- ca_cert: CN=Cockroach CA, O=Cockroach, issued by CN=Cockroach CA, O=Cockroach, expires \d{4}-\d\d-\d\d \(\d+ d left\)\n/);
    assert.match(r.out, /\n-- client_key: RSA 2048 bits, matches client_cert\n/);
    assert.match(r.out, /\n-- info sink-tls-enabled-auto: added tls_enabled=true/);
  });

  it('--json: {uri, sql, warnings, errors, certs}', async () => {
    const r = await run(['--sink', 'kafka://b:9093', ...certArgs(a), '--table', 't', '--option', 'updated', '--option', 'resolved=10s', '--json']);
    assert.equal(r.code, 0, r.error);
    const j = JSON.parse(r.out);
    assert.match(j.uri, /^kafka:\/\/b:9093\?tls_enabled=true&/);
    assert.match(j.maskedUri, /client_key=redacted$/);
    assert.deepEqual(j.sql, [`CREATE CHANGEFEED FOR TABLE t INTO '${j.uri}' WITH updated, resolved = '10s';`]);
    assert.deepEqual(
      j.warnings.map((w: { code: string }) => w.code),
      ['sink-tls-enabled-auto', 'sink-keys-in-statement'],
    );
    assert.deepEqual(j.errors, []);
    assert.equal(j.certs.length, 2);
  });

  it('fails with one clear line on a bad input: mismatched key, leaf as CA, missing key, expired, no clientAuth', async () => {
    const mismatch = await run([
      '--sink',
      'kafka://b:9093',
      '--ca-cert',
      f(a, 'ca.crt'),
      '--client-cert',
      f(a, 'client.root.crt'),
      '--client-key',
      f(b, 'client.root.key'),
    ]);
    assert.equal(mismatch.code, undefined);
    assert.equal(mismatch.out, '', 'nothing printed on error');
    assert.ok(mismatch.error?.includes(`${f(b, 'client.root.key')} is not the private key of ${f(a, 'client.root.crt')}`), mismatch.error);
    assert.ok(!mismatch.error?.includes('\n'));

    assert.match((await run(['--sink', 'kafka://b:9093', '--ca-cert', f(a, 'client.root.crt')])).error ?? '', /client\.root\.crt is not a CA certificate/);
    assert.match((await run(['--sink', 'kafka://b:9093', '--client-cert', f(a, 'client.root.crt')])).error ?? '', /client_cert requires client_key to be set/);
    assert.match(
      (await run(['--sink', 'kafka://b:9093', '--ca-cert', f(a, 'ca.crt'), '--tls-enabled=false'])).error ?? '',
      /ca_cert requires tls_enabled=true/,
    );

    const old = await makeCertsDir({ users: ['root'], now: new Date(Date.now() - 400 * 86_400_000), lifetimeMs: 86_400_000 });
    assert.match(
      (await run(['--sink', 'kafka://b:9093', ...certArgs(old)])).error ?? '',
      /client\.root\.crt \(CN=root, O=Cockroach\) expired \d+ (d|mo|y)( \d+ mo)? ago/,
    );

    // A server-only certificate, issued by openssl: no clientAuth in its extended key usage.
    const dir = tmpDir();
    openssl([
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      join(dir, 'srv.key'),
      '-out',
      join(dir, 'srv.crt'),
      '-subj',
      '/CN=srv',
      '-days',
      '30',
      '-addext',
      'extendedKeyUsage=serverAuth',
    ]);
    const noClientAuth = await run(['--sink', 'kafka://b:9093', '--client-cert', join(dir, 'srv.crt'), '--client-key', join(dir, 'srv.key')]);
    assert.match(noClientAuth.error ?? '', /srv\.crt may not be used for client authentication \(extended key usage: serverAuth\)/);

    const json = await run(['--sink', 'kafka://b:9093', '--client-key', f(a, 'client.root.key'), '--json']);
    assert.match(json.error ?? '', /client_key requires client_cert/);
    assert.deepEqual(
      JSON.parse(json.out).errors.map((e: { code: string }) => e.code),
      ['sink-key-without-cert'],
    );
    assert.equal(JSON.parse(json.out).uri, null);
  });

  it('SASL from flags and the environment, webhook and schema registry sinks', async () => {
    const sasl = await run(
      ['--sink', 'kafka://b:9093?topic_prefix=crdb.', '--ca-cert', f(a, 'ca.crt'), '--sasl-user', 'svc', '--sasl-mechanism', 'SCRAM-SHA-256', '--json'],
      { CRDB_TLS_SASL_PASSWORD: 's3cr+t' },
    );
    assert.equal(sasl.code, 0, sasl.error);
    const uri: string = JSON.parse(sasl.out).uri;
    assert.match(uri, /sasl_enabled=true&sasl_mechanism=SCRAM-SHA-256&sasl_user=svc&sasl_password=s3cr%2Bt&topic_prefix=crdb\.$/);

    const hook = await run(['--sink', 'webhook-https://hooks.example.com:8443/cdc', '--ca-cert', f(a, 'ca.crt'), '--table', 't']);
    assert.equal(hook.code, 0, hook.error);
    assert.match(hook.out, /^webhook-https:\/\/hooks\.example\.com:8443\/cdc\?ca_cert=/);

    const avro = await run([
      '--sink',
      'kafka://b:9093',
      '--table',
      't',
      '--schema-registry',
      'https://registry:8081',
      '--registry-ca-cert',
      f(a, 'ca.crt'),
      '--external-connection',
      'cdc',
      '--json',
    ]);
    assert.equal(avro.code, 0, avro.error);
    const j = JSON.parse(avro.out);
    assert.match(j.registryUri, /^https:\/\/registry:8081\?ca_cert=/);
    assert.match(j.sql[2], /format = 'avro', confluent_schema_registry = 'external:\/\/cdc_registry';$/);

    const registryAlone = await run(['--sink', 'https://registry:8081', '--ca-cert', f(a, 'ca.crt'), '--external-connection', 'reg']);
    assert.equal(registryAlone.code, 0, registryAlone.error);
    assert.match(registryAlone.out, /^https:\/\/registry:8081\?ca_cert=\S+\n\nCREATE EXTERNAL CONNECTION reg AS 'https:\/\/registry:8081\?ca_cert=/);
    assert.match((await run(['--sink', 'https://registry:8081', '--table', 't'])).error ?? '', /schema registry URI alone/);
    assert.match((await run(['--sink', 's3://bucket'])).error ?? '', /--sink: s3:\/\/ is not a sink this builds/);
    assert.match((await run(['--sink', 'kafka://b:9093', '--bogus'])).error ?? '', /unknown flag --bogus/);
    assert.match((await run(['--sink', 'kafka://b:9093', '--external-connection', 'My-Sink'])).error ?? '', /e\.g\. my_sink/);
    // Without --sink: one line naming the flag and its forms (it used to print only the usage).
    const usage = await run([]);
    assert.equal(usage.out, '');
    assert.match(usage.error ?? '', /^changefeed-uri: --sink is required: pass --sink kafka:\/\/broker:9093, webhook-https:\/\/.* or https:\/\/registry:8081/);
  });

  it("--check-live: the broker accepts the client certificate and the CA verifies it; another CA's certificate fails", async () => {
    const ok = await run(['--sink', `kafka://${broker.host}:${broker.port}`, ...certArgs(a), '--check-live', '--json']);
    assert.equal(ok.code, 0, ok.error);
    const live = JSON.parse(ok.out).live;
    assert.deepEqual([live.category, live.connected, live.authorized, live.serverVerified], ['ok', true, true, true]);

    const text = await run(['--sink', `kafka://${broker.host}:${broker.port}`, ...certArgs(a), '--check-live']);
    assert.match(text.out, /\n-- live check \(ok\): 127\.0\.0\.1:\d+ accepted the client certificate and its certificate verifies with the CA\.\n/);

    const foreign = await run([
      '--sink',
      `kafka://${broker.host}:${broker.port}`,
      '--ca-cert',
      f(a, 'ca.crt'),
      '--client-cert',
      f(b, 'client.root.crt'),
      '--client-key',
      f(b, 'client.root.key'),
      '--check-live',
    ]);
    assert.match(foreign.error ?? '', /^live check: 127\.0\.0\.1:\d+ .*refused the client certificate/);
  });

  it('through the built CLI (dist/cli.js)', function () {
    const help = crdbTls(['changefeed-uri', '--help']);
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /changefeed-uri/);
    const r = crdbTls(['changefeed-uri', '--sink', 'kafka://b:9093', ...certArgs(a), '--table', 't', '--json']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(JSON.parse(r.stdout).uri, /^kafka:\/\/b:9093\?tls_enabled=true&/);
    const bad = crdbTls(['changefeed-uri', '--sink', 'kafka://b:9093', '--ca-cert', f(a, 'node.crt')]);
    assert.equal(bad.status, 1);
    assert.equal(bad.stdout, '');
    assert.match(bad.stderr, /^crdb-tls: .*node\.crt is not a CA certificate .*\n$/);
    assert.equal(bad.stderr.split('\n').length, 2, 'one line');
  });
});
