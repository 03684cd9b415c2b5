/**
 * The error catalogue on real messages: from psql/libpq and node-postgres as observed against
 * PostgreSQL in test/integration/tls.test.ts, and from the other clients as they print them
 * (psycopg, cockroach/pgx/lib/pq, pgjdbc/DBeaver, TypeORM/Prisma/asyncpg), as quoted in their
 * public issue threads.
 */
import assert from 'node:assert/strict';
import { CANDIDATE_SIGNS, SHARED_TEXTS } from '../../src/core/tls/catalogue';
import { CATALOGUE, candidatesLine, describeMatch, explain, textContext } from '../../src/core/tls/explain';
import { CATEGORIES, Category } from '../../src/core/tls/types';

const PSQL = (host: string, tail: string) => `psql: error: connection to server at "${host}" (127.0.0.1), port 26257 failed: ${tail}`;

const TABLE: [client: string, text: string, category: Category][] = [
  // psql / libpq (observed)
  // libpq's text for another CA, an expired and a not-yet-valid server certificate alike: explain lists the three.
  ['psql', PSQL('localhost', 'SSL error: certificate verify failed'), 'ambiguous'],
  [
    'psql',
    'psql: error: connection to server at "127.0.0.1", port 26257 failed: server certificate for "localhost" (and 1 other name) does not match host name "127.0.0.1"',
    'hostname-mismatch',
  ],
  ['psql', PSQL('localhost', 'SSL error: tlsv1 alert unknown ca'), 'client-cert-rejected'],
  ['psql', PSQL('localhost', 'SSL error: sslv3 alert certificate expired'), 'client-cert-rejected'],
  ['psql', PSQL('localhost', 'FATAL:  certificate authentication failed for user "root"'), 'auth-failed'],
  // No certificate reached the server: none configured, or one dropped by the library.
  ['psql', PSQL('localhost', 'FATAL:  connection requires a valid client certificate'), 'ambiguous'],
  [
    'psql',
    PSQL(
      'localhost',
      'private key file "/home/u/certs/client.root.key" has group or world access; file must have permissions u=rw (0600) or less if owned by the current user, or permissions u=rw,g=r (0640) or less if owned by root',
    ),
    'key-permissions',
  ],
  ['psql', PSQL('localhost', 'could not load private key file "/home/u/certs/client.root.key": key values mismatch'), 'key-mismatch'],
  ['psql', 'psql: error: connection to server at "127.0.0.1", port 26257 failed: server does not support SSL, but SSL was required', 'ssl-not-supported'],
  ['psql', 'psql: error: connection to server at "127.0.0.1", port 26257 failed: SSL SYSCALL error: EOF detected', 'handshake-eof'],
  [
    'psql',
    'psql: error: connection to server at "127.0.0.1", port 26257 failed: Connection refused\n\tIs the server running on that host and accepting TCP/IP connections?',
    'connection-refused',
  ],
  ['psql', 'psql: error: could not translate host name "db.invalid" to address: Name or service not known', 'dns'],
  ['psql', 'psql: error: connection to server at "127.0.0.1", port 26257 failed: timeout expired', 'timeout'],
  [
    'psql',
    PSQL(
      'localhost',
      'root certificate file "/root/.postgresql/root.crt" does not exist\nEither provide the file, use the system\'s trusted roots with sslrootcert=system, or change sslmode to disable server certificate verification.',
    ),
    'file-missing',
  ],
  ['psql', PSQL('localhost', 'FATAL:  no pg_hba.conf entry for host "127.0.0.1", user "alice", database "postgres", no encryption'), 'other'],
  [
    'psql',
    'psql: error: connection to server at "127.0.0.1", port 26257 failed: server closed the connection unexpectedly\n\tThis probably means the server terminated abnormally\n\tbefore or while processing the request.',
    'handshake-eof',
  ],
  ['psql', PSQL('localhost', 'certificate present, but not private key file "/root/.postgresql/postgresql.key"'), 'file-missing'],
  ['psql', PSQL('node1', 'SSL error: unexpected eof while reading'), 'handshake-eof'],
  ['psql', 'psql: error: invalid sslmode value: "verify_full"', 'other'],
  ['psql', PSQL('localhost', 'SSL error: tlsv13 alert certificate required'), 'client-cert-rejected'],
  // psycopg2 / psycopg 3 (libpq's text)
  [
    'psycopg2',
    'psycopg2.OperationalError: connection to server at "free-tier.gcp-us-central1.cockroachlabs.cloud" (34.1.2.3), port 26257 failed: root certificate file "/home/me/.postgresql/root.crt" does not exist',
    'file-missing',
  ],
  [
    'psycopg',
    'psycopg.OperationalError: connection failed: connection to server at "10.0.0.5", port 26257 failed: server certificate for "node1.example.com" does not match host name "10.0.0.5"',
    'hostname-mismatch',
  ],
  [
    'psycopg2',
    'psycopg2.OperationalError: connection to server at "db" (10.0.0.5), port 26257 failed: FATAL:  password authentication failed for user "maxroach"',
    'auth-failed',
  ],
  ['psycopg2', 'psycopg2.OperationalError: SSL SYSCALL error: EOF detected', 'handshake-eof'],
  // Seen live: a refused client certificate races Go's next write (explain-clients.test.ts).
  ['lib/pq', 'write tcp 127.0.0.1:49606->127.0.0.1:36825: write: connection reset by peer', 'ambiguous'],
  [
    'pgx',
    'failed to connect to `host=localhost user=alice database=postgres`: failed to write startup message (write tcp 127.0.0.1:49696->127.0.0.1:36825: write: connection reset by peer)',
    'ambiguous',
  ],
  [
    'psycopg',
    'psycopg.OperationalError: connection failed: connection to server at "127.0.0.1", port 26257 failed: SSL error: certificate verify failed',
    'ambiguous',
  ],
  // cockroach CLI, pgx, lib/pq
  ['cockroach', 'ERROR: x509: certificate signed by unknown authority', 'unknown-authority'],
  [
    'pgx',
    'failed to connect to `host=localhost user=root database=defaultdb`: tls error (tls: failed to verify certificate: x509: certificate signed by unknown authority (possibly because of "crypto/rsa: verification error" while trying to verify candidate authority certificate "Cockroach CA"))',
    'unknown-authority',
  ],
  ['cockroach', 'ERROR: x509: certificate is valid for localhost, node1, not 10.0.0.7', 'hostname-mismatch'],
  ['pgx', "tls: failed to verify certificate: x509: cannot validate certificate for 10.0.0.7 because it doesn't contain any IP SANs", 'hostname-mismatch'],
  ['lib/pq', 'x509: certificate relies on legacy Common Name field, use SANs instead', 'hostname-mismatch'],
  [
    'cockroach',
    'ERROR: x509: certificate has expired or is not yet valid: current time 2025-03-01T10:00:00Z is after 2025-02-28T00:00:00Z',
    'server-cert-expired',
  ],
  ['pgx', 'x509: certificate has expired or is not yet valid: current time 2025-03-01T10:00:00Z is before 2025-03-02T00:00:00Z', 'server-cert-not-yet-valid'],
  ['lib/pq', 'pq: remote error: tls: bad certificate', 'client-cert-rejected'],
  ['pgx', 'failed to connect to `host=db user=app database=app`: remote error: tls: unknown certificate authority', 'client-cert-rejected'],
  ['lib/pq', 'pq: SSL is not enabled on the server', 'ssl-not-supported'],
  ['pgx', 'failed to connect to `host=localhost user=root database=`: tls error (server refused TLS connection)', 'ssl-not-supported'],
  [
    'cockroach',
    'ERROR: cannot dial server.\nIs the server running?\nIf the server is running, check --host client-side and --advertise server-side.\n\ndial tcp 127.0.0.1:26257: connect: connection refused',
    'connection-refused',
  ],
  ['pgx', 'failed to connect to `host=db.invalid user=root database=`: hostname resolving error (lookup db.invalid on 127.0.0.53:53: no such host)', 'dns'],
  ['lib/pq', 'dial tcp 10.1.2.3:26257: i/o timeout', 'timeout'],
  [
    'cockroach',
    'ERROR: cannot load certificates.\nCheck your certificate settings, set --certs-dir, or use --insecure for insecure clusters.\n\nproblem using security settings: no certificates found; does certs dir exist?',
    'file-missing',
  ],
  ['cockroach', 'ERROR: key file certs/client.root.key has permissions -rw-r--r--, exceeds -rwx------', 'key-permissions'],
  ['cockroach', 'ERROR: tls: private key does not match public key', 'key-mismatch'],
  ['cockroach', 'ERROR: requested user is root, but certificate is for alice', 'auth-failed'],
  [
    'pgx',
    'failed to connect to `host=localhost user=root database=defaultdb`: server error (FATAL: password authentication failed for user "root" (SQLSTATE 28P01))',
    'auth-failed',
  ],
  ['cockroach', 'ERROR: node is running secure mode, SSL connection required', 'other'],
  ['cockroach node log', 'http: TLS handshake error from 10.0.0.9:53412: remote error: tls: bad certificate', 'unknown-authority'],
  ['cockroach', 'ERROR: open /home/me/certs/client.root.crt: no such file or directory', 'file-missing'],
  // Java: pgjdbc, DBeaver
  [
    'pgjdbc',
    'org.postgresql.util.PSQLException: SSL error: PKIX path building failed: sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid certification path to requested target',
    'unknown-authority',
  ],
  ['pgjdbc', 'javax.net.ssl.SSLHandshakeException: No subject alternative names matching IP address 10.0.0.7 found', 'hostname-mismatch'],
  ['pgjdbc', 'javax.net.ssl.SSLHandshakeException: No subject alternative DNS name matching db.example.com found.', 'hostname-mismatch'],
  [
    'pgjdbc',
    'org.postgresql.util.PSQLException: The hostname db.example.com could not be verified by hostnameverifier PgjdbcHostnameVerifier.',
    'hostname-mismatch',
  ],
  ['pgjdbc', 'org.postgresql.util.PSQLException: SSL error: Received fatal alert: bad_certificate', 'client-cert-rejected'],
  ['pgjdbc', 'org.postgresql.util.PSQLException: Could not read SSL key file /home/me/.postgresql/client.root.key.', 'other'],
  ['pgjdbc', 'org.postgresql.util.PSQLException: The server does not support SSL.', 'ssl-not-supported'],
  [
    'pgjdbc',
    'org.postgresql.util.PSQLException: Connection to localhost:26257 refused. Check that the hostname and port are correct and that the postmaster is accepting TCP/IP connections.',
    'connection-refused',
  ],
  ['pgjdbc', 'org.postgresql.util.PSQLException: SSL error: Remote host terminated the handshake', 'handshake-eof'],
  [
    'pgjdbc',
    'sun.security.validator.ValidatorException: PKIX path validation failed: java.security.cert.CertPathValidatorException: validity check failed',
    'server-cert-expired',
  ],
  ['pgjdbc', 'org.postgresql.util.PSQLException: The connection attempt failed.\nCaused by: java.net.UnknownHostException: db.invalid', 'dns'],
  ['pgjdbc', 'org.postgresql.util.PSQLException: The connection attempt failed.\nCaused by: java.net.SocketTimeoutException: connect timed out', 'timeout'],
  ['DBeaver', 'Connection failed: Could not open SSL root certificate file C:\\Users\\me\\AppData\\Roaming\\postgresql\\root.crt.', 'file-missing'],
  ['DBeaver', 'FATAL: password authentication failed for user "root"', 'auth-failed'],
  ['DBeaver', 'SSL error: Received fatal alert: certificate_required', 'client-cert-rejected'],
  // Node: pg (observed), TypeORM, Prisma
  ['pg', 'self-signed certificate in certificate chain', 'unknown-authority'],
  ['pg', 'Error: self signed certificate', 'unknown-authority'],
  ['pg', 'Error: unable to verify the first certificate', 'unknown-authority'],
  ['pg', "Hostname/IP does not match certificate's altnames: IP: 127.0.0.1 is not in the cert's list: ", 'hostname-mismatch'],
  [
    'pg',
    "Error [ERR_TLS_CERT_ALTNAME_INVALID]: Hostname/IP does not match certificate's altnames: Host: db.example.com. is not in the cert's altnames: DNS:localhost, DNS:node1",
    'hostname-mismatch',
  ],
  ['pg', 'certificate has expired', 'server-cert-expired'],
  ['pg', 'certificate is not yet valid', 'server-cert-not-yet-valid'],
  ['pg', 'Error: connect ECONNREFUSED 127.0.0.1:26257', 'connection-refused'],
  ['pg', 'Error: getaddrinfo ENOTFOUND db.invalid', 'dns'],
  ['pg', 'The server does not support SSL connections', 'ssl-not-supported'],
  ['pg', 'Client network socket disconnected before secure TLS connection was established', 'handshake-eof'],
  ['pg', 'Connection terminated unexpectedly', 'handshake-eof'],
  ['pg', 'Error: Connection terminated due to connection timeout', 'timeout'],
  [
    'pg',
    '807C25098E7F0000:error:0A000418:SSL routines:ssl3_read_bytes:tlsv1 alert unknown ca:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:1601:SSL alert number 48',
    'client-cert-rejected',
  ],
  ['pg', 'certificate authentication failed for user "root"', 'auth-failed'],
  ['pg', "Error: ENOENT: no such file or directory, open '/app/certs/ca.crt'", 'file-missing'],
  ['pg', 'Error: error:05800074:x509 certificate routines::key values mismatch', 'key-mismatch'],
  [
    'TypeORM',
    '[Nest] 1234  - 01/01/2025, 10:00:00 AM   ERROR [TypeOrmModule] Unable to connect to the database. Retrying (1)...\nError: self-signed certificate in certificate chain\n    at TLSSocket.onConnectSecure (node:_tls_wrap:1674:34)',
    'unknown-authority',
  ],
  ['TypeORM', 'QueryFailedError: password authentication failed for user "app"', 'auth-failed'],
  ['Prisma', 'Error: P1011: Error opening a TLS connection: unable to get local issuer certificate', 'unknown-authority'],
  [
    'asyncpg',
    'ssl.SSLCertVerificationError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate in certificate chain (_ssl.c:1006)',
    'unknown-authority',
  ],
  ['asyncpg', 'ConnectionError: PostgreSQL server at "localhost:26257" rejected SSL upgrade', 'ssl-not-supported'],
  ['PostgreSQL log', '2025-01-01 10:00:00.000 UTC [123] LOG:  could not accept SSL connection: certificate verify failed', 'client-cert-rejected'],
];

describe('explain: error messages of psql, psycopg, cockroach/pgx/lib/pq, pgjdbc/DBeaver, node-postgres/TypeORM', () => {
  it('has at least 40 messages from every client family', () => {
    assert.ok(TABLE.length >= 40, `${TABLE.length} messages`);
    const clients = new Set(TABLE.map(([c]) => c));
    for (const c of ['psql', 'psycopg2', 'cockroach', 'pgx', 'lib/pq', 'pgjdbc', 'DBeaver', 'pg', 'TypeORM']) assert.ok(clients.has(c), c);
  });

  for (const [client, text, category] of TABLE) {
    it(`${client}: ${text.split('\n')[0].slice(0, 90)} → ${category}`, () => {
      const r = explain(text);
      assert.equal(r.category, category, `matched ${r.matched?.id ?? 'nothing'}: ${r.cause}`);
      assert.ok(r.matched, 'recognised');
      assert.ok(r.cause.length > 20 && /[.)]$/.test(r.cause), `cause is a sentence: ${r.cause}`);
      assert.ok(r.fix.length > 20, `fix: ${r.fix}`);
      assert.doesNotMatch(r.cause + r.fix, /undefined/);
    });
  }

  it('names the hosts and files from the message in the cause and the fix', () => {
    const host = explain('x509: certificate is valid for localhost, node1, not 10.0.0.7');
    assert.match(host.cause, /localhost, node1.*10\.0\.0\.7/);
    assert.match(host.fix, /create-node .*10\.0\.0\.7/);
    const key = explain(PSQL('localhost', 'private key file "/srv/certs/client.app.key" has group or world access; ...'));
    assert.match(key.fix, /^chmod 600 \/srv\/certs\/client\.app\.key/);
    const trust = explain('psql: error: connection to server at "db1" (10.0.0.5), port 26258 failed: SSL error: certificate verify failed');
    assert.match(trust.fix, /crdb-tls probe db1:26258/);
    const sameName = explain(
      'x509: certificate signed by unknown authority (possibly because of "crypto/rsa: verification error" while trying to verify candidate authority certificate "Cockroach CA")',
    );
    assert.match(sameName.cause, /"Cockroach CA".*another cluster's CA|created again/);
    const user = explain('FATAL:  certificate authentication failed for user "root"');
    assert.match(user.fix, /create-client root/);
    const alt = explain("Hostname/IP does not match certificate's altnames: Host: db.example.com. is not in the cert's altnames: DNS:localhost, DNS:node1");
    assert.match(alt.cause, /DNS:localhost, DNS:node1, not db\.example\.com/);
  });

  it('says plainly when it does not recognise the text', () => {
    const r = explain('Segmentation fault (core dumped)');
    assert.equal(r.category, 'other');
    assert.equal(r.matched, undefined);
    assert.match(r.cause, /^not recognised: "Segmentation fault \(core dumped\)"/);
    assert.match(r.fix, /crdb-tls test-connection/);
    assert.match(explain('   ').cause, /^not recognised/);
  });

  it('catalogue: unique ids, and every failure category has entries', () => {
    const ids = CATALOGUE.map((e) => e.id);
    assert.equal(new Set(ids).size, ids.length);
    const covered = new Set(CATALOGUE.flatMap((e) => [e.category, ...(e.candidates ?? [])]));
    for (const e of CATALOGUE) assert.equal(e.category === 'ambiguous', (e.candidates?.length ?? 0) > 1, e.id);
    for (const c of CATEGORIES) if (c !== 'ok') assert.ok(covered.has(c), c);
  });

  it("an ambiguous text picks no cause: its fix holds no single cause's fix, and every candidate says what tells it apart", () => {
    const picks = [SHARED_TEXTS.trustFix, SHARED_TEXTS.clientCertFix, SHARED_TEXTS.reissueNode].map((t) => t.slice(0, 40));
    for (const e of CATALOGUE.filter((x) => x.category === 'ambiguous')) {
      const r = describeMatch(e, [], {});
      for (const p of picks) assert.ok(!r.fix.includes(p), `${e.id}: the fix picks a cause: ${r.fix}`);
      for (const c of e.candidates ?? []) assert.ok(CANDIDATE_SIGNS[c], `${e.id}: ${c} has no sign`);
    }
    const r = explain('SSL error: certificate verify failed');
    assert.deepEqual(r.candidates, ['unknown-authority', 'server-cert-expired', 'server-cert-not-yet-valid']);
    assert.match(candidatesLine(r.candidates!), /^unknown-authority \(probe --ca-file .*\); server-cert-expired \(probe shows .*notAfter/);
  });

  it('textContext reads host, port and user from libpq, Go, Node and JDBC messages', () => {
    assert.deepEqual(textContext('connection to server at "db" (10.0.0.5), port 26257 failed: FATAL:  password authentication failed for user "bob"'), {
      host: 'db',
      port: '26257',
      user: 'bob',
    });
    assert.deepEqual(textContext('dial tcp [::1]:26257: connect: connection refused'), { host: '::1', port: '26257' });
    assert.deepEqual(textContext('connect ECONNREFUSED 127.0.0.1:5433'), { host: '127.0.0.1', port: '5433' });
    assert.deepEqual(textContext('Connection to localhost:26257 refused.'), { host: 'localhost', port: '26257' });
  });
});
