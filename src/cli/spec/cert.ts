/** The `crdb-tls cert ...` commands: issue, list, certificates from another CA, rotation. */
import { DEFAULT_CA_LIFETIME, DEFAULT_CERT_LIFETIME } from '../../core/cockroach/lifetimes';
import { DEFAULT_KEY_SIZE, MAX_KEY_SIZE, MIN_KEY_SIZE } from '../../core/pki/keys';
import { CommandSpec, FlagDef, GroupSpec, JSON_FLAG, arg, bool, hide, list, value } from './types';

const CERTS_DIR_DEFAULT = '$COCKROACH_CERTS_DIR, else ~/.cockroach-certs';
export const CERTS_DIR = value('certs-dir', 'D', CERTS_DIR_DEFAULT, 'the certificate directory', 'dir');
const CA_KEY = value('ca-key', 'K', '$COCKROACH_CA_KEY', 'the CA key file', 'file');
const KEY_TYPE = value('key-type', 'rsa|ecdsa', 'rsa', 'the key type: rsa (as cockroach cert) or ecdsa (P-256)', ['rsa', 'ecdsa']);
const KEY_SIZE = value('key-size', 'N', String(DEFAULT_KEY_SIZE), `RSA key size in bits, ${MIN_KEY_SIZE} to ${MAX_KEY_SIZE}`);
const lifetime = (dflt: string) => value('lifetime', 'H', dflt, 'a Go duration, e.g. 8784h (at most 100 years)');
const OVERWRITE = bool('overwrite', 'replace existing files');
const PKCS8 = bool('also-generate-pkcs8-key', 'also write the key as DER PKCS#8 (client.USER.key.pk8, for JDBC)');
const BACKUP_DIR = value('backup-dir', 'B', '<certs-dir>.backups', 'where the backup of replaced files goes', 'dir');
const AS = value('as', 'ROLE', 'none', 'the role: node, client USER, ca or client-ca', ['node', 'client', 'ca', 'client-ca']);

const create = (dflt: string): FlagDef[] => [CERTS_DIR, CA_KEY, KEY_TYPE, KEY_SIZE, lifetime(dflt)];

export const CERT_GROUP: GroupSpec = {
  path: 'cert',
  summary: 'issue and list certificates, compatible with "cockroach cert" (crdb-tls cert --help)',
  footer: `--certs-dir defaults to $COCKROACH_CERTS_DIR, then ~/.cockroach-certs; --ca-key to $COCKROACH_CA_KEY.
--key-type: rsa (default, as cockroach cert) or ecdsa (P-256; keys as EC PRIVATE KEY, .pk8 stays DER PKCS#8).
--key-size: larger RSA keys take minutes to generate. Run crdb-tls help cert COMMAND for a command's flags.
`,
};

const ROTATE_ABOUT = `Rotation: a backup first, atomic writes, one rotation at a time per certs dir. --dry-run prints the
plan and writes nothing. Backups go to <certs-dir>.backups/ unless --backup-dir. Every flag is checked
before anything is written (the --reload-pid process must exist, the --verify host must resolve).
--reload-cmd is killed after --reload-timeout. When the reload or the verification fails after the
files are written, the one-line error gives the rollback command.`;

/** The flags every rotation command parses (one parse for all of them); --also-check is prune-ca's. */
function rotateFlags(path: string, life: string): FlagDef[] {
  const alsoCheck = list('also-check', 'DIR', 'none', 'another certs dir whose certificates must still verify (repeatable)', 'dir');
  return [
    CERTS_DIR,
    CA_KEY,
    value('client-ca-key', 'K2', 'none', 'the client CA key (reissue-all: client certs signed by ca-client.crt)', 'file'),
    value('backup-dir', 'B', '<certs-dir>.backups', 'where the backups go', 'dir'),
    KEY_SIZE,
    lifetime(life),
    value('reload-pid', 'PID', 'none', 'send SIGHUP to this process after the files are written'),
    value('reload-cmd', 'CMD', 'none', 'run this shell command after the files are written'),
    value('reload-timeout', 'D', '60s', 'kill --reload-cmd after this long'),
    value('verify', 'HOST:PORT', 'none', 'check that this SQL port serves the new node.crt'),
    value('verify-timeout', 'D', '10s', 'how long --verify keeps probing'),
    path === 'cert prune-ca' ? alsoCheck : hide(alsoCheck),
    bool('dry-run', 'print the plan and write nothing'),
    JSON_FLAG,
    PKCS8,
  ];
}

const rotate = (name: string, usage: string, summary: string, args: CommandSpec['args'], life = DEFAULT_CERT_LIFETIME): CommandSpec => ({
  path: `cert ${name}`,
  summary,
  usage,
  args,
  flags: rotateFlags(`cert ${name}`, life),
  about: ROTATE_ABOUT,
});

export const CERT_COMMANDS: CommandSpec[] = [
  {
    path: 'cert create-ca',
    summary: 'create the CA certificate and key (ca.crt, CA key), as cockroach cert create-ca',
    usage: `--certs-dir D --ca-key K [--key-type rsa|ecdsa] [--key-size N] [--lifetime ${DEFAULT_CA_LIFETIME}] [--allow-ca-key-reuse] [--overwrite]`,
    args: [],
    flags: [...create(DEFAULT_CA_LIFETIME), bool('allow-ca-key-reuse', 'use the existing CA key instead of refusing'), OVERWRITE, JSON_FLAG],
  },
  {
    path: 'cert create-client-ca',
    summary: 'create the client CA (ca-client.crt), as cockroach cert create-client-ca',
    usage: `--certs-dir D --ca-key K [--key-type rsa|ecdsa] [--key-size N] [--lifetime ${DEFAULT_CA_LIFETIME}] [--allow-ca-key-reuse] [--overwrite]`,
    args: [],
    flags: [...create(DEFAULT_CA_LIFETIME), bool('allow-ca-key-reuse', 'use the existing CA key instead of refusing'), OVERWRITE, JSON_FLAG],
  },
  {
    path: 'cert create-node',
    summary: 'create node.crt and node.key for the hosts, as cockroach cert create-node',
    usage: `HOST... --certs-dir D --ca-key K [--key-type rsa|ecdsa] [--key-size N] [--lifetime ${DEFAULT_CERT_LIFETIME}] [--overwrite]`,
    args: [arg('HOST', 'a host name or IP address the node is reached by', { repeat: true })],
    flags: [...create(DEFAULT_CERT_LIFETIME), OVERWRITE, JSON_FLAG],
  },
  {
    path: 'cert create-client',
    summary: 'create client.USER.crt and client.USER.key, as cockroach cert create-client',
    usage: `USER --certs-dir D --ca-key K [--key-type rsa|ecdsa] [--key-size N] [--lifetime ${DEFAULT_CERT_LIFETIME}] [--also-generate-pkcs8-key] [--overwrite]`,
    args: [arg('USER', 'the SQL user name')],
    flags: [...create(DEFAULT_CERT_LIFETIME), OVERWRITE, PKCS8, JSON_FLAG],
  },
  {
    path: 'cert list',
    summary: 'list the certificates of a certs dir as cockroach cert list does',
    usage: '--certs-dir D [--json]',
    args: [],
    flags: [CERTS_DIR, JSON_FLAG],
  },
  {
    path: 'cert create-csr',
    summary: 'a key and a certificate signing request for another CA (easy-rsa, cfssl, Vault, ...)',
    usage: 'node HOST... | client USER --certs-dir D [--key-type rsa|ecdsa] [--key-size N] [--overwrite [--backup-dir B]]',
    args: [
      arg('KIND', 'node or client', { complete: ['node', 'client'] }),
      arg('HOST... | USER', 'the hosts of a node, the user of a client', { repeat: true }),
    ],
    flags: [
      CERTS_DIR,
      KEY_TYPE,
      KEY_SIZE,
      bool('overwrite', 'replace an existing key and CSR (backed up first: cert rollback puts them back)'),
      BACKUP_DIR,
      JSON_FLAG,
    ],
  },
  {
    path: 'cert check',
    summary: "check certificates from another CA against CockroachDB's rules",
    usage: 'FILE... [--as node|client USER|ca|client-ca] [--host H]... [--ca FILE] [--key FILE] [--json]',
    args: [arg('FILE', 'a certificate file', { repeat: true, complete: 'file' })],
    flags: [
      AS,
      value('ca', 'FILE', 'none', 'the CA that must verify the certificate', 'file'),
      value('key', 'FILE', 'none', 'the key that must match the certificate', 'file'),
      list('host', 'H', 'none', 'a host the certificate must name (repeatable)'),
      JSON_FLAG,
    ],
    footer: 'Exit code: 0 when every FILE passes, 1 otherwise.\n',
  },
  {
    path: 'cert import',
    summary: "put another CA's certificate and key into a certs dir under CockroachDB's file names",
    usage:
      '--certs-dir D --as node|client USER|ca|client-ca (--cert F [--key K] [--ca CA] | --from-cert-manager DIR | --from-k8s-secret FILE) [--host H]... [--overwrite] [--json]',
    args: [],
    flags: [
      CERTS_DIR,
      AS,
      value('cert', 'F', 'none', 'the certificate file', 'file'),
      value('key', 'K', 'none', 'its key file (with --cert)', 'file'),
      value('ca', 'CA', 'none', 'the issuing CA file (with --cert)', 'file'),
      value('from-cert-manager', 'DIR', 'none', "a cert-manager Secret's files (tls.crt, tls.key, ca.crt)", 'dir'),
      value(
        'from-k8s-secret',
        'FILE',
        'none',
        'a Kubernetes Secret manifest (YAML or JSON, data or stringData): node.crt/node.key or client.USER.*, else tls.crt/tls.key',
        'file',
      ),
      list('host', 'H', 'none', 'a host the certificate must name (repeatable)'),
      BACKUP_DIR,
      OVERWRITE,
      JSON_FLAG,
    ],
    about: `Refuses, changing nothing, on any failure of "cert check". When the certs dir holds the request
create-csr wrote (node.csr, client.USER.csr), the certificate must also be for that request's key
and keep every DNS and IP name it asked for.`,
  },
  rotate('rotate-node', '[HOST...] --certs-dir D --ca-key K [flags]', "new node cert and key; hosts default to the current node.crt's", [
    arg('HOST', 'a host of the new certificate (default: those of the current node.crt)', { repeat: true, optional: true }),
  ]),
  rotate('rotate-client', 'USER... --certs-dir D --ca-key K [--also-generate-pkcs8-key] [flags]', 'new client certs and keys for the users', [
    arg('USER', 'a SQL user name', { repeat: true }),
  ]),
  rotate('rotate-ca', '--certs-dir D --ca-key K [flags]', 'a new CA: old key kept as ca.old.key; ca.crt = new CA + old CAs', [], DEFAULT_CA_LIFETIME),
  rotate('reissue-all', '--certs-dir D --ca-key K [--client-ca-key K2] [flags]', 'every node and client cert again from the current CA', []),
  rotate('prune-ca', '--certs-dir D [--also-check DIR]... [flags]', 'drop old CAs from ca.crt once nothing depends on them', []),
  rotate('backups', '--certs-dir D [--json]', 'list the backups of a certs dir', []),
  rotate(
    'rollback',
    '[BACKUP_ID] --certs-dir D [--ca-key K] [flags]',
    'restore a backup (default: the newest); the current files are backed up first; --ca-key K also restores that CA key',
    [arg('BACKUP_ID', 'the backup to restore (crdb-tls cert backups lists them)', { optional: true })],
  ),
];
