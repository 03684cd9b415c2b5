/** The `crdb-tls cloud ...`, `fleet ...` and `k8s ...` commands. */
import { CERTS_DIR } from './cert';
import { CommandSpec, FlagDef, GroupSpec, HELP_FLAG, JSON_FLAG, arg, bool, hide, list, value } from './types';

const CLUSTER = arg('CLUSTER', 'a cluster id or name ("crdb-tls cloud clusters" lists them)');
const TIMEOUT = value('timeout', 'D', '10m', 'how long --wait polls');
const INTERVAL = value('interval', 'D', '5s', 'between polls of --wait');
const WAIT = bool('wait', 'poll until the change is done (IS_SET, or NOT_SET after delete; FAILED is an error)');
const DRY_RUN = bool('dry-run', 'print the plan and change nothing');

export const CLOUD_GROUPS: GroupSpec[] = [
  {
    path: 'cloud',
    summary: 'CockroachDB Cloud: clusters, cluster CA download, client CA set/add/remove/rollback (crdb-tls cloud --help)',
    about: `CockroachDB Cloud (the API key from $COCKROACH_API_KEY, the server from $COCKROACH_SERVER,
default https://cockroachlabs.cloud). CLUSTER is a cluster id or name.`,
    footer: `Client CA changes are refused before anything is sent when F is not PEM, not only CA certificates,
holds a private key, or is expired; on a Basic or Standard cluster; and remove/delete while a client
certificate in a --certs-dir chains only to the CA being removed (--force skips this one).
`,
  },
  { path: 'cloud client-ca', summary: "a Cloud cluster's client CA: show, set, add, remove, delete, history, rollback" },
];

/** The flags of the client CA changes (one parse for all of them); a flag a change refuses is hidden there. */
function changeFlags(sub: string): FlagDef[] {
  const certFile = value('cert-file', 'F', 'none', 'the PEM file of the client CA certificate(s), e.g. ca-client.crt', 'file');
  const fingerprint = value('fingerprint', 'SHA256', 'none', 'the SHA-256 fingerprint of the CA to remove');
  return [
    sub === 'delete' || sub === 'rollback' ? hide(certFile) : certFile,
    sub === 'remove' ? fingerprint : hide(fingerprint),
    TIMEOUT,
    INTERVAL,
    list('certs-dir', 'D', 'none', 'refuse when a client certificate here chains only to a CA being removed (repeatable)', 'dir'),
    WAIT,
    DRY_RUN,
    JSON_FLAG,
    bool('force', 'skip the --certs-dir check'),
  ];
}

const change = (sub: string, usage: string, summary: string, args = [CLUSTER]): CommandSpec => ({
  path: `cloud client-ca ${sub}`,
  summary,
  usage,
  args,
  flags: changeFlags(sub),
});

export const CLOUD_COMMANDS: CommandSpec[] = [
  {
    path: 'cloud clusters',
    summary: "the organization's clusters: plan, state, regions, client CA status",
    usage: '[--json]',
    args: [],
    flags: [JSON_FLAG],
  },
  {
    path: 'cloud ca-cert',
    summary: 'download the cluster CA certificate; a different CA there is replaced only with --overwrite, after a backup',
    usage: 'CLUSTER [--out FILE] [--overwrite] [--dry-run] [--json]',
    args: [CLUSTER],
    flags: [
      value('out', 'FILE', "libpq's ~/.postgresql/root.crt (%APPDATA%\\postgresql\\root.crt on Windows)", 'where to write the CA', 'file'),
      bool('overwrite', 'replace a different CA in FILE (after a backup)'),
      DRY_RUN,
      JSON_FLAG,
    ],
  },
  {
    path: 'cloud client-ca show',
    summary: "the cluster's client CA status and certificates",
    usage: 'CLUSTER [--wait] [--json]',
    args: [CLUSTER],
    flags: [TIMEOUT, INTERVAL, bool('wait', 'poll until the status is final'), JSON_FLAG],
  },
  change('set', 'CLUSTER --cert-file F [flags]', 'make the client CA exactly F (POST when NOT_SET, else PATCH)'),
  change('add', 'CLUSTER --cert-file F [flags]', 'add F next to the current CAs (rotation step 1)'),
  change('remove', 'CLUSTER (--cert-file F | --fingerprint SHA256) [--certs-dir D]... [--force] [flags]', 'remove one CA from the client CA bundle'),
  change('delete', 'CLUSTER [--certs-dir D]... [--force] [flags]', 'delete the client CA'),
  {
    path: 'cloud client-ca history',
    summary: 'the bundles saved before each change',
    usage: 'CLUSTER [--json]',
    args: [CLUSTER],
    flags: [JSON_FLAG],
  },
  change(
    'rollback',
    'CLUSTER [ID] [--certs-dir D]... [--force] [flags]',
    'put a saved bundle back (default: the newest; rollback again goes further back, not undoing the last one)',
    [CLUSTER, arg('ID', 'the saved bundle (crdb-tls cloud client-ca history lists them)', { optional: true })],
  ),
];

export const FLEET_GROUP: GroupSpec = {
  path: 'fleet',
  summary: 'many nodes over SSH: status, rolling rotate-node with verify and restore, distribute-ca, rollback',
  about: "Fleets: many nodes over SSH; host keys checked against the inventory's known-hosts file.",
  footer: `A killed run is resumed by running the same command again.
The inventory (YAML): sshIdentityFile, knownHostsFile (default ~/.ssh/known_hosts), nodes: [{name, ssh: user@host[:port],
certsDir, hosts: [SANs], verify: HOST:PORT, reload (default: kill -HUP $(pgrep -x cockroach))}].
`,
};

/** The flags every fleet command parses (one parse for all of them); those a command refuses are hidden there. */
function fleetFlags(sub: string): FlagDef[] {
  const allowed: Record<string, string[]> = {
    status: ['inventory', 'ca-cert'],
    'rotate-node': ['inventory', 'ca-cert', 'ca-key', 'parallel', 'lifetime', 'key-size', 'verify-timeout', 'reload-timeout', 'dry-run'],
    'distribute-ca': ['inventory', 'ca-cert', 'parallel', 'verify-timeout', 'reload-timeout', 'dry-run'],
    rollback: ['inventory', 'verify-timeout', 'reload-timeout', 'dry-run'],
  };
  const flags: FlagDef[] = [
    value('inventory', 'F', 'none', 'the inventory: a YAML file listing the nodes', 'file'),
    value('ca-cert', 'CA', 'none', 'the CA certificate file', 'file'),
    value('ca-key', 'K', 'none', 'the CA key file', 'file'),
    value('parallel', 'N', '1', 'nodes at a time, 1 to 64'),
    value('lifetime', 'H', '43920h', "the new certificates' lifetime, a Go duration"),
    value('key-size', 'N', '2048', 'RSA key size in bits'),
    value('verify-timeout', 'D', '30s', 'how long each node is probed for the new certificate'),
    value('reload-timeout', 'D', '60s', "the limit of each node's reload command"),
    DRY_RUN,
    JSON_FLAG,
    HELP_FLAG,
  ];
  return flags.map((f) => (['json', 'help'].includes(f.name) || allowed[sub].includes(f.name) ? f : hide(f)));
}

const fleet = (sub: string, usage: string, summary: string): CommandSpec => ({ path: `fleet ${sub}`, summary, usage, args: [], flags: fleetFlags(sub) });

export const FLEET_COMMANDS: CommandSpec[] = [
  fleet('status', '--inventory F [--ca-cert CA] [--json]', "files' expiry (read over SSH), what each SQL port serves, mismatches"),
  fleet(
    'rotate-node',
    '--inventory F --ca-cert CA --ca-key K [--dry-run] [--parallel N] [--json]',
    'one node at a time: issue here, upload, back up, rename into place, reload, verify; a failed node is restored and the rollout stops',
  ),
  fleet('distribute-ca', '--inventory F --ca-cert CA [--dry-run] [--parallel N] [--json]', 'push a combined ca.crt to every node, reload'),
  fleet('rollback', '--inventory F [--dry-run] [--json]', "undo the last run on every node it changed (from the nodes' backups); --dry-run prints the plan"),
];

export const K8S_GROUP: GroupSpec = {
  path: 'k8s',
  summary: 'Kubernetes Secret manifests for the Helm chart and the operator (crdb-tls k8s --help)',
};

export const K8S_COMMANDS: CommandSpec[] = [
  {
    path: 'k8s secret',
    summary: "a Secret manifest for a node's or a client's files",
    usage: '--certs-dir D (--node | --client USER) --name N [--namespace NS] [--layout helm|operator]',
    args: [],
    flags: [
      CERTS_DIR,
      value('client', 'USER', 'none', "the client's files: ca.crt, client.USER.crt, client.USER.key"),
      value('layout', 'helm|operator', 'helm', "the data keys: helm (cockroach's file names) or operator (ca.crt, tls.crt, tls.key)", ['helm', 'operator']),
      value('name', 'N', 'none', 'the Secret name the chart or operator is given, e.g. cockroachdb.node'),
      value('namespace', 'NS', 'none', "the Secret's namespace"),
      bool('node', "the node's files: ca.crt, node.crt, node.key"),
    ],
    about: `Prints a Secret for one node or client, in the layout its deployment mounts:
  --layout helm      an Opaque Secret keyed by cockroach's file names (ca.crt, node.crt, node.key;
                     ca.crt, client.USER.crt, client.USER.key): the Helm chart's tls.certs.provided
                     with tls.certs.tlsSecret=false, mounted as the certs dir.
  --layout operator  a kubernetes.io/tls Secret with ca.crt, tls.crt, tls.key: the operator's
                     nodeTLSSecret and clientTLSSecret, and the Helm chart with tlsSecret=true.
Read either back with: crdb-tls cert import --from-k8s-secret FILE.`,
  },
];
