/**
 * Fleet commands in the editor against a real two-node fleet (test/support/fleet.ts: a TLS
 * PostgreSQL and an OpenSSH sshd per node on loopback, started here in the extension host):
 * the plan shows each node's reload command, the rotation runs, and both nodes serve the new
 * certificates; Fleet Status reports; in restricted mode every fleet command is refused.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FleetReport, FleetStatus, NodeStatus } from '../../src/core/fleet';
import { tlsProbe } from '../../src/core/fleet/context';
import type { Api } from '../../src/extension/extension';
import { Fleet } from '../support/fleet';
import type { FleetMember, FleetRoot } from '../../src/extension/fleetTree';
import { answerInputs, api, items, label, tooltipText, waitFor } from './support';

const restricted = process.env.CRDB_TLS_TEST_RESTRICTED === '1';
const ws = () => vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';

function resultText(name: string): string {
  return vscode.workspace.textDocuments
    .filter((d) => d.uri.scheme === 'cockroach-tls-result' && d.uri.path.endsWith(`/${name}.txt`))
    .map((d) => d.getText())
    .join('\n----\n');
}

async function served(fleet: Fleet, name: string): Promise<{ serial?: string; chainVerified?: boolean }> {
  const r = await tlsProbe('localhost', fleet.node(name).server.port, fleet.caCert);
  return { serial: r.serial?.toLowerCase(), chainVerified: r.chainVerified };
}

if (!restricted)
  describe('fleet commands against a real two-node fleet (sshd + PostgreSQL per node)', function () {
    this.timeout(180_000);
    let a: Api;
    let fleet: Fleet;
    let inventory: string;
    const plans: { title: string; lines: string[] }[] = [];
    let ask: Api['testing']['confirmation']['ask'];

    before(async () => {
      a = await api();
      fleet = await Fleet.start({ nodes: 2 });
      // The inventory (absolute paths) in the workspace, where the command finds it by name.
      mkdirSync(join(ws(), 'fleet-test'), { recursive: true });
      inventory = join(ws(), 'fleet-test', 'two.fleet.yaml');
      copyFileSync(fleet.inventory, inventory);
      ask = a.testing.confirmation.ask;
      a.testing.confirmation.ask = async (title, lines) => {
        plans.push({ title, lines });
        return true;
      };
    });

    after(async () => {
      if (a) a.testing.confirmation.ask = ask;
      await fleet?.stop();
    });

    it('Rotate Node Certificates shows the plan with each reload command, runs, and both nodes serve the new certificates', async () => {
      const before = fleet.nodes.map((n) => n.fileSerial());
      const answered = answerInputs(a, [{ pick: 'fleet-test/two.fleet.yaml' }, fleet.caCert, fleet.caKey]);
      const r = (await vscode.commands.executeCommand('cockroachTls.fleetRotateNode')) as FleetReport | undefined;
      await answered;
      assert.ok(r, 'no report');
      assert.equal(r.ok, true, r.error);
      const plan = plans.at(-1);
      assert.ok(plan);
      assert.match(plan.title, /Rotate Node Certificates/);
      const text = plan.lines.join('\n');
      for (const n of fleet.nodes) {
        assert.match(text, new RegExp(`${n.name}: ssh root@127\\.0\\.0\\.1:${n.sshPort}`));
        assert.ok(text.includes(`reload: kill -HUP $(head -1 ${join(n.server.dataDir, 'postmaster.pid')})`), `no reload command for ${n.name}:\n${text}`);
      }
      assert.deepEqual(
        r.nodes.map((n) => [n.name, n.status]),
        [
          ['n1', 'done'],
          ['n2', 'done'],
        ],
      );
      for (const [i, n] of fleet.nodes.entries()) {
        const now = n.fileSerial();
        assert.notEqual(now, before[i], `${n.name}: node.crt was not replaced`);
        const s = await served(fleet, n.name);
        assert.equal(s.serial, now, `${n.name} does not serve its new node.crt`);
        assert.equal(s.chainVerified, true, `${n.name}: the served chain does not verify against the CA`);
      }
    });

    it('Fleet Status reports every node: its files, what it serves, no mismatch', async () => {
      const s = (await vscode.commands.executeCommand('cockroachTls.fleetStatus', { inventory })) as FleetStatus | undefined;
      assert.ok(s);
      assert.equal(s.ok, true, JSON.stringify(s.nodes.map((n) => [n.name, n.error, n.mismatches])));
      for (const n of fleet.nodes) {
        const ns: NodeStatus | undefined = s.nodes.find((x: NodeStatus) => x.name === n.name);
        assert.equal(ns?.served?.serial, n.fileSerial());
        assert.equal(ns?.files.find((f) => f.file === 'node.crt')?.serial, n.fileSerial());
      }
      const doc = resultText('fleet-status');
      assert.match(doc, /Fleet status of .*two\.fleet\.yaml: every node is fine/);
      // What each port serves, with its expiry in years and months (the node certificates are issued for 5 years).
      for (const n of fleet.nodes)
        assert.match(doc, new RegExp(`serves: serial ${n.fileSerial()}, expires \\d{4}-\\d\\d-\\d\\d \\((4 y 11 mo|5 y) left\\), chains to the CA`), doc);
      assert.match(doc, /node\.crt: serial [0-9a-f]+, expires \d{4}-\d\d-\d\d \((4 y 11 mo|5 y) left, ok\)/, doc);
      assert.doesNotMatch(doc, /\d{3,} d\b/, 'no span over 90 days in days');
    });

    it('the tree lists the inventory and its nodes; Fleet Status from the fleet item asks nothing and shows what each node serves', async () => {
      // The tree's Refresh (as the tree tests do: a file watcher may not see a file made this early).
      await vscode.commands.executeCommand('cockroachTls.refresh');
      const root = await waitFor('the fleet in the tree', () => items(a).find((x) => x.node.type === 'fleet' && (x.node as FleetRoot).file === inventory));
      assert.equal(label(root.item), 'fleet-test/two.fleet.yaml');
      assert.equal(root.item.description, 'fleet · 2 nodes');
      assert.equal(root.item.contextValue, 'fleet');
      const members = () => items(a, root.node);
      assert.deepEqual(
        members().map((m) => [label(m.item), m.item.contextValue, (m.node as FleetMember).parent.file]),
        fleet.nodes.map((n) => [n.name, 'fleetNode', inventory]),
      );
      const tip = tooltipText(members()[0].item);
      for (const want of [`certs dir ${fleet.nodes[0].certsDir}`, 'SANs localhost, 127.0.0.1', 'reload: kill -HUP'])
        assert.ok(tip.includes(want), `the node's tooltip has no "${want}":\n${tip}`);
      // From a node's item too: the inventory comes from its fleet, nothing is asked (answerInputs is not armed).
      const s = (await vscode.commands.executeCommand('cockroachTls.fleetStatus', members()[1].node)) as FleetStatus | undefined;
      assert.equal(s?.ok, true);
      for (const n of fleet.nodes) {
        const m = members().find((x) => label(x.item) === n.name);
        assert.match(String(m?.item.description), new RegExp(`^ok: serves serial ${n.fileSerial()}, node\\.crt expires in (4 y 11 mo|5 y)$`));
        assert.match(
          tooltipText(m!.item),
          new RegExp(`serves: serial ${n.fileSerial()}, expires in (4 y 11 mo|5 y) \\(\\d{4}-\\d\\d-\\d\\d\\), chains to the CA`),
        );
      }
    });

    it('an inventory that cannot be used is listed with the reason, and the fleet commands are not offered on it', async () => {
      const bad = join(ws(), 'fleet-test', 'bad.fleet.yaml');
      writeFileSync(bad, 'nodes:\n  - name: n1\n');
      await vscode.commands.executeCommand('cockroachTls.refresh');
      try {
        const root = await waitFor('the bad inventory in the tree', () => items(a).find((x) => x.node.type === 'fleet' && (x.node as FleetRoot).file === bad));
        assert.equal(root.item.contextValue, 'fleet.invalid');
        assert.match(String(root.item.description), /bad\.fleet\.yaml/);
        assert.deepEqual(items(a, root.node), []);
      } finally {
        rmSync(bad, { force: true });
        await vscode.commands.executeCommand('cockroachTls.refresh');
      }
      await waitFor('the bad inventory gone from the tree', () => !items(a).some((x) => x.node.type === 'fleet' && (x.node as FleetRoot).file === bad));
    });

    it('Roll Back Last Run from the fleet item: the plan names the run and its nodes, then every node serves its previous certificate again, byte for byte', async () => {
      a.testing.confirmation.ask = async (title, lines) => {
        plans.push({ title, lines });
        return true;
      };
      const snap = fleet.snapshots();
      const before = fleet.nodes.map((n) => n.fileSerial());
      const rotated = (await vscode.commands.executeCommand('cockroachTls.fleetRotateNode', { inventory, caCert: fleet.caCert, caKey: fleet.caKey })) as
        FleetReport | undefined;
      assert.equal(rotated?.ok, true);
      for (const [i, n] of fleet.nodes.entries()) assert.notEqual(n.fileSerial(), before[i]);
      const root = await waitFor('the fleet in the tree', () => items(a).find((x) => x.node.type === 'fleet' && (x.node as FleetRoot).file === inventory));
      const r = (await vscode.commands.executeCommand('cockroachTls.fleetRollback', root.node)) as FleetReport | undefined;
      assert.equal(r?.ok, true, JSON.stringify(r));
      const plan = plans.at(-1);
      assert.equal(plan?.title, 'Fleet: Roll Back Last Run');
      assert.match(plan?.lines[0] ?? '', new RegExp(`^Undo the fleet rotate-node run ${rotated.runId} \\(complete, `));
      for (const n of fleet.nodes) {
        assert.ok(
          plan?.lines.some((l) => l.trim().startsWith(`${n.name}: done`)),
          plan?.lines.join('\n'),
        );
        // The reload command each node runs (a shell command of the inventory) is in the plan the user confirms.
        const row: number = plan?.lines.findIndex((l) => l.trim().startsWith(`${n.name}: done`)) ?? -1;
        assert.equal(plan?.lines[row + 2]?.trim(), `reload: kill -HUP $(head -1 ${join(n.server.dataDir, 'postmaster.pid')})`, plan?.lines.join('\n'));
      }
      assert.deepEqual(fleet.snapshots(), snap, 'every node byte for byte as before the rotation');
      for (const [i, n] of fleet.nodes.entries()) {
        const s = await served(fleet, n.name);
        assert.equal(s.serial, before[i], `${n.name} serves its previous certificate`);
        assert.equal(s.chainVerified, true);
      }
      await waitFor('the tree says rolled back', () => items(a, root.node).every((m) => /^rolled back/.test(String(m.item.description))));
      // Again: nothing left to undo, nothing asked.
      const asked = plans.length;
      assert.equal(await vscode.commands.executeCommand('cockroachTls.fleetRollback', { inventory }), undefined);
      assert.equal(plans.length, asked);
    });

    it('a declined plan changes nothing', async () => {
      const snap = fleet.snapshots();
      a.testing.confirmation.ask = async (title, lines) => {
        plans.push({ title, lines });
        return false;
      };
      const r = await vscode.commands.executeCommand('cockroachTls.fleetRotateNode', { inventory, caCert: fleet.caCert, caKey: fleet.caKey });
      assert.equal(r, undefined);
      assert.deepEqual(fleet.snapshots(), snap);
    });
  });

if (restricted)
  describe('fleet commands in restricted mode', function () {
    this.timeout(60_000);

    it('are refused: no input, no plan, no journal, nothing runs', async () => {
      const a = await api();
      const dir = join(ws(), 'fleet-restricted');
      mkdirSync(dir, { recursive: true });
      const inventory = join(dir, 'r.fleet.yaml');
      writeFileSync(join(dir, 'known_hosts'), '');
      writeFileSync(join(dir, 'ca.crt'), '');
      writeFileSync(join(dir, 'ca.key'), '');
      const marker = join(dir, 'reload-ran');
      writeFileSync(
        inventory,
        `knownHostsFile: known_hosts\nnodes:\n  - name: n1\n    ssh: root@127.0.0.1:1\n    certsDir: /tmp/none\n    hosts: [localhost]\n    verify: localhost:1\n    reload: "touch ${marker}"\n`,
      );
      let asked = 0;
      const ask = a.testing.confirmation.ask;
      a.testing.confirmation.ask = async () => {
        asked++;
        return true;
      };
      let shown = 0;
      const sub = a.testing.onDidShowInput(() => shown++);
      try {
        const preset = { inventory, caCert: join(dir, 'ca.crt'), caKey: join(dir, 'ca.key') };
        const ids = ['cockroachTls.fleetStatus', 'cockroachTls.fleetRotateNode', 'cockroachTls.fleetDistributeCa', 'cockroachTls.fleetRollback'];
        for (const id of ids) assert.equal(await vscode.commands.executeCommand(id, preset), undefined, id);
        for (const id of ids) assert.equal(await vscode.commands.executeCommand(id), undefined, id);
      } finally {
        sub.dispose();
        a.testing.confirmation.ask = ask;
      }
      assert.equal(asked, 0, 'a plan was shown');
      assert.equal(shown, 0, 'an input was shown');
      assert.equal(existsSync(join(dir, '.r.fleet.yaml.crdb-tls-fleet.json')), false, 'a journal was written');
      assert.equal(existsSync(marker), false);
      assert.equal(readFileSync(inventory, 'utf8').includes('touch'), true);
    });

    it('the tree still lists the inventory and its node (read from the file, nothing sent), and Fleet Status from it is refused', async () => {
      const a = await api();
      const inventory = join(ws(), 'fleet-restricted', 'r.fleet.yaml');
      await vscode.commands.executeCommand('cockroachTls.refresh');
      const root = await waitFor('the fleet in the tree', () => items(a).find((x) => x.node.type === 'fleet' && (x.node as FleetRoot).file === inventory));
      assert.equal(root.item.description, 'fleet · 1 node');
      assert.deepEqual(
        items(a, root.node).map((m) => [label(m.item), m.item.description]),
        [['n1', 'ssh root@127.0.0.1:1']],
      );
      assert.equal(await vscode.commands.executeCommand('cockroachTls.fleetStatus', root.node), undefined);
      assert.equal(items(a, root.node)[0].item.description, 'ssh root@127.0.0.1:1');
    });
  });
