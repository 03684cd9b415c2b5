/** CockroachDB Cloud: the host names its clusters get and where a cluster's CA certificate is downloaded. */

/** The Cloud console and API server (the Terraform provider's default; COCKROACH_SERVER overrides it). */
export const CLOUD_SERVER = 'https://cockroachlabs.cloud';

/** Every Cloud cluster's SQL host ends in this. */
export const CLOUD_HOST_SUFFIX = '.cockroachlabs.cloud';

/** Whether `host` is a CockroachDB Cloud SQL host. */
export function isCloudHost(host: string): boolean {
  // Case-insensitive, a trailing root "." allowed; read in place (lint calls this per string).
  const end = host.endsWith('.') ? host.length - 1 : host.length;
  const start = end - CLOUD_HOST_SUFFIX.length;
  if (start < 0) return false;
  // Compared in place, ASCII letters without case (the suffix is lower case).
  for (let i = 0; i < CLOUD_HOST_SUFFIX.length; i++) {
    const ch = host.charCodeAt(start + i);
    const want = CLOUD_HOST_SUFFIX.charCodeAt(i);
    if (ch !== want && (want < 97 || want > 122 || (ch | 0x20) !== want)) return false;
  }
  return true;
}

/** The cluster CA download: a plain GET, no auth. `clusterId` may be a placeholder such as "<cluster-id>" in messages. */
export function cloudCaUrl(clusterId: string, server: string = CLOUD_SERVER): string {
  return `${server.replace(/\/+$/, '')}/clusters/${clusterId}/cert`;
}

/**
 * The subject `cockroach cert create-ca` (and crdb-tls cert create-ca) writes: O=Cockroach,
 * CN=Cockroach CA. Its key lives with whoever made it, so a file holding only such CAs is a
 * self-hosted cluster's CA, not a Cloud cluster's (the facts give Cloud CAs no name pattern).
 */
export const SELF_HOSTED_CA_SUBJECT = { O: 'Cockroach', CN: 'Cockroach CA' } as const;

/** The command that writes a Cloud cluster's CA to libpq's default CA file (--out FILE for another). */
export const CLOUD_CA_CERT_COMMAND = 'crdb-tls cloud ca-cert CLUSTER';
