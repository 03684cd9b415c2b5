import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { makeCertsDir } from '../support/certs';
import type { Api } from '../../src/extension/extension';
import { answerInputs, api, items, label, waitFor } from './support';

const restricted = process.env.CRDB_TLS_TEST_RESTRICTED === '1';
const ws = () => vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';
const serial = (p: string) => new X509Certificate(readFileSync(p)).serialNumber;

/** Runs a command that shows a plain quick pick, and accepts its first item (newest backup first). */
async function acceptFirstPick(cmd: Thenable<unknown>): Promise<void> {
  let done = false;
  const p = Promise.resolve(cmd).finally(() => {
    done = true;
  });
  for (let i = 0; i < 60 && !done; i++) {
    await new Promise((r) => setTimeout(r, 250));
    if (!done) await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
  }
  await p;
}

if (!restricted)
  describe('rotation from the tree', function () {
    this.timeout(120_000);
    let a: Api;
    let certs: string;
    let caKey: string;
    const plans: string[][] = [];

    before(async () => {
      a = await api();
      certs = join(ws(), 'rot', 'certs');
      caKey = join(ws(), 'rot', 'ca.key');
      await makeCertsDir({ certsDir: certs, caKey });
      a.testing.confirmation.ask = async (_title, lines) => {
        plans.push(lines);
        return true;
      };
      await vscode.commands.executeCommand('cockroachTls.refresh');
    });

    const cluster = () => items(a).find((i) => /rot\/certs/.test(label(i.item)));

    it('rotates the node certificate after showing the plan, with a backup', async () => {
      const before = serial(join(certs, 'node.crt'));
      const beforeBytes = readFileSync(join(certs, 'node.crt'));
      const c = await waitFor('the rot cluster', cluster);
      const answered = answerInputs(a, [caKey]);
      await vscode.commands.executeCommand('cockroachTls.rotateNode', c.node);
      await answered;
      await waitFor('a new node.crt', () => serial(join(certs, 'node.crt')) !== before);
      assert.match(plans.at(-1)?.join('\n') ?? '', /node\.crt/);
      assert.equal(statSync(join(certs, 'node.key')).mode & 0o777, 0o600);
      // Roll back: the backup made before the rotation restores the old bytes.
      await acceptFirstPick(vscode.commands.executeCommand('cockroachTls.rollback', c.node));
      await waitFor('the old node.crt', () => readFileSync(join(certs, 'node.crt')).equals(beforeBytes));
      assert.match(plans.at(-1)?.join('\n') ?? '', /restore/i);
    });

    it('rotates the CA into a combined bundle and keeps the old key', async () => {
      const c = await waitFor('the rot cluster', cluster);
      const answered = answerInputs(a, [caKey]);
      await vscode.commands.executeCommand('cockroachTls.rotateCa', c.node);
      await answered;
      await waitFor('two CA certificates', () => (readFileSync(join(certs, 'ca.crt'), 'utf8').match(/BEGIN CERTIFICATE/g) ?? []).length === 2);
      assert.ok(statSync(join(ws(), 'rot', 'ca.old.key')).isFile(), 'the old CA key is kept as ca.old.key');
      const kids = await waitFor('the bundle in the tree', () => {
        const k = cluster();
        const labels = k ? items(a, k.node).map((i) => label(i.item)) : [];
        return labels.includes('CA (2 of 2)') ? labels : undefined;
      });
      assert.ok(kids.includes('CA (1 of 2)'));
    });
  });

if (restricted)
  describe('rotation in restricted mode', function () {
    it('refuses to rotate', async () => {
      const a = await api();
      const before = a.testing.activeInput();
      await vscode.commands.executeCommand('cockroachTls.rotateNode');
      assert.equal(a.testing.activeInput(), before);
    });
  });
