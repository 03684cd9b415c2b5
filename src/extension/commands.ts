import * as vscode from 'vscode';
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, isAbsolute } from 'node:path';
import type { CreateResult } from '../core/certsdir/create';
import { CA_CERT, CLIENT_CA_CERT, NODE_CERT, NODE_KEY, clientCertName, clientKeyName } from '../core/certsdir/layout';
import { parseLifetime } from '../core/pki/duration';
import { hostProblem, normalizeUserName, userNameProblem } from '../core/pki/names';
import { UserError, errMessage } from '../core/errors';
import { Cluster, SelfHostedCluster, addClusterSetting, defaultCaKeyPath, resolvePath } from './clusters';
import { CANCEL, MultiStep, isButton } from './input';
import type { ClusterModel } from './model';
import type { CertNode, ClusterNode, ClusterTree, Node } from './tree';

const BROWSE: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('folder-opened'), tooltip: 'Browse…' };

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function inside(child: string, parent: string): boolean {
  const r = relative(parent, child);
  return r === '' || (!r.startsWith('..') && !isAbsolute(r));
}

function durationProblem(v: string): string | undefined {
  try {
    parseLifetime(v, 'Lifetime');
    return undefined;
  } catch (err) {
    return errMessage(err);
  }
}

/** A failed command: the UserError's sentence (it names the file and the fix) in the log and a notification. */
export function reportError(log: vscode.LogOutputChannel, title: string, err: unknown): void {
  const msg = err instanceof UserError ? err.message : `unexpected error: ${errMessage(err)}`;
  log.error(`${title}: ${msg}`);
  void vscode.window.showErrorMessage(msg);
}

export function requireTrust(action: string): boolean {
  if (vscode.workspace.isTrusted) return true;
  void vscode.window.showWarningMessage(`${action} writes files, which restricted mode does not allow: trust this workspace first (Workspaces: Manage Workspace Trust).`);
  return false;
}

interface Ctx {
  log: vscode.LogOutputChannel;
  model: ClusterModel;
  tree: ClusterTree;
}

async function issue(ctx: Ctx, title: string, work: () => Promise<CreateResult>): Promise<CreateResult | undefined> {
  try {
    const r = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `${title}…` }, work);
    for (const f of r.files) ctx.log.info(`${title}: wrote ${f.path} (${f.what}, mode 0${f.mode.toString(8)})`);
    ctx.log.info(`${title}: serial ${r.serial}, expires ${r.notAfter}${r.numCerts && r.numCerts > 1 ? `, ${r.numCerts} certificates in ${r.certPath}` : ''}`);
    ctx.model.relist();
    void vscode.window.showInformationMessage(`${title}: wrote ${r.files.map((f) => basename(f.path)).join(', ')}; expires ${r.notAfter.slice(0, 10)}.`);
    return r;
  } catch (err) {
    reportError(ctx.log, title, err);
    return undefined;
  }
}

/** Asks before replacing anything; true when nothing exists or the user agreed. */
async function confirmReplace(paths: string[], verb = 'Replace'): Promise<boolean> {
  const existing = paths.filter((p) => existsSync(p));
  if (existing.length === 0) return true;
  const a = await vscode.window.showWarningMessage(`${verb} ${existing.map((p) => basename(p)).join(', ')}?`, { modal: true, detail: existing.join('\n') }, verb);
  return a === verb;
}

/** The self-hosted cluster a command acts on: from the tree item, else picked (or a folder chosen). */
/** The self-hosted cluster of a tree item (a cluster, or one of its certificates or notes). */
export function nodeCluster(node: Node | undefined): SelfHostedCluster | undefined {
  const c = node?.type === 'cluster' ? node.state.cluster : node?.type === 'cert' || node?.type === 'info' ? node.parent.state.cluster : undefined;
  return c?.kind === 'self-hosted' ? c : undefined;
}

async function clusterStep(ctx: Ctx, node: Node | undefined, title: string, out: { cluster?: SelfHostedCluster }, total: number): Promise<(i: MultiStep) => Promise<void>> {
  const fromNode = nodeCluster(node);
  if (fromNode?.kind === 'self-hosted') out.cluster = fromNode;
  return async (input) => {
    if (fromNode) return;
    const clusters = ctx.model.states.map((s) => s.cluster).filter((c): c is SelfHostedCluster => c.kind === 'self-hosted');
    type Item = vscode.QuickPickItem & { cluster?: SelfHostedCluster };
    const items: Item[] = [
      ...clusters.map((c) => ({ label: c.name, description: vscode.workspace.asRelativePath(c.certsDir, false), cluster: c })),
      { label: '$(folder-opened) Choose a certs directory…' },
    ];
    const picked = await input.pick<Item>({ title, step: 1, totalSteps: total, placeholder: 'Cluster (certs directory)', items });
    if (isButton(picked)) return;
    if (picked.cluster) {
      out.cluster = picked.cluster;
      return;
    }
    const uri = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Use as certs directory', defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri });
    if (!uri?.[0]) throw CANCEL;
    out.cluster = { kind: 'self-hosted', name: basename(uri[0].fsPath), certsDir: uri[0].fsPath, source: 'workspace' };
  };
}

/** An input box step whose Browse… button fills the value from a file dialog. */
function pathStep(title: string, step: () => number, total: number, prompt: string, initial: () => string, validate: (v: string) => string | undefined, set: (v: string) => void, save: boolean) {
  return async (input: MultiStep) => {
    let value = initial();
    for (;;) {
      const r = await input.box({ title, step: step(), totalSteps: total, prompt, value, validate: (v) => validate(v.trim()), buttons: [BROWSE] });
      if (!isButton(r)) {
        set(resolvePath(r.trim()));
        return;
      }
      const uri = save
        ? await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.file(value || defaultCaKeyPath(process.cwd())), saveLabel: 'Use as CA key' })
        : (await vscode.window.showOpenDialog({ canSelectFiles: true, canSelectMany: false, defaultUri: value ? vscode.Uri.file(dirname(value)) : undefined, openLabel: 'Use this key' }))?.[0];
      if (uri) value = uri.fsPath;
    }
  };
}

function caKeyProblem(certsDir: string | undefined, mustExist: boolean) {
  return (v: string): string | undefined => {
    if (!v) return 'The CA key path is required.';
    const p = resolvePath(v);
    if (certsDir && inside(p, certsDir)) return 'Keep the CA key outside the certs directory (CockroachDB never loads it from there).';
    if (mustExist && !existsSync(p)) return `${p} does not exist: choose the key that signed the CA certificate.`;
    if (!mustExist && !isDir(dirname(p))) return `Folder ${dirname(p)} does not exist: create it first (mode 700).`;
    return undefined;
  };
}

async function createCaCommand(ctx: Ctx, node: Node | undefined, client: boolean): Promise<void> {
  const title = client ? 'Create Client CA' : 'Create CA';
  if (!requireTrust(title)) return;
  const st: { cluster?: SelfHostedCluster; caKey?: string; lifetime?: string } = {};
  const first = await clusterStep(ctx, node, title, st, 3);
  const offset = () => (nodeCluster(node) ? 0 : 1);
  const done = await MultiStep.run([
    first,
    pathStep(title, () => 1 + offset(), 2 + offset(), `Where the ${client ? 'client ' : ''}CA key is kept (outside the certs directory). An existing key is reused after you confirm.`,
      () => (client ? undefined : st.cluster?.caKey) ?? join(dirname(st.cluster?.certsDir ?? process.cwd()), 'my-safe-directory', client ? 'ca-client.key' : 'ca.key'),
      caKeyProblem(st.cluster?.certsDir, false), (v) => { st.caKey = v; }, true),
    async (input) => {
      const r = await input.box({ title, step: 2 + offset(), totalSteps: 2 + offset(), prompt: 'Lifetime (cockroach default 87840h, 10 years)', value: '87840h', validate: durationProblem });
      if (!isButton(r)) st.lifetime = r;
    },
  ], () => st);
  if (!done?.cluster || !done.caKey || !done.lifetime) return;
  const { cluster, caKey, lifetime } = done;
  const file = join(cluster.certsDir, client ? CLIENT_CA_CERT : CA_CERT);
  let overwrite = false;
  if (existsSync(file)) {
    const a = await vscode.window.showWarningMessage(`${basename(file)} exists. Put the new CA first and keep the current one after it (combined CA for rotation)?`, { modal: true }, 'Prepend New CA');
    if (a !== 'Prepend New CA') return;
    overwrite = true;
  }
  let allowKeyReuse = false;
  if (existsSync(caKey)) {
    const a = await vscode.window.showWarningMessage(`${caKey} exists. Sign the new CA certificate with this key?`, { modal: true }, 'Reuse Key');
    if (a !== 'Reuse Key') return;
    allowKeyReuse = true;
  }
  const core = await import('../core/certsdir/create');
  await issue(ctx, title, () => (client ? core.createClientCa : core.createCa)({ certsDir: cluster.certsDir, caKey, lifetimeMs: parseLifetime(lifetime, 'Lifetime'), overwrite, allowKeyReuse }));
}

function currentNodeHosts(ctx: Ctx, certsDir: string): string | undefined {
  const e = ctx.model.states.flatMap((s) => s.entries).find((x) => x.certPath === join(certsDir, NODE_CERT));
  return e?.sans ? [...e.sans.dns, ...e.sans.ip].join(' ') : undefined;
}

/** Arguments of Create Client Certificate when a quick fix starts it: the user and the certs dir are known. */
export interface ClientPreset {
  user?: string;
  certsDir?: string;
  /** Create Node Certificate: a host to add to the current node certificate's (hostname-mismatch fix). */
  addHost?: string;
}

function presetNode(ctx: Ctx, p: ClientPreset): Node | undefined {
  if (!p.certsDir) return undefined;
  const known = ctx.tree.getChildren().find((n) => n.type === 'cluster' && n.state.cluster.kind === 'self-hosted' && n.state.cluster.certsDir === p.certsDir);
  if (known) return known;
  const cluster: SelfHostedCluster = { kind: 'self-hosted', name: basename(p.certsDir), certsDir: p.certsDir, source: 'workspace' };
  return { type: 'cluster', id: `dir:${p.certsDir}`, state: { cluster, key: `dir:${p.certsDir}`, entries: [] } };
}

async function createLeafCommand(ctx: Ctx, arg: Node | ClientPreset | undefined, kind: 'node' | 'client'): Promise<void> {
  const title = kind === 'node' ? 'Create Node Certificate' : 'Create Client Certificate';
  if (!requireTrust(title)) return;
  const preset = arg && !('type' in arg) ? arg : undefined;
  const node = preset ? presetNode(ctx, preset) : (arg as Node | undefined);
  const st: { cluster?: SelfHostedCluster; hosts?: string[]; user?: string; pkcs8?: boolean; caKey?: string; lifetime?: string } = { user: preset?.user };
  const first = await clusterStep(ctx, node, title, st, kind === 'node' ? 4 : 5);
  const offset = nodeCluster(node) ? 0 : 1;
  const total = (kind === 'node' ? 3 : 4) + offset;
  const steps: ((i: MultiStep) => Promise<void>)[] = [first];
  let n = offset;
  if (kind === 'node') {
    const s = ++n;
    steps.push(async (input) => {
      const r = await input.box({
        title, step: s, totalSteps: total, prompt: 'Every DNS name and IP address clients and other nodes use for this node, separated by spaces',
        value: [(st.cluster && currentNodeHosts(ctx, st.cluster.certsDir)) ?? 'localhost 127.0.0.1', ...(preset?.addHost ? [preset.addHost] : [])]
          .join(' ').split(' ').filter((h, i, all) => h && all.indexOf(h) === i).join(' '),
        validate: (v) => {
          const hosts = v.split(/[\s,]+/).filter(Boolean);
          if (hosts.length === 0) return 'At least one host name or address is required.';
          for (const h of hosts) {
            const p = hostProblem(h);
            if (p) return `${h}: ${p}`;
          }
          return undefined;
        },
      });
      if (!isButton(r)) st.hosts = r.split(/[\s,]+/).filter(Boolean);
    });
  } else {
    const s1 = ++n;
    steps.push(async (input) => {
      const r = await input.box({
        title, step: s1, totalSteps: total, prompt: 'SQL user: the certificate CN, which CockroachDB maps to this user (case is folded)', value: st.user ?? '',
        validate: (v) => (v ? userNameProblem(normalizeUserName(v)) : 'A user name is required.'),
      });
      if (!isButton(r)) st.user = normalizeUserName(r);
    });
    const s2 = ++n;
    steps.push(async (input) => {
      const r = await input.pick({ title, step: s2, totalSteps: total, placeholder: 'Also write a PKCS#8 key (.key.pk8) for Java/JDBC?', items: [{ label: 'No' }, { label: 'Yes', description: 'client.<user>.key.pk8, DER PKCS#8' }] });
      if (!isButton(r)) st.pkcs8 = r.label === 'Yes';
    });
  }
  const s3 = ++n;
  const clientCa = () => kind === 'client' && !!st.cluster && existsSync(join(st.cluster.certsDir, CLIENT_CA_CERT));
  steps.push(pathStep(title, () => s3, total, `The ${clientCa() ? 'client CA key (ca-client.crt exists, so it signs client certificates)' : 'CA key that signed ca.crt'}`,
    () => (clientCa() ? '' : st.cluster?.caKey) ?? '', (v) => caKeyProblem(st.cluster?.certsDir, true)(v), (v) => { st.caKey = v; }, false));
  const s4 = ++n;
  steps.push(async (input) => {
    const r = await input.box({ title, step: s4, totalSteps: total, prompt: 'Lifetime (cockroach default 43920h, 5 years; at most the CA\'s)', value: '43920h', validate: durationProblem });
    if (!isButton(r)) st.lifetime = r;
  });
  const done = await MultiStep.run(steps, () => st);
  if (!done?.cluster || !done.caKey || !done.lifetime) return;
  const { cluster, caKey } = done;
  const lifetimeMs = parseLifetime(done.lifetime, 'Lifetime');
  const core = await import('../core/certsdir/create');
  if (kind === 'node') {
    if (!done.hosts || !(await confirmReplace([join(cluster.certsDir, NODE_CERT), join(cluster.certsDir, NODE_KEY)]))) return;
    await issue(ctx, title, () => core.createNode({ certsDir: cluster.certsDir, caKey, hosts: done.hosts ?? [], lifetimeMs, overwrite: true }));
  } else {
    const user = done.user;
    if (!user) return;
    const key = join(cluster.certsDir, clientKeyName(user));
    if (!(await confirmReplace([join(cluster.certsDir, clientCertName(user)), key, ...(done.pkcs8 ? [key + '.pk8'] : [])]))) return;
    await issue(ctx, title, () => core.createClient({ certsDir: cluster.certsDir, caKey, user, alsoGeneratePkcs8Key: done.pkcs8, lifetimeMs, overwrite: true }));
  }
}

async function addClusterCommand(ctx: Ctx): Promise<void> {
  const title = 'Add Cluster';
  const st: { kind?: 'self' | 'cloud'; certsDir?: string; name?: string; caKey?: string; clusterId?: string; host?: string; caCert?: string } = {};
  const done = await MultiStep.run([
    async (input) => {
      const r = await input.pick({ title, step: 1, totalSteps: 4, placeholder: 'What kind of cluster?', items: [
        { label: '$(database) Self-hosted', description: 'a certs directory (ca.crt, node.crt, client.*.crt)' },
        { label: '$(cloud) CockroachDB Cloud', description: 'cluster ID and host' },
      ] });
      if (!isButton(r)) st.kind = r.label.includes('Cloud') ? 'cloud' : 'self';
    },
    async (input) => {
      if (st.kind === 'self') {
        await pathStep(title, () => 2, 4, 'Certs directory (it is created by Create CA if missing)', () => st.certsDir ?? join(vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? process.cwd(), 'certs'),
          (v) => (v ? undefined : 'A folder is required.'), (v) => { st.certsDir = v; }, false)(input);
      } else {
        const r = await input.box({ title, step: 2, totalSteps: 4, prompt: 'Cloud cluster ID (from the Cloud Console URL or `ccloud cluster list`)', value: st.clusterId ?? '',
          validate: (v) => (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v.trim()) ? undefined : 'A cluster ID looks like 9e2b5c3a-1f4d-4c8e-9a7b-0123456789ab.') });
        if (!isButton(r)) st.clusterId = r.trim();
      }
    },
    async (input) => {
      if (st.kind === 'self') {
        const r = await input.box({ title, step: 3, totalSteps: 4, prompt: 'CA key path (optional: used to sign new certificates; kept outside the certs directory)', value: st.caKey ?? '',
          validate: (v) => (v && st.certsDir && inside(resolvePath(v), st.certsDir) ? 'Keep the CA key outside the certs directory.' : undefined) });
        if (!isButton(r)) st.caKey = r.trim() || undefined;
      } else {
        const r = await input.box({ title, step: 3, totalSteps: 4, prompt: 'SQL host (e.g. my-cluster-1234.abc.aws-us-east-1.cockroachlabs.cloud)', value: st.host ?? '',
          validate: (v) => (v.trim() && !hostProblem(v.trim()) ? undefined : 'A DNS host name is required.') });
        if (!isButton(r)) st.host = r.trim();
      }
    },
    async (input) => {
      const fallback = st.kind === 'self' ? basename(st.certsDir ?? 'cluster') : (st.host ?? 'cloud').split('.')[0];
      const r = await input.box({ title, step: 4, totalSteps: 4, prompt: 'Name shown in the sidebar', value: st.name ?? fallback, validate: (v) => (v.trim() ? undefined : 'A name is required.') });
      if (!isButton(r)) st.name = r.trim();
    },
  ], () => st);
  if (!done?.name) return;
  if (done.kind === 'self' && done.certsDir) await addClusterSetting({ name: done.name, certsDir: done.certsDir, ...(done.caKey ? { caKey: done.caKey } : {}) });
  else if (done.kind === 'cloud' && done.clusterId && done.host) await addClusterSetting({ name: done.name, clusterId: done.clusterId, host: done.host });
  ctx.log.info(`Add Cluster: ${done.name} saved in cockroachTls.clusters`);
  await ctx.model.reload(false);
}

async function pickCertNode(ctx: Ctx, placeholder: string): Promise<CertNode | undefined> {
  const nodes = ctx.tree.allCertNodes();
  if (nodes.length === 0) {
    void vscode.window.showInformationMessage('No certificates found: add a cluster or create a CA first.');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(nodes.map((n) => ({ label: `${n.parent.state.cluster.name}: ${n.entry.certFile}${n.entry.certs.length > 1 ? ` (${n.index + 1} of ${n.entry.certs.length})` : ''}`, description: n.entry.usage, node: n })), { placeHolder: placeholder });
  return picked?.node;
}

function certPathOf(arg: unknown): string | undefined {
  if (arg instanceof vscode.Uri) return arg.fsPath;
  const n = arg as Node | undefined;
  if (n?.type === 'cert') return n.entry.certPath;
  if (n?.type === 'cluster' && n.state.cluster.kind === 'self-hosted') return n.state.cluster.certsDir;
  return undefined;
}

export function registerCommands(context: vscode.ExtensionContext, ctx: Ctx): void {
  const reg = (id: string, fn: (...args: unknown[]) => unknown) => context.subscriptions.push(vscode.commands.registerCommand(id, fn));
  reg('cockroachTls.refresh', () => ctx.model.reload(true));
  reg('cockroachTls.addCluster', () => addClusterCommand(ctx));
  reg('cockroachTls.createCa', (n) => createCaCommand(ctx, n as Node | undefined, false));
  reg('cockroachTls.createClientCa', (n) => createCaCommand(ctx, n as Node | undefined, true));
  reg('cockroachTls.createNode', (n) => createLeafCommand(ctx, n as Node | ClientPreset | undefined, 'node'));
  reg('cockroachTls.createClient', (n) => createLeafCommand(ctx, n as Node | ClientPreset | undefined, 'client'));
  reg('cockroachTls.copyPath', async (n) => {
    const p = certPathOf(n) ?? (await pickCertNode(ctx, 'Certificate whose path to copy'))?.entry.certPath;
    if (!p) return;
    await vscode.env.clipboard.writeText(p);
    vscode.window.setStatusBarMessage(`Copied ${p}`, 3000);
  });
  reg('cockroachTls.revealInExplorer', async (n) => {
    const p = certPathOf(n) ?? (await pickCertNode(ctx, 'Certificate to reveal'))?.entry.certPath;
    if (!p) return;
    const uri = vscode.Uri.file(p);
    if (vscode.workspace.getWorkspaceFolder(uri)) await vscode.commands.executeCommand('revealInExplorer', uri);
    else await vscode.commands.executeCommand('revealFileInOS', uri);
  });
  reg('cockroachTls.inspectCertificate', async (n) => {
    let node = (n as Node | undefined)?.type === 'cert' ? (n as CertNode) : undefined;
    if (!node && n instanceof vscode.Uri) node = ctx.tree.allCertNodes().find((c) => c.entry.certPath === n.fsPath && c.index === 0);
    const path = node?.entry.certPath ?? (n instanceof vscode.Uri ? n.fsPath : (await pickCertNode(ctx, 'Certificate to inspect'))?.entry.certPath);
    if (!path) return;
    const uri = vscode.Uri.from({ scheme: INSPECT_SCHEME, path: `${path}.txt`, query: new URLSearchParams({ path, usage: node?.entry.usage ?? '', cluster: node?.parent.id ?? '' }).toString() });
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc, { preview: true });
  });
}

export const INSPECT_SCHEME = 'cockroach-tls-inspect';

export type { ClusterNode, Cluster };
