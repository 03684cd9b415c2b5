/** Rotation of a certs dir with a plan, backups, a lock, reload and rollback: the API the CLI and the editor use. */
export * from './types';
export { planRotateNode, planRotateClient, planRotateCa, planReissueAll, planPruneCa, planRollback, oldKeyPath } from './plan';
export type { PlanOptions, SigningOptions, RotateNodeOptions, RotateClientOptions, ReissueAllOptions, PruneCaOptions, RollbackOptions } from './plan';
export { applyPlan } from './apply';
export { planLines } from './describe';
export type { ApplyOptions } from './apply';
export { defaultBackupRoot, listBackups, findBackup } from './backup';
export { LOCK_NAME, readLock, recoverInterrupted } from './lock';
export type { LockInfo } from './lock';
export { DEFAULT_RELOAD_TIMEOUT_MS, checkReloadTargets, reloadServer, verifyServed } from './reload';
export type { ReloadReport, ServedProbe, VerifyReport } from './reload';
export { oldCaDependents } from './chain';
export type { CaDependent } from './chain';
