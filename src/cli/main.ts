import { UserError, errMessage } from '../core/errors';
import { CERT_USAGE, Io, runCert } from './cert';
import { LINT_USAGE, runLint } from './lint';
import { CHANGEFEED_USAGE, runChangefeedUri } from './changefeed';
import { EXPLAIN_USAGE, runExplain } from './explain';
import { INSPECT_USAGE, runInspect } from './inspect';
import { PROBE_USAGE, runProbe } from './probe';
import { TEST_CONNECTION_USAGE, runTestConnection } from './testConnection';
import { VERIFY_USAGE, runVerify } from './verify';

const USAGE = `crdb-tls: CockroachDB TLS certificates from the command line

Usage: crdb-tls <command> [flags]

  cert            issue and list certificates, compatible with "cockroach cert" (crdb-tls cert --help)
  lint            check the connection strings in files: sslmode, certificate paths and expiry
  probe           TLS handshake with a SQL port: protocol, chain, CA and host checks
  test-connection connect with a connection string and explain any failure
  explain         explain a TLS/connection error from psql, pg, pgx, JDBC, ...
  inspect         a certificate or key file: openssl x509 -text plus CockroachDB's view
  verify          verify a certificate against a CA file, like openssl verify
  changefeed-uri  build a changefeed sink URI (Kafka, webhook, schema registry) with certificates
                  embedded as CockroachDB decodes them

Every command takes --json for machine-readable output. Exit code 0 on success, 1 on error.

${CERT_USAGE}
${LINT_USAGE}
${PROBE_USAGE}
${TEST_CONNECTION_USAGE}
${EXPLAIN_USAGE}
${INSPECT_USAGE}
${VERIFY_USAGE}
${CHANGEFEED_USAGE}`;

export async function main(argv: string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'cert':
      return runCert(rest, io);
    case 'lint':
      return runLint(rest, io);
    case 'changefeed-uri':
      return runChangefeedUri(rest, io);
    case 'probe':
      return runProbe(rest, io);
    case 'test-connection':
      return runTestConnection(rest, io);
    case 'explain':
      return runExplain(rest, io);
    case 'inspect':
      return runInspect(rest, io);
    case 'verify':
      return runVerify(rest, io);
    case '--help':
    case 'help':
      io.out(USAGE);
      return 0;
    case '--version':
      io.out(`${process.env.CRDB_TLS_VERSION ?? '0.1.0'}\n`);
      return 0;
    case undefined:
      io.out(USAGE);
      return 2;
    default:
      throw new UserError(`unknown command ${JSON.stringify(command)}: run "crdb-tls --help" for the list.`);
  }
}

if (require.main === module) {
  // Exit once the output is flushed: background work that no longer matters (a losing parallel
  // key search) must not hold the process open.
  const exit = (code: number) => process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
  main(process.argv.slice(2), { out: (s) => process.stdout.write(s), env: process.env }).then(
    (code) => exit(code),
    (err: unknown) => {
      const msg = err instanceof UserError ? err.message : `unexpected error: ${errMessage(err)}`;
      process.stderr.write(`crdb-tls: ${msg.replace(/\s*\n\s*/g, ' ')}\n`);
      exit(1);
    },
  );
}
