import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeCertsDir } from '../support/certs';
import type { Api } from '../../src/extension/extension';
import type { CheckResult, CopyResult } from '../../src/extension/connstr/kit';
import type { CertNode } from '../../src/extension/tree';
import { answerInputs, api, items, label, waitFor } from './support';

const restricted = process.env.CRDB_TLS_TEST_RESTRICTED === '1';
const ws = () => vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';

/** Runs a kit command while answering its quick picks. */
async function run<T>(a: Api, id: string, arg: unknown, answers: string[]): Promise<T | undefined> {
  const answered = answerInputs(
    a,
    answers.map((pick) => ({ pick })),
  );
  const r = await vscode.commands.executeCommand<T | undefined>(id, arg);
  await answered;
  return r;
}

/** The tree's item for client.<user>.crt in the cluster whose name matches `dir`. */
async function clientCert(a: Api, dir: RegExp, user: string): Promise<CertNode> {
  const hit = await waitFor(`client ${user} under ${dir}`, () => {
    const c = items(a).find((i) => dir.test(label(i.item)));
    return c && items(a, c.node).find((k) => label(k.item) === `Client: ${user}`);
  });
  assert.equal(hit.item.contextValue, 'cert.client.withKey');
  return hit.node as CertNode;
}

if (!restricted)
  describe('client kit in the editor (trusted workspace)', function () {
    this.timeout(60_000);
    let a: Api;
    let certs: string;
    const asked: { title: string; lines: string[] }[] = [];
    let answer = true;

    before(async () => {
      a = await api();
      certs = join(ws(), 'kit', 'certs');
      await makeCertsDir({ certsDir: certs, caKey: join(ws(), 'kit', 'safe', 'ca.key'), users: ['root', 'alice'] });
      a.testing.confirmation.ask = async (title, lines) => {
        asked.push({ title, lines });
        return answer;
      };
      await vscode.commands.executeCommand('cockroachTls.refresh');
    });

    it('Copy Connection for… node-pg from a client certificate in the tree: the cluster URL, no files, to the clipboard', async () => {
      const node = await clientCert(a, /kit\/certs/, 'alice');
      // No editor open: nowhere to insert, so the one question is the client.
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      const r = await run<CopyResult>(a, 'cockroachTls.copyConnectionFor', node, ['node-pg']);
      assert.ok(r);
      assert.equal(r.client, 'node-pg');
      assert.equal(r.destination, 'clipboard');
      assert.deepEqual(r.written, []);
      assert.equal(asked.length, 0, 'nothing to write, nothing asked');
      // The user from the file name, the host from the node certificate, the CA that signs node certificates.
      assert.match(r.snippet, /alice@localhost:26257/);
      for (const f of ['ca.crt', 'client.alice.crt', 'client.alice.key']) assert.ok(r.snippet.includes(join(certs, f)), `${f} in ${r.snippet}`);
      assert.equal(await vscode.env.clipboard.readText(), r.snippet);
      assert.equal(vscode.window.activeTextEditor, undefined);
    });

    it('Copy Connection for… jdbc asks before writing the .pk8 next to the certificate (mode 0600), then reuses it', async () => {
      const pk8 = join(certs, 'client.alice.key.pk8');
      const node = await clientCert(a, /kit\/certs/, 'alice');
      // An editor is open: the second question is where the snippet goes.
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument({ content: '' }));
      // Declined: nothing is written and nothing copied.
      answer = false;
      assert.equal(await run<CopyResult>(a, 'cockroachTls.copyConnectionFor', node, ['jdbc', 'Clipboard']), undefined);
      assert.equal(asked.length, 1);
      assert.ok(!existsSync(pk8));
      assert.match(asked[0].lines.join('\n'), /client\.alice\.key\.pk8 \(mode 0600\): the client key as DER PKCS#8/);

      answer = true;
      const r = await run<CopyResult>(a, 'cockroachTls.copyConnectionFor', node, ['jdbc', 'Clipboard']);
      assert.ok(r);
      assert.equal(asked.length, 2);
      assert.deepEqual(r.written, [pk8]);
      assert.equal(statSync(pk8).mode & 0o777, 0o600);
      // A DER PKCS#8 key, the certificate's.
      const key = createPrivateKey({ key: readFileSync(pk8), format: 'der', type: 'pkcs8' });
      assert.ok(new X509Certificate(readFileSync(join(certs, 'client.alice.crt'))).checkPrivateKey(key));
      assert.match(r.snippet, /^jdbc:postgresql:\/\/localhost:26257\/defaultdb\?/);
      assert.ok(r.snippet.includes(`sslkey=${pk8}`), r.snippet);

      // Again: the .pk8 belongs to the certificate, so it is reused without asking.
      const again = await run<CopyResult>(a, 'cockroachTls.copyConnectionFor', node, ['jdbc', 'Clipboard']);
      assert.deepEqual(again?.written, []);
      assert.equal(asked.length, 2);
    });

    it('the code action on a connection string in a file inserts a psycopg2 snippet below it', async () => {
      mkdirSync(join(ws(), 'kit-app'), { recursive: true });
      const file = join(ws(), 'kit-app', 'app.py');
      const q = `sslrootcert=${certs}/ca.crt&sslcert=${certs}/client.root.crt&sslkey=${certs}/client.root.key`;
      writeFileSync(file, `DATABASE_URL = "postgresql://root@localhost:26257/bank?sslmode=require&${q}"\nprint(DATABASE_URL)\n`);
      const doc = await vscode.workspace.openTextDocument(file);
      await vscode.window.showTextDocument(doc);
      const at = new vscode.Range(0, 30, 0, 30);
      const found = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, at);
      const copy = found.find((x) => x.title === 'Copy Connection for…');
      assert.ok(copy?.command, `actions: ${found.map((x) => x.title).join(', ')}`);
      assert.ok(found.some((x) => x.title === 'Open Connection Check'));
      const r = await run<CopyResult>(a, copy.command.command, copy.command.arguments?.[0], ['psycopg2', 'Insert Below']);
      assert.ok(r);
      assert.equal(r.destination, 'insert');
      await waitFor('the snippet in the document', () => doc.lineCount >= 4 && doc.lineAt(1).text === r.snippet.trim());
      // The snippet verifies the server, whatever the string said.
      assert.match(doc.lineAt(1).text, /^postgresql:\/\/root@localhost:26257\/bank\?sslmode=verify-full&sslrootcert=/);
      assert.equal(doc.lineAt(2).text, 'print(DATABASE_URL)');
    });

    it('Open Connection Check opens the program in an untitled editor with its language and gives the run command', async () => {
      const node = await clientCert(a, /kit\/certs/, 'alice');
      const r = await run<CheckResult>(a, 'cockroachTls.openConnectionCheck', node, ['psycopg2', 'Untitled']);
      assert.ok(r);
      assert.equal(r.run, 'python3 connect.py');
      const doc = await waitFor('the program', () => vscode.workspace.textDocuments.find((d) => d.uri.toString() === r.uri));
      assert.equal(doc.uri.scheme, 'untitled');
      assert.equal(doc.languageId, 'python');
      assert.match(doc.getText(), /import psycopg2/);
      assert.match(doc.getText(), /SELECT 1/);
      assert.ok(doc.getText().includes(join(certs, 'client.alice.key')));
      assert.equal(vscode.window.activeTextEditor?.document.uri.toString(), r.uri);
    });

    it('Open Connection Check from the code action: the Java program for jdbc, after writing the .pk8 of root', async () => {
      const doc = await vscode.workspace.openTextDocument(join(ws(), 'kit-app', 'app.py'));
      const found = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, new vscode.Range(0, 30, 0, 30));
      const check = found.find((x) => x.title === 'Open Connection Check');
      assert.ok(check?.command);
      const before = asked.length;
      const r = await run<CheckResult>(a, check.command.command, check.command.arguments?.[0], ['jdbc', 'Untitled']);
      assert.ok(r);
      // root has no .pk8 yet: asked, written.
      assert.equal(asked.length, before + 1);
      assert.deepEqual(r.written, [join(certs, 'client.root.key.pk8')]);
      assert.equal(statSync(join(certs, 'client.root.key.pk8')).mode & 0o777, 0o600);
      const program = await waitFor('the program', () => vscode.workspace.textDocuments.find((d) => d.uri.toString() === r.uri));
      assert.equal(program.languageId, 'java');
      assert.match(program.getText(), /public class Connect/);
      assert.match(r.run, /^java -cp (?:\/usr\/share\/java\/)?postgresql\.jar Connect\.java$/);
    });
  });

if (restricted)
  describe('client kit in restricted mode', function () {
    this.timeout(60_000);
    let a: Api;
    let certs: string;
    let asked = 0;

    before(async () => {
      a = await api();
      certs = join(ws(), 'kit-r', 'certs');
      await makeCertsDir({ certsDir: certs, caKey: join(ws(), 'kit-r', 'safe', 'ca.key'), users: ['alice'] });
      a.testing.confirmation.ask = async () => {
        asked++;
        return true;
      };
      await vscode.commands.executeCommand('cockroachTls.refresh');
    });

    it('refuses to write the derived files (jdbc), without asking', async () => {
      assert.equal(vscode.workspace.isTrusted, false);
      const node = await clientCert(a, /kit-r\/certs/, 'alice');
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      const r = await run<CopyResult>(a, 'cockroachTls.copyConnectionFor', node, ['jdbc']);
      assert.equal(r, undefined);
      assert.equal(asked, 0);
      assert.ok(!existsSync(join(certs, 'client.alice.key.pk8')));
    });

    it('still gives snippets that need no file, and opens the program only as an untitled document', async () => {
      const node = await clientCert(a, /kit-r\/certs/, 'alice');
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      const copy = await run<CopyResult>(a, 'cockroachTls.copyConnectionFor', node, ['node-pg']);
      assert.deepEqual(copy?.written, []);
      // One question only: no "Save to a File…" in restricted mode.
      const check = await run<CheckResult>(a, 'cockroachTls.openConnectionCheck', node, ['psql']);
      assert.ok(check);
      assert.match(check.uri, /^untitled:/);
      assert.equal(check.run, 'sh connect.sh');
      assert.equal(asked, 0);
    });
  });
