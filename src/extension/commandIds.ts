/**
 * Every command the extension registers, as one typed list (no VS Code here: the unit tests
 * check it against package.json's `contributes.commands`). `commands.ts` maps each id to its
 * factory, and the compiler refuses a table that misses one.
 */
export const COMMAND_IDS = [
  'cockroachTls.addCluster',
  'cockroachTls.refresh',
  'cockroachTls.createCa',
  'cockroachTls.createClientCa',
  'cockroachTls.createNode',
  'cockroachTls.createClient',
  'cockroachTls.createCsr',
  'cockroachTls.importCertificate',
  'cockroachTls.inspectCertificate',
  'cockroachTls.revealInExplorer',
  'cockroachTls.copyPath',
  'cockroachTls.revealSoonest',
  'cockroachTls.changefeedBuilder',
  'cockroachTls.testConnection',
  'cockroachTls.explainError',
  'cockroachTls.probeNode',
  'cockroachTls.verifyCertificate',
  'cockroachTls.fixKeyPermissions',
  'cockroachTls.rotateNode',
  'cockroachTls.rotateClient',
  'cockroachTls.rotateCa',
  'cockroachTls.reissueAll',
  'cockroachTls.pruneCa',
  'cockroachTls.showBackups',
  'cockroachTls.rollback',
  'cockroachTls.copyConnectionFor',
  'cockroachTls.openConnectionCheck',
  'cockroachTls.setCloudApiKey',
  'cockroachTls.clearCloudApiKey',
  'cockroachTls.cloudDownloadCaCert',
  'cockroachTls.cloudShowClientCa',
  'cockroachTls.cloudSetClientCa',
  'cockroachTls.cloudAddClientCa',
  'cockroachTls.cloudRemoveClientCa',
  'cockroachTls.cloudDeleteClientCa',
  'cockroachTls.cloudCopyConnectionString',
  'cockroachTls.cloudTestConnection',
  'cockroachTls.cloudRotateClientCa',
  'cockroachTls.fleetStatus',
  'cockroachTls.fleetRotateNode',
  'cockroachTls.fleetDistributeCa',
  'cockroachTls.fleetRollback',
  // Run by quick fixes (hidden from the Command Palette).
  'cockroachTls.addSslRootCert',
  'cockroachTls.explainPasswordEnv',
] as const;

export type CommandId = (typeof COMMAND_IDS)[number];

/** The one category every command shows under in the Command Palette. */
export const COMMAND_CATEGORY = 'CockroachDB TLS';

/** A command for a code action, lens or link (structurally a `vscode.Command`), with a known id. */
export interface CommandRef {
  command: CommandId;
  title: string;
  arguments?: unknown[];
  tooltip?: string;
}
