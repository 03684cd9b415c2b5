import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeCertsDir } from '../support/certs';
import { answerInputs, api, waitFor } from './support';

const restricted = process.env.CRDB_TLS_TEST_RESTRICTED === '1';
const ws = () => vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';

function ours(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'CockroachDB TLS');
}

function codes(uri: vscode.Uri, line: number): string[] {
  return ours(uri)
    .filter((d) => d.range.start.line === line)
    .map((d) => (d.code as { value: string }).value)
    .sort();
}

async function fixes(doc: vscode.TextDocument, line: number, code: string): Promise<vscode.CodeAction[]> {
  const d = ours(doc.uri).find((x) => x.range.start.line === line && (x.code as { value: string }).value === code);
  assert.ok(d, `no ${code} diagnostic on line ${line + 1}`);
  const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
    'vscode.executeCodeActionProvider',
    doc.uri,
    d.range,
    vscode.CodeActionKind.QuickFix.value,
  );
  // The actions offered at this diagnostic's range (executeCodeActionProvider does not return their diagnostics).
  return actions;
}

async function applyFix(doc: vscode.TextDocument, line: number, code: string, title: RegExp): Promise<void> {
  const a = (await fixes(doc, line, code)).find((x) => title.test(x.title));
  assert.ok(a, `no fix ${title} for ${code}`);
  if (a.edit) assert.ok(await vscode.workspace.applyEdit(a.edit));
  if (a.command) await vscode.commands.executeCommand(a.command.command, ...(a.command.arguments ?? []));
}

async function settled(doc: vscode.TextDocument, line: number, expected: string[]): Promise<void> {
  await waitFor(
    `line ${line + 1} findings ${expected.join(',')}`,
    () => JSON.stringify(codes(doc.uri, line)) === JSON.stringify([...expected].sort()),
    10_000,
  ).catch((err: Error) => {
    throw new Error(`${err.message}; got ${codes(doc.uri, line).join(',')}`);
  });
}

if (!restricted)
  describe('connection strings in the editor', function () {
    let dir: string;
    let env: vscode.Uri;
    const line = (doc: vscode.TextDocument, n: number) => doc.lineAt(n).text;

    before(async () => {
      await api();
      dir = join(ws(), 'lint-certs');
      await makeCertsDir({ certsDir: dir, caKey: join(ws(), 'lint-ca.key'), hosts: ['localhost'] });
      mkdirSync(join(ws(), 'app'), { recursive: true });
      const c = '../lint-certs';
      writeFileSync(
        join(ws(), 'app', '.env'),
        [
          `DATABASE_URL=postgresql://root@localhost:26257/defaultdb?sslmode=require&sslrootcert=${c}/ca.crt&sslcert=${c}/client.root.crt&sslkey=${c}/client.root.key`,
          `OTHER_URL=postgres://bob:s3cret@localhost:26257/bank?sslmode=verify-full&sslroot=${c}/ca.crt`,
          `REPORTING_URL=postgresql://alice@localhost:26257/bank?sslmode=verify-full&sslrootcert=${c}/ca.crt&sslcert=${c}/client.root.crt&sslkey=${c}/client.root.key`,
          '',
        ].join('\n'),
      );
      env = vscode.Uri.file(join(ws(), 'app', '.env'));
    });

    it('reports the findings of each string', async () => {
      const doc = await vscode.workspace.openTextDocument(env);
      await vscode.window.showTextDocument(doc);
      await settled(doc, 0, ['sslmode-require']);
      await settled(doc, 1, ['param-typo', 'password-in-string', 'rootcert-missing']);
      await settled(doc, 2, ['cert-user-mismatch']);
      const typo = ours(env).find((d) => (d.code as { value: string }).value === 'param-typo');
      assert.equal(doc.getText(typo?.range), 'sslroot');
      assert.equal(typo?.severity, vscode.DiagnosticSeverity.Error);
      assert.match(String((typo?.code as { target: vscode.Uri }).target), /^https:\/\/www\.cockroachlabs\.com\/docs\//);
    });

    it('hovers with the parameters, the certificates and what the string verifies', async () => {
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', env, new vscode.Position(0, 30));
      const text = hovers.flatMap((h) => h.contents.map((c) => (c instanceof vscode.MarkdownString ? c.value : String(c)))).join('\n');
      assert.match(text, /CockroachDB connection string/);
      assert.match(text, /\| sslmode \| require \|/);
      assert.match(text, /\*\*sslrootcert\*\* .*lint-certs\/ca\.crt/);
      assert.match(text, /CN=Cockroach CA, O=Cockroach \(CA\)/);
      assert.match(text, /CN=root/);
      assert.match(text, /SHA-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}/);
      assert.match(text, /Server identity: not verified/);
      assert.match(text, /Client authentication: certificate/);
      // What is wrong comes first: the finding's message and code, before the parameter table.
      const finding = /- \*\*(Error|Warning|Note):\*\* .+ \(`sslmode-require`\)/.exec(text);
      assert.ok(finding, `no sslmode-require finding in the hover:\n${text}`);
      assert.ok(finding.index < text.indexOf('| parameter |'), 'the finding comes after the parameter table');
    });

    it('applies each quick fix', async () => {
      const doc = await vscode.workspace.openTextDocument(env);
      await applyFix(doc, 0, 'sslmode-require', /verify-full/);
      assert.match(line(doc, 0), /\?sslmode=verify-full&sslrootcert=/);
      await settled(doc, 0, []);

      await applyFix(doc, 1, 'param-typo', /Rename to sslrootcert/);
      assert.match(line(doc, 1), /&sslrootcert=\.\.\/lint-certs\/ca\.crt$/);
      await settled(doc, 1, ['password-in-string']);
      await applyFix(doc, 1, 'password-in-string', /PGPASSWORD/);
      assert.match(line(doc, 1), /^OTHER_URL=postgres:\/\/bob@localhost:26257\/bank\?/);
      await settled(doc, 1, []);

      // Missing sslrootcert: choose the cluster CA (the chosen file is passed as the picker's answer).
      writeFileSync(join(ws(), 'app', 'db.yml'), 'url: "postgresql://root@localhost:26257/db?sslmode=verify-full"\n');
      const yml = await vscode.workspace.openTextDocument(vscode.Uri.file(join(ws(), 'app', 'db.yml')));
      await settled(yml, 0, ['rootcert-missing']);
      const add = (await fixes(yml, 0, 'rootcert-missing')).find((a) => /sslrootcert/.test(a.title));
      assert.ok(add?.command);
      await vscode.commands.executeCommand(add.command.command, ...(add.command.arguments ?? []), join(dir, 'ca.crt'));
      assert.equal(yml.lineAt(0).text, 'url: "postgresql://root@localhost:26257/db?sslmode=verify-full&sslrootcert=../lint-certs/ca.crt"');
      await settled(yml, 0, []);

      // CN is root, the user is alice: issue a client certificate for alice (quick inputs answered from the test).
      const issue = (await fixes(doc, 2, 'cert-user-mismatch')).find((a) => /alice/.test(a.title));
      assert.ok(issue?.command);
      const a = await api();
      const answered = answerInputs(a, ['alice', { pick: 'No' }, join(ws(), 'lint-ca.key'), '8784h']);
      await vscode.commands.executeCommand(issue.command.command, ...(issue.command.arguments ?? []));
      await answered;
      await waitFor('client.alice.crt', () => existsSync(join(dir, 'client.alice.crt')));
    });

    it('follows referenced files changing on disk', async () => {
      const doc = await vscode.workspace.openTextDocument(env);
      writeFileSync(join(dir, 'client.root.key'), 'not a key\n');
      await settled(doc, 0, ['file-not-key']);
    });
  });
