/**
 * Carries out a fleet plan: every node is checked first (SSH host key, its files, its CA), so that
 * a refused host key or a node the change would break stops the run before anything is changed;
 * then the nodes one at a time (or --parallel N), the rollout stopping at the first failure. The
 * journal beside the inventory lets a killed run be resumed (run the command again) or rolled back.
 */
import { X509Certificate } from 'node:crypto';
import { hostname } from 'node:os';
import { UserError, errMessage } from '../errors';
import { readInputBytes } from '../input';
import { certInfo } from '../pki/certinfo';
import { findIssuer } from '../pki/chain';
import { splitPem } from '../pki/pem';
import { CA_CERT, NODE_CERT } from '../cockroach/layout';
import { FleetContext, FleetDeps } from './context';
import { FleetJournal, JournalNode, ownerAlive, readJournal } from './journal';
import { NodePayload, NodeRun, issueNodeCert } from './node';
import { NodeRemote } from './remote';
import { FleetPlan, FleetReport, NodeReport, PlannedNode } from './types';

export function certsOf(pem: Buffer | undefined): X509Certificate[] {
  if (!pem) return [];
  const out: X509Certificate[] = [];
  for (const b of splitPem(pem.toString('latin1'))) {
    if (b.type !== 'CERTIFICATE') continue;
    try {
      out.push(new X509Certificate(b.der));
    } catch {
      // a broken block proves nothing
    }
  }
  return out;
}

export interface Preflight {
  hashes: Record<string, string | null>;
  nodeCert?: Buffer;
  caCert?: Buffer;
}

/** Connects to every node in turn and reads its files; the first refusal (host key, login, a node the change would break) throws. */
export async function preflight(plan: Pick<FleetPlan, 'command' | 'nodes'>, deps: FleetDeps, caPem: Buffer): Promise<Map<string, Preflight>> {
  const out = new Map<string, Preflight>();
  const local = certsOf(caPem);
  for (const node of plan.nodes) {
    deps.onProgress?.({ node: node.name, step: 'connect', phase: 'start' });
    const remote = new NodeRemote(deps.transport, node);
    const names = node.files.map((f) => f.name);
    let r;
    try {
      r = await remote.read(
        names.filter((n) => n !== NODE_CERT && n !== CA_CERT),
        [NODE_CERT, CA_CERT],
        {
          timeoutMs: deps.commandTimeoutMs ?? 30_000,
          signal: deps.signal,
        },
      );
    } catch (err) {
      deps.onProgress?.({ node: node.name, step: 'connect', phase: 'failed', message: errMessage(err) });
      throw new UserError(`${errMessage(err).replace(/\.$/, '')}; the run stopped before changing anything on any node.`);
    }
    const refuse = (why: string) => {
      deps.onProgress?.({ node: node.name, step: 'connect', phase: 'failed', message: why });
      return new UserError(`${node.name}: ${why}; nothing was changed on any node.`);
    };
    for (const n of names)
      if (r.hashes[n] === 'other') throw refuse(`${node.certsDir}/${n} is a link, a folder or a device: the fleet replaces regular files only`);
    const nodeCert = certsOf(r.content[NODE_CERT])[0];
    const pool = certsOf(r.content[CA_CERT]);
    if (plan.command === 'rotate-node') {
      const signer = local[0];
      if (!pool.some((c) => c.fingerprint256 === signer.fingerprint256))
        throw refuse(
          `its ${node.certsDir}/ca.crt does not hold the CA that signs (${certInfo(signer).subjectLine}, serial ${certInfo(signer).serial}), so its peers and clients would refuse the new node certificate: push the CA first with "crdb-tls fleet distribute-ca"`,
        );
    } else {
      if (!nodeCert) throw refuse(`${node.certsDir}/node.crt holds no certificate, so the new ca.crt cannot be checked against it`);
      if (!findIssuer(nodeCert, local).signed)
        throw refuse(
          `the new ca.crt does not verify its node.crt (serial ${certInfo(nodeCert).serial}, issued by ${certInfo(nodeCert).issuerLine}): distributing it would break the node; keep the old CA in the bundle (rotate-ca writes the combined ca.crt)`,
        );
    }
    const hashes: Record<string, string | null> = {};
    for (const n of names) hashes[n] = r.hashes[n] === undefined || r.hashes[n] === 'other' ? null : (r.hashes[n] as string | null);
    out.set(node.name, { hashes, nodeCert: r.content[NODE_CERT], caCert: r.content[CA_CERT] });
    deps.onProgress?.({ node: node.name, step: 'connect', phase: 'done' });
  }
  return out;
}

function journalFor(plan: FleetPlan, ctxNow: Date): FleetJournal {
  const names = new Set(plan.nodes.map((n) => n.name));
  const old = plan.resumes ? readJournal(plan.journal, names) : undefined;
  if (plan.resumes && (!old || old.runId !== plan.resumes))
    throw new UserError(`the journal ${plan.journal} changed since the plan was made: plan again; nothing was changed.`, plan.journal);
  if (old && ownerAlive(old)) throw new UserError(`another fleet run (pid ${old.pid}) took over ${plan.journal}: wait for it to finish.`, plan.journal);
  const nodes: JournalNode[] = plan.nodes.map(
    (n) => old?.nodes.find((x) => x.name === n.name) ?? { name: n.name, step: 'pending', changed: false, done: false, oldSha: {}, newSha: {} },
  );
  return {
    version: 1,
    runId: plan.runId,
    command: plan.command,
    inventorySha256: plan.inventorySha256,
    caCertSha256: plan.caCertSha256,
    pid: process.pid,
    hostname: hostname(),
    startedAt: old?.startedAt ?? ctxNow.toISOString(),
    updatedAt: ctxNow.toISOString(),
    state: 'running',
    nodes,
  };
}

/** Carries out `plan` (from planFleetRotateNode or planFleetDistributeCa). Bad input and refusals before any change throw a UserError. */
export async function runFleetPlan(plan: FleetPlan, deps: FleetDeps): Promise<FleetReport> {
  const caPem = readInputBytes(plan.caCert, { what: 'the CA file (--ca-cert)' });
  const now = deps.now ? deps.now() : new Date();
  const journal = journalFor(plan, now);
  const checked = await preflight(plan, deps, caPem);
  const ctx = new FleetContext(deps, plan.journal, journal);
  for (const jn of journal.nodes) if (!jn.changed && !jn.done) jn.oldSha = checked.get(jn.name)?.hashes ?? {};
  ctx.save();
  const messages = plan.resumes ? [`resumed the interrupted run ${plan.resumes}`] : [];
  const queue = [...plan.nodes];
  const reports = new Map<string, NodeReport>();
  let stop = false;
  const payload = (node: PlannedNode) => async (): Promise<NodePayload> => {
    if (plan.command === 'rotate-node') {
      const files = await issueNodeCert(plan, node, caPem, ctx.now());
      return { files, expectCert: files[NODE_CERT].toString('latin1'), caPem };
    }
    return { files: { [CA_CERT]: caPem }, expectCert: checked.get(node.name)?.nodeCert?.toString('latin1') ?? '', caPem };
  };
  // A node starts only while no node has failed and no cancel came (the nodes at work finish, or are restored).
  const next = () => (stop || ctx.failureSeen || deps.signal?.aborted ? undefined : queue.shift());
  const worker = async () => {
    for (let node = next(); node; node = next()) {
      const jn = journal.nodes.find((x) => x.name === node?.name) as JournalNode;
      const r = await new NodeRun(ctx, plan, node, jn).run(payload(node), caPem);
      reports.set(node.name, r);
      if ((r.status !== 'done' && r.status !== 'already-done') || deps.signal?.aborted) stop = true;
    }
  };
  await Promise.all(Array.from({ length: plan.parallel }, worker));
  const nodes = plan.nodes.map((n) => reports.get(n.name) ?? { name: n.name, status: 'skipped' as const });
  for (const r of nodes) {
    const pf = checked.get(r.name)?.nodeCert;
    if (pf && !r.oldSerial) r.oldSerial = certsOf(pf)[0] ? certInfo(certsOf(pf)[0]).serial : undefined;
    if (r.oldSerial === undefined) delete r.oldSerial;
  }
  const failed = nodes.find((r) => r.status === 'restored' || r.status === 'failed');
  journal.state = failed || nodes.some((r) => r.status === 'skipped') ? 'stopped' : 'complete';
  ctx.save();
  const done = nodes.filter((r) => r.status === 'done' || r.status === 'already-done').map((r) => r.name);
  return {
    command: plan.command,
    runId: plan.runId,
    ok: !failed && journal.state === 'complete',
    nodes,
    ...(failed
      ? {
          error: `${plan.command} stopped at node ${failed.name}, step ${failed.step}: ${failed.cause}${failed.status === 'restored' ? '; its previous files are back and it serves them' : ''}. Done: ${done.length ? done.join(', ') : 'none'}. Run the same command again to resume, or "crdb-tls fleet rollback --inventory ${plan.inventory}" to undo.`,
        }
      : {}),
    messages,
  };
}
