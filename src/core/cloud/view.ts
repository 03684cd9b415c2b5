/** Read-only views: the organization's clusters, and a cluster's client CA with each CA in its bundle. */
import { ApiClientCa, CloudCluster, ClientCaStatus, toCloudCluster } from './api';
import { CaEntry, caEntry, parseApiBundle } from './bundle';
import { CloudApiError, CloudClient } from './client';
import { assertClientCaPlan, planAllowsClientCa, resolveCluster } from './resolve';
import { WaitOptions, waitForClientCa } from './wait';

/** A cluster of the list with the client CA the list read for it (Advanced clusters only): the editor's tree reuses it. */
export interface ListedCluster {
  cluster: CloudCluster;
  clientCa?: ApiClientCa;
}

/**
 * Every cluster, following pagination, with the client CA of Advanced ones (the only plan that
 * has one). A key that may list clusters but not read client CAs (403) lists them without it.
 */
export async function listClustersWithClientCa(client: CloudClient): Promise<ListedCluster[]> {
  const out: ListedCluster[] = [];
  for (const c of await client.listClusters()) {
    if (!planAllowsClientCa(c.plan) || c.state !== 'CREATED') {
      out.push({ cluster: toCloudCluster(c) });
      continue;
    }
    try {
      const ca = await client.getClientCa({ id: c.id, name: c.name });
      out.push({ cluster: toCloudCluster(c, ca), clientCa: ca });
    } catch (err) {
      if (err instanceof CloudApiError && (err.status === 403 || err.status === 404)) out.push({ cluster: toCloudCluster(c) });
      else throw err;
    }
  }
  return out;
}

/** `cloud clusters`: every cluster with the status of its client CA. */
export async function listCloudClusters(client: CloudClient): Promise<CloudCluster[]> {
  return (await listClustersWithClientCa(client)).map((l) => l.cluster);
}

export interface ClientCaView {
  cluster: CloudCluster;
  status: ClientCaStatus;
  cas: CaEntry[];
}

/** `client-ca show`: the status and each CA of the bundle. With `wait`, polls while PENDING first. Basic and Standard: the plan guard's sentence. */
export async function showClientCa(client: CloudClient, ref: string, now: Date, wait?: WaitOptions): Promise<ClientCaView> {
  const api = await resolveCluster(client, ref);
  assertClientCaPlan(api);
  const cluster = { id: api.id, name: api.name };
  let ca = await client.getClientCa(cluster);
  if (wait && ca.status === 'PENDING') ca = await waitForClientCa(client, cluster, 'SETTLED', wait);
  return { cluster: toCloudCluster(api, ca), status: ca.status, cas: parseApiBundle(ca.x509_pem_cert).certs.map((x) => caEntry(x, now)) };
}
