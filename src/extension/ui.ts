/** UI helpers the commands share: errors, the cluster or certificate a command acts on, confirmations. */
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import type { CertEntry } from '../core/certsdir/list';
import { clusterUrl } from '../core/connstr/clusterUrl';
import { UserError, errMessage } from '../core/errors';
import type { SelfHostedCluster } from './clusters';
import type { CommandId } from './commandIds';
import type { ClusterModel, ClusterState } from './model';
import type { CertNode, ClusterTree, Node } from './tree';

/** What most commands need: the log, the clusters, the tree. */
export interface UiContext {
  log: vscode.LogOutputChannel;
  model: ClusterModel;
  tree: ClusterTree;
}

/** A failed command: the UserError's sentence (it names the file and the fix) in the log and a notification. */
export function reportError(log: vscode.LogOutputChannel, title: string, err: unknown): void {
  const msg = err instanceof UserError ? err.message : `unexpected error: ${errMessage(err)}`;
  log.error(`${title}: ${msg}`);
  void vscode.window.showErrorMessage(msg);
}

/** Runs one of our commands by its typed id. */
export function runCommand(id: CommandId, ...args: unknown[]): Thenable<unknown> {
  return vscode.commands.executeCommand(id, ...args);
}

/** The cluster of a tree item (a cluster, or one of its certificates or notes). */
export function nodeState(node: Node | undefined): ClusterState | undefined {
  return node?.type === 'cluster' ? node.state : node?.type === 'cert' || node?.type === 'info' ? node.parent.state : undefined;
}

/** The self-hosted cluster of a tree item (a cluster, or one of its certificates or notes). */
export function nodeCluster(node: Node | undefined): SelfHostedCluster | undefined {
  const c = nodeState(node)?.cluster;
  return c?.kind === 'self-hosted' ? c : undefined;
}

/** A verify-full URL for a self-hosted cluster of the tree (core/connstr/clusterUrl.ts), with a client certificate and its key when given. */
export function clusterStateUrl(state: ClusterState, client?: CertEntry): string | undefined {
  const c = state.cluster;
  if (c.kind !== 'self-hosted') return undefined;
  const names = new Set(state.entries.map((e) => e.certFile));
  return clusterUrl({
    certsDir: c.certsDir,
    has: (name) => names.has(name),
    nodeSans: state.entries.find((e) => e.usage === 'Node')?.sans,
    client: client?.name && client.keyPath ? { user: client.name, cert: client.certPath, key: client.keyPath } : undefined,
  });
}

export function selfHostedClusters(model: ClusterModel): SelfHostedCluster[] {
  return model.states.map((s) => s.cluster).filter((c): c is SelfHostedCluster => c.kind === 'self-hosted');
}

/** A certificate of the tree, chosen from a quick pick (none: says how to get one). */
export async function pickCertNode(tree: ClusterTree, placeholder: string): Promise<CertNode | undefined> {
  const nodes = tree.allCertNodes();
  if (nodes.length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('No certificates found: add a cluster or create a CA first.'));
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    nodes.map((n) => ({
      label: `${n.parent.state.cluster.name}: ${n.entry.certFile}${n.entry.certs.length > 1 ? ` (${n.index + 1} of ${n.entry.certs.length})` : ''}`,
      description: n.entry.usage,
      node: n,
    })),
    { placeHolder: placeholder },
  );
  return picked?.node;
}

/** Asks before replacing anything; true when nothing exists or the user agreed. */
export async function confirmReplace(paths: string[], verb = 'Replace'): Promise<boolean> {
  const existing = paths.filter((p) => existsSync(p));
  if (existing.length === 0) return true;
  const a = await vscode.window.showWarningMessage(
    `${verb} ${existing.map((p) => basename(p)).join(', ')}?`,
    { modal: true, detail: existing.join('\n') },
    verb,
  );
  return a === verb;
}
