/** Commands on one certificate file: copy its path, reveal it, inspect it. */
import * as vscode from 'vscode';
import { INSPECT_SCHEME } from './inspect';
import { VIEWER_TYPE, ViewerHints } from './viewer/provider';
import type { CertNode, ClusterTree, Node } from './tree';
import { pickCertNode } from './ui';

/** The file a command acts on: a file from the explorer, a certificate (or a self-hosted cluster's dir) from the tree. */
function certPathOf(arg: unknown): string | undefined {
  if (arg instanceof vscode.Uri) return arg.fsPath;
  const n = arg as Node | undefined;
  if (n?.type === 'cert') return n.entry.certPath;
  if (n?.type === 'cluster' && n.state.cluster.kind === 'self-hosted') return n.state.cluster.certsDir;
  return undefined;
}

export async function copyPath(tree: ClusterTree, arg: unknown): Promise<void> {
  const p = certPathOf(arg) ?? (await pickCertNode(tree, 'Certificate whose path to copy'))?.entry.certPath;
  if (!p) return;
  await vscode.env.clipboard.writeText(p);
  vscode.window.setStatusBarMessage(`Copied ${p}`, 3000);
}

export async function revealInExplorer(tree: ClusterTree, arg: unknown): Promise<void> {
  const p = certPathOf(arg) ?? (await pickCertNode(tree, 'Certificate to reveal'))?.entry.certPath;
  if (!p) return;
  const uri = vscode.Uri.file(p);
  if (vscode.workspace.getWorkspaceFolder(uri)) await vscode.commands.executeCommand('revealInExplorer', uri);
  else await vscode.commands.executeCommand('revealFileInOS', uri);
}

/** Opens the openssl-style report (inspect.ts) of a certificate as a read-only text document. */
export async function openInspectReport(path: string, usage?: string, cluster?: string): Promise<void> {
  const uri = vscode.Uri.from({
    scheme: INSPECT_SCHEME,
    path: `${path}.txt`,
    query: new URLSearchParams({ path, usage: usage ?? '', cluster: cluster ?? '' }).toString(),
  });
  const doc = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(doc, { preview: true });
}

/** Opens the certificate viewer (viewer/provider.ts) on a certificate, with what the tree knows of it. */
export async function inspectCertificate(tree: ClusterTree, viewer: ViewerHints, arg: unknown): Promise<void> {
  let node = (arg as Node | undefined)?.type === 'cert' ? (arg as CertNode) : undefined;
  if (!node && arg instanceof vscode.Uri) node = tree.allCertNodes().find((c) => c.entry.certPath === arg.fsPath && c.index === 0);
  const path = node?.entry.certPath ?? (arg instanceof vscode.Uri ? arg.fsPath : (await pickCertNode(tree, 'Certificate to inspect'))?.entry.certPath);
  if (!path) return;
  const cluster = node?.parent.state.cluster;
  viewer.set(path, { usage: node?.entry.usage, certsDir: cluster?.kind === 'self-hosted' ? cluster.certsDir : undefined });
  await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(path), VIEWER_TYPE);
}
