/** --wait: a client CA change is asynchronous (a 200 means accepted); poll GET until IS_SET, or NOT_SET after a delete; FAILED is final. */
import { UserError } from '../errors';
import { formatDuration } from '../pki/duration';
import { abortError } from '../tls/cancel';
import { ApiClientCa, ClientCaStatus, ClusterRef, clusterText } from './api';
import { CloudClient } from './client';

export interface WaitProgress {
  status: ClientCaStatus;
  attempt: number;
  elapsedMs: number;
}

export interface WaitOptions {
  timeoutMs: number;
  /** Between polls; default 5 s. */
  intervalMs?: number;
  signal?: AbortSignal;
  onProgress?: (p: WaitProgress) => void;
  /** Tests pass a fake clock and sleep. */
  clock?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export const DEFAULT_WAIT_TIMEOUT_MS = 10 * 60_000;
export const DEFAULT_POLL_INTERVAL_MS = 5_000;

export function sleepMs(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(abortError(signal));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** What to wait for: IS_SET after a set, add or remove; NOT_SET after a delete; SETTLED (either) for show. */
export type WaitTarget = 'IS_SET' | 'NOT_SET' | 'SETTLED';

export async function waitForClientCa(client: CloudClient, cluster: ClusterRef, target: WaitTarget, o: WaitOptions): Promise<ApiClientCa> {
  const clock = o.clock ?? Date.now;
  const sleep = o.sleep ?? sleepMs;
  const start = clock();
  for (let attempt = 1; ; attempt++) {
    if (o.signal?.aborted) throw abortError(o.signal);
    const ca = await client.getClientCa(cluster);
    const elapsedMs = clock() - start;
    o.onProgress?.({ status: ca.status, attempt, elapsedMs });
    if (ca.status === target || (target === 'SETTLED' && (ca.status === 'IS_SET' || ca.status === 'NOT_SET'))) return ca;
    if (ca.status === 'FAILED')
      throw new UserError(
        `the client CA change on cluster ${clusterText(cluster)} FAILED in the Cloud: check the bundle with "crdb-tls cloud client-ca show ${cluster.name ?? cluster.id}", fix it and retry, or put the previous one back with "crdb-tls cloud client-ca rollback ${cluster.name ?? cluster.id}".`,
      );
    if (elapsedMs >= o.timeoutMs)
      throw new UserError(
        `the client CA of cluster ${clusterText(cluster)} is still ${ca.status}${target === 'SETTLED' ? '' : `, not ${target},`} after ${formatDuration(elapsedMs)}: the change goes on in the Cloud; check later with "crdb-tls cloud client-ca show ${cluster.name ?? cluster.id}", or wait longer with --timeout.`,
      );
    await sleep(Math.min(o.intervalMs ?? DEFAULT_POLL_INTERVAL_MS, Math.max(0, o.timeoutMs - elapsedMs)), o.signal);
  }
}
