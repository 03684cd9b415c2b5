import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { buildSinkUri } from '../../src/core/changefeed/build';
import { decodeParam, parseQuery, rawQueryOf } from '../../src/core/changefeed/decode';
import { encodeFileParam, encodeQueryValue } from '../../src/core/changefeed/encode';
import { parseSinkUri } from '../../src/core/changefeed/parse';
import { makeCertsDir } from '../support/certs';

/** Fixed: a failure replays the same way everywhere (fast-check prints the counterexample). */
const SEED = 20_260_601;
const RUNS = 1000;
const now = new Date();

/** What CockroachDB reads for `param` in `uri`: url.Parse, Query().Get, base64.StdEncoding. */
function cockroachReads(uri: string, param: string): Buffer {
  const d = decodeParam(rawQueryOf(uri).query, param);
  if (!d.ok) throw new Error(d.error);
  return d.bytes;
}

describe('changefeed encoding round trip (property): encode, decode as CockroachDB does, same bytes', () => {
  it('random bytes as a query value', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 3000 }), (arr) => {
        const bytes = Buffer.from(arr);
        assert.ok(cockroachReads(`kafka://b:9093?ca_cert=${encodeFileParam(bytes)}`, 'ca_cert').equals(bytes));
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('random bytes as every certificate parameter of a built Kafka, webhook and registry URI', () => {
    const type = fc.constantFrom('kafka' as const, 'webhook' as const, 'schema-registry' as const);
    const blob = fc.uint8Array({ minLength: 1, maxLength: 1500 }).map((a) => Buffer.from(a));
    fc.assert(
      fc.property(type, blob, blob, blob, (t, ca, cert, key) => {
        const built = buildSinkUri(
          {
            type: t,
            host: 'broker.example.com',
            port: 9093,
            path: '/hook',
            caCert: { content: ca },
            clientCert: { content: cert },
            clientKey: { content: key },
          },
          { now },
        );
        assert.ok(cockroachReads(built.uri, 'ca_cert').equals(ca));
        assert.ok(cockroachReads(built.uri, 'client_cert').equals(cert));
        assert.ok(cockroachReads(built.uri, 'client_key').equals(key));
        // The URI is plain ASCII without quotes or spaces: it can be pasted into SQL and shells as is.
        assert.match(built.uri, /^[A-Za-z0-9\-._~:/?&=%[\],]+$/);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it("random text (passwords, topics, users) comes back exactly from Go's query parsing", () => {
    const text = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 });
    fc.assert(
      fc.property(text, text, text, (user, password, topic) => {
        const built = buildSinkUri({ type: 'kafka', host: 'b', port: 9092, sasl: { user, password }, topicPrefix: topic, tlsEnabled: true }, { now });
        const q = parseQuery(rawQueryOf(built.uri).query);
        const get = (k: string) => q.pairs.find((p) => p.key === k)?.text;
        assert.equal(q.error, undefined);
        assert.deepEqual([get('sasl_user'), get('sasl_password'), get('topic_prefix'), get('sasl_enabled')], [user, password, topic, 'true']);
        assert.equal(encodeQueryValue(password).includes('+'), false);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('the failure modes, on any bytes: a raw "+", URL-safe base64 and missing padding never decode', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 600 }), (arr) => {
        const bytes = Buffer.from(arr);
        const b64 = bytes.toString('base64');
        const q = (v: string) => `ca_cert=${v}`;
        if (b64.includes('+')) {
          // Percent-encode everything but the "+": Go reads it as a space.
          const raw = b64.split('+').map(encodeQueryValue).join('+');
          const d = decodeParam(q(raw), 'ca_cert');
          assert.ok(!d.ok && /^param ca_cert must be base 64 encoded: illegal base64 data at input byte \d+$/.test(d.error));
        }
        if (/[+/]/.test(b64))
          assert.equal(
            decodeParam(q(encodeQueryValue(bytes.toString('base64url') + '='.repeat((4 - (b64.replace(/=+$/, '').length % 4)) % 4))), 'ca_cert').ok,
            false,
          );
        if (b64.endsWith('=')) assert.equal(decodeParam(q(encodeQueryValue(b64.replace(/=+$/, ''))), 'ca_cert').ok, false);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it("the editor's re-encoding fix repairs each failure mode to the exact bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 600 }), fc.constantFrom('plus', 'urlsafe', 'padding'), (arr, mode) => {
        const bytes = Buffer.from(arr);
        const b64 = bytes.toString('base64');
        let value: string;
        if (mode === 'plus') {
          if (!b64.includes('+')) return;
          value = b64.split('+').map(encodeQueryValue).join('+');
        } else if (mode === 'urlsafe') {
          if (!/[+/]/.test(b64)) return;
          value = bytes.toString('base64url');
        } else {
          if (!b64.endsWith('=')) return;
          value = encodeQueryValue(b64.replace(/=+$/, ''));
        }
        const uri = `kafka://b:9093?tls_enabled=true&ca_cert=${value}`;
        const f = parseSinkUri(uri, { now }).findings.find((x) => x.param === 'ca_cert' && x.fixes?.length);
        assert.ok(f, `a fix for ${mode}`);
        assert.equal(f.code, { plus: 'sink-param-plus', urlsafe: 'sink-param-urlsafe-base64', padding: 'sink-param-padding' }[mode]);
        const e = f.fixes?.[0].edits[0];
        assert.ok(e);
        const fixed = uri.slice(0, e.start) + e.newText + uri.slice(e.end);
        assert.ok(cockroachReads(fixed, 'ca_cert').equals(bytes));
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});

describe('changefeed encoding round trip on real PEM files issued by the core', function () {
  this.timeout(120_000);
  let files: string[] = [];

  before(async () => {
    const a = await makeCertsDir({ users: ['root', 'maxroach', 'app_user'], pkcs8: true });
    const b = await makeCertsDir({ users: ['app'], clientCa: true });
    files = [a, b].flatMap((f) => readdirSync(f.certsDir).map((n) => join(f.certsDir, n)));
  });

  it('every certificate and key file, alone and as each parameter, decodes back byte for byte', () => {
    assert.ok(files.length >= 10, files.join(' '));
    for (const file of files) {
      const bytes = readFileSync(file);
      for (const type of ['kafka', 'webhook', 'schema-registry'] as const) {
        const built = buildSinkUri({ type, host: '127.0.0.1', port: 9093, caCert: { file }, clientCert: { file }, clientKey: { file } }, { now });
        for (const p of ['ca_cert', 'client_cert', 'client_key']) assert.ok(cockroachReads(built.uri, p).equals(bytes), `${file} as ${p} (${type})`);
      }
    }
  });

  it('a bundle of CA certificates (rotation) round-trips too', () => {
    const cas = files.filter((f) => /ca(-client)?\.crt$/.test(f));
    const bundle = Buffer.concat(cas.map((f) => readFileSync(f)));
    const built = buildSinkUri({ type: 'kafka', host: 'b', port: 9093, caCert: { content: bundle, label: 'bundle.crt' } }, { now });
    assert.ok(cockroachReads(built.uri, 'ca_cert').equals(bundle));
    assert.deepEqual(
      built.findings.filter((f) => f.severity === 'error'),
      [],
    );
    assert.equal(built.certs.length, cas.length);
  });
});
