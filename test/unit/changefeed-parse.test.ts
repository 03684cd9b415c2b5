import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildChangefeed } from '../../src/core/changefeed/build';
import { encodeFileParam, encodeQueryValue } from '../../src/core/changefeed/encode';
import { checkSinkUrisInText, findSinkUris } from '../../src/core/changefeed/inText';
import { parseSinkUri } from '../../src/core/changefeed/parse';
import { SinkFinding, TextEdit } from '../../src/core/changefeed/types';
import { CertsFixture, makeCertsDir } from '../support/certs';

const DAY = 86_400_000;

function apply(text: string, edits: readonly TextEdit[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.newText + out.slice(e.end);
  return out;
}

function find(findings: SinkFinding[], code: string): SinkFinding {
  const f = findings.find((x) => x.code === code);
  assert.ok(f, `expected ${code}, got ${JSON.stringify(findings.map((x) => [x.code, x.message]))}`);
  return f;
}

describe('changefeed sink URIs in text: parse, check, hover data, quick fixes', function () {
  this.timeout(120_000);
  let good: CertsFixture;
  let expired: CertsFixture;
  const file = (fx: CertsFixture, n: string) => join(fx.certsDir, n);
  let uri: string;

  before(async () => {
    [good, expired] = await Promise.all([
      makeCertsDir({ users: ['root'] }),
      makeCertsDir({ users: ['root'], now: new Date(Date.now() - 400 * DAY), lifetimeMs: 30 * DAY }),
    ]);
    uri = buildChangefeed({
      sink: {
        type: 'kafka',
        host: 'broker',
        port: 9093,
        caCert: { file: file(good, 'ca.crt') },
        clientCert: { file: file(good, 'client.root.crt') },
        clientKey: { file: file(good, 'client.root.key') },
      },
    }).uri;
  });

  it('finds Kafka, webhook and schema registry URIs with their spans, quoted or not', () => {
    const text = [
      "CREATE CHANGEFEED FOR TABLE t INTO 'kafka://b:9093?topic_prefix=it''s' WITH format = avro, confluent_schema_registry = 'https://reg:8081?ca_cert=QQ%3D%3D';",
      "CREATE EXTERNAL CONNECTION hook AS 'webhook-https://h/x?ca_cert=QQ%3D%3D';",
      'sink: kafka://b2:9092?tls_enabled=true  # yaml',
      "SELECT 'https://not-a-sink.example.com';",
    ].join('\n');
    const found = findSinkUris(text);
    assert.deepEqual(
      found.map((f) => [f.type, f.uri, text.slice(f.span.start, f.span.end), f.quote ?? null, f.context]),
      [
        ['kafka', "kafka://b:9093?topic_prefix=it's", "kafka://b:9093?topic_prefix=it''s", "'", 'create-changefeed'],
        ['schema-registry', 'https://reg:8081?ca_cert=QQ%3D%3D', 'https://reg:8081?ca_cert=QQ%3D%3D', "'", 'create-changefeed'],
        ['webhook', 'webhook-https://h/x?ca_cert=QQ%3D%3D', 'webhook-https://h/x?ca_cert=QQ%3D%3D', "'", 'create-external-connection'],
        ['kafka', 'kafka://b2:9092?tls_enabled=true', 'kafka://b2:9092?tls_enabled=true', null, 'other'],
      ],
    );
    assert.deepEqual(found[0].escapes, [30]);
    assert.equal(found[0].statementStart, 0);
  });

  it('decodes the embedded certificates of a built URI (subject, expiry, key) with no findings', () => {
    const p = parseSinkUri(uri);
    assert.deepEqual(p.findings, []);
    assert.equal(p.type, 'kafka');
    assert.deepEqual(
      p.hosts.map((h) => [h.host, h.port]),
      [['broker', 9093]],
    );
    assert.deepEqual(
      p.certs.map((c) => [c.param, c.subject, c.isCA]),
      [
        ['ca_cert', 'CN=Cockroach CA, O=Cockroach', true],
        ['client_cert', 'CN=root, O=Cockroach', false],
      ],
    );
    assert.ok(p.certs.every((c) => c.daysLeft > 1000 && /^\d{4}-\d\d-\d\dT/.test(c.notAfter)));
    assert.equal(p.key?.description, 'RSA 2048 bits');
    const kv = p.params.find((x) => x.key === 'client_key');
    assert.ok(kv);
    assert.equal(uri.slice(kv.valueSpan.start, kv.valueSpan.end), encodeFileParam(readFileSync(file(good, 'client.root.key'))));
  });

  it('values CockroachDB would fail to decode: raw "+", URL-safe, missing padding, raw PEM, bad escapes, with fixes', () => {
    const bytes = Buffer.from([0xfb, 0xef, 0xbe, 0x01, 0x02]); // base64 "++++AQI="
    const plus = parseSinkUri(`kafka://b:9093?tls_enabled=true&ca_cert=${bytes.toString('base64')}`);
    const f = find(plus.findings, 'sink-param-plus');
    assert.match(
      f.message,
      /ca_cert: a raw "\+" in a URL query reads as a space, which base64 does not allow \(param ca_cert must be base 64 encoded: illegal base64 data at input byte 0\); encode the file's bytes as standard base64 with padding, then percent-encode it/,
    );
    assert.equal(f.fixes?.[0].edits[0].newText, encodeFileParam(bytes));

    const pem = readFileSync(file(good, 'ca.crt'));
    const noPad = parseSinkUri(`kafka://b:9093?tls_enabled=true&ca_cert=${encodeQueryValue(pem.toString('base64').replace(/=+$/, ''))}`);
    assert.equal(find(noPad.findings, 'sink-param-padding').fixes?.[0].edits[0].newText, encodeFileParam(pem));
    assert.deepEqual(noPad.certs, [], 'nothing decoded: CockroachDB would refuse it');

    const urlSafe = parseSinkUri(`kafka://b:9093?tls_enabled=true&ca_cert=${bytes.toString('base64url')}`);
    assert.match(find(urlSafe.findings, 'sink-param-urlsafe-base64').message, /URL-safe base64/);

    const rawPem = parseSinkUri(`kafka://b:9093?tls_enabled=true&ca_cert=${encodeQueryValue(pem)}`);
    const r = find(rawPem.findings, 'sink-param-raw-pem');
    assert.match(r.message, /PEM text, not base64/);
    assert.equal(r.fixes?.[0].edits[0].newText, encodeFileParam(pem));

    const escape = parseSinkUri('kafka://b:9093?tls_enabled=true&ca_cert=%ZZ&topic_prefix=x');
    assert.match(find(escape.findings, 'sink-param-escape').message, /^invalid URL escape "%ZZ": Go's URL parser drops this whole parameter/);
  });

  it('Kafka rules: missing or false tls_enabled (fixed by an edit), unpaired cert or key, SASL, unknown and duplicate parameters', () => {
    const ca = encodeFileParam(readFileSync(file(good, 'ca.crt')));
    const noTls = `kafka://b:9093?ca_cert=${ca}`;
    const f = find(parseSinkUri(noTls).findings, 'sink-tls-missing');
    assert.match(f.message, /^ca_cert requires tls_enabled=true/);
    const fixed = apply(noTls, f.fixes?.[0].edits ?? []);
    assert.ok(fixed.endsWith('&tls_enabled=true'));
    assert.deepEqual(parseSinkUri(fixed).findings, []);
    const off = `kafka://b:9093?tls_enabled=false&ca_cert=${ca}`;
    const g = find(parseSinkUri(off).findings, 'sink-tls-disabled');
    assert.deepEqual(parseSinkUri(apply(off, g.fixes?.[0].edits ?? [])).findings, []);

    const cert = encodeFileParam(readFileSync(file(good, 'client.root.crt')));
    assert.match(
      find(parseSinkUri(`kafka://b:9093?tls_enabled=true&client_cert=${cert}`).findings, 'sink-cert-without-key').message,
      /client_cert requires client_key to be set/,
    );
    assert.match(
      find(parseSinkUri('kafka://b:9093?tls_enabled=true&client_key=QQ%3D%3D').findings, 'sink-key-without-cert').message,
      /client_key requires client_cert to be set/,
    );

    assert.match(
      find(parseSinkUri('kafka://b:9093?sasl_user=u&sasl_password=p').findings, 'sink-sasl-disabled').message,
      /sasl_enabled must be enabled if sasl_user is provided/,
    );
    assert.match(
      find(parseSinkUri('kafka://b:9093?sasl_enabled=true&sasl_user=u').findings, 'sink-sasl-password-missing').message,
      /sasl_password must be provided when SASL is enabled/,
    );
    assert.match(find(parseSinkUri('kafka://b:9093?sasl_enabled=maybe').findings, 'sink-param-bool').message, /param sasl_enabled must be a bool/);
    assert.match(find(parseSinkUri('kafka://b:9093?topic_prefx=a').findings, 'sink-param-unknown').message, /unknown kafka sink query parameter topic_prefx/);
    assert.match(find(parseSinkUri('kafka://b:9093?topic_prefix=a&topic_prefix=b').findings, 'sink-param-duplicate').message, /only the first value/);
    assert.match(find(parseSinkUri('kafka://b?topic_prefix=a').findings, 'sink-port-missing').message, /needs a port/);
    assert.equal(find(parseSinkUri('kafka://b:9093?tls_enabled=true&insecure_tls_skip_verify=true').findings, 'sink-insecure-skip-verify').severity, 'warning');
    const http = parseSinkUri('webhook-http://h/x');
    assert.equal(apply('webhook-http://h/x', find(http.findings, 'sink-webhook-http').fixes?.[0].edits ?? []), 'webhook-https://h/x');
    const reg = 'http://registry:8081?ca_cert=QQ%3D%3D';
    assert.equal(apply(reg, find(parseSinkUri(reg).findings, 'sink-registry-http').fixes?.[0].edits ?? []), 'https://registry:8081?ca_cert=QQ%3D%3D');
    // A webhook forwards unknown parameters to its endpoint: not flagged.
    assert.deepEqual(parseSinkUri('webhook-https://h/x?anything=1').findings, []);
  });

  it('an expired embedded certificate, a leaf as CA, a mismatched key: findings on the value', () => {
    const bad = buildChangefeed({
      sink: {
        type: 'kafka',
        host: 'b',
        port: 9093,
        caCert: { file: file(good, 'node.crt') },
        clientCert: { file: file(expired, 'client.root.crt') },
        clientKey: { file: file(good, 'client.root.key') },
      },
    }).uri;
    const p = parseSinkUri(bad);
    const exp = find(p.findings, 'sink-cert-expired');
    const certParam = p.params.find((x) => x.key === 'client_cert');
    assert.deepEqual(exp.range, certParam?.valueSpan);
    assert.match(exp.message, /^the client_cert value \(CN=root, O=Cockroach\) expired \d+ (d|mo|y)( \d+ mo)? ago/);
    assert.match(find(p.findings, 'sink-ca-not-ca').message, /^the ca_cert value is not a CA certificate/);
    assert.match(find(p.findings, 'sink-key-mismatch').message, /^the client_key value is not the private key of the client_cert value/);
    assert.ok(p.certs.find((c) => c.param === 'client_cert' && c.daysLeft < -300));
  });

  it('keys embedded in CREATE CHANGEFEED: a warning whose fix moves the URI into an external connection', () => {
    const text = `-- feed\n  CREATE CHANGEFEED FOR TABLE t INTO '${uri}' WITH updated;\n`;
    const [check] = checkSinkUrisInText(text);
    const w = find(check.findings, 'sink-keys-in-statement');
    assert.equal(w.severity, 'warning');
    assert.equal(text.slice(w.range?.start, w.range?.end), uri);
    const fixed = apply(text, w.fixes?.[0].edits ?? []);
    assert.equal(
      fixed,
      `-- feed\n  CREATE EXTERNAL CONNECTION kafka_sink AS '${uri}';\n  CREATE CHANGEFEED FOR TABLE t INTO 'external://kafka_sink' WITH updated;\n`,
    );
    const again = checkSinkUrisInText(fixed);
    assert.deepEqual(
      again.map((c) => [c.found.context, c.findings]),
      [['create-external-connection', []]],
    );
    // The same URI in an external connection statement is the recommended form: nothing to say.
    assert.deepEqual(checkSinkUrisInText(`CREATE EXTERNAL CONNECTION k AS '${uri}';`)[0].findings, []);
  });

  it('maps ranges through doubled quotes to the document', () => {
    const text = "CREATE CHANGEFEED FOR TABLE t INTO 'kafka://b:9093?topic_prefix=it''s&sasl_user=x';";
    const [c] = checkSinkUrisInText(text);
    const f = find(c.findings, 'sink-sasl-disabled');
    assert.equal(text.slice(f.range?.start, f.range?.end), 'sasl_user');
  });
});
