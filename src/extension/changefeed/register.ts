import * as vscode from 'vscode';
import { isCaUsage } from '../../core/cockroach/layout';
import { readInputBytes } from '../../core/input';
import type { ClusterModel } from '../model';
import type { Node } from '../tree';
import { SinkActions } from './actions';
import { EditorTracker } from './editors';
import type { BuilderForm } from './form';
import { SinkHover } from './hover';
import { SinkLinter } from './linter';
import { BuilderPanel } from './panel';
import { issuedBy } from '../../core/pki/chain';
import { parseCertificate } from '../../core/pki/x509';

/** What the in-editor tests (through the extension's Api) see of the changefeed features. */
export interface ChangefeedApi {
  /** The builder panel now open, if any. */
  readonly panel: BuilderPanel | undefined;
  readonly linter: SinkLinter;
  /** Build Changefeed Sink URI: opens (or reveals) the panel, prefilled from a tree item. */
  open(arg?: unknown): void;
}

function issued(caPath: string, certPath: string): boolean {
  try {
    const ca = parseCertificate(readInputBytes(caPath));
    const leaf = parseCertificate(readInputBytes(certPath));
    return issuedBy(leaf, ca);
  } catch {
    return false;
  }
}

/** A client certificate of the tree: the certificate and its key, and the cluster's CA when it issued the certificate. */
export function prefillFromNode(node: Node | undefined): Partial<BuilderForm> | undefined {
  if (node?.type !== 'cert') return undefined;
  const e = node.entry;
  if (isCaUsage(e.usage)) return { caCert: e.certPath };
  if (e.usage !== 'Client' && e.usage !== 'Tenant Client') return undefined;
  const cas = node.parent.state.entries.filter((x) => isCaUsage(x.usage)).sort((a, b) => Number(b.usage === 'CA') - Number(a.usage === 'CA'));
  const ca = cas.find((x) => issued(x.certPath, e.certPath));
  return { clientCert: e.certPath, clientKey: e.keyPath ?? '', ...(ca ? { caCert: ca.certPath } : {}) };
}

/** The builder panel, and the diagnostics, hover and quick fixes for sink URIs in any file. */
export function registerChangefeed(
  context: vscode.ExtensionContext,
  deps: { model: ClusterModel; log: vscode.LogOutputChannel; selector: vscode.DocumentSelector },
): ChangefeedApi {
  const editors = new EditorTracker();
  const linter = new SinkLinter(deps.log);
  const builder = { extensionUri: context.extensionUri, model: deps.model, editors, log: deps.log };
  context.subscriptions.push(
    editors,
    linter,
    { dispose: () => BuilderPanel.current?.dispose() },
    vscode.languages.registerHoverProvider(deps.selector, new SinkHover(linter)),
    vscode.languages.registerCodeActionsProvider(deps.selector, new SinkActions(linter), { providedCodeActionKinds: SinkActions.kinds }),
  );
  return {
    get panel() {
      return BuilderPanel.current;
    },
    linter,
    open(arg?: unknown) {
      const node = arg && typeof arg === 'object' && 'type' in arg ? (arg as Node) : undefined;
      BuilderPanel.show(builder, prefillFromNode(node));
    },
  };
}
