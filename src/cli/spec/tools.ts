/** The checking commands: lint, probe, test-connection, explain, inspect, verify. */
import { CommandSpec, HELP_FLAG, arg, bool, list, value } from './types';

export const TOOL_COMMANDS: CommandSpec[] = [
  {
    path: 'lint',
    summary: 'check the connection strings in files: sslmode, certificate paths and expiry',
    usage: '[--json] [--disable CODE]... [--max-file-size BYTES] FILE...',
    args: [arg('FILE', 'a file to check; "-" reads standard input', { repeat: true, complete: 'file' })],
    flags: [
      value('max-file-size', 'BYTES', 'no limit', 'skip larger files with a note on stderr (suffix K, M or G for KiB, MiB, GiB)'),
      list('disable', 'CODE', 'none', 'turn a rule off (repeatable, or comma-separated)'),
      bool('json', 'an array of {file, line, column, endLine, endColumn, severity, code, message, docs}'),
      HELP_FLAG,
    ],
    about: `Checks every connection string in the files (postgres[ql]:// and jdbc:postgresql:// URLs,
libpq key=value strings, cockroach sql --url): sslmode, parameter typos, passwords, and the
certificate and key files they name (existence, expiry, CA, user, key match and permissions).
Relative certificate paths resolve against the file's folder, then the current directory.
FILE "-" reads standard input. --json positions are 1-based; the end is the position just after
the range. Only regular files of at most 16 MiB are read (a FIFO, a device or a larger file cannot be read).`,
    footer: `Exit code: 1 when any finding is an error, or a FILE cannot be read ("crdb-tls: cannot read FILE:
reason" on stderr; the other files are still checked); 0 otherwise (warnings and infos do not
fail); 2 when no FILE is given.
`,
  },
  {
    path: 'probe',
    summary: 'TLS handshake with a SQL port: protocol, chain, CA and host checks',
    usage: 'HOST[:PORT] [--ca-file F] [--servername N] [--timeout 5s] [--json]',
    args: [arg('HOST[:PORT]', 'the SQL port (PORT defaults to 26257)')],
    flags: [
      value('ca-file', 'F', 'public roots', "the CA to verify the chain with (the cluster's ca.crt)", 'file'),
      value('servername', 'N', 'the HOST', 'SNI name to send, and the name checked against the certificate'),
      value('timeout', 'D', '5s', 'for the whole probe, e.g. 500ms; a bare number is seconds; at most 2^31-1 ms'),
      bool('json', 'the ProbeResult object'),
      HELP_FLAG,
    ],
    about: `Connects to a CockroachDB (or PostgreSQL) SQL port, sends the PostgreSQL SSLRequest as
"openssl s_client -starttls postgres" does, and on 'S' completes a TLS handshake without
trusting anything, then shows the protocol, the cipher and the server's certificate chain
(subject, SANs, issuer, validity, serial, SHA-256 fingerprint), whether the CA verifies it
(the OpenSSL error when not) and whether the host name matches.`,
    footer: `Exit code: 0 when the TLS handshake completed (and, with --ca-file, the CA verifies the chain
and the name matches); 1 otherwise.
`,
  },
  {
    path: 'test-connection',
    summary: 'connect with a connection string and explain any failure',
    usage: 'URL [--timeout 10s] [--json]',
    args: [arg('URL', 'postgresql://..., jdbc:postgresql://... or libpq key=value pairs')],
    flags: [
      value('timeout', 'D', 'connect_timeout from the string, else 10s', 'for the whole test; a bare number is seconds; at most 2^31-1 ms'),
      bool('json', '{ok, category, cause, fix, details}'),
      HELP_FLAG,
    ],
    about: `Checks the files the connection string names (missing files, key permissions as libpq checks
them, a key that does not match its certificate), then connects with node-postgres using the
string's own parameters and CockroachDB's meaning of sslmode, runs SELECT 1 and reports the
timings. A failure gets one category, a cause and a fix naming the files and hosts involved;
when TLS fails the server is probed to show what it serves. Relative paths resolve from the
current directory. The --json category is one of: ok, unknown-authority, hostname-mismatch,
server-cert-expired, server-cert-not-yet-valid, client-cert-rejected, handshake-eof,
ssl-not-supported, auth-failed, key-permissions, key-mismatch, file-missing, connection-refused,
timeout, dns, other.`,
    footer: 'Exit code: 0 when the connection works (category ok), 1 otherwise.\n',
  },
  {
    path: 'explain',
    summary: 'explain a TLS/connection error from psql, pg, pgx, JDBC, ...',
    usage: '"ERROR TEXT" [--json]',
    args: [arg('ERROR TEXT', 'the message; "-" reads standard input', { repeat: true, complete: 'none' })],
    flags: [bool('json', '{category, cause, fix}'), HELP_FLAG],
    dashIsText: true,
    about: `Explains a TLS or connection error message as printed by psql/libpq, psycopg, the cockroach
CLI, Go (pgx, lib/pq), Java (pgjdbc, DBeaver), Node (pg, TypeORM): the category (the same as
test-connection's), the cause and the fix. TEXT "-" reads standard input.`,
    footer: 'Exit code: 0 when the message is recognised, 1 when it is not (category other, "not recognised").\n',
  },
  {
    path: 'inspect',
    summary: "a certificate, CSR or key file: openssl x509 -text plus CockroachDB's view",
    usage: 'FILE [--ca-file CA] [--key KEYFILE] [--cert CERTFILE] [--json]',
    args: [arg('FILE', 'a certificate, certificate signing request (.csr) or key file', { complete: 'file' })],
    flags: [
      value('ca-file', 'CA', 'the CA file next to FILE that signs its kind', 'the CA that must have signed the certificate', 'file'),
      value('key', 'KEYFILE', 'the .key next to FILE', "the certificate's key", 'file'),
      value('cert', 'CERTFILE', 'the .crt next to FILE', "the key's certificate", 'file'),
      bool('json', '{kind: "certificate" | "key" | "csr", path, ok, ...}'),
      HELP_FLAG,
    ],
    about: `A certificate file: what "openssl x509 -text" shows for each certificate, plus its status, what
it means to CockroachDB (by file name: ca.crt, node.crt, client.<user>.crt, ...) and whether the
CA signed it (--ca-file, default the CA file next to it that signs its kind: ca-client.crt
for client certs when present, ca-ui.crt for ui.crt, else ca.crt), and whether its key
(--key, default the .key next to it) matches.
A certificate signing request (.csr): what "openssl req -text" shows, whether its signature
verifies, and what CockroachDB's rules say about the certificate it asks for.
A key file: type, size, format, whether libpq and cockroach accept its permissions, and whether
it matches the certificate (--cert, default the .crt next to it).
--json: {kind: "certificate", path, role, usage, ok, usable, problems, certs, key?}
or {kind: "key", path, ok, type, bits, format, mode, ..., cert?} or {kind: "csr", path, ok, problems, requests}.`,
    footer: `Exit code: 0 when the file is usable (readable, signed by the CA file when one is checked, within
its validity, and the key matches), 1 otherwise.
`,
  },
  {
    path: 'verify',
    summary: 'verify a certificate against a CA file, like openssl verify',
    usage: '--ca-file CA CERT [--json]',
    args: [arg('CERT', 'the certificate file (further certificates in it are intermediates)', { complete: 'file' })],
    flags: [
      value('ca-file', 'CA', 'none', 'the CA file: every certificate in it is trusted', 'file'),
      bool('json', '{file, ok, code, errorNumber, errorText, depth, reason, chain, notes}'),
      HELP_FLAG,
    ],
    about: `Verifies CERT against the CA file as "openssl verify -CAfile CA CERT" does (every certificate
in CA is trusted; further certificates in CERT are used as intermediates): prints "CERT: OK",
or openssl's error (unable to get local issuer certificate, certificate has expired, is not yet
valid, invalid CA certificate, ...) with the reason in a sentence. Revocation is not checked.
A file CockroachDB (Go) reads but OpenSSL-based clients may not (PEM headers, blank lines in
the base64, two blocks on one line) gets a "Note:" line.`,
    footer: 'Exit code: 0 when it verifies, 1 when it does not.\n',
  },
];
