/**
 * CockroachDB's certificate expiry metrics (pkg/security/certificate_metrics.go): Unix seconds of
 * each certificate's NotAfter, named security.certificate.expiration.<usage>. Its Prometheus
 * endpoint writes them with "." and "-" as "_" (security_certificate_expiration_client_ca).
 */
import { Usage } from './layout';

const EXPIRATION_METRIC: Partial<Record<Usage, string>> = {
  CA: 'security.certificate.expiration.ca',
  'Client CA': 'security.certificate.expiration.client-ca',
  'UI CA': 'security.certificate.expiration.ui-ca',
  'Tenant Client CA': 'security.certificate.expiration.ca-client-tenant',
  Node: 'security.certificate.expiration.node',
  UI: 'security.certificate.expiration.ui',
  Client: 'security.certificate.expiration.client',
  'Tenant Client': 'security.certificate.expiration.client-tenant',
};

/** client.node.crt, the node's client certificate (user "node"), has a metric of its own. */
const NODE_CLIENT_METRIC = 'security.certificate.expiration.node-client';

function source(usage: Usage, user?: string): string | undefined {
  return usage === 'Client' && user === 'node' ? NODE_CLIENT_METRIC : EXPIRATION_METRIC[usage];
}

/** CockroachDB's metric for a certificate of `usage` (and, for a client certificate, its user), as its Prometheus endpoint names it; undefined for an unknown file. */
export function expirationMetricName(usage: Usage, user?: string): string | undefined {
  return source(usage, user)?.replace(/[.-]/g, '_');
}

/** CockroachDB's own name (with dots), for help texts. */
export function expirationMetricSource(usage: Usage, user?: string): string | undefined {
  return source(usage, user);
}
