/** What the certificate wizards share: their steps, the checks of what is typed, and issuing with progress. */
import * as vscode from 'vscode';
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, relative } from 'node:path';
import type { CreateResult } from '../../core/certsdir/create';
import { errMessage } from '../../core/errors';
import { parseLifetime } from '../../core/pki/duration';
import { hostProblem } from '../../core/pki/names';
import { SelfHostedCluster, defaultCaKeyPath, resolvePath } from '../clusters';
import { CANCEL, MultiStep, isButton } from '../input';
import type { Node } from '../tree';
import { UiContext, nodeCluster, reportError, selfHostedClusters } from '../ui';

/** One step of a wizard, run by MultiStep (Back re-runs the step before). */
export type WizardStep = (input: MultiStep) => Promise<void>;

const BROWSE: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('folder-opened'), tooltip: 'Browse…' };

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

export function inside(child: string, parent: string): boolean {
  const r = relative(parent, child);
  return r === '' || (!r.startsWith('..') && !isAbsolute(r));
}

/** The hosts of a node certificate as typed: separated by spaces or commas. */
export function splitHosts(v: string): string[] {
  return v.split(/[\s,]+/).filter(Boolean);
}

/** Why typed hosts cannot go into a node certificate (none, or one that is not a host name or address). */
export function hostsProblem(v: string): string | undefined {
  const hosts = splitHosts(v);
  if (hosts.length === 0) return vscode.l10n.t('At least one host name or address is required.');
  for (const h of hosts) {
    const p = hostProblem(h);
    if (p) return `${h}: ${p}`;
  }
  return undefined;
}

export function durationProblem(v: string): string | undefined {
  try {
    parseLifetime(v, 'Lifetime');
    return undefined;
  } catch (err) {
    return errMessage(err);
  }
}

/** Runs the core's issuing with progress, logs each file written, and lists the cluster again. */
export async function issue(ctx: UiContext, title: string, work: () => Promise<CreateResult>): Promise<CreateResult | undefined> {
  try {
    const r = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `${title}…` }, work);
    for (const f of r.files) ctx.log.info(`${title}: wrote ${f.path} (${f.what}, mode 0${f.mode.toString(8)})`);
    ctx.log.info(`${title}: serial ${r.serial}, expires ${r.notAfter}${r.numCerts && r.numCerts > 1 ? `, ${r.numCerts} certificates in ${r.certPath}` : ''}`);
    ctx.model.relist();
    void vscode.window.showInformationMessage(
      vscode.l10n.t('{0}: wrote {1}; expires {2}.', title, r.files.map((f) => basename(f.path)).join(', '), r.notAfter.slice(0, 10)),
    );
    return r;
  } catch (err) {
    reportError(ctx.log, title, err);
    return undefined;
  }
}

/** The self-hosted cluster a wizard acts on: from the tree item, else picked (or a folder chosen) as step 1. */
export function clusterStep(ctx: UiContext, node: Node | undefined, title: string, out: { cluster?: SelfHostedCluster }, total: number): WizardStep {
  const fromNode = nodeCluster(node);
  if (fromNode) out.cluster = fromNode;
  return async (input) => {
    if (fromNode) return;
    type Item = vscode.QuickPickItem & { cluster?: SelfHostedCluster };
    const items: Item[] = [
      ...selfHostedClusters(ctx.model).map((c) => ({ label: c.name, description: vscode.workspace.asRelativePath(c.certsDir, false), cluster: c })),
      { label: '$(folder-opened) Choose a certs directory…' },
    ];
    const picked = await input.pick<Item>({ title, step: 1, totalSteps: total, placeholder: vscode.l10n.t('Cluster (certs directory)'), items });
    if (isButton(picked)) return;
    if (picked.cluster) {
      out.cluster = picked.cluster;
      return;
    }
    const uri = await vscode.window.showOpenDialog({
      canSelectFolders: true,
      canSelectFiles: false,
      openLabel: vscode.l10n.t('Use as certs directory'),
      defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
    });
    if (!uri?.[0]) throw CANCEL;
    out.cluster = { kind: 'self-hosted', name: basename(uri[0].fsPath), certsDir: uri[0].fsPath, source: 'workspace' };
  };
}

/** An input box step whose Browse… button fills the value from a file dialog. */
export function pathStep(
  title: string,
  step: () => number,
  total: number,
  prompt: string,
  initial: () => string,
  validate: (v: string) => string | undefined,
  set: (v: string) => void,
  save: boolean,
): WizardStep {
  return async (input: MultiStep) => {
    let value = initial();
    for (;;) {
      const r = await input.box({ title, step: step(), totalSteps: total, prompt, value, validate: (v) => validate(v.trim()), buttons: [BROWSE] });
      if (!isButton(r)) {
        set(resolvePath(r.trim()));
        return;
      }
      const uri = save
        ? await vscode.window.showSaveDialog({
            defaultUri: vscode.Uri.file(value || defaultCaKeyPath(process.cwd())),
            saveLabel: vscode.l10n.t('Use as CA key'),
          })
        : (
            await vscode.window.showOpenDialog({
              canSelectFiles: true,
              canSelectMany: false,
              defaultUri: value ? vscode.Uri.file(dirname(value)) : undefined,
              openLabel: vscode.l10n.t('Use this key'),
            })
          )?.[0];
      if (uri) value = uri.fsPath;
    }
  };
}

/** Checks a CA key path: kept outside the certs dir; an existing key to sign with, or a folder to write a new one in. */
export function caKeyProblem(certsDir: string | undefined, mustExist: boolean) {
  return (v: string): string | undefined => {
    if (!v) return 'The CA key path is required.';
    const p = resolvePath(v);
    if (certsDir && inside(p, certsDir)) return 'Keep the CA key outside the certs directory (CockroachDB never loads it from there).';
    if (mustExist && !existsSync(p)) return `${p} does not exist: choose the key that signed the CA certificate.`;
    if (!mustExist && !isDir(dirname(p))) return `Folder ${dirname(p)} does not exist: create it first (mode 700).`;
    return undefined;
  };
}
