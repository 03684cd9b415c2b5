import { UserError } from '../core/errors';
import { parseTimeout } from '../core/pki/duration';
import { testConnectionText } from '../core/tls/report';
import { testConnection } from '../core/tls/testConnection';
import { parseArgs } from './args';
import type { Io } from './io';

export const TEST_CONNECTION_USAGE = `Usage: crdb-tls test-connection URL [--timeout 10s] [--json]

Checks the files the connection string names (missing files, key permissions as libpq checks
them, a key that does not match its certificate), then connects with node-postgres using the
string's own parameters and CockroachDB's meaning of sslmode, runs SELECT 1 and reports the
timings. A failure gets one category, a cause and a fix naming the files and hosts involved;
when TLS fails the server is probed to show what it serves. Relative paths resolve from the
current directory. URL: postgresql://..., jdbc:postgresql://... or libpq key=value pairs.

  --timeout D   for the whole test, e.g. 10s (default: connect_timeout from the string, else 10s);
                a bare number is seconds; at most 2^31-1 ms
  --json        {ok, category, cause, fix, details}; category is one of: ok, unknown-authority,
                hostname-mismatch, server-cert-expired, server-cert-not-yet-valid,
                client-cert-rejected, handshake-eof, ssl-not-supported, auth-failed,
                key-permissions, key-mismatch, file-missing, connection-refused, timeout, dns, other

Exit code: 0 when the connection works (category ok), 1 otherwise.
`;

export interface TestConnectionIo extends Io {
  cwd?: string;
}

export async function runTestConnection(argv: string[], io: TestConnectionIo): Promise<number> {
  const a = parseArgs(argv, { values: ['timeout'], bools: ['json', 'help'] }, 'test-connection');
  if (a.bools.help) {
    io.out(TEST_CONNECTION_USAGE);
    return 0;
  }
  if (a.positionals.length !== 1) {
    throw new UserError(
      `test-connection takes one connection string, got ${a.positionals.length}: quote it, e.g. crdb-tls test-connection "postgresql://root@localhost:26257/defaultdb?sslmode=verify-full&sslrootcert=certs/ca.crt".`,
    );
  }
  const r = await testConnection(a.positionals[0], {
    timeoutMs: a.values.timeout !== undefined ? parseTimeout(a.values.timeout) : undefined,
    cwd: io.cwd ?? process.cwd(),
    home: io.env.HOME,
  });
  io.out(
    a.bools.json ? JSON.stringify({ ok: r.ok, category: r.category, cause: r.cause, fix: r.fix, details: r.details }, null, 2) + '\n' : testConnectionText(r),
  );
  return r.ok ? 0 : 1;
}
