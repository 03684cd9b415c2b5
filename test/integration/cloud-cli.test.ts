/**
 * `crdb-tls cloud ...` against the stateful stand-in of the Cloud API (the one boundary replaced):
 * every guard sends no change (the local ones no request at all), counted at the stand-in; the
 * cluster CA download to a temp HOME and to --out, the refusal and the --overwrite backup; set, add,
 * remove, delete, rollback with --wait through PENDING to IS_SET / NOT_SET, and FAILED. Every
 * request validates against the official spec, every response of the stand-in too, and the API
 * key appears in no output.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { closedPort } from '../support/pgstub';
import { join } from 'node:path';
import { createCa, createClientCa } from '../../src/core/certsdir/create';
import { CertsFixture, makeCertsDir } from '../support/certs';
import { CloudSpec } from '../support/cloudSpec';
import { CloudStandIn } from '../support/cloudStandIn';
import { cloudEnv, crdbTlsAsync } from '../support/cloudCli';
import { RunResult } from '../support/exec';
import { hashTree, tmpDir } from '../support/tmp';

const KEY = `CCDB1_${randomUUID().replace(/-/g, '')}`;
const PROD = randomUUID();
const HOBBY = randomUUID();
const TEAM = randomUUID();
const DAY = 86_400_000;

describe('crdb-tls cloud against the Cloud API stand-in', function () {
  this.timeout(60_000);
  let spec: CloudSpec;
  let api: CloudStandIn;
  let oldCa: CertsFixture;
  let newCa: CertsFixture;
  let clusterCa: string;
  let files: Record<'notPem' | 'leaf' | 'withKey' | 'expired' | 'expiring', string>;
  const outputs: string[] = [];

  async function cli(args: string[], o: { home?: string; key?: string | null; server?: string } = {}): Promise<RunResult> {
    const home = o.home ?? tmpDir('crdb-tls-home-');
    const r = await crdbTlsAsync(args, { env: cloudEnv(home, o.server ?? api.url, o.key === null ? undefined : (o.key ?? KEY)) });
    outputs.push(r.stdout, r.stderr);
    return r;
  }

  /** Runs a command that a guard must stop: exit 1, one line naming `names`, and no request (or no change) reached the stand-in. */
  async function refused(args: string[], names: (string | RegExp)[], sends: 'nothing' | 'reads only', home?: string): Promise<string> {
    const before = api.requests.length;
    const mutationsBefore = api.mutations().length;
    const r = await cli(args, home ? { home } : {});
    assert.equal(r.status, 1, `expected exit 1 for ${args.join(' ')}\n${r.stdout}${r.stderr}`);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    for (const n of names) assert.match(lines[0], typeof n === 'string' ? new RegExp(n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : n);
    if (sends === 'nothing') assert.equal(api.requests.length, before, `requests reached the stand-in: ${JSON.stringify(api.requests.slice(before))}`);
    assert.equal(api.mutations().length, mutationsBefore, 'a change request reached the stand-in');
    return lines[0];
  }

  before(async function () {
    this.timeout(120_000);
    spec = await CloudSpec.load();
    oldCa = await makeCertsDir({ clientCa: true, users: ['alice'] });
    newCa = await makeCertsDir({ clientCa: true, users: ['bob'] });
    clusterCa = readFileSync(join(oldCa.certsDir, 'ca.crt'), 'utf8');
    const dir = tmpDir();
    const oldClientCa = readFileSync(join(oldCa.certsDir, 'ca-client.crt'), 'utf8');
    files = {
      notPem: join(dir, 'notes.txt'),
      leaf: join(oldCa.certsDir, 'client.alice.crt'),
      withKey: join(dir, 'ca-and-key.pem'),
      expired: join(dir, 'expired', 'ca-client.crt'),
      expiring: join(dir, 'expiring', 'ca-client.crt'),
    };
    writeFileSync(files.notPem, 'not a certificate\n');
    writeFileSync(files.withKey, oldClientCa + readFileSync(oldCa.clientCaKey!, 'utf8'));
    mkdirSync(join(dir, 'keys'), { mode: 0o700 });
    await createClientCa({
      certsDir: join(dir, 'expired'),
      caKey: join(dir, 'keys', 'expired.key'),
      now: new Date(Date.now() - 10 * DAY),
      lifetimeMs: 2 * DAY,
    });
    await createCa({ certsDir: join(dir, 'expiring'), caKey: join(dir, 'keys', 'expiring.key'), lifetimeMs: 10 * DAY });
    // createCa wrote ca.crt: the guard reads the file named, whatever its name.
    files.expiring = join(dir, 'expiring', 'ca.crt');
    api = await CloudStandIn.start(spec, {
      apiKey: KEY,
      pageSize: 1,
      pendingPolls: 1,
      clusters: [
        { id: PROD, name: 'prod', plan: 'ADVANCED', caPem: clusterCa },
        { id: HOBBY, name: 'hobby', plan: 'BASIC', caPem: clusterCa },
        { id: TEAM, name: 'team', plan: 'STANDARD', caPem: clusterCa },
      ],
    });
  });

  after(async () => {
    await api?.stop();
  });

  describe('reading', () => {
    it('clusters --json follows pagination and prints {id, name, plan, state, cloudProvider, regions, clientCa?}', async () => {
      const before = api.requests.length;
      const r = await cli(['cloud', 'clusters', '--json']);
      assert.equal(r.status, 0, r.stderr);
      const cs = JSON.parse(r.stdout) as Record<string, unknown>[];
      assert.deepEqual(
        cs.map((c) => c.name),
        ['prod', 'hobby', 'team'],
      );
      assert.deepEqual(Object.keys(cs[0]).sort(), ['clientCa', 'cloudProvider', 'id', 'name', 'plan', 'regions', 'state']);
      assert.deepEqual(cs[0].clientCa, { status: 'NOT_SET' });
      assert.equal(cs[1].clientCa, undefined, 'a Basic cluster has no client CA to read');
      assert.deepEqual(Object.keys((cs[0].regions as object[])[0]).sort(), ['name', 'sqlDns']);
      const pages = api.requests.slice(before).filter((q) => q.operationId === 'CockroachCloud_ListClusters');
      assert.equal(pages.length, 3, 'one page per cluster (pageSize 1)');
    });

    it('a wrong key: 401 names COCKROACH_API_KEY and the roles, and never shows the key the server echoed', async () => {
      const wrong = `WRONG_${randomUUID()}`;
      const r = await cli(['cloud', 'clusters'], { key: wrong });
      assert.equal(r.status, 1);
      assert.match(r.stderr, /401.*COCKROACH_API_KEY.*CLUSTER_ADMIN or CLUSTER_OPERATOR_WRITER/);
      assert.ok(!r.stderr.includes(wrong) && !r.stdout.includes(wrong), r.stderr);
      assert.ok(
        api.requests.some((q) => q.authorization === `Bearer ${wrong}`),
        'the request with the wrong key reached the stand-in',
      );
    });

    it('an unknown cluster id: 404 names the cluster', async () => {
      const ghost = randomUUID();
      const r = await cli(['cloud', 'client-ca', 'show', ghost]);
      assert.equal(r.status, 1);
      assert.match(r.stderr, new RegExp(`cluster ${ghost} was not found \\(404`));
    });

    it("client-ca show on a Basic or Standard cluster: the plan explanation the changes give, not the API's 400", async () => {
      await refused(['cloud', 'client-ca', 'show', 'hobby'], ['"hobby"', 'Basic plan', 'sslrootcert=system', 'passwords or SSO'], 'reads only');
      const line = await refused(['cloud', 'client-ca', 'show', TEAM, '--json'], [TEAM, 'Standard plan', 'Advanced'], 'reads only');
      assert.doesNotMatch(line, /\b400\b/);
      assert.ok(
        !api.requests.some((q) => q.path === `/api/v1/clusters/${HOBBY}/client-ca-cert` || q.path === `/api/v1/clusters/${TEAM}/client-ca-cert`),
        'no client CA request for a plan without one',
      );
    });

    it('a network error says what was tried', async () => {
      const port = await closedPort();
      const r = await cli(['cloud', 'clusters'], { server: `http://127.0.0.1:${port}` });
      assert.equal(r.status, 1);
      assert.ok(
        r.stderr.includes(`could not reach the Cloud API: GET http://127.0.0.1:${port}/api/v1/clusters failed (ECONNREFUSED): check COCKROACH_SERVER`),
        r.stderr,
      );
    });

    it('no key: a one-line error saying how to get one, and no request', async () => {
      const before = api.requests.length;
      const r = await cli(['cloud', 'clusters'], { key: null });
      assert.equal(r.status, 1);
      assert.match(r.stderr, /^crdb-tls: COCKROACH_API_KEY is not set: create an API key/);
      assert.equal(api.requests.length, before);
    });
  });

  describe('ca-cert', () => {
    it('by id, with no key: writes ~/.postgresql/root.crt (0644) in a temp HOME', async () => {
      const home = tmpDir('crdb-tls-home-');
      const r = await cli(['cloud', 'ca-cert', PROD], { home, key: null });
      assert.equal(r.status, 0, r.stderr);
      const file = join(home, '.postgresql', 'root.crt');
      assert.equal(readFileSync(file, 'utf8'), clusterCa);
      assert.equal(statSync(file).mode & 0o777, 0o644);
      assert.match(r.stdout, new RegExp(`wrote the CA certificate of cluster ${PROD} to ${file}`));
      const dl = api.requests.filter((q) => q.path === `/clusters/${PROD}/cert`);
      assert.ok(dl.length >= 1 && dl.every((q) => q.authorization === undefined), 'the download sends no Authorization header');
      const again = await cli(['cloud', 'ca-cert', PROD], { home, key: null });
      assert.match(again.stdout, /already holds the CA certificate.*nothing to do/);
    });

    it('by name to --out FILE, with --json', async () => {
      const out = join(tmpDir(), 'certs', 'prod-ca.crt');
      const r = await cli(['cloud', 'ca-cert', 'prod', '--out', out, '--json']);
      assert.equal(r.status, 0, r.stderr);
      const j = JSON.parse(r.stdout) as { action: string; file: string; cas: { isCA: boolean }[] };
      assert.equal(j.action, 'written');
      assert.equal(j.file, out);
      assert.equal(j.cas[0].isCA, true);
      assert.equal(readFileSync(out, 'utf8'), clusterCa);
    });

    it('refuses to replace a different CA without --overwrite, changing nothing', async () => {
      const home = tmpDir('crdb-tls-home-');
      mkdirSync(join(home, '.postgresql'));
      const selfHosted = readFileSync(join(newCa.certsDir, 'ca.crt'), 'utf8');
      writeFileSync(join(home, '.postgresql', 'root.crt'), selfHosted);
      const before = hashTree(home);
      const line = await refused(
        ['cloud', 'ca-cert', PROD],
        [join(home, '.postgresql', 'root.crt'), 'holds a different CA', '--overwrite'],
        'reads only',
        home,
      );
      assert.match(line, /--out FILE/);
      assert.equal(hashTree(home), before);
    });

    it('refuses what the server serves when it is not a CA, an expired CA, or not PEM, and writes nothing', async () => {
      const cases: [string, RegExp][] = [
        [readFileSync(files.leaf, 'utf8'), /holds a certificate that is not a CA \(.*alice/],
        [readFileSync(files.expired, 'utf8'), /holds a CA that expired on 20\d\d-/],
        ['<html>maintenance</html>\n', /is not a PEM certificate/],
      ];
      try {
        for (const [served, re] of cases) {
          api.setClusterCa(PROD, served);
          const home = tmpDir('crdb-tls-home-');
          const out = join(home, 'out', 'ca.crt');
          for (const args of [
            ['cloud', 'ca-cert', PROD],
            ['cloud', 'ca-cert', PROD, '--out', out, '--overwrite'],
          ]) {
            const line = await refused(
              args,
              [`the CA certificate of cluster ${PROD} from ${api.url}/clusters/${PROD}/cert`, 'nothing was written'],
              'reads only',
              home,
            );
            assert.match(line, re);
          }
          assert.deepEqual(readdirSync(home), [], 'nothing written in HOME');
        }
      } finally {
        api.setClusterCa(PROD, clusterCa);
      }
    });

    it('--overwrite backs the old file up first and says so', async () => {
      const home = tmpDir('crdb-tls-home-');
      const dir = join(home, '.postgresql');
      mkdirSync(dir);
      const selfHosted = readFileSync(join(newCa.certsDir, 'ca.crt'), 'utf8');
      writeFileSync(join(dir, 'root.crt'), selfHosted);
      const r = await cli(['cloud', 'ca-cert', PROD, '--overwrite'], { home });
      assert.equal(r.status, 0, r.stderr);
      const backups = readdirSync(dir).filter((n) => /^root\.crt\.\d{8}T\d{6}Z\.bak$/.test(n));
      assert.equal(backups.length, 1, readdirSync(dir).join(', '));
      assert.equal(readFileSync(join(dir, backups[0]), 'utf8'), selfHosted);
      assert.equal(readFileSync(join(dir, 'root.crt'), 'utf8'), clusterCa);
      assert.match(r.stdout, new RegExp(`backed up the old ${join(dir, 'root.crt')} to ${join(dir, backups[0])}`));
    });
  });

  describe('guards: a one-line error naming the file or cluster and the fix; no change sent', () => {
    it('F not PEM: no request', async () => {
      await refused(['cloud', 'client-ca', 'set', 'prod', '--cert-file', files.notPem], [files.notPem, 'holds no PEM certificate'], 'nothing');
    });
    it('F holding a client certificate, not a CA: no request', async () => {
      await refused(
        ['cloud', 'client-ca', 'add', 'prod', '--cert-file', files.leaf],
        [files.leaf, 'is not a CA certificate (basicConstraints CA:FALSE'],
        'nothing',
      );
    });
    it('F holding a private key: no request, and the key is not shown', async () => {
      const line = await refused(['cloud', 'client-ca', 'set', 'prod', '--cert-file', files.withKey], [files.withKey, 'holds a private key'], 'nothing');
      assert.doesNotMatch(line, /BEGIN|MII/);
    });
    it('F expired: no request', async () => {
      await refused(['cloud', 'client-ca', 'add', 'prod', '--cert-file', files.expired], [files.expired, 'expired on', 'create-client-ca'], 'nothing');
    });
    it('F missing, or not given: no request', async () => {
      await refused(['cloud', 'client-ca', 'set', 'prod', '--cert-file', '/nonexistent/ca.crt'], ['/nonexistent/ca.crt does not exist'], 'nothing');
      await refused(['cloud', 'client-ca', 'add', 'prod'], ['needs --cert-file F'], 'nothing');
      await refused(['cloud', 'client-ca', 'remove', 'prod', '--fingerprint', 'abc'], ['--fingerprint must be a SHA-256 fingerprint'], 'nothing');
    });
    it('--timeout and --interval are checked before any request, and need --wait', async () => {
      const ca = join(newCa.certsDir, 'ca-client.crt');
      await refused(['cloud', 'client-ca', 'set', 'prod', '--cert-file', ca, '--wait', '--timeout', 'abc'], ['--timeout "abc" is not a duration'], 'nothing');
      await refused(['cloud', 'client-ca', 'add', 'prod', '--cert-file', ca, '--wait', '--interval', '0'], ['--interval "0" is not a duration'], 'nothing');
      await refused(['cloud', 'client-ca', 'show', 'prod', '--wait', '--interval', '0'], ['--interval "0" is not a duration'], 'nothing');
      await refused(
        ['cloud', 'client-ca', 'delete', 'prod', '--timeout', '5m'],
        ['--timeout applies to --wait only: add --wait, or drop --timeout'],
        'nothing',
      );
    });
    it('a Basic or Standard cluster: refused with what those plans use instead; reads only', async () => {
      const ca = join(newCa.certsDir, 'ca-client.crt');
      await refused(
        ['cloud', 'client-ca', 'set', 'hobby', '--cert-file', ca],
        ['"hobby"', 'Basic plan', 'sslrootcert=system', 'passwords or SSO'],
        'reads only',
      );
      await refused(['cloud', 'client-ca', 'add', TEAM, '--cert-file', ca], [TEAM, 'Standard plan', 'Advanced'], 'reads only');
    });
  });

  describe('client CA lifecycle (PENDING → IS_SET, NOT_SET, FAILED)', () => {
    const oldPem = () => readFileSync(join(oldCa.certsDir, 'ca-client.crt'), 'utf8');
    const newPem = () => readFileSync(join(newCa.certsDir, 'ca-client.crt'), 'utf8');
    const wait = ['--wait', '--interval', '20ms', '--timeout', '20s'];
    const home = () => histHome;
    let histHome: string;

    before(() => {
      histHome = tmpDir('crdb-tls-home-');
      api.setClientCa(PROD, 'NOT_SET');
    });

    it('--dry-run prints the plan and sends no change', async () => {
      const before = api.mutations().length;
      const r = await cli(['cloud', 'client-ca', 'set', 'prod', '--cert-file', join(oldCa.certsDir, 'ca-client.crt'), '--dry-run'], { home: home() });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /dry run: nothing was sent/);
      assert.match(r.stdout, /POST the client CA of cluster "prod"/);
      assert.equal(api.mutations().length, before);
    });

    it('set on NOT_SET is a POST; --wait polls through PENDING to IS_SET', async () => {
      const r = await cli(['cloud', 'client-ca', 'set', 'prod', '--cert-file', join(oldCa.certsDir, 'ca-client.crt'), ...wait], { home: home() });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /waiting: PENDING \(poll 1/);
      assert.match(r.stdout, /client CA status: IS_SET/);
      assert.equal(api.mutations().at(-1)?.method, 'POST');
      assert.equal(api.clientCa(PROD).status, 'IS_SET');
    });

    it('add puts the new CA next to the old one (a PATCH with both); show lists both with fingerprints', async () => {
      const r = await cli(['cloud', 'client-ca', 'add', 'prod', '--cert-file', join(newCa.certsDir, 'ca-client.crt'), ...wait], { home: home() });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(api.mutations().at(-1)?.method, 'PATCH');
      const show = await cli(['cloud', 'client-ca', 'show', 'prod', '--json']);
      const v = JSON.parse(show.stdout) as { status: string; cas: { fingerprintSha256: string; subject: string; statusText: string }[] };
      assert.equal(v.status, 'IS_SET');
      assert.equal(v.cas.length, 2);
      assert.ok(api.clientCa(PROD).pem!.includes(oldPem().trim().split('\n')[1]));
      assert.ok(api.clientCa(PROD).pem!.includes(newPem().trim().split('\n')[1]));
    });

    it('remove refuses while a client cert in --certs-dir chains only to the CA being removed, and lists it', async () => {
      const line = await refused(
        [
          'cloud',
          'client-ca',
          'remove',
          'prod',
          '--cert-file',
          join(oldCa.certsDir, 'ca-client.crt'),
          '--certs-dir',
          oldCa.certsDir,
          '--certs-dir',
          newCa.certsDir,
        ],
        ['"prod"', join(oldCa.certsDir, 'client.alice.crt'), '--force'],
        'reads only',
      );
      assert.doesNotMatch(line, /client\.bob\.crt/, 'bob chains to the CA that stays');
    });

    it('delete refuses too while any client cert depends on the bundle', async () => {
      await refused(['cloud', 'client-ca', 'delete', 'prod', '--certs-dir', newCa.certsDir], ['client.bob.crt', 'delete the client CA'], 'reads only');
    });

    it('remove by fingerprint with the certs that still chain: a PATCH with the new CA alone', async () => {
      const show = JSON.parse((await cli(['cloud', 'client-ca', 'show', PROD, '--json'])).stdout) as { cas: { fingerprintSha256: string; subject: string }[] };
      const oldFp = show.cas[0].fingerprintSha256.replace(/:/g, '').toLowerCase();
      const r = await cli(['cloud', 'client-ca', 'remove', 'prod', '--fingerprint', oldFp, '--certs-dir', newCa.certsDir, ...wait], { home: home() });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(api.clientCa(PROD).pem, newPem());
    });

    it('history lists the saved bundles; rollback puts the newest back (with the same guards)', async () => {
      const h = JSON.parse((await cli(['cloud', 'client-ca', 'history', 'prod', '--json'], { home: home() })).stdout) as {
        id: string;
        command: string;
        status: string;
        cas: unknown[];
      }[];
      assert.deepEqual(
        h.map((e) => [e.status, e.cas.length, e.command.split(' ')[1]]),
        [
          ['IS_SET', 2, 'remove'],
          ['IS_SET', 1, 'add'],
          ['NOT_SET', 0, 'set'],
        ],
      );
      await refused(['cloud', 'client-ca', 'rollback', 'prod', h[2].id, '--certs-dir', newCa.certsDir], ['client.bob.crt'], 'reads only', home());
      const r = await cli(['cloud', 'client-ca', 'rollback', 'prod', ...wait], { home: home() });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`rolls back to the bundle saved .* \\(${h[0].id}\\)`));
      assert.equal(api.clientCa(PROD).status, 'IS_SET');
      assert.ok(api.clientCa(PROD).pem!.includes(oldPem().trim().split('\n')[1]));
    });

    it('rollback again goes further back (to the bundle before add), not back to what the first rollback replaced', async () => {
      const r = await cli(['cloud', 'client-ca', 'rollback', 'prod', ...wait], { home: home() });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /before "client-ca add prod/);
      assert.equal(api.clientCa(PROD).pem, oldPem(), 'the old CA alone, as before add');
      const h = JSON.parse((await cli(['cloud', 'client-ca', 'history', 'prod', '--json'], { home: home() })).stdout) as { rolledBackTo?: string }[];
      assert.equal(h.filter((e) => e.rolledBackTo).length, 2, 'each rollback recorded what it put back');
    });

    it('delete --wait ends NOT_SET; set afterwards is a POST again', async () => {
      const d = await cli(['cloud', 'client-ca', 'delete', 'prod', '--force', ...wait], { home: home() });
      assert.equal(d.status, 0, d.stderr);
      assert.equal(api.mutations().at(-1)?.method, 'DELETE');
      assert.match(d.stdout, /client CA status: NOT_SET/);
      const s = await cli(['cloud', 'client-ca', 'set', 'prod', '--cert-file', join(newCa.certsDir, 'ca-client.crt'), ...wait], { home: home() });
      assert.equal(s.status, 0, s.stderr);
      assert.equal(api.mutations().at(-1)?.method, 'POST');
    });

    it('a CA with under 30 days left is uploaded with a warning', async () => {
      const r = await cli(['cloud', 'client-ca', 'add', 'prod', '--cert-file', files.expiring, ...wait], { home: home() });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /^warning: .*expires in 9 d/m);
    });

    it('FAILED is an error naming the cluster and the way back', async () => {
      api.failNext(PROD);
      const r = await cli(['cloud', 'client-ca', 'set', 'prod', '--cert-file', join(oldCa.certsDir, 'ca-client.crt'), ...wait], { home: home() });
      assert.equal(r.status, 1);
      assert.match(r.stderr, /FAILED in the Cloud: .*client-ca rollback prod/);
    });

    it('--wait gives up at --timeout while PENDING', async () => {
      api.setClientCa(PROD, 'IS_SET', oldPem());
      const slow = await CloudStandIn.start(spec, {
        apiKey: KEY,
        pendingPolls: 1000,
        clusters: [{ id: PROD, name: 'prod', plan: 'ADVANCED', caPem: clusterCa, clientCa: { status: 'IS_SET', pem: oldPem() } }],
      });
      try {
        const r = await cli(
          ['cloud', 'client-ca', 'set', PROD, '--cert-file', join(newCa.certsDir, 'ca-client.crt'), '--wait', '--interval', '20ms', '--timeout', '300ms'],
          {
            home: home(),
            server: slow.url,
          },
        );
        assert.equal(r.status, 1);
        assert.match(r.stderr, /still PENDING, not IS_SET, after .*--timeout/);
        assert.deepEqual(slow.violations(), []);
      } finally {
        await slow.stop();
      }
    });
  });

  describe('the contract and the key', () => {
    it('every request reached the stand-in valid against the spec, and every response it sent too', () => {
      const api_ = api.requests.filter((q) => q.path.startsWith('/api/'));
      assert.ok(api_.length >= 40, `only ${api_.length} API requests`);
      assert.deepEqual(api.violations(), []);
      assert.deepEqual(api.responseErrors, []);
      const ops = new Set(api_.map((q) => q.operationId));
      for (const op of ['ListClusters', 'GetCluster', 'GetClientCACert', 'SetClientCACert', 'UpdateClientCACert', 'DeleteClientCACert'])
        assert.ok(ops.has(`CockroachCloud_${op}`), `no ${op} request`);
      console.log(`      ${api_.length} API requests validated against openapi.json ${spec.version}`);
    });

    it('the API key appears in no output of any command', () => {
      assert.ok(outputs.length > 40);
      for (const o of outputs) assert.ok(!o.includes(KEY), `the key appeared in: ${o.slice(0, 200)}`);
      assert.ok(existsSync(join(oldCa.certsDir, 'ca-client.crt')));
    });
  });
});
