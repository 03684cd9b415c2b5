import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeCertsDir } from '../support/certs';
import type { Api } from '../../src/extension/extension';
import type { CertNode, ClusterNode } from '../../src/extension/tree';
import { answerInputs, api, colorId, items, label, tooltipText, waitFor } from './support';

const DAY = 86_400_000;
const restricted = process.env.CRDB_TLS_TEST_RESTRICTED === '1';
const ws = () => vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';

if (!restricted)
  describe('sidebar tree (trusted workspace)', function () {
    let a: Api;
    let certs: string;
    let caKey: string;

    before(async () => {
      a = await api();
      certs = join(ws(), 'demo-certs');
      caKey = join(ws(), 'safe', 'ca.key');
      mkdirSync(join(ws(), 'safe'), { recursive: true, mode: 0o700 });
    });

    const demo = () => items(a).find((i) => label(i.item) === 'demo');

    it('adds a self-hosted cluster through Add Cluster (quick inputs answered from the test)', async () => {
      const answered = answerInputs(a, [{ pick: 'Self-hosted' }, certs, caKey, 'demo']);
      const done = vscode.commands.executeCommand('cockroachTls.addCluster');
      await answered;
      await done;
      const setting = vscode.workspace.getConfiguration('cockroachTls').get<{ name: string; certsDir: string; caKey?: string }[]>('clusters');
      assert.deepEqual(setting, [{ name: 'demo', certsDir: certs, caKey }]);
      const c = await waitFor('cluster demo in the tree', demo);
      assert.equal(c.item.contextValue, 'cluster.selfHosted.settings');
      assert.equal((c.item.iconPath as vscode.ThemeIcon).id, 'database');
      // The certs dir does not exist yet: the cluster says so and how to fix it.
      assert.match(
        items(a, c.node)
          .map((i) => label(i.item))
          .join('\n'),
        /does not exist/,
      );
    });

    it('creates the CA, a node and a client certificate from the cluster item', async () => {
      let c = demo();
      assert.ok(c);
      let answered = answerInputs(a, [caKey, '87840h']);
      await vscode.commands.executeCommand('cockroachTls.createCa', c.node);
      await answered;
      await waitFor('ca.crt', () => existsSync(join(certs, 'ca.crt')));
      assert.equal(statSync(caKey).mode & 0o777, 0o600);

      c = await waitFor('demo cluster', demo);
      answered = answerInputs(a, ['localhost 127.0.0.1 demo.internal', caKey, '43920h']);
      await vscode.commands.executeCommand('cockroachTls.createNode', c.node);
      await answered;

      c = await waitFor('demo cluster', demo);
      answered = answerInputs(a, ['Alice', { pick: 'Yes' }, caKey, '43920h']);
      await vscode.commands.executeCommand('cockroachTls.createClient', c.node);
      await answered;
      assert.ok(existsSync(join(certs, 'client.alice.key.pk8')));

      const kids = await waitFor('three certificates', () => {
        const d = demo();
        const k = d ? items(a, d.node) : [];
        return k.length === 3 ? k : undefined;
      });
      assert.deepEqual(
        kids.map((k) => label(k.item)),
        ['CA', 'Node', 'Client: alice'],
      );
      assert.deepEqual(
        kids.map((k) => k.item.contextValue),
        ['cert.ca', 'cert.node.withKey', 'cert.client.withKey'],
      );
      const [ca, node, client] = kids.map((k) => k.item);
      assert.match(String(ca.description), /^expires in (9 y 1[01] mo|10 y)$/);
      assert.match(String(node.description), /^expires in (4 y 11 mo|5 y)$/);
      assert.deepEqual(
        [(ca.iconPath as vscode.ThemeIcon).id, (node.iconPath as vscode.ThemeIcon).id, (client.iconPath as vscode.ThemeIcon).id],
        ['workspace-trusted', 'server', 'person'],
      );
      assert.equal(colorId(node), 'charts.green');
      const tip = tooltipText(node);
      assert.match(tip, /Node certificate/);
      assert.match(tip, /CN=node, O=Cockroach/);
      assert.match(tip, /DNS:localhost, DNS:demo\.internal, IP:127\.0\.0\.1/);
      assert.match(tip, /SHA-256 \| ([0-9A-F]{2}:){31}[0-9A-F]{2}/);
      assert.match(tip, /% of lifetime used/);
      assert.match(tooltipText(client), /CN=alice/);
    });

    it('follows files changing on disk, reading only what changed', async () => {
      const reads = a.model.fileReads;
      unlinkSync(join(certs, 'client.alice.key'));
      const client = await waitFor('the missing key to show', () => {
        const d = demo();
        return d && items(a, d.node).find((k) => label(k.item) === 'Client: alice' && /1 problem/.test(String(k.item.description)));
      });
      assert.equal((client.item.iconPath as vscode.ThemeIcon).id, 'error');
      assert.match(tooltipText(client.item), /key file .*client\.alice\.key is missing/);
      assert.ok(a.model.fileReads - reads <= 1, `re-read ${a.model.fileReads - reads} files for one deleted key`);

      rmSync(join(certs, 'client.alice.crt'));
      await waitFor('the client to disappear', () => {
        const d = demo();
        return d && !items(a, d.node).some((k) => label(k.item) === 'Client: alice');
      });
    });

    it('shows expiring and expired certificates in colour, in the status bar and as notifications', async () => {
      // A certs dir found in the workspace (not in settings): a CA issued long ago and short-lived certs.
      const dir = join(ws(), 'old-cluster', 'certs');
      const key = join(ws(), 'old-cluster', 'ca.key');
      const now = Date.now();
      const notifiedBefore = a.monitor.notifications.length;
      mkdirSync(join(ws(), 'old-cluster'));
      await makeCertsDir({
        certsDir: dir,
        caKey: key,
        hosts: ['localhost'],
        users: ['old'],
        ca: { now: new Date(now - 3000 * DAY), lifetimeMs: 3200 * DAY },
        node: { now: new Date(now - 80 * DAY), lifetimeMs: 100 * DAY },
        client: { now: new Date(now - 40 * DAY), lifetimeMs: 37 * DAY },
      });
      await vscode.commands.executeCommand('cockroachTls.refresh');
      const old = await waitFor('the discovered cluster', () => items(a).find((i) => /old-cluster/.test(label(i.item))));
      assert.equal(old.item.contextValue, 'cluster.selfHosted.workspace');
      const kids = items(a, old.node);
      const by = (l: string) => kids.find((k) => label(k.item) === l)?.item;
      assert.match(String(by('CA')?.description), /^expires in 6 mo$/);
      assert.equal(colorId(by('CA')), 'charts.yellow');
      assert.match(String(by('Node')?.description), /^expires in 19 d$/);
      assert.equal(colorId(by('Node')), 'charts.orange');
      assert.match(String(by('Client: old')?.description), /^expired 3 d ago$/);
      assert.equal((by('Client: old')?.iconPath as vscode.ThemeIcon).id, 'error');

      assert.match(a.monitor.item.text, /^\$\(error\) .*old.*3 d ago/);
      assert.match(String(a.monitor.item.tooltip), /Soonest certificate expiry: .*client old expired 3 d ago/);
      // Summary notifications, not one per certificate: together they list all three, each once.
      const summaries = await waitFor('the summary notifications', () => {
        const n = a.monitor.notifications.slice(notifiedBefore);
        const all = n.map((x) => x.message).join('\n');
        return /client old expired 3 d ago/.test(all) && /Node expires in 19 d/.test(all) && /CA expires in 6 mo/.test(all) && n;
      });
      assert.ok(summaries.length < 3, `${summaries.length} notifications: ${summaries.map((x) => x.message).join(' | ')}`);
      const alerts = a.monitor.shownAlerts.map((x) => `${x.level}: ${x.message}`).join('\n');
      assert.match(alerts, /error: .*client old expired 3 d ago/);
      assert.match(alerts, /error: .*Node expires in 19 d: rotate it now/);
      assert.match(alerts, /warning: .*CA expires in 6 mo: plan the CA rotation/);
      // Once per certificate and threshold: a refresh shows nothing new.
      const count = a.monitor.shownAlerts.length;
      const notified = a.monitor.notifications.length;
      await vscode.commands.executeCommand('cockroachTls.refresh');
      await new Promise((r) => setTimeout(r, 1_500)); // past the monitor's settle time
      assert.equal(a.monitor.shownAlerts.length, count);
      assert.equal(a.monitor.notifications.length, notified);
      // Clicking the status bar reveals the certificate in the tree.
      await vscode.commands.executeCommand('cockroachTls.revealSoonest');
      await waitFor('selection', () => a.view.selection.some((n) => n.type === 'cert' && n.entry.name === 'old'));
    });

    it('inspects a certificate in the certificate viewer: fields, role, checks, chain and expiry', async () => {
      const d = demo() as { node: ClusterNode };
      const node = a.tree.getChildren(d.node).find((n): n is CertNode => n.type === 'cert' && n.entry.usage === 'Node');
      assert.ok(node);
      await vscode.commands.executeCommand('cockroachTls.inspectCertificate', node);
      const m = await waitFor('the certificate viewer', () => a.viewer.shown.get(node.entry.certPath));
      const tab = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
      assert.ok(tab instanceof vscode.TabInputCustom && tab.viewType === 'cockroachTls.certificateViewer', 'the viewer is the active tab');
      assert.equal(m.kind, 'certificate');
      assert.equal(m.title, 'Node certificate (node.crt)');
      assert.equal(m.tone, 'ok');
      const rows = Object.fromEntries(m.sections[0].rows.map((r) => [r.label, r.value]));
      assert.match(rows.Subject, /O ?= ?Cockroach, CN ?= ?node/);
      assert.match(rows.SANs, /DNS:demo\.internal/);
      assert.match(rows['Extended key usage'], /TLS Web Server Authentication, TLS Web Client Authentication/);
      assert.match(rows.Chain, /signed by/i);
      assert.match(rows.Status, /^ok .*; expires in (4 y 11 mo|5 y)$/);
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    });

    it('opens .crt and .key files in the viewer; a key shows its checks, never its contents', async () => {
      const d = demo() as { node: ClusterNode };
      const node = a.tree.getChildren(d.node).find((n): n is CertNode => n.type === 'cert' && n.entry.usage === 'Node');
      assert.ok(node?.entry.keyPath);
      await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(node.entry.keyPath));
      const k = await waitFor('the key in the viewer', () => a.viewer.shown.get(node.entry.keyPath as string));
      assert.equal(k.kind, 'key');
      const rows = Object.fromEntries(k.sections[0].rows.map((r) => [r.label, r.value]));
      assert.match(rows.Type, /^RSA 2048/i);
      assert.match(rows.Certificate, /^matches .*node\.crt/);
      const body = readFileSync(node.entry.keyPath, 'utf8').split('\n')[1];
      assert.ok(body.length > 40 && !JSON.stringify(k).includes(body.slice(0, 40)), 'no key material in the model');
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    });

    after(async () => {
      await vscode.workspace.getConfiguration('cockroachTls').update('clusters', undefined, vscode.ConfigurationTarget.Workspace);
      writeFileSync(join(ws(), '.done'), '');
    });
  });

if (restricted)
  describe('restricted mode', function () {
    it('shows the tree but refuses to write files', async () => {
      assert.equal(vscode.workspace.isTrusted, false);
      const dir = join(ws(), 'r-certs');
      const key = join(ws(), 'r-ca.key');
      await makeCertsDir({ certsDir: dir, caKey: key, node: false, users: [] });
      const a = await api();
      await vscode.commands.executeCommand('cockroachTls.refresh');
      const c = await waitFor('the discovered cluster', () => items(a).find((i) => /r-certs/.test(label(i.item))));
      assert.deepEqual(
        items(a, c.node).map((i) => label(i.item)),
        ['CA'],
      );
      const before = statSync(join(dir, 'ca.crt')).mtimeMs;
      await vscode.commands.executeCommand('cockroachTls.createNode', c.node);
      await vscode.commands.executeCommand('cockroachTls.createCa', c.node);
      assert.equal(a.testing.activeInput(), undefined, 'no input was asked for');
      assert.ok(!existsSync(join(dir, 'node.crt')));
      assert.equal(statSync(join(dir, 'ca.crt')).mtimeMs, before);
    });
  });
