/**
 * Messages about the connection around TLS: login after the handshake, servers without TLS,
 * cut connections, the network, the connection string.
 * Plain data: ./entry.ts describes the fields, ../template.ts the text templates.
 */
import { CatalogueEntry } from './entry';

export const CONNECTION: readonly CatalogueEntry[] = [
  // ---- authentication after TLS
  {
    id: 'cockroach-cert-user',
    category: 'auth-failed',
    clients: 'cockroach',
    pattern: /requested user is (\S+), but certificate is for (\S+)/i,
    cause: "the client certificate is for {2}, but the connection logs in as {1}: CockroachDB maps the certificate's CN to the SQL user.",
    fix: 'connect as {2}, or issue a certificate for {1}: crdb-tls cert create-client {1} --certs-dir <certs> --ca-key <ca.key>, and point sslcert/sslkey at client.{1}.crt/.key.',
  },
  {
    id: 'cert-auth-failed',
    category: 'auth-failed',
    clients: 'psql/libpq, psycopg, Node (pg), pgjdbc, cockroach',
    pattern: /certificate authentication failed for user "?([^"\s]+)"?/i,
    cause: "the server accepted the TLS connection but not the login as {1}: the client certificate's CN is not {1} (the CN must equal the SQL user).",
    fix: 'connect as the user named in the certificate\'s CN ("crdb-tls inspect <client cert>" shows it), or issue a certificate for {1}: crdb-tls cert create-client {1} --certs-dir <certs> --ca-key <ca.key>.',
  },
  {
    id: 'no-client-cert',
    category: 'ambiguous',
    candidates: ['auth-failed', 'client-cert-not-sent'],
    clients: 'psql/libpq, psycopg, Node (pg), pgjdbc, cockroach',
    pattern: /connection requires a valid client certificate|no client certificates in request/i,
    cause:
      'the server requires certificate authentication and received no client certificate; the text alone cannot tell whether none was configured, or one was configured and the library did not send it (pgjdbc skips a PEM key or a PKCS#12 without the alias "user"; Java and Go send a certificate only when its issuer is in the CA list the server asks with).',
    fix: 'if sslcert/sslkey are not set: add sslcert=client.{user}.crt and sslkey=client.{user}.key (crdb-tls cert create-client {user}); if they are: crdb-tls lint the connection string (for JDBC the key must be the .pk8) and check that the server trusts the CA that issued the certificate (ca-client.crt or ca.crt); crdb-tls test-connection tells which.',
  },
  {
    id: 'password-failed',
    category: 'auth-failed',
    clients: 'every client',
    pattern: /password authentication failed for user "?([^"\s]+)"?/i,
    cause:
      'the server refused the password for {1}; when a client certificate was meant to log in, it was not sent or not accepted (wrong path, unreadable key, or a JDBC client that skipped a PEM key), so the server fell back to passwords.',
    fix: 'check the password, or use certificate login: sslcert=client.{1}.crt and sslkey=client.{1}.key (.pk8 for JDBC), issued with crdb-tls cert create-client {1}.',
  },
  {
    id: 'no-password',
    category: 'auth-failed',
    clients: 'psql/libpq, psycopg',
    pattern: /fe_sendauth: no password supplied|no password supplied/i,
    cause: 'the server asked for a password: it did not accept a client certificate (none sent, or not for this user).',
    fix: 'add sslcert/sslkey for {user} (crdb-tls cert create-client {user}), or supply a password.',
  },
  {
    id: 'role-missing',
    category: 'auth-failed',
    clients: 'every client',
    pattern: /role "([^"]+)" does not exist|user "?([^"\s]+)"? does not exist/i,
    cause: 'TLS and the certificate were fine, but there is no SQL user {1|2}.',
    fix: 'create it: CREATE USER {1|2}; (and GRANT what it needs), or log in as an existing user.',
  },
  {
    id: 'pg-hba-no-tls',
    category: 'other',
    clients: 'psql/libpq, every client',
    pattern: /no pg_hba\.conf entry for host "([^"]+)", user "([^"]+)", database "([^"]+)", (?:no encryption|SSL off)/i,
    cause: 'the server accepts {2} only over TLS, and the client connected without it (sslmode=disable, or prefer/allow that fell back).',
    fix: 'use sslmode=verify-full with sslrootcert (and sslcert/sslkey for certificate login).',
  },
  {
    id: 'cockroach-secure-mode',
    category: 'other',
    clients: 'cockroach, every client',
    pattern: /node is running secure mode, SSL connection required/i,
    cause: 'the CockroachDB node is secure and the client connected without TLS (sslmode=disable).',
    fix: 'use sslmode=verify-full with sslrootcert=ca.crt (and sslcert/sslkey for certificate login); --insecure only works with an insecure cluster.',
  },
  {
    id: 'pg-hba-denied',
    category: 'auth-failed',
    clients: 'psql/libpq, every client',
    pattern: /no pg_hba\.conf entry for host "([^"]+)", user "([^"]+)"/i,
    cause: 'the server has no rule that lets {2} connect from {1}.',
    fix: 'ask the administrator to allow the user and host (CockroachDB: the server.host_based_authentication.configuration cluster setting).',
  },

  // ---- the server does not speak TLS
  {
    id: 'ssl-not-supported',
    category: 'ssl-not-supported',
    clients: 'Node (pg, TypeORM), pgjdbc, DBeaver',
    pattern: /The server does not support SSL(?: connections)?/i,
    cause: "{server} answered the SSLRequest with 'N': it does not accept TLS (a node started with --insecure, or PostgreSQL with ssl=off).",
    fix: 'connect to the secure cluster (check host and port); for an insecure local test cluster only, use sslmode=disable.',
  },
  {
    id: 'libpq-ssl-not-supported',
    category: 'ssl-not-supported',
    clients: 'psql/libpq, psycopg',
    pattern: /server does not support SSL, but SSL was required/i,
    cause: '{server} does not accept TLS, and sslmode requires it.',
    fix: 'connect to the secure cluster (check host and port); for an insecure local test cluster only, use sslmode=disable.',
  },
  {
    id: 'go-ssl-not-supported',
    category: 'ssl-not-supported',
    clients: 'lib/pq, pgx',
    pattern: /SSL is not enabled on the server|server refused TLS connection/i,
    cause: '{server} refused the SSLRequest: it does not accept TLS.',
    fix: 'connect to the secure cluster (check host and port); for an insecure local test cluster only, use sslmode=disable.',
  },
  {
    id: 'asyncpg-rejected-ssl',
    category: 'ssl-not-supported',
    clients: 'Python (asyncpg)',
    pattern: /rejected SSL upgrade/i,
    cause: '{server} refused the SSLRequest: it does not accept TLS.',
    fix: 'connect to the secure cluster (check host and port); for an insecure local test cluster only, use ssl=False.',
  },
  {
    id: 'pg-bad-ssl-answer',
    category: 'other',
    clients: 'Node (pg)',
    pattern: /There was an error establishing an SSL connection/i,
    cause: "{server} answered the SSLRequest with neither 'S' nor 'N': it is not a PostgreSQL/CockroachDB SQL port.",
    fix: 'check the port (CockroachDB SQL: {sqlPort}; 8080 is the DB Console); "{probe}" shows what answers.',
  },
  {
    id: 'go-not-tls',
    category: 'other',
    clients: 'Go (crypto/tls)',
    pattern: /tls: first record does not look like a TLS handshake/i,
    cause:
      'the server answered the TLS handshake with something that is not TLS: the port is not a TLS port (or the client skipped the SSLRequest on a pgwire port).',
    fix: 'check the port (CockroachDB SQL: {sqlPort}); "crdb-tls probe HOST:PORT" shows what answers.',
  },

  // ---- the connection was cut during the handshake
  {
    id: 'libpq-syscall-eof',
    category: 'handshake-eof',
    clients: 'psql/libpq, psycopg',
    pattern: /SSL SYSCALL error: (EOF detected|Connection reset by peer|Success|Undefined error: 0)/i,
    cause: '{server} closed the connection during the TLS handshake ({1}).',
    fix: 'check that {hostPort} is the CockroachDB SQL port ({sqlPort}) and not a proxy or load balancer that drops TLS, that no firewall cuts the connection, and the server\'s log for why it closed it; "{probe}" shows where it stops.',
  },
  {
    id: 'openssl-unexpected-eof',
    category: 'handshake-eof',
    clients: 'psql/libpq, Node (pg), Python',
    pattern: /unexpected eof while reading|UNEXPECTED_EOF_WHILE_READING|EOF occurred in violation of protocol/i,
    cause: '{server} closed the connection in the middle of the TLS handshake.',
    fix: 'check the port ({sqlPort} for CockroachDB SQL), proxies and firewalls on the way, and the server\'s log; "{probe}" shows where it stops.',
  },
  {
    id: 'node-socket-disconnected',
    category: 'handshake-eof',
    clients: 'Node (pg, TypeORM)',
    pattern: /Client network socket disconnected before secure TLS connection was established/i,
    cause: '{server} closed the connection before the TLS handshake finished.',
    fix: 'check the port ({sqlPort} for CockroachDB SQL), proxies and firewalls on the way, and the server\'s log; "{probe}" shows where it stops.',
  },
  {
    id: 'java-handshake-eof',
    category: 'handshake-eof',
    clients: 'Java (pgjdbc), DBeaver',
    pattern: /Remote host (?:terminated the handshake|closed connection during handshake)|SSLHandshakeException: .*EOF|java\.io\.EOFException/i,
    cause: '{server} closed the connection during the TLS handshake.',
    fix: 'check the port ({sqlPort} for CockroachDB SQL), proxies and firewalls on the way, and the server\'s log; "{probe}" shows where it stops.',
  },
  {
    id: 'node-pool-timeout',
    category: 'timeout',
    clients: 'Node (pg-pool: TypeORM, pg.Pool)',
    // pg-pool's connectionTimeoutMillis ends the connection, so the cause chain also says "terminated unexpectedly" (seen live from TypeORM).
    pattern: /Connection terminated due to connection timeout/i,
    cause:
      "{server} did not answer within the pool's connect timeout (connectionTimeoutMillis; TypeORM's connectTimeoutMS): a firewall drops the packets, the IP is not on the cluster's allowlist, or the host is down.",
    fix: "check security groups and firewalls, the CockroachDB Cloud IP allowlist for this machine's public IP, and the host and port; then raise the connect timeout if the network is slow.",
  },
  {
    id: 'server-closed',
    category: 'handshake-eof',
    clients: 'psql/libpq, Node (pg), Go',
    pattern:
      /server closed the connection unexpectedly|Connection terminated unexpectedly|unexpected EOF|read: connection reset by peer|read ECONNRESET|socket hang up/i,
    cause:
      '{server} closed the connection unexpectedly; while connecting this is almost always during the TLS handshake (the server refused something it saw, or it is not the SQL port).',
    fix: 'check the server\'s log at that time, the port ({sqlPort} for CockroachDB SQL) and any proxy on the way; "{probe}" shows whether the TLS handshake completes.',
  },

  {
    id: 'java-broken-pipe',
    category: 'ambiguous',
    candidates: ['client-cert-rejected', 'key-mismatch', 'handshake-eof'],
    clients: 'Java (pgjdbc), DBeaver',
    pattern: /SSL error: Broken pipe|SocketException: Broken pipe/i,
    cause:
      'the server closed the connection while pgjdbc was still writing, and Java reports only a broken pipe: with TLS 1.3 that is how a refused client certificate (another CA, expired) or a key that does not belong to it looks, and also a connection cut during the handshake.',
    fix: 'tell them apart with crdb-tls lint and crdb-tls test-connection on the same connection string (key pair, CA, dates), or the server\'s log (it names the refused certificate); "{probe}" checks the handshake itself.',
  },
  {
    id: 'go-eof',
    category: 'ambiguous',
    candidates: ['handshake-eof', 'client-cert-rejected'],
    clients: 'lib/pq, pgx',
    // A server that refuses the client certificate closes the socket; Go sees EOF, or, when the close
    // races its next write, the reset of that write (both seen live from lib/pq and pgx).
    pattern: /^(?:pq: )?EOF$|failed to write startup message \(EOF\)|write: connection reset by peer/m,
    cause:
      'the server closed the connection and the Go driver reports only EOF or a reset write: the text alone cannot tell a connection cut during the TLS handshake (wrong port, a proxy) from a server that refused the client certificate after a TLS 1.3 handshake.',
    fix: 'tell them apart with crdb-tls test-connection "<connection string>" or "{probe}" (the handshake without a client certificate); the server\'s log names a refused certificate.',
  },

  // ---- network
  {
    id: 'dns',
    category: 'dns',
    clients: 'every client',
    pattern:
      /could not translate host name "([^"]+)" to address|getaddrinfo (?:ENOTFOUND|EAI_AGAIN|EAI_FAIL) (\S+)|lookup (\S+?)(?: on \S+)?: no such host|UnknownHostException: (\S+)|Name or service not known|nodename nor servname provided|Temporary failure in name resolution|No address associated with hostname|No such host is known/i,
    cause: "the host name {1|2|3|4|'in the connection string'} does not resolve (DNS).",
    fix: "check the host name for typos (for CockroachDB Cloud, copy it from the Connect dialog), and this machine's DNS or VPN.",
  },
  {
    id: 'refused',
    category: 'connection-refused',
    clients: 'every client',
    pattern: /Connection refused|ECONNREFUSED|connect: connection refused|Connection to (\S+) refused/i,
    cause: 'nothing accepts connections at {1|hostPort}: the node is not running, or listens on another port or interface.',
    fix: 'start the node, or fix the port (CockroachDB SQL: {sqlPort}, set by --listen-addr / --sql-addr); a node started with --listen-addr=localhost only accepts local connections.',
  },
  {
    id: 'timeout',
    category: 'timeout',
    clients: 'every client',
    pattern:
      /timeout expired|connection timeout|i\/o timeout|context deadline exceeded|ETIMEDOUT|connect timed out|SocketTimeoutException|Connection timed out|Operation timed out|timed out/i,
    cause: "{server} did not answer in time: a firewall drops the packets, the IP is not on the cluster's allowlist, or the host is down.",
    fix: "check security groups and firewalls, the CockroachDB Cloud IP allowlist for this machine's public IP, and the host and port; then raise the connect timeout if the network is slow.",
  },
  {
    id: 'unreachable',
    category: 'other',
    clients: 'every client',
    pattern: /No route to host|EHOSTUNREACH|Network is unreachable|ENETUNREACH/i,
    cause: 'the network has no route to the server.',
    fix: 'check the address, VPN and routing from this machine.',
  },

  // ---- connection string and server state
  {
    id: 'sslmode-invalid',
    category: 'other',
    clients: 'psql/libpq, cockroach',
    pattern: /unrecognized sslmode parameter in URL|invalid sslmode value: "([^"]*)"|sslmode value "([^"]*)" invalid/i,
    cause: [
      { when: '{1|2}', text: 'the connection string has an sslmode the client does not know ("{1|2}").' },
      { text: 'the connection string has an sslmode the client does not know.' },
    ],
    fix: 'use one of disable, allow, prefer, require, verify-ca, verify-full (CockroachDB: verify-full).',
  },
  {
    id: 'database-missing',
    category: 'other',
    clients: 'every client',
    pattern: /database "([^"]+)" does not exist/i,
    cause: 'TLS and login worked, but there is no database {1}.',
    fix: 'create it (CREATE DATABASE {1};) or fix the database in the connection string (CockroachDB: defaultdb).',
  },
];
