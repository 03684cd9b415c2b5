/**
 * Fleet commands (glue over src/core/fleet, imported lazily): Fleet Status as a read-only report,
 * Rotate Node Certificates and Distribute CA with the plan (each node's reload command included)
 * for confirmation, progress per node in a cancellable notification, and the node-by-node report
 * in the log. Every one of them logs in to other machines over SSH: refused in restricted mode.
 */
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FleetDeps, FleetPlan, FleetProgress, FleetReport, FleetStatus, Inventory } from '../core/fleet';
import { spanText } from '../core/cockroach/expiry';
import { resolvePath } from './clusters';
import { CANCEL, MultiStep, isButton } from './input';
import { confirmation } from './rotate';
import type { ResultDocuments } from './troubleshoot/results';
import type { FleetInventories, FleetMember, FleetRoot } from './fleetTree';
import { requireTrust } from './trust';
import { UiContext, reportError } from './ui';
import { pathStep } from './wizards/shared';

type Fleet = typeof import('../core/fleet');

export interface FleetCtx extends UiContext {
  results: ResultDocuments;
  fleets: FleetInventories;
}

/** Inventory files the commands offer (the same names as package.json's yamlValidation). */
export const INVENTORY_GLOB = '**/{*.fleet.yaml,*.fleet.yml,crdb-tls-fleet.yaml,crdb-tls-fleet.yml}';

/** What a command may be given instead of asking: an inventory file (Explorer) or all its files (tests, other extensions). */
export interface FleetPreset {
  inventory?: string;
  caCert?: string;
  caKey?: string;
}

function presetOf(arg: unknown): FleetPreset {
  if (arg instanceof vscode.Uri) return { inventory: arg.fsPath };
  // A fleet, or one of its nodes, from the tree.
  const t = arg as Partial<FleetRoot | FleetMember> | undefined;
  if (t?.type === 'fleet') return { inventory: (t as FleetRoot).file };
  if (t?.type === 'fleetNode') return { inventory: (t as FleetMember).parent.file };
  if (typeof arg === 'object' && arg !== null && !('type' in arg)) {
    const o = arg as Record<string, unknown>;
    const s = (k: string) => (typeof o[k] === 'string' ? (o[k] as string) : undefined);
    return { inventory: s('inventory'), caCert: s('caCert'), caKey: s('caKey') };
  }
  return {};
}

const fileCheck = (x: string, what: string) =>
  !x.trim() ? `${what} is required.` : existsSync(resolvePath(x.trim())) ? undefined : `${resolvePath(x.trim())} does not exist.`;

/** The first of `names` that exists beside the inventory (or in its safe/ folder), as a default. */
function beside(inventory: string, names: string[]): string {
  for (const n of names) {
    const p = join(dirname(inventory), n);
    if (existsSync(p)) return p;
  }
  return '';
}

/** Asks for the inventory (workspace files first), then the CA certificate and, for a rotation, the CA key. */
async function askFiles(title: string, preset: FleetPreset, want: { caCert: boolean; caKey: boolean }): Promise<Required<FleetPreset> | undefined> {
  let inventory = preset.inventory ? resolvePath(preset.inventory) : '';
  let caCert = preset.caCert ? resolvePath(preset.caCert) : '';
  let caKey = preset.caKey ? resolvePath(preset.caKey) : '';
  const found = inventory ? [] : (await vscode.workspace.findFiles(INVENTORY_GLOB, '**/node_modules/**', 50)).map((u) => u.fsPath).sort();
  const steps: ((input: MultiStep) => Promise<void>)[] = [];
  const total = (inventory ? 0 : 1) + (want.caCert && !caCert ? 1 : 0) + (want.caKey && !caKey ? 1 : 0);
  let n = 0;
  if (!inventory) {
    const step = ++n;
    steps.push(async (input) => {
      const other = { label: '$(folder-opened) Enter the path of an inventory file…', path: '' };
      const items = [...found.map((p) => ({ label: vscode.workspace.asRelativePath(p), description: p, path: p })), other];
      const r = found.length
        ? await input.pick({ title, step, totalSteps: total, placeholder: vscode.l10n.t('Fleet inventory (YAML: the nodes, their SSH and certs dirs)'), items })
        : other;
      if (isButton(r)) return;
      if (r.path) {
        inventory = r.path;
        return;
      }
      const typed = await input.box({
        title,
        step,
        totalSteps: total,
        prompt: vscode.l10n.t('The fleet inventory file (e.g. prod.fleet.yaml; see "crdb-tls fleet --help")'),
        validate: (x) => fileCheck(x, 'The inventory path'),
      });
      if (!isButton(typed)) inventory = resolvePath(typed.trim());
    });
  }
  /** A file step with its default found beside the inventory. */
  const fileStep = (prompt: string, names: string[], what: string, set: (v: string) => void) => {
    const step = ++n;
    steps.push(
      pathStep(
        title,
        () => step,
        total,
        prompt,
        () => beside(inventory, names),
        (x) => fileCheck(x, what),
        set,
        false,
      ),
    );
  };
  if (want.caCert && !caCert)
    fileStep(
      want.caKey
        ? vscode.l10n.t('The CA certificate that signs the new node certificates (its first certificate)')
        : vscode.l10n.t("The CA file to push as every node's ca.crt (the combined ca.crt of Rotate CA)"),
      ['ca.crt', 'certs/ca.crt'],
      'The CA certificate path',
      (v) => (caCert = v),
    );
  if (want.caKey && !caKey)
    fileStep(
      vscode.l10n.t('The CA key (it stays on this machine: the certificates are issued here)'),
      ['ca.key', 'safe/ca.key'],
      'The CA key path',
      (v) => (caKey = v),
    );
  const done = await MultiStep.run(steps, () => true);
  if (!done || !inventory) return undefined;
  return { inventory, caCert, caKey };
}

function deps(core: Fleet, inv: Inventory): FleetDeps {
  return { transport: core.systemSshTransport({ knownHostsFile: inv.knownHostsFile, identityFile: inv.sshIdentityFile }) };
}

const STEP_WORDS: Record<FleetProgress['step'], string> = {
  connect: 'checking its host key and files',
  issue: 'issuing its certificate',
  upload: 'uploading',
  backup: 'backing up its files',
  rename: 'putting the new files in place',
  reload: 'reloading',
  verify: 'probing what it serves',
  restore: 'RESTORING its previous files',
};

/** The node-by-node report, one line each, for the log. */
export function reportLines(r: FleetReport): string[] {
  return [
    ...r.nodes.map((n) =>
      [
        `${n.name}: ${n.status}`,
        n.step ? ` at ${n.step}` : '',
        n.oldSerial ? `, was serial ${n.oldSerial}` : '',
        (n.servedSerial ?? n.newSerial) ? `, serves serial ${n.servedSerial ?? n.newSerial}` : '',
        n.restoredByteForByte === undefined ? '' : n.restoredByteForByte ? ', restored byte for byte' : ', NOT restored byte for byte',
        n.cause ? `: ${n.cause}` : '',
      ].join(''),
    ),
    ...r.messages.map((m) => `note: ${m}`),
  ];
}

/** "4 y 11 mo left", "12 d left", "3 d ago": a day count as the editor words spans (spanText). */
function left(days: number | undefined): string {
  if (days === undefined) return '';
  return days < 0 ? `${spanText(Math.max(1, -days))} ago` : `${spanText(days)} left`;
}

/** Fleet Status as a text report: each node's files, what it serves, and every mismatch with its fix. */
export function statusReport(s: FleetStatus): string {
  const out = [`Fleet status of ${s.inventory}: ${s.ok ? 'every node is fine' : 'some nodes need attention'}`, ''];
  for (const n of s.nodes) {
    out.push(`${n.name}  (ssh ${n.ssh}, serves on ${n.verify})`);
    if (n.error) out.push(`  cannot read it: ${n.error}`);
    for (const f of n.files) {
      if (f.missing) out.push(`  ${f.file}: missing`);
      else if (f.serial)
        out.push(
          `  ${f.file}: serial ${f.serial}, expires ${f.notAfter?.slice(0, 10)} (${left(f.daysLeft)}, ${f.status})${f.chainsToCa === false ? ', does NOT chain to the CA' : ''}`,
        );
      else if (!n.error) out.push(`  ${f.file}: present`);
    }
    if (n.served)
      out.push(
        n.served.error
          ? `  serves: nothing (${n.served.error})`
          : `  serves: serial ${n.served.serial}${n.served.notAfter ? `, expires ${n.served.notAfter.slice(0, 10)} (${left(n.served.daysLeft)})` : ''}${n.served.expired ? ', EXPIRED' : n.served.chainsToCa === false ? ', does NOT chain to the CA' : n.served.chainsToCa ? ', chains to the CA' : ''}`,
      );
    for (const m of n.mismatches) out.push(`  problem: ${m}`);
    if (!n.error && n.mismatches.length === 0) out.push('  ok');
    out.push('');
  }
  return out.join('\n');
}

const STATUS = 'Fleet Status';
const ROTATE = 'Fleet: Rotate Node Certificates';
const DISTRIBUTE = 'Fleet: Distribute CA';
const ROLLBACK = 'Fleet: Roll Back Last Run';

/** Fleet Status: reads every node over SSH and probes it; nothing is changed. Returns the status (tests). */
export async function fleetStatusCommand(ctx: FleetCtx, arg: unknown): Promise<FleetStatus | undefined> {
  const files = await gateAndAsk(STATUS, arg, { caCert: false, caKey: false });
  if (!files) return undefined;
  const core = await import('../core/fleet');
  try {
    const inv = core.loadInventory(files.inventory);
    const s = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: vscode.l10n.t('{0}: reading {1} node(s) over SSH…', STATUS, inv.nodes.length),
        cancellable: true,
      },
      (_p, token) => {
        const abort = new AbortController();
        token.onCancellationRequested(() => abort.abort());
        return core.fleetStatus(inv, { ...deps(core, inv), signal: abort.signal });
      },
    );
    ctx.log.info(`${STATUS} of ${inv.file}: ${s.ok ? 'ok' : 'problems'}`);
    ctx.fleets.noteStatus(s);
    await ctx.results.show('fleet-status', statusReport(s));
    return s;
  } catch (err) {
    reportError(ctx.log, STATUS, err);
    return undefined;
  }
}

/** Shows the plan, runs it node by node with a cancellable progress notification, and logs the report. */
async function confirmAndRun(ctx: FleetCtx, title: string, core: Fleet, inv: Inventory, plan: FleetPlan): Promise<FleetReport | undefined> {
  const lines = core.fleetPlanLines(plan);
  ctx.log.info(`${title}: plan\n  ${lines.join('\n  ')}`);
  if (!(await confirmation.ask(plan.resumes ? `${title} (resume the interrupted run ${plan.resumes})` : title, lines))) return undefined;
  const r = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `${title}`, cancellable: true },
    async (progress, token) => {
      const abort = new AbortController();
      token.onCancellationRequested(() => {
        ctx.log.warn(`${title}: cancelled; the node at work is restored and no other node is started`);
        abort.abort();
      });
      const per = 100 / plan.nodes.length;
      return core.runFleetPlan(plan, {
        ...deps(core, inv),
        signal: abort.signal,
        onProgress: (p) => {
          const line = `${p.node}: ${p.step} ${p.phase === 'start' ? '…' : p.phase}${p.message ? ` (${p.message})` : ''}`;
          if (p.phase === 'failed') ctx.log.warn(`${title}: ${line}`);
          else ctx.log.info(`${title}: ${line}`);
          if (p.phase === 'start') progress.report({ message: `${p.node}: ${STEP_WORDS[p.step]}…` });
          if (p.phase === 'done' && p.step === 'verify') progress.report({ increment: per, message: `${p.node}: done` });
        },
      });
    },
  );
  const done = r.nodes.filter((n) => n.status === 'done' || n.status === 'already-done').length;
  finishRun(
    ctx,
    title,
    inv,
    r,
    r.ok
      ? `${title}: ${done} of ${plan.nodes.length} node(s) done and verified.`
      : `${title} stopped: ${r.error ?? 'see the log'} (${done} node(s) done stay done; undo them with "${ROLLBACK}").`,
  );
  return r;
}

/** The trust gate, then the files asked for (or given): undefined when refused or cancelled. */
async function gateAndAsk(title: string, arg: unknown, want: { caCert: boolean; caKey: boolean }): Promise<Required<FleetPreset> | undefined> {
  if (!requireTrust(title, 'ssh')) return undefined;
  try {
    return await askFiles(title, presetOf(arg), want);
  } catch (err) {
    if (err === CANCEL) return undefined;
    throw err;
  }
}

/** A run's end: the node-by-node report in the log, the tree's nodes updated, one notification (Show Log). */
function finishRun(ctx: FleetCtx, title: string, inv: Inventory, r: FleetReport, message: string): void {
  ctx.log.info(`${title}: report (run ${r.runId})`);
  ctx.fleets.noteReport(inv.file, r);
  for (const l of reportLines(r)) (r.ok ? ctx.log.info : ctx.log.error).call(ctx.log, `  ${l}`);
  const say = r.ok ? vscode.window.showInformationMessage : vscode.window.showErrorMessage;
  void say(message, 'Show Log').then((a) => {
    if (a) ctx.log.show(true);
  });
}

async function runCommand(
  ctx: FleetCtx,
  title: string,
  arg: unknown,
  want: { caCert: boolean; caKey: boolean },
  make: (core: Fleet, inv: Inventory, f: Required<FleetPreset>) => FleetPlan,
): Promise<FleetReport | undefined> {
  const files = await gateAndAsk(title, arg, want);
  if (!files) return undefined;
  const core = await import('../core/fleet');
  try {
    const inv = core.loadInventory(files.inventory);
    return await confirmAndRun(ctx, title, core, inv, make(core, inv, files));
  } catch (err) {
    reportError(ctx.log, title, err);
    return undefined;
  }
}

/** Rotate Node Certificates: a new node certificate for every node of the inventory, one node at a time. */
export function fleetRotateNode(ctx: FleetCtx, arg: unknown): Promise<FleetReport | undefined> {
  return runCommand(ctx, ROTATE, arg, { caCert: true, caKey: true }, (core, inventory, f) =>
    core.planFleetRotateNode({ inventory, caCert: f.caCert, caKey: f.caKey }),
  );
}

/** Distribute CA: the (combined) CA file pushed to every node as its ca.crt, each node reloaded and checked. */
export function fleetDistributeCa(ctx: FleetCtx, arg: unknown): Promise<FleetReport | undefined> {
  return runCommand(ctx, DISTRIBUTE, arg, { caCert: true, caKey: false }, (core, inventory, f) => core.planFleetDistributeCa({ inventory, caCert: f.caCert }));
}

/**
 * Roll Back Last Run: the run in the inventory's journal undone on every node it changed (each
 * node's backup of that run copied back byte for byte, reload, probe), after a confirmation that
 * names the run and its nodes. Not cancellable: a node is never left half-restored.
 */
export async function fleetRollback(ctx: FleetCtx, arg: unknown): Promise<FleetReport | undefined> {
  const files = await gateAndAsk(ROLLBACK, arg, { caCert: false, caKey: false });
  if (!files) return undefined;
  const core = await import('../core/fleet');
  try {
    const inv = core.loadInventory(files.inventory);
    const journalPath = core.defaultJournalPath(inv.file);
    const j = core.readJournal(journalPath, new Set(inv.nodes.map((n) => n.name)));
    if (!j) {
      void vscode.window.showInformationMessage(vscode.l10n.t('{0}: no fleet run to roll back for {1}.', ROLLBACK, inv.file));
      return undefined;
    }
    if (j.state === 'rolled-back') {
      void vscode.window.showInformationMessage(vscode.l10n.t('{0}: the run {1} is rolled back already.', ROLLBACK, j.runId));
      return undefined;
    }
    const lines = core.rollbackPlanLines(inv, j);
    ctx.log.info(`${ROLLBACK}: plan\n  ${lines.join('\n  ')}`);
    if (!(await confirmation.ask(ROLLBACK, lines))) return undefined;
    const r = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: ROLLBACK, cancellable: false }, (progress) =>
      core.rollbackFleet(
        { inventory: inv, journalPath },
        {
          ...deps(core, inv),
          onProgress: (p) => {
            ctx.log.info(`${ROLLBACK}: ${p.node}: ${p.step} ${p.phase === 'start' ? '…' : p.phase}${p.message ? ` (${p.message})` : ''}`);
            if (p.phase === 'start') progress.report({ message: `${p.node}: ${STEP_WORDS[p.step]}…` });
          },
        },
      ),
    );
    finishRun(
      ctx,
      ROLLBACK,
      inv,
      r,
      r.ok
        ? vscode.l10n.t('{0}: the run {1} is undone on {2} node(s).', ROLLBACK, r.runId, r.nodes.length)
        : vscode.l10n.t('{0} failed: {1}', ROLLBACK, r.error ?? 'see the log'),
    );
    return r;
  } catch (err) {
    reportError(ctx.log, ROLLBACK, err);
    return undefined;
  }
}
