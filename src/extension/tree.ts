import * as vscode from 'vscode';
import type { CertEntry } from '../core/certsdir/list';
import type { CertDetails } from '../core/pki/inspect';
import { Cluster } from './clusters';
import { ClusterModel, ClusterState } from './model';
import { settings } from './config';
import { certIcon, certTooltip, expiryText, healthOf, md } from './certView';
import { SELF_HOSTED_CA_SUBJECT, cloudCaUrl } from '../core/cockroach/cloud';
import { signingCaFile } from '../core/cockroach/layout';
import { FleetMember, FleetRoot, fleetTreeItem } from './fleetTree';

export interface ClusterNode {
  type: 'cluster';
  id: string;
  state: ClusterState;
}

export interface CertNode {
  type: 'cert';
  id: string;
  parent: ClusterNode;
  entry: CertEntry;
  /** Position in the file (a CA bundle holds several certificates). */
  index: number;
  cert?: CertDetails;
}

export interface InfoNode {
  type: 'info';
  id: string;
  parent: ClusterNode;
  label: string;
  description?: string;
  icon: string;
  tooltip?: string;
}

export type Node = ClusterNode | CertNode | InfoNode | FleetRoot | FleetMember;

/** The fleets of the workspace (fleetTree.ts): set by activate. */
export interface FleetTreeHooks {
  roots(): FleetRoot[];
}

/** What the Cloud account adds to Cloud clusters (cloud/treeItems.ts): set by activate. */
export interface CloudTreeHooks {
  children(parent: ClusterNode): InfoNode[];
  contextValue(clusterId: string): string | undefined;
}

const USAGE_KEY: Record<string, string> = {
  CA: 'ca',
  'Client CA': 'clientCa',
  'UI CA': 'uiCa',
  'Tenant Client CA': 'tenantCa',
  Node: 'node',
  UI: 'ui',
  Client: 'client',
  'Tenant Client': 'tenantClient',
  Unknown: 'unknown',
};

function certLabel(e: CertEntry, index: number): string {
  const base = e.usage === 'Client' ? `Client: ${e.name ?? e.certFile}` : e.usage === 'Unknown' ? e.certFile : e.usage;
  return e.certs.length > 1 ? `${base} (${index + 1} of ${e.certs.length})` : base;
}

function sameName(a: Record<string, string>, b: Record<string, string>): boolean {
  const norm = (d: Record<string, string>) => JSON.stringify(Object.entries(d).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)));
  return norm(a) === norm(b);
}

function dnText(d: Record<string, string>): string {
  return Object.entries(d)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
}

/**
 * The issuer an item shows: a certificate not issued in the name of the cluster's CA (the first
 * certificate of the CA file that must sign it), or one from another CA than cockroach's and
 * crdb-tls's (O=Cockroach, CN=Cockroach CA: a corporate CA, Vault, cert-manager). Roots name themselves.
 */
export function issuerNote(state: ClusterState, entry: CertEntry, cert: CertDetails | undefined): { short: string; line: string } | undefined {
  if (!cert || cert.selfSigned) return undefined;
  const name = cert.issuer.CN ?? dnText(cert.issuer);
  const caFile = entry.chain?.caFile ?? signingCaFile(entry.usage, (n) => state.entries.some((e) => e.certFile === n));
  const ca = caFile ? state.entries.find((e) => e.certFile === caFile)?.certs[0] : undefined;
  if (ca && !sameName(ca.subject, cert.issuer))
    return {
      short: vscode.l10n.t('issuer: {0}, not the cluster CA', name),
      line: vscode.l10n.t('**Issued by {0}**, not by the cluster CA of {1} ({2}).', md(dnText(cert.issuer)), md(caFile ?? ''), md(dnText(ca.subject))),
    };
  if (!sameName(cert.issuer, SELF_HOSTED_CA_SUBJECT))
    return { short: vscode.l10n.t('issuer: {0}', name), line: vscode.l10n.t('**Issued by {0}** (not a CockroachDB-made CA).', md(dnText(cert.issuer))) };
  return undefined;
}

/** The sidebar: clusters, then their CA bundle (one item per certificate), client CA, node, UI and clients. */
export class ClusterTree implements vscode.TreeDataProvider<Node> {
  private readonly emitter = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private roots: ClusterNode[] = [];
  private children = new Map<string, Node[]>();
  cloud: CloudTreeHooks | undefined;
  fleets: FleetTreeHooks | undefined;

  constructor(private readonly model: ClusterModel) {
    model.onDidChange(() => this.rebuild());
    this.rebuild();
  }

  private rebuild(): void {
    this.children.clear();
    this.roots = this.model.states.map((state) => ({ type: 'cluster', id: state.key, state }));
    for (const root of this.roots) this.children.set(root.id, this.childrenOf(root));
    this.emitter.fire(undefined);
  }

  private childrenOf(parent: ClusterNode): Node[] {
    const { state } = parent;
    const out: Node[] = [];
    const c: Cluster = state.cluster;
    if (c.kind === 'cloud') {
      out.push({ type: 'info', id: `${parent.id}|host`, parent, label: 'Host', description: c.host, icon: 'globe' });
      out.push({ type: 'info', id: `${parent.id}|id`, parent, label: 'Cluster ID', description: c.clusterId, icon: 'symbol-key' });
      out.push(...(this.cloud?.children(parent) ?? []));
      if (!c.caCert && c.source === 'settings')
        out.push({
          type: 'info',
          id: `${parent.id}|noca`,
          parent,
          label: 'No cluster CA on this machine',
          description: 'set caCert',
          icon: 'info',
          tooltip: `Download ${cloudCaUrl(c.clusterId)} and set caCert in cockroachTls.clusters.`,
        });
    }
    if (state.problem) out.push({ type: 'info', id: `${parent.id}|problem`, parent, label: state.problem, icon: 'warning', tooltip: state.problem });
    for (const entry of state.entries) {
      const n = Math.max(1, entry.certs.length);
      for (let index = 0; index < n; index++) {
        out.push({ type: 'cert', id: `${parent.id}|${entry.certPath}|${index}`, parent, entry, index, cert: entry.certs[index] });
      }
    }
    if (c.kind === 'self-hosted' && !state.problem && state.entries.length === 0) {
      out.push({ type: 'info', id: `${parent.id}|empty`, parent, label: 'No certificates yet', description: 'Create CA…', icon: 'info' });
    }
    return out;
  }

  getChildren(node?: Node): Node[] {
    if (!node) return [...this.roots, ...(this.fleets?.roots() ?? [])];
    return node.type === 'cluster' ? (this.children.get(node.id) ?? []) : node.type === 'fleet' ? node.members : [];
  }

  getParent(node: Node): Node | undefined {
    return node.type === 'cluster' || node.type === 'fleet' ? undefined : node.parent;
  }

  /** Redraws the tree (the fleets changed). */
  refreshFleets(): void {
    this.emitter.fire(undefined);
  }

  /** The live node for an id (after a rebuild, reveal needs the current object). */
  find(id: string): Node | undefined {
    for (const r of this.roots) {
      if (r.id === id) return r;
      const hit = this.children.get(r.id)?.find((n) => n.id === id);
      if (hit) return hit;
    }
    for (const f of this.fleets?.roots() ?? []) {
      if (f.id === id) return f;
      const hit = f.members.find((m) => m.id === id);
      if (hit) return hit;
    }
    return undefined;
  }

  allCertNodes(): CertNode[] {
    return this.roots.flatMap((r) => (this.children.get(r.id) ?? []).filter((n): n is CertNode => n.type === 'cert'));
  }

  getTreeItem(node: Node): vscode.TreeItem {
    const now = new Date();
    if (node.type === 'fleet' || node.type === 'fleetNode') return fleetTreeItem(node, now);
    if (node.type === 'cluster') {
      const c = node.state.cluster;
      const item = new vscode.TreeItem(c.name, vscode.TreeItemCollapsibleState.Expanded);
      item.id = node.id;
      item.contextValue = c.kind === 'cloud' ? (this.cloud?.contextValue(c.clusterId) ?? 'cluster.cloud') : `cluster.selfHosted.${c.source}`;
      item.iconPath = new vscode.ThemeIcon(c.kind === 'cloud' ? 'cloud' : 'database');
      item.description =
        c.kind === 'cloud'
          ? c.source === 'api'
            ? 'CockroachDB Cloud (API)'
            : 'CockroachDB Cloud'
          : c.source === 'workspace'
            ? 'found in the workspace'
            : vscode.workspace.asRelativePath(c.certsDir, false);
      const tip = new vscode.MarkdownString(undefined, false);
      tip.appendMarkdown(`**${md(c.name)}**\n\n`);
      if (c.kind === 'cloud') tip.appendMarkdown(`Cloud cluster \`${c.clusterId.replace(/`/g, '')}\` at ${md(c.host)}`);
      else
        tip.appendMarkdown(
          `Self-hosted certs dir ${md(c.certsDir)}${c.caKey ? `\n\nCA key ${md(c.caKey)}` : ''}${c.source === 'workspace' ? '\n\nFound in the workspace.' : ''}`,
        );
      item.tooltip = tip;
      return item;
    }
    if (node.type === 'info') {
      const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
      item.id = node.id;
      item.description = node.description;
      item.iconPath = new vscode.ThemeIcon(node.icon);
      item.tooltip = node.tooltip;
      item.contextValue = 'info';
      return item;
    }
    const { entry, index, cert } = node;
    // The file's problems belong to its first certificate (the one CockroachDB uses).
    const errors = index === 0 ? entry.errors : [];
    const warnings = index === 0 ? entry.warnings : [];
    const health = healthOf(entry.usage, cert, errors, now, settings().expiryThresholds);
    const item = new vscode.TreeItem(certLabel(entry, index), vscode.TreeItemCollapsibleState.None);
    item.id = node.id;
    const issuer = issuerNote(node.parent.state, entry, cert);
    const parts = [cert ? expiryText(cert, now) : 'unreadable'];
    if (errors.length) parts.push(`${errors.length} problem${errors.length > 1 ? 's' : ''}`);
    if (warnings.length) parts.push(`${warnings.length} warning${warnings.length > 1 ? 's' : ''}`);
    if (issuer) parts.push(issuer.short);
    if (entry.certs.length > 1 && index > 0) parts.push('old CA, still trusted');
    item.description = parts.join(' · ');
    item.iconPath = certIcon(entry.usage, health === 'ok' && warnings.length > 0 ? 'warning' : health);
    item.tooltip = withIssuerAndWarnings(certTooltip(entry, cert, index, now), issuer?.line, warnings);
    item.contextValue = `cert.${USAGE_KEY[entry.usage] ?? 'unknown'}${entry.keyPath ? '.withKey' : ''}`;
    item.resourceUri = vscode.Uri.file(entry.certPath);
    item.command = { command: 'cockroachTls.inspectCertificate', title: vscode.l10n.t('Inspect Certificate'), arguments: [node] };
    return item;
  }

  dispose(): void {
    this.emitter.dispose();
  }
}

/** certView's tooltip, with the issuer line after its heading and the warnings after its problems. */
function withIssuerAndWarnings(tip: vscode.MarkdownString, issuerLine: string | undefined, warnings: string[]): vscode.MarkdownString {
  if (!issuerLine && warnings.length === 0) return tip;
  const at = tip.value.indexOf('\n\n');
  const head = at >= 0 ? tip.value.slice(0, at + 2) : `${tip.value}\n\n`;
  const rest = at >= 0 ? tip.value.slice(at + 2) : '';
  const m = new vscode.MarkdownString(undefined, false);
  m.isTrusted = false;
  m.supportHtml = false;
  m.appendMarkdown(head + (issuerLine ? `${issuerLine}\n\n` : '') + rest);
  if (warnings.length) {
    m.appendMarkdown(`\n**${md(vscode.l10n.t('Warnings'))}**\n\n`);
    for (const w of warnings) m.appendMarkdown(`- ${md(w)}\n`);
  }
  return m;
}
