/**
 * A verify-full connection URL for a self-hosted cluster, made from what its certs dir holds: the
 * host a node certificate names, CockroachDB's SQL port, the CA that signs node certificates as
 * sslrootcert, and a client certificate and key for certificate login.
 */
import { join } from 'node:path';
import { signingCaFile } from '../cockroach/layout';
import { DEFAULT_SQL_PORT } from '../cockroach/ports';
import { encodeUrlValue } from './edit';

export interface ClusterUrlInput {
  certsDir: string;
  /** Whether the certs dir holds a file of this base name. */
  has: (name: string) => boolean;
  /** The node certificate's SANs: the host is its first DNS name without a wildcard, else its first IP, else localhost. */
  nodeSans?: { dns: readonly string[]; ip: readonly string[] } | null;
  /** The client certificate (user from its file name, client.<user>.crt) and its key. */
  client?: { user: string; cert: string; key: string };
  database?: string;
}

/** The host a client reaches the cluster at, as its node certificate names it. */
export function clusterHost(nodeSans: ClusterUrlInput['nodeSans']): string {
  return nodeSans?.dns.find((d) => !d.includes('*')) ?? nodeSans?.ip[0] ?? 'localhost';
}

/** postgresql://USER@HOST:26257/DB?sslmode=verify-full&sslrootcert=…[&sslcert=…&sslkey=…], paths percent-encoded. */
export function clusterUrl(o: ClusterUrlInput): string {
  const host = clusterHost(o.nodeSans);
  const user = o.client?.user ?? 'root';
  const ca = join(o.certsDir, signingCaFile('Node', o.has) ?? 'ca.crt');
  const files = o.client ? `&sslcert=${encodeUrlValue(o.client.cert)}&sslkey=${encodeUrlValue(o.client.key)}` : '';
  return (
    `postgresql://${encodeURIComponent(user)}@${host.includes(':') ? `[${host}]` : host}:${DEFAULT_SQL_PORT}/${encodeURIComponent(o.database ?? 'defaultdb')}` +
    `?sslmode=verify-full&sslrootcert=${encodeUrlValue(ca)}${files}`
  );
}
