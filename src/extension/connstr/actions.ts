import * as vscode from 'vscode';
import { dirname, relative, isAbsolute } from 'node:path';
import type { Finding, TextEdit } from '../../core/connstr/types';
import type { ConnLinter } from './linter';

function toEdit(doc: vscode.TextDocument, edits: TextEdit[]): vscode.WorkspaceEdit {
  const we = new vscode.WorkspaceEdit();
  for (const e of edits) we.replace(doc.uri, new vscode.Range(doc.positionAt(e.start), doc.positionAt(e.end)), e.newText);
  return we;
}

/** Quick fixes for the findings under the cursor. */
export class ConnActions implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];

  constructor(private readonly linter: ConnLinter) {}

  async provideCodeActions(doc: vscode.TextDocument, range: vscode.Range, ctx: vscode.CodeActionContext): Promise<vscode.CodeAction[]> {
    const ours = ctx.diagnostics.filter((d) => d.source === 'CockroachDB TLS');
    if (ours.length === 0) return [];
    const r = await this.linter.ensure(doc);
    if (!r) return [];
    const out: vscode.CodeAction[] = [];
    for (const { conn, findings } of r.results) {
      for (const f of findings) {
        const fr = new vscode.Range(doc.positionAt(f.range.start), doc.positionAt(f.range.end));
        if (!fr.intersection(range)) continue;
        const diag = ours.find((d) => d.range.isEqual(fr) && (d.code as { value: string } | undefined)?.value === f.code);
        for (const fix of f.fixes) out.push(this.action(doc, f, fix, diag, conn.kind));
      }
    }
    return out;
  }

  private action(doc: vscode.TextDocument, f: Finding, fix: Finding['fixes'][number], diag: vscode.Diagnostic | undefined, kind: string): vscode.CodeAction {
    const a = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
    if (diag) a.diagnostics = [diag];
    switch (fix.kind) {
      case 'edit':
        a.edit = toEdit(doc, fix.edits);
        a.isPreferred = f.code.startsWith('sslmode') || f.code === 'param-typo';
        break;
      case 'password-to-env':
        a.edit = toEdit(doc, fix.edits);
        a.command = { command: 'cockroachTls.explainPasswordEnv', title: 'Set PGPASSWORD', arguments: [fix.envVar] };
        break;
      case 'add-sslrootcert':
        a.command = { command: 'cockroachTls.addSslRootCert', title: fix.title, arguments: [doc.uri, fix.insertAt, fix.separator, kind] };
        break;
      case 'issue-client-cert':
        a.command = { command: 'cockroachTls.createClient', title: fix.title, arguments: [{ user: fix.user, certsDir: fix.certsDir }] };
        break;
    }
    return a;
  }
}

/** "Add sslrootcert…": choose one of the known clusters' CAs (or a file) and insert it, relative to the document. */
export function registerConnCommands(context: vscode.ExtensionContext, linter: ConnLinter): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('cockroachTls.addSslRootCert', async (uri: vscode.Uri, insertAt: number, separator: string, kind: string, chosen?: string) => {
      const doc = await vscode.workspace.openTextDocument(uri);
      let path = chosen;
      if (!path) {
        const cas = linter.options(doc).knownCas ?? [];
        const items = [...cas.map((c) => ({ label: c.name, description: c.path, path: c.path })), { label: '$(folder-opened) Choose a file…', description: '', path: '' }];
        const pick = await vscode.window.showQuickPick(items, { placeHolder: 'The CA that signed the cluster\'s node certificates' });
        if (!pick) return;
        path = pick.path || (await vscode.window.showOpenDialog({ canSelectMany: false, filters: { Certificates: ['crt', 'pem', 'cert'] } }))?.[0]?.fsPath;
        if (!path) return;
      }
      const rel = doc.uri.scheme === 'file' ? relative(dirname(doc.uri.fsPath), path) : path;
      const value = !rel || isAbsolute(rel) || rel.startsWith('..' + '/..' + '/..') ? path : rel;
      const enc = kind === 'kv' ? (/\s|'/.test(value) ? `'${value.replace(/(['\\])/g, '\\$1')}'` : value) : encodeURI(value);
      const we = new vscode.WorkspaceEdit();
      we.insert(doc.uri, doc.positionAt(insertAt), `${separator}sslrootcert=${enc}`);
      await vscode.workspace.applyEdit(we);
    }),
    vscode.commands.registerCommand('cockroachTls.explainPasswordEnv', (envVar: string) => {
      void vscode.window.showInformationMessage(`The password was removed from the string. Set ${envVar} in the environment of the program (libpq, psycopg, pgx and node-postgres read it), or switch to a client certificate.`);
    }),
  );
}
