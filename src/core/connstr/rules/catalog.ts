import { DEFAULT_SQL_PORT } from '../../cockroach/ports';
import { Severity } from '../types';

const DOCS = 'https://www.cockroachlabs.com/docs/stable';
export const DOC = {
  sslmode: `${DOCS}/connection-parameters#additional-connection-parameters`,
  secureUrl: `${DOCS}/connection-parameters#secure-connections-with-urls`,
  certs: `${DOCS}/cockroach-cert`,
  clientAuth: `${DOCS}/authentication#client-authentication`,
  rotate: `${DOCS}/rotate-certificates`,
  params: `${DOCS}/connection-parameters`,
  routing: 'https://www.cockroachlabs.com/docs/cockroachcloud/connect-to-your-cluster',
  cloudAuth: 'https://www.cockroachlabs.com/docs/cockroachcloud/authentication#node-identity-verification',
  jdbc: `${DOCS}/build-a-java-app-with-cockroachdb`,
} as const;

const PRISMA_SSL = 'https://www.prisma.io/docs/orm/overview/databases/postgresql#configuring-an-ssl-connection';

export interface RuleInfo {
  severity: Severity;
  docs: string;
  summary: string;
}

/** Every rule: stable code, default severity, docs link. The same codes appear in the editor, the CLI and the README. */
export const RULES: Record<string, RuleInfo> = {
  'sslmode-missing': {
    severity: 'warning',
    docs: DOC.sslmode,
    summary: "no sslmode: the driver's default decides (libpq/psycopg/pgjdbc prefer, node-postgres no TLS, cockroach CLI verify-full)",
  },
  'sslmode-disable': { severity: 'error', docs: DOC.sslmode, summary: 'sslmode=disable: no TLS at all' },
  'sslmode-allow': { severity: 'warning', docs: DOC.sslmode, summary: 'sslmode=allow: TLS only if the server insists, no verification' },
  'sslmode-prefer': { severity: 'warning', docs: DOC.sslmode, summary: 'sslmode=prefer: TLS not guaranteed, no verification' },
  'sslmode-require': { severity: 'warning', docs: DOC.sslmode, summary: 'sslmode=require: encrypted but the server is not verified' },
  'sslmode-verify-ca': { severity: 'info', docs: DOC.sslmode, summary: 'sslmode=verify-ca: the host name is not checked' },
  'sslmode-unknown': { severity: 'error', docs: DOC.sslmode, summary: 'an sslmode CockroachDB and the drivers reject' },
  'param-typo': { severity: 'error', docs: DOC.params, summary: 'a misspelled parameter the drivers ignore (sslroot=, ssl_mode=...)' },
  'param-duplicate': { severity: 'info', docs: DOC.params, summary: 'a parameter given twice: the last one wins' },
  'param-encoding': { severity: 'error', docs: DOC.params, summary: 'a value with broken percent-encoding or quoting' },
  'rootcert-missing': { severity: 'warning', docs: DOC.secureUrl, summary: 'verify-ca/verify-full without sslrootcert' },
  'rootcert-not-ca': { severity: 'error', docs: DOC.secureUrl, summary: 'sslrootcert holds no CA certificate' },
  'file-missing': { severity: 'error', docs: DOC.secureUrl, summary: 'a referenced file does not exist' },
  'file-unreadable': { severity: 'error', docs: DOC.secureUrl, summary: 'a referenced file cannot be read' },
  'file-not-cert': { severity: 'error', docs: DOC.secureUrl, summary: 'sslrootcert/sslcert holds no certificate' },
  'file-not-key': { severity: 'error', docs: DOC.secureUrl, summary: 'sslkey holds no private key' },
  'file-pem-openssl': {
    severity: 'warning',
    docs: DOC.secureUrl,
    summary: 'PEM that CockroachDB (Go) reads but OpenSSL-based clients (libpq, psql) may not: headers, blank lines, two blocks on a line',
  },
  'cert-expired': { severity: 'error', docs: DOC.rotate, summary: 'a referenced certificate has expired' },
  'cert-not-yet-valid': { severity: 'error', docs: DOC.rotate, summary: 'a referenced certificate is not valid yet (clock skew?)' },
  'cert-expiring': { severity: 'warning', docs: DOC.rotate, summary: 'a referenced certificate expires within the thresholds' },
  'sslcert-without-sslkey': { severity: 'error', docs: DOC.clientAuth, summary: 'sslcert without sslkey' },
  'sslkey-without-sslcert': { severity: 'error', docs: DOC.clientAuth, summary: 'sslkey without sslcert' },
  'key-mismatch': { severity: 'error', docs: DOC.clientAuth, summary: 'sslkey does not belong to sslcert' },
  'key-permissions': { severity: 'error', docs: DOC.clientAuth, summary: 'a key with group or world access (libpq refuses it)' },
  'jdbc-key-format': { severity: 'error', docs: DOC.jdbc, summary: 'pgjdbc (JDBC, DBeaver) needs the PKCS#8 DER key (.pk8), not a PEM key' },
  'prisma-sslcert-client-cert': {
    severity: 'error',
    docs: PRISMA_SSL,
    summary: "a client certificate as Prisma's sslcert, which Prisma reads as the server's CA (the identity is sslidentity, PKCS#12)",
  },
  'rootcert-system-unsupported': { severity: 'error', docs: DOC.secureUrl, summary: 'sslrootcert=system with a client that opens a file named "system"' },
  'cloud-ca-missing': {
    severity: 'warning',
    docs: DOC.cloudAuth,
    summary: "a Cloud host verified without sslrootcert, and libpq's default CA file (~/.postgresql/root.crt) does not exist",
  },
  'cloud-ca-different': {
    severity: 'warning',
    docs: DOC.cloudAuth,
    summary: "a Cloud host verified without sslrootcert, and libpq's default CA file holds another CA (a self-hosted one, none, or expired)",
  },
  'cloud-rootcert-system': {
    severity: 'info',
    docs: DOC.cloudAuth,
    summary: 'sslrootcert=system on a Cloud host: right for Basic and Standard (libpq 16+, pgx v5), not for Advanced',
  },
  'path-windows-unencoded': { severity: 'warning', docs: DOC.secureUrl, summary: 'a Windows path written unencoded in a URL' },
  'libpq-default-client-files': {
    severity: 'warning',
    docs: DOC.clientAuth,
    summary: "no sslcert, and libpq's default ~/.postgresql/postgresql.crt/.key exist and silently take part",
  },
  'cert-user-mismatch': { severity: 'error', docs: DOC.clientAuth, summary: "the client certificate's CN is not the connection's user" },
  'cert-no-client-auth': { severity: 'error', docs: DOC.clientAuth, summary: 'the client certificate does not allow clientAuth' },
  'cert-wrong-ca': { severity: 'error', docs: DOC.clientAuth, summary: "the client certificate is not signed by the cluster's CA" },
  'password-in-string': { severity: 'warning', docs: DOC.params, summary: 'a password written in the string' },
  'cluster-option-deprecated': { severity: 'warning', docs: DOC.routing, summary: 'options=--cluster= routing (the host name carries it now)' },
  'port-non-default': { severity: 'info', docs: DOC.params, summary: `a port other than ${DEFAULT_SQL_PORT}` },
};
