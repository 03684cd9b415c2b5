import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { UserError, errMessage, quoteInput } from '../core/errors';
import { formatDuration, parseLifetime, parseTimeout } from '../core/pki/duration';
import { parseKeySize } from '../core/pki/keys';
import {
  ApplyOptions,
  DEFAULT_RELOAD_TIMEOUT_MS,
  PlanOptions,
  ReloadReport,
  readLock,
  recoverInterrupted,
  RotationPlan,
  RotationResult,
  VerifyReport,
  applyPlan,
  checkReloadTargets,
  defaultBackupRoot,
  listBackups,
  planLines,
  planPruneCa,
  planReissueAll,
  planRollback,
  planRotateCa,
  planRotateClient,
  planRotateNode,
  ServedProbe,
  reloadServer,
  verifyServed,
} from '../core/certsdir/rotate';
import { parseArgs } from './args';
import { flagSpec } from './spec';
import type { Io } from './io';
import { renderTable } from './table';

export const ROTATE_COMMANDS = ['rotate-node', 'rotate-client', 'rotate-ca', 'reissue-all', 'prune-ca', 'backups', 'rollback'] as const;

function certsDirOf(values: Record<string, string>, env: NodeJS.ProcessEnv): string {
  return values['certs-dir'] ?? env.COCKROACH_CERTS_DIR ?? join(homedir(), '.cockroach-certs');
}

function planOptions(values: Record<string, string>, io: Io): PlanOptions & { caKey: string } {
  const ks = values['key-size'];
  return {
    certsDir: certsDirOf(values, io.env),
    caKey: values['ca-key'] ?? io.env.COCKROACH_CA_KEY ?? '',
    backupDir: values['backup-dir'] !== undefined ? resolve(values['backup-dir']) : undefined,
    keySize: ks === undefined ? undefined : parseKeySize(ks),
    lifetimeMs: values.lifetime !== undefined ? parseLifetime(values.lifetime) : undefined,
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
  for (const s of r.plan.steps)
    lines.push(
      `${s.action === 'move' ? 'moved' : s.action === 'write' ? 'wrote' : s.action === 'replace' ? 'replaced' : s.action === 'restore' ? 'restored' : 'removed'} ${s.action === 'move' ? `${s.path} -> ${s.to}` : s.path}`,
    );
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

interface ReloadOptions {
  pid?: number;
  command?: string;
  commandTimeoutMs: number;
  verify?: string;
  verifyTimeoutMs?: number;
}

/** The reload and verify flags, read (and their targets checked) before anything is written. */
async function reloadOptions(values: Record<string, string>): Promise<ReloadOptions> {
  const pid = values['reload-pid'];
  if (pid !== undefined && !/^[1-9]\d{0,9}$/.test(pid.trim())) {
    throw new UserError(`--reload-pid ${quoteInput(pid)} is not a process id: pass the pid of the cockroach process (pgrep -f "cockroach start").`);
  }
  if (values['reload-timeout'] !== undefined && values['reload-cmd'] === undefined) {
    throw new UserError('--reload-timeout is the limit of --reload-cmd: add --reload-cmd "...", or leave --reload-timeout out.');
  }
  if (values['verify-timeout'] !== undefined && values.verify === undefined) {
    throw new UserError('--verify-timeout is the limit of --verify: add --verify HOST:PORT, or leave --verify-timeout out.');
  }
  const o: ReloadOptions = {
    pid: pid === undefined ? undefined : Number(pid.trim()),
    command: values['reload-cmd'],
    commandTimeoutMs: values['reload-timeout'] !== undefined ? parseTimeout(values['reload-timeout'], '--reload-timeout') : DEFAULT_RELOAD_TIMEOUT_MS,
    verify: values.verify,
    verifyTimeoutMs: values['verify-timeout'] !== undefined ? parseTimeout(values['verify-timeout'], '--verify-timeout') : undefined,
  };
  await checkReloadTargets({ pid: o.pid, verify: o.verify });
  return o;
}

/** A path for a shell command line: single-quoted when it holds anything but plain characters. */
function shellArg(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The one line that says the files are written but the server did not take them, with the way back. */
function afterWriteError(plan: RotationPlan, result: RotationResult, values: Record<string, string>, problem: string): UserError {
  const id = result.backup?.id;
  const back = id
    ? `, or undo the rotation with: crdb-tls cert rollback ${id} --certs-dir ${shellArg(plan.certsDir)}${values['backup-dir'] !== undefined ? ` --backup-dir ${shellArg(plan.backupRoot)}` : ''}`
    : '';
  const what = id ? `${plan.command} wrote the new files (backup ${id}), but ${problem}` : `${problem}`;
  return new UserError(`${what.replace(/\.$/, '')}${back}.`, plan.certsDir);
}

async function planAndApply(makePlan: () => RotationPlan, values: Record<string, string>, bools: Record<string, boolean>, io: Io): Promise<number> {
  const json = !!bools.json;
  const ro = await reloadOptions(values);
  const certsDir = resolve(certsDirOf(values, io.env));
  if (bools['dry-run']) {
    const pending = readLock(certsDir);
    const plan = makePlan();
    const note = pending?.journal
      ? `note: an interrupted ${pending.journal.command} (pid ${pending.pid}) left its journal in ${certsDir}; the next rotation finishes it first.\n`
      : '';
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
  const problems: string[] = [];
  if (changed && (ro.pid !== undefined || ro.command)) {
    try {
      reload = await reloadServer({ pid: ro.pid, command: ro.command, timeoutMs: ro.commandTimeoutMs });
    } catch (err) {
      // The files are rotated already: report the failed reload with the rest instead of throwing.
      reloadError = errMessage(err);
      code = 1;
      problems.push(`the reload failed: ${reloadError.replace(/\.$/, '')}; reload the server yourself (kill -HUP <pid>)`);
      if (!json) io.out(`reload failed: ${reloadError}\n`);
    }
    if (!json && reload?.signalled) io.out(`sent SIGHUP to process ${reload.signalled}\n`);
    const rc = reload?.command;
    if (rc) {
      const status = rc.timedOut ? `killed after ${formatDuration(rc.timeoutMs ?? ro.commandTimeoutMs)} (--reload-timeout)` : `exit ${rc.exitCode ?? 'none'}`;
      if (!json) io.out(`ran ${rc.command}: ${status}${rc.output ? `\n${rc.output}` : ''}\n`);
      if (rc.exitCode !== 0) {
        code = 1;
        problems.push(
          rc.timedOut
            ? `the reload command was ${status}; check it, then reload the server yourself`
            : `the reload command ${rc.exitCode === null ? 'could not run' : `exited with ${rc.exitCode}`}${rc.output ? ` (${quoteInput(rc.output.split('\n').pop() ?? '', 80)})` : ''}; fix it and reload the server yourself`,
        );
      }
    }
  }
  if (ro.verify) {
    const { probe } = await import('../core/tls/probe');
    const served: ServedProbe = async (host, port, caFile) => {
      const r = await probe(host, port, { caFile, timeoutMs: 5000 });
      return r.chain[0] ? { serial: r.chain[0].serial, chainVerified: r.verification?.ok } : { error: r.error?.message ?? 'no certificate served' };
    };
    verify = await verifyServed(ro.verify, plan.certsDir, served, { timeoutMs: ro.verifyTimeoutMs });
    if (!verify.ok) {
      code = 1;
      problems.push(
        `${verify.endpoint} does not serve the new node.crt (serial ${verify.expectedSerial}; it serves ${verify.servedSerial ? `serial ${verify.servedSerial}` : 'nothing'}${verify.error ? `: ${verify.error}` : ''}) after ${verify.attempts} probe${verify.attempts === 1 ? '' : 's'}; reload the server (SIGHUP) and check its log`,
      );
    }
    if (!json) {
      io.out(
        verify.ok
          ? `verified: ${verify.endpoint} serves node.crt serial ${verify.expectedSerial}${verify.chainVerified === false ? ' (but ca.crt does not verify its chain)' : ''}\n`
          : `NOT verified: ${verify.endpoint} serves ${verify.servedSerial ? `serial ${verify.servedSerial}` : 'nothing'}${verify.error ? ` (${verify.error})` : ''}, expected node.crt serial ${verify.expectedSerial} after ${verify.attempts} probe${verify.attempts === 1 ? '' : 's'}: reload the server (SIGHUP) and check its log.\n`,
      );
    }
  }
  if (json)
    io.out(
      JSON.stringify({ plan, result: { backup: result.backup, issued: result.issued, messages: result.messages }, reload, reloadError, verify }, null, 2) +
        '\n',
    );
  if (problems.length > 0) throw afterWriteError(plan, result, values, problems.join('; and '));
  return code;
}

/** `crdb-tls cert <rotation command> ...`: `sub` is one of ROTATE_COMMANDS. */
export async function runRotate(sub: string, argv: string[], io: Io): Promise<number> {
  const cmd = `cert ${sub}`;
  if (!(ROTATE_COMMANDS as readonly string[]).includes(sub))
    throw new UserError(`unknown rotation command ${quoteInput(sub)}: use ${ROTATE_COMMANDS.join(', ')}.`);
  const a = parseArgs(argv, flagSpec(cmd), cmd);
  const alsoCheck = a.lists['also-check'];
  if (alsoCheck.length > 0 && sub !== 'prune-ca') throw new UserError(`${cmd}: --also-check is a flag of prune-ca.`);
  const o = planOptions(a.values, io);
  const none = () => {
    if (a.positionals.length > 0)
      throw new UserError(`${cmd} takes no arguments, got ${quoteInput(a.positionals.join(' '))}: pass paths with flags (crdb-tls help cert ${cmd}).`);
  };
  switch (sub) {
    case 'rotate-node':
      return planAndApply(() => planRotateNode({ ...o, hosts: a.positionals }), a.values, a.bools, io);
    case 'rotate-client':
      return planAndApply(
        () => planRotateClient({ ...o, users: a.positionals, alsoGeneratePkcs8Key: a.bools['also-generate-pkcs8-key'] }),
        a.values,
        a.bools,
        io,
      );
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
        io.out(
          JSON.stringify(
            list.map((b) => ({ id: b.id, createdAt: b.createdAt, reason: b.reason, files: b.files, created: b.created, dir: b.dir })),
            null,
            2,
          ) + '\n',
        );
        return 0;
      }
      io.out(`Backups of ${o.certsDir} in ${root} (newest first):\n`);
      io.out(
        renderTable(
          ['Id', 'Created', 'Reason', 'Files'],
          list.map((b) => [b.id, b.createdAt, b.reason, b.files.map((f) => f.path).join(', ')]),
        ),
      );
      return 0;
    }
    default:
      throw new UserError(`unknown rotation command ${quoteInput(sub)}: use ${ROTATE_COMMANDS.join(', ')}.`);
  }
}
