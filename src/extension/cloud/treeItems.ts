/** What the tree shows under a Cloud cluster the API knows: plan, state, regions, client CA and its CAs, the local CA file, the rotation step. */
import { expiryPhrase } from '../../core/cockroach/expiry';
import type { CloudCluster as TreeCloudCluster } from '../clusters';
import type { ClusterNode, InfoNode } from '../tree';
import type { CloudAccount, CloudInfo } from './account';
import { ROTATION_STEPS, RotationStore } from './rotationState';

const CA_ICON: Record<string, string> = { ok: 'pass', expiring: 'warning', expired: 'error', 'not-yet-valid': 'warning' };
const LOCAL_CA: Record<CloudInfo['localCa']['state'], string> = {
  absent: 'not downloaded',
  same: 'up to date',
  different: 'holds a different CA',
  unknown: 'not checked',
};

export function cloudContextValue(info: CloudInfo | undefined): string | undefined {
  if (!info) return undefined;
  return `cluster.cloud.api.${info.cluster.plan === 'ADVANCED' ? 'advanced' : info.cluster.plan.toLowerCase()}`;
}

export function cloudChildren(parent: ClusterNode, account: CloudAccount, rotations: RotationStore): InfoNode[] {
  const c = parent.state.cluster as TreeCloudCluster;
  const info = account.find(c.clusterId);
  if (!info) return [];
  const out: InfoNode[] = [];
  const add = (key: string, label: string, description: string | undefined, icon: string, tooltip?: string) =>
    out.push({ type: 'info', id: `${parent.id}|cloud|${key}`, parent, label, description, icon, tooltip });
  const k = info.cluster;
  add('plan', 'Plan', `${k.plan} · ${k.state} · ${k.cloudProvider}`, 'tag');
  for (const r of k.regions) add(`region|${r.name}`, `Region ${r.name}`, r.sqlDns, 'globe', `SQL host ${r.sqlDns}`);
  if (info.clientCa) {
    add('clientCa', 'Client CA', info.clientCa.status, 'shield');
    const now = new Date();
    for (const e of info.clientCa.cas)
      add(
        `ca|${e.fingerprintSha256}`,
        `Client CA: ${e.subject}`,
        // The tree's wording for every certificate ("expires in 9 y 11 mo"); the tooltip has the report's.
        expiryPhrase(new Date(e.notBefore), new Date(e.notAfter), now),
        CA_ICON[e.status] ?? 'info',
        `${e.subject}\nissuer ${e.issuer}\n${e.notBefore} → ${e.notAfter} (${e.statusText})\nSHA-256 ${e.fingerprintSha256}`,
      );
  } else if (k.plan !== 'ADVANCED') add('clientCa', 'Client CA', `none (${k.plan} plan: passwords or SSO)`, 'shield');
  add(
    'localCa',
    'Cluster CA file',
    `${LOCAL_CA[info.localCa.state]}: ${info.localCa.file}`,
    info.localCa.state === 'same' ? 'pass' : 'info',
    info.localCa.file,
  );
  const rot = rotations.get(k.id);
  if (rot) add('rotation', 'Client CA rotation', `step ${rot.step} of ${ROTATION_STEPS.length}: ${ROTATION_STEPS[rot.step - 1]}`, 'sync');
  if (info.problem) add('problem', info.problem, undefined, 'warning', info.problem);
  return out;
}

/** The tree's clusters for the API's: those not in settings, with the local CA file as caCert when there is one. */
export function apiClusters(account: CloudAccount): TreeCloudCluster[] {
  return account.infos.map((i) => ({
    kind: 'cloud',
    name: i.cluster.name,
    clusterId: i.cluster.id,
    host: i.cluster.regions[0]?.sqlDns ?? '',
    ...(i.localCa.state === 'same' || i.localCa.state === 'different' ? { caCert: i.localCa.file } : {}),
    source: 'api',
  }));
}
