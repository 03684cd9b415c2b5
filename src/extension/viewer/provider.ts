/**
 * The certificate viewer: a read-only custom editor for .crt, .pem and .key files (and what
 * Inspect Certificate opens). A webview with a strict CSP: static markup, one script with a
 * nonce that only sets text from the ViewerModel posted to it. "Open as Text" reopens the file in
 * the text editor; "Open Report" shows the openssl-style report.
 */
import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import { basename } from 'node:path';
import type { Usage } from '../../core/cockroach/layout';
import { errMessage } from '../../core/errors';
import { ViewerModel, loadViewerModel, unreadableModel } from './model';

export const VIEWER_TYPE = 'cockroachTls.certificateViewer';

type FromWebview = { type: 'ready' } | { type: 'openAsText' } | { type: 'openReport' };

interface ViewerDoc extends vscode.CustomDocument {
  usage?: Usage;
  certsDir?: string;
}

/** Where Inspect Certificate says what it knows of a file before opening it (its role and certs dir, from the tree). */
export interface ViewerHints {
  set(path: string, hint: { usage?: Usage; certsDir?: string }): void;
}

export class CertificateViewer implements vscode.CustomReadonlyEditorProvider<ViewerDoc>, ViewerHints {
  private readonly hints = new Map<string, { usage?: Usage; certsDir?: string }>();
  /** The model each open viewer shows, by file path (read by the in-editor tests). */
  readonly shown = new Map<string, ViewerModel>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
    private readonly openReport: (path: string, usage?: Usage) => Promise<void>,
  ) {}

  set(path: string, hint: { usage?: Usage; certsDir?: string }): void {
    this.hints.set(path, hint);
  }

  openCustomDocument(uri: vscode.Uri): ViewerDoc {
    const hint = this.hints.get(uri.fsPath);
    this.hints.delete(uri.fsPath);
    return { uri, ...hint, dispose: () => this.shown.delete(uri.fsPath) };
  }

  async resolveCustomEditor(doc: ViewerDoc, panel: vscode.WebviewPanel): Promise<void> {
    const media = vscode.Uri.joinPath(this.extensionUri, 'media', 'viewer');
    const w = panel.webview;
    w.options = { enableScripts: true, localResourceRoots: [media] };
    const nonce = randomBytes(18).toString('base64');
    const csp = ["default-src 'none'", `style-src ${w.cspSource}`, `font-src ${w.cspSource}`, `script-src 'nonce-${nonce}'`].join('; ');
    w.html = `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${csp}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <link rel="stylesheet" href="${w.asWebviewUri(vscode.Uri.joinPath(media, 'viewer.css')).toString()}">
  <title>Certificate</title>
</head>
<body>
  <header>
    <h1 id="title"></h1>
    <p id="summary"></p>
    <div class="actions">
      <button type="button" id="openAsText" class="secondary">Open as Text</button>
      <button type="button" id="openReport" class="secondary">Open Report</button>
    </div>
  </header>
  <ul id="problems"></ul>
  <main id="sections"></main>
  <script nonce="${nonce}" src="${w.asWebviewUri(vscode.Uri.joinPath(media, 'viewer.js')).toString()}"></script>
</body>
</html>`;
    const post = async () => {
      const model = await this.model(doc);
      this.shown.set(doc.uri.fsPath, model);
      await w.postMessage({ type: 'model', model });
    };
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.joinPath(doc.uri, '..'), '*'));
    const subs = [
      watcher,
      watcher.onDidChange(() => void post()),
      watcher.onDidCreate(() => void post()),
      w.onDidReceiveMessage((m: FromWebview) => {
        if (m.type === 'ready') void post();
        if (m.type === 'openAsText') void vscode.commands.executeCommand('vscode.openWith', doc.uri, 'default');
        if (m.type === 'openReport') void this.openReport(doc.uri.fsPath, doc.usage);
      }),
    ];
    panel.onDidDispose(() => subs.forEach((s) => s.dispose()));
    // Not awaited: the webview loads once this returns, and a message waits for it; its "ready" asks again.
    void post();
  }

  private async model(doc: ViewerDoc): Promise<ViewerModel> {
    try {
      return await loadViewerModel({
        path: doc.uri.fsPath,
        now: new Date(),
        usage: doc.usage,
        certsDir: doc.certsDir,
        euid: process.geteuid?.(),
        gid: process.getgid?.(),
      });
    } catch (err) {
      this.log.error(`certificate viewer: ${basename(doc.uri.fsPath)}: ${errMessage(err)}`);
      return unreadableModel(doc.uri.fsPath, errMessage(err));
    }
  }
}
