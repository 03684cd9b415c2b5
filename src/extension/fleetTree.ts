/**
 * The Fleets part of the tree: every inventory file of the workspace (the names of INVENTORY_GLOB)
 * with its nodes, read from the file only (no SSH: it works in restricted mode too), and what the
 * last Fleet Status or rotation of this window saw on each node. The fleet commands take a fleet or
 * one of its nodes from the tree as their inventory.
 */
import * as vscode from 'vscode';
import type { FleetNode, FleetReport, FleetStatus, NodeStatus } from '../core/fleet';
import { expiryPhrase } from '../core/cockroach/expiry';
import { UserError, errMessage } from '../core/errors';
import { Health, healthColor } from './certView';
import { INVENTORY_GLOB } from './fleet';

export interface FleetRoot {
  type: 'fleet';
  id: string;
  /** The inventory file (absolute). */
  file: string;
  label: string;
  knownHostsFile?: string;
  members: FleetMember[];
  /** Why the inventory cannot be used, as the core says it (names the file and the fix). */
  problem?: string;
}

/** What this window last learned of a node over SSH: a Fleet Status, or a rotation's report. */
export type MemberSeen =
  { kind: 'status'; status: NodeStatus; at: Date } | { kind: 'run'; command: string; status: string; servedSerial?: string; cause?: string; at: Date };

export interface FleetMember {
  type: 'fleetNode';
  id: string;
  parent: FleetRoot;
  node: FleetNode;
  seen?: MemberSeen;
}

export class FleetInventories implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;
  roots: FleetRoot[] = [];
  /** inventory file → node name → what was seen (kept across re-reads of the file). */
  private readonly seen = new Map<string, Map<string, MemberSeen>>();
  private readonly watcher: vscode.FileSystemWatcher;
  private loading: Promise<void> | undefined;
  private again = false;

  constructor(private readonly log: vscode.LogOutputChannel) {
    this.watcher = vscode.workspace.createFileSystemWatcher(INVENTORY_GLOB);
    const reload = () => void this.refresh();
    this.watcher.onDidChange(reload);
    this.watcher.onDidCreate(reload);
    this.watcher.onDidDelete(reload);
  }

  /** Reads every inventory file of the workspace again (one read at a time; a call during a read reads once more after it). */
  refresh(): Promise<void> {
    if (this.loading) {
      this.again = true;
      return this.loading;
    }
    this.loading = (async () => {
      do {
        this.again = false;
        await this.load();
      } while (this.again);
    })().finally(() => (this.loading = undefined));
    return this.loading;
  }

  private async load(): Promise<void> {
    const files = (await vscode.workspace.findFiles(INVENTORY_GLOB, '**/node_modules/**', 50)).map((u) => u.fsPath).sort();
    // The fleet core (and its YAML reader) loads only when the workspace has an inventory.
    const core = files.length ? await import('../core/fleet') : undefined;
    const roots: FleetRoot[] = [];
    for (const file of files) {
      const root: FleetRoot = { type: 'fleet', id: `fleet:${file}`, file, label: vscode.workspace.asRelativePath(file, false), members: [] };
      try {
        const inv = core!.loadInventory(file);
        root.knownHostsFile = inv.knownHostsFile;
        const seen = this.seen.get(file);
        root.members = inv.nodes.map((node) => ({ type: 'fleetNode', id: `${root.id}|${node.name}`, parent: root, node, seen: seen?.get(node.name) }));
      } catch (err) {
        root.problem = err instanceof UserError ? err.message : `unexpected error: ${errMessage(err)}`;
        this.log.warn(`Fleets: ${root.problem}`);
      }
      roots.push(root);
    }
    this.roots = roots;
    this.emitter.fire();
  }

  find(file: string): FleetRoot | undefined {
    return this.roots.find((r) => r.file === file);
  }

  private note(file: string, name: string, s: MemberSeen): void {
    let m = this.seen.get(file);
    if (!m) this.seen.set(file, (m = new Map()));
    m.set(name, s);
    const member = this.find(file)?.members.find((x) => x.node.name === name);
    if (member) member.seen = s;
  }

  /** After Fleet Status: each node's files and what it serves. */
  noteStatus(s: FleetStatus): void {
    const at = new Date();
    for (const n of s.nodes) this.note(s.inventory, n.name, { kind: 'status', status: n, at });
    this.changed(s.inventory);
  }

  /** After a rotation or a CA distribution: each node's outcome. */
  noteReport(inventory: string, r: FleetReport): void {
    const at = new Date();
    for (const n of r.nodes)
      this.note(inventory, n.name, { kind: 'run', command: r.command, status: n.status, servedSerial: n.servedSerial, cause: n.cause, at });
    this.changed(inventory);
  }

  /** Redraws; an inventory of the workspace that a command used but the tree has not listed yet (its file event not seen yet) is read first. */
  private changed(inventory: string): void {
    const inWorkspace = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(inventory)) !== undefined;
    if (inWorkspace && !this.find(inventory)) void this.refresh();
    else this.emitter.fire();
  }

  dispose(): void {
    this.watcher.dispose();
    this.emitter.dispose();
  }
}

/** A node's health, in the tree's colours for certificates (certView.ts); undefined: not checked yet. */
type Tone = Extract<Health, 'ok' | 'warning' | 'problem'> | undefined;

/** The description, tone and tooltip lines of a node from what was last seen of it. */
export function memberView(m: FleetMember, now: Date): { description: string; tone: Tone; lines: string[] } {
  const n = m.node;
  const base = [`ssh ${n.ssh}`, `certs dir ${n.certsDir}`, `SANs ${n.hosts.join(', ')}`, `serves SQL on ${n.verify}`, `reload: ${n.reload}`];
  const s = m.seen;
  if (!s) return { description: `ssh ${n.ssh}`, tone: undefined, lines: [...base, '', 'Not checked in this window: run Fleet Status.'] };
  const when = `(${s.kind === 'status' ? 'Fleet Status' : `fleet ${s.command}`} at ${s.at.toLocaleTimeString()})`;
  if (s.kind === 'run') {
    // A rollback's success is a node restored; a rotation's "restored" is a failure put right.
    const ok = s.status === 'done' || s.status === 'already-done' || (s.command === 'rollback' && s.status === 'restored');
    const description = ok
      ? `${s.command === 'rotate-node' ? 'rotated' : s.command === 'rollback' ? 'rolled back' : 'CA distributed'}${s.servedSerial ? `: serves serial ${s.servedSerial}` : ''}`
      : s.status === 'skipped'
        ? 'not started (the run stopped)'
        : `${s.status}: ${s.cause ?? ''}`;
    return { description, tone: ok ? 'ok' : s.status === 'skipped' ? 'warning' : 'problem', lines: [...base, '', `${description} ${when}`] };
  }
  const st = s.status;
  if (st.error) return { description: `unreachable: ${st.error}`, tone: 'problem', lines: [...base, '', `${st.error} ${when}`] };
  const nodeCrt = st.files.find((f) => f.file === 'node.crt');
  const expiry = nodeCrt?.notAfter ? expiryPhrase(new Date(0), new Date(nodeCrt.notAfter), now) : undefined;
  const lines = [
    ...base,
    '',
    `Seen ${when}:`,
    ...st.files.map((f) => `${f.file}: ${f.missing ? 'missing' : f.serial ? `serial ${f.serial}, expires ${f.notAfter?.slice(0, 10)}` : 'present'}`),
  ];
  const sv = st.served;
  if (sv)
    lines.push(
      sv.error
        ? `serves: nothing (${sv.error})`
        : `serves: serial ${sv.serial}${sv.notAfter ? `, ${expiryPhrase(new Date(0), new Date(sv.notAfter), now)} (${sv.notAfter.slice(0, 10)})` : ''}${sv.expired ? '' : sv.chainsToCa === false ? ', does NOT chain to the CA' : sv.chainsToCa ? ', chains to the CA' : ''}`,
    );
  lines.push(...st.mismatches.map((x) => `problem: ${x}`));
  if (st.mismatches.length)
    return { description: `${st.mismatches.length} problem${st.mismatches.length > 1 ? 's' : ''}: ${st.mismatches[0]}`, tone: 'problem', lines };
  const expiring = nodeCrt?.status === 'expiring' || nodeCrt?.status === 'expired';
  return { description: `ok: serves serial ${st.served?.serial ?? '?'}${expiry ? `, node.crt ${expiry}` : ''}`, tone: expiring ? 'warning' : 'ok', lines };
}

/** The tree items of a fleet and its nodes. */
export function fleetTreeItem(node: FleetRoot | FleetMember, now = new Date()): vscode.TreeItem {
  if (node.type === 'fleet') {
    const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.Expanded);
    item.id = node.id;
    item.contextValue = node.problem ? 'fleet.invalid' : 'fleet';
    item.iconPath = new vscode.ThemeIcon('server-environment', node.problem ? healthColor('problem') : undefined);
    item.description = node.problem ?? `fleet · ${node.members.length} node${node.members.length === 1 ? '' : 's'}`;
    item.tooltip = node.problem
      ? `${node.file}\n${node.problem}`
      : `Fleet inventory ${node.file}${node.knownHostsFile ? `\nknown hosts ${node.knownHostsFile}` : ''}`;
    return item;
  }
  const v = memberView(node, now);
  const item = new vscode.TreeItem(node.node.name, vscode.TreeItemCollapsibleState.None);
  item.id = node.id;
  item.contextValue = 'fleetNode';
  item.description = v.description;
  item.tooltip = v.lines.join('\n');
  item.iconPath = new vscode.ThemeIcon(v.tone === 'problem' ? 'error' : 'server', v.tone ? healthColor(v.tone) : undefined);
  return item;
}
