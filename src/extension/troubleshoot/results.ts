import * as vscode from 'vscode';

export const RESULT_SCHEME = 'cockroach-tls-result';

/** Read-only documents holding troubleshooting reports (test results, probes, explanations). */
export class ResultDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly texts = new Map<string, string>();
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.emitter.event;
  private n = 0;

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? 'This report is no longer available: run the command again.';
  }

  /** Opens a new report beside the editor; `name` becomes the tab title. */
  async show(name: string, text: string): Promise<vscode.TextEditor> {
    const uri = vscode.Uri.from({ scheme: RESULT_SCHEME, path: `/${++this.n}/${name.replace(/[\\/]/g, '_')}.txt` });
    this.texts.set(uri.toString(), text);
    // Keep the last few reports only.
    if (this.texts.size > 20) this.texts.delete(this.texts.keys().next().value as string);
    const doc = await vscode.workspace.openTextDocument(uri);
    return vscode.window.showTextDocument(doc, { preview: false, viewColumn: vscode.ViewColumn.Beside, preserveFocus: true });
  }

  dispose(): void {
    this.emitter.dispose();
  }
}
