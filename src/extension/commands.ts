/**
 * The one table of commands: each id (commandIds.ts, checked against package.json by the unit
 * tests) maps to a factory that makes its handler from the extension's services, and
 * `registerCommands` registers them all in one loop (as rust-analyzer's extension does).
 */
import { ImportPreset, createCsrWizard, importCertWizard } from './wizards/outsidePki';
import type { ViewerHints } from './viewer/provider';
import * as vscode from 'vscode';
import { copyPath, inspectCertificate, revealInExplorer } from './certActions';
import type { ChangefeedApi } from './changefeed/register';
import { COMMAND_IDS, CommandId } from './commandIds';
import type { ConnLinter } from './connstr/linter';
import { addSslRootCert, explainPasswordEnv } from './connstr/actions';
import { copyConnectionFor, openConnectionCheck } from './connstr/kit';
import type { CloudAccount } from './cloud/account';
import { changeClientCa, clearApiKey, copyConnectionString, downloadCaCert, setApiKey, showClientCa, testCloudConnection } from './cloud/actions';
import { rotateClientCa } from './cloud/rotation';
import type { RotationStore } from './cloud/rotationState';
import type { FleetInventories } from './fleetTree';
import { fleetDistributeCa, fleetRollback, fleetRotateNode, fleetStatusCommand } from './fleet';
import type { ExpiryMonitor } from './monitor';
import { pruneCa, reissueAll, rollback, rotateCa, rotateClient, rotateNode, showBackups } from './rotate';
import type { Node } from './tree';
import { explainError, fixKeyPermissions, probeNode, testConnection, verifyCommand } from './troubleshoot/commands';
import type { ResultDocuments } from './troubleshoot/results';
import type { UiContext } from './ui';
import { addClusterWizard } from './wizards/addCluster';
import { createCaWizard } from './wizards/createCa';
import { ClientPreset, createCertWizard } from './wizards/createCert';

/** What the commands work with, made once in activate(). */
export interface Services extends UiContext {
  monitor: ExpiryMonitor;
  linter: ConnLinter;
  results: ResultDocuments;
  changefeed: ChangefeedApi;
  viewer: ViewerHints;
  cloud: CloudAccount;
  rotations: RotationStore;
  fleets: FleetInventories;
}

type Handler = (...args: any[]) => unknown; // eslint-disable-line @typescript-eslint/no-explicit-any
type Factory = (s: Services) => Handler;

/** Tree items arrive as the first argument of commands run from the tree's menus. */
const node = (arg: unknown) => arg as Node | undefined;

const COMMANDS: Record<CommandId, Factory> = {
  'cockroachTls.addCluster': (s) => () => addClusterWizard(s),
  'cockroachTls.refresh': (s) => () => Promise.all([s.model.reload(true), s.cloud.refresh(), s.fleets.refresh()]),
  'cockroachTls.createCa': (s) => (n: unknown) => createCaWizard(s, node(n), false),
  'cockroachTls.createClientCa': (s) => (n: unknown) => createCaWizard(s, node(n), true),
  'cockroachTls.createNode': (s) => (n: unknown) => createCertWizard(s, n as Node | ClientPreset | undefined, 'node'),
  'cockroachTls.createClient': (s) => (n: unknown) => createCertWizard(s, n as Node | ClientPreset | undefined, 'client'),
  'cockroachTls.createCsr': (s) => (n: unknown) => createCsrWizard(s, node(n)),
  'cockroachTls.importCertificate': (s) => (n: unknown, preset?: ImportPreset) => importCertWizard(s, node(n), preset),
  'cockroachTls.inspectCertificate': (s) => (n: unknown) => inspectCertificate(s.tree, s.viewer, n),
  'cockroachTls.revealInExplorer': (s) => (n: unknown) => revealInExplorer(s.tree, n),
  'cockroachTls.copyPath': (s) => (n: unknown) => copyPath(s.tree, n),
  'cockroachTls.revealSoonest': (s) => () => s.monitor.revealSoonest(),
  'cockroachTls.changefeedBuilder': (s) => (n: unknown) => s.changefeed.open(n),
  'cockroachTls.testConnection': (s) => (arg: unknown) => testConnection(s, arg),
  'cockroachTls.explainError': (s) => (text: unknown) => explainError(s, text),
  'cockroachTls.probeNode': (s) => (n: unknown) => probeNode(s, node(n)),
  'cockroachTls.verifyCertificate': (s) => (n: unknown) => verifyCommand(s, node(n)),
  'cockroachTls.fixKeyPermissions': () => (path: unknown) => fixKeyPermissions(path),
  'cockroachTls.rotateNode': (s) => (n: unknown) => rotateNode(s, node(n)),
  'cockroachTls.rotateClient': (s) => (n: unknown) => rotateClient(s, node(n)),
  'cockroachTls.rotateCa': (s) => (n: unknown) => rotateCa(s, node(n)),
  'cockroachTls.reissueAll': (s) => (n: unknown) => reissueAll(s, node(n)),
  'cockroachTls.pruneCa': (s) => (n: unknown) => pruneCa(s, node(n)),
  'cockroachTls.showBackups': (s) => (n: unknown) => showBackups(s, node(n)),
  'cockroachTls.rollback': (s) => (n: unknown) => rollback(s, node(n)),
  'cockroachTls.copyConnectionFor': (s) => (arg: unknown) => copyConnectionFor(s, arg),
  'cockroachTls.openConnectionCheck': (s) => (arg: unknown) => openConnectionCheck(s, arg),
  'cockroachTls.setCloudApiKey': (s) => () => setApiKey(s),
  'cockroachTls.clearCloudApiKey': (s) => () => clearApiKey(s),
  'cockroachTls.cloudDownloadCaCert': (s) => (n: unknown) => downloadCaCert(s, node(n)),
  'cockroachTls.cloudShowClientCa': (s) => (n: unknown) => showClientCa(s, node(n)),
  'cockroachTls.cloudSetClientCa': (s) => (n: unknown) => changeClientCa(s, node(n), 'set'),
  'cockroachTls.cloudAddClientCa': (s) => (n: unknown) => changeClientCa(s, node(n), 'add'),
  'cockroachTls.cloudRemoveClientCa': (s) => (n: unknown) => changeClientCa(s, node(n), 'remove'),
  'cockroachTls.cloudDeleteClientCa': (s) => (n: unknown) => changeClientCa(s, node(n), 'delete'),
  'cockroachTls.cloudCopyConnectionString': (s) => (n: unknown) => copyConnectionString(s, node(n)),
  'cockroachTls.cloudTestConnection': (s) => (n: unknown) => testCloudConnection(s, node(n)),
  'cockroachTls.cloudRotateClientCa': (s) => (n: unknown) => rotateClientCa(s, node(n)),
  'cockroachTls.fleetStatus': (s) => (arg: unknown) => fleetStatusCommand(s, arg),
  'cockroachTls.fleetRotateNode': (s) => (arg: unknown) => fleetRotateNode(s, arg),
  'cockroachTls.fleetDistributeCa': (s) => (arg: unknown) => fleetDistributeCa(s, arg),
  'cockroachTls.fleetRollback': (s) => (arg: unknown) => fleetRollback(s, arg),
  'cockroachTls.addSslRootCert': (s) => (uri: vscode.Uri, insertAt: number, separator: string, kind: string, chosen?: string) =>
    addSslRootCert(s.linter, uri, insertAt, separator, kind, chosen),
  'cockroachTls.explainPasswordEnv': () => (envVar: string) => explainPasswordEnv(envVar),
};

export function registerCommands(context: vscode.ExtensionContext, services: Services): void {
  for (const id of COMMAND_IDS) context.subscriptions.push(vscode.commands.registerCommand(id, COMMANDS[id](services)));
}
