/**
 * The Cloud API client without a network: an injected Transport checks every request against the
 * official spec (../shared/cloud-api/openapi.json) and answers as the API would. Errors name the
 * key's variable, the roles and the cluster, and never show the key.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CloudClient, HttpRequest, HttpResponse, Transport, cloudConfig, planClientCaChange, waitForClientCa } from '../../src/core/cloud';
import { UserError } from '../../src/core/errors';
import { makeCertsDir, CertsFixture } from '../support/certs';
import { CloudSpec } from '../support/cloudSpec';
import { tmpDir } from '../support/tmp';

const KEY = `CCDB1_${randomUUID().replace(/-/g, '')}`;
const ID = randomUUID();

interface Seen {
  req: HttpRequest;
  operationId?: string;
  errors: string[];
}

function cluster(id: string, name: string, plan = 'ADVANCED') {
  return {
    id,
    name,
    cockroach_version: 'v24.3.1',
    upgrade_status: 'FINALIZED',
    plan,
    cloud_provider: 'GCP',
    state: 'CREATED',
    creator_id: 'c',
    operation_status: 'UNSPECIFIED',
    config: { dedicated: { machine_type: 'n2-standard-4', num_virtual_cpus: 4, storage_gib: 15, memory_gib: 16, disk_iops: 450 } },
    regions: [
      { name: 'us-central1', sql_dns: `${name}.gcp-us-central1.cockroachlabs.cloud`, ui_dns: '', node_count: 3, internal_dns: '', private_endpoint_dns: '' },
    ],
    cidr_range: '',
    labels: {},
    is_customer_cloud_account: false,
  };
}

/** A transport that validates each request against the spec and answers with `answer`. */
function specTransport(spec: CloudSpec, seen: Seen[], answer: (r: HttpRequest, url: URL) => HttpResponse): Transport {
  return async (req) => {
    const url = new URL(req.url);
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), v]));
    const c = spec.checkRequest({
      method: req.method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers,
      ...(req.body !== undefined ? { body: JSON.parse(req.body) } : {}),
    });
    seen.push({ req, errors: c.errors, ...(c.operationId ? { operationId: c.operationId } : {}) });
    return answer(req, url);
  };
}

const ok = (body: unknown): HttpResponse => ({ status: 200, body: JSON.stringify(body) });

describe('cloud: the API client and the contract', function () {
  this.timeout(30_000);
  let spec: CloudSpec;
  let fx: CertsFixture;
  let caPem: string;

  before(async function () {
    this.timeout(120_000);
    spec = await CloudSpec.load();
    fx = await makeCertsDir({ clientCa: true, users: ['alice'] });
    caPem = readFileSync(join(fx.certsDir, 'ca-client.crt'), 'utf8');
  });

  it('every operation the client sends validates against the spec, with Bearer and Cc-Version', async () => {
    const seen: Seen[] = [];
    const client = new CloudClient({
      server: 'https://cockroachlabs.cloud',
      apiKey: KEY,
      transport: specTransport(spec, seen, (req, url) => {
        if (url.pathname === '/api/v1/clusters')
          return url.searchParams.get('pagination.page') === '2'
            ? ok({ clusters: [cluster(randomUUID(), 'b')], pagination: {} })
            : ok({ clusters: [cluster(ID, 'a')], pagination: { next_page: '2' } });
        if (url.pathname.endsWith('/connection-string')) return ok({ connection_string: 'postgresql://x@h:26257/defaultdb', params: {} });
        if (url.pathname.endsWith('/client-ca-cert')) return ok({ status: req.method === 'DELETE' ? 'PENDING' : 'IS_SET', x509_pem_cert: caPem });
        return ok(cluster(ID, 'a'));
      }),
    });
    const ref = { id: ID, name: 'a' };
    assert.equal((await client.listClusters()).length, 2);
    await client.getCluster(ID);
    await client.getClientCa(ref);
    await client.setClientCa(ref, caPem);
    await client.updateClientCa(ref, caPem + caPem);
    await client.deleteClientCa(ref);
    await client.connectionString(ref, { database: 'defaultdb', sqlUser: 'alice', os: 'LINUX' });
    assert.deepEqual(
      seen.map((s) => s.operationId),
      [
        'CockroachCloud_ListClusters',
        'CockroachCloud_ListClusters',
        'CockroachCloud_GetCluster',
        'CockroachCloud_GetClientCACert',
        'CockroachCloud_SetClientCACert',
        'CockroachCloud_UpdateClientCACert',
        'CockroachCloud_DeleteClientCACert',
        'CockroachCloud_GetConnectionString',
      ],
    );
    assert.deepEqual(
      seen.flatMap((s) => s.errors),
      [],
    );
    for (const s of seen) {
      assert.equal(s.req.headers.Authorization, `Bearer ${KEY}`);
      assert.equal(s.req.headers['Cc-Version'], spec.version);
    }
  });

  it('the validator refuses requests the spec does not allow (so the check above can fail)', () => {
    const base = { method: 'POST', path: `/api/v1/clusters/${ID}/client-ca-cert`, query: {}, headers: { 'content-type': 'application/json' } };
    assert.notDeepEqual(spec.checkRequest({ ...base, body: { x509_pem_cert: 5 } }).errors, []);
    assert.notDeepEqual(spec.checkRequest({ ...base, body: {} }).errors, [], 'x509_pem_cert is required on POST');
    assert.notDeepEqual(spec.checkRequest({ method: 'GET', path: '/api/v1/clusters', query: { 'pagination.limit': 'ten' }, headers: {} }).errors, []);
    assert.notDeepEqual(spec.checkRequest({ method: 'PUT', path: `/api/v1/clusters/${ID}/client-ca-cert`, query: {}, headers: {} }).errors, []);
    assert.notDeepEqual(spec.checkResponse('CockroachCloud_GetClientCACert', 200, { status: 'DONE' }), []);
    // Error bodies are held to the spec's error shape (Status), though its 4xx schemas are empty.
    assert.notDeepEqual(spec.checkResponse('CockroachCloud_GetClientCACert', 401, { code: 'sixteen', message: 'no' }), []);
    assert.notDeepEqual(spec.checkResponse('CockroachCloud_ListClusters', 404, { code: 5, message: 5 }), []);
    assert.deepEqual(spec.checkResponse('CockroachCloud_ListClusters', 404, { code: 5, message: 'not found', details: [] }), []);
  });

  it('401, 403, 404, 5xx and network errors: one line naming COCKROACH_API_KEY, the roles or the cluster, never the key', async () => {
    const cases: [number | Error, RegExp][] = [
      [401, /401 Unauthorized.*COCKROACH_API_KEY.*CLUSTER_ADMIN or CLUSTER_OPERATOR_WRITER/],
      [403, /COCKROACH_API_KEY may not read the client CA of cluster "prod".*403 Forbidden.*CLUSTER_ADMIN or CLUSTER_OPERATOR_WRITER/],
      [404, new RegExp(`cluster "prod" \\(${ID}\\) was not found \\(404`)],
      [503, /refused to read the client CA of cluster "prod" \(.*\) \(503: "upstream .*<COCKROACH_API_KEY>.*retry later/],
      [
        Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error(`connect ECONNREFUSED (${KEY})`), { code: 'ECONNREFUSED' }) }),
        /could not reach the Cloud API: GET https:\/\/cockroachlabs\.cloud\/api\/v1\/clusters\/.*\/client-ca-cert failed \(ECONNREFUSED\)/,
      ],
    ];
    for (const [what, re] of cases) {
      const client = new CloudClient({
        server: 'https://cockroachlabs.cloud',
        apiKey: KEY,
        transport: async () => {
          if (what instanceof Error) throw what;
          return { status: what, body: JSON.stringify({ code: 1, message: `upstream said Bearer ${KEY}` }) };
        },
      });
      const err = await client.getClientCa({ id: ID, name: 'prod' }).then(
        () => assert.fail('no error'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof UserError);
      assert.match(err.message, re);
      assert.ok(!err.message.includes(KEY), err.message);
      assert.ok(!err.message.includes('\n'));
    }
  });

  it('COCKROACH_SERVER: https, or http on loopback only; a key with control characters is refused unseen', async () => {
    assert.equal(cloudConfig({}).server, 'https://cockroachlabs.cloud');
    assert.equal(cloudConfig({ COCKROACH_SERVER: 'http://127.0.0.1:8080/' }).server, 'http://127.0.0.1:8080');
    assert.throws(() => cloudConfig({ COCKROACH_SERVER: 'http://cloud.example' }), /not an https URL/);
    assert.throws(() => cloudConfig({ COCKROACH_SERVER: 'https://u:p@cloud.example' }), /plain server URL/);
    const client = new CloudClient({ server: 'https://cockroachlabs.cloud', apiKey: `${KEY}\nX`, transport: async () => ok({}) });
    const err = await client.listClusters().catch((e: Error) => e);
    assert.match(String(err), /spaces or control characters \(the key is not shown\)/);
    assert.ok(!String(err).includes(KEY));
  });

  it('--wait polls through PENDING with progress, stops at FAILED, at the timeout, and on abort', async () => {
    const statuses = (list: string[]) => {
      let i = 0;
      return new CloudClient({
        server: 'https://cockroachlabs.cloud',
        apiKey: KEY,
        transport: async () => ok({ status: list[Math.min(i++, list.length - 1)] }),
      });
    };
    let t = 0;
    const fake = { clock: () => t, sleep: async (ms: number) => void (t += ms), intervalMs: 1000 };
    const progress: string[] = [];
    const r = await waitForClientCa(statuses(['PENDING', 'PENDING', 'IS_SET']), { id: ID, name: 'prod' }, 'IS_SET', {
      ...fake,
      timeoutMs: 60_000,
      onProgress: (p) => progress.push(`${p.attempt}:${p.status}:${p.elapsedMs}`),
    });
    assert.equal(r.status, 'IS_SET');
    assert.deepEqual(progress, ['1:PENDING:0', '2:PENDING:1000', '3:IS_SET:2000']);
    await assert.rejects(
      waitForClientCa(statuses(['PENDING', 'FAILED']), { id: ID, name: 'prod' }, 'IS_SET', { ...fake, timeoutMs: 60_000 }),
      /FAILED in the Cloud/,
    );
    t = 0;
    await assert.rejects(
      waitForClientCa(statuses(['PENDING']), { id: ID, name: 'prod' }, 'IS_SET', { ...fake, timeoutMs: 5_000 }),
      /still PENDING, not IS_SET, after 5s/,
    );
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(waitForClientCa(statuses(['PENDING']), { id: ID }, 'NOT_SET', { timeoutMs: 5_000, signal: ac.signal }), { name: 'AbortError' });
  });

  it('plans: add on NOT_SET is a POST; the same bundle again sends nothing; removing the last CA or changing while PENDING is refused', async () => {
    const now = new Date();
    const historyDir = tmpDir();
    const withCa = (status: string, pem?: string) =>
      new CloudClient({
        server: 'https://cockroachlabs.cloud',
        apiKey: KEY,
        transport: async (req) => (req.url.endsWith('/client-ca-cert') ? ok({ status, ...(pem ? { x509_pem_cert: pem } : {}) }) : ok(cluster(ID, 'prod'))),
      });
    const file = join(fx.certsDir, 'ca-client.crt');
    const p1 = await planClientCaChange({ client: withCa('NOT_SET'), cluster: ID, change: { kind: 'add', certFile: file }, historyDir, now });
    assert.equal(p1.request?.method, 'POST');
    assert.equal(p1.added.length, 1);
    const p2 = await planClientCaChange({ client: withCa('IS_SET', caPem), cluster: ID, change: { kind: 'set', certFile: file }, historyDir, now });
    assert.equal(p2.request, null);
    await assert.rejects(
      planClientCaChange({ client: withCa('IS_SET', caPem), cluster: ID, change: { kind: 'remove', certFile: file }, historyDir, now }),
      /without a client CA: .*client-ca delete/,
    );
    await assert.rejects(
      planClientCaChange({ client: withCa('PENDING', caPem), cluster: ID, change: { kind: 'add', certFile: file }, historyDir, now }),
      /already in progress .*PENDING/,
    );
    await assert.rejects(
      planClientCaChange({ client: withCa('IS_SET', caPem), cluster: ID, change: { kind: 'rollback' }, historyDir, now }),
      /no saved client CA bundle/,
    );
  });
});
