/** CockroachDB Cloud: the host names its clusters get and where a cluster's CA certificate is downloaded. */

/** The Cloud console and API server (the Terraform provider's default; COCKROACH_SERVER overrides it). */
export const CLOUD_SERVER = 'https://cockroachlabs.cloud';

/** Every Cloud cluster's SQL host ends in this. */
export const CLOUD_HOST_SUFFIX = '.cockroachlabs.cloud';

/** Whether `host` is a CockroachDB Cloud SQL host. */
export function isCloudHost(host: string): boolean {
  return host.toLowerCase().replace(/\.$/, '').endsWith(CLOUD_HOST_SUFFIX);
}

/** The cluster CA download: a plain GET, no auth. `clusterId` may be a placeholder such as "<cluster-id>" in messages. */
export function cloudCaUrl(clusterId: string, server: string = CLOUD_SERVER): string {
  return `${server.replace(/\/+$/, '')}/clusters/${clusterId}/cert`;
}
