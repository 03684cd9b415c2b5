/** The parts of the Cloud API's data (../shared/cloud-api/openapi.json, version 2024-09-16) the project reads, as plain data. */

export type ClientCaStatus = 'NOT_SET' | 'IS_SET' | 'PENDING' | 'FAILED';
export const CLIENT_CA_STATUSES: readonly ClientCaStatus[] = ['NOT_SET', 'IS_SET', 'PENDING', 'FAILED'];

/** Plan.Type. */
export type CloudPlan = 'BASIC' | 'STANDARD' | 'ADVANCED';

/** A Region as the spec has it (the fields read here). */
export interface ApiRegion {
  name: string;
  sql_dns: string;
  ui_dns?: string;
  node_count?: number;
}

/** A Cluster as the spec has it (the fields read here; the API sends many more). */
export interface ApiCluster {
  id: string;
  name: string;
  plan: CloudPlan | string;
  state: string;
  cloud_provider: string;
  regions: ApiRegion[];
  sql_dns?: string;
}

/** ClientCACertInfo. */
export interface ApiClientCa {
  status: ClientCaStatus;
  x509_pem_cert?: string;
}

/** ListClustersResponse. */
export interface ApiClusterPage {
  clusters: ApiCluster[];
  pagination?: { next_page?: string; previous_page?: string };
}

/** GetConnectionStringResponse (params is ConnectionStringParameters). */
export interface ApiConnectionString {
  connection_string: string;
  params: Record<string, string>;
}

/** A cluster as the front ends show it: `crdb-tls cloud clusters --json` prints these. */
export interface CloudCluster {
  id: string;
  name: string;
  plan: string;
  state: string;
  cloudProvider: string;
  regions: { name: string; sqlDns: string }[];
  clientCa?: { status: ClientCaStatus };
}

export function toCloudCluster(c: ApiCluster, clientCa?: ApiClientCa): CloudCluster {
  return {
    id: c.id,
    name: c.name,
    plan: c.plan,
    state: c.state,
    cloudProvider: c.cloud_provider,
    regions: (c.regions ?? []).map((r) => ({ name: r.name, sqlDns: r.sql_dns })),
    ...(clientCa ? { clientCa: { status: clientCa.status } } : {}),
  };
}

/** What a cluster is called in messages: "prod (2f3c...)", or the id alone. */
export interface ClusterRef {
  id: string;
  name?: string;
}

export function clusterText(c: ClusterRef): string {
  return c.name && c.name !== c.id ? `"${c.name}" (${c.id})` : c.id;
}
