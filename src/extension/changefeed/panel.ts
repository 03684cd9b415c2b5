import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import { basename, dirname } from 'node:path';
import type { BuildResult } from '../../core/changefeed/build';
import type { CertSummary } from '../../core/changefeed/material';
import type { SinkFinding, SinkType } from '../../core/changefeed/types';
import { isCaUsage } from '../../core/certsdir/layout';
import { errMessage } from '../../core/errors';
import { readInputBytes } from '../../core/input';
import type { ClusterModel } from '../model';
import { thresholdsFromSettings } from '../model';
import type { EditorTracker } from './editors';
import { BuilderForm, CERT_FIELDS, CertField, DEFAULT_FORM, buildInputOf, mergeForm } from './form';
import { builderHtml } from './html';
import type { BuilderView, CertChoice, ToExtension, ToWebview, ViewCert, ViewFinding, ViewLive } from './protocol';

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

const PARAM_FIELD: Record<string, [CertField, CertField]> = {
  ca_cert: ['caCert', 'registryCaCert'], client_cert: ['clientCert', 'registryClientCert'], client_key: ['clientKey', 'registryClientKey'],
};
const PICKER_LABEL: Record<CertField, string> = {
  caCert: 'ca_cert', clientCert: 'client_cert', clientKey: 'client_key',
  registryCaCert: 'schema registry ca_cert', registryClientCert: 'schema registry client_cert', registryClientKey: 'schema registry client_key',
};
const REGISTRY_PREFIX = 'schema registry: ';
/** Kafka's TLS listener by convention; https (443) for a webhook; the Confluent registry's 8081. */
const DEFAULT_PORT: Record<SinkType, string> = { kafka: '9093', webhook: '', 'schema-registry': '8081' };

function clientKeyField(f: CertField): CertField | undefined {
  return f === 'clientCert' ? 'clientKey' : f === 'registryClientCert' ? 'registryClientKey' : undefined;
}

function certLine(c: CertSummary): ViewCert['line'] {
  const expiry = c.daysLeft < 0 ? `expired ${-c.daysLeft} d ago (${c.notAfter.slice(0, 10)})` : `expires ${c.notAfter.slice(0, 10)} (${c.daysLeft} d left)`;
  return `${c.index > 0 ? `#${c.index} ` : ''}${c.subject}${c.isCA ? ' (CA)' : ''} · issued by ${c.issuer} · ${expiry}`;
}

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

  private constructor(readonly panel: vscode.WebviewPanel, private readonly deps: BuilderDeps, media: vscode.Uri) {
    const w = panel.webview;
    const nonce = randomBytes(18).toString('base64');
    w.html = builderHtml({
      cspSource: w.cspSource, nonce,
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
        if (e.affectsConfiguration('cockroachTls.expiry')) void this.update(false);
      }),
    );
  }

  /** Handles a message as the webview posts it (the in-editor tests call this too). */
  async receive(msg: ToExtension): Promise<void> {
    try {
      await this.handle(msg);
    } catch (err) {
      this.deps.log.error(`changefeed builder: ${errMessage(err)}`);
      void vscode.window.showErrorMessage(`Changefeed builder: ${errMessage(err)}`);
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
        const before = this.form;
        this.form = mergeForm(before, msg.form);
        let changed = this.pairKeys(before);
        // Another sink type: an untouched default port follows it.
        if (this.form.sinkType !== before.sinkType && this.form.port === DEFAULT_PORT[before.sinkType]) {
          this.form = { ...this.form, port: DEFAULT_PORT[this.form.sinkType] };
          changed = true;
        }
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

  /** A client certificate picked from the tree brings its key along (unless another key was chosen). */
  private pairKeys(before: BuilderForm): boolean {
    let changed = false;
    const keyOf = (cert: string) => this.deps.model.states.flatMap((s) => s.entries).find((e) => e.certPath === cert && e.keyPath)?.keyPath ?? undefined;
    for (const f of ['clientCert', 'registryClientCert'] as const) {
      const kf = clientKeyField(f) as CertField;
      if (this.form[f] === before[f]) continue;
      const key = keyOf(this.form[f]);
      const oldKey = keyOf(before[f]);
      if (key && (this.form[kf] === '' || this.form[kf] === oldKey)) {
        this.form = { ...this.form, [kf]: key };
        changed = true;
      }
    }
    return changed;
  }

  private choices(): BuilderView['choices'] {
    const ca: CertChoice[] = [];
    const client: CertChoice[] = [];
    const key: CertChoice[] = [];
    const seen = new Set<string>();
    const add = (list: CertChoice[], path: string, label: string, description: string) => {
      if (seen.has(path)) return;
      seen.add(path);
      list.push({ path, label, description });
    };
    for (const s of this.deps.model.states) {
      for (const e of s.entries) {
        if (isCaUsage(e.usage)) add(ca, e.certPath, `${s.cluster.name}: ${e.certFile}`, e.usage);
        else if (e.usage === 'Client' || e.usage === 'Tenant Client') {
          add(client, e.certPath, `${s.cluster.name}: ${e.certFile}`, `${e.usage}${e.name ? ` ${e.name}` : ''}`);
          if (e.keyPath && e.keyFile) add(key, e.keyPath, `${s.cluster.name}: ${e.keyFile}`, `key of ${e.certFile}`);
        }
      }
    }
    return { ca, client, key };
  }

  private async compute(): Promise<BuilderView> {
    const core = await loadBuild();
    const { input, findings: own } = buildInputOf(this.form);
    let r: BuildResult;
    try {
      r = core.buildChangefeed({ ...input, now: new Date(), thresholds: thresholdsFromSettings() });
    } catch (err) {
      this.result = undefined;
      this.deps.log.error(`changefeed builder: ${errMessage(err)}`);
      return this.viewOf(undefined, [{ code: 'sink-internal', severity: 'error', message: errMessage(err) }]);
    }
    this.result = r;
    return this.viewOf(r, own);
  }

  private viewOf(r: BuildResult | undefined, own: SinkFinding[]): BuilderView {
    // A port that is not a number is reported once, not also as a missing port.
    const badPort = own.some((f) => f.code === 'sink-port-invalid');
    const all = [...own, ...(r?.errors ?? []), ...(r?.warnings ?? [])].filter((f) => !(badPort && f.code === 'sink-port-missing'));
    const findings: ViewFinding[] = all.map((f) => {
      const registry = f.message.startsWith(REGISTRY_PREFIX);
      const field = f.param && PARAM_FIELD[f.param] ? PARAM_FIELD[f.param][registry ? 1 : 0] : undefined;
      return { severity: f.severity, code: f.code, message: f.message, ...(field ? { field } : {}) };
    });
    const certs: ViewCert[] = [];
    if (r) {
      const regCount = r.registryCerts?.length ?? 0;
      const sinkCerts = r.certs.slice(0, r.certs.length - regCount);
      const fieldOf = (param: string, registry: boolean) => PARAM_FIELD[param][registry ? 1 : 0];
      const push = (c: CertSummary, registry: boolean) => certs.push({
        field: fieldOf(c.param, registry), param: c.param, line: certLine(c),
        ...(c.daysLeft < 0 ? { severity: 'error' as const } : findings.some((f) => f.code === 'sink-cert-expiring' && f.field === fieldOf(c.param, registry)) ? { severity: 'warning' as const } : {}),
      });
      sinkCerts.forEach((c) => push(c, false));
      (r.registryCerts ?? []).forEach((c) => push(c, true));
      const keyLine = (registry: boolean, d: string) => {
        const field = registry ? 'registryClientKey' : 'clientKey';
        const mismatch = findings.some((f) => f.code === 'sink-key-mismatch' && f.field === field);
        certs.push({ field, param: 'client_key', line: `${d}${mismatch ? ', does not match client_cert' : ', matches client_cert'}`, ...(mismatch ? { severity: 'error' as const } : {}) });
      };
      if (r.key) keyLine(false, r.key.description);
      if (r.registryKey) keyLine(true, r.registryKey.description);
    }
    const show = (s: string) => {
      if (!r) return s;
      let t = s.split(r.uri).join(r.displayUri);
      if (r.registryUri && r.registryDisplayUri) t = t.split(r.registryUri).join(r.registryDisplayUri);
      return t;
    };
    const ok = !!r && r.ok && own.every((f) => f.severity !== 'error');
    const sql = ok && r ? r.sql.map(show) : [];
    let sqlHint: string | undefined;
    if (sql.length === 0) {
      if (!ok) sqlHint = 'Fix the errors to get the SQL.';
      else if (this.form.sinkType === 'schema-registry') sqlHint = 'A schema registry URI alone: name an external connection to get CREATE EXTERNAL CONNECTION, or add the registry to a Kafka sink.';
      else sqlHint = 'Add a table to get CREATE CHANGEFEED.';
    }
    const target = this.deps.editors.last();
    return {
      ok,
      displayUri: r?.displayUri ?? '',
      maskedUri: r?.maskedUri ?? '',
      sql,
      sqlForm: sql.length === 0 ? 'none' : this.form.externalConnection.trim() ? 'external' : 'direct',
      ...(sqlHint ? { sqlHint } : {}),
      findings,
      certs,
      choices: this.choices(),
      trusted: vscode.workspace.isTrusted,
      insertTarget: target ? basename(target.document.uri.path) || target.document.uri.toString() : 'a new SQL document',
      ...(this.live ? { live: this.live } : {}),
    };
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
      canSelectFiles: true, canSelectFolders: false, canSelectMany: false,
      openLabel: `Use as ${PICKER_LABEL[field]}`,
      title: `${PICKER_LABEL[field]}: ${isKey ? 'the PEM private key' : 'a PEM certificate file'}`,
      defaultUri: current ? vscode.Uri.file(dirname(current)) : vscode.workspace.workspaceFolders?.[0]?.uri,
      filters: isKey ? { 'PEM keys': ['key', 'pem'], 'All files': ['*'] } : { 'PEM certificates': ['crt', 'pem', 'cert', 'cer'], 'All files': ['*'] },
    });
    const picked = uris?.[0];
    if (!picked) return;
    const before = this.form;
    this.form = { ...this.form, [field]: picked.fsPath };
    this.pairKeys(before);
    await this.update(true);
  }

  /** The real SQL (secrets included) leaves only through these two explicit actions. */
  private usable(what: string): BuildResult | undefined {
    const r = this.result;
    if (!r || !this.view?.ok) {
      void vscode.window.showWarningMessage(`Nothing to ${what} yet: fix the errors listed in the builder first.`);
      return undefined;
    }
    return r;
  }

  private async copy(what: 'sql' | 'uri'): Promise<void> {
    const r = this.usable('copy');
    if (!r) return;
    if (what === 'sql' && r.sql.length === 0) {
      void vscode.window.showWarningMessage(this.view?.sqlHint ?? 'No SQL yet.');
      return;
    }
    await vscode.env.clipboard.writeText(what === 'sql' ? `${r.sql.join('\n')}\n` : r.uri);
    vscode.window.setStatusBarMessage(what === 'sql' ? `Copied ${r.sql.length} statement${r.sql.length > 1 ? 's' : ''}` : 'Copied the sink URI', 3000);
  }

  private async insert(): Promise<void> {
    const r = this.usable('insert');
    if (!r) return;
    if (r.sql.length === 0) {
      void vscode.window.showWarningMessage(this.view?.sqlHint ?? 'No SQL yet.');
      return;
    }
    const text = r.sql.join('\n');
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
    await vscode.window.showTextDocument(doc, { viewColumn: editor.viewColumn ?? vscode.ViewColumn.One, preserveFocus: true, selection: new vscode.Range(end, end) });
    vscode.window.setStatusBarMessage(`Inserted ${r.sql.length} statement${r.sql.length > 1 ? 's' : ''} into ${basename(doc.uri.path)}`, 3000);
  }

  private async liveCheck(): Promise<void> {
    if (this.live?.running) return;
    const f = this.form;
    const registryOnly = f.sinkType === 'schema-registry';
    const host = f.host.trim().replace(/^\[|\]$/g, '');
    const portText = f.port.trim() || (f.sinkType === 'kafka' ? '' : '443');
    const port = Number(portText);
    const target = `${host.includes(':') ? `[${host}]` : host || '?'}:${portText || '?'}`;
    const done = async (live: ViewLive) => {
      this.live = live;
      await this.update(false);
    };
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage('Live Check connects to the broker over the network, which restricted mode does not allow: trust this workspace first (Workspaces: Manage Workspace Trust).');
      return done({ running: false, target, category: 'error', message: 'Live Check needs a trusted workspace (it connects over the network).' });
    }
    if (!host || !/^\d{1,5}$/.test(portText) || port < 1 || port > 65535) {
      return done({ running: false, target, category: 'error', message: `Give the ${registryOnly ? 'registry' : f.sinkType === 'kafka' ? 'broker' : 'server'}'s host and port first.` });
    }
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
    const timeoutMs = Math.max(500, vscode.workspace.getConfiguration('cockroachTls.changefeed').get<number>('liveCheckTimeoutMs', 5000));
    let live: ViewLive;
    try {
      live = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Live check: TLS handshake with ${target}…`, cancellable: true }, async (_p, token) => {
        const [ca, cert, key] = await Promise.all([read(f.caCert, 'ca_cert'), read(f.clientCert, 'client_cert'), read(f.clientKey, 'client_key')]);
        const { liveCheck } = await import('../../core/changefeed/live');
        const cancelled = new Promise<undefined>((res) => token.onCancellationRequested(() => res(undefined)));
        const result = await Promise.race([liveCheck({ host, port, ca, cert, key, timeoutMs }), cancelled]);
        if (!result) return { running: false, target, category: 'error' as const, message: 'Live check cancelled.' };
        return { running: false, target, category: result.category, message: result.message };
      });
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
