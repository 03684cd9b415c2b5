/**
 * `fleet rollback`: undoes the last run recorded in the journal, on every node it changed (the
 * nodes it finished too): the node's backup of that run copied back byte for byte, reload, probe.
 * Every node is connected first (host keys checked) before any is changed; a node whose files
 * are neither what the run put there nor what it found is left alone and reported.
 */
import { UserError } from '../errors';
import { FleetContext, FleetDeps } from './context';
import { FLEET_FILES, FleetJournal, defaultJournalPath, ownerAlive, readJournal } from './journal';
import { NodeRun } from './node';
import { NodeRemote, nodeBackupDir } from './remote';
import { FleetReport, FleetSshError, Inventory, NodeReport, PlannedNode } from './types';
import { CERT_MODE, KEY_MODE } from '../certsdir/write';
import { NODE_KEY } from '../cockroach/layout';
import { errMessage } from '../errors';

export interface FleetRollbackOptions {
  inventory: Inventory;
  journalPath?: string;
  /** The journal rollbackJournal returned for these options (the CLI read it for the plan): not read again. */
  journal?: FleetJournal;
}

/**
 * The rollback of `j` as lines for confirmation (the editor) and the log: the run, each node's
 * state, and on each node it changed the backup copied back and the reload command run there (a
 * shell command from the inventory, shown before it runs, as fleetPlanLines shows a rotation's).
 */
export function rollbackPlanLines(inv: Inventory, j: FleetJournal): string[] {
  const lines = [`Undo the fleet ${j.command} run ${j.runId} (${j.state}, started ${j.startedAt}) of ${inv.file}:`];
  for (const n of j.nodes) {
    const node = inv.nodes.find((x) => x.name === n.name);
    lines.push(
      `  ${n.name}: ${n.done ? 'done' : n.changed ? 'changed, not finished' : 'not changed (only probed)'}${node ? ` (ssh ${node.ssh}, ${node.certsDir})` : ''}`,
    );
    if (node && n.changed) {
      lines.push(`    restore: ${FLEET_FILES[j.command].join(', ')} from ${nodeBackupDir(node.certsDir, j.runId)}`);
      lines.push(`    reload: ${node.reload}`);
      lines.push(`    verify: ${node.verify}`);
    }
  }
  lines.push(
    "note: Each node it changed gets back the files of that run's backup byte for byte, then its reload command, then a probe until it serves them.",
    "note: Every node is connected first (host keys checked); a node whose files are neither the run's nor the backup's is left alone and reported.",
  );
  return lines;
}

/**
 * The run `fleet rollback` would undo, refused as the rollback refuses it (no journal, a run still
 * at work, an inventory changed since), read from the local journal only: no node is contacted.
 * `--dry-run` prints its rollbackPlanLines; the rollback itself starts here.
 */
export function rollbackJournal(o: FleetRollbackOptions): FleetJournal {
  const path = o.journalPath ?? defaultJournalPath(o.inventory.file);
  const j = readJournal(path, new Set(o.inventory.nodes.map((n) => n.name)));
  if (!j) throw new UserError(`there is no fleet run to roll back for ${o.inventory.file} (no journal ${path}).`, path);
  if (ownerAlive(j)) throw new UserError(`the fleet run ${j.runId} (pid ${j.pid} on ${j.hostname}) is still at work: wait for it, or stop it first.`, path);
  if (j.inventorySha256 !== o.inventory.sha256)
    throw new UserError(
      `${o.inventory.file} changed since the run ${j.runId}: roll back with the inventory as it was then (its certsDir and ssh addresses name the files to restore); nothing was changed.`,
      path,
    );
  return j;
}

export async function rollbackFleet(o: FleetRollbackOptions, deps: FleetDeps): Promise<FleetReport> {
  const path = o.journalPath ?? defaultJournalPath(o.inventory.file);
  const j = o.journal ?? rollbackJournal(o);
  if (j.state === 'rolled-back') return { command: 'rollback', runId: j.runId, ok: true, nodes: [], messages: [`the run ${j.runId} is rolled back already`] };
  const files = FLEET_FILES[j.command].map((name) => ({
    name,
    mode: name === NODE_KEY ? KEY_MODE : CERT_MODE,
    what: name === NODE_KEY ? ('node key' as const) : name === 'ca.crt' ? ('CA certificate' as const) : ('node certificate' as const),
  }));
  const nodes: PlannedNode[] = o.inventory.nodes
    .filter((n) => j.nodes.some((x) => x.name === n.name))
    .map((n) => ({ ...n, files, backupDir: nodeBackupDir(n.certsDir, j.runId) }));
  const limits = { timeoutMs: deps.commandTimeoutMs ?? 30_000, signal: deps.signal };
  // Host keys and logins of every node before any change.
  const current = new Map<string, Record<string, unknown>>();
  for (const n of nodes) {
    deps.onProgress?.({ node: n.name, step: 'connect', phase: 'start' });
    try {
      current.set(
        n.name,
        (
          await new NodeRemote(deps.transport, n).read(
            files.map((f) => f.name),
            [],
            limits,
          )
        ).hashes,
      );
    } catch (err) {
      deps.onProgress?.({ node: n.name, step: 'connect', phase: 'failed', message: errMessage(err) });
      if (err instanceof FleetSshError || err instanceof Error)
        throw new UserError(`${errMessage(err).replace(/\.$/, '')}; the rollback stopped before changing anything.`);
      throw err;
    }
    deps.onProgress?.({ node: n.name, step: 'connect', phase: 'done' });
  }
  const ctx = new FleetContext(deps, path, j);
  j.state = 'running';
  j.pid = process.pid;
  ctx.save();
  const reports: NodeReport[] = [];
  for (const n of nodes) {
    const jn = j.nodes.find((x) => x.name === n.name);
    if (!jn) continue;
    const now = current.get(n.name) ?? {};
    const names = files.map((f) => f.name);
    const ours = names.every((f) => now[f] === (jn.newSha[f] ?? jn.oldSha[f] ?? null) || now[f] === (jn.oldSha[f] ?? null));
    if (jn.changed && !ours) {
      reports.push({
        name: n.name,
        status: 'failed',
        step: 'restore',
        cause: `its files changed after the run ${j.runId} (not what it put there): left alone; restore them by hand from ${n.backupDir}`,
      });
      continue;
    }
    const run = new NodeRun(ctx, { command: j.command, runId: j.runId }, n, jn);
    const r = await run.restore('restore');
    jn.done = false;
    jn.step = 'restore';
    reports.push(
      r.ok
        ? { name: n.name, status: 'restored', servedSerial: r.servedSerial, restoredByteForByte: r.byteForByte }
        : { name: n.name, status: 'failed', step: 'restore', cause: r.cause },
    );
  }
  const failed = reports.find((r) => r.status === 'failed');
  j.state = failed ? 'stopped' : 'rolled-back';
  ctx.save();
  return {
    command: 'rollback',
    runId: j.runId,
    ok: !failed,
    nodes: reports,
    ...(failed ? { error: `rollback of ${j.runId}: node ${failed.name}: ${failed.cause}. Fix it, then run the rollback again.` } : {}),
    messages: [],
  };
}
