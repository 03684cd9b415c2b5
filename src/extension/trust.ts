import * as vscode from 'vscode';

/**
 * The one Workspace Trust gate. A restricted workspace may only be read: nothing that writes
 * files (or changes their modes), connects over the network (a workspace could point us at any
 * host), signals a process or logs in over SSH (a fleet's inventory holds shell commands) runs
 * until the workspace is trusted.
 */
export type Guarded = 'write' | 'network' | 'signal' | 'ssh';

const DOES: Record<Guarded, string> = {
  write: 'writes or changes files',
  network: 'connects over the network',
  signal: 'sends signals to processes',
  ssh: 'logs in to other machines over SSH and runs commands there',
};

export function isTrusted(): boolean {
  return vscode.workspace.isTrusted;
}

/** The one refusal sentence: what was refused, why, and the fix. */
export function refusal(action: string, kind: Guarded): string {
  return `${action} needs a trusted workspace (it ${DOES[kind]}), which restricted mode does not allow: trust this workspace first (Workspaces: Manage Workspace Trust).`;
}

/** True in a trusted workspace; otherwise shows the refusal and returns false. */
export function requireTrust(action: string, kind: Guarded): boolean {
  if (isTrusted()) return true;
  void vscode.window.showWarningMessage(refusal(action, kind));
  return false;
}
