/**
 * The client CA rotation wizard (the seed workflow): 1 choose or create the new client CA, 2 add
 * it to the cluster and wait for IS_SET, 3 issue client certificates from it, 4 test a connection
 * with one, 5 remove the old CA once no known client certificate depends on it. Each finished
 * step is saved (RotationStore, globalState) before the next: run it again to resume.
 */
import * as vscode from 'vscode';
import { lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { TestConnectionResult } from '../../core/tls/testConnection';
import { UserError } from '../../core/errors';
import { resolvePath } from '../clusters';
import type { Node } from '../tree';
import { requireTrust } from '../trust';
import { reportError } from '../ui';
import { confirmation } from '../rotate';
import { CloudCtx, pickCloud, planAndApply, testCloudConnection } from './actions';
import type { CloudInfo } from './account';
import { askPick, askText } from './ask';
import { ROTATION_STEPS, RotationState, RotationStore } from './rotationState';

const TITLE = 'Rotate Client CA';
const CLIENT_CA = 'ca-client.crt';

export interface RotationCtx extends CloudCtx {
  rotations: RotationStore;
}

/** The new client CA: the first certificate of ca-client.crt, read and checked by the core's upload guards (a regular file within the cap; PEM CA certificates, no key, none expired). */
async function firstCertFingerprint(file: string): Promise<string> {
  const { readCaFile } = await import('../../core/cloud');
  return readCaFile(file, new Date(), { flag: 'the new client CA' }).certs[0].fingerprint256;
}

/** Whether anything is at `p` (a dangling link too). */
function exists(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

/** Backs up the files of the certs dir that are about to be replaced (the core's certs-dir backup, `<certs-dir>.backups/`); `paths` that do not exist yet are recorded as created. */
async function backUp(ctx: RotationCtx, certsDir: string, reason: string, paths: string[]): Promise<void> {
  const replaced = paths.filter(exists);
  if (replaced.length === 0) return;
  const { createBackup, defaultBackupRoot } = await import('../../core/certsdir/rotate/backup');
  const b = createBackup(
    defaultBackupRoot(certsDir),
    certsDir,
    reason,
    replaced,
    paths.filter((p) => !exists(p)),
  );
  ctx.log.info(`${TITLE}: backed up ${replaced.join(', ')} to ${b.dir}`);
}

function clientUsers(certsDir: string): string[] {
  try {
    return readdirSync(certsDir)
      .map((f) => /^client\.(.+)\.crt$/.exec(f)?.[1])
      .filter((u): u is string => !!u);
  } catch {
    return [];
  }
}

function defaultDir(info: CloudInfo): string {
  const ws = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '.';
  return join(ws, 'cloud-certs', info.cluster.name);
}

/** Step 1: create-client-ca into a certs dir (prepended to its ca-client.crt), or an existing one. */
async function chooseCa(ctx: RotationCtx, info: CloudInfo, s: RotationState): Promise<boolean> {
  const how = await askPick(`${TITLE} (1/5)`, 'The new client CA', [
    { label: 'Create a new client CA', description: 'cert create-client-ca: a new key and ca-client.crt', create: true },
    { label: 'Use an existing client CA', description: "a certs dir's ca-client.crt and its key", create: false },
  ]);
  if (!how) return false;
  const certsDir = await askText(`${TITLE} (1/5)`, 'The certs dir for the client CA and the client certificates it issues', s.certsDir ?? defaultDir(info));
  if (!certsDir) return false;
  const dir = resolvePath(certsDir);
  const caKey = await askText(
    `${TITLE} (1/5)`,
    how.create ? 'Where to write the new client CA key (a new file, outside the certs dir)' : 'The key of the client CA (ca-client.crt)',
    join(dirname(dir), `${info.cluster.name}-safe`, 'ca-client.key'),
  );
  if (!caKey) return false;
  const key = resolvePath(caKey);
  if (how.create) {
    if (exists(key))
      throw new UserError(
        `${key} exists: a new client CA needs a new key file, and that one is not replaced. Pick another path, or choose "Use an existing client CA" if ${CLIENT_CA} in ${dir} is already signed by it.`,
        key,
      );
    mkdirSync(dirname(key), { recursive: true, mode: 0o700 });
    // The new CA goes first in ca-client.crt, the old ones stay after it; the file before is backed up all the same.
    await backUp(ctx, dir, 'cloud client CA rotation: create-client-ca', [join(dir, CLIENT_CA)]);
    const { createClientCa } = await import('../../core/certsdir/create');
    const r = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Creating the client CA…') }, () =>
      createClientCa({ certsDir: dir, caKey: key, overwrite: true }),
    );
    ctx.log.info(`${TITLE}: created ${r.certPath} (serial ${r.serial}, expires ${r.notAfter}, ${r.numCerts ?? 1} CA(s) in the file)`);
  }
  const caCert = join(dir, CLIENT_CA);
  const fp = await firstCertFingerprint(caCert);
  const old = (info.clientCa?.cas ?? []).map((e) => e.fingerprintSha256).filter((f) => f !== fp);
  Object.assign(s, { step: 2, certsDir: dir, caKey: key, caCert, newFingerprints: [fp], oldFingerprints: old });
  return true;
}

/** Step 3: client certificates from the new CA for the chosen users (the old ones replaced). */
async function issue(ctx: RotationCtx, s: RotationState): Promise<boolean> {
  const known = clientUsers(s.certsDir!);
  const typed = await askText(
    `${TITLE} (3/5)`,
    'SQL users to issue client certificates for (space or comma separated)',
    (known.length ? known : ['root']).join(' '),
  );
  if (!typed) return false;
  const users = [...new Set(typed.split(/[\s,]+/).filter(Boolean))];
  const { createClient } = await import('../../core/certsdir/create');
  const dir = s.certsDir!;
  await backUp(
    ctx,
    dir,
    'cloud client CA rotation: new client certificates',
    users.flatMap((u) => [join(dir, `client.${u}.crt`), join(dir, `client.${u}.key`)]),
  );
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Issuing client certificates…') }, async (p) => {
    for (const user of users) {
      p.report({ message: user });
      const r = await createClient({ certsDir: s.certsDir!, caKey: s.caKey!, user, overwrite: true });
      ctx.log.info(`${TITLE}: issued ${r.certPath} (serial ${r.serial}, expires ${r.notAfter})`);
    }
  });
  Object.assign(s, { step: 4, users });
  ctx.model.relist();
  return true;
}

/** Step 4: Test Connection with the first user's new certificate; a failure may be accepted. */
async function test(ctx: RotationCtx, node: Node | undefined, info: CloudInfo, s: RotationState): Promise<boolean> {
  const user = s.users?.[0] ?? 'root';
  const r = (await testCloudConnection(ctx, node ?? clusterNode(ctx, info), {
    user,
    cert: join(s.certsDir!, `client.${user}.crt`),
    key: join(s.certsDir!, `client.${user}.key`),
  })) as TestConnectionResult | undefined;
  if (!r) return false;
  if (!r.ok && !(await confirmation.ask('The connection test failed: go on to remove the old CA anyway', [r.cause, r.fix]))) return false;
  s.step = 5;
  return true;
}

function clusterNode(ctx: RotationCtx, info: CloudInfo): Node | undefined {
  return ctx.tree.getChildren().find((n) => n.type === 'cluster' && n.state.cluster.kind === 'cloud' && n.state.cluster.clusterId === info.cluster.id);
}

export async function rotateClientCa(ctx: RotationCtx, node: Node | undefined): Promise<RotationState | undefined> {
  if (!requireTrust(TITLE, 'network') || !requireTrust(TITLE, 'write')) return undefined;
  const info = await pickCloud(ctx, node, TITLE, true);
  if (!info) return undefined;
  const id = info.cluster.id;
  let s = ctx.rotations.get(id);
  if (s) {
    const go = await askPick(TITLE, `A rotation of ${info.cluster.name} is at step ${s.step} of 5`, [
      { label: `Continue: step ${s.step}, ${ROTATION_STEPS[s.step - 1]}`, go: true },
      { label: 'Abandon it (nothing on the cluster is changed)', go: false },
    ]);
    if (!go) return undefined;
    if (!go.go) {
      await ctx.rotations.clear(id);
      return undefined;
    }
  } else s = { clusterId: id, name: info.cluster.name, step: 1 };
  try {
    for (;;) {
      const cur = ctx.cloud.find(id) ?? info;
      let ok: boolean;
      switch (s.step) {
        case 1:
          ok = await chooseCa(ctx, cur, s);
          break;
        case 2:
          ok = await planAndApply(ctx, `${TITLE} (2/5): add the new CA`, cur, { kind: 'add', certFile: s.caCert! });
          if (ok) s.step = 3;
          break;
        case 3:
          ok = await issue(ctx, s);
          break;
        case 4:
          ok = await test(ctx, node, cur, s);
          break;
        default: {
          ok = true;
          for (const fingerprint of s.oldFingerprints ?? []) {
            const now = ctx.cloud.find(id) ?? cur;
            if (!now.clientCa?.cas.some((e) => e.fingerprintSha256 === fingerprint)) continue;
            ok = await planAndApply(ctx, `${TITLE} (5/5): remove the old CA`, now, { kind: 'remove', fingerprint }, [s.certsDir!]);
            if (!ok) break;
          }
          if (ok) {
            await ctx.rotations.clear(id);
            ctx.log.info(`${TITLE}: ${info.cluster.name} done: the new client CA alone is trusted`);
            void vscode.window.showInformationMessage(vscode.l10n.t('{0}: done for {1}; only the new client CA is trusted now.', TITLE, info.cluster.name));
            return { ...s, step: ROTATION_STEPS.length + 1 };
          }
        }
      }
      if (ok || s.step > 1) await ctx.rotations.save(s); // nothing to resume before the CA is chosen
      if (!ok) {
        void vscode.window.showInformationMessage(
          vscode.l10n.t('{0}: stopped at step {1} ({2}); run it again to resume.', TITLE, s.step, ROTATION_STEPS[s.step - 1]),
        );
        return s;
      }
    }
  } catch (err) {
    if (s.step > 1) await ctx.rotations.save(s); // nothing to resume before the CA is chosen
    reportError(ctx.log, TITLE, err);
    return s;
  }
}
