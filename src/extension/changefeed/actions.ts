import * as vscode from 'vscode';
import type { SinkFinding, SinkFix } from '../../core/changefeed/types';
import type { SinkLinter } from './linter';

/** Fixes that restore what CockroachDB needs to read the URI at all: offered first. */
const PREFERRED = new Set(['sink-param-plus', 'sink-param-urlsafe-base64', 'sink-param-padding', 'sink-param-raw-pem', 'sink-tls-missing', 'sink-tls-disabled', 'sink-webhook-http']);

const codeOf = (d: vscode.Diagnostic) => (typeof d.code === 'object' ? String(d.code.value) : String(d.code ?? ''));

/** The core's fixes for the sink URI findings under the cursor, as quick fixes. */
export class SinkActions implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];

  constructor(private readonly linter: SinkLinter) {}

  async provideCodeActions(doc: vscode.TextDocument, range: vscode.Range, ctx: vscode.CodeActionContext): Promise<vscode.CodeAction[]> {
    const ours = ctx.diagnostics.filter((d) => d.source === 'CockroachDB TLS' && codeOf(d).startsWith('sink-'));
    if (ours.length === 0) return [];
    const r = await this.linter.ensure(doc);
    if (!r) return [];
    const out: vscode.CodeAction[] = [];
    for (const { findings } of r.checks) {
      for (const f of findings) {
        if (!f.fixes?.length || !f.range) continue;
        const fr = new vscode.Range(doc.positionAt(f.range.start), doc.positionAt(f.range.end));
        if (!fr.intersection(range)) continue;
        const diag = ours.find((d) => d.range.isEqual(fr) && codeOf(d) === f.code);
        for (const fix of f.fixes) out.push(this.action(doc, f, fix, diag));
      }
    }
    return out;
  }

  private action(doc: vscode.TextDocument, f: SinkFinding, fix: SinkFix, diag: vscode.Diagnostic | undefined): vscode.CodeAction {
    const a = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
    if (diag) a.diagnostics = [diag];
    const we = new vscode.WorkspaceEdit();
    for (const e of fix.edits) we.replace(doc.uri, new vscode.Range(doc.positionAt(e.start), doc.positionAt(e.end)), e.newText);
    a.edit = we;
    a.isPreferred = PREFERRED.has(f.code);
    return a;
  }
}
