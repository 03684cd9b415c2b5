/**
 * The Cloud account: the API key in SecretStorage (never in settings), the server from
 * `cockroachTls.cloud.server` or COCKROACH_SERVER, and the organization's clusters as the tree
 * shows them. No request in a restricted workspace (trust.ts); the cloud core is loaded lazily.
 */
import * as vscode from 'vscode';
import { homedir } from 'node:os';
import type { CaEntry, ClientCaStatus, CloudClient, CloudCluster, ListedCluster, LocalCaState } from '../../core/cloud';
import { UserError, errMessage } from '../../core/errors';
import { SECTION, Settings } from '../settings';
import { isTrusted } from '../trust';

export const SECRET_KEY = 'cockroachTls.cloud.apiKey';
const CA_FILES_KEY = 'cockroachTls.cloud.caFiles';
const DEFAULT_SERVER = 'https://cockroachlabs.cloud';
/** The palette title of the command that stores the key (package.json: category + %command.setCloudApiKey.title%). */
export const SET_KEY_COMMAND = 'CockroachDB TLS: Set Cloud API Key';

/** A cluster of the organization with what the tree shows about it. */
export interface CloudInfo {
  cluster: CloudCluster;
  clientCa?: { status: ClientCaStatus; cas: CaEntry[] };
  /** The cluster CA file on this machine and how it compares with the cluster's CA. */
  localCa: { file: string; state: LocalCaState };
  /** Why part of it could not be read (a sentence with the fix). */
  problem?: string;
}

export class CloudAccount implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;
  infos: CloudInfo[] = [];
  /** Why the list could not be read, shown in the tree. */
  problem: string | undefined;
  private hasKey = false;
  private refreshing: Promise<void> | undefined;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
  ) {
    context.subscriptions.push(
      context.secrets.onDidChange((e) => {
        if (e.key === SECRET_KEY) void this.refresh();
      }),
    );
  }

  /** The server: the setting when it is set, else COCKROACH_SERVER, else the Cloud. Checked by the core (https, or http on loopback). */
  async server(): Promise<string> {
    const cfg = vscode.workspace.getConfiguration(SECTION);
    // What the user set, not the contributed default; a restricted workspace's own value is not used
    // (restrictedConfigurations): it could point the key at any host.
    const trusted = isTrusted();
    const set = new Settings((k) => {
      const i = cfg.inspect(k);
      return trusted ? (i?.workspaceFolderValue ?? i?.workspaceValue ?? i?.globalValue) : i?.globalValue;
    }).cloudServer;
    const raw = set || process.env.COCKROACH_SERVER?.trim() || DEFAULT_SERVER;
    const { cloudConfig } = await import('../../core/cloud');
    return cloudConfig({ COCKROACH_SERVER: raw }).server;
  }

  key(): Thenable<string | undefined> {
    return this.context.secrets.get(SECRET_KEY);
  }

  async storeKey(key: string): Promise<void> {
    await this.context.secrets.store(SECRET_KEY, key.trim());
  }

  async clearKey(): Promise<void> {
    await this.context.secrets.delete(SECRET_KEY);
  }

  /** A client for the API (the caller has checked trust). Throws the UserError saying how to set the key. */
  async client(signal?: AbortSignal): Promise<CloudClient> {
    const apiKey = await this.key();
    if (!apiKey) throw new UserError(`no Cloud API key is set: run "${SET_KEY_COMMAND}" with the key of a service account first.`);
    const { CloudClient } = await import('../../core/cloud');
    return new CloudClient({ server: await this.server(), apiKey, keySource: { kind: 'command', title: SET_KEY_COMMAND }, ...(signal ? { signal } : {}) });
  }

  /** Where saved client CA bundles go: the CLI's folder in the user's config dir, so `crdb-tls cloud client-ca rollback` undoes an editor change too. */
  async historyDir(): Promise<string> {
    const { defaultHistoryDir } = await import('../../core/cloud');
    return defaultHistoryDir(process.env, process.platform, homedir());
  }

  /** The file a cluster's CA was downloaded to, else libpq's default root.crt. */
  async caFile(clusterId: string): Promise<string> {
    const files = this.context.globalState.get<Record<string, string>>(CA_FILES_KEY) ?? {};
    if (files[clusterId]) return files[clusterId];
    const { defaultCaCertPath } = await import('../../core/cloud');
    return defaultCaCertPath(process.env, process.platform, homedir());
  }

  async rememberCaFile(clusterId: string, file: string): Promise<void> {
    const files = this.context.globalState.get<Record<string, string>>(CA_FILES_KEY) ?? {};
    await this.context.globalState.update(CA_FILES_KEY, { ...files, [clusterId]: file });
  }

  find(id: string): CloudInfo | undefined {
    return this.infos.find((i) => i.cluster.id === id);
  }

  /** Lists the organization's clusters again (nothing without a key or in a restricted workspace). */
  refresh(): Promise<void> {
    this.refreshing ??= this.load().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async load(): Promise<void> {
    const key = await this.key();
    this.hasKey = !!key;
    if (!key || !isTrusted()) {
      this.infos = [];
      this.problem = key ? 'Cloud clusters are not listed in restricted mode (it would connect to the Cloud API): trust this workspace.' : undefined;
      this.emitter.fire();
      return;
    }
    const core = await import('../../core/cloud');
    try {
      const client = await this.client();
      const now = new Date();
      const out: CloudInfo[] = [];
      for (const listed of await core.listClustersWithClientCa(client)) out.push(await this.describe(core, client, listed, now));
      this.infos = out;
      this.problem = undefined;
      this.log.info(`Cloud: ${out.length} cluster(s) at ${client.server}`);
    } catch (err) {
      this.infos = [];
      this.problem = core.redactKey(err instanceof UserError ? err.message : `unexpected error: ${errMessage(err)}`, key);
      this.log.error(`Cloud: ${this.problem}`);
    }
    this.emitter.fire();
  }

  /** What the tree shows of a listed cluster: the client CA the list read (no request again), and the local CA file against the cluster's CA. */
  private async describe(core: typeof import('../../core/cloud'), client: CloudClient, listed: ListedCluster, now: Date): Promise<CloudInfo> {
    const { cluster } = listed;
    const file = await this.caFile(cluster.id);
    const info: CloudInfo = { cluster, localCa: { file, state: 'unknown' } };
    if (listed.clientCa) info.clientCa = { status: listed.clientCa.status, cas: core.parseBundleEntries(listed.clientCa.x509_pem_cert, now) };
    try {
      const pem = await client.clusterCaPem(cluster);
      const fps = core.parseBundleEntries(pem, now).map((e) => e.fingerprintSha256);
      info.localCa.state = core.localCaState(file, fps);
    } catch (err) {
      info.problem = errMessage(err);
    }
    return info;
  }

  get keySet(): boolean {
    return this.hasKey;
  }

  dispose(): void {
    this.emitter.dispose();
  }
}
