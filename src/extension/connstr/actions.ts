import * as vscode from 'vscode';
import { dirname, relative, isAbsolute } from 'node:path';
import type { Finding } from '../../core/connstr/types';
import type { CommandRef } from '../commandIds';
import { LintActions, workspaceEdit } from '../doclint/actions';
import type { ConnLinter, DocLint } from './linter';
import type { ConnRef } from '../troubleshoot/commands';

type Fix = Finding['fixes'][number];
type ConnKind = DocLint['results'][number]['conn']['kind'];

/** The client kit's actions on a connection string (not fixes: offered on every string, findings or not). */
const KIT_KIND = vscode.CodeActionKind.Refactor.append('cockroachTls.clientKit');

/** Quick fixes for the connection-string findings under the cursor, and the client kit's actions on the string there. */
export class ConnActions extends LintActions<DocLint, Finding, Fix, ConnKind> {
  static readonly kinds = [vscode.CodeActionKind.QuickFix, KIT_KIND];

  protected owns(code: string): boolean {
    return !code.startsWith('sink-');
  }

  async provideCodeActions(doc: vscode.TextDocument, range: vscode.Range, ctx: vscode.CodeActionContext): Promise<vscode.CodeAction[]> {
    const fixes = await super.provideCodeActions(doc, range, ctx);
    if (ctx.only && !ctx.only.contains(KIT_KIND)) return fixes;
    const r = await this.linter.ensure(doc);
    const [from, to] = [doc.offsetAt(range.start), doc.offsetAt(range.end)];
    const kit = (r?.results ?? [])
      .filter(({ conn }) => conn.span.start <= from && to <= conn.span.end)
      .flatMap(({ conn }) => {
        const ref: ConnRef = { uri: doc.uri.toString(), start: conn.span.start };
        const copy = new vscode.CodeAction('Copy Connection for…', KIT_KIND);
        copy.command = { command: 'cockroachTls.copyConnectionFor', title: vscode.l10n.t('Copy Connection for…'), arguments: [ref] } satisfies CommandRef;
        const check = new vscode.CodeAction('Open Connection Check', KIT_KIND);
        check.command = { command: 'cockroachTls.openConnectionCheck', title: vscode.l10n.t('Open Connection Check'), arguments: [ref] } satisfies CommandRef;
        return [copy, check];
      });
    return [...fixes, ...kit];
  }

  protected findings(r: DocLint): { finding: Finding; context: ConnKind }[] {
    return r.results.flatMap(({ conn, findings }) => findings.map((finding) => ({ finding, context: conn.kind })));
  }

  protected action(doc: vscode.TextDocument, f: Finding, fix: Fix, kind: ConnKind): vscode.CodeAction {
    const a = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
    switch (fix.kind) {
      case 'edit':
        a.edit = workspaceEdit(doc, fix.edits);
        a.isPreferred = f.code.startsWith('sslmode') || f.code === 'param-typo';
        break;
      case 'password-to-env':
        a.edit = workspaceEdit(doc, fix.edits);
        a.command = { command: 'cockroachTls.explainPasswordEnv', title: vscode.l10n.t('Set PGPASSWORD'), arguments: [fix.envVar] } satisfies CommandRef;
        break;
      case 'add-sslrootcert':
        a.command = { command: 'cockroachTls.addSslRootCert', title: fix.title, arguments: [doc.uri, fix.insertAt, fix.separator, kind] } satisfies CommandRef;
        break;
      case 'issue-client-cert':
        a.command = { command: 'cockroachTls.createClient', title: fix.title, arguments: [{ user: fix.user, certsDir: fix.certsDir }] } satisfies CommandRef;
        break;
    }
    return a;
  }
}

/** "Add sslrootcert…": choose one of the known clusters' CAs (or a file) and insert it, relative to the document. */
export async function addSslRootCert(linter: ConnLinter, uri: vscode.Uri, insertAt: number, separator: string, kind: string, chosen?: string): Promise<void> {
  const doc = await vscode.workspace.openTextDocument(uri);
  let path = chosen;
  if (!path) {
    const cas = linter.options(doc).knownCas ?? [];
    const items = [
      ...cas.map((c) => ({ label: c.name, description: c.path, path: c.path })),
      { label: '$(folder-opened) Choose a file…', description: '', path: '' },
    ];
    const pick = await vscode.window.showQuickPick(items, { placeHolder: vscode.l10n.t("The CA that signed the cluster's node certificates") });
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
}

export function explainPasswordEnv(envVar: string): void {
  void vscode.window.showInformationMessage(
    vscode.l10n.t(
      'The password was removed from the string. Set {0} in the environment of the program (libpq, psycopg, pgx and node-postgres read it), or switch to a client certificate.',
      envVar,
    ),
  );
}
