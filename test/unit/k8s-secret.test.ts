/**
 * Kubernetes Secrets both ways: the helm layout (cockroach's file names, Opaque) and the operator
 * layout (kubernetes.io/tls: ca.crt, tls.crt, tls.key, what the operator's TLSSecret.Ready()
 * requires), and reading a Secret back: YAML block or flow style, JSON, stringData, a List, and
 * a Secret holding a whole certs dir (--from-file=certs), picked by the role.
 */
import { strict as assert } from 'node:assert';
import { chmodSync, cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { parseSecretLayout, secretData, secretManifest, secretSource } from '../../src/core/certsdir/k8s';
import { CertsFixture, makeCertsDir } from '../support/certs';

interface Manifest {
  type: string;
  metadata: Record<string, string>;
  data: Record<string, string>;
}

describe('k8s secret layouts and reading Secrets back', function () {
  this.timeout(60_000);
  let fx: CertsFixture;
  const file = (n: string) => readFileSync(join(fx.certsDir, n));
  const b64 = (n: string) => file(n).toString('base64');

  before(async () => {
    fx = await makeCertsDir({ users: ['root'] });
  });

  it('helm: an Opaque Secret keyed by cockroach file names; operator: kubernetes.io/tls with ca.crt, tls.crt, tls.key', () => {
    const helm = parseDocument(secretManifest({ certsDir: fx.certsDir, node: true, name: 'cockroachdb.node' })).toJS() as Manifest;
    assert.equal(helm.type, 'Opaque');
    assert.deepEqual(helm.data, { 'ca.crt': b64('ca.crt'), 'node.crt': b64('node.crt'), 'node.key': b64('node.key') });
    const op = parseDocument(secretManifest({ certsDir: fx.certsDir, node: true, name: 'crdb-node', namespace: 'db', layout: 'operator' })).toJS() as Manifest;
    assert.equal(op.type, 'kubernetes.io/tls');
    assert.deepEqual(op.metadata, { name: 'crdb-node', namespace: 'db' });
    assert.deepEqual(op.data, { 'ca.crt': b64('ca.crt'), 'tls.crt': b64('node.crt'), 'tls.key': b64('node.key') });
    const client = parseDocument(secretManifest({ certsDir: fx.certsDir, client: 'root', name: 'crdb-root', layout: 'operator' })).toJS() as Manifest;
    assert.deepEqual(client.data, { 'ca.crt': b64('ca.crt'), 'tls.crt': b64('client.root.crt'), 'tls.key': b64('client.root.key') });
    assert.equal(parseSecretLayout('Operator'), 'operator');
    assert.throws(() => parseSecretLayout('tls'), /--layout "?tls"? is not a Secret layout: use --layout helm .* or --layout operator/);
  });

  it('refuses, naming the file, a certificate or key the loader would reject and a key of another certificate', () => {
    const copy = (name: string, change: (d: string) => void) => {
      const d = join(fx.root, `k8s-${name}`);
      cpSync(fx.certsDir, d, { recursive: true });
      change(d);
      return d;
    };
    const empty = copy('empty', (d) => writeFileSync(join(d, 'node.crt'), ''));
    assert.throws(
      () => secretManifest({ certsDir: empty, node: true, name: 'n' }),
      (e: Error) => e.message.includes(join(empty, 'node.crt')) && /empty/.test(e.message),
    );
    const der = Buffer.from(
      file('ca.crt')
        .toString()
        .replace(/-----[^-]+-----|\s/g, ''),
      'base64',
    );
    const cut = `-----BEGIN CERTIFICATE-----\n${der.subarray(0, 200).toString('base64')}\n-----END CERTIFICATE-----\n`;
    const truncated = copy('truncated', (d) => writeFileSync(join(d, 'ca.crt'), cut));
    assert.throws(
      () => secretManifest({ certsDir: truncated, client: 'root', name: 'n' }),
      (e: Error) => e.message.includes(join(truncated, 'ca.crt')),
    );
    const notKey = copy('not-key', (d) => writeFileSync(join(d, 'node.key'), file('node.crt')));
    assert.throws(
      () => secretManifest({ certsDir: notKey, node: true, name: 'n' }),
      (e: Error) => e.message.includes(join(notKey, 'node.key')),
    );
    const other = copy('other-key', (d) => writeFileSync(join(d, 'node.key'), file('client.root.key')));
    assert.throws(
      () => secretManifest({ certsDir: other, node: true, name: 'n', layout: 'operator' }),
      (e: Error) => e.message.startsWith(`cannot pack node.key into the Secret: key file ${join(other, 'node.key')} does not match ${join(other, 'node.crt')}`),
    );
    // A certificate that parses but whose signature is not its CA's: the loader's chain check refuses it too.
    const foreign = copy('foreign', (d) => writeFileSync(join(d, 'node.crt'), file('client.root.crt')));
    assert.throws(
      () => secretManifest({ certsDir: foreign, node: true, name: 'n' }),
      (e: Error) => e.message.includes(join(foreign, 'node.crt')),
    );
    // The key's mode is the mount's, not the Secret's: a 0644 key is packed.
    const loose = copy('loose', (d) => chmodSync(join(d, 'node.key'), 0o644));
    assert.match(secretManifest({ certsDir: loose, node: true, name: 'n' }), /node\.key: /);
  });

  it('both layouts read back as the same import source', async () => {
    for (const layout of ['helm', 'operator'] as const) {
      const text = secretManifest({ certsDir: fx.certsDir, node: true, name: 'n', layout });
      const s = await secretSource(text, 'node.yaml', { as: 'node' });
      assert.deepEqual(s.cert.bytes, file('node.crt'), layout);
      assert.deepEqual(s.key?.bytes, file('node.key'), layout);
      assert.deepEqual(s.ca?.bytes, file('ca.crt'), layout);
    }
  });

  it('reads data in flow style, JSON, stringData (over data, as the API server merges them) and a List of one Secret', async () => {
    const flow = `apiVersion: v1\nkind: Secret\ndata: {ca.crt: ${b64('ca.crt')}, tls.crt: ${b64('node.crt')}, tls.key: "${b64('node.key')}"}\n`;
    assert.deepEqual(Object.keys(await secretData(flow, 'f.yaml')), ['ca.crt', 'tls.crt', 'tls.key']);
    const json = JSON.stringify({ kind: 'Secret', type: 'kubernetes.io/tls', data: { 'tls.crt': b64('node.crt'), 'tls.key': b64('node.key') } }, null, 2);
    assert.deepEqual((await secretSource(json, 'f.json', { as: 'node' })).key?.bytes, file('node.key'));
    const indent = (t: string) => t.replace(/^/gm, '    ').trimEnd();
    const string = [
      'apiVersion: v1',
      'kind: Secret',
      'data:',
      `  tls.crt: ${Buffer.from('stale').toString('base64')}`,
      'stringData:',
      '  tls.crt: |',
      indent(file('node.crt').toString()),
      '  tls.key: |',
      indent(file('node.key').toString()),
      '',
    ].join('\n');
    const s = await secretSource(string, 's.yaml', { as: 'node' });
    assert.equal(s.cert.bytes.toString(), file('node.crt').toString());
    assert.equal(s.key?.bytes.toString(), file('node.key').toString());
    const list = `apiVersion: v1\nkind: List\nitems:\n  - kind: Secret\n    data:\n      node.crt: ${b64('node.crt')}\n      node.key: ${b64('node.key')}\n`;
    assert.deepEqual((await secretSource(list, 'l.yaml', { as: 'node' })).cert.bytes, file('node.crt'));
  });

  it('a Secret with a whole certs dir (--from-file=certs) gives the role its own files, never another role', async () => {
    const all = [
      'apiVersion: v1',
      'kind: Secret',
      'type: Opaque',
      'data:',
      ...['ca.crt', 'client.root.crt', 'client.root.key', 'node.crt', 'node.key'].map((n) => `  ${n}: ${b64(n)}`),
    ].join('\n');
    const node = await secretSource(all, 'all.yaml', { as: 'node' });
    assert.equal(node.cert.file, 'node.crt in all.yaml');
    assert.deepEqual(node.key?.bytes, file('node.key'));
    const root = await secretSource(all, 'all.yaml', { as: 'client', user: 'root' });
    assert.equal(root.cert.file, 'client.root.crt in all.yaml');
    assert.deepEqual(root.key?.bytes, file('client.root.key'));
    const ca = await secretSource(all, 'all.yaml', { as: 'ca' });
    assert.equal(ca.cert.file, 'ca.crt in all.yaml');
    assert.equal(ca.key, undefined);
    await assert.rejects(
      secretSource(all, 'all.yaml', { as: 'client', user: 'bob' }),
      /all\.yaml holds no client\.bob\.crt or tls\.crt for --as client bob \(it has ca\.crt, client\.root\.crt, node\.crt\)/,
    );
  });

  it('refuses what is not one Secret of base64 data, with the fix', async () => {
    await assert.rejects(secretData('kind: Secret\ndata:\n  tls.crt: "not base64!"\n', 'x.yaml'), /x\.yaml: data key "?tls\.crt"? is not base64/);
    await assert.rejects(secretData('kind: Secret\nmetadata: {name: x}\n', 'x.yaml'), /has no "data:" or "stringData:" map/);
    await assert.rejects(secretData('kind: Secret\ndata: {a: [\n', 'x.yaml'), /x\.yaml is not valid YAML or JSON/);
    await assert.rejects(secretData('kind: Secret\ndata: {a: YQ==}\n---\nkind: Secret\ndata: {b: Yg==}\n', 'x.yaml'), /x\.yaml holds 2 Secrets: pass one/);
  });
});
