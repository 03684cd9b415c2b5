/**
 * Commands on Cloud clusters: the API key, Download CA Certificate, Show/Set/Add/Remove/Delete
 * Client CA (the core's plan, shown for confirmation, then applied with --wait's polling), Copy
 * Connection String and Test Connection. Every request needs a trusted workspace; long ones show
 * progress and can be cancelled. The rules are the core's (src/core/cloud).
 */
import * as vscode from 'vscode';
import type { ClientCaChange, ClientCaPlan, CloudClient } from '../../core/cloud';
import { UserError } from '../../core/errors';
import type { Node } from '../tree';
import { requireTrust } from '../trust';
import { UiContext, nodeState, reportError, runCommand, selfHostedClusters } from '../ui';
import { confirmation } from '../rotate';
import { settings } from '../config';
import type { CloudAccount, CloudInfo } from './account';
import { askPick, askText } from './ask';

export type Core = typeof import('../../core/cloud');

export interface CloudCtx extends UiContext {
  cloud: CloudAccount;
}

const WAIT_TIMEOUT_MS = 10 * 60_000;

export function pollIntervalMs(): number {
  return settings().cloudPollIntervalMs;
}

/** The Cloud cluster of a tree item, else one picked from the API's list. */
export async function pickCloud(ctx: CloudCtx, node: Node | undefined, title: string, advancedOnly = false): Promise<CloudInfo | undefined> {
  const c = nodeState(node)?.cluster;
  if (c?.kind === 'cloud') {
    const info = ctx.cloud.find(c.clusterId);
    if (info) return info;
  }
  await ctx.cloud.refresh();
  const all = ctx.cloud.infos.filter((i) => !advancedOnly || i.cluster.plan === 'ADVANCED');
  if (all.length === 0) {
    void vscode.window.showInformationMessage(
      vscode.l10n.t(
        '{0}: no {1}Cloud cluster listed{2}; set a Cloud API key first (Set Cloud API Key).',
        title,
        advancedOnly ? 'Advanced ' : '',
        ctx.cloud.problem ? ` (${ctx.cloud.problem})` : '',
      ),
    );
    return undefined;
  }
  const pick = await askPick(
    title,
    'Cloud cluster',
    all.map((i) => ({ label: i.cluster.name, description: `${i.cluster.plan} · ${i.cluster.id}`, i })),
  );
  return pick?.i;
}

/** Runs `fn` with a client under a cancellable progress notification; errors are reported (they never hold the key). */
export async function withCloud<T>(
  ctx: CloudCtx,
  title: string,
  fn: (client: CloudClient, core: Core, progress: vscode.Progress<{ message?: string }>, signal: AbortSignal) => Promise<T>,
): Promise<T | undefined> {
  try {
    const core = await import('../../core/cloud');
    return await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `${title}…`, cancellable: true },
      async (progress, token) => {
        const ac = new AbortController();
        token.onCancellationRequested(() => ac.abort());
        return fn(await ctx.cloud.client(ac.signal), core, progress, ac.signal);
      },
    );
  } catch (err) {
    if ((err as Error)?.name === 'AbortError') {
      ctx.log.info(`${title}: cancelled`);
      return undefined;
    }
    reportError(ctx.log, title, err);
    return undefined;
  }
}

export async function setApiKey(ctx: CloudCtx): Promise<void> {
  const key = await askText(
    'Set Cloud API Key',
    'The API key of a Cloud service account (role Cluster Admin or Cluster Operator Writer). It is kept in the editor’s secret storage, never in settings.',
    '',
    (v) => (!v.trim() ? 'The key is required.' : /^[\x21-\x7e]+$/.test(v.trim()) ? undefined : 'The key holds spaces or control characters.'),
    true,
  );
  if (!key) return;
  await ctx.cloud.storeKey(key);
  ctx.log.info('Cloud API key stored in secret storage');
  await ctx.cloud.refresh();
  void vscode.window.showInformationMessage(vscode.l10n.t('Cloud API key stored in secret storage: {0} Cloud cluster(s) listed.', ctx.cloud.infos.length));
}

export async function clearApiKey(ctx: CloudCtx): Promise<void> {
  await ctx.cloud.clearKey();
  ctx.log.info('Cloud API key removed from secret storage');
  await ctx.cloud.refresh();
  void vscode.window.showInformationMessage(vscode.l10n.t('Cloud API key removed: Cloud clusters from the API are no longer listed.'));
}

export async function downloadCaCert(ctx: CloudCtx, node: Node | undefined): Promise<string | undefined> {
  const title = vscode.l10n.t('Download CA Certificate');
  if (!requireTrust(title, 'network') || !requireTrust(title, 'write')) return undefined;
  const info = await pickCloud(ctx, node, title);
  if (!info) return undefined;
  const file = await askText(title, `Where to save the CA certificate of ${info.cluster.name} (libpq's default is root.crt)`, info.localCa.file);
  if (!file) return undefined;
  const ref = { id: info.cluster.id, name: info.cluster.name };
  const dry = await withCloud(ctx, title, (client, core) =>
    core.downloadCaCert({ client, cluster: ref, file, overwrite: true, dryRun: true, now: new Date() }),
  );
  if (!dry) return undefined;
  if (
    dry.action === 'would-replace' &&
    !(await confirmation.ask(`Replace ${file}`, [`${file} holds a different CA.`, `It is backed up first to ${dry.backup}.`]))
  )
    return undefined;
  const r = await withCloud(ctx, title, (client, core) =>
    core.downloadCaCert({ client, cluster: ref, file, overwrite: dry.action === 'would-replace', now: new Date() }),
  );
  if (!r) return undefined;
  await ctx.cloud.rememberCaFile(info.cluster.id, file);
  for (const w of r.warnings) ctx.log.warn(`${title}: ${w}`);
  ctx.log.info(`${title}: ${r.action} ${file}${r.backup ? ` (backup ${r.backup})` : ''}`);
  void vscode.window.showInformationMessage(
    vscode.l10n.t('CA certificate of {0}: {1} {2}{3}.', info.cluster.name, r.action, file, r.backup ? ` (old file backed up to ${r.backup})` : ''),
  );
  await ctx.cloud.refresh();
  return file;
}

export async function showClientCa(ctx: CloudCtx, node: Node | undefined): Promise<void> {
  const title = vscode.l10n.t('Show Client CA');
  if (!requireTrust(title, 'network')) return;
  const info = await pickCloud(ctx, node, title, true);
  if (!info) return;
  const v = await withCloud(ctx, title, (client, core) => core.showClientCa(client, info.cluster.id, new Date()));
  if (!v) return;
  ctx.log.info(`Client CA of ${info.cluster.name}: ${v.status}`);
  for (const e of v.cas) ctx.log.info(`  ${e.subject}  ${e.statusText}  ${e.fingerprintSha256}`);
  ctx.log.show(true);
  await ctx.cloud.refresh();
}

/** The lines of a plan shown for confirmation. */
export function planLines(p: ClientCaPlan): string[] {
  return [
    p.summary,
    ...p.added.map((e) => `+ ${e.subject} (${e.statusText}) ${e.fingerprintSha256}`),
    ...p.removed.map((e) => `- ${e.subject} (${e.statusText}) ${e.fingerprintSha256}`),
    ...p.after.map((e) => `after: ${e.subject} (${e.statusText})`),
    ...p.warnings.map((w) => `warning: ${w}`),
    p.request ? `then wait for ${p.waitFor} (cancellable; the change goes on in the Cloud).` : '',
  ].filter(Boolean);
}

/** Plans a change (GETs only, every guard), shows it, applies it and waits for it. True when applied. */
export async function planAndApply(ctx: CloudCtx, title: string, info: CloudInfo, change: ClientCaChange, extraDirs: string[] = []): Promise<boolean> {
  const certsDirs = [...new Set([...extraDirs, ...selfHostedClusters(ctx.model).map((c) => c.certsDir)])];
  const historyDir = await ctx.cloud.historyDir();
  const plan = await withCloud(ctx, title, (client, core) =>
    core.planClientCaChange({ client, cluster: info.cluster.id, change, certsDirs, historyDir, now: new Date() }),
  );
  if (!plan) return false;
  const lines = planLines(plan);
  ctx.log.info(`${title}: plan\n  ${lines.join('\n  ')}`);
  if (!plan.request) {
    void vscode.window.showInformationMessage(`${title}: ${plan.summary}`);
    return true;
  }
  if (!(await confirmation.ask(title, lines))) return false;
  const r = await withCloud(ctx, title, (client, core, progress, signal) =>
    core.applyClientCaPlan(plan, {
      client,
      historyDir,
      now: new Date(),
      command: `client-ca ${change.kind} ${info.cluster.name} (editor)`,
      wait: {
        timeoutMs: WAIT_TIMEOUT_MS,
        intervalMs: pollIntervalMs(),
        signal,
        onProgress: (p) => progress.report({ message: `${p.status} (check ${p.attempt})` }),
      },
    }),
  );
  await ctx.cloud.refresh();
  if (!r) return false;
  ctx.log.info(`${title}: ${r.status}${r.saved ? `; previous bundle saved as ${r.saved.id}` : ''}`);
  void vscode.window.showInformationMessage(
    vscode.l10n.t('{0}: the client CA of {1} is {2} ({3} CA{4}).', title, info.cluster.name, r.status, r.cas.length, r.cas.length === 1 ? '' : 's'),
  );
  return true;
}

export async function changeClientCa(ctx: CloudCtx, node: Node | undefined, kind: 'set' | 'add' | 'remove' | 'delete'): Promise<boolean | undefined> {
  const title = { set: 'Set Client CA', add: 'Add Client CA', remove: 'Remove Client CA', delete: 'Delete Client CA' }[kind];
  if (!requireTrust(title, 'network') || !requireTrust(title, 'write')) return undefined;
  const info = await pickCloud(ctx, node, title, true);
  if (!info) return undefined;
  let change: ClientCaChange;
  if (kind === 'set' || kind === 'add') {
    const certFile = await askText(title, 'The client CA certificate file to upload (PEM, e.g. ca-client.crt; never its key)', '');
    if (!certFile) return false;
    change = { kind, certFile };
  } else if (kind === 'remove') {
    const cas = info.clientCa?.cas ?? [];
    if (cas.length === 0) {
      reportError(ctx.log, title, new UserError(`cluster ${info.cluster.name} has no client CA to remove (${info.clientCa?.status ?? 'unknown'}).`));
      return false;
    }
    const pick = await askPick(
      title,
      'The CA to drop from the bundle',
      cas.map((e) => ({ label: e.subject, description: e.statusText, detail: e.fingerprintSha256, e })),
    );
    if (!pick) return false;
    change = { kind, fingerprint: pick.e.fingerprintSha256 };
  } else change = { kind: 'delete' };
  return planAndApply(ctx, title, info, change);
}

/**
 * The API's connection string with the CA to trust (the core's cloudConnectionUrl: the local CA file
 * only when it holds this cluster's CA, sslrootcert=system on Basic and Standard) and, when given, a
 * client certificate. `note` says why the local file is not named, when it is not.
 */
export async function cloudUrl(
  ctx: CloudCtx,
  info: CloudInfo,
  client?: { user: string; cert: string; key: string },
): Promise<{ url: string; note?: string } | undefined> {
  const r = await withCloud(ctx, 'Connection String', (c, core) =>
    c.connectionString({ id: info.cluster.id, name: info.cluster.name }, client ? { sqlUser: client.user } : {}).then((api) =>
      core.cloudConnectionUrl({
        apiUrl: api.connection_string,
        plan: info.cluster.plan,
        localCa: info.localCa,
        ...(client ? { client: { cert: client.cert, key: client.key } } : {}),
      }),
    ),
  );
  if (!r) return undefined;
  if (r.note) ctx.log.info(`Connection string of ${info.cluster.name}: ${r.note}`);
  return { url: r.url, ...(r.note ? { note: r.note } : {}) };
}

export async function copyConnectionString(ctx: CloudCtx, node: Node | undefined): Promise<string | undefined> {
  const title = vscode.l10n.t('Copy Connection String');
  if (!requireTrust(title, 'network')) return undefined;
  const info = await pickCloud(ctx, node, title);
  if (!info) return undefined;
  const r = await cloudUrl(ctx, info);
  if (!r) return undefined;
  await vscode.env.clipboard.writeText(r.url);
  void vscode.window.showInformationMessage(vscode.l10n.t('Copied the connection string of {0}.', info.cluster.name) + (r.note ? ` ${r.note}` : ''));
  return r.url;
}

/** Test Connection with the cluster's URL (the troubleshoot command does the test). */
export async function testCloudConnection(ctx: CloudCtx, node: Node | undefined, client?: { user: string; cert: string; key: string }): Promise<unknown> {
  const title = vscode.l10n.t('Test Connection');
  if (!requireTrust(title, 'network')) return undefined;
  const info = await pickCloud(ctx, node, title);
  if (!info) return undefined;
  const r = await cloudUrl(ctx, info, client);
  if (!r) return undefined;
  const edited = await askText(title, `The connection string to test (${info.cluster.name})${r.note ? `. ${r.note}` : ''}`, r.url);
  return edited ? runCommand('cockroachTls.testConnection', { url: edited }) : undefined;
}
