import * as vscode from 'vscode';
import { ClusterModel } from './model';
import { ClusterTree, Node } from './tree';
import { registerCommands } from './commands';
import { affects } from './config';
import { ExpiryMonitor } from './monitor';
import { INSPECT_SCHEME, InspectProvider } from './inspect';
import { CertificateViewer, VIEWER_TYPE } from './viewer/provider';
import { EmbeddedCertHover } from './pemHover';
import { openInspectReport } from './certActions';
import { CERT_WATCH_GLOB } from './clusters';
import { activeInput, onDidShowInput } from './input';
import { ConnLinter } from './connstr/linter';
import { LINTED_SCHEMES } from './doclint/linter';
import { ConnHover } from './connstr/hover';
import { ConnActions } from './connstr/actions';
import { ChangefeedApi, registerChangefeed } from './changefeed/register';
import { ResultDocuments, RESULT_SCHEME } from './troubleshoot/results';
import { TestConnectionLens } from './troubleshoot/commands';
import { confirmation } from './rotate';
import { CloudAccount } from './cloud/account';
import { RotationStore } from './cloud/rotationState';
import { FleetInventories } from './fleetTree';
import { apiClusters, cloudChildren, cloudContextValue } from './cloud/treeItems';
import { CERT_PROBLEM_FILES, CertProblems } from './certProblems';

/** What activate returns: used by the in-editor tests (and other extensions) to look inside. */
export interface Api {
  model: ClusterModel;
  tree: ClusterTree;
  monitor: ExpiryMonitor;
  linter: ConnLinter;
  /** The changefeed builder panel and the sink URI diagnostics. */
  changefeed: ChangefeedApi;
  /** The certificate viewer (custom editor). */
  viewer: CertificateViewer;
  view: vscode.TreeView<Node>;
  /** The Cloud account (API key in SecretStorage, the API's clusters) and the client CA rotations. */
  cloud: CloudAccount;
  rotations: RotationStore;
  activationMs: number;
  ready: Promise<void>;
  testing: { activeInput: typeof activeInput; onDidShowInput: typeof onDidShowInput; confirmation: typeof confirmation };
}

function debounce(fn: () => void, ms: number): () => void {
  let t: NodeJS.Timeout | undefined;
  return () => {
    if (t) clearTimeout(t);
    t = setTimeout(fn, ms);
  };
}

export function activate(context: vscode.ExtensionContext): Api {
  const started = performance.now();
  const log = vscode.window.createOutputChannel('CockroachDB TLS', { log: true });
  const model = new ClusterModel(log);
  const tree = new ClusterTree(model);
  const view = vscode.window.createTreeView<Node>('cockroachTls.clusters', { treeDataProvider: tree, showCollapseAll: true });
  const monitor = new ExpiryMonitor(context, model, tree, view as vscode.TreeView<unknown>, log);
  const inspect = new InspectProvider(model);
  context.subscriptions.push(log, model, tree, view, monitor, inspect, vscode.workspace.registerTextDocumentContentProvider(INSPECT_SCHEME, inspect));
  // The certificate viewer: .crt, .pem and .key files, and Inspect Certificate.
  const viewer = new CertificateViewer(context.extensionUri, log, (path, usage) => openInspectReport(path, usage));
  context.subscriptions.push(vscode.window.registerCustomEditorProvider(VIEWER_TYPE, viewer, { supportsMultipleEditorsPerDocument: true }));

  // Connection strings in any file: diagnostics, hover, quick fixes.
  const linter = new ConnLinter(model, log);
  const selector: vscode.DocumentSelector = [...LINTED_SCHEMES].map((scheme) => ({ scheme }));
  context.subscriptions.push(
    linter,
    vscode.languages.registerHoverProvider(selector, new ConnHover(linter)),
    vscode.languages.registerCodeActionsProvider(selector, new ConnActions(linter), { providedCodeActionKinds: ConnActions.kinds }),
    // Certificates inside any file: PEM blocks, base64 in Kubernetes Secrets and JSON.
    vscode.languages.registerHoverProvider(selector, new EmbeddedCertHover()),
  );

  // The certs dirs' problems (bad file names, keys, chains, CockroachDB's rules) in Problems, with quick fixes for bad names.
  const certProblems = new CertProblems(model, (key) => tree.find(key));
  context.subscriptions.push(
    certProblems,
    vscode.languages.registerCodeActionsProvider(CERT_PROBLEM_FILES, certProblems, { providedCodeActionKinds: CertProblems.kinds }),
  );

  // Changefeed sink URIs: the builder panel, and diagnostics, hover and quick fixes in any file.
  const changefeed = registerChangefeed(context, { model, log, selector });

  // Troubleshooting: Test Connection on every string, Explain TLS Error, Probe Node, Verify.
  const results = new ResultDocuments();
  context.subscriptions.push(
    results,
    vscode.workspace.registerTextDocumentContentProvider(RESULT_SCHEME, results),
    vscode.languages.registerCodeLensProvider(selector, new TestConnectionLens(linter)),
  );

  // CockroachDB Cloud: the API's clusters next to those from settings (none without a key or in restricted mode).
  const cloud = new CloudAccount(context, log);
  const rotations = new RotationStore(context.globalState, () => model.relist());
  tree.cloud = { children: (parent) => cloudChildren(parent, cloud, rotations), contextValue: (id) => cloudContextValue(cloud.find(id)) };
  context.subscriptions.push(
    cloud,
    cloud.onDidChange(() => model.setApiClusters(apiClusters(cloud))),
  );

  // The workspace's fleet inventories and their nodes, read from the files (no SSH until a command runs).
  const fleets = new FleetInventories(log);
  tree.fleets = { roots: () => fleets.roots };
  context.subscriptions.push(
    fleets,
    fleets.onDidChange(() => tree.refreshFleets()),
  );
  void fleets.refresh();

  // Every command, from the one table.
  registerCommands(context, { log, model, tree, monitor, linter, results, changefeed, viewer, cloud, rotations, fleets });

  // Files change on disk: re-list (only changed files are read again) or, for new certs dirs, search again.
  const relist = debounce(() => model.relist(), 150);
  const rediscover = debounce(() => void model.reload(true), 500);
  let dirWatchers: vscode.Disposable[] = [];
  const watchDirs = () => {
    dirWatchers.forEach((w) => w.dispose());
    dirWatchers = model.selfHostedDirs().map((dir) => {
      const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(dir), '*'));
      w.onDidChange(relist);
      w.onDidCreate(relist);
      w.onDidDelete(relist);
      return w;
    });
  };
  const wsWatcher = vscode.workspace.createFileSystemWatcher(CERT_WATCH_GLOB, false, true, false);
  wsWatcher.onDidCreate(rediscover);
  wsWatcher.onDidDelete(rediscover);
  let watchedKey = '';
  context.subscriptions.push(
    wsWatcher,
    model.onDidChange(() => {
      const key = model.selfHostedDirs().join('\n');
      if (key !== watchedKey) {
        watchedKey = key;
        watchDirs();
      }
    }),
    { dispose: () => dirWatchers.forEach((w) => w.dispose()) },
  );
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (affects(e)) void model.reload(affects(e, 'discoverCertsDirs'));
      if (affects(e, 'cloud')) void cloud.refresh();
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      model.relist();
      void cloud.refresh();
    }),
  );
  // Expiry moves with the clock: refresh statuses a few times a day.
  const tick = setInterval(() => model.relist(), 6 * 3_600_000);
  context.subscriptions.push({ dispose: () => clearInterval(tick) });

  const ready = model.reload(true).then(() => log.info(`ready: ${model.states.length} cluster(s)`));
  void cloud.refresh(); // not part of ready: it waits for the network
  const activationMs = performance.now() - started;
  log.info(`activated in ${activationMs.toFixed(1)} ms`);
  return {
    model,
    tree,
    monitor,
    linter,
    changefeed,
    viewer,
    view,
    cloud,
    rotations,
    activationMs,
    ready,
    testing: { activeInput, onDidShowInput, confirmation },
  };
}

export function deactivate(): void {
  // Everything is in context.subscriptions.
}
