/**
 * The Cloud API client: one method per operation of the spec that the project uses, each request
 * with `Authorization: Bearer <key>` and `Cc-Version`, each failure a UserError naming the cluster,
 * the key's variable and the fix, and never the key.
 */
import { UserError, errMessage, errnoCode, quoteInput } from '../errors';
import { cloudCaUrl } from '../cockroach/cloud';
import { isAbortError } from '../tls/cancel';
import { ApiClientCa, ApiCluster, ApiClusterPage, ApiConnectionString, CLIENT_CA_STATUSES, ClusterRef, clusterText } from './api';
import { CC_VERSION, CLIENT_CA_ROLES, KeySource, SERVER_ENV, keyName, redactKey, requireApiKey } from './config';
import { HttpMethod, HttpRequest, Transport, fetchTransport } from './transport';

export interface CloudClientOptions {
  server: string;
  apiKey?: string;
  transport?: Transport;
  /** Cancels every request of this client (the editor's Cancel button). */
  signal?: AbortSignal;
  /** Where the key came from (default the environment): a refused key's message says how to replace it. */
  keySource?: KeySource;
}

/** An API answer other than 2xx, as a UserError; `status` for callers that branch on it (403 on a list's client CA is skipped). */
export class CloudApiError extends UserError {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'CloudApiError';
  }
}

/** What a request does, for messages: "read the client CA of", "list the clusters of the organization". */
interface Op {
  method: HttpMethod;
  path: string;
  what: string;
  cluster?: ClusterRef;
  body?: unknown;
  auth?: boolean;
}

const MAX_PAGES = 1000;

function statusMessage(body: string): string {
  try {
    const j = JSON.parse(body) as { message?: unknown };
    if (typeof j.message === 'string' && j.message.trim()) return j.message.trim();
  } catch {
    // not JSON
  }
  return body.trim();
}

export class CloudClient {
  readonly server: string;
  private readonly apiKey: string | undefined;
  private readonly transport: Transport;
  private readonly signal: AbortSignal | undefined;
  readonly keySource: KeySource;

  constructor(o: CloudClientOptions) {
    this.keySource = o.keySource ?? { kind: 'env' };
    this.server = o.server.replace(/\/+$/, '');
    this.apiKey = o.apiKey;
    this.transport = o.transport ?? fetchTransport();
    this.signal = o.signal;
  }

  /** Every cluster of the organization, following pagination.next_page. */
  async listClusters(): Promise<ApiCluster[]> {
    const out: ApiCluster[] = [];
    let page: string | undefined;
    for (let i = 0; i < MAX_PAGES; i++) {
      const q = page ? `?pagination.page=${encodeURIComponent(page)}` : '';
      const r = await this.json<ApiClusterPage>({ method: 'GET', path: `/api/v1/clusters${q}`, what: 'list the clusters of the organization' });
      if (!Array.isArray(r.clusters)) throw this.badAnswer('GET /api/v1/clusters', 'no clusters list');
      out.push(...r.clusters);
      page = r.pagination?.next_page || undefined;
      if (!page) return out;
    }
    throw new UserError(`the Cloud API kept returning more pages after ${MAX_PAGES} (GET /api/v1/clusters): retry later.`);
  }

  getCluster(id: string): Promise<ApiCluster> {
    return this.json<ApiCluster>({ method: 'GET', path: `/api/v1/clusters/${encodeURIComponent(id)}`, what: 'read', cluster: { id } });
  }

  async getClientCa(cluster: ClusterRef): Promise<ApiClientCa> {
    return this.clientCa({ method: 'GET', path: this.caPath(cluster), what: 'read the client CA of', cluster });
  }

  /** POST: only when the status is NOT_SET. */
  setClientCa(cluster: ClusterRef, pem: string): Promise<ApiClientCa> {
    return this.clientCa({ method: 'POST', path: this.caPath(cluster), what: 'set the client CA of', cluster, body: { x509_pem_cert: pem } });
  }

  /** PATCH: replaces the whole bundle (the spec has no append mode). */
  updateClientCa(cluster: ClusterRef, pem: string): Promise<ApiClientCa> {
    return this.clientCa({ method: 'PATCH', path: this.caPath(cluster), what: 'update the client CA of', cluster, body: { x509_pem_cert: pem } });
  }

  deleteClientCa(cluster: ClusterRef): Promise<ApiClientCa> {
    return this.clientCa({ method: 'DELETE', path: this.caPath(cluster), what: 'delete the client CA of', cluster });
  }

  /** The API's connection string for a cluster (the editor's Copy Connection String). */
  connectionString(cluster: ClusterRef, o: { database?: string; sqlUser?: string; os?: 'MAC' | 'LINUX' | 'WINDOWS' } = {}): Promise<ApiConnectionString> {
    const q = new URLSearchParams();
    if (o.database) q.set('database', o.database);
    if (o.sqlUser) q.set('sql_user', o.sqlUser);
    if (o.os) q.set('os', o.os);
    const qs = q.toString();
    return this.json<ApiConnectionString>({
      method: 'GET',
      path: `/api/v1/clusters/${encodeURIComponent(cluster.id)}/connection-string${qs ? `?${qs}` : ''}`,
      what: 'read the connection string of',
      cluster,
    });
  }

  /** The cluster CA certificate (PEM text) from <server>/clusters/<id>/cert: no auth. */
  async clusterCaPem(cluster: ClusterRef): Promise<string> {
    const url = cloudCaUrl(encodeURIComponent(cluster.id), this.server);
    return this.send({ method: 'GET', path: new URL(url).pathname, what: 'download the CA certificate of', cluster, auth: false });
  }

  private caPath(c: ClusterRef): string {
    return `/api/v1/clusters/${encodeURIComponent(c.id)}/client-ca-cert`;
  }

  private async clientCa(op: Op): Promise<ApiClientCa> {
    const r = await this.json<ApiClientCa>(op);
    if (!CLIENT_CA_STATUSES.includes(r.status)) throw this.badAnswer(`${op.method} ${op.path}`, `status ${quoteInput(String(r.status))}`);
    return r;
  }

  private async json<T>(op: Op): Promise<T> {
    const text = await this.send(op);
    try {
      const v = JSON.parse(text) as unknown;
      if (typeof v !== 'object' || v === null) throw new Error('not an object');
      return v as T;
    } catch {
      throw this.badAnswer(`${op.method} ${op.path}`, 'a body that is not a JSON object');
    }
  }

  private badAnswer(what: string, detail: string): UserError {
    return new UserError(
      `the Cloud API at ${this.server} answered ${what} with ${detail}: check ${SERVER_ENV} (it must be the Cloud API server), or retry later.`,
    );
  }

  /** Sends one request; a non-2xx answer, a network error or a cancel becomes a UserError without the key. */
  private async send(op: Op): Promise<string> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (op.auth !== false) {
      headers.Authorization = `Bearer ${requireApiKey({ server: this.server, apiKey: this.apiKey })}`;
      headers['Cc-Version'] = CC_VERSION;
    }
    const req: HttpRequest = { method: op.method, url: `${this.server}${op.path}`, headers, ...(this.signal ? { signal: this.signal } : {}) };
    if (op.body !== undefined) {
      req.body = JSON.stringify(op.body);
      headers['Content-Type'] = 'application/json';
    }
    let res;
    try {
      res = await this.transport(req);
    } catch (err) {
      throw this.networkError(op, req.url, err);
    }
    if (res.status >= 200 && res.status < 300) return res.body;
    throw this.httpError(op, res.status, res.body);
  }

  private networkError(op: Op, url: string, err: unknown): Error {
    if (isAbortError(err) && this.signal?.aborted) return err as Error;
    const cause = (err as { cause?: unknown })?.cause;
    const code = errnoCode(cause) ?? errnoCode(err) ?? (err instanceof Error && err.name === 'TimeoutError' ? 'timed out' : undefined);
    const detail = code ?? errMessage(cause ?? err);
    return new UserError(
      redactKey(
        `could not reach the Cloud API: ${op.method} ${url} failed (${detail}): check ${SERVER_ENV} (now ${this.server}), the network and any proxy, then retry.`,
        this.apiKey,
      ),
    );
  }

  private httpError(op: Op, status: number, body: string): CloudApiError {
    const target = op.cluster ? `${op.what} cluster ${clusterText(op.cluster)}` : op.what;
    const roles = CLIENT_CA_ROLES.join(' or ');
    const src = this.keySource;
    const key = keyName(src);
    let msg: string;
    if (status === 401)
      msg =
        src.kind === 'command'
          ? `the Cloud API did not accept the API key (401 Unauthorized) to ${target}: run "${src.title}" with a valid, unexpired key of a service account with the role ${roles}.`
          : `the Cloud API did not accept the API key (401 Unauthorized) to ${target}: check that ${key} holds a valid, unexpired key of a service account with the role ${roles}.`;
    else if (status === 403)
      msg =
        src.kind === 'command'
          ? `${key} may not ${target} (403 Forbidden): give its service account the role ${roles} on that cluster, or run "${src.title}" with a key that has it.`
          : `the API key in ${key} may not ${target} (403 Forbidden): give its service account the role ${roles} on that cluster, or use a key that has it.`;
    else if (status === 404 && op.cluster)
      msg = `cluster ${clusterText(op.cluster)} was not found (404 for ${op.method} ${op.path} at ${this.server}): check the name or id with "crdb-tls cloud clusters", and that ${key} belongs to the cluster's organization.`;
    else {
      const m = statusMessage(body);
      msg = `the Cloud API refused to ${target} (${status}${m ? `: ${quoteInput(m, 200)}` : ''}): ${status >= 500 ? 'retry later' : 'fix what it names and retry'}.`;
    }
    return new CloudApiError(redactKey(msg, this.apiKey), status);
  }
}
