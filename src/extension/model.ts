import * as vscode from 'vscode';
import { existsSync, statSync } from 'node:fs';
import { FileCache } from '../core/cache';
import { CertEntry, listCertFile, listCertsDir } from '../core/certsdir/list';
import { UserError, errMessage } from '../core/errors';
import { Cluster, clusterKey, clustersFromSettings, discoverCertsDirs } from './clusters';
import { settings } from './config';
import { cloudCaUrl } from '../core/cockroach/cloud';

export interface ClusterState {
  cluster: Cluster;
  key: string;
  entries: CertEntry[];
  /** Why the cluster could not be listed (missing dir...), a sentence with the fix. */
  problem?: string;
}

/** Clusters and their certificates, listed through one file cache so that unchanged files are not read again. */
export class ClusterModel implements vscode.Disposable {
  private readonly cache = new FileCache();
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;
  private clusters: Cluster[] = [];
  states: ClusterState[] = [];
  private discovered: Cluster[] = [];
  /** Settings and workspace clusters; then the Cloud API's (setApiClusters) not among them. */
  private base: Cluster[] = [];
  private api: Cluster[] = [];

  constructor(private readonly log: vscode.LogOutputChannel) {}

  get fileReads(): number {
    return this.cache.reads;
  }

  /** Re-reads settings and, when asked, searches the workspace for certs dirs again. */
  async reload(rediscover: boolean, token?: vscode.CancellationToken): Promise<void> {
    const configured = clustersFromSettings(this.log);
    if (rediscover) {
      const enabled = settings().discoverCertsDirs;
      try {
        this.discovered = enabled ? await discoverCertsDirs(new Set(configured.map(clusterKey)), token) : [];
      } catch (err) {
        this.log.warn(`searching the workspace for certs dirs failed: ${errMessage(err)}`);
      }
    }
    const keys = new Set(configured.map(clusterKey));
    this.base = [...configured, ...this.discovered.filter((c) => !keys.has(clusterKey(c)))];
    this.merge();
    this.relist();
  }

  /** The Cloud clusters the API lists (cloud/account.ts), shown after the others. */
  setApiClusters(api: Cluster[]): void {
    this.api = api;
    this.merge();
    this.relist();
  }

  private merge(): void {
    const keys = new Set(this.base.map(clusterKey));
    this.clusters = [...this.base, ...this.api.filter((c) => !keys.has(clusterKey(c)))];
  }

  /** Lists every cluster again (cheap: the cache skips unchanged files) and notifies listeners. */
  relist(): void {
    const now = new Date();
    const t = settings().expiryThresholds;
    const opts = {
      now,
      cache: this.cache,
      gid: process.getgid?.(),
      skipPermissionChecks: process.platform === 'win32' || process.env.COCKROACH_SKIP_KEY_PERMISSION_CHECK === 'true',
      thresholds: t,
    };
    this.states = this.clusters.map((cluster) => {
      const key = clusterKey(cluster);
      try {
        if (cluster.kind === 'cloud') {
          if (!cluster.caCert) return { cluster, key, entries: [] };
          if (!existsSync(cluster.caCert))
            return {
              cluster,
              key,
              entries: [],
              problem: `CA certificate ${cluster.caCert} not found: download the cluster CA (${cloudCaUrl(cluster.clusterId)}) or fix caCert.`,
            };
          return { cluster, key, entries: [listCertFile(cluster.caCert, 'CA', opts)] };
        }
        return { cluster, key, entries: listCertsDir(cluster.certsDir, opts) };
      } catch (err) {
        return { cluster, key, entries: [], problem: err instanceof UserError ? err.message : errMessage(err) };
      }
    });
    const paths = new Set(this.states.flatMap((s) => s.entries.flatMap((e) => [e.certPath, e.keyPath ?? ''])));
    this.cache.retainOnly((p) => paths.has(p));
    this.emitter.fire();
  }

  selfHostedDirs(): string[] {
    return this.clusters.flatMap((c) => (c.kind === 'self-hosted' && isDir(c.certsDir) ? [c.certsDir] : []));
  }

  dispose(): void {
    this.emitter.dispose();
  }
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
