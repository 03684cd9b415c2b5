/**
 * CockroachDB Cloud in a real VS Code, against the stateful stand-in of the Cloud API (started here,
 * in the extension host, on 127.0.0.1; every request checked against the official spec): the key in
 * SecretStorage and never in settings, the API's clusters in the tree, the CA download, the guards,
 * the client CA rotation wizard end to end (stopped by the guard, resumed), and in restricted mode
 * no request at all (counted at the stand-in) and nothing written.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { X509Certificate, randomUUID } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { closedPort } from '../support/pgstub';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCa, createClient, createClientCa } from '../../src/core/certsdir/create';
import type { Api } from '../../src/extension/extension';
import type { Node } from '../../src/extension/tree';
import { CloudSpec } from '../support/cloudSpec';
import { CloudStandIn } from '../support/cloudStandIn';
import { answerInputs, api, items, label, waitFor } from './support';

const restricted = process.env.CRDB_TLS_TEST_RESTRICTED === '1';
const KEY = `CCDB1_${randomUUID().replace(/-/g, '')}`;
const PROD = randomUUID();
const HOBBY = randomUUID();
const ws = () => vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';

function fingerprints(pem: string | undefined): string[] {
  return [...(pem ?? '').matchAll(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)].map((m) => new X509Certificate(m[0]).fingerprint256);
}

interface Fixture {
  dir: string;
  standIn: CloudStandIn;
  clusterCaPem: string;
  oldCaPem: string;
  certs: string;
}

/** A temp dir with the clusters' CA, an old client CA with clients alice and bob, and the stand-in serving prod (Advanced, IS_SET) and hobby (Basic). */
async function fixture(): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), 'crdb-tls-cloud-'));
  mkdirSync(join(dir, 'safe'), { mode: 0o700 });
  await createCa({ certsDir: join(dir, 'cluster-ca'), caKey: join(dir, 'safe', 'cluster-ca.key') });
  const certs = join(dir, 'certs');
  await createCa({ certsDir: certs, caKey: join(dir, 'safe', 'ca.key') });
  await createClientCa({ certsDir: certs, caKey: join(dir, 'safe', 'old-client-ca.key') });
  for (const user of ['alice', 'bob']) await createClient({ certsDir: certs, caKey: join(dir, 'safe', 'old-client-ca.key'), user });
  const clusterCaPem = readFileSync(join(dir, 'cluster-ca', 'ca.crt'), 'utf8');
  const oldCaPem = readFileSync(join(certs, 'ca-client.crt'), 'utf8');
  const spec = await CloudSpec.load();
  const standIn = await CloudStandIn.start(spec, {
    apiKey: KEY,
    clusters: [
      { id: PROD, name: 'prod', plan: 'ADVANCED', caPem: clusterCaPem, clientCa: { status: 'IS_SET', pem: oldCaPem } },
      { id: HOBBY, name: 'hobby', plan: 'BASIC', caPem: clusterCaPem },
    ],
  });
  return { dir, standIn, clusterCaPem, oldCaPem, certs };
}

async function pointAt(url: string | undefined): Promise<void> {
  const cfg = vscode.workspace.getConfiguration('cockroachTls');
  await cfg.update('cloud.server', url, vscode.ConfigurationTarget.Global);
  await cfg.update('cloud.pollIntervalMs', url ? 200 : undefined, vscode.ConfigurationTarget.Global);
}

const cloudNode = (a: Api, name: string) => items(a).find((i) => label(i.item) === name && i.node.type === 'cluster' && i.node.state.cluster.kind === 'cloud');
const childText = (a: Api, n: Node) =>
  items(a, n)
    .map((i) => `${label(i.item)}: ${i.item.description ?? ''}`)
    .join('\n');

if (!restricted)
  describe('CockroachDB Cloud (trusted workspace, against the API stand-in)', function () {
    this.timeout(120_000);
    let a: Api;
    let fx: Fixture;
    let ask: Api['testing']['confirmation']['ask'];
    const plans: { title: string; lines: string[] }[] = [];
    let answer = true;

    before(async () => {
      a = await api();
      fx = await fixture();
      await pointAt(fx.standIn.url);
      ask = a.testing.confirmation.ask;
      a.testing.confirmation.ask = async (title, lines) => {
        plans.push({ title, lines });
        return answer;
      };
    });

    after(async () => {
      a.testing.confirmation.ask = ask;
      // The history is the CLI's, in the user's config dir: this run's cluster folder goes.
      rmSync(join(await a.cloud.historyDir(), PROD), { recursive: true, force: true });
      await a.cloud.clearKey();
      await pointAt(undefined);
      await fx.standIn.stop();
      rmSync(fx.dir, { recursive: true, force: true });
    });

    afterEach(() => {
      assert.deepEqual(fx.standIn.violations(), [], 'every request validates against the spec');
      assert.deepEqual(fx.standIn.responseErrors, [], "the stand-in's answers validate against the spec");
    });

    it('Set Cloud API Key keeps the key in SecretStorage, not in settings; the API clusters join the tree', async () => {
      const answered = answerInputs(a, [KEY]);
      await vscode.commands.executeCommand('cockroachTls.setCloudApiKey');
      await answered;
      assert.equal(await a.cloud.key(), KEY);
      const cfg = vscode.workspace.getConfiguration('cockroachTls');
      const all = JSON.stringify(Object.keys(cfg).map((k) => cfg.inspect(k)));
      assert.ok(!all.includes(KEY), 'the key is in no setting');
      for (const f of [join(ws(), '.vscode', 'settings.json')]) if (existsSync(f)) assert.ok(!readFileSync(f, 'utf8').includes(KEY), f);
      const prod = await waitFor('prod in the tree', () => cloudNode(a, 'prod'));
      const hobby = await waitFor('hobby in the tree', () => cloudNode(a, 'hobby'));
      assert.equal(prod.item.contextValue, 'cluster.cloud.api.advanced');
      assert.equal(hobby.item.contextValue, 'cluster.cloud.api.basic');
      const text = childText(a, prod.node);
      assert.match(text, /^Plan: ADVANCED · CREATED · AWS$/m);
      assert.match(text, new RegExp(`^Region us-east-1: prod-${PROD.slice(0, 4)}\\.aws-us-east-1\\.cockroachlabs\\.cloud$`, 'm'));
      assert.match(text, /^Client CA: IS_SET$/m);
      assert.match(text, /^Client CA: .*Cockroach CA.*: expires in (9 y 1[01] mo|10 y)$/m);
      assert.match(text, /^Cluster CA file: (not downloaded|holds a different CA|up to date): /m);
      assert.match(childText(a, hobby.node), /^Client CA: none \(BASIC plan/m);
      assert.equal(fx.standIn.mutations().length, 0);
      // The key never reached a request as anything but the Authorization header.
      assert.ok(fx.standIn.requests.every((r) => !r.path.includes(KEY) && !JSON.stringify(r.query).includes(KEY)));
    });

    it('Download CA Certificate writes the cluster CA, refuses to replace a different one unless confirmed, then backs it up', async () => {
      const file = join(fx.dir, 'pg', 'root.crt');
      let answered = answerInputs(a, [file]);
      await vscode.commands.executeCommand('cockroachTls.cloudDownloadCaCert', cloudNode(a, 'prod')?.node);
      await answered;
      assert.deepEqual(fingerprints(readFileSync(file, 'utf8')), fingerprints(fx.clusterCaPem));
      await waitFor('the tree says up to date', () => {
        const p = cloudNode(a, 'prod');
        return p && /Cluster CA file: up to date/.test(childText(a, p.node));
      });
      // A different CA in the file: declined, nothing changes; accepted, the old file is backed up.
      writeFileSync(file, fx.oldCaPem);
      answer = false;
      answered = answerInputs(a, [file]);
      await vscode.commands.executeCommand('cockroachTls.cloudDownloadCaCert', cloudNode(a, 'prod')?.node);
      await answered;
      assert.equal(readFileSync(file, 'utf8'), fx.oldCaPem);
      assert.match(plans.at(-1)?.lines.join('\n') ?? '', /holds a different CA/);
      answer = true;
      answered = answerInputs(a, [file]);
      await vscode.commands.executeCommand('cockroachTls.cloudDownloadCaCert', cloudNode(a, 'prod')?.node);
      await answered;
      assert.deepEqual(fingerprints(readFileSync(file, 'utf8')), fingerprints(fx.clusterCaPem));
      const backups = readdirSync(join(fx.dir, 'pg')).filter((f) => f.endsWith('.bak'));
      assert.equal(backups.length, 1);
      assert.equal(readFileSync(join(fx.dir, 'pg', backups[0]), 'utf8'), fx.oldCaPem);
      assert.equal(fx.standIn.mutations().length, 0);
    });

    it('Copy Connection String comes from the connection-string endpoint, with the local CA file only when it holds the cluster CA', async () => {
      const copy = async (name: string) => (await vscode.commands.executeCommand('cockroachTls.cloudCopyConnectionString', cloudNode(a, name)?.node)) as string;
      const url = await copy('prod');
      assert.match(url, /^postgresql:\/\/maxroach@prod-.*:26257\/defaultdb\?sslmode=verify-full&sslrootcert=.*\/pg\/root\.crt$/);
      assert.ok(fx.standIn.requests.some((r) => r.path === `/api/v1/clusters/${PROD}/connection-string`));
      // A self-hosted CA in the file: not named (the client's default, and the message says why).
      const file = join(fx.dir, 'pg', 'root.crt');
      const cloudCa = readFileSync(file, 'utf8');
      writeFileSync(file, fx.oldCaPem);
      try {
        await a.cloud.refresh();
        assert.equal(a.cloud.find(PROD)?.localCa.state, 'different');
        assert.equal(new URL(await copy('prod')).searchParams.has('sslrootcert'), false);
      } finally {
        writeFileSync(file, cloudCa);
        await a.cloud.refresh();
      }
      // A Basic cluster without its CA on this machine: the system's public CAs.
      if (a.cloud.find(HOBBY)?.localCa.state !== 'same') assert.equal(new URL(await copy('hobby')).searchParams.get('sslrootcert'), 'system');
    });

    it('guards: Add Client CA on a Basic cluster and a key file as CA send no change', async () => {
      const before = fx.standIn.requests.length;
      let answered = answerInputs(a, [join(fx.certs, 'ca-client.crt')]);
      await vscode.commands.executeCommand('cockroachTls.cloudAddClientCa', cloudNode(a, 'hobby')?.node);
      await answered;
      answered = answerInputs(a, [join(fx.certs, 'client.alice.key')]);
      await vscode.commands.executeCommand('cockroachTls.cloudAddClientCa', cloudNode(a, 'prod')?.node);
      await answered;
      assert.equal(fx.standIn.mutations().length, 0);
      // The key file is refused before any request; the Basic plan after GETs only.
      assert.ok(fx.standIn.requests.slice(before).every((r) => r.method === 'GET'));
    });

    it('the rotation wizard refuses an existing key file for a new client CA, and a FIFO as ca-client.crt, sending nothing', async () => {
      const before = readFileSync(join(fx.certs, 'ca-client.crt'), 'utf8');
      const oldKey = join(fx.dir, 'safe', 'old-client-ca.key');
      const keyBefore = readFileSync(oldKey, 'utf8');
      let answered = answerInputs(a, [{ pick: 'Create a new client CA' }, fx.certs, oldKey]);
      const r = (await vscode.commands.executeCommand('cockroachTls.cloudRotateClientCa', cloudNode(a, 'prod')?.node)) as { step: number };
      await answered;
      assert.equal(r.step, 1);
      assert.equal(readFileSync(oldKey, 'utf8'), keyBefore);
      assert.equal(readFileSync(join(fx.certs, 'ca-client.crt'), 'utf8'), before);
      // A FIFO where ca-client.crt should be: refused by the core's reader (a read would block the extension host).
      const fifoDir = join(fx.dir, 'fifo-certs');
      mkdirSync(fifoDir);
      execFileSync('mkfifo', [join(fifoDir, 'ca-client.crt')]);
      answered = answerInputs(a, [{ pick: 'Use an existing client CA' }, fifoDir, oldKey]);
      const f = (await vscode.commands.executeCommand('cockroachTls.cloudRotateClientCa', cloudNode(a, 'prod')?.node)) as { step: number };
      await answered;
      assert.equal(f.step, 1);
      assert.equal(a.rotations.get(PROD), undefined, 'nothing to resume before the CA is chosen');
      assert.equal(fx.standIn.mutations().length, 0);
    });

    it('the rotation wizard: new client CA, added (PENDING → IS_SET), alice re-issued, tested; the guard stops the remove while bob depends, and it resumes', async () => {
      const port = await closedPort();
      const newKey = join(fx.dir, 'safe', 'new-client-ca.key');
      const shown: { title?: string; value?: string }[] = [];
      const sub = a.testing.onDidShowInput((q) => shown.push({ title: q.title, value: 'items' in q ? undefined : q.value }));
      const testUrl = `postgresql://alice@127.0.0.1:${port}/defaultdb?sslmode=verify-full&sslrootcert=${join(fx.dir, 'pg', 'root.crt')}`;
      const aliceBefore = readFileSync(join(fx.certs, 'client.alice.crt'), 'utf8');
      let answered = answerInputs(a, [{ pick: 'Create a new client CA' }, fx.certs, newKey, 'alice', testUrl]);
      const first = (await vscode.commands.executeCommand('cockroachTls.cloudRotateClientCa', cloudNode(a, 'prod')?.node)) as { step: number };
      await answered;
      sub.dispose();
      // Stopped at step 5: bob's certificate chains only to the old CA.
      assert.equal(first.step, 5);
      assert.equal(a.rotations.get(PROD)?.step, 5);
      const muts = fx.standIn.mutations();
      assert.deepEqual(
        muts.map((r) => r.method),
        ['PATCH'],
      );
      const held = fx.standIn.clientCa(PROD);
      assert.equal(held.status, 'IS_SET');
      const newFp = fingerprints(readFileSync(join(fx.certs, 'ca-client.crt'), 'utf8'))[0];
      const oldFp = fingerprints(fx.oldCaPem)[0];
      assert.deepEqual(new Set(fingerprints(held.pem)), new Set([newFp, oldFp]));
      // The test step showed the API's URL with alice's new certificate.
      const prefilled = shown.find((s) => s.title === 'Test Connection')?.value ?? '';
      assert.match(prefilled, /^postgresql:\/\/alice@prod-.*sslcert=.*client\.alice\.crt&sslkey=.*client\.alice\.key/);
      assert.ok(plans.some((p) => /go on to remove the old CA anyway/.test(p.title)));
      assert.ok(
        new X509Certificate(readFileSync(join(fx.certs, 'client.alice.crt'))).checkIssued(new X509Certificate(readFileSync(join(fx.certs, 'ca-client.crt')))),
      );
      // alice's old certificate and key were backed up (the core's certs-dir backup) before they were replaced.
      const backups = join(`${fx.certs}.backups`);
      const manifests = readdirSync(backups).map((d) => ({
        d,
        m: JSON.parse(readFileSync(join(backups, d, 'manifest.json'), 'utf8')) as { files: { path: string; copy: string }[] },
      }));
      const alice = manifests.flatMap(({ d, m }) => m.files.filter((x) => x.path === join(fx.certs, 'client.alice.crt')).map((x) => join(backups, d, x.copy)));
      assert.equal(alice.length, 1, JSON.stringify(manifests));
      assert.equal(readFileSync(alice[0], 'utf8'), aliceBefore);
      assert.ok(manifests.some(({ m }) => m.files.some((x) => x.path === join(fx.certs, 'client.alice.key'))));
      const prod = await waitFor('the tree shows the step', () => {
        const p = cloudNode(a, 'prod');
        return p && /Client CA rotation: step 5 of 5: remove the old CA/.test(childText(a, p.node)) ? p : undefined;
      });
      // bob moves on (his certificate is gone from the certs dir); the wizard resumes at step 5.
      unlinkSync(join(fx.certs, 'client.bob.crt'));
      unlinkSync(join(fx.certs, 'client.bob.key'));
      answered = answerInputs(a, [{ pick: 'Continue' }]);
      const done = (await vscode.commands.executeCommand('cockroachTls.cloudRotateClientCa', prod.node)) as { step: number };
      await answered;
      assert.equal(done.step, 6);
      assert.equal(a.rotations.get(PROD), undefined);
      assert.deepEqual(
        fx.standIn.mutations().map((r) => r.method),
        ['PATCH', 'PATCH'],
      );
      assert.deepEqual(fingerprints(fx.standIn.clientCa(PROD).pem), [newFp]);
      assert.equal(fx.standIn.clientCa(PROD).status, 'IS_SET');
      // Each change saved the bundle before it where the CLI keeps its history (crdb-tls cloud client-ca rollback undoes it).
      const { defaultHistoryDir } = await import('../../src/core/cloud/history');
      assert.equal(await a.cloud.historyDir(), defaultHistoryDir(process.env, process.platform, homedir()));
      assert.equal(readdirSync(join(await a.cloud.historyDir(), PROD)).length, 2);
    });

    it("a key the API refuses: the tree shows the core's sentence (from its own bundle, dist/core-cloud.js), and the key nowhere", async () => {
      const wrong = 'CCDB1_wrong_key_0123456789';
      await a.cloud.storeKey(wrong);
      await a.cloud.refresh();
      // A UserError from the lazily loaded core is still one: its sentence, not "unexpected error".
      assert.match(a.cloud.problem ?? '', /did not accept the API key \(401 Unauthorized\)/);
      assert.doesNotMatch(a.cloud.problem ?? '', /unexpected error/);
      assert.ok(!(a.cloud.problem ?? '').includes(wrong), 'the key is in the message');
      assert.equal(cloudNode(a, 'prod'), undefined);
      await a.cloud.storeKey(KEY);
      await a.cloud.refresh();
      await waitFor('prod back in the tree', () => cloudNode(a, 'prod'));
    });

    it('Clear Cloud API Key removes the key and the API clusters', async () => {
      await vscode.commands.executeCommand('cockroachTls.clearCloudApiKey');
      assert.equal(await a.cloud.key(), undefined);
      await waitFor('prod gone from the tree', () => !cloudNode(a, 'prod'));
    });
  });

if (restricted)
  describe('CockroachDB Cloud (restricted mode)', function () {
    this.timeout(120_000);
    let a: Api;
    let fx: Fixture;

    before(async () => {
      a = await api();
      fx = await fixture();
      await pointAt(fx.standIn.url);
    });

    after(async () => {
      await a.cloud.clearKey();
      await pointAt(undefined);
      await fx.standIn.stop();
      rmSync(fx.dir, { recursive: true, force: true });
    });

    it('with a key set, lists nothing, sends no request and writes nothing', async () => {
      await a.cloud.storeKey(KEY);
      await vscode.commands.executeCommand('cockroachTls.refresh');
      await a.cloud.refresh();
      assert.match(a.cloud.problem ?? '', /restricted mode/);
      assert.equal(cloudNode(a, 'prod'), undefined);
      const root = join(fx.dir, 'pg', 'root.crt');
      for (const id of [
        'cockroachTls.cloudDownloadCaCert',
        'cockroachTls.cloudShowClientCa',
        'cockroachTls.cloudAddClientCa',
        'cockroachTls.cloudRemoveClientCa',
        'cockroachTls.cloudDeleteClientCa',
        'cockroachTls.cloudCopyConnectionString',
        'cockroachTls.cloudTestConnection',
        'cockroachTls.cloudRotateClientCa',
      ])
        assert.equal(await vscode.commands.executeCommand(id), undefined, id);
      assert.equal(fx.standIn.requests.length, 0, 'no request reached the stand-in');
      assert.ok(!existsSync(root));
      assert.ok(!existsSync(join(await a.cloud.historyDir(), PROD)));
      assert.equal(a.rotations.get(PROD), undefined);
    });
  });
