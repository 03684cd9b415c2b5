/**
 * Cloud, what the editor builds on: the connection string's sslrootcert (the local CA file only
 * when it holds this cluster's CA; sslrootcert=system on Basic and Standard), a refused key's
 * message per key source (COCKROACH_API_KEY or the editor's Set Cloud API Key), and backups of a
 * replaced CA file that never collide.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CloudClient, KeySource, cloudConnectionUrl, downloadCaCert } from '../../src/core/cloud';
import { UserError } from '../../src/core/errors';
import { makeCertsDir } from '../support/certs';
import { tmpDir } from '../support/tmp';

const API_URL = 'postgresql://maxroach@prod-x.aws-us-east-1.cockroachlabs.cloud:26257/defaultdb?sslmode=verify-full';
const FILE = '/home/u/.postgresql/root.crt';

describe('cloud: the connection string, the key source, CA file backups', function () {
  this.timeout(20_000);

  describe('cloudConnectionUrl: sslrootcert', () => {
    const url = (plan: string, state: 'absent' | 'same' | 'different' | 'unknown', apiUrl = API_URL) =>
      cloudConnectionUrl({ apiUrl, plan, localCa: { file: FILE, state } });

    it('names the local CA file only when it holds this cluster CA', () => {
      const r = url('ADVANCED', 'same');
      assert.equal(new URL(r.url).searchParams.get('sslrootcert'), FILE);
      assert.equal(r.rootcert, 'file');
      assert.equal(r.note, undefined);
      assert.ok(r.url.endsWith(`&sslrootcert=${FILE}`), 'the path stays readable');
    });

    for (const state of ['absent', 'different', 'unknown'] as const)
      it(`Advanced, local file ${state}: no sslrootcert, and a note saying why and how to fix it`, () => {
        const r = url('ADVANCED', state);
        assert.equal(new URL(r.url).searchParams.has('sslrootcert'), false, r.url);
        assert.equal(r.rootcert, 'default');
        assert.match(r.note ?? '', new RegExp(`^${FILE.replace(/\./g, '\\.')} (does not exist|holds a different CA|could not be compared)`));
        assert.match(r.note ?? '', /Download CA Certificate, or crdb-tls cloud ca-cert CLUSTER --out FILE/);
      });

    for (const plan of ['BASIC', 'STANDARD'])
      for (const state of ['absent', 'different', 'unknown'] as const)
        it(`${plan}, local file ${state}: sslrootcert=system, with the clients that understand it`, () => {
          const r = url(plan, state);
          assert.equal(new URL(r.url).searchParams.get('sslrootcert'), 'system');
          assert.equal(r.rootcert, 'system');
          assert.match(r.note ?? '', /libpq 16\+ and pgx v5/);
        });

    it('a Basic cluster with its CA downloaded: the file (every client reads a file)', () => {
      assert.equal(new URL(url('BASIC', 'same').url).searchParams.get('sslrootcert'), FILE);
    });

    it("the API's own sslrootcert is kept; a client certificate adds sslcert and sslkey", () => {
      const r = cloudConnectionUrl({
        apiUrl: `${API_URL}&sslrootcert=/etc/ca.crt`,
        plan: 'ADVANCED',
        localCa: { file: FILE, state: 'different' },
        client: { cert: '/c/client.alice.crt', key: '/c/client.alice.key' },
      });
      const q = new URL(r.url).searchParams;
      assert.equal(q.get('sslrootcert'), '/etc/ca.crt');
      assert.equal(q.get('sslcert'), '/c/client.alice.crt');
      assert.equal(q.get('sslkey'), '/c/client.alice.key');
      assert.equal(r.rootcert, 'api');
    });
  });

  describe('a refused key names where it came from', () => {
    const editor: KeySource = { kind: 'command', title: 'CockroachDB TLS: Set Cloud API Key' };
    async function refusal(status: number, keySource?: KeySource): Promise<string> {
      const client = new CloudClient({
        server: 'https://cockroachlabs.cloud',
        apiKey: 'CCDB1_unit_test_key_0000',
        ...(keySource ? { keySource } : {}),
        transport: async () => ({ status, body: '{"code":16,"message":"no"}' }),
      });
      const err = await client.getClientCa({ id: 'c1', name: 'prod' }).then(
        () => assert.fail('no error'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof UserError);
      return err.message;
    }

    for (const status of [401, 403])
      it(`${status}: COCKROACH_API_KEY from the environment, the Set Cloud API Key command in the editor; the roles both times`, async () => {
        const env = await refusal(status);
        assert.match(env, /COCKROACH_API_KEY/);
        assert.match(env, /CLUSTER_ADMIN or CLUSTER_OPERATOR_WRITER/);
        assert.doesNotMatch(env, /Set Cloud API Key/);
        const ed = await refusal(status, editor);
        assert.match(ed, new RegExp(`${status === 401 ? '401 Unauthorized' : '403 Forbidden'}.*run "CockroachDB TLS: Set Cloud API Key"`));
        assert.match(ed, /CLUSTER_ADMIN or CLUSTER_OPERATOR_WRITER/);
        assert.doesNotMatch(ed, /COCKROACH_API_KEY/);
      });

    it('404: the organization of the key, as the source names it', async () => {
      assert.match(await refusal(404), /that COCKROACH_API_KEY belongs to the cluster's organization/);
      assert.match(await refusal(404, editor), /that the API key set with "CockroachDB TLS: Set Cloud API Key" belongs to the cluster's organization/);
    });
  });

  it('ca-cert --overwrite twice within one second: two backups, neither overwritten', async () => {
    const cloudCa = await makeCertsDir({});
    const other = await makeCertsDir({});
    const pem = readFileSync(join(cloudCa.certsDir, 'ca.crt'), 'utf8');
    const otherPem = readFileSync(join(other.certsDir, 'ca.crt'), 'utf8');
    const dir = tmpDir();
    const file = join(dir, 'root.crt');
    const client = new CloudClient({ server: 'https://cockroachlabs.cloud', transport: async () => ({ status: 200, body: pem }) });
    const now = new Date('2026-03-01T12:00:00.100Z');
    const backups: string[] = [];
    for (const old of [otherPem, otherPem + otherPem]) {
      writeFileSync(file, old);
      const r = await downloadCaCert({ client, cluster: { id: 'c1' }, file, overwrite: true, now });
      assert.equal(r.action, 'replaced');
      backups.push(r.backup!);
      assert.equal(readFileSync(r.backup!, 'utf8'), old);
    }
    assert.deepEqual(backups, [`${file}.20260301T120000Z.bak`, `${file}.20260301T120000Z-1.bak`]);
    assert.equal(readdirSync(dir).length, 3);
    assert.equal(readFileSync(file, 'utf8'), pem);
  });
});
