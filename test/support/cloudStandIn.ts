/**
 * A small stateful stand-in of the CockroachDB Cloud API on 127.0.0.1: the one boundary the tests
 * replace. It keeps each cluster's client CA (PENDING for `pendingPolls` GETs after a change, then
 * IS_SET, NOT_SET after a delete, or FAILED when told), pages the cluster list, serves the cluster
 * CA at /clusters/<id>/cert (replaceable, to serve what is not a valid CA), and records every
 * request. Each request is checked against the official spec (CloudSpec) and so is each response it
 * sends, error bodies included, so neither our client nor the stand-in can drift.
 */
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { CloudSpec } from './cloudSpec';

export type Plan = 'BASIC' | 'STANDARD' | 'ADVANCED';
export type Status = 'NOT_SET' | 'IS_SET' | 'PENDING' | 'FAILED';

export interface StandInCluster {
  id: string;
  name: string;
  plan: Plan;
  /** The cluster CA served at /clusters/<id>/cert. */
  caPem: string;
  clientCa?: { status: Status; pem?: string };
}

export interface StandInOptions {
  apiKey: string;
  clusters: StandInCluster[];
  /** Clusters per page of GET /api/v1/clusters (default 1: every list follows pagination). */
  pageSize?: number;
  /** GETs that still see PENDING after a change (default 1). */
  pendingPolls?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  operationId?: string;
  /** What the spec (or the Cc-Version / Authorization rule) says is wrong; [] when valid. */
  contractErrors: string[];
  status: number;
  authorization?: string;
}

interface CaState {
  status: Status;
  pem?: string;
  pending?: { polls: number; to: { status: Status; pem?: string } };
}

const CC_VERSION = '2024-09-16';
const CA_PATH = /^\/api\/v1\/clusters\/([^/]+)\/client-ca-cert$/;

function clusterBody(c: StandInCluster) {
  const serverless = c.plan !== 'ADVANCED';
  const host = `${c.name}-${c.id.slice(0, 4)}.aws-us-east-1.cockroachlabs.cloud`;
  return {
    id: c.id,
    name: c.name,
    cockroach_version: 'v24.3.1',
    upgrade_status: 'FINALIZED',
    plan: c.plan,
    cloud_provider: 'AWS',
    state: 'CREATED',
    creator_id: '7cde0cd9-0d8a-4008-8f90-45092ce8afc1',
    operation_status: 'UNSPECIFIED',
    config: serverless
      ? { serverless: { routing_id: `${c.name}-1533`, upgrade_type: 'AUTOMATIC' } }
      : { dedicated: { machine_type: 'm6i.xlarge', num_virtual_cpus: 4, storage_gib: 150, memory_gib: 16, disk_iops: 3000 } },
    regions: [
      {
        name: 'us-east-1',
        sql_dns: host,
        ui_dns: serverless ? '' : `admin-${host}`,
        node_count: serverless ? 0 : 3,
        internal_dns: '',
        private_endpoint_dns: '',
      },
    ],
    cidr_range: serverless ? '' : '172.28.0.0/14',
    labels: {},
    is_customer_cloud_account: false,
  };
}

export class CloudStandIn {
  readonly requests: RecordedRequest[] = [];
  /** Responses the stand-in sent that the spec does not allow (must stay empty). */
  readonly responseErrors: string[] = [];
  private readonly ca = new Map<string, CaState>();
  private readonly failNextChange = new Set<string>();
  private server: Server | undefined;
  private base = '';

  private constructor(
    private readonly spec: CloudSpec,
    private readonly o: StandInOptions,
  ) {
    for (const c of o.clusters) this.ca.set(c.id, { status: c.clientCa?.status ?? 'NOT_SET', ...(c.clientCa?.pem ? { pem: c.clientCa.pem } : {}) });
  }

  static async start(spec: CloudSpec, o: StandInOptions): Promise<CloudStandIn> {
    const s = new CloudStandIn(spec, o);
    const server = createServer((req, res) => void s.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    s.server = server;
    s.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return s;
  }

  /** COCKROACH_SERVER for the CLI. */
  get url(): string {
    return this.base;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** The client CA the stand-in holds now. */
  clientCa(id: string): { status: Status; pem?: string } {
    const s = this.ca.get(id);
    if (!s) throw new Error(`no cluster ${id} in the stand-in`);
    return { status: s.status, ...(s.pem ? { pem: s.pem } : {}) };
  }

  /** Seeds a cluster's client CA. */
  setClientCa(id: string, status: Status, pem?: string): void {
    this.ca.set(id, { status, ...(pem ? { pem } : {}) });
  }

  /** What /clusters/<id>/cert serves from now on (any text: a leaf, an expired CA, not PEM). */
  setClusterCa(id: string, text: string): void {
    const c = this.o.clusters.find((x) => x.id === id);
    if (!c) throw new Error(`no cluster ${id} in the stand-in`);
    c.caPem = text;
  }

  /** The next change of `id` ends FAILED. */
  failNext(id: string): void {
    this.failNextChange.add(id);
  }

  /** Requests that change something (POST, PATCH, DELETE). */
  mutations(): RecordedRequest[] {
    return this.requests.filter((r) => r.method !== 'GET');
  }

  /** Requests to the API that broke the contract (must stay empty). */
  violations(): RecordedRequest[] {
    return this.requests.filter((r) => r.contractErrors.length > 0);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', this.base);
    const query = Object.fromEntries(url.searchParams);
    const text = Buffer.concat(chunks).toString('utf8');
    const rec: RecordedRequest = { method: req.method ?? '', path: url.pathname, query, contractErrors: [], status: 0 };
    if (req.headers.authorization) rec.authorization = req.headers.authorization;
    this.requests.push(rec);
    const send = (status: number, body: unknown, type = 'application/json') => {
      rec.status = status;
      // Every answer to an API operation, errors too (400, 401, 404: the spec's error shape).
      if (rec.operationId) this.responseErrors.push(...this.spec.checkResponse(rec.operationId, status, body).map((e) => `${rec.operationId}: ${e}`));
      res.writeHead(status, { 'Content-Type': type });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    const err = (status: number, code: number, message: string) => send(status, { code, message, details: [] });

    // The cluster CA download is outside the API (and its spec): a plain GET, no auth.
    const certMatch = /^\/clusters\/([^/]+)\/cert$/.exec(url.pathname);
    if (certMatch) {
      const c = this.o.clusters.find((x) => x.id === decodeURIComponent(certMatch[1]));
      if (req.method !== 'GET') return err(405, 12, 'method not allowed');
      if (req.headers.authorization) rec.contractErrors.push('the CA download takes no Authorization header');
      return c ? send(200, c.caPem, 'text/plain') : send(404, 'not found', 'text/plain');
    }

    let body: unknown;
    if (text !== '') {
      try {
        body = JSON.parse(text);
      } catch {
        rec.contractErrors.push('the body is not JSON');
      }
    }
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]));
    const check = this.spec.checkRequest({ method: rec.method, path: url.pathname, query, headers, ...(body !== undefined ? { body } : {}) });
    if (check.operationId) rec.operationId = check.operationId;
    rec.contractErrors.push(...check.errors);
    if (req.headers['cc-version'] !== CC_VERSION) rec.contractErrors.push(`Cc-Version is ${JSON.stringify(req.headers['cc-version'])}, not ${CC_VERSION}`);
    if (rec.contractErrors.length) return err(400, 3, `invalid request: ${rec.contractErrors.join('; ')}`);
    // A real server may echo what it was sent: this one does, so that a test proves our client never shows it.
    if (req.headers.authorization !== `Bearer ${this.o.apiKey}`) return err(401, 16, `invalid credentials: ${req.headers.authorization ?? 'none'}`);
    return this.route(rec, body as { x509_pem_cert?: string } | undefined, send, err);
  }

  private route(
    rec: RecordedRequest,
    body: { x509_pem_cert?: string } | undefined,
    send: (status: number, body: unknown) => void,
    err: (status: number, code: number, message: string) => void,
  ): void {
    const { path, method } = rec;
    if (path === '/api/v1/clusters' && method === 'GET') {
      const size = this.o.pageSize ?? 1;
      const from = Number(rec.query['pagination.page'] ?? '0');
      const page = this.o.clusters.slice(from, from + size).map(clusterBody);
      const next = from + size < this.o.clusters.length ? String(from + size) : undefined;
      return send(200, { clusters: page, pagination: next ? { next_page: next } : {} });
    }
    const one = /^\/api\/v1\/clusters\/([^/]+)$/.exec(path);
    const caMatch = CA_PATH.exec(path);
    const connMatch = /^\/api\/v1\/clusters\/([^/]+)\/connection-string$/.exec(path);
    const id = decodeURIComponent((one ?? caMatch ?? connMatch)?.[1] ?? '');
    const cluster = this.o.clusters.find((c) => c.id === id);
    if (!cluster) return err(404, 5, `cluster ${id} not found`);
    if (one && method === 'GET') return send(200, clusterBody(cluster));
    if (connMatch && method === 'GET') {
      const host = clusterBody(cluster).regions[0].sql_dns;
      const user = rec.query.sql_user ?? 'maxroach';
      const db = rec.query.database ?? 'defaultdb';
      return send(200, {
        connection_string: `postgresql://${user}@${host}:26257/${db}?sslmode=verify-full`,
        params: { Host: host, Port: '26257', Database: db, Username: user },
      });
    }
    if (!caMatch) return err(404, 5, 'no such route');
    if (cluster.plan !== 'ADVANCED') return err(400, 9, `client CA certificates are only supported on Advanced clusters`);
    const st = this.ca.get(cluster.id)!;
    if (method === 'GET') {
      if (st.pending && --st.pending.polls < 0) {
        Object.assign(st, st.pending.to);
        if (!st.pem) delete st.pem;
        delete st.pending;
      }
      return send(200, { status: st.status, ...(st.pem ? { x509_pem_cert: st.pem } : {}) });
    }
    if (st.status === 'PENDING') return err(400, 9, 'a client CA update is already in flight');
    if (method === 'POST' && st.status !== 'NOT_SET') return err(400, 9, 'a client CA cert is already set: use PATCH');
    if (method === 'PATCH' && st.status === 'NOT_SET') return err(400, 9, 'no client CA cert is set: use POST');
    const failed = this.failNextChange.delete(cluster.id);
    const to: { status: Status; pem?: string } = failed
      ? { status: 'FAILED', pem: st.pem }
      : method === 'DELETE'
        ? { status: 'NOT_SET' }
        : { status: 'IS_SET', pem: body?.x509_pem_cert };
    const polls = this.o.pendingPolls ?? 1;
    if (polls === 0) Object.assign(st, to);
    else Object.assign(st, { status: 'PENDING' as Status, pending: { polls, to } });
    if (method === 'DELETE' && polls !== 0) delete st.pem;
    return send(200, { status: st.status, ...(st.pem ? { x509_pem_cert: st.pem } : {}) });
  }
}
