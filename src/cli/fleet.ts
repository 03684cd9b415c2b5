import { homedir } from 'node:os';
import { UserError, quoteInput } from '../core/errors';
import { readInputBytes } from '../core/input';
import { parseLifetime, parseTimeout } from '../core/pki/duration';
import { parseKeySize } from '../core/pki/keys';
import {
  FleetDeps,
  FleetPlan,
  FleetProgress,
  FleetReport,
  FleetStatus,
  Inventory,
  fleetPlanLines,
  fleetStatus,
  loadInventory,
  planFleetDistributeCa,
  planFleetRotateNode,
  rollbackFleet,
  rollbackJournal,
  rollbackPlanLines,
  runFleetPlan,
  systemSshTransport,
} from '../core/fleet';
import { parseArgs } from './args';
import { commandHelp, groupHelp } from './help';
import { findCommand, flagSpec } from './spec';
import type { Io } from './io';
import { renderTable } from './table';

export const FLEET_USAGE = groupHelp('fleet');

/** The test hook of the crash tests: CRDB_TLS_TEST_FLEET_KILL_AT=NODE:STEP[:PHASE] kills this process (SIGKILL) there. */
function killHook(env: NodeJS.ProcessEnv): ((p: FleetProgress) => void) | undefined {
  const at = env.CRDB_TLS_TEST_FLEET_KILL_AT;
  if (!at) return undefined;
  const [node, step, phase = 'start'] = at.split(':');
  return (p) => {
    if (p.node === node && p.step === step && p.phase === phase) process.kill(process.pid, 'SIGKILL');
  };
}

function progressLine(p: FleetProgress): string {
  return `${p.node}: ${p.step} ${p.phase === 'start' ? '...' : p.phase}${p.message ? ` (${p.message})` : ''}\n`;
}

function deps(inv: Inventory, values: Record<string, string>, io: Io, json: boolean): FleetDeps {
  const hook = killHook(io.env);
  return {
    transport: systemSshTransport({ knownHostsFile: inv.knownHostsFile, identityFile: inv.sshIdentityFile, env: io.env }),
    ...(values['verify-timeout'] !== undefined ? { verifyTimeoutMs: parseTimeout(values['verify-timeout'], '--verify-timeout') } : {}),
    ...(values['reload-timeout'] !== undefined ? { reloadTimeoutMs: parseTimeout(values['reload-timeout'], '--reload-timeout') } : {}),
    onProgress: (p) => {
      if (!json && p.phase !== 'start') io.out(progressLine(p));
      hook?.(p);
    },
  };
}

function reportText(r: FleetReport): string {
  const rows = r.nodes.map((n) => [
    n.name,
    n.status,
    n.step ?? '',
    n.oldSerial ?? '',
    n.servedSerial ?? n.newSerial ?? '',
    n.restoredByteForByte === undefined ? '' : n.restoredByteForByte ? 'yes' : 'NO',
    n.cause ?? '',
  ]);
  return (
    r.messages.map((m) => `note: ${m}\n`).join('') +
    renderTable(['Node', 'Status', 'Step', 'Old serial', 'Serves serial', 'Restored byte for byte', 'Cause'], rows)
  );
}

function statusText(s: FleetStatus): string {
  const rows = s.nodes.map((n) => {
    const file = n.files.find((f) => f.file === 'node.crt');
    const ca = n.files.find((f) => f.file === 'ca.crt');
    return [
      n.name,
      file?.serial ? `${file.serial} (${file.notAfter?.slice(0, 10)}, ${file.daysLeft} d)` : n.error ? '' : 'none',
      ca?.notAfter ? `${ca.notAfter.slice(0, 10)} (${ca.daysLeft} d)` : '',
      n.served?.serial
        ? `${n.served.serial}${n.served.notAfter ? ` (${n.served.notAfter.slice(0, 10)}, ${n.served.daysLeft} d)` : ''}${n.served.expired ? ' (EXPIRED)' : n.served.chainsToCa ? '' : ' (does NOT chain to the CA)'}`
        : (n.served?.error ?? ''),
      n.error ?? (n.mismatches.length ? n.mismatches.join(' ') : 'ok'),
    ];
  });
  return renderTable(['Node', 'node.crt (serial, expires)', 'ca.crt expires', 'Serves (serial, expires)', 'Problems'], rows);
}

function parallelOf(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d{1,3}$/.test(v.trim())) throw new UserError(`--parallel ${quoteInput(v)} is not a number of nodes: use 1 (the default) to 64.`);
  return Number(v.trim());
}

export async function runFleet(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === 'help') {
    io.out(FLEET_USAGE);
    return sub === undefined ? 2 : 0;
  }
  if (!['status', 'rotate-node', 'distribute-ca', 'rollback'].includes(sub))
    throw new UserError(`unknown fleet command ${quoteInput(sub)}: use status, rotate-node, distribute-ca or rollback.`);
  const a = parseArgs(rest, flagSpec(`fleet ${sub}`), `fleet ${sub}`);
  if (a.bools.help) {
    io.out(commandHelp(`fleet ${sub}`));
    return 0;
  }
  if (a.positionals.length)
    throw new UserError(`fleet ${sub} takes no arguments, got ${quoteInput(a.positionals.join(' '))}: pass the inventory with --inventory F.`);
  const v = a.values;
  if (!v.inventory) throw new UserError(`fleet ${sub} needs the inventory: pass --inventory F (a YAML file listing the nodes).`);
  // The parse is shared; a flag the table hides for this command is another fleet command's.
  const refused =
    findCommand(`fleet ${sub}`)
      ?.flags.filter((f) => f.hidden && f.kind === 'value')
      .map((f) => f.name) ?? [];
  for (const k of Object.keys(v)) if (refused.includes(k)) throw new UserError(`fleet ${sub}: --${k} is not a flag of this command.`);
  if (a.bools['dry-run'] && sub === 'status') throw new UserError(`fleet ${sub}: --dry-run is a flag of rotate-node, distribute-ca and rollback.`);
  const json = !!a.bools.json;
  const inv = loadInventory(v.inventory, { home: io.env.HOME || homedir() });
  const d = deps(inv, v, io, json);

  if (sub === 'status') {
    const caPem = v['ca-cert'] ? readInputBytes(v['ca-cert'], { what: 'the CA file (--ca-cert)' }) : undefined;
    const s = await fleetStatus(inv, d, { caPem, caCert: v['ca-cert'] });
    io.out(json ? JSON.stringify(s, null, 2) + '\n' : statusText(s));
    return s.ok ? 0 : 1;
  }
  if (sub === 'rollback') {
    // The plan first, from the local journal (nothing contacted); --dry-run stops there.
    const j = rollbackJournal({ inventory: inv });
    const lines = j.state === 'rolled-back' ? [`the run ${j.runId} is rolled back already: nothing to do`] : rollbackPlanLines(inv, j);
    if (a.bools['dry-run']) {
      io.out(
        json
          ? JSON.stringify({ dryRun: true, plan: { runId: j.runId, command: j.command, state: j.state, lines } }, null, 2) + '\n'
          : lines.join('\n') + '\nDry run: no node was contacted or changed.\n',
      );
      return 0;
    }
    if (!json) io.out(lines.join('\n') + '\n');
    const r = await rollbackFleet({ inventory: inv, journal: j }, d);
    io.out(json ? JSON.stringify({ report: r }, null, 2) + '\n' : reportText(r));
    if (!r.ok) throw new UserError(r.error ?? 'the rollback failed.');
    return 0;
  }
  const common = { inventory: inv, caCert: v['ca-cert'] ?? '', parallel: parallelOf(v.parallel) };
  const plan: FleetPlan =
    sub === 'rotate-node'
      ? planFleetRotateNode({
          ...common,
          caKey: v['ca-key'] ?? '',
          ...(v.lifetime !== undefined ? { lifetimeMs: parseLifetime(v.lifetime) } : {}),
          ...(v['key-size'] !== undefined ? { keySize: parseKeySize(v['key-size']) } : {}),
        })
      : planFleetDistributeCa(common);
  if (a.bools['dry-run']) {
    io.out(json ? JSON.stringify({ dryRun: true, plan }, null, 2) + '\n' : fleetPlanLines(plan).join('\n') + '\nDry run: no node was contacted or changed.\n');
    return 0;
  }
  if (!json) io.out(fleetPlanLines(plan).join('\n') + '\n');
  const r = await runFleetPlan(plan, d);
  io.out(json ? JSON.stringify({ plan, report: r }, null, 2) + '\n' : reportText(r));
  if (!r.ok) throw new UserError(r.error ?? `fleet ${sub} did not finish.`);
  return 0;
}
