import { quoteInput } from '../errors';
import { Category, Diagnosis } from './types';

/**
 * The catalogue of error messages, as printed by psql/libpq (and psycopg, which passes libpq's text
 * on), the cockroach CLI and Go drivers (pgx, lib/pq), Java (pgjdbc, and DBeaver, which shows
 * pgjdbc's messages), Node (pg, and TypeORM/Prisma on top of it), mapped to the categories of
 * test-connection with a cause and a fix. Order matters: the first entry that matches wins, so
 * specific messages (a TLS alert naming a certificate) come before general ones.
 */

export interface ExplainResult extends Diagnosis {
  /** The catalogue entry that matched and the text it matched; absent when the text is not recognised. */
  matched?: { id: string; clients: string; text: string };
}

/** Hosts, ports, users and files quoted in the text, to name them in the fix. */
export interface TextContext {
  host?: string;
  port?: string;
  user?: string;
}

interface Entry {
  id: string;
  category: Category;
  clients: string;
  re: RegExp;
  cause: (m: RegExpExecArray, c: TextContext) => string;
  fix: (m: RegExpExecArray, c: TextContext) => string;
}

const hp = (c: TextContext) => (c.host ? `${c.host.includes(':') ? `[${c.host}]` : c.host}:${c.port ?? '26257'}` : 'HOST:PORT');
const probeCmd = (c: TextContext) => `crdb-tls probe ${hp(c)} --ca-file <ca.crt>`;
const theServer = (c: TextContext) => (c.host ? `the server at ${hp(c)}` : 'the server');
const user = (c: TextContext, m?: string) => m ?? c.user ?? '<user>';

const TRUST_FIX = (c: TextContext) =>
  `point sslrootcert at the CA that issued the node certificates: the cluster's ca.crt (from a node's certs directory; for CockroachDB Cloud, download it from the Connect dialog or https://cockroachlabs.cloud/clusters/<cluster-id>/cert into ~/.postgresql/root.crt); ` +
  `check for typos such as "sslroot=" that leave sslrootcert unset; "${probeCmd(c)}" shows which CA signed what the server serves.`;

const REISSUE_NODE = (host: string) =>
  `re-issue the node certificate with that name: crdb-tls cert create-node <every host name and IP of the node> ${host} --certs-dir <certs> --ca-key <ca.key> --overwrite, copy node.crt and node.key to the node and send the cockroach process SIGHUP; or connect with a name the certificate lists`;

const CLIENT_CERT_FIX = (c: TextContext) =>
  `issue the client certificate from the CA the cluster trusts for clients (ca-client.crt when it exists, else ca.crt): crdb-tls cert create-client ${user(c)} --certs-dir <certs> --ca-key <ca.key>, and point sslcert/sslkey at client.${user(c)}.crt and client.${user(c)}.key; ` +
  `for CockroachDB Cloud, upload the CA that signed it as the cluster's client CA; check that the certificate has not expired (crdb-tls inspect <client cert>).`;

const ALERTS: Record<string, string> = {
  'unknown ca': 'does not trust the CA that signed the client certificate', unknown_ca: 'does not trust the CA that signed the client certificate',
  'unknown certificate authority': 'does not trust the CA that signed the client certificate',
  'bad certificate': 'refused the client certificate (not signed by a CA it trusts, wrong key usage, or no certificate at all)', bad_certificate: 'refused the client certificate (not signed by a CA it trusts, wrong key usage, or no certificate at all)',
  'certificate expired': 'says the client certificate has expired', certificate_expired: 'says the client certificate has expired', 'expired certificate': 'says the client certificate has expired',
  'certificate required': 'requires a client certificate and none was sent', certificate_required: 'requires a client certificate and none was sent',
  'certificate unknown': 'could not verify the client certificate', certificate_unknown: 'could not verify the client certificate', 'unknown certificate': 'could not verify the client certificate',
  'unsupported certificate': 'refused the client certificate for its key usage (it needs the clientAuth extended key usage)', unsupported_certificate: 'refused the client certificate for its key usage (it needs the clientAuth extended key usage)',
  'certificate revoked': 'says the client certificate is revoked', certificate_revoked: 'says the client certificate is revoked', 'revoked certificate': 'says the client certificate is revoked',
  'access denied': 'denied access after checking the client certificate', access_denied: 'denied access after checking the client certificate',
};

const ALERT_RE = 'unknown ca|bad certificate|certificate expired|certificate required|certificate unknown|unsupported certificate|certificate revoked|access denied';

export const CATALOGUE: Entry[] = [
  // ---- local files: key permissions, key/cert mismatch, missing files
  {
    id: 'libpq-key-permissions', category: 'key-permissions', clients: 'psql/libpq, psycopg',
    re: /private key file "([^"]+)" has group or world access/i,
    cause: (m) => `libpq refuses the private key ${m[1]}: other users can read it (it must be at most 0600 when owned by the user running the client, or 0640 when owned by root).`,
    fix: (m) => `chmod 600 ${m[1]} (and chown it to the user that runs the client).`,
  },
  {
    id: 'cockroach-key-permissions', category: 'key-permissions', clients: 'cockroach',
    re: /key file (\S+) has permissions (\S+), exceeds (\S+)/i,
    cause: (m) => `cockroach refuses the key file ${m[1]}: its mode ${m[2]} allows more than ${m[3]}.`,
    fix: (m) => `chmod 600 ${m[1]} (or set COCKROACH_SKIP_KEY_PERMISSION_CHECK=true where the file system cannot keep modes, e.g. some Kubernetes secret mounts).`,
  },
  {
    id: 'libpq-key-mismatch', category: 'key-mismatch', clients: 'psql/libpq, psycopg',
    re: /certificate does not match private key file "([^"]+)"/i,
    cause: (m) => `the private key ${m[1]} does not belong to the client certificate (sslcert).`,
    fix: (m) => `point sslkey at the key issued together with the certificate (client.<user>.key next to client.<user>.crt) instead of ${m[1]}, or issue both again: crdb-tls cert create-client <user> --certs-dir <certs> --ca-key <ca.key> --overwrite.`,
  },
  {
    id: 'go-key-mismatch', category: 'key-mismatch', clients: 'cockroach, pgx, lib/pq',
    re: /tls: private key does not match public key/i,
    cause: () => 'the private key does not belong to the certificate it is loaded with (Go\'s tls.X509KeyPair compares them).',
    fix: () => 'pair each .crt with the .key issued with it (client.<user>.crt with client.<user>.key); "crdb-tls inspect <cert> --key <key>" checks a pair; issue both again if the key is lost.',
  },
  {
    id: 'openssl-key-mismatch', category: 'key-mismatch', clients: 'Node (pg, TypeORM), psql/libpq',
    re: /key values mismatch|KEY_VALUES_MISMATCH/i,
    cause: () => 'OpenSSL refused the key: it does not belong to the certificate it was loaded with ("key values mismatch").',
    fix: () => 'pair each .crt with the .key issued with it; "crdb-tls inspect <cert> --key <key>" checks a pair; issue both again if the key is lost.',
  },
  {
    id: 'libpq-root-missing', category: 'file-missing', clients: 'psql/libpq, psycopg',
    re: /root certificate file "([^"]+)" does not exist/i,
    cause: (m) => `the client verifies the server (sslmode verify-ca or verify-full) but the CA file ${m[1]} does not exist; without sslrootcert libpq looks for ~/.postgresql/root.crt.`,
    fix: (m) => `set sslrootcert to the cluster's ca.crt, or copy the cluster CA to ${m[1]}; for CockroachDB Cloud, download the CA certificate from the Connect dialog.`,
  },
  {
    id: 'libpq-cert-missing', category: 'file-missing', clients: 'psql/libpq, psycopg',
    re: /could not open certificate file "([^"]+)": (No such file or directory|[^\n]*not exist[^\n]*)/i,
    cause: (m) => `the client certificate file ${m[1]} does not exist.`,
    fix: (m) => `fix the sslcert path (relative paths are relative to the client's working directory), or issue the certificate: crdb-tls cert create-client <user> --certs-dir ${dirOf(m[1])} --ca-key <ca.key>.`,
  },
  {
    id: 'libpq-key-missing', category: 'file-missing', clients: 'psql/libpq, psycopg',
    re: /certificate present, but not private key file "([^"]+)"/i,
    cause: (m) => `the client certificate was found but its private key ${m[1]} was not (without sslkey libpq looks for ~/.postgresql/postgresql.key).`,
    fix: () => 'set sslkey to the key issued with the certificate (client.<user>.key).',
  },
  {
    id: 'go-file-missing', category: 'file-missing', clients: 'cockroach, pgx, lib/pq',
    re: /open ([^\s:]+): no such file or directory/i,
    cause: (m) => `the file ${m[1]} does not exist.`,
    fix: (m) => `fix the path (relative paths resolve from the working directory of the program), or create the file: ${certHint(m[1])}.`,
  },
  {
    id: 'node-file-missing', category: 'file-missing', clients: 'Node (pg, TypeORM)',
    re: /ENOENT: no such file or directory, open '([^']+)'/i,
    cause: (m) => `the file ${m[1]} does not exist (pg reads sslrootcert, sslcert and sslkey from disk when it parses the connection string).`,
    fix: (m) => `fix the path (relative paths resolve from process.cwd()), or create the file: ${certHint(m[1])}.`,
  },
  {
    id: 'cockroach-no-certs', category: 'file-missing', clients: 'cockroach',
    re: /no certificates found; does certs dir exist\?|cannot load certificates/i,
    cause: () => 'cockroach found no certificates in its certs directory (--certs-dir, default ${HOME}/.cockroach-certs).',
    fix: () => 'pass --certs-dir pointing at the folder with ca.crt and client.<user>.crt/.key (or node.crt/node.key), or create them with crdb-tls cert create-ca / create-client; use --insecure only for an insecure cluster.',
  },
  {
    id: 'jdbc-root-missing', category: 'file-missing', clients: 'Java (pgjdbc), DBeaver',
    re: /Could not open SSL root certificate file ([^\s]+?)\.?(?:\s|$)/i,
    cause: (m) => `pgjdbc cannot open the CA file ${m[1]} (without sslrootcert it looks for ~/.postgresql/root.crt).`,
    fix: (m) => `set sslrootcert to the cluster's ca.crt, or put the cluster CA at ${m[1]}.`,
  },
  {
    id: 'jdbc-cert-missing', category: 'file-missing', clients: 'Java (pgjdbc), DBeaver',
    re: /Could not open SSL certificate file ([^\s]+?)\.?(?:\s|$)/i,
    cause: (m) => `pgjdbc cannot open the client certificate ${m[1]}.`,
    fix: () => 'fix sslcert (absolute paths are safest in DBeaver and application servers), or issue the certificate with crdb-tls cert create-client <user>.',
  },
  {
    id: 'jdbc-key-format', category: 'other', clients: 'Java (pgjdbc), DBeaver',
    re: /Could not read SSL key file ([^\s]+?)\.?(?:\s|$)/i,
    cause: (m) => `pgjdbc cannot read the key ${m[1]}: it needs a DER PKCS#8 key (.pk8), not the PEM key cockroach writes.`,
    fix: (m) => `create the PKCS#8 key with crdb-tls cert create-client <user> --also-generate-pkcs8-key (or openssl pkcs8 -topk8 -inform PEM -outform DER -nocrypt -in ${m[1]} -out ${m[1].replace(/\.key$/, '')}.key.pk8) and set sslkey to the .pk8 file.`,
  },
  {
    id: 'libpq-root-unreadable', category: 'other', clients: 'psql/libpq, psycopg',
    re: /could not read root certificate file "([^"]+)": ([^\n]+)/i,
    cause: (m) => `libpq cannot read ${m[1]} as PEM certificates (${m[2].trim()}).`,
    fix: (m) => `make ${m[1]} the cluster's ca.crt in PEM form ("crdb-tls inspect ${m[1]}" shows what it holds).`,
  },
  {
    id: 'libpq-key-unloadable', category: 'other', clients: 'psql/libpq, psycopg',
    re: /could not load private key file "([^"]+)": ([^\n]+)/i,
    cause: (m) => `libpq cannot load the private key ${m[1]} (${m[2].trim()}): it is not an unencrypted PEM key.`,
    fix: (m) => `use the PEM key cockroach wrote (client.<user>.key); "crdb-tls inspect ${m[1]}" shows what the file holds.`,
  },

  // ---- server logs pasted by mistake: the other side's view
  {
    id: 'pg-log-client-cert', category: 'client-cert-rejected', clients: 'PostgreSQL server log',
    re: /could not accept SSL connection: (certificate verify failed|[^\n]*(?:certificate|alert)[^\n]*)/i,
    cause: (m) => `this is the server's log: it refused a client's certificate during the TLS handshake (${m[1]}).`,
    fix: (_m, c) => CLIENT_CERT_FIX(c),
  },
  {
    id: 'go-server-log-remote-alert', category: 'unknown-authority', clients: 'cockroach node log',
    re: /TLS handshake error from (\S+): remote error: tls: (bad certificate|unknown certificate authority)/i,
    cause: (m) => `this is the node's log: the client at ${m[1]} refused the node's certificate (${m[2]}); the client does not trust the cluster CA.`,
    fix: (_m, c) => TRUST_FIX(c),
  },

  // ---- the server refused the client certificate (TLS alerts received from the server)
  {
    id: 'openssl-alert', category: 'client-cert-rejected', clients: 'psql/libpq, psycopg, Node (pg, TypeORM)',
    re: new RegExp(`(?:sslv3|tlsv1|tlsv13) alert (${ALERT_RE})`, 'i'),
    cause: (m, c) => `${theServer(c)} ${ALERTS[m[1].toLowerCase()]} (TLS alert "${m[1]}").`,
    fix: (_m, c) => CLIENT_CERT_FIX(c),
  },
  {
    id: 'node-alert-code', category: 'client-cert-rejected', clients: 'Node (pg, TypeORM)',
    re: /ERR_SSL_(?:SSLV3|TLSV1|TLSV13)_ALERT_(UNKNOWN_CA|BAD_CERTIFICATE|CERTIFICATE_EXPIRED|CERTIFICATE_REQUIRED|CERTIFICATE_UNKNOWN|UNSUPPORTED_CERTIFICATE|CERTIFICATE_REVOKED|ACCESS_DENIED)/,
    cause: (m, c) => `${theServer(c)} ${ALERTS[m[1].toLowerCase().replace(/_/g, ' ')]} (TLS alert ${m[1].toLowerCase().replace(/_/g, ' ')}).`,
    fix: (_m, c) => CLIENT_CERT_FIX(c),
  },
  {
    id: 'go-remote-alert', category: 'client-cert-rejected', clients: 'cockroach, pgx, lib/pq',
    re: /remote error: tls: (bad certificate|unknown certificate authority|expired certificate|certificate required|unsupported certificate|revoked certificate|unknown certificate|access denied)/i,
    cause: (m, c) => `${theServer(c)} ${ALERTS[m[1].toLowerCase()]} ("remote error" is the server's TLS alert "${m[1]}").`,
    fix: (_m, c) => CLIENT_CERT_FIX(c),
  },
  {
    id: 'java-alert', category: 'client-cert-rejected', clients: 'Java (pgjdbc), DBeaver',
    re: /Received fatal alert: (bad_certificate|unknown_ca|certificate_expired|certificate_required|certificate_unknown|unsupported_certificate|certificate_revoked|access_denied)/i,
    cause: (m, c) => `${theServer(c)} ${ALERTS[m[1].toLowerCase()]} (TLS alert ${m[1]}). pgjdbc silently skips a key it cannot read (a PEM key instead of .pk8), and then sends no certificate.`,
    fix: (_m, c) => `${CLIENT_CERT_FIX(c)} For JDBC, set sslkey to the DER PKCS#8 key (client.${user(c)}.key.pk8, from crdb-tls cert create-client --also-generate-pkcs8-key).`,
  },
  {
    id: 'decrypt-error-alert', category: 'key-mismatch', clients: 'psql/libpq, Node (pg), Go',
    re: /(?:tlsv1 alert decrypt error|remote error: tls: error decrypting message|Received fatal alert: decrypt_error)/i,
    cause: (_m, c) => `${theServer(c)} could not verify the client's proof of key possession ("decrypt error"): the private key sent with the client certificate most likely does not belong to it.`,
    fix: () => 'pair client.<user>.crt with the client.<user>.key issued with it ("crdb-tls inspect <cert> --key <key>" checks a pair), or issue both again.',
  },

  // ---- the server's certificate: host name
  {
    id: 'go-valid-for', category: 'hostname-mismatch', clients: 'cockroach, pgx, lib/pq',
    re: /x509: certificate is valid for (.+?), not ([^\s,:;)]+)/i,
    cause: (m) => `the server's certificate is valid for ${m[1]}, but the client connected to ${m[2]}: only verify-full checks the host, and ${m[2]} is not in the node certificate's SANs.`,
    fix: (m) => `${REISSUE_NODE(m[2])} (e.g. ${m[1].split(/,\s*/)[0]}).`,
  },
  {
    id: 'go-no-ip-sans', category: 'hostname-mismatch', clients: 'cockroach, pgx, lib/pq',
    re: /x509: cannot validate certificate for (\S+) because it doesn't contain any IP SANs/i,
    cause: (m) => `the client connected to the IP address ${m[1]}, but the server's certificate lists no IP addresses.`,
    fix: (m) => `${REISSUE_NODE(m[1])}.`,
  },
  {
    id: 'go-no-names', category: 'hostname-mismatch', clients: 'cockroach, pgx, lib/pq',
    re: /x509: certificate is not valid for any names, but wanted to match (\S+)/i,
    cause: (m) => `the server's certificate has no SANs at all, so no host name (here ${m[1]}) can match.`,
    fix: (m) => `${REISSUE_NODE(m[1])}.`,
  },
  {
    id: 'go-legacy-cn', category: 'hostname-mismatch', clients: 'cockroach, pgx, lib/pq',
    re: /x509: certificate relies on legacy Common Name field, use SANs instead/i,
    cause: () => 'the server\'s certificate names its host only in the CN; Go checks SANs only.',
    fix: () => 're-issue the node certificate with SANs: crdb-tls cert create-node <host names and IPs> --certs-dir <certs> --ca-key <ca.key> --overwrite, deploy it and SIGHUP the node.',
  },
  {
    id: 'libpq-host-mismatch', category: 'hostname-mismatch', clients: 'psql/libpq, psycopg',
    re: /server certificate for "([^"]+)"(?: \(and (\d+) other names?\))? does not match host name "([^"]+)"/i,
    cause: (m) => `the server's certificate names "${m[1]}"${m[2] ? ` and ${m[2]} other name${m[2] === '1' ? '' : 's'}` : ''}, but not "${m[3]}", the host the client connected to (sslmode=verify-full checks it).`,
    fix: (m) => `${REISSUE_NODE(m[3])} (e.g. "${m[1]}").`,
  },
  {
    id: 'libpq-no-host-in-cert', category: 'hostname-mismatch', clients: 'psql/libpq, psycopg',
    re: /could not get server's host name from server certificate/i,
    cause: () => 'the server\'s certificate names no host (no SANs and no CN).',
    fix: () => 're-issue the node certificate with its host names and IPs: crdb-tls cert create-node <hosts> --overwrite, deploy it and SIGHUP the node.',
  },
  {
    id: 'node-altnames', category: 'hostname-mismatch', clients: 'Node (pg, TypeORM)',
    re: /Hostname\/IP does not match certificate's altnames: (?:IP: (\S+) is not in the cert's list: ?([^\n]*)|Host: (\S+?)\.? is not in the cert's altnames: ([^\n]*)|([^\n]*))/i,
    cause: (m) => {
      const host = m[1] ?? m[3];
      const list = (m[2] ?? m[4] ?? '').trim();
      return host ? `the server's certificate lists ${list ? list : 'no IP addresses'}, not ${host}, the host the client connected to.` : `the server's certificate does not name the host the client connected to (${(m[5] ?? '').trim()}).`;
    },
    fix: (m) => `${REISSUE_NODE(m[1] ?? m[3] ?? '<host>')}.`,
  },
  {
    id: 'node-altname-code', category: 'hostname-mismatch', clients: 'Node (pg, TypeORM)',
    re: /ERR_TLS_CERT_ALTNAME_INVALID/,
    cause: () => 'the server\'s certificate does not name the host the client connected to.',
    fix: () => `${REISSUE_NODE('<host>')}.`,
  },
  {
    id: 'java-san', category: 'hostname-mismatch', clients: 'Java (pgjdbc), DBeaver',
    re: /No subject alternative (?:names matching IP address|DNS name matching|names? matching) (\S+?) found|No name matching (\S+?) found|No subject alternative names present/i,
    cause: (m) => `the server's certificate does not list ${m[1] ?? m[2] ?? 'the host the client connected to'} in its subject alternative names.`,
    fix: (m) => `${REISSUE_NODE(m[1] ?? m[2] ?? '<host>')}.`,
  },
  {
    id: 'jdbc-hostname-verifier', category: 'hostname-mismatch', clients: 'Java (pgjdbc), DBeaver',
    re: /The hostname (\S+) could not be verified by hostnameverifier/i,
    cause: (m) => `pgjdbc (sslmode=verify-full) found no SAN for ${m[1]} in the server's certificate.`,
    fix: (m) => `${REISSUE_NODE(m[1])}.`,
  },

  // ---- the server's certificate: validity
  {
    id: 'go-not-yet-valid', category: 'server-cert-not-yet-valid', clients: 'cockroach, pgx, lib/pq',
    re: /x509: certificate has expired or is not yet valid: current time (\S+) is before (\S+)/i,
    cause: (m) => `the server's certificate is valid only from ${m[2]}, and the client's clock says ${m[1]}.`,
    fix: () => 'check the clocks of this machine and of the machine that issued the certificate (NTP); cockroach and crdb-tls backdate new certificates by 24 hours for small skews.',
  },
  {
    id: 'go-expired', category: 'server-cert-expired', clients: 'cockroach, pgx, lib/pq',
    re: /x509: certificate has expired or is not yet valid:? (?:current time (\S+) is after (\S+))?/i,
    cause: (m) => (m[1] ? `the server's certificate (or its CA) expired at ${m[2]}; the client's clock says ${m[1]}.` : 'the server\'s certificate (or its CA) has expired, or this machine\'s clock is wrong.'),
    fix: () => 're-issue the node certificate (crdb-tls cert create-node <hosts> --overwrite), deploy it and SIGHUP the node; if it should still be valid, check the clock of this machine (and NTP).',
  },
  {
    id: 'node-expired', category: 'server-cert-expired', clients: 'Node (pg, TypeORM)',
    re: /\bcertificate has expired\b|CERT_HAS_EXPIRED|CertificateExpiredException|validity check failed/i,
    cause: () => 'the server\'s certificate (or a CA in its chain) has expired, or this machine\'s clock is wrong.',
    fix: () => 're-issue the node certificate (crdb-tls cert create-node <hosts> --overwrite), deploy it and SIGHUP the node; "crdb-tls probe HOST:PORT" shows the dates of what it serves.',
  },
  {
    id: 'node-not-yet-valid', category: 'server-cert-not-yet-valid', clients: 'Node (pg, TypeORM), Java',
    re: /certificate is not yet valid|CERT_NOT_YET_VALID|CertificateNotYetValidException/i,
    cause: () => 'the server\'s certificate is not valid yet: its NotBefore is in the future for this machine\'s clock.',
    fix: () => 'check the clocks of this machine and of the machine that issued the certificate (NTP).',
  },

  // ---- the server's certificate: trust
  {
    id: 'go-unknown-authority', category: 'unknown-authority', clients: 'cockroach, pgx, lib/pq',
    re: /x509: certificate signed by unknown authority(?: \(possibly because of "([^"]+)" while trying to verify candidate authority certificate "([^"]+)"\))?/i,
    cause: (m) => (m[2]
      ? `the CA file the client trusts holds a CA named "${m[2]}", but its key did not sign the server's certificate (${m[1]}): it is another cluster's CA, or the CA was created again.`
      : 'the server\'s certificate is not signed by a CA the client trusts: sslrootcert is missing, wrong, or a stale ~/.postgresql/root.crt is used.'),
    fix: (_m, c) => TRUST_FIX(c),
  },
  {
    id: 'node-self-signed-chain', category: 'unknown-authority', clients: 'Node (pg, TypeORM), Python (asyncpg)',
    re: /self[- ]signed certificate in certificate chain|SELF_SIGNED_CERT_IN_CHAIN/i,
    cause: () => 'the server sent its CA along with its certificate, and that CA is not the one the client trusts (ssl.ca / sslrootcert is missing or another CA).',
    fix: (_m, c) => TRUST_FIX(c),
  },
  {
    id: 'node-self-signed', category: 'unknown-authority', clients: 'Node (pg, TypeORM)',
    re: /self[- ]signed certificate|DEPTH_ZERO_SELF_SIGNED_CERT/i,
    cause: () => 'the server presents a self-signed certificate the client does not trust.',
    fix: (_m, c) => TRUST_FIX(c),
  },
  {
    id: 'node-leaf-signature', category: 'unknown-authority', clients: 'Node (pg, TypeORM)',
    re: /unable to verify the first certificate|UNABLE_TO_VERIFY_LEAF_SIGNATURE|unable to get local issuer certificate|UNABLE_TO_GET_ISSUER_CERT_LOCALLY/i,
    cause: () => 'the server\'s certificate is not signed by a CA the client trusts (ssl.ca / sslrootcert is missing, or holds another CA).',
    fix: (_m, c) => TRUST_FIX(c),
  },
  {
    id: 'java-pkix', category: 'unknown-authority', clients: 'Java (pgjdbc), DBeaver',
    re: /PKIX path (?:building|validation) failed|unable to find valid certification path to requested target/i,
    cause: () => 'the Java client does not trust the server\'s CA: with sslmode=verify-ca/verify-full pgjdbc uses sslrootcert (default ~/.postgresql/root.crt), else the JVM trust store.',
    fix: (_m, c) => `set sslrootcert to the cluster's ca.crt in the JDBC URL (or DBeaver's SSL tab: "Root certificate"); ${TRUST_FIX(c)}`,
  },
  {
    id: 'libpq-verify-failed', category: 'unknown-authority', clients: 'psql/libpq, psycopg, Python ssl',
    re: /certificate verify failed|CERTIFICATE_VERIFY_FAILED/i,
    cause: () => 'the server\'s certificate did not verify against sslrootcert: most often it is signed by another CA (libpq prints the same message for an expired server certificate).',
    fix: (_m, c) => `${TRUST_FIX(c)} If the CA is right, check the certificate's dates there.`,
  },

  // ---- authentication after TLS
  {
    id: 'cockroach-cert-user', category: 'auth-failed', clients: 'cockroach',
    re: /requested user is (\S+), but certificate is for (\S+)/i,
    cause: (m) => `the client certificate is for ${m[2]}, but the connection logs in as ${m[1]}: CockroachDB maps the certificate's CN to the SQL user.`,
    fix: (m) => `connect as ${m[2]}, or issue a certificate for ${m[1]}: crdb-tls cert create-client ${m[1]} --certs-dir <certs> --ca-key <ca.key>, and point sslcert/sslkey at client.${m[1]}.crt/.key.`,
  },
  {
    id: 'cert-auth-failed', category: 'auth-failed', clients: 'psql/libpq, psycopg, Node (pg), pgjdbc, cockroach',
    re: /certificate authentication failed for user "?([^"\s]+)"?/i,
    cause: (m) => `the server accepted the TLS connection but not the login as ${m[1]}: the client certificate's CN is not ${m[1]} (the CN must equal the SQL user).`,
    fix: (m) => `connect as the user named in the certificate's CN ("crdb-tls inspect <client cert>" shows it), or issue a certificate for ${m[1]}: crdb-tls cert create-client ${m[1]} --certs-dir <certs> --ca-key <ca.key>.`,
  },
  {
    id: 'no-client-cert', category: 'auth-failed', clients: 'psql/libpq, psycopg, Node (pg), cockroach',
    re: /connection requires a valid client certificate|no client certificates in request/i,
    cause: () => 'the server requires certificate authentication but the client sent no certificate.',
    fix: (_m, c) => `add sslcert=client.${user(c)}.crt and sslkey=client.${user(c)}.key to the connection string (issue them with crdb-tls cert create-client ${user(c)}); for JDBC use the .pk8 key.`,
  },
  {
    id: 'password-failed', category: 'auth-failed', clients: 'every client',
    re: /password authentication failed for user "?([^"\s]+)"?/i,
    cause: (m) => `the server refused the password for ${m[1]}; when a client certificate was meant to log in, it was not sent or not accepted (wrong path, unreadable key, or a JDBC client that skipped a PEM key), so the server fell back to passwords.`,
    fix: (m) => `check the password, or use certificate login: sslcert=client.${m[1]}.crt and sslkey=client.${m[1]}.key (.pk8 for JDBC), issued with crdb-tls cert create-client ${m[1]}.`,
  },
  {
    id: 'no-password', category: 'auth-failed', clients: 'psql/libpq, psycopg',
    re: /fe_sendauth: no password supplied|no password supplied/i,
    cause: () => 'the server asked for a password: it did not accept a client certificate (none sent, or not for this user).',
    fix: (_m, c) => `add sslcert/sslkey for ${user(c)} (crdb-tls cert create-client ${user(c)}), or supply a password.`,
  },
  {
    id: 'role-missing', category: 'auth-failed', clients: 'every client',
    re: /role "([^"]+)" does not exist|user "?([^"\s]+)"? does not exist/i,
    cause: (m) => `TLS and the certificate were fine, but there is no SQL user ${m[1] ?? m[2]}.`,
    fix: (m) => `create it: CREATE USER ${m[1] ?? m[2]}; (and GRANT what it needs), or log in as an existing user.`,
  },
  {
    id: 'pg-hba-no-tls', category: 'other', clients: 'psql/libpq, every client',
    re: /no pg_hba\.conf entry for host "([^"]+)", user "([^"]+)", database "([^"]+)", (?:no encryption|SSL off)/i,
    cause: (m) => `the server accepts ${m[2]} only over TLS, and the client connected without it (sslmode=disable, or prefer/allow that fell back).`,
    fix: () => 'use sslmode=verify-full with sslrootcert (and sslcert/sslkey for certificate login).',
  },
  {
    id: 'cockroach-secure-mode', category: 'other', clients: 'cockroach, every client',
    re: /node is running secure mode, SSL connection required/i,
    cause: () => 'the CockroachDB node is secure and the client connected without TLS (sslmode=disable).',
    fix: () => 'use sslmode=verify-full with sslrootcert=ca.crt (and sslcert/sslkey for certificate login); --insecure only works with an insecure cluster.',
  },
  {
    id: 'pg-hba-denied', category: 'auth-failed', clients: 'psql/libpq, every client',
    re: /no pg_hba\.conf entry for host "([^"]+)", user "([^"]+)"/i,
    cause: (m) => `the server has no rule that lets ${m[2]} connect from ${m[1]}.`,
    fix: () => 'ask the administrator to allow the user and host (CockroachDB: the server.host_based_authentication.configuration cluster setting).',
  },

  // ---- the server does not speak TLS
  {
    id: 'ssl-not-supported', category: 'ssl-not-supported', clients: 'Node (pg, TypeORM), pgjdbc, DBeaver',
    re: /The server does not support SSL(?: connections)?/i,
    cause: (_m, c) => `${theServer(c)} answered the SSLRequest with 'N': it does not accept TLS (a node started with --insecure, or PostgreSQL with ssl=off).`,
    fix: () => 'connect to the secure cluster (check host and port); for an insecure local test cluster only, use sslmode=disable.',
  },
  {
    id: 'libpq-ssl-not-supported', category: 'ssl-not-supported', clients: 'psql/libpq, psycopg',
    re: /server does not support SSL, but SSL was required/i,
    cause: (_m, c) => `${theServer(c)} does not accept TLS, and sslmode requires it.`,
    fix: () => 'connect to the secure cluster (check host and port); for an insecure local test cluster only, use sslmode=disable.',
  },
  {
    id: 'go-ssl-not-supported', category: 'ssl-not-supported', clients: 'lib/pq, pgx',
    re: /SSL is not enabled on the server|server refused TLS connection/i,
    cause: (_m, c) => `${theServer(c)} refused the SSLRequest: it does not accept TLS.`,
    fix: () => 'connect to the secure cluster (check host and port); for an insecure local test cluster only, use sslmode=disable.',
  },
  {
    id: 'asyncpg-rejected-ssl', category: 'ssl-not-supported', clients: 'Python (asyncpg)',
    re: /rejected SSL upgrade/i,
    cause: (_m, c) => `${theServer(c)} refused the SSLRequest: it does not accept TLS.`,
    fix: () => 'connect to the secure cluster (check host and port); for an insecure local test cluster only, use ssl=False.',
  },
  {
    id: 'pg-bad-ssl-answer', category: 'other', clients: 'Node (pg)',
    re: /There was an error establishing an SSL connection/i,
    cause: (_m, c) => `${theServer(c)} answered the SSLRequest with neither 'S' nor 'N': it is not a PostgreSQL/CockroachDB SQL port.`,
    fix: (_m, c) => `check the port (CockroachDB SQL: 26257; 8080 is the DB Console); "${probeCmd(c)}" shows what answers.`,
  },
  {
    id: 'go-not-tls', category: 'other', clients: 'Go (crypto/tls)',
    re: /tls: first record does not look like a TLS handshake/i,
    cause: () => 'the server answered the TLS handshake with something that is not TLS: the port is not a TLS port (or the client skipped the SSLRequest on a pgwire port).',
    fix: () => 'check the port (CockroachDB SQL: 26257); "crdb-tls probe HOST:PORT" shows what answers.',
  },

  // ---- the connection was cut during the handshake
  {
    id: 'libpq-syscall-eof', category: 'handshake-eof', clients: 'psql/libpq, psycopg',
    re: /SSL SYSCALL error: (EOF detected|Connection reset by peer|Success|Undefined error: 0)/i,
    cause: (m, c) => `${theServer(c)} closed the connection during the TLS handshake (${m[1]}).`,
    fix: (_m, c) => `check that ${hp(c)} is the CockroachDB SQL port (26257) and not a proxy or load balancer that drops TLS, that no firewall cuts the connection, and the server's log for why it closed it; "${probeCmd(c)}" shows where it stops.`,
  },
  {
    id: 'openssl-unexpected-eof', category: 'handshake-eof', clients: 'psql/libpq, Node (pg), Python',
    re: /unexpected eof while reading|UNEXPECTED_EOF_WHILE_READING|EOF occurred in violation of protocol/i,
    cause: (_m, c) => `${theServer(c)} closed the connection in the middle of the TLS handshake.`,
    fix: (_m, c) => `check the port (26257 for CockroachDB SQL), proxies and firewalls on the way, and the server's log; "${probeCmd(c)}" shows where it stops.`,
  },
  {
    id: 'node-socket-disconnected', category: 'handshake-eof', clients: 'Node (pg, TypeORM)',
    re: /Client network socket disconnected before secure TLS connection was established/i,
    cause: (_m, c) => `${theServer(c)} closed the connection before the TLS handshake finished.`,
    fix: (_m, c) => `check the port (26257 for CockroachDB SQL), proxies and firewalls on the way, and the server's log; "${probeCmd(c)}" shows where it stops.`,
  },
  {
    id: 'java-handshake-eof', category: 'handshake-eof', clients: 'Java (pgjdbc), DBeaver',
    re: /Remote host (?:terminated the handshake|closed connection during handshake)|SSLHandshakeException: .*EOF|java\.io\.EOFException/i,
    cause: (_m, c) => `${theServer(c)} closed the connection during the TLS handshake.`,
    fix: (_m, c) => `check the port (26257 for CockroachDB SQL), proxies and firewalls on the way, and the server's log; "${probeCmd(c)}" shows where it stops.`,
  },
  {
    id: 'server-closed', category: 'handshake-eof', clients: 'psql/libpq, Node (pg), Go',
    re: /server closed the connection unexpectedly|Connection terminated unexpectedly|unexpected EOF|read: connection reset by peer|read ECONNRESET|socket hang up/i,
    cause: (_m, c) => `${theServer(c)} closed the connection unexpectedly; while connecting this is almost always during the TLS handshake (the server refused something it saw, or it is not the SQL port).`,
    fix: (_m, c) => `check the server's log at that time, the port (26257 for CockroachDB SQL) and any proxy on the way; "${probeCmd(c)}" shows whether the TLS handshake completes.`,
  },

  // ---- network
  {
    id: 'dns', category: 'dns', clients: 'every client',
    re: /could not translate host name "([^"]+)" to address|getaddrinfo (?:ENOTFOUND|EAI_AGAIN|EAI_FAIL) (\S+)|lookup (\S+?)(?: on \S+)?: no such host|UnknownHostException: (\S+)|Name or service not known|nodename nor servname provided|Temporary failure in name resolution|No address associated with hostname|No such host is known/i,
    cause: (m) => `the host name ${m[1] ?? m[2] ?? m[3] ?? m[4] ?? 'in the connection string'} does not resolve (DNS).`,
    fix: () => 'check the host name for typos (for CockroachDB Cloud, copy it from the Connect dialog), and this machine\'s DNS or VPN.',
  },
  {
    id: 'refused', category: 'connection-refused', clients: 'every client',
    re: /Connection refused|ECONNREFUSED|connect: connection refused|Connection to (\S+) refused/i,
    cause: (m, c) => `nothing accepts connections at ${m[1] ?? hp(c)}: the node is not running, or listens on another port or interface.`,
    fix: () => 'start the node, or fix the port (CockroachDB SQL: 26257, set by --listen-addr / --sql-addr); a node started with --listen-addr=localhost only accepts local connections.',
  },
  {
    id: 'timeout', category: 'timeout', clients: 'every client',
    re: /timeout expired|connection timeout|i\/o timeout|context deadline exceeded|ETIMEDOUT|connect timed out|SocketTimeoutException|Connection timed out|Operation timed out|timed out/i,
    cause: (_m, c) => `${theServer(c)} did not answer in time: a firewall drops the packets, the IP is not on the cluster's allowlist, or the host is down.`,
    fix: () => 'check security groups and firewalls, the CockroachDB Cloud IP allowlist for this machine\'s public IP, and the host and port; then raise the connect timeout if the network is slow.',
  },
  {
    id: 'unreachable', category: 'other', clients: 'every client',
    re: /No route to host|EHOSTUNREACH|Network is unreachable|ENETUNREACH/i,
    cause: () => 'the network has no route to the server.',
    fix: () => 'check the address, VPN and routing from this machine.',
  },

  // ---- connection string and server state
  {
    id: 'sslmode-invalid', category: 'other', clients: 'psql/libpq, cockroach',
    re: /unrecognized sslmode parameter in URL|invalid sslmode value: "([^"]*)"|sslmode value "([^"]*)" invalid/i,
    cause: (m) => `the connection string has an sslmode the client does not know${m[1] ?? m[2] ? ` ("${m[1] ?? m[2]}")` : ''}.`,
    fix: () => 'use one of disable, allow, prefer, require, verify-ca, verify-full (CockroachDB: verify-full).',
  },
  {
    id: 'database-missing', category: 'other', clients: 'every client',
    re: /database "([^"]+)" does not exist/i,
    cause: (m) => `TLS and login worked, but there is no database ${m[1]}.`,
    fix: (m) => `create it (CREATE DATABASE ${m[1]};) or fix the database in the connection string (CockroachDB: defaultdb).`,
  },
];

function dirOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i > 0 ? path.slice(0, i) : '<certs>';
}

function certHint(path: string): string {
  if (/ca\.crt$/.test(path) || /root\.crt$/.test(path)) return 'copy the cluster\'s ca.crt there';
  const m = /client\.([^/\\]+)\.(?:crt|key)/.exec(path);
  if (m) return `crdb-tls cert create-client ${m[1]} --certs-dir ${dirOf(path)} --ca-key <ca.key>`;
  return 'issue it with crdb-tls cert';
}

/** Hosts, ports and users named in the text (libpq, Go, Node and JDBC formats). */
export function textContext(text: string): TextContext {
  const c: TextContext = {};
  const libpq = /server at "([^"]+)"(?: \([^)]*\))?, port (\d+)/.exec(text);
  const go = /dial tcp (\[[^\]]+\]|[^\s:]+):(\d+)/.exec(text);
  const node = /(?:ECONNREFUSED|ETIMEDOUT|connect) (\[[^\]]+\]|\d+\.\d+\.\d+\.\d+|[0-9a-f:]+):(\d+)/i.exec(text);
  const jdbc = /Connection to ([^\s:]+):(\d+) refused/.exec(text);
  const pgx = /failed to connect to `host=(\S+) user=(\S+)/.exec(text);
  const m = libpq ?? go ?? node ?? jdbc;
  if (m) {
    c.host = m[1].replace(/^\[|\]$/g, '');
    c.port = m[2];
  } else if (pgx) {
    c.host = pgx[1];
  }
  const u = /for user "?([^"\s]+?)"?(?:\s|$|,)/.exec(text) ?? (pgx ? [pgx[0], pgx[2]] : null);
  if (u) c.user = u[1];
  return c;
}

/** Maps an error message to a category with a cause and a fix; says so plainly when it does not know the text. */
export function explain(text: string): ExplainResult {
  const trimmed = text.trim();
  if (trimmed === '') {
    return { category: 'other', cause: 'not recognised: the text is empty.', fix: 'paste the whole error message the client printed.' };
  }
  if (/BEGIN [A-Z0-9 ]*PRIVATE KEY/.test(trimmed)) {
    return {
      category: 'other',
      cause: 'not recognised: the text holds a private key, not an error message (it is not shown).',
      fix: 'paste the error message the client printed; if the key was pasted anywhere others can read, treat it as exposed and issue a new key and certificate (crdb-tls cert rotate-node or rotate-client).',
    };
  }
  const ctx = textContext(trimmed);
  for (const e of CATALOGUE) {
    const m = e.re.exec(trimmed);
    if (m) return { category: e.category, cause: e.cause(m, ctx), fix: e.fix(m, ctx), matched: { id: e.id, clients: e.clients, text: m[0] } };
  }
  return {
    category: 'other',
    cause: `not recognised: ${quoteInput(trimmed, 80)} matches none of the ${CATALOGUE.length} TLS and connection errors crdb-tls knows.`,
    fix: `test the real thing instead: crdb-tls test-connection "<connection string>" connects and explains the failure; crdb-tls probe ${hp(ctx)} --ca-file <ca.crt> shows the certificate the server serves; crdb-tls inspect <file> and crdb-tls verify --ca-file <ca.crt> <cert> check the local files.`,
  };
}
