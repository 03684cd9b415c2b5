import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { CreateResult } from '../core/certsdir/create';
import { listCertsDir } from '../core/certsdir/list';
import { statusText } from '../core/certsdir/status';
import { CA_CERT, CLIENT_CA_CERT, NODE_CERT, NODE_KEY, clientCertName, clientKeyName } from '../core/certsdir/layout';
import { hostProblem, normalizeUserName, userNameProblem } from '../core/pki/names';
import { UserError, errMessage } from '../core/errors';

type Log = vscode.LogOutputChannel;

async function pickCertsDir(title: string): Promise<string | undefined> {
  const picked = await vscode.window.showOpenDialog({
    title, canSelectFolders: true, canSelectFiles: false, canSelectMany: false, openLabel: 'Use as certs directory',
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
  });
  return picked?.[0]?.fsPath;
}

async function pickCaKey(forNewCa: boolean, certsDir: string): Promise<string | undefined> {
  if (forNewCa) {
    const uri = await vscode.window.showSaveDialog({
      title: 'Where to keep the CA key (outside the certs directory; an existing key is reused)',
      defaultUri: vscode.Uri.file(join(certsDir, '..', 'my-safe-directory', 'ca.key')), saveLabel: 'Use as CA key',
    });
    return uri?.fsPath;
  }
  const picked = await vscode.window.showOpenDialog({ title: 'The CA key that signed ca.crt', canSelectFiles: true, canSelectMany: false, openLabel: 'Sign with this key' });
  return picked?.[0]?.fsPath;
}

/** Asks before replacing files; true when nothing exists or the user agreed. */
async function confirmOverwrite(paths: string[]): Promise<boolean> {
  const existing = paths.filter((p) => existsSync(p));
  if (existing.length === 0) return true;
  const answer = await vscode.window.showWarningMessage(
    `Replace ${existing.map((p) => p.split(/[\\/]/).pop()).join(', ')}?`,
    { modal: true, detail: `These files exist:\n${existing.join('\n')}` }, 'Replace');
  return answer === 'Replace';
}

async function run(log: Log, title: string, work: () => Promise<CreateResult>): Promise<void> {
  try {
    const r = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: false }, work);
    for (const f of r.files) log.info(`wrote ${f.path} (${f.what}, mode 0${f.mode.toString(8)})`);
    log.info(`serial ${r.serial}, expires ${r.notAfter}`);
    void vscode.window.showInformationMessage(`${title}: wrote ${r.files.map((f) => f.path.split(/[\\/]/).pop()).join(', ')} (expires ${r.notAfter.slice(0, 10)}).`);
  } catch (err) {
    const msg = err instanceof UserError ? err.message : `unexpected error: ${errMessage(err)}`;
    log.error(`${title}: ${msg}`);
    void vscode.window.showErrorMessage(msg);
  }
}

function requireTrust(): boolean {
  if (vscode.workspace.isTrusted) return true;
  void vscode.window.showWarningMessage('Issuing certificates writes files: trust this workspace first (Manage Workspace Trust).');
  return false;
}

export function registerCertCommands(context: vscode.ExtensionContext, log: Log): void {
  const core = () => import('../core/certsdir/create');
  const reg = (id: string, fn: () => Promise<void>) => context.subscriptions.push(vscode.commands.registerCommand(id, fn));

  reg('cockroachTls.listCertificates', async () => {
    const dir = await pickCertsDir('Certs directory to list');
    if (!dir) return;
    try {
      const entries = listCertsDir(dir, { gid: process.getgid?.(), skipPermissionChecks: process.platform === 'win32' });
      log.info(`Certificate directory: ${dir}`);
      for (const e of entries) {
        const line = `${e.usage.padEnd(10)} ${e.certFile.padEnd(24)} ${(e.keyFile ?? '').padEnd(24)} ${e.notAfter?.slice(0, 10) ?? '?'} ${e.status ? statusText(e.status, e.daysLeft ?? 0) : ''} ${e.notes}`;
        if (e.errors.length) log.warn(`${line} — ${e.errors.join(' ')}`);
        else log.info(line);
      }
      log.show(true);
    } catch (err) {
      void vscode.window.showErrorMessage(errMessage(err));
    }
  });

  for (const [id, fileName, label] of [['cockroachTls.createCa', CA_CERT, 'Create CA'], ['cockroachTls.createClientCa', CLIENT_CA_CERT, 'Create Client CA']] as const) {
    reg(id, async () => {
      if (!requireTrust()) return;
      const certsDir = await pickCertsDir(`${label}: certs directory`);
      if (!certsDir) return;
      const caKey = await pickCaKey(true, certsDir);
      if (!caKey) return;
      const certPath = join(certsDir, fileName);
      let overwrite = false;
      if (existsSync(certPath)) {
        const a = await vscode.window.showWarningMessage(`${fileName} exists. Prepend the new CA to it (combined CA for rotation)?`, { modal: true }, 'Prepend');
        if (a !== 'Prepend') return;
        overwrite = true;
      }
      const allowKeyReuse = existsSync(caKey);
      const m = await core();
      await run(log, label, () => (id === 'cockroachTls.createCa' ? m.createCa : m.createClientCa)({ certsDir, caKey, overwrite, allowKeyReuse }));
    });
  }

  reg('cockroachTls.createNode', async () => {
    if (!requireTrust()) return;
    const certsDir = await pickCertsDir('Create Node Certificate: certs directory');
    if (!certsDir) return;
    const hostsText = await vscode.window.showInputBox({
      title: 'Create Node Certificate: hosts', prompt: 'Every DNS name and IP address clients and nodes use, separated by spaces',
      value: 'localhost 127.0.0.1',
      validateInput: (v) => {
        const hosts = v.split(/[\s,]+/).filter(Boolean);
        if (hosts.length === 0) return 'At least one host name or address is required.';
        for (const h of hosts) {
          const p = hostProblem(h);
          if (p) return `${h}: ${p}`;
        }
        return undefined;
      },
    });
    if (!hostsText) return;
    const caKey = await pickCaKey(false, certsDir);
    if (!caKey) return;
    if (!(await confirmOverwrite([join(certsDir, NODE_CERT), join(certsDir, NODE_KEY)]))) return;
    const m = await core();
    await run(log, 'Create Node Certificate', () => m.createNode({ certsDir, caKey, hosts: hostsText.split(/[\s,]+/).filter(Boolean), overwrite: true }));
  });

  reg('cockroachTls.createClient', async () => {
    if (!requireTrust()) return;
    const certsDir = await pickCertsDir('Create Client Certificate: certs directory');
    if (!certsDir) return;
    const user = await vscode.window.showInputBox({
      title: 'Create Client Certificate: SQL user', prompt: 'The certificate CN; CockroachDB maps it to this SQL user',
      validateInput: (v) => userNameProblem(normalizeUserName(v)),
    });
    if (!user) return;
    const caKey = await pickCaKey(false, certsDir);
    if (!caKey) return;
    const u = normalizeUserName(user);
    const pkcs8 = await vscode.window.showQuickPick(['No', 'Yes (Java/JDBC needs client.<user>.key.pk8)'], { title: 'Also write a PKCS#8 key?' });
    if (!pkcs8) return;
    const also = pkcs8.startsWith('Yes');
    const targets = [join(certsDir, clientCertName(u)), join(certsDir, clientKeyName(u)), ...(also ? [join(certsDir, clientKeyName(u) + '.pk8')] : [])];
    if (!(await confirmOverwrite(targets))) return;
    const m = await core();
    await run(log, 'Create Client Certificate', () => m.createClient({ certsDir, caKey, user: u, alsoGeneratePkcs8Key: also, overwrite: true }));
  });
}
