/** The commands that build or report: connect, monitor, changefeed-uri; and the CLI's own help and completion. */
import { CLIENT_IDS } from '../../core/connstr/clients/types';
import { CommandSpec, HELP_FLAG, arg, bool, list, value } from './types';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;

export const BUILD_COMMANDS: CommandSpec[] = [
  {
    path: 'connect',
    summary: 'a proven connection for one client library: snippet, program, run command, key files',
    usage: 'CLIENT --url URL [--out DIR] [--json]',
    args: [arg('CLIENT', CLIENT_IDS.join(', '), { complete: CLIENT_IDS })],
    flags: [
      value('url', 'URL', 'none', 'the connection string, with sslrootcert (and sslcert/sslkey for certificate login)'),
      value('out', 'DIR', 'none (nothing is written)', 'write the program and the derived files there (created if needed; keys mode 0600)', 'dir'),
      bool('json', '{client, language, snippet, program, programFile?, run, files, notes}'),
      HELP_FLAG,
    ],
    about: `What one client needs to connect with verify-full and the URL's certificates: the snippet for the
application, a minimal program that connects and prints the result of SELECT 1, the command that
runs it, the key files it derives (client.<user>.key.pk8 for JDBC, client.<user>.p12 for Prisma)
and the client's caveats. The URL may also be JDBC or key=value; relative paths resolve from the
current directory. Its lint findings are printed as warnings (stderr).`,
    footer: 'Exit code: 0 when the kit is built, 1 on error.\n',
  },
  {
    path: 'monitor',
    summary: "certs dirs' expiry for cron, systemd timers and CI: exit 0/1/2; text, JSON or Prometheus",
    usage: '--certs-dir D [--certs-dir D2 ...] [--warn 30d] [--format text|json|prometheus] [--output F]',
    args: [],
    flags: [
      value('warn', 'D', '30d', 'the warning window (also 2w, 720h)'),
      value('format', 'text|json|prometheus', 'text (json with --json)', "the report's format", ['text', 'json', 'prometheus']),
      value('output', 'F', 'standard output', 'write the report to F atomically (a temp file renamed over it)', 'file'),
      HELP_FLAG,
      bool('json', 'the same as --format json'),
      list('certs-dir', 'D', '$COCKROACH_CERTS_DIR', 'a certs dir to check (repeatable)', 'dir'),
    ],
    about: `Checks certs dirs as CockroachDB's loader reads them, for cron, systemd timers and CI.
--format prometheus is the text exposition format for node_exporter's textfile collector
(security_certificate_expiration_<usage> in Unix seconds per certificate, labelled certs_dir,
usage, file, user; crdb_tls_certs_dir_loader_errors).`,
    footer: `Exit codes: 0 everything is fine; 1 something expires within the warning window; 2 something has
expired or is not yet valid, the loader would reject a file, or the check could not run (bad flags).
`,
  },
  {
    path: 'changefeed-uri',
    summary: 'build a changefeed sink URI (Kafka, webhook, schema registry) with certificates embedded as CockroachDB decodes them',
    usage: '--sink URL [flags]',
    args: [],
    flags: [
      value('sink', 'URL', 'none', 'kafka://broker:9093, webhook-https://host:port/path, or https://registry:8081 (a schema registry URI alone)'),
      value('ca-cert', 'F', 'none', 'CA certificate(s) that verify the broker/server (ca_cert)', 'file'),
      value('client-cert', 'F', 'none', 'client certificate (client_cert)', 'file'),
      value('client-key', 'F', 'none', 'its key (client_key)', 'file'),
      value('external-connection', 'NAME', 'none', "CREATE EXTERNAL CONNECTION NAME AS '<uri>', then CREATE CHANGEFEED ... INTO 'external://NAME'"),
      value('sasl-user', 'U', 'none', 'Kafka SASL user'),
      value('sasl-password', 'P', '$CRDB_TLS_SASL_PASSWORD', 'Kafka SASL password'),
      value('sasl-mechanism', 'M', 'none', 'Kafka SASL mechanism', ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512']),
      value('topic-prefix', 'P', 'none', 'Kafka topic prefix'),
      value('topic-name', 'N', 'none', 'Kafka topic name'),
      value('schema-registry', 'URL', 'none', 'Confluent schema registry for format=avro (https://host:port)'),
      value('registry-ca-cert', 'F', 'none', "the registry's CA certificate(s)", 'file'),
      value('registry-client-cert', 'F', 'none', 'client certificate for the registry', 'file'),
      value('registry-client-key', 'F', 'none', 'its key', 'file'),
      value('live-timeout', 'D', '5000 (ms)', 'the limit of --check-live: a duration such as 5s, or milliseconds; at most 2^31-1 ms'),
      list('table', 'T', 'none', 'table to watch (repeatable): CREATE CHANGEFEED FOR TABLE ...'),
      list('option', 'O', 'updated, resolved', 'changefeed option (repeatable): updated, resolved=10s, format=avro...'),
      bool('tls-enabled', 'Kafka tls_enabled (--tls-enabled=false turns it off)', 'true whenever certificates are given'),
      bool('insecure-tls-skip-verify', 'do not verify the server (warned against)'),
      bool('check-live', 'TLS handshake to the broker presenting the client certificate: does it accept it, does the CA verify it'),
      bool('json', '{uri, maskedUri, sql: [...], warnings: [...], errors: [...], certs, live?}'),
      HELP_FLAG,
    ],
    about: `Builds a changefeed sink URI with the certificates embedded exactly as CockroachDB decodes them
(standard base64 with padding, percent-encoded), checks them first, and prints the URI and the SQL.
--external-connection is the recommended form.`,
    footer: `Output: the URI on the first line, then the SQL; notes as SQL comments (--). Exit code 1 when a
check fails (one line on stderr naming the file and the fix), 0 otherwise.
`,
  },
  {
    path: 'completion',
    summary: 'print a shell completion script: bash, zsh or fish',
    usage: 'bash|zsh|fish',
    args: [arg('SHELL', 'bash, zsh or fish', { complete: SHELLS })],
    flags: [HELP_FLAG],
    about: `bash: source <(crdb-tls completion bash), e.g. in ~/.bashrc.
zsh: source <(crdb-tls completion zsh) in ~/.zshrc (after compinit).
fish: crdb-tls completion fish > ~/.config/fish/completions/crdb-tls.fish`,
  },
  {
    path: 'help',
    summary: "a command's usage, flags and their defaults",
    usage: '[COMMAND [SUBCOMMAND]]',
    args: [arg('COMMAND', 'a command, e.g. cert or inspect', { optional: true }), arg('SUBCOMMAND', 'e.g. create-node', { optional: true })],
    flags: [],
  },
];
