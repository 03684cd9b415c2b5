import { UserError, errMessage, quoteInput, safeMessage } from '../core/errors';
import type { Io } from './io';
import { VERSION } from './version';

// Each command's module is loaded when that command runs: a `cert create-*` does not initialise
// the linter, the changefeed builder or the TLS troubleshooting code.
async function usage(): Promise<string> {
  const [cert, lint, probe, test, explain, inspect, verify, changefeed] = await Promise.all([
    import('./cert'),
    import('./lint'),
    import('./probe'),
    import('./testConnection'),
    import('./explain'),
    import('./inspect'),
    import('./verify'),
    import('./changefeed'),
  ]);
  return `crdb-tls: CockroachDB TLS certificates from the command line

Usage: crdb-tls <command> [flags]

  cert            issue and list certificates, compatible with "cockroach cert" (crdb-tls cert --help)
  lint            check the connection strings in files: sslmode, certificate paths and expiry
  probe           TLS handshake with a SQL port: protocol, chain, CA and host checks
  test-connection connect with a connection string and explain any failure
  explain         explain a TLS/connection error from psql, pg, pgx, JDBC, ...
  inspect         a certificate or key file: openssl x509 -text plus CockroachDB's view
  verify          verify a certificate against a CA file, like openssl verify
  connect         a proven connection for one client library: snippet, program, run command, key files
  fleet           many nodes over SSH: status, rolling rotate-node with verify and restore, distribute-ca, rollback
  monitor         certs dirs' expiry for cron, systemd timers and CI: exit 0/1/2; text, JSON or Prometheus
  changefeed-uri  build a changefeed sink URI (Kafka, webhook, schema registry) with certificates
                  embedded as CockroachDB decodes them
  cloud           CockroachDB Cloud: clusters, cluster CA download, client CA set/add/remove/rollback (crdb-tls cloud --help)
  k8s             Kubernetes Secret manifests for the Helm chart and the operator (crdb-tls k8s --help)

Every command takes --json for machine-readable output. Exit code 0 on success, 1 on error.

${cert.CERT_USAGE}
${lint.LINT_USAGE}
${probe.PROBE_USAGE}
${test.TEST_CONNECTION_USAGE}
${explain.EXPLAIN_USAGE}
${inspect.INSPECT_USAGE}
${verify.VERIFY_USAGE}
${changefeed.CHANGEFEED_USAGE}`;
}

export async function main(argv: string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'cert':
      return (await import('./cert')).runCert(rest, io);
    case 'lint':
      return (await import('./lint')).runLint(rest, io);
    case 'changefeed-uri':
      return (await import('./changefeed')).runChangefeedUri(rest, io);
    case 'probe':
      return (await import('./probe')).runProbe(rest, io);
    case 'test-connection':
      return (await import('./testConnection')).runTestConnection(rest, io);
    case 'explain':
      return (await import('./explain')).runExplain(rest, io);
    case 'inspect':
      return (await import('./inspect')).runInspect(rest, io);
    case 'verify':
      return (await import('./verify')).runVerify(rest, io);
    case 'cloud':
      return (await import('./cloud')).runCloud(rest, io);
    case 'k8s':
      return (await import('./k8s')).runK8s(rest, io);
    case 'connect':
      return (await import('./connect')).runConnect(rest, io);
    case 'fleet':
      return (await import('./fleet')).runFleet(rest, io);
    case 'monitor':
      return (await import('./monitor')).runMonitor(rest, io);
    case '--help':
    case 'help':
      io.out(await usage());
      return 0;
    case '--version':
      io.out(`${VERSION}\n`);
      return 0;
    case undefined:
      io.out(await usage());
      return 2;
    default:
      throw new UserError(`unknown command ${quoteInput(command)}: run "crdb-tls --help" for the list.`);
  }
}

if (require.main === module) {
  // Exit once the output is flushed: a key generation started before a check failed must not
  // hold the process open.
  const exit = (code: number) => process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
  main(process.argv.slice(2), { out: (s) => process.stdout.write(s), env: process.env }).then(
    (code) => exit(code),
    (err: unknown) => {
      const msg = err instanceof UserError ? err.message : `unexpected error: ${errMessage(err)}`;
      process.stderr.write(`crdb-tls: ${safeMessage(msg)}\n`);
      exit(1);
    },
  );
}
