/** Fleets: the API the CLI and the editor use. Plans are plain data; runs take a FleetDeps (transport, probe, now, signal, onProgress). */
export * from './types';
export { parseInventory, loadInventory, MAX_NODES } from './inventory';
export { planFleetRotateNode, planFleetDistributeCa, fleetPlanLines } from './plan';
export type { FleetPlanOptions, FleetRotateOptions } from './plan';
export { runFleetPlan } from './run';
export { rollbackFleet, rollbackJournal, rollbackPlanLines } from './rollback';
export type { FleetRollbackOptions } from './rollback';
export { fleetStatus } from './status';
export type { FleetStatus, NodeStatus, FileStatus } from './status';
export { systemSshTransport, classifySshFailure } from './ssh';
export type { SshOptions } from './ssh';
export { DEFAULT_VERIFY_TIMEOUT_MS, DEFAULT_COMMAND_TIMEOUT_MS, DEFAULT_FLEET_RELOAD_TIMEOUT_MS, tlsProbe } from './context';
export type { FleetDeps } from './context';
export { defaultJournalPath, readJournal } from './journal';
export type { FleetJournal, JournalNode } from './journal';
export { monitorCertsDirs } from './monitor';
export type { MonitorOptions } from './monitor';
