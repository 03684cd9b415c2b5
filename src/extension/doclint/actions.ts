import * as vscode from 'vscode';
import type { Span } from './hover';
import { DIAGNOSTIC_SOURCE, codeOf, type DocumentLinter } from './linter';

/** Text edits as the core writes them (offsets into the document) applied as one WorkspaceEdit. */
export function workspaceEdit(doc: vscode.TextDocument, edits: readonly { start: number; end: number; newText: string }[]): vscode.WorkspaceEdit {
  const we = new vscode.WorkspaceEdit();
  for (const e of edits) we.replace(doc.uri, new vscode.Range(doc.positionAt(e.start), doc.positionAt(e.end)), e.newText);
  return we;
}

/** A finding with the fixes the core offers for it. */
export interface FixableFinding<X> {
  code: string;
  range?: Span;
  fixes?: readonly X[];
}

/** Quick fixes for a linter's findings under the cursor, each tied to its diagnostic. */
export abstract class LintActions<R, F extends FixableFinding<X>, X, C> implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];

  constructor(protected readonly linter: DocumentLinter<R>) {}

  /** The findings of a result, each with what the fix needs to know of where it was found. */
  protected abstract findings(result: R): { finding: F; context: C }[];
  /** One fix as a code action (the diagnostic is attached by the caller). */
  protected abstract action(doc: vscode.TextDocument, finding: F, fix: X, context: C): vscode.CodeAction;
  /** Whether a diagnostic code is one of this linter's. */
  protected owns(_code: string): boolean {
    return true;
  }

  async provideCodeActions(doc: vscode.TextDocument, range: vscode.Range, ctx: vscode.CodeActionContext): Promise<vscode.CodeAction[]> {
    const ours = ctx.diagnostics.filter((d) => d.source === DIAGNOSTIC_SOURCE && this.owns(codeOf(d)));
    if (ours.length === 0) return [];
    const r = await this.linter.ensure(doc);
    if (!r) return [];
    const out: vscode.CodeAction[] = [];
    for (const { finding, context } of this.findings(r)) {
      if (!finding.fixes?.length || !finding.range) continue;
      const fr = new vscode.Range(doc.positionAt(finding.range.start), doc.positionAt(finding.range.end));
      if (!fr.intersection(range)) continue;
      const diag = ours.find((d) => d.range.isEqual(fr) && codeOf(d) === finding.code);
      for (const fix of finding.fixes) {
        const a = this.action(doc, finding, fix, context);
        if (diag) a.diagnostics = [diag];
        out.push(a);
      }
    }
    return out;
  }
}
