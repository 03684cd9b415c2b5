import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import type { RotationPlan, RotationResult } from '../core/certsdir/rotate';
import { SelfHostedCluster, resolvePath } from './clusters';
import { MultiStep, isButton } from './input';
import type { Node } from './tree';
import { requireTrust } from './trust';
import { UiContext as Ctx, nodeCluster, reportError, selfHostedClusters } from './ui';

type Rotate = typeof import('../core/certsdir/rotate');

/** Asks to apply a plan: a modal dialog with the plan. In-editor tests replace it (a modal cannot be answered from the extension host). */
export const confirmation = {
  ask: async (title: string, lines: string[]): Promise<boolean> =>
    (await vscode.window.showWarningMessage(`${title}?`, { modal: true, detail: lines.join('\n') }, 'Apply')) === 'Apply',
};

async function pickCluster(ctx: Ctx, node: Node | undefined, title: string): Promise<SelfHostedCluster | undefined> {
  const given = nodeCluster(node);
  if (given) return given;
  const clusters = selfHostedClusters(ctx.model);
  if (clusters.length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('{0}: no self-hosted cluster yet; add one first.', title));
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(
    clusters.map((c) => ({ label: c.name, description: c.certsDir, c })),
    { title, placeHolder: vscode.l10n.t('Cluster (certs directory)') },
  );
  return pick?.c;
}

async function askCaKey(cluster: SelfHostedCluster, title: string, prompt: string, initial?: string): Promise<string | undefined> {
  let value: string | undefined;
  const done = await MultiStep.run(
    [
      async (input) => {
        const r = await input.box({
          title,
          step: 1,
          totalSteps: 1,
          prompt,
          value: initial ?? cluster.caKey ?? '',
          validate: (x) =>
            !x.trim() ? 'The CA key path is required.' : existsSync(resolvePath(x.trim())) ? undefined : `${resolvePath(x.trim())} does not exist.`,
        });
        if (!isButton(r)) value = resolvePath(r.trim());
      },
    ],
    () => value,
  );
  return done;
}

/** Shows the plan for confirmation, applies it with progress, and logs the result and what to do next. */
async function confirmAndApply(ctx: Ctx, title: string, plan: RotationPlan, core: Rotate): Promise<RotationResult | undefined> {
  const lines = core.planLines(plan);
  ctx.log.info(`${title}: plan\n  ${lines.join('\n  ')}`);
  if (plan.steps.length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('{0}: nothing to do. {1}', title, plan.notes.join(' ')));
    return undefined;
  }
  if (!(await confirmation.ask(title, lines))) return undefined;
  try {
    const r = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `${title}…` }, () => core.applyPlan(plan));
    for (const m of r.messages) ctx.log.warn(`${title}: ${m}`);
    if (r.backup) ctx.log.info(`${title}: backup ${r.backup.id} in ${r.backup.dir} (${r.backup.files.length} files)`);
    for (const c of r.issued) ctx.log.info(`${title}: issued ${c.path} serial ${c.serial}, expires ${c.notAfter}`);
    for (const n of plan.notes) ctx.log.info(`${title}: next: ${n}`);
    ctx.model.relist();
    void vscode.window
      .showInformationMessage(vscode.l10n.t('{0}: done{1}. {2}', title, r.backup ? ` (backup ${r.backup.id})` : '', plan.notes[0] ?? ''), 'Show Log')
      .then((a) => {
        if (a) ctx.log.show(true);
      });
    return r;
  } catch (err) {
    reportError(ctx.log, title, err);
    return undefined;
  }
}

async function run(
  ctx: Ctx,
  title: string,
  node: Node | undefined,
  make: (core: Rotate, cluster: SelfHostedCluster) => Promise<RotationPlan | undefined>,
): Promise<RotationResult | undefined> {
  if (!requireTrust(title, 'write')) return undefined;
  const cluster = await pickCluster(ctx, node, title);
  if (!cluster) return undefined;
  const core = await import('../core/certsdir/rotate');
  let plan: RotationPlan | undefined;
  try {
    plan = await make(core, cluster);
  } catch (err) {
    reportError(ctx.log, title, err);
    return undefined;
  }
  return plan ? confirmAndApply(ctx, title, plan, core) : undefined;
}

const ROTATE_NODE = 'Rotate Node Certificate';
const ROTATE_CLIENT = 'Rotate Client Certificate';
const REISSUE_ALL = 'Re-issue All Certificates';
const ROLL_BACK = 'Roll Back';

export function rotateNode(ctx: Ctx, n: Node | undefined): Promise<RotationResult | undefined> {
  return run(ctx, ROTATE_NODE, n, async (core, c) => {
    const caKey = await askCaKey(c, ROTATE_NODE, 'The CA key that signed ca.crt');
    return caKey ? core.planRotateNode({ certsDir: c.certsDir, caKey }) : undefined;
  });
}

export function rotateClient(ctx: Ctx, n: Node | undefined): Promise<RotationResult | undefined> {
  return run(ctx, ROTATE_CLIENT, n, async (core, c) => {
    let user = n?.type === 'cert' && n.entry.usage === 'Client' ? (n.entry.name ?? undefined) : undefined;
    if (!user) {
      const users =
        ctx.model.states
          .find((s) => s.cluster === c)
          ?.entries.filter((e) => e.usage === 'Client' && e.name)
          .map((e) => e.name as string) ?? [];
      user = (await vscode.window.showQuickPick(users, { title: ROTATE_CLIENT, placeHolder: vscode.l10n.t('User') })) ?? undefined;
    }
    if (!user) return undefined;
    const clientCa = existsSync(`${c.certsDir}/ca-client.crt`);
    const caKey = await askCaKey(
      c,
      ROTATE_CLIENT,
      clientCa ? 'The client CA key (ca-client.crt signs client certificates)' : 'The CA key that signed ca.crt',
      clientCa ? '' : undefined,
    );
    return caKey ? core.planRotateClient({ certsDir: c.certsDir, caKey, users: [user] }) : undefined;
  });
}

export function rotateCa(ctx: Ctx, n: Node | undefined): Promise<RotationResult | undefined> {
  return run(ctx, 'Rotate CA', n, async (core, c) => {
    const caKey = await askCaKey(c, 'Rotate CA', 'The current CA key: it is moved aside (never deleted) and a new key takes its path');
    return caKey ? core.planRotateCa({ certsDir: c.certsDir, caKey }) : undefined;
  });
}

export function reissueAll(ctx: Ctx, n: Node | undefined): Promise<RotationResult | undefined> {
  return run(ctx, REISSUE_ALL, n, async (core, c) => {
    const caKey = await askCaKey(c, REISSUE_ALL, 'The CA key that signs the first certificate of ca.crt');
    if (!caKey) return undefined;
    const clientCaKey = existsSync(`${c.certsDir}/ca-client.crt`) ? await askCaKey(c, REISSUE_ALL, 'The client CA key (ca-client.crt)', '') : undefined;
    return core.planReissueAll({ certsDir: c.certsDir, caKey, clientCaKey });
  });
}

export function pruneCa(ctx: Ctx, n: Node | undefined): Promise<RotationResult | undefined> {
  return run(ctx, 'Prune Old CA Certificates', n, async (core, c) => core.planPruneCa({ certsDir: c.certsDir }));
}

export function rollback(ctx: Ctx, n: Node | undefined): Promise<RotationResult | undefined> {
  return run(ctx, ROLL_BACK, n, async (core, c) => {
    const backups = core.listBackups(core.defaultBackupRoot(c.certsDir), c.certsDir);
    if (backups.length === 0) {
      void vscode.window.showInformationMessage(vscode.l10n.t('No backups of {0} yet: rotations make one before they replace anything.', c.certsDir));
      return undefined;
    }
    const pick = await vscode.window.showQuickPick(
      backups.map((b) => ({ label: b.id, description: `${b.reason} · ${b.createdAt}`, detail: b.files.map((f) => basename(f.path)).join(', '), b })),
      { title: ROLL_BACK, placeHolder: vscode.l10n.t('The backup to restore (the current files are backed up first)') },
    );
    return pick ? core.planRollback({ certsDir: c.certsDir, backupId: pick.b.id }) : undefined;
  });
}

/** Lists a cluster's backups in the log and offers to roll back to one. */
export async function showBackups(ctx: Ctx, n: Node | undefined): Promise<void> {
  const c = await pickCluster(ctx, n, 'Show Backups');
  if (!c) return;
  const core = await import('../core/certsdir/rotate');
  const backups = core.listBackups(core.defaultBackupRoot(c.certsDir), c.certsDir);
  if (backups.length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('No backups of {0} yet.', c.certsDir));
    return;
  }
  ctx.log.info(`Backups of ${c.certsDir}:`);
  for (const b of backups) ctx.log.info(`  ${b.id}  ${b.createdAt}  ${b.reason}  ${b.files.length} files  ${b.dir}`);
  const pick = await vscode.window.showQuickPick(
    backups.map((b) => ({ label: b.id, description: `${b.reason} · ${b.createdAt}`, detail: b.files.map((f) => basename(f.path)).join(', '), b })),
    { title: vscode.l10n.t('Backups of {0}', c.name), placeHolder: vscode.l10n.t('Choose one to roll back to it, or Escape') },
  );
  if (!pick) return;
  await run(ctx, ROLL_BACK, n, async (core2) => core2.planRollback({ certsDir: c.certsDir, backupId: pick.b.id }));
}
