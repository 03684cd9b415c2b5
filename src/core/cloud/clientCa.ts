/**
 * Client CA changes as a plan, then its application: set (POST when NOT_SET, else PATCH), add
 * (PATCH with the old and the new CAs: rotation step 1), remove (PATCH without one CA), delete,
 * rollback (a saved bundle back). Every guard runs in planClientCaChange; the guards on local
 * files run before any request, and no change request is sent when a guard trips.
 */
import { X509Certificate } from 'node:crypto';
import { UserError } from '../errors';
import { ApiClientCa, ClientCaStatus, CloudCluster, clusterText, toCloudCluster } from './api';
import { CaEntry, CaFileCheck, bundleOf, caEntry, checkCaText, hasCert, normalizeFingerprint, parseApiBundle, readCaFile } from './bundle';
import { CloudClient } from './client';
import { assertNoDependents, dependentClientCerts } from './dependents';
import { HistoryEntry, findHistory, saveHistory } from './history';
import { assertClientCaPlan, resolveCluster } from './resolve';
import { WaitOptions, waitForClientCa } from './wait';

export type ClientCaChange =
  | { kind: 'set'; certFile: string }
  | { kind: 'add'; certFile: string }
  | { kind: 'remove'; certFile?: string; fingerprint?: string }
  | { kind: 'delete' }
  | { kind: 'rollback'; id?: string };

export interface PlanInput {
  client: CloudClient;
  /** An id or a name. */
  cluster: string;
  change: ClientCaChange;
  /** Certs dirs whose client certificates must keep a CA (remove, delete, and set/rollback when they drop one). */
  certsDirs?: readonly string[];
  /** Skip the certs-dir guard. */
  force?: boolean;
  /** The local history store (rollback reads it). */
  historyDir: string;
  now: Date;
}

/** What a change will do, as plain data: --dry-run prints it, the editor shows it for confirmation. */
export interface ClientCaPlan {
  command: ClientCaChange['kind'];
  cluster: CloudCluster;
  current: { status: ClientCaStatus; cas: CaEntry[]; pem?: string };
  /** The request to send; null when there is nothing to change. */
  request: { method: 'POST' | 'PATCH' | 'DELETE'; path: string } | null;
  /** The PEM bundle sent with POST or PATCH. */
  bundle?: string;
  after: CaEntry[];
  added: CaEntry[];
  removed: CaEntry[];
  /** The status --wait polls for. */
  waitFor: 'IS_SET' | 'NOT_SET';
  rollbackTo?: Pick<HistoryEntry, 'id' | 'time' | 'command' | 'status'>;
  warnings: string[];
  /** One line: "PATCH the client CA of "prod" (...): 2 CAs, adds CN=new". */
  summary: string;
}

function localCheck(c: ClientCaChange, now: Date): CaFileCheck | undefined {
  if (c.kind === 'set' || c.kind === 'add') return readCaFile(c.certFile, now);
  if (c.kind === 'remove') {
    if (c.certFile !== undefined && c.fingerprint !== undefined)
      throw new UserError('client-ca remove takes --cert-file or --fingerprint, not both: pass one.');
    if (c.certFile !== undefined) return readCaFile(c.certFile, now, { allowExpired: true });
    if (c.fingerprint === undefined)
      throw new UserError('client-ca remove needs the CA to drop: pass --cert-file F or --fingerprint SHA256 (client-ca show lists them).');
    if (!normalizeFingerprint(c.fingerprint))
      throw new UserError('--fingerprint must be a SHA-256 fingerprint (64 hex digits, colons optional), as "crdb-tls cloud client-ca show" prints it.');
  }
  return undefined;
}

interface Target {
  certs: X509Certificate[] | null;
  warnings: string[];
  rollbackTo?: HistoryEntry;
}

function targetOf(input: PlanInput, local: CaFileCheck | undefined, current: X509Certificate[], cluster: CloudCluster): Target {
  const c = input.change;
  const name = clusterText(cluster);
  switch (c.kind) {
    case 'set':
      return { certs: local!.certs, warnings: local!.warnings };
    case 'add':
      return { certs: [...current, ...local!.certs.filter((x) => !hasCert(current, x))], warnings: local!.warnings };
    case 'remove': {
      const fp = c.fingerprint !== undefined ? normalizeFingerprint(c.fingerprint) : undefined;
      const drop = (x: X509Certificate) => (local ? hasCert(local.certs, x) : x.fingerprint256 === fp);
      if (!current.some(drop))
        throw new UserError(
          `the client CA bundle of cluster ${name} holds no such CA (${c.certFile ?? fp}); it holds ${current.map((x) => x.fingerprint256).join(', ') || 'none'}: pick one with "crdb-tls cloud client-ca show".`,
        );
      const left = current.filter((x) => !drop(x));
      if (left.length === 0)
        throw new UserError(
          `removing it would leave cluster ${name} without a client CA: to remove the client CA altogether, use "crdb-tls cloud client-ca delete".`,
        );
      return { certs: left, warnings: [] };
    }
    case 'delete':
      return { certs: null, warnings: [] };
    case 'rollback': {
      const e = findHistory(input.historyDir, cluster, c.id);
      if (e.status === 'NOT_SET' || !e.x509_pem_cert) return { certs: null, warnings: [], rollbackTo: e };
      const checked = checkCaText(e.x509_pem_cert, `saved bundle ${e.id}`, input.now, { flag: 'rollback' });
      return { certs: checked.certs, warnings: checked.warnings, rollbackTo: e };
    }
  }
}

/** Resolves the cluster, reads its client CA, runs every guard and returns the plan. Sends GETs only. */
export async function planClientCaChange(input: PlanInput): Promise<ClientCaPlan> {
  const local = localCheck(input.change, input.now);
  const api = await resolveCluster(input.client, input.cluster);
  assertClientCaPlan(api);
  const cur = await input.client.getClientCa({ id: api.id, name: api.name });
  const cluster = toCloudCluster(api, cur);
  const name = clusterText(cluster);
  if (cur.status === 'PENDING')
    throw new UserError(
      `a client CA change is already in progress on cluster ${name} (PENDING): wait for it ("crdb-tls cloud client-ca show ${cluster.name} --wait"), then retry.`,
    );
  const current = cur.status === 'NOT_SET' ? [] : parseApiBundle(cur.x509_pem_cert).certs;
  if (input.change.kind === 'remove' && cur.status === 'NOT_SET')
    throw new UserError(`cluster ${name} has no client CA (NOT_SET): there is nothing to remove; "client-ca set" uploads one.`);
  const t = targetOf(input, local, current, cluster);
  const dropped = t.certs ? current.filter((x) => !hasCert(t.certs!, x)) : current;
  if (!input.force) {
    const action = t.certs ? `drop ${dropped.length === 1 ? 'that CA' : `${dropped.length} CAs`} from the client CA bundle` : 'delete the client CA';
    assertNoDependents(cluster, dependentClientCerts(input.certsDirs ?? [], dropped, t.certs ?? []), action);
  }
  const path = `/api/v1/clusters/${encodeURIComponent(cluster.id)}/client-ca-cert`;
  const entries = (xs: X509Certificate[]) => xs.map((x) => caEntry(x, input.now));
  const plan: ClientCaPlan = {
    command: input.change.kind,
    cluster,
    current: { status: cur.status, cas: entries(current), ...(cur.x509_pem_cert ? { pem: cur.x509_pem_cert } : {}) },
    request: null,
    after: entries(t.certs ?? []),
    added: entries((t.certs ?? []).filter((x) => !hasCert(current, x))),
    removed: entries(dropped),
    waitFor: t.certs ? 'IS_SET' : 'NOT_SET',
    warnings: t.warnings,
    summary: '',
    ...(t.rollbackTo ? { rollbackTo: { id: t.rollbackTo.id, time: t.rollbackTo.time, command: t.rollbackTo.command, status: t.rollbackTo.status } } : {}),
  };
  if (t.certs === null) {
    if (cur.status !== 'NOT_SET') plan.request = { method: 'DELETE', path };
  } else {
    const same = cur.status === 'IS_SET' && t.certs.length === current.length && t.certs.every((x) => hasCert(current, x));
    if (!same) {
      plan.request = { method: cur.status === 'NOT_SET' ? 'POST' : 'PATCH', path };
      plan.bundle = bundleOf(t.certs).pem;
    }
  }
  plan.summary = summaryOf(plan);
  return plan;
}

function summaryOf(p: ClientCaPlan): string {
  const name = clusterText(p.cluster);
  if (!p.request) return `nothing to change: the client CA of cluster ${name} is already ${p.waitFor === 'NOT_SET' ? 'not set' : 'that bundle'}.`;
  const parts = [
    ...p.added.map((e) => `adds ${e.subject} (${e.fingerprintSha256.slice(0, 11)}…)`),
    ...p.removed.map((e) => `removes ${e.subject} (${e.fingerprintSha256.slice(0, 11)}…)`),
  ];
  if (p.request.method === 'DELETE') return `DELETE the client CA of cluster ${name} (${p.current.cas.length} CA${p.current.cas.length === 1 ? '' : 's'} now).`;
  return `${p.request.method} the client CA of cluster ${name}: ${p.after.length} CA${p.after.length === 1 ? '' : 's'} after${parts.length ? `; ${parts.join('; ')}` : ''}.`;
}

export interface ApplyOptions {
  client: CloudClient;
  historyDir: string;
  now: Date;
  /** What is recorded in the history: "client-ca add prod --cert-file new.crt". */
  command: string;
  /** Poll until plan.waitFor (--wait). */
  wait?: WaitOptions;
}

export interface ClientCaResult {
  plan: ClientCaPlan;
  /** The history entry saved before the change (absent when nothing was sent). */
  saved?: Pick<HistoryEntry, 'id' | 'time'>;
  /** The status after the request, or after --wait. */
  status: ClientCaStatus;
  cas: CaEntry[];
  waited: boolean;
}

/** Saves the current bundle to the history, sends the plan's request, and with `wait` polls until it is done. */
export async function applyClientCaPlan(plan: ClientCaPlan, o: ApplyOptions): Promise<ClientCaResult> {
  const ref = { id: plan.cluster.id, name: plan.cluster.name };
  if (!plan.request) return { plan, status: plan.current.status, cas: plan.current.cas, waited: false };
  const saved = saveHistory(
    o.historyDir,
    {
      cluster: ref,
      command: o.command,
      status: plan.current.status,
      ...(plan.current.pem ? { x509_pem_cert: plan.current.pem } : {}),
      ...(plan.rollbackTo ? { rolledBackTo: plan.rollbackTo.id } : {}),
    },
    o.now,
  );
  let r: ApiClientCa;
  if (plan.request.method === 'DELETE') r = await o.client.deleteClientCa(ref);
  else if (plan.request.method === 'POST') r = await o.client.setClientCa(ref, plan.bundle!);
  else r = await o.client.updateClientCa(ref, plan.bundle!);
  if (o.wait) r = await waitForClientCa(o.client, ref, plan.waitFor, o.wait);
  return {
    plan,
    saved: { id: saved.id, time: saved.time },
    status: r.status,
    cas: parseApiBundle(r.x509_pem_cert).certs.map((x) => caEntry(x, o.now)),
    waited: !!o.wait,
  };
}
