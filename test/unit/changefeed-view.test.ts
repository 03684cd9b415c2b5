import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { BuildResult, buildChangefeed } from '../../src/core/changefeed/build';
import { listCertsDir } from '../../src/core/certsdir/list';
import { BuilderForm, DEFAULT_FORM } from '../../src/extension/changefeed/form';
import type { BuilderView } from '../../src/extension/changefeed/protocol';
import { ClusterCerts, applyChange, applyPicked, choicesOf, computeView, liveTarget, outgoing, pairKeys } from '../../src/extension/changefeed/viewModel';
import { CertsFixture, makeCertsDir } from '../support/certs';

const DAY = 86_400_000;

describe('changefeed builder view model: form state in, what the webview shows out', function () {
  this.timeout(120_000);
  let good: CertsFixture;
  let other: CertsFixture;
  let expiring: CertsFixture;
  let clusters: ClusterCerts[];
  const f = (fx: CertsFixture, name: string) => join(fx.certsDir, name);
  const now = new Date();

  const view = (form: Partial<BuilderForm>, extra: { trusted?: boolean; insertTarget?: string } = {}) =>
    computeView(buildChangefeed, { form: { ...DEFAULT_FORM, ...form }, clusters, trusted: extra.trusted ?? true, insertTarget: extra.insertTarget }, { now });
  const codes = (v: BuilderView) => v.findings.map((x) => x.code);
  const withCerts = (): Partial<BuilderForm> => ({
    host: 'broker.example.com',
    tables: 'movr.public.rides',
    caCert: f(good, 'ca.crt'),
    clientCert: f(good, 'client.root.crt'),
    clientKey: f(good, 'client.root.key'),
  });

  before(async () => {
    [good, other, expiring] = await Promise.all([
      makeCertsDir({ users: ['root', 'maxroach'] }),
      makeCertsDir({ users: ['root'] }),
      makeCertsDir({ users: ['root'], lifetimeMs: 20 * DAY }),
    ]);
    clusters = [
      { cluster: { name: 'good' }, entries: listCertsDir(good.certsDir, { now }) },
      { cluster: { name: 'other' }, entries: listCertsDir(other.certsDir, { now }) },
    ];
  });

  it("offers the tree's CAs, client certificates and keys in the pickers, each file once", () => {
    const c = choicesOf([...clusters, clusters[0]]);
    assert.deepEqual(
      c.ca.map((x) => x.label),
      ['good: ca.crt', 'other: ca.crt'],
    );
    assert.deepEqual(c.client.map((x) => x.label).sort(), ['good: client.maxroach.crt', 'good: client.root.crt', 'other: client.root.crt']);
    assert.ok(
      c.key.every((x) => /^key of client\.\w+\.crt$/.test(x.description)),
      JSON.stringify(c.key),
    );
    assert.equal(c.key.length, 3);
  });

  it('an empty form: the missing host, no SQL, and why', () => {
    const { view: v, result } = view({});
    assert.ok(result);
    assert.equal(v.ok, false);
    assert.deepEqual(codes(v), ['sink-host-missing']);
    assert.deepEqual(v.sql, []);
    assert.equal(v.sqlForm, 'none');
    assert.equal(v.sqlHint, 'Fix the errors to get the SQL.');
    assert.equal(v.insertTarget, 'a new SQL document');
    assert.equal(v.trusted, true);
    assert.equal(view({}, { trusted: false, insertTarget: 'feeds.sql' }).view.insertTarget, 'feeds.sql');
  });

  it('a Kafka sink with certificates: the URI and SQL shown masked and shortened, each certificate under its picker', () => {
    const { view: v, result } = view(withCerts());
    assert.ok(v.ok, JSON.stringify(v.findings));
    assert.match(v.displayUri, /^kafka:\/\/broker\.example\.com:9093\?tls_enabled=true&ca_cert=<\d+ chars>&client_cert=<\d+ chars>&client_key=redacted$/);
    assert.ok(!v.maskedUri.includes('<'), 'maskedUri keeps the certificates in full');
    assert.equal(v.sqlForm, 'direct');
    assert.equal(v.sql.length, 1);
    assert.ok(v.sql[0].includes(v.displayUri), v.sql[0]);
    // The secret leaves only through Copy SQL / Insert SQL, which take the real result.
    const keys = (text: string) => [...text.matchAll(/client_key=([^&'"\s]*)/g)].map((m) => m[1]);
    assert.deepEqual([...new Set(keys(JSON.stringify(v)))], ['redacted']);
    assert.ok(keys(result?.uri ?? '')[0].length > 100, 'the real URI embeds the key');
    const out = outgoing(result, v, 'sql', 'copy');
    assert.ok('text' in out && out.text === result?.sql.join('\n') && out.statements === 1);
    assert.deepEqual(
      v.certs.map((c) => [c.field, c.param]),
      [
        ['caCert', 'ca_cert'],
        ['clientCert', 'client_cert'],
        ['clientKey', 'client_key'],
      ],
    );
    assert.match(
      v.certs[0].line,
      /^CN=Cockroach CA, O=Cockroach \(CA\) · issued by CN=Cockroach CA, O=Cockroach · expires \d{4}-\d\d-\d\d \(\d+ (d|mo|y)[^)]*left\)$/,
    );
    assert.match(v.certs[2].line, /, matches client_cert$/);
    assert.ok(v.certs.every((c) => !c.severity));
  });

  it('an external connection name gives the external form', () => {
    const v = view({ ...withCerts(), externalConnection: 'kafka_sink' }).view;
    assert.equal(v.sqlForm, 'external');
    assert.ok(
      v.sql.some((s) => /CREATE EXTERNAL CONNECTION/.test(s)),
      v.sql.join('\n'),
    );
  });

  it("a key that is not client_cert's: an error on the key picker, and its line says so", () => {
    const v = view({ ...withCerts(), clientKey: f(other, 'client.root.key') }).view;
    assert.equal(v.ok, false);
    assert.equal(v.findings.find((x) => x.code === 'sink-key-mismatch')?.field, 'clientKey');
    const line = v.certs.find((c) => c.field === 'clientKey');
    assert.equal(line?.severity, 'error');
    assert.match(line?.line ?? '', /does not match client_cert$/);
    assert.deepEqual(outgoing(undefined, v, 'sql', 'insert'), { warning: 'Nothing to insert yet: fix the errors listed in the builder first.' });
  });

  it('an expiring certificate is marked as a warning under its picker', () => {
    const v = view({
      ...withCerts(),
      clientCert: f(expiring, 'client.root.crt'),
      clientKey: f(expiring, 'client.root.key'),
      caCert: f(expiring, 'ca.crt'),
    }).view;
    assert.ok(codes(v).includes('sink-cert-expiring'), codes(v).join());
    assert.equal(v.certs.find((c) => c.field === 'clientCert')?.severity, 'warning');
  });

  it('a port that is not a number is reported once, not also as missing', () => {
    const v = view({ ...withCerts(), port: 'abc' }).view;
    assert.ok(codes(v).includes('sink-port-invalid'));
    assert.ok(!codes(v).includes('sink-port-missing'));
    assert.equal(v.ok, false);
  });

  it("the schema registry's findings and certificates go to the registry pickers", () => {
    const v = view({ ...withCerts(), registry: true, registryHost: 'registry.example.com', registryCaCert: f(good, 'node.crt') }).view;
    const notCa = v.findings.find((x) => x.code === 'sink-ca-not-ca');
    assert.equal(notCa?.field, 'registryCaCert');
    assert.deepEqual(
      v.certs.filter((c) => c.field.startsWith('registry')).map((c) => c.field),
      ['registryCaCert'],
    );
  });

  it('a schema registry alone: the hint says how to get SQL', () => {
    const v = view({ sinkType: 'schema-registry', host: 'registry.example.com', port: '8081' }).view;
    assert.ok(v.ok, JSON.stringify(v.findings));
    assert.deepEqual(v.sql, []);
    assert.match(v.sqlHint ?? '', /name an external connection/);
  });

  it('a failing builder is one finding, not an exception', () => {
    const boom = (): BuildResult => {
      throw new Error('boom');
    };
    const r = computeView(boom, { form: { ...DEFAULT_FORM }, clusters, trusted: true, insertTarget: undefined }, { now });
    assert.equal(r.error, 'boom');
    assert.equal(r.result, undefined);
    assert.deepEqual(r.view.findings, [{ severity: 'error', code: 'sink-internal', message: 'boom' }]);
    assert.equal(r.view.displayUri, '');
  });

  it('a client certificate of the tree brings its key; a key chosen by hand stays', () => {
    const root = f(good, 'client.root.crt');
    const max = f(good, 'client.maxroach.crt');
    let s = applyChange(DEFAULT_FORM, { clientCert: root }, clusters);
    assert.ok(s.changed);
    assert.equal(s.form.clientKey, f(good, 'client.root.key'));
    s = applyChange(s.form, { clientCert: max }, clusters);
    assert.equal(s.form.clientKey, f(good, 'client.maxroach.key'), 'the paired key follows the certificate');
    const mine = { ...s.form, clientKey: '/elsewhere/my.key' };
    s = applyChange(mine, { clientCert: root }, clusters);
    assert.equal(s.form.clientKey, '/elsewhere/my.key');
    assert.equal(s.changed, false);
    assert.equal(applyPicked(DEFAULT_FORM, 'registryClientCert', root, clusters).registryClientKey, f(good, 'client.root.key'));
    assert.equal(pairKeys(DEFAULT_FORM, { ...DEFAULT_FORM, clientCert: '/not/in/tree.crt' }, clusters).changed, false);
  });

  it('an untouched default port follows the sink type; a port typed by hand stays', () => {
    let s = applyChange(DEFAULT_FORM, { sinkType: 'webhook' }, clusters);
    assert.deepEqual([s.form.port, s.changed], ['', true]);
    s = applyChange(s.form, { sinkType: 'schema-registry' }, clusters);
    assert.equal(s.form.port, '8081');
    s = applyChange({ ...DEFAULT_FORM, port: '19093' }, { sinkType: 'webhook' }, clusters);
    assert.deepEqual([s.form.port, s.changed], ['19093', false]);
    assert.equal(applyChange(DEFAULT_FORM, { sinkType: 'ftp', port: 7 }, clusters).form.sinkType, 'kafka', 'unknown values are ignored');
  });

  it('Copy URI and Copy SQL: the real text, or why there is none yet', () => {
    const { view: v, result } = view({ host: 'broker.example.com' });
    assert.ok(v.ok);
    assert.deepEqual(outgoing(result, v, 'uri', 'copy'), { text: result?.uri, statements: 0 });
    assert.deepEqual(outgoing(result, v, 'sql', 'copy'), { warning: 'Add a table to get CREATE CHANGEFEED.' });
    assert.deepEqual(outgoing(result, undefined, 'uri', 'copy'), { warning: 'Nothing to copy yet: fix the errors listed in the builder first.' });
  });

  it("Live Check's target: host and port from the form, 443 for https, or what is missing", () => {
    assert.deepEqual(liveTarget({ ...DEFAULT_FORM, host: ' broker.example.com ' }), {
      host: 'broker.example.com',
      port: 9093,
      target: 'broker.example.com:9093',
    });
    assert.deepEqual(liveTarget({ ...DEFAULT_FORM, sinkType: 'webhook', host: '[::1]', port: '' }), { host: '::1', port: 443, target: '[::1]:443' });
    assert.equal(liveTarget({ ...DEFAULT_FORM, host: '' }).problem, "Give the broker's host and port first.");
    assert.equal(liveTarget({ ...DEFAULT_FORM, host: 'h', port: '' }).target, 'h:?');
    assert.equal(liveTarget({ ...DEFAULT_FORM, sinkType: 'schema-registry', host: 'r', port: '70000' }).problem, "Give the registry's host and port first.");
  });
});
