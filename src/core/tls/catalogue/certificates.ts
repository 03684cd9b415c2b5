/**
 * Messages about the certificates in the TLS handshake: the server refusing the client's, and
 * the client refusing the server's (host name, validity, trust).
 * Plain data: ./entry.ts describes the fields, ../template.ts the text templates.
 */
import { LIBPQ_DEFAULT_ROOTCERT } from '../../cockroach/sslmode';
import { CatalogueEntry } from './entry';

export const CERTIFICATES: readonly CatalogueEntry[] = [
  // ---- server logs pasted by mistake: the other side's view
  {
    id: 'pg-log-client-cert',
    category: 'client-cert-rejected',
    clients: 'PostgreSQL server log',
    pattern: /could not accept SSL connection: (certificate verify failed|[^\n]*(?:certificate|alert)[^\n]*)/i,
    cause: "this is the server's log: it refused a client's certificate during the TLS handshake ({1}).",
    fix: '{clientCertFix}',
  },
  {
    id: 'go-server-log-remote-alert',
    category: 'unknown-authority',
    clients: 'cockroach node log',
    pattern: /TLS handshake error from (\S+): remote error: tls: (bad certificate|unknown certificate authority)/i,
    cause: "this is the node's log: the client at {1} refused the node's certificate ({2}); the client does not trust the cluster CA.",
    fix: '{trustFix}',
  },

  // ---- the server refused the client certificate (TLS alerts received from the server)
  {
    id: 'openssl-alert',
    category: 'client-cert-rejected',
    clients: 'psql/libpq, psycopg, Node (pg, TypeORM)',
    pattern:
      /(?:sslv3|tlsv1|tlsv13) alert (unknown ca|bad certificate|certificate expired|certificate required|certificate unknown|unsupported certificate|certificate revoked|access denied)/i,
    cause: '{server} {1:alert} (TLS alert "{1}").',
    fix: '{clientCertFix}',
  },
  {
    id: 'node-alert-code',
    category: 'client-cert-rejected',
    clients: 'Node (pg, TypeORM)',
    pattern:
      /ERR_SSL_(?:SSLV3|TLSV1|TLSV13)_ALERT_(UNKNOWN_CA|BAD_CERTIFICATE|CERTIFICATE_EXPIRED|CERTIFICATE_REQUIRED|CERTIFICATE_UNKNOWN|UNSUPPORTED_CERTIFICATE|CERTIFICATE_REVOKED|ACCESS_DENIED)/,
    cause: '{server} {1:words:alert} (TLS alert {1:words}).',
    fix: '{clientCertFix}',
  },
  {
    id: 'go-remote-alert',
    category: 'client-cert-rejected',
    clients: 'cockroach, pgx, lib/pq',
    pattern:
      /remote error: tls: (bad certificate|unknown certificate authority|expired certificate|certificate required|unsupported certificate|revoked certificate|unknown certificate|access denied)/i,
    cause: '{server} {1:alert} ("remote error" is the server\'s TLS alert "{1}").',
    fix: '{clientCertFix}',
  },
  {
    id: 'java-alert',
    category: 'client-cert-rejected',
    clients: 'Java (pgjdbc), DBeaver',
    pattern:
      /Received fatal alert: (bad_certificate|unknown_ca|certificate_expired|certificate_required|certificate_unknown|unsupported_certificate|certificate_revoked|access_denied)/i,
    cause: '{server} {1:alert} (TLS alert {1}). pgjdbc silently skips a key it cannot read (a PEM key instead of .pk8), and then sends no certificate.',
    fix: '{clientCertFix} For JDBC, set sslkey to the DER PKCS#8 key (client.{user}.key.pk8, from crdb-tls cert create-client --also-generate-pkcs8-key).',
  },
  {
    id: 'decrypt-error-alert',
    category: 'key-mismatch',
    clients: 'psql/libpq, Node (pg), Go',
    pattern: /(?:tlsv1 alert decrypt error|remote error: tls: error decrypting message|Received fatal alert: decrypt_error)/i,
    cause:
      '{server} could not verify the client\'s proof of key possession ("decrypt error"): the private key sent with the client certificate most likely does not belong to it.',
    fix: 'pair client.<user>.crt with the client.<user>.key issued with it ("crdb-tls inspect <cert> --key <key>" checks a pair), or issue both again.',
  },

  // ---- the server's certificate: host name
  {
    id: 'go-valid-for',
    category: 'hostname-mismatch',
    clients: 'cockroach, pgx, lib/pq',
    pattern: /x509: certificate is valid for (.+?), not ([^\s,:;)]+)/i,
    cause:
      "the server's certificate is valid for {1}, but the client connected to {2}: only verify-full checks the host, and {2} is not in the node certificate's SANs.",
    fix: '{2:reissueNode} (e.g. {1:firstListed}).',
  },
  {
    id: 'go-no-ip-sans',
    category: 'hostname-mismatch',
    clients: 'cockroach, pgx, lib/pq',
    pattern: /x509: cannot validate certificate for (\S+) because it doesn't contain any IP SANs/i,
    cause: "the client connected to the IP address {1}, but the server's certificate lists no IP addresses.",
    fix: '{1:reissueNode}.',
  },
  {
    id: 'go-no-names',
    category: 'hostname-mismatch',
    clients: 'cockroach, pgx, lib/pq',
    pattern: /x509: certificate is not valid for any names, but wanted to match (\S+)/i,
    cause: "the server's certificate has no SANs at all, so no host name (here {1}) can match.",
    fix: '{1:reissueNode}.',
  },
  {
    id: 'go-legacy-cn',
    category: 'hostname-mismatch',
    clients: 'cockroach, pgx, lib/pq',
    pattern: /x509: certificate relies on legacy Common Name field, use SANs instead/i,
    cause: "the server's certificate names its host only in the CN; Go checks SANs only.",
    fix: 're-issue the node certificate with SANs: crdb-tls cert create-node <host names and IPs> --certs-dir <certs> --ca-key <ca.key> --overwrite, deploy it and SIGHUP the node.',
  },
  {
    id: 'libpq-host-mismatch',
    category: 'hostname-mismatch',
    clients: 'psql/libpq, psycopg',
    pattern: /server certificate for "([^"]+)"(?: \(and (\d+) other names?\))? does not match host name "([^"]+)"/i,
    cause: [
      {
        when: '{2}',
        text: 'the server\'s certificate names "{1}" and {2} other name{2:plural}, but not "{3}", the host the client connected to (sslmode=verify-full checks it).',
      },
      { text: 'the server\'s certificate names "{1}", but not "{3}", the host the client connected to (sslmode=verify-full checks it).' },
    ],
    fix: '{3:reissueNode} (e.g. "{1}").',
  },
  {
    id: 'libpq-no-host-in-cert',
    category: 'hostname-mismatch',
    clients: 'psql/libpq, psycopg',
    pattern: /could not get server's host name from server certificate/i,
    cause: "the server's certificate names no host (no SANs and no CN).",
    fix: 're-issue the node certificate with its host names and IPs: crdb-tls cert create-node <hosts> --overwrite, deploy it and SIGHUP the node.',
  },
  {
    id: 'node-altnames',
    category: 'hostname-mismatch',
    clients: 'Node (pg, TypeORM)',
    pattern:
      /Hostname\/IP does not match certificate's altnames: (?:IP: (\S+) is not in the cert's list: ?([^\n]*)|Host: (\S+?)\.? is not in the cert's altnames: ([^\n]*)|([^\n]*))/i,
    cause: [
      { when: '{2|4:trim}', text: "the server's certificate lists {2|4:trim}, not {1|3}, the host the client connected to." },
      { when: '{1|3}', text: "the server's certificate lists no IP addresses, not {1|3}, the host the client connected to." },
      { text: "the server's certificate does not name the host the client connected to ({5|'':trim})." },
    ],
    fix: "{1|3|'<host>':reissueNode}.",
  },
  {
    id: 'node-altname-code',
    category: 'hostname-mismatch',
    clients: 'Node (pg, TypeORM)',
    pattern: /ERR_TLS_CERT_ALTNAME_INVALID/,
    cause: "the server's certificate does not name the host the client connected to.",
    fix: "{'<host>':reissueNode}.",
  },
  {
    id: 'java-san',
    category: 'hostname-mismatch',
    clients: 'Java (pgjdbc), DBeaver',
    pattern:
      /No subject alternative (?:names matching IP address|DNS name matching|names? matching) (\S+?) found|No name matching (\S+?) found|No subject alternative names present/i,
    cause: "the server's certificate does not list {1|2|'the host the client connected to'} in its subject alternative names.",
    fix: "{1|2|'<host>':reissueNode}.",
  },
  {
    id: 'jdbc-hostname-verifier',
    category: 'hostname-mismatch',
    clients: 'Java (pgjdbc), DBeaver',
    pattern: /The hostname (\S+) could not be verified by hostnameverifier/i,
    cause: "pgjdbc (sslmode=verify-full) found no SAN for {1} in the server's certificate.",
    fix: '{1:reissueNode}.',
  },

  // ---- the server's certificate: validity
  {
    id: 'go-not-yet-valid',
    category: 'server-cert-not-yet-valid',
    clients: 'cockroach, pgx, lib/pq',
    pattern: /x509: certificate has expired or is not yet valid: current time (\S+) is before (\S+)/i,
    cause: "the server's certificate is valid only from {2}, and the client's clock says {1}.",
    fix: 'check the clocks of this machine and of the machine that issued the certificate (NTP); cockroach and crdb-tls backdate new certificates by 24 hours for small skews.',
  },
  {
    id: 'go-expired',
    category: 'server-cert-expired',
    clients: 'cockroach, pgx, lib/pq',
    pattern: /x509: certificate has expired or is not yet valid:? (?:current time (\S+) is after (\S+))?/i,
    cause: [
      { when: '{1}', text: "the server's certificate (or its CA) expired at {2}; the client's clock says {1}." },
      { text: "the server's certificate (or its CA) has expired, or this machine's clock is wrong." },
    ],
    fix: 're-issue the node certificate (crdb-tls cert create-node <hosts> --overwrite), deploy it and SIGHUP the node; if it should still be valid, check the clock of this machine (and NTP).',
  },
  {
    id: 'java-not-yet-valid',
    category: 'server-cert-not-yet-valid',
    clients: 'Java (pgjdbc), DBeaver',
    pattern: /CertificateNotYetValidException/,
    cause:
      "the server's certificate (or a CA in its chain) is not valid yet (Java's cause chain: CertificateNotYetValidException), or this machine's clock is behind.",
    fix: 'check the clocks of this machine and of the node (a certificate issued by a machine whose clock is ahead); "crdb-tls probe HOST:PORT" shows the dates of what the node serves.',
  },
  {
    id: 'node-expired',
    category: 'server-cert-expired',
    clients: 'Node (pg, TypeORM)',
    pattern: /\bcertificate has expired\b|CERT_HAS_EXPIRED|CertificateExpiredException|validity check failed/i,
    cause: "the server's certificate (or a CA in its chain) has expired, or this machine's clock is wrong.",
    fix: 're-issue the node certificate (crdb-tls cert create-node <hosts> --overwrite), deploy it and SIGHUP the node; "crdb-tls probe HOST:PORT" shows the dates of what it serves.',
  },
  {
    id: 'node-not-yet-valid',
    category: 'server-cert-not-yet-valid',
    clients: 'Node (pg, TypeORM), Java',
    pattern: /certificate is not yet valid|CERT_NOT_YET_VALID|CertificateNotYetValidException/i,
    cause: "the server's certificate is not valid yet: its NotBefore is in the future for this machine's clock.",
    fix: 'check the clocks of this machine and of the machine that issued the certificate (NTP).',
  },

  // ---- the server's certificate: trust
  {
    id: 'go-unknown-authority',
    category: 'unknown-authority',
    clients: 'cockroach, pgx, lib/pq',
    pattern:
      /x509: certificate signed by unknown authority(?: \(possibly because of "([^"]+)" while trying to verify candidate authority certificate "([^"]+)"\))?/i,
    cause: [
      {
        when: '{2}',
        text: 'the CA file the client trusts holds a CA named "{2}", but its key did not sign the server\'s certificate ({1}): it is another cluster\'s CA, or the CA was created again.',
      },
      {
        text: `the server's certificate is not signed by a CA the client trusts: sslrootcert is missing, wrong, or a stale ${LIBPQ_DEFAULT_ROOTCERT} is used.`,
      },
    ],
    fix: '{trustFix}',
  },
  {
    id: 'node-self-signed-chain',
    category: 'unknown-authority',
    clients: 'Node (pg, TypeORM), Python (asyncpg)',
    pattern: /self[- ]signed certificate in certificate chain|SELF_SIGNED_CERT_IN_CHAIN/i,
    cause: 'the server sent its CA along with its certificate, and that CA is not the one the client trusts (ssl.ca / sslrootcert is missing or another CA).',
    fix: '{trustFix}',
  },
  {
    id: 'node-self-signed',
    category: 'unknown-authority',
    clients: 'Node (pg, TypeORM)',
    pattern: /self[- ]signed certificate|DEPTH_ZERO_SELF_SIGNED_CERT/i,
    cause: 'the server presents a self-signed certificate the client does not trust.',
    fix: '{trustFix}',
  },
  {
    id: 'node-leaf-signature',
    category: 'unknown-authority',
    clients: 'Node (pg, TypeORM)',
    pattern: /unable to verify the first certificate|UNABLE_TO_VERIFY_LEAF_SIGNATURE|unable to get local issuer certificate|UNABLE_TO_GET_ISSUER_CERT_LOCALLY/i,
    cause: "the server's certificate is not signed by a CA the client trusts (ssl.ca / sslrootcert is missing, or holds another CA).",
    fix: '{trustFix}',
  },
  {
    id: 'java-pkix',
    category: 'unknown-authority',
    clients: 'Java (pgjdbc), DBeaver',
    pattern: /PKIX path (?:building|validation) failed|unable to find valid certification path to requested target/i,
    cause: `the Java client does not trust the server's CA: with sslmode=verify-ca/verify-full pgjdbc uses sslrootcert (default ${LIBPQ_DEFAULT_ROOTCERT}), else the JVM trust store.`,
    fix: 'set sslrootcert to the cluster\'s ca.crt in the JDBC URL (or DBeaver\'s SSL tab: "Root certificate"); {trustFix}',
  },
  {
    id: 'libpq-verify-failed',
    category: 'ambiguous',
    candidates: ['unknown-authority', 'server-cert-expired', 'server-cert-not-yet-valid'],
    clients: 'psql/libpq, psycopg, ruby-pg, Python ssl',
    pattern: /certificate verify failed|CERTIFICATE_VERIFY_FAILED/i,
    cause:
      'the text alone cannot tell: libpq prints "certificate verify failed" when the server\'s certificate is signed by a CA that sslrootcert does not hold, when it has expired, and when it is not valid yet.',
    fix: 'tell them apart with crdb-tls test-connection "<connection string>" (it names the cause and its fix), or "{probe}", which shows who signed what the server serves and its dates: a CA other than sslrootcert\'s is a trust problem, dates outside today a node certificate to re-issue (or a clock to fix).',
  },
];
