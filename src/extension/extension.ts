import * as vscode from 'vscode';
import { registerCertCommands } from './certCommands';

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('CockroachDB TLS', { log: true });
  context.subscriptions.push(log);
  registerCertCommands(context, log);
}

export function deactivate(): void {
  // Nothing to release beyond context.subscriptions.
}
