/** CLUSTER on the command line is an id or a name: an id is read directly, a name is looked up in the organization's list. */
import { UserError, quoteInput } from '../errors';
import { ApiCluster, CloudPlan, clusterText } from './api';
import { CloudClient } from './client';
import { keyName } from './config';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether CLUSTER is a cluster id (the API's ids are UUIDs) rather than a name. */
export function isClusterId(ref: string): boolean {
  return UUID_RE.test(ref);
}

export async function resolveCluster(client: CloudClient, ref: string): Promise<ApiCluster> {
  if (ref.trim() === '') throw new UserError('CLUSTER is empty: pass a cluster id or name (crdb-tls cloud clusters lists them).');
  if (isClusterId(ref)) return client.getCluster(ref);
  const all = await client.listClusters();
  const byName = all.filter((c) => c.name === ref || c.id === ref);
  if (byName.length === 1) return byName[0];
  if (byName.length > 1)
    throw new UserError(`${byName.length} clusters are named ${quoteInput(ref)} (${byName.map((c) => c.id).join(', ')}): pass the id of the one you mean.`);
  const folded = all.filter((c) => c.name.toLowerCase() === ref.toLowerCase());
  const hint = folded.length ? ` Did you mean ${folded.map((c) => quoteInput(c.name)).join(' or ')}?` : '';
  const names = all.slice(0, 10).map((c) => c.name);
  throw new UserError(
    `no cluster named ${quoteInput(ref)} in the organization of ${keyName(client.keySource)} (${all.length} cluster${all.length === 1 ? '' : 's'}${
      names.length ? `: ${names.join(', ')}${all.length > names.length ? ', ...' : ''}` : ''
    }): pass a name or id from "crdb-tls cloud clusters".${hint}`,
  );
}

/** Only Advanced clusters take a client CA. */
export function planAllowsClientCa(plan: string): boolean {
  return plan === ('ADVANCED' satisfies CloudPlan);
}

/** The plan guard: a one-line error for Basic and Standard clusters, saying what they use instead. */
export function assertClientCaPlan(c: ApiCluster): void {
  if (planAllowsClientCa(c.plan)) return;
  const plan = c.plan === 'BASIC' ? 'Basic' : c.plan === 'STANDARD' ? 'Standard' : c.plan;
  throw new UserError(
    `cluster ${clusterText(c)} is on the ${plan} plan, which takes no client CA: ${plan} clusters present a server certificate from a public CA (connect with sslmode=verify-full sslrootcert=system) and authenticate SQL users with passwords or SSO; client certificates need an Advanced cluster.`,
  );
}
