import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import { basename, dirname } from 'node:path';
import type { BuildResult } from '../../core/changefeed/build';
import { errMessage } from '../../core/errors';
import { readInputBytes } from '../../core/input';
import { affects, settings } from '../config';
import type { ClusterModel } from '../model';
import { isTrusted, refusal, requireTrust } from '../trust';
import type { EditorTracker } from './editors';
import { BuilderForm, CERT_FIELDS, CertField, DEFAULT_FORM, mergeForm } from './form';
import { builderHtml } from './html';
import type { BuilderView, ToExtension, ToWebview, ViewLive } from './protocol';
import { PICKER_LABEL, applyChange, applyPicked, computeView, liveTarget, outgoing } from './viewModel';

export const BUILDER_VIEW_TYPE = 'cockroachTls.changefeedBuilder';

export interface BuilderDeps {
  extensionUri: vscode.Uri;
  model: ClusterModel;
  editors: EditorTracker;
  log: vscode.LogOutputChannel;
}

type BuildModule = typeof import('../../core/changefeed/build');
let buildModule: Promise<BuildModule> | undefined;
const loadBuild = () => (buildModule ??= import('../../core/changefeed/build'));

/**
 * The changefeed builder: a webview that only draws the form and posts what a person does; the
 * extension reads the certificate files, runs the core's builder and checks, and sends back what
 * to show (URIs and SQL masked). One panel at a time.
 */
export class BuilderPanel implements vscode.Disposable {
  static current: BuilderPanel | undefined;

  form: BuilderForm = { ...DEFAULT_FORM };
  /** The last state sent to the webview. */
  view: BuilderView | undefined;
  /** What the webview last reported drawing (tests compare it with `view`). */
  rendered: Extract<ToExtension, { type: 'rendered' }> | undefined;
  /** The webview's script ran and asked for its state. */
  ready = false;
  private result: BuildResult | undefined;
  private live: ViewLive | undefined;
  private readonly emitter = new vscode.EventEmitter<ToExtension>();
  /** Fires after each message from the webview (or the tests) was handled. */
  readonly onDidHandle = this.emitter.event;
  private readonly subs: vscode.Disposable[] = [];
  private disposed = false;

  static show(deps: BuilderDeps, prefill?: Partial<BuilderForm>): BuilderPanel {
    const cur = BuilderPanel.current;
    if (cur) {
      if (prefill) {
        cur.form = mergeForm(cur.form, prefill);
        void cur.update(true);
      }
      cur.panel.reveal();
      return cur;
    }
    const media = vscode.Uri.joinPath(deps.extensionUri, 'media', 'changefeed');
    // The form and the preview sit side by side when the panel is wide: open it in the active group.
    const panel = vscode.window.createWebviewPanel(BUILDER_VIEW_TYPE, 'Changefeed Sink URI', vscode.ViewColumn.Active, {
      enableScripts: true,
      enableCommandUris: false,
      localResourceRoots: [media],
      // The webview keeps its fields with getState/setState; the extension holds the rest.
      retainContextWhenHidden: false,
    });
    panel.iconPath = vscode.Uri.joinPath(deps.extensionUri, 'media', 'cockroach-tls.svg');
    const p = new BuilderPanel(panel, deps, media);
    if (prefill) p.form = mergeForm(p.form, prefill);
    BuilderPanel.current = p;
    void p.update(false);
    return p;
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly deps: BuilderDeps,
    media: vscode.Uri,
  ) {
    const w = panel.webview;
    const nonce = randomBytes(18).toString('base64');
    w.html = builderHtml({
      cspSource: w.cspSource,
      nonce,
      script: w.asWebviewUri(vscode.Uri.joinPath(media, 'builder.js')).toString(),
      style: w.asWebviewUri(vscode.Uri.joinPath(media, 'builder.css')).toString(),
    });
    this.subs.push(
      w.onDidReceiveMessage((m: unknown) => void this.receive(m as ToExtension)),
      panel.onDidDispose(() => this.dispose()),
      deps.model.onDidChange(() => void this.update(false)),
      deps.editors.onDidChange(() => void this.update(false)),
      vscode.workspace.onDidGrantWorkspaceTrust(() => void this.update(false)),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (affects(e, 'expiry')) void this.update(false);
      }),
    );
  }

  /** Handles a message as the webview posts it (the in-editor tests call this too). */
  async receive(msg: ToExtension): Promise<void> {
    try {
      await this.handle(msg);
    } catch (err) {
      this.deps.log.error(`changefeed builder: ${errMessage(err)}`);
      void vscode.window.showErrorMessage(vscode.l10n.t('Changefeed builder: {0}', errMessage(err)));
    } finally {
      this.emitter.fire(msg);
    }
  }

  private async handle(msg: ToExtension): Promise<void> {
    switch (msg?.type) {
      case 'ready':
        this.ready = true;
        return this.update(true);
      case 'change': {
        const { form, changed } = applyChange(this.form, msg.form, this.deps.model.states);
        this.form = form;
        return this.update(changed);
      }
      case 'browse':
        return this.browse(msg.field);
      case 'copy':
        return this.copy(msg.what);
      case 'insert':
        return this.insert();
      case 'liveCheck':
        return this.liveCheck();
      case 'rendered':
        this.rendered = msg;
        return;
      default:
        return;
    }
  }

  private async compute(): Promise<BuilderView> {
    const core = await loadBuild();
    const target = this.deps.editors.last();
    const { view, result, error } = computeView(
      core.buildChangefeed,
      {
        form: this.form,
        clusters: this.deps.model.states,
        trusted: isTrusted(),
        insertTarget: target ? basename(target.document.uri.path) || target.document.uri.toString() : undefined,
        ...(this.live ? { live: this.live } : {}),
      },
      { now: new Date(), thresholds: settings().expiryThresholds },
    );
    if (error) this.deps.log.error(`changefeed builder: ${error}`);
    this.result = result;
    return view;
  }

  /** Recomputes and sends the state; `withForm` also sends the fields (when the extension changed them). */
  async update(withForm: boolean): Promise<void> {
    if (this.disposed) return;
    this.view = await this.compute();
    this.post({ type: 'state', view: this.view, ...(withForm ? { form: this.form } : {}) });
  }

  private post(msg: ToWebview): void {
    if (!this.disposed) void this.panel.webview.postMessage(msg);
  }

  private async browse(field: CertField): Promise<void> {
    if (!CERT_FIELDS.includes(field)) return;
    const current = this.form[field];
    const isKey = /Key$/.test(field);
    const uris = await vscode.window.showOpenDialog({
      canSelectFiles: true,
      canSelectFolders: false,
      canSelectMany: false,
      openLabel: vscode.l10n.t('Use as {0}', PICKER_LABEL[field]),
      title: `${PICKER_LABEL[field]}: ${isKey ? 'the PEM private key' : 'a PEM certificate file'}`,
      defaultUri: current ? vscode.Uri.file(dirname(current)) : vscode.workspace.workspaceFolders?.[0]?.uri,
      filters: isKey ? { 'PEM keys': ['key', 'pem'], 'All files': ['*'] } : { 'PEM certificates': ['crt', 'pem', 'cert', 'cer'], 'All files': ['*'] },
    });
    const picked = uris?.[0];
    if (!picked) return;
    this.form = applyPicked(this.form, field, picked.fsPath, this.deps.model.states);
    await this.update(true);
  }

  /** The real SQL (secrets included) leaves only through these two explicit actions. */
  private async copy(what: 'sql' | 'uri'): Promise<void> {
    const out = outgoing(this.result, this.view, what, 'copy');
    if ('warning' in out) {
      void vscode.window.showWarningMessage(out.warning);
      return;
    }
    await vscode.env.clipboard.writeText(what === 'sql' ? `${out.text}\n` : out.text);
    vscode.window.setStatusBarMessage(what === 'sql' ? `Copied ${out.statements} statement${out.statements > 1 ? 's' : ''}` : 'Copied the sink URI', 3000);
  }

  private async insert(): Promise<void> {
    const out = outgoing(this.result, this.view, 'sql', 'insert');
    if ('warning' in out) {
      void vscode.window.showWarningMessage(out.warning);
      return;
    }
    const { text, statements } = out;
    const editor = this.deps.editors.last();
    if (!editor) {
      const doc = await vscode.workspace.openTextDocument({ language: 'sql', content: `${text}\n` });
      await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One, preview: false });
      return;
    }
    const doc = editor.document;
    const sel = editor.selection;
    const before = doc.lineAt(sel.start.line).text.slice(0, sel.start.character);
    const insert = `${before.trim() ? '\n' : ''}${text}\n`;
    const we = new vscode.WorkspaceEdit();
    we.replace(doc.uri, sel, insert);
    if (!(await vscode.workspace.applyEdit(we))) throw new Error(`could not insert the SQL into ${basename(doc.uri.path)}`);
    const end = doc.positionAt(doc.offsetAt(sel.start) + insert.length);
    await vscode.window.showTextDocument(doc, {
      viewColumn: editor.viewColumn ?? vscode.ViewColumn.One,
      preserveFocus: true,
      selection: new vscode.Range(end, end),
    });
    vscode.window.setStatusBarMessage(`Inserted ${statements} statement${statements > 1 ? 's' : ''} into ${basename(doc.uri.path)}`, 3000);
  }

  private async liveCheck(): Promise<void> {
    if (this.live?.running) return;
    const f = this.form;
    const { host, port, target, problem } = liveTarget(f);
    const done = async (live: ViewLive) => {
      this.live = live;
      await this.update(false);
    };
    if (!requireTrust('Live Check', 'network')) return done({ running: false, target, category: 'error', message: refusal('Live Check', 'network') });
    if (problem) return done({ running: false, target, category: 'error', message: problem });
    const read = async (p: string, what: string): Promise<Buffer | undefined> => {
      if (!p.trim()) return undefined;
      try {
        // Only a regular file within the PEM cap: a FIFO or device must not block the extension host.
        return readInputBytes(p.trim());
      } catch (err) {
        throw new Error(`cannot read ${p} for ${what}: ${errMessage(err)}`);
      }
    };
    await done({ running: true, target });
    const timeoutMs = settings().liveCheckTimeoutMs;
    let live: ViewLive;
    try {
      live = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Live check: TLS handshake with {0}…', target), cancellable: true },
        async (_p, token) => {
          const [ca, cert, key] = await Promise.all([read(f.caCert, 'ca_cert'), read(f.clientCert, 'client_cert'), read(f.clientKey, 'client_key')]);
          const { liveCheck } = await import('../../core/changefeed/live');
          const cancelled = new Promise<undefined>((res) => token.onCancellationRequested(() => res(undefined)));
          const result = await Promise.race([liveCheck({ host, port, ca, cert, key, timeoutMs }), cancelled]);
          if (!result) return { running: false, target, category: 'error' as const, message: 'Live check cancelled.' };
          return { running: false, target, category: result.category, message: result.message };
        },
      );
    } catch (err) {
      live = { running: false, target, category: 'error', message: errMessage(err) };
    }
    this.deps.log.info(`changefeed live check ${target}: ${live.category}: ${live.message}`);
    await done(live);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (BuilderPanel.current === this) BuilderPanel.current = undefined;
    this.subs.forEach((s) => s.dispose());
    this.emitter.dispose();
    this.panel.dispose();
  }
}
