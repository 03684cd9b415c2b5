import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BuildInput, BuildResult, SinkSpec, buildChangefeed } from '../../src/core/changefeed/build';
import { decodeParam, rawQueryOf } from '../../src/core/changefeed/decode';
import { sinkSpecFromUrl } from '../../src/core/changefeed/spec';
import { checkConnectionName, createChangefeed, parseOption, tableName } from '../../src/core/changefeed/sql';
import { CertsFixture, makeCertsDir } from '../support/certs';

const DAY = 86_400_000;

function codes(r: BuildResult): string[] {
  return [...r.errors, ...r.warnings].map((f) => f.code);
}

function one(r: BuildResult, code: string) {
  const f = [...r.errors, ...r.warnings].find((x) => x.code === code);
  assert.ok(f, `expected ${code}, got ${JSON.stringify([...r.errors, ...r.warnings], null, 1)}`);
  return f;
}

describe('changefeed sink URI builder: checks on real files issued by the core', function () {
  this.timeout(120_000);
  let good: CertsFixture;
  let other: CertsFixture;
  let expired: CertsFixture;
  let expiring: CertsFixture;
  const f = (fx: CertsFixture, name: string) => join(fx.certsDir, name);
  const kafka = (extra: Partial<SinkSpec> = {}): SinkSpec => ({
    type: 'kafka',
    host: 'broker.example.com',
    port: 9093,
    caCert: { file: f(good, 'ca.crt') },
    clientCert: { file: f(good, 'client.root.crt') },
    clientKey: { file: f(good, 'client.root.key') },
    ...extra,
  });
  const build = (sink: SinkSpec, rest: Omit<BuildInput, 'sink'> = {}) => buildChangefeed({ sink, ...rest });

  before(async () => {
    [good, other, expired, expiring] = await Promise.all([
      makeCertsDir({ users: ['root'] }),
      makeCertsDir({ users: ['root'] }),
      makeCertsDir({ users: ['root'], now: new Date(Date.now() - 400 * DAY), lifetimeMs: 30 * DAY }),
      makeCertsDir({ users: ['root'], lifetimeMs: 20 * DAY }),
    ]);
  });

  it('builds a Kafka URI with tls_enabled set for the certificates, and says so', () => {
    const r = build(kafka(), { changefeed: { tables: ['movr.public.rides', 'users'] } });
    assert.deepEqual(r.errors, []);
    assert.ok(r.ok);
    assert.match(r.uri, /^kafka:\/\/broker\.example\.com:9093\?tls_enabled=true&ca_cert=[^&]+&client_cert=[^&]+&client_key=[^&]+$/);
    assert.equal(one(r, 'sink-tls-enabled-auto').severity, 'info');
    for (const [p, file] of [
      ['ca_cert', 'ca.crt'],
      ['client_cert', 'client.root.crt'],
      ['client_key', 'client.root.key'],
    ]) {
      const d = decodeParam(rawQueryOf(r.uri).query, p);
      assert.ok(d.ok && d.bytes.equals(readFileSync(f(good, file))), p);
    }
    assert.deepEqual(
      r.certs.map((c) => [c.param, c.subject]),
      [
        ['ca_cert', 'CN=Cockroach CA, O=Cockroach'],
        ['client_cert', 'CN=root, O=Cockroach'],
      ],
    );
    assert.equal(r.key?.description, 'RSA 2048 bits');
    assert.match(r.maskedUri, /client_key=redacted$/);
    assert.match(r.displayUri, /ca_cert=<\d+ chars>&client_cert=<\d+ chars>&client_key=redacted$/);
    assert.deepEqual(r.sql, [`CREATE CHANGEFEED FOR TABLE movr.public.rides, users INTO '${r.uri}' WITH updated, resolved;`]);
    assert.equal(one(r, 'sink-keys-in-statement').severity, 'warning');
  });

  it('writes the recommended external-connection form, keeping the keys out of the changefeed', () => {
    const r = build(kafka(), {
      changefeed: { tables: ['t1', 't2'], options: [{ name: 'updated' }, { name: 'resolved', value: '10s' }], externalConnection: 'kafka_sink' },
    });
    assert.deepEqual(r.sql, [
      `CREATE EXTERNAL CONNECTION kafka_sink AS '${r.uri}';`,
      "CREATE CHANGEFEED FOR TABLE t1, t2 INTO 'external://kafka_sink' WITH updated, resolved = '10s';",
    ]);
    assert.equal(r.directSql.length, 1);
    assert.ok(!codes(r).includes('sink-keys-in-statement'));
  });

  it("a key that is not the client certificate's: error naming both files", () => {
    const r = build(kafka({ clientKey: { file: f(other, 'client.root.key') } }));
    assert.equal(r.ok, false);
    assert.deepEqual(r.sql, []);
    const e = one(r, 'sink-key-mismatch');
    assert.ok(e.message.includes(f(other, 'client.root.key')) && e.message.includes(f(good, 'client.root.crt')), e.message);
    assert.match(e.message, /pass the key file issued with that certificate/);
  });

  it('an expired client certificate: error; one expiring soon: a warning only', () => {
    const r = build(kafka({ clientCert: { file: f(expired, 'client.root.crt') }, clientKey: { file: f(expired, 'client.root.key') } }));
    const e = one(r, 'sink-cert-expired');
    assert.equal(e.severity, 'error');
    assert.match(e.message, /client\.root\.crt \(CN=root, O=Cockroach\) expired (1 y|11 mo|12 mo) ago: connections using it fail now; issue it again\./);
    const soon = build(kafka({ clientCert: { file: f(expiring, 'client.root.crt') }, clientKey: { file: f(expiring, 'client.root.key') } }));
    assert.ok(soon.ok);
    assert.match(one(soon, 'sink-cert-expiring').message, /expires in 19 d: rotate it now/);
  });

  it('an expired CA is an error too, and a CA under a year a warning (checked at a chosen now)', () => {
    const later = new Date(Date.now() + 3700 * DAY);
    assert.match(
      one(build(kafka({ clientCert: undefined, clientKey: undefined }), { now: later }), 'sink-cert-expired').message,
      /ca\.crt \(CA CN=Cockroach CA, O=Cockroach\) expired .* rotate the CA/,
    );
    const r = build(kafka({ clientCert: undefined, clientKey: undefined }), { now: new Date(Date.now() + 3400 * DAY) });
    assert.ok(r.ok);
    assert.match(one(r, 'sink-cert-expiring').message, /plan the CA rotation/);
  });

  it('a leaf certificate passed as the CA: error with the fix', () => {
    const r = build(kafka({ caCert: { file: f(good, 'node.crt') } }));
    const e = one(r, 'sink-ca-not-ca');
    assert.match(
      e.message,
      /node\.crt is not a CA certificate \(subject CN=node, O=Cockroach, issued by CN=Cockroach CA, O=Cockroach\): pass the CA certificate that issued the server's certificate/,
    );
  });

  it('a certificate without its key, or a key without its certificate: error', () => {
    assert.match(
      one(build(kafka({ clientKey: undefined })), 'sink-cert-without-key').message,
      /client_cert requires client_key to be set: pass the key of .*client\.root\.crt too/,
    );
    assert.match(one(build(kafka({ clientCert: undefined })), 'sink-key-without-cert').message, /client_key requires client_cert to be set/);
  });

  it('swapped, missing or empty files: errors naming the file', () => {
    const swapped = build(kafka({ clientCert: { file: f(good, 'client.root.key') }, clientKey: { file: f(good, 'client.root.crt') } }));
    assert.match(one(swapped, 'sink-cert-invalid').message, /block #0 in .*client\.root\.key is of type RSA PRIVATE KEY, not CERTIFICATE/);
    assert.match(one(swapped, 'sink-key-invalid').message, /client\.root\.crt is not a PEM private key/);
    const missing = build(kafka({ caCert: { file: join(good.root, 'nope.crt') } }));
    assert.match(one(missing, 'sink-file-unreadable').message, /cannot read .*nope\.crt for ca_cert: no such file \(ENOENT\); check the path\./);
    assert.match(one(build(kafka({ caCert: { content: '', label: 'empty.crt' } })), 'sink-cert-invalid').message, /empty\.crt is empty/);
    assert.match(one(build(kafka({ caCert: { content: 'hello', label: 'x.crt' } })), 'sink-cert-invalid').message, /x\.crt is not PEM/);
    // A missing key file is reported once, as unreadable, not also as "client_cert requires client_key".
    const noKey = build(kafka({ clientKey: { file: join(good.root, 'gone.key') } }));
    assert.deepEqual(
      noKey.errors.map((e) => e.code),
      ['sink-file-unreadable'],
    );
  });

  it('Kafka: tls_enabled=false with certificates is an error; skip-verify is warned against', () => {
    const r = build(kafka({ tlsEnabled: false }));
    assert.deepEqual(
      r.errors.filter((e) => e.code === 'sink-tls-disabled').map((e) => e.param),
      ['ca_cert', 'client_cert'],
    );
    assert.match(r.errors[r.errors.length - 1].message, /requires tls_enabled=true, but tls_enabled=false was asked for/);
    const insecure = build({ type: 'kafka', host: 'b', port: 9093, insecureTlsSkipVerify: true });
    assert.ok(insecure.ok);
    assert.match(insecure.uri, /\?tls_enabled=true&insecure_tls_skip_verify=true$/);
    assert.match(one(insecure, 'sink-insecure-skip-verify').message, /will not verify the broker's certificate/);
    assert.deepEqual(build({ type: 'kafka', host: 'b', port: 9093 }).uri, 'kafka://b:9093');
    assert.match(one(build({ type: 'kafka', host: 'b' }), 'sink-port-missing').message, /needs a port .* kafka:\/\/b:9093/);
    assert.match(one(build({ type: 'kafka', host: 'https://b/x', port: 1 }), 'sink-host-invalid').message, /is not a valid host name/);
  });

  it('Kafka SASL: enabled when credentials are given, the rules CockroachDB applies, secrets percent-encoded and masked', () => {
    const r = build({
      type: 'kafka',
      host: 'b',
      port: 9093,
      caCert: { file: f(good, 'ca.crt') },
      sasl: { user: 'svc', password: "p+a/s=s&w'd", mechanism: 'scram-sha-512' },
    });
    assert.ok(r.ok, JSON.stringify(r.errors));
    assert.match(r.uri, /&sasl_enabled=true&sasl_mechanism=SCRAM-SHA-512&sasl_user=svc&sasl_password=p%2Ba%2Fs%3Ds%26w%27d$/);
    assert.match(r.maskedUri, /sasl_password=redacted$/);
    assert.equal(
      one(build({ type: 'kafka', host: 'b', port: 9093, sasl: { user: 'svc' } }), 'sink-sasl-password-missing').message,
      'sasl_password must be provided when SASL is enabled: give the SASL password.',
    );
    assert.match(
      one(build({ type: 'kafka', host: 'b', port: 9093, sasl: { enabled: false, user: 'svc', password: 'x' } }), 'sink-sasl-disabled').message,
      /sasl_enabled must be enabled if sasl_user is provided/,
    );
    assert.match(
      one(build({ type: 'kafka', host: 'b', port: 9093, sasl: { user: 'u', password: 'p', mechanism: 'GSSAPI' } }), 'sink-sasl-mechanism').message,
      /use one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512/,
    );
    assert.match(
      one(build({ type: 'kafka', host: 'b', port: 9093, sasl: { user: 'u', password: 'p' } }), 'sink-sasl-without-tls').message,
      /the password and the feed travel in clear text/,
    );
  });

  it('webhook: https, path kept, Kafka-only settings refused, extra parameters forwarded', () => {
    const r = build(
      { type: 'webhook', host: 'hooks.example.com', path: '/cdc/in box', caCert: { file: f(good, 'ca.crt') }, params: [['source', 'crdb']] },
      { changefeed: { tables: ['t'] } },
    );
    assert.ok(r.ok, JSON.stringify(r.errors));
    assert.match(r.uri, /^webhook-https:\/\/hooks\.example\.com\/cdc\/in%20box\?ca_cert=[^&]+&source=crdb$/);
    assert.ok(!r.uri.includes('tls_enabled'));
    assert.match(one(build({ type: 'webhook', host: 'h', tlsEnabled: true }), 'sink-param-not-for-sink').message, /tls_enabled is a Kafka parameter/);
    assert.match(one(build({ type: 'webhook', host: 'h', topicPrefix: 'x' }), 'sink-param-not-for-sink').message, /topic_prefix is a Kafka parameter/);
    assert.match(
      one(build({ type: 'webhook', host: 'h' }, { changefeed: { tables: ['t'], options: [{ name: 'format', value: 'avro' }] } }), 'sink-format-unsupported')
        .message,
      /json or csv, not avro/,
    );
    assert.match(
      one(build({ type: 'kafka', host: 'b', port: 1, params: [['tls_enable', 'true']] }), 'sink-param-unknown').message,
      /unknown kafka sink query parameter tls_enable/,
    );
  });

  it('avro: Kafka needs a schema registry; its URI embeds its own certificates and gets its own external connection', () => {
    const avro = { tables: ['t'], options: [{ name: 'updated' }, { name: 'format', value: 'avro' }] };
    assert.match(one(build(kafka(), { changefeed: avro }), 'sink-avro-registry-missing').message, /format=avro requires option confluent_schema_registry/);
    const registry: SinkSpec = {
      type: 'schema-registry',
      host: 'registry.example.com',
      port: 8081,
      caCert: { file: f(good, 'ca.crt') },
      clientCert: { file: f(good, 'client.root.crt') },
      clientKey: { file: f(good, 'client.root.key') },
    };
    const r = build(kafka(), { changefeed: { tables: ['t'], externalConnection: 'cdc', schemaRegistry: registry } });
    assert.ok(r.ok, JSON.stringify(r.errors));
    assert.match(r.registryUri ?? '', /^https:\/\/registry\.example\.com:8081\?ca_cert=.+&client_cert=.+&client_key=.+$/);
    assert.ok(!(r.registryUri ?? '').includes('tls_enabled'));
    assert.deepEqual(
      r.sql.map((s) => s.slice(0, 60)),
      [
        `CREATE EXTERNAL CONNECTION cdc AS '${r.uri}'`.slice(0, 60),
        `CREATE EXTERNAL CONNECTION cdc_registry AS '${r.registryUri}'`.slice(0, 60),
        "CREATE CHANGEFEED FOR TABLE t INTO 'external://cdc' WITH upd",
      ],
    );
    assert.match(r.sql[2], /WITH updated, resolved, format = 'avro', confluent_schema_registry = 'external:\/\/cdc_registry';$/);
    assert.equal(one(r, 'sink-format-avro-auto').severity, 'info');
    assert.match(
      one(
        build(kafka(), { changefeed: { tables: ['t'], schemaRegistry: { ...registry, clientKey: { file: f(other, 'client.root.key') } } } }),
        'sink-key-mismatch',
      ).message,
      /^schema registry: /,
    );
  });

  it('SQL names, options and connection names are checked and quoted', () => {
    assert.deepEqual(
      ['t', 'db.public.t', 'MyTable', 'user', 'my table', '"Mixed"."Case"', 'a."b""c"'].map((t) => tableName(t).sql),
      ['t', 'db.public.t', 'MyTable', '"user"', '"my table"', '"Mixed"."Case"', 'a."b""c"'],
    );
    assert.match(tableName('a..b').error ?? '', /empty part/);
    assert.match(tableName('a.b.c.d').error ?? '', /more than three parts/);
    assert.equal(checkConnectionName('kafka_sink'), undefined);
    assert.match(checkConnectionName('Kafka-Sink') ?? '', /not a plain SQL identifier: .* e\.g\. kafka_sink\./);
    assert.match(checkConnectionName('select') ?? '', /reserved SQL keyword/);
    assert.match(one(build(kafka(), { changefeed: { tables: ['t'], externalConnection: '1st' } }), 'sink-connection-name').message, /e\.g\. _1st/);
    assert.deepEqual(
      [parseOption('updated'), parseOption('resolved=10s'), parseOption("format='avro'"), parseOption('Diff')],
      [{ name: 'updated' }, { name: 'resolved', value: '10s' }, { name: 'format', value: 'avro' }, { name: 'diff' }],
    );
    assert.equal(
      createChangefeed(['t'], "kafka://b:1?x=it's", [{ name: 'initial_scan', value: "o'k" }]),
      "CREATE CHANGEFEED FOR TABLE t INTO 'kafka://b:1?x=it''s' WITH initial_scan = 'o''k';",
    );
    assert.equal(one(build(kafka(), { changefeed: { tables: ['t'], options: [{ name: 'updatd' }] } }), 'sink-option-unknown').severity, 'warning');
    assert.equal(build(kafka(), { changefeed: { tables: ['t'], options: [] } }).directSql[0].endsWith(`'${build(kafka()).uri}';`), true);
  });

  it("a base URL (the CLI's --sink) becomes a spec; embedded certificates are checked like files", () => {
    const first = build(kafka({ sasl: { user: 'u', password: 'p w' }, topicPrefix: 'crdb.' }));
    const { spec, findings } = sinkSpecFromUrl(first.uri);
    assert.deepEqual(findings, []);
    assert.ok(spec);
    const again = build(spec);
    assert.equal(again.uri, first.uri);
    assert.deepEqual(
      again.certs.map((c) => c.subject),
      first.certs.map((c) => c.subject),
    );
    assert.deepEqual(sinkSpecFromUrl('kafka://b1:9093,b2:9094').spec, { type: 'kafka', host: 'b1', port: 9093, moreHosts: [{ host: 'b2', port: 9094 }] });
    assert.equal(build(sinkSpecFromUrl('kafka://b1:9093,[::1]:9094').spec as SinkSpec).uri, 'kafka://b1:9093,[::1]:9094');
    assert.match(sinkSpecFromUrl('webhook-http://h/x').findings[0].message, /require https/);
    assert.match(sinkSpecFromUrl('s3://bucket').findings[0].message, /not a sink this builds/);
    assert.match(
      sinkSpecFromUrl('kafka://b:9093?ca_cert=QQ').findings[0].message,
      /param ca_cert must be base 64 encoded: illegal base64 data at input byte 0/,
    );
  });
});
