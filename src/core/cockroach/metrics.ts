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

/** CockroachDB's metric for a certificate of `usage`, as its Prometheus endpoint names it; undefined for an unknown file. */
export function expirationMetricName(usage: Usage): string | undefined {
  const m = EXPIRATION_METRIC[usage];
  return m?.replace(/[.-]/g, '_');
}

/** CockroachDB's own name (with dots), for help texts. */
export function expirationMetricSource(usage: Usage): string | undefined {
  return EXPIRATION_METRIC[usage];
}
