import * as vscode from 'vscode';
import type { SinkFinding, SinkFix } from '../../core/changefeed/types';
import { LintActions, workspaceEdit } from '../doclint/actions';
import type { DocSinks } from './linter';

/** Fixes that restore what CockroachDB needs to read the URI at all: offered first. */
const PREFERRED = new Set([
  'sink-param-plus',
  'sink-param-urlsafe-base64',
  'sink-param-padding',
  'sink-param-raw-pem',
  'sink-tls-missing',
  'sink-tls-disabled',
  'sink-webhook-http',
]);

/** The core's fixes for the sink URI findings under the cursor, as quick fixes. */
export class SinkActions extends LintActions<DocSinks, SinkFinding, SinkFix, undefined> {
  protected owns(code: string): boolean {
    return code.startsWith('sink-');
  }

  protected findings(r: DocSinks): { finding: SinkFinding; context: undefined }[] {
    return r.checks.flatMap(({ findings }) => findings.map((finding) => ({ finding, context: undefined })));
  }

  protected action(doc: vscode.TextDocument, f: SinkFinding, fix: SinkFix): vscode.CodeAction {
    const a = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
    a.edit = workspaceEdit(doc, fix.edits);
    a.isPreferred = PREFERRED.has(f.code);
    return a;
  }
}
