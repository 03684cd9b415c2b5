/**
 * `fleet status`: for each node, its files' expiry read over SSH, what its SQL port actually serves
 * (the probe), whether that chains to the CA, and any mismatch between the two. Read only.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { errMessage } from '../errors';
import { certInfo } from '../pki/certinfo';
import { findIssuer } from '../pki/chain';
import { CA_CERT, NODE_CERT, NODE_KEY, Usage } from '../cockroach/layout';
import { DEFAULT_SQL_PORT, parseHostPort } from '../cockroach/ports';
import { ExpiryStatus, daysLeft, expiryStatus } from '../cockroach/expiry';
import { FleetDeps, tlsProbe } from './context';
import { NodeRemote } from './remote';
import { certsOf } from './run';
import { FleetNode, Inventory } from './types';

export interface FileStatus {
  file: string;
  serial?: string;
  notAfter?: string;
  daysLeft?: number;
  status?: ExpiryStatus;
  /** node.crt: whether the node's ca.crt (or the local CA) verifies it. */
  chainsToCa?: boolean;
  missing?: boolean;
}

export interface NodeStatus {
  name: string;
  ssh: string;
  verify: string;
  files: FileStatus[];
  /** What the SQL port serves (the probe): its serial, NotAfter (ISO), whether the CA verifies the chain. */
  served?: { serial?: string; notAfter?: string; daysLeft?: number; expired?: boolean; chainsToCa?: boolean; error?: string };
  /** What differs between the files and what the node serves, each a sentence with the fix. */
  mismatches: string[];
  error?: string;
}

export interface FleetStatus {
  inventory: string;
  /** The CA the served chain is checked against: the local file given, else each node's ca.crt. */
  caCert?: string;
  ok: boolean;
  nodes: NodeStatus[];
}

function fileStatus(file: string, usage: Usage, pem: Buffer | undefined, now: Date): FileStatus {
  const c = certsOf(pem)[0];
  if (!c) return { file, missing: true };
  const i = certInfo(c);
  return {
    file,
    serial: i.serial,
    notAfter: i.notAfter.toISOString(),
    daysLeft: daysLeft(i.notAfter, now),
    status: expiryStatus(usage, i.notBefore, i.notAfter, now),
  };
}

async function nodeStatus(node: FleetNode, deps: FleetDeps, localCa: Buffer | undefined, now: Date): Promise<NodeStatus> {
  const s: NodeStatus = { name: node.name, ssh: node.ssh, verify: node.verify, files: [], mismatches: [] };
  let read;
  try {
    read = await new NodeRemote(deps.transport, node).read([NODE_KEY], [NODE_CERT, CA_CERT], {
      timeoutMs: deps.commandTimeoutMs ?? 30_000,
      signal: deps.signal,
    });
  } catch (err) {
    s.error = errMessage(err);
    return s;
  }
  const nodeFile = fileStatus(NODE_CERT, 'Node', read.content[NODE_CERT], now);
  const caFile = fileStatus(CA_CERT, 'CA', read.content[CA_CERT], now);
  const pool = certsOf(localCa ?? read.content[CA_CERT]);
  const nodeCert = certsOf(read.content[NODE_CERT])[0];
  if (nodeCert) nodeFile.chainsToCa = findIssuer(nodeCert, pool).signed;
  s.files.push(nodeFile, caFile, { file: NODE_KEY, ...(read.hashes[NODE_KEY] === null ? { missing: true } : {}) });
  const dir = mkdtempSync(join(tmpdir(), 'crdb-tls-fleet-status-'));
  try {
    const caPath = join(dir, CA_CERT);
    writeFileSync(caPath, localCa ?? read.content[CA_CERT] ?? '');
    const { host, port } = parseHostPort(node.verify, DEFAULT_SQL_PORT, `${node.name}.verify`);
    const p = pool.length ? await (deps.probe ?? tlsProbe)(host, port, caPath, deps.signal) : { error: 'no CA to check against' };
    const servedEnd = p.serial && p.notAfter ? new Date(p.notAfter) : undefined;
    s.served = {
      ...(p.serial ? { serial: p.serial.toLowerCase() } : {}),
      ...(servedEnd ? { notAfter: servedEnd.toISOString(), daysLeft: daysLeft(servedEnd, now) } : {}),
      ...(servedEnd && now.getTime() > servedEnd.getTime() ? { expired: true } : {}),
      ...(p.chainVerified !== undefined ? { chainsToCa: p.chainVerified } : {}),
      ...(p.error ? { error: p.error } : {}),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (nodeFile.missing) s.mismatches.push(`${node.certsDir}/node.crt holds no certificate: rotate the node (crdb-tls fleet rotate-node).`);
  const served = s.served;
  const until = (iso: string | undefined) => (iso ? `, expires ${iso}` : '');
  if (served.error) s.mismatches.push(`${node.verify} serves nothing (${served.error}): check that the node runs and listens there.`);
  else if (nodeFile.serial && served.serial !== nodeFile.serial)
    s.mismatches.push(
      `${node.verify} serves serial ${served.serial}${until(served.notAfter)}, but ${node.certsDir}/node.crt is serial ${nodeFile.serial}${until(nodeFile.notAfter)}: reload the node (${node.reload}).`,
    );
  else if (nodeFile.notAfter && served.notAfter && served.notAfter !== nodeFile.notAfter)
    s.mismatches.push(
      `${node.verify} serves a certificate that expires ${served.notAfter}, but ${node.certsDir}/node.crt (the same serial) expires ${nodeFile.notAfter}: it is not the file on disk; reload the node (${node.reload}).`,
    );
  if (served.expired)
    s.mismatches.push(
      `${node.verify} serves a certificate that expired ${served.notAfter}: clients refuse it; rotate the node (crdb-tls fleet rotate-node), or reload it if node.crt is newer (${node.reload}).`,
    );
  // An expired certificate fails TLS verification for its dates: the mismatch above says so.
  else if (served.chainsToCa === false)
    s.mismatches.push(`what ${node.verify} serves does not chain to the CA: rotate the node's certificate from the cluster CA.`);
  if (nodeFile.chainsToCa === false) s.mismatches.push(`${node.certsDir}/node.crt does not chain to the CA: rotate it (crdb-tls fleet rotate-node).`);
  if (nodeFile.status === 'expired' || nodeFile.status === 'not-yet-valid')
    s.mismatches.push(`${node.certsDir}/node.crt is ${nodeFile.status}: rotate it now.`);
  return s;
}

/** Reads every node (in turn) and probes it. Nothing is changed; an unreachable node is an `error` of its entry. */
export async function fleetStatus(inv: Inventory, deps: FleetDeps, o: { caPem?: Buffer; caCert?: string; now?: Date } = {}): Promise<FleetStatus> {
  const now = o.now ?? new Date();
  const nodes: NodeStatus[] = [];
  for (const n of inv.nodes) nodes.push(await nodeStatus(n, deps, o.caPem, now));
  return { inventory: inv.file, ...(o.caCert ? { caCert: o.caCert } : {}), ok: nodes.every((n) => !n.error && n.mismatches.length === 0), nodes };
}
