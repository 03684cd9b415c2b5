/** Read-only views: the organization's clusters, and a cluster's client CA with each CA in its bundle. */
import { CloudCluster, ClientCaStatus, toCloudCluster } from './api';
import { CaEntry, caEntry, parseApiBundle } from './bundle';
import { CloudApiError, CloudClient } from './client';
import { planAllowsClientCa, resolveCluster } from './resolve';
import { WaitOptions, waitForClientCa } from './wait';

/**
 * Every cluster, following pagination, with the client CA status of Advanced ones (the only plan
 * that has one). A key that may list clusters but not read client CAs (403) lists them without it.
 */
export async function listCloudClusters(client: CloudClient): Promise<CloudCluster[]> {
  const out: CloudCluster[] = [];
  for (const c of await client.listClusters()) {
    if (!planAllowsClientCa(c.plan) || c.state !== 'CREATED') {
      out.push(toCloudCluster(c));
      continue;
    }
    try {
      out.push(toCloudCluster(c, await client.getClientCa({ id: c.id, name: c.name })));
    } catch (err) {
      if (err instanceof CloudApiError && (err.status === 403 || err.status === 404)) out.push(toCloudCluster(c));
      else throw err;
    }
  }
  return out;
}

export interface ClientCaView {
  cluster: CloudCluster;
  status: ClientCaStatus;
  cas: CaEntry[];
}

/** `client-ca show`: the status and each CA of the bundle. With `wait`, polls while PENDING first. */
export async function showClientCa(client: CloudClient, ref: string, now: Date, wait?: WaitOptions): Promise<ClientCaView> {
  const api = await resolveCluster(client, ref);
  const cluster = { id: api.id, name: api.name };
  let ca = await client.getClientCa(cluster);
  if (wait && ca.status === 'PENDING') ca = await waitForClientCa(client, cluster, 'SETTLED', wait);
  return { cluster: toCloudCluster(api, ca), status: ca.status, cas: parseApiBundle(ca.x509_pem_cert).certs.map((x) => caEntry(x, now)) };
}
