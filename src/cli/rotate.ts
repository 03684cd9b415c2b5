import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { UserError, errMessage } from '../core/errors';
import { parseGoDuration } from '../core/pki/duration';
import {
  ApplyOptions, PlanOptions, ReloadReport, readLock, recoverInterrupted, RotationPlan, RotationResult, VerifyReport, applyPlan, defaultBackupRoot, listBackups,
  planLines, planPruneCa, planReissueAll, planRollback, planRotateCa, planRotateClient, planRotateNode, reloadServer, verifyServed,
} from '../core/certsdir/rotate';
import { parseArgs } from './args';
import type { Io } from './cert';
import { renderTable } from './table';

export const ROTATE_COMMANDS = ['rotate-node', 'rotate-client', 'rotate-ca', 'reissue-all', 'prune-ca', 'backups', 'rollback'] as const;

export const ROTATE_USAGE = `Rotation (a backup first, atomic writes, one rotation at a time per certs dir):
  rotate-node [HOST...]  --certs-dir D --ca-key K   new node cert and key; hosts default to the current node.crt's
  rotate-client USER...  --certs-dir D --ca-key K [--also-generate-pkcs8-key]
  rotate-ca              --certs-dir D --ca-key K   old key kept as ca.old.key; ca.crt = new CA + old CAs
  reissue-all            --certs-dir D --ca-key K [--client-ca-key K2]   every node and client cert from the current CA
  prune-ca               --certs-dir D [--also-check DIR]...   drop old CAs from ca.crt once nothing depends on them
  backups                --certs-dir D [--json]
  rollback [BACKUP_ID]   --certs-dir D              default: the newest backup; the current files are backed up first
Flags of the commands that write: [--dry-run] [--json] [--backup-dir B] [--key-size N] [--lifetime H]
  [--reload-pid PID] [--reload-cmd "..."] [--verify HOST:PORT] [--verify-timeout 10s]
--dry-run prints the plan and writes nothing. Backups go to <certs-dir>.backups/ unless --backup-dir.
`;

const VALUES = ['certs-dir', 'ca-key', 'client-ca-key', 'backup-dir', 'key-size', 'lifetime', 'reload-pid', 'reload-cmd', 'verify', 'verify-timeout'];
const BOOLS = ['dry-run', 'json', 'also-generate-pkcs8-key'];

/** --also-check may be repeated: taken out before the common parser (which keeps the last value). */
function takeRepeated(argv: string[], flag: string): { rest: string[]; values: string[] } {
  const rest: string[] = [];
  const values: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === `--${flag}`) {
      const v = argv[++i];
      if (v === undefined) throw new UserError(`--${flag} needs a folder.`);
      values.push(v);
    } else if (a.startsWith(`--${flag}=`)) values.push(a.slice(flag.length + 3));
    else rest.push(a);
  }
  return { rest, values };
}

function certsDirOf(values: Record<string, string>, env: NodeJS.ProcessEnv): string {
  return values['certs-dir'] ?? env.COCKROACH_CERTS_DIR ?? join(homedir(), '.cockroach-certs');
}

function planOptions(values: Record<string, string>, io: Io): PlanOptions & { caKey: string } {
  const ks = values['key-size'];
  if (ks !== undefined && !/^\d+$/.test(ks)) throw new UserError(`--key-size ${JSON.stringify(ks)} is not a number of bits: use e.g. --key-size 2048.`);
  return {
    certsDir: certsDirOf(values, io.env),
    caKey: values['ca-key'] ?? io.env.COCKROACH_CA_KEY ?? '',
    backupDir: values['backup-dir'] ? resolve(values['backup-dir']) : undefined,
    keySize: ks === undefined ? undefined : Number(ks),
    lifetimeMs: values.lifetime ? parseGoDuration(values.lifetime) : undefined,
    skipPermissionChecks: process.platform === 'win32' || io.env.COCKROACH_SKIP_KEY_PERMISSION_CHECK === 'true',
    gid: process.getgid?.(),
  };
}

export function planText(plan: RotationPlan): string {
  return planLines(plan).join('\n') + '\n';
}

function resultText(r: RotationResult): string {
  const lines = r.messages.map((m) => `note: ${m}`);
  if (r.backup) lines.push(`backup ${r.backup.id}: ${r.backup.dir} (${r.backup.files.length} file${r.backup.files.length === 1 ? '' : 's'})`);
  for (const s of r.plan.steps) lines.push(`${s.action === 'move' ? 'moved' : s.action === 'write' ? 'wrote' : s.action === 'replace' ? 'replaced' : s.action === 'restore' ? 'restored' : 'removed'} ${s.action === 'move' ? `${s.path} -> ${s.to}` : s.path}`);
  for (const c of r.issued) lines.push(`issued ${c.kind} certificate ${c.path}: serial ${c.serial}, expires ${c.notAfter}`);
  if (r.plan.steps.length === 0) lines.push('nothing to do.');
  return lines.join('\n') + '\n';
}

/** The test hook of the crash tests: CRDB_TLS_TEST_KILL_AT=N kills the process (SIGKILL) at the Nth write step. */
function testHook(env: NodeJS.ProcessEnv): ApplyOptions['onStep'] {
  const at = Number(env.CRDB_TLS_TEST_KILL_AT);
  if (!Number.isInteger(at) || at <= 0) return undefined;
  let n = 0;
  return () => {
    if (++n === at) process.kill(process.pid, 'SIGKILL');
  };
}

function reloadOptions(values: Record<string, string>): { pid?: number; command?: string; verify?: string; verifyTimeoutMs?: number } {
  const pid = values['reload-pid'];
  if (pid !== undefined && !/^[1-9]\d*$/.test(pid)) throw new UserError(`--reload-pid ${JSON.stringify(pid)} is not a process id.`);
  return {
    pid: pid === undefined ? undefined : Number(pid),
    command: values['reload-cmd'],
    verify: values.verify,
    verifyTimeoutMs: values['verify-timeout'] ? parseGoDuration(values['verify-timeout'], '--verify-timeout') : undefined,
  };
}

async function planAndApply(makePlan: () => RotationPlan, values: Record<string, string>, bools: Record<string, boolean>, io: Io): Promise<number> {
  const json = !!bools.json;
  const ro = reloadOptions(values);
  const certsDir = resolve(certsDirOf(values, io.env));
  if (bools['dry-run']) {
    const pending = readLock(certsDir);
    const plan = makePlan();
    const note = pending?.journal ? `note: an interrupted ${pending.journal.command} (pid ${pending.pid}) left its journal in ${certsDir}; the next rotation finishes it first.\n` : '';
    io.out(json ? JSON.stringify({ dryRun: true, plan }, null, 2) + '\n' : note + planText(plan) + 'Dry run: nothing was written.\n');
    return 0;
  }
  // An interrupted rotation is finished (or undone) before the plan is made, so the plan sees whole files.
  const recovered = recoverInterrupted(certsDir);
  const plan = makePlan();
  if (!json) io.out(recovered.map((m) => `note: ${m}\n`).join('') + planText(plan));
  const result = await applyPlan(plan, { onStep: testHook(io.env) });
  result.messages.unshift(...recovered);
  if (!json) io.out(resultText({ ...result, messages: result.messages.slice(recovered.length) }));
  let reload: ReloadReport | undefined;
  let verify: VerifyReport | undefined;
  let code = 0;
  const changed = plan.steps.length > 0;
  let reloadError: string | undefined;
  if (changed && (ro.pid !== undefined || ro.command)) {
    try {
      reload = await reloadServer({ pid: ro.pid, command: ro.command });
    } catch (err) {
      // The files are rotated already: report the failed reload with the rest instead of throwing.
      reloadError = errMessage(err);
      code = 1;
      if (!json) io.out(`reload failed: ${reloadError}\n`);
    }
    if (!json && reload?.signalled) io.out(`sent SIGHUP to process ${reload.signalled}\n`);
    if (reload?.command) {
      if (!json) io.out(`ran ${reload.command.command}: exit ${reload.command.exitCode ?? 'none'}${reload.command.output ? `\n${reload.command.output}` : ''}\n`);
      if (reload.command.exitCode !== 0) code = 1;
    }
  }
  if (ro.verify) {
    verify = await verifyServed(ro.verify, plan.certsDir, { timeoutMs: ro.verifyTimeoutMs });
    if (!verify.ok) code = 1;
    if (!json) {
      io.out(verify.ok ? `verified: ${verify.endpoint} serves node.crt serial ${verify.expectedSerial}${verify.chainVerified === false ? ' (but ca.crt does not verify its chain)' : ''}\n`
        : `NOT verified: ${verify.endpoint} serves ${verify.servedSerial ? `serial ${verify.servedSerial}` : 'nothing'}${verify.error ? ` (${verify.error})` : ''}, expected node.crt serial ${verify.expectedSerial} after ${verify.attempts} probe${verify.attempts === 1 ? '' : 's'}: reload the server (SIGHUP) and check its log.\n`);
    }
  }
  if (json) io.out(JSON.stringify({ plan, result: { backup: result.backup, issued: result.issued, messages: result.messages }, reload, reloadError, verify }, null, 2) + '\n');
  return code;
}

/** `crdb-tls cert <rotation command> ...`: `sub` is one of ROTATE_COMMANDS. */
export async function runRotate(sub: string, argv: string[], io: Io): Promise<number> {
  const cmd = `cert ${sub}`;
  const { rest, values: alsoCheck } = takeRepeated(argv, 'also-check');
  if (alsoCheck.length > 0 && sub !== 'prune-ca') throw new UserError(`${cmd}: --also-check is a flag of prune-ca.`);
  const a = parseArgs(rest, { values: VALUES, bools: BOOLS }, cmd);
  const o = planOptions(a.values, io);
  const none = () => {
    if (a.positionals.length > 0) throw new UserError(`${cmd} takes no arguments, got ${JSON.stringify(a.positionals.join(' '))}.`);
  };
  switch (sub) {
    case 'rotate-node':
      return planAndApply(() => planRotateNode({ ...o, hosts: a.positionals }), a.values, a.bools, io);
    case 'rotate-client':
      return planAndApply(() => planRotateClient({ ...o, users: a.positionals, alsoGeneratePkcs8Key: a.bools['also-generate-pkcs8-key'] }), a.values, a.bools, io);
    case 'rotate-ca':
      none();
      return planAndApply(() => planRotateCa(o), a.values, a.bools, io);
    case 'reissue-all':
      none();
      return planAndApply(() => planReissueAll({ ...o, clientCaKey: a.values['client-ca-key'] }), a.values, a.bools, io);
    case 'prune-ca':
      none();
      return planAndApply(() => planPruneCa({ ...o, alsoCheck }), a.values, a.bools, io);
    case 'rollback':
      if (a.positionals.length > 1) throw new UserError(`${cmd} takes at most one backup id, got ${a.positionals.length}: see crdb-tls cert backups.`);
      return planAndApply(() => planRollback({ ...o, backupId: a.positionals[0] }), a.values, a.bools, io);
    case 'backups': {
      none();
      const root = o.backupDir ?? defaultBackupRoot(o.certsDir);
      const list = listBackups(root, o.certsDir);
      if (a.bools.json) {
        io.out(JSON.stringify(list.map((b) => ({ id: b.id, createdAt: b.createdAt, reason: b.reason, files: b.files, created: b.created, dir: b.dir })), null, 2) + '\n');
        return 0;
      }
      io.out(`Backups of ${o.certsDir} in ${root} (newest first):\n`);
      io.out(renderTable(['Id', 'Created', 'Reason', 'Files'], list.map((b) => [b.id, b.createdAt, b.reason, b.files.map((f) => f.path).join(', ')])));
      return 0;
    }
    default:
      throw new UserError(`unknown rotation command ${JSON.stringify(sub)}: use ${ROTATE_COMMANDS.join(', ')}.`);
  }
}
