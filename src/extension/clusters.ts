import * as vscode from 'vscode';
import { settings, updateSetting } from './config';
import type { ClusterSetting } from './settings';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { homedir } from 'node:os';

export interface SelfHostedCluster {
  kind: 'self-hosted';
  name: string;
  certsDir: string;
  caKey?: string;
  source: 'settings' | 'workspace';
}

export interface CloudCluster {
  kind: 'cloud';
  name: string;
  clusterId: string;
  host: string;
  caCert?: string;
  /** settings: cockroachTls.clusters; api: listed by the Cloud API (cloud/account.ts). */
  source: 'settings' | 'api';
}

export type Cluster = SelfHostedCluster | CloudCluster;

export type { ClusterSetting };

/** Resolves ~, ${workspaceFolder} and relative paths (against the first workspace folder). */
export function resolvePath(p: string): string {
  const ws = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  let out = p.replace(/^~(?=$|[\\/])/, homedir()).replace(/\$\{workspaceFolder\}/g, ws ?? '');
  if (!isAbsolute(out)) out = resolve(ws ?? process.cwd(), out);
  return out;
}

export function clusterKey(c: Cluster): string {
  return c.kind === 'cloud' ? `cloud:${c.clusterId}` : `dir:${c.certsDir}`;
}

/** Clusters from `cockroachTls.clusters`; entries that are neither kind are reported, not guessed. */
export function clustersFromSettings(log: vscode.LogOutputChannel): Cluster[] {
  const raw = settings().clusters;
  const out: Cluster[] = [];
  for (const [i, c] of raw.entries()) {
    if (c && typeof c.certsDir === 'string' && c.certsDir) {
      out.push({
        kind: 'self-hosted',
        name: c.name || c.certsDir,
        certsDir: resolvePath(c.certsDir),
        caKey: c.caKey ? resolvePath(c.caKey) : undefined,
        source: 'settings',
      });
    } else if (c && typeof c.clusterId === 'string' && typeof c.host === 'string') {
      out.push({
        kind: 'cloud',
        name: c.name || c.host,
        clusterId: c.clusterId,
        host: c.host,
        caCert: c.caCert ? resolvePath(c.caCert) : undefined,
        source: 'settings',
      });
    } else {
      log.warn(`cockroachTls.clusters[${i}] is neither self-hosted {name, certsDir} nor Cloud {name, clusterId, host}: ignored.`);
    }
  }
  return out;
}

const CERT_GLOB = '**/{ca.crt,ca-client.crt,node.crt,client.*.crt}';
const EXCLUDE = '**/{node_modules,.git,dist,out,.vscode-test}/**';

/** Folders in the workspace holding ca.crt, node.crt or client.*.crt, not already configured. */
export async function discoverCertsDirs(known: Set<string>, token?: vscode.CancellationToken): Promise<SelfHostedCluster[]> {
  const files = await vscode.workspace.findFiles(CERT_GLOB, EXCLUDE, 2000, token);
  const dirs = [...new Set(files.map((f) => dirname(f.fsPath)))].filter((d) => !known.has(`dir:${d}`)).sort();
  return dirs.map((d) => ({
    kind: 'self-hosted',
    name: vscode.workspace.asRelativePath(d, (vscode.workspace.workspaceFolders?.length ?? 0) > 1),
    certsDir: d,
    source: 'workspace',
  }));
}

export const CERT_WATCH_GLOB = CERT_GLOB;

/** Adds a cluster to the settings (workspace when a folder is open, else user). */
export async function addClusterSetting(setting: ClusterSetting): Promise<void> {
  await updateSetting('clusters', [...settings().clusters, setting]);
}

export function defaultCaKeyPath(certsDir: string): string {
  return join(dirname(certsDir), 'my-safe-directory', 'ca.key');
}
