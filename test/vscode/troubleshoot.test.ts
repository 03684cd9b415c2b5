import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestConnectionResult } from '../../src/core/tls/testConnection';
import { PgServer } from '../support/postgres';
import { makeCertsDir } from '../support/certs';
import { api, waitFor } from './support';

const restricted = process.env.CRDB_TLS_TEST_RESTRICTED === '1';
const ws = () => vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';

function resultText(): string {
  return vscode.workspace.textDocuments
    .filter((d) => d.uri.scheme === 'cockroach-tls-result')
    .map((d) => d.getText())
    .join('\n----\n');
}

if (!restricted)
  describe('troubleshooting in the editor (a real PostgreSQL with TLS)', function () {
    this.timeout(120_000);
    let server: PgServer;
    let env: vscode.Uri;

    before(async () => {
      await api();
      // A node cert for localhost only: 127.0.0.1 fails host verification.
      const fx = await makeCertsDir({ users: ['root'], hosts: ['localhost'] });
      server = new PgServer({ certsDir: fx.certsDir });
      await server.start();
      await server.createRole('root');
      mkdirSync(join(ws(), 'tls-app'), { recursive: true });
      const q = `sslrootcert=${fx.certsDir}/ca.crt&sslcert=${fx.certsDir}/client.root.crt&sslkey=${fx.certsDir}/client.root.key`;
      writeFileSync(
        join(ws(), 'tls-app', 'db.env'),
        [
          `GOOD=postgresql://root@localhost:${server.port}/postgres?sslmode=verify-full&${q}`,
          `BAD_HOST=postgresql://root@127.0.0.1:${server.port}/postgres?sslmode=verify-full&${q}`,
          '',
        ].join('\n'),
      );
      env = vscode.Uri.file(join(ws(), 'tls-app', 'db.env'));
    });

    after(async () => {
      await server?.stop();
    });

    it('offers Test Connection on each string and explains the result', async () => {
      const doc = await vscode.workspace.openTextDocument(env);
      await vscode.window.showTextDocument(doc);
      const found = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', env);
      const tests = found.filter((l) => l.command?.command === 'cockroachTls.testConnection');
      assert.deepEqual(
        tests.map((l) => l.range.start.line),
        [0, 1],
      );
      assert.match(tests[0].command?.title ?? '', /Test Connection/);

      const good = await vscode.commands.executeCommand<TestConnectionResult>(tests[0].command?.command ?? '', ...(tests[0].command?.arguments ?? []));
      assert.equal(good.category, 'ok', `${good.cause} ${good.fix}`);
      assert.equal(good.ok, true);
      const bad = await vscode.commands.executeCommand<TestConnectionResult>(tests[1].command?.command ?? '', ...(tests[1].command?.arguments ?? []));
      assert.equal(bad.category, 'hostname-mismatch', `${bad.cause} ${bad.fix}`);
      assert.match(bad.cause + bad.fix, /127\.0\.0\.1/);
      await waitFor('the report', () => /hostname-mismatch/.test(resultText()));
    });

    it('explains a pasted TLS error', async () => {
      await vscode.commands.executeCommand('cockroachTls.explainError', 'x509: certificate signed by unknown authority');
      await waitFor('the explanation', () => /Category: unknown-authority/.test(resultText()));
      assert.match(resultText(), /sslrootcert/);
    });
  });

if (restricted)
  describe('troubleshooting in restricted mode', function () {
    it('refuses network actions', async () => {
      await api();
      const r = await vscode.commands.executeCommand('cockroachTls.testConnection', undefined);
      assert.equal(r, undefined);
      assert.equal(resultText(), '');
    });
  });
