import * as vscode from 'vscode';
import { LINTED_SCHEMES } from '../doclint/linter';

/**
 * The last text editor a person worked in: while the builder panel has the focus there is no
 * active text editor, and Insert SQL goes to the one used before.
 */
export class EditorTracker implements vscode.Disposable {
  private editor: vscode.TextEditor | undefined;
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;
  private readonly subs: vscode.Disposable[];

  constructor() {
    this.take(vscode.window.activeTextEditor);
    this.subs = [
      vscode.window.onDidChangeActiveTextEditor((e) => this.take(e)),
      vscode.workspace.onDidCloseTextDocument((d) => {
        if (this.editor?.document === d) this.emitter.fire();
      }),
    ];
  }

  private take(e: vscode.TextEditor | undefined): void {
    if (!e || !LINTED_SCHEMES.has(e.document.uri.scheme) || e === this.editor) return;
    this.editor = e;
    this.emitter.fire();
  }

  last(): vscode.TextEditor | undefined {
    const e = this.editor;
    return e && !e.document.isClosed ? e : undefined;
  }

  dispose(): void {
    this.subs.forEach((s) => s.dispose());
    this.emitter.dispose();
  }
}
