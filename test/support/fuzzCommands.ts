/**
 * The bad-input suite's cases for the commands beyond the first thirteen: rotate-client, rotate-ca,
 * reissue-all, prune-ca, backups, cert import, cert check, cert create-csr, cert create-client-ca,
 * connect, monitor, k8s secret, fleet and cloud. Every case fails before anything is written and
 * before any network (fleet: the inventory is read first; cloud: the API is a closed loopback port).
 */
import { copyFileSync, cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CertsFixture } from './certs';
import { FuzzCase } from './fuzz';

export interface CommandFixture {
  root: string;
  good: CertsFixture;
  /** A folder with the fixture's ca.crt only (create-* write there). */
  issuing: string;
  /** Bad files by kind (fifo, dev-zero, empty, flipped-0, ...). */
  files: Record<string, string>;
  /** A certs dir like the good one with `name` replaced by the bad file of `kind`. */
  dirWith: (name: string, kind: string) => string;
}

/** What the cloud cases run with: an API key, and an API on a loopback port nothing listens on. */
export const CLOUD_ENV = { COCKROACH_API_KEY: 'fuzz-not-a-key', COCKROACH_SERVER: 'http://127.0.0.1:1' };

const FILE_KINDS = ['fifo', 'dev-zero', 'dev-urandom', 'missing', 'directory', 'empty', 'random-1k', 'big-2m'];
const CERT_KINDS = ['truncated-cert', 'flipped-0', 'bad-time-0', 'key-as-cert'];
const KEY_KINDS = ['corrupt-key-0', 'truncated-key', 'cert-as-key'];
const DIR_KINDS = ['fifo', 'dev-zero', 'truncated-cert'];
/** Files the loader rejects that k8s secret and monitor must refuse too (the certificate's, or its key's). */
const LOADER_CERT_KINDS = ['empty', 'flipped-0', 'bad-time-0', 'key-as-cert'];
const LOADER_KEY_KINDS = ['empty', 'corrupt-key-0', 'truncated-key', 'cert-as-key'];
const MONITOR_FORMATS = ['text', 'json', 'prometheus'];

export function commandCases(fx: CommandFixture): FuzzCase[] {
  const out: FuzzCase[] = [];
  const { certsDir, caKey } = fx.good;
  const ca = join(certsDir, 'ca.crt');
  const nodeCrt = join(certsDir, 'node.crt');
  const nodeKey = join(certsDir, 'node.key');
  const clientCrt = join(certsDir, 'client.root.crt');
  const url = (q: string) => `postgresql://root@localhost:26257/defaultdb?sslmode=verify-full&${q}`;
  const importDir = join(fx.root, 'import-target');
  const newCa = join(fx.root, 'new-client-ca');

  for (const kind of [...FILE_KINDS, ...KEY_KINDS]) {
    const F = fx.files[kind];
    const named = { mention: [F] };
    out.push(
      { name: `rotate-client --ca-key ${kind}`, args: ['cert', 'rotate-client', 'root', '--certs-dir', certsDir, '--ca-key', F], ...named },
      { name: `rotate-ca --ca-key ${kind}`, args: ['cert', 'rotate-ca', '--certs-dir', certsDir, '--ca-key', F], ...named },
      { name: `reissue-all --ca-key ${kind}`, args: ['cert', 'reissue-all', '--certs-dir', certsDir, '--ca-key', F], ...named },
      { name: `cert check --key ${kind}`, args: ['cert', 'check', nodeCrt, '--as', 'node', '--key', F], exits: [1], ...named },
      {
        name: `cert import --key ${kind}`,
        args: ['cert', 'import', '--certs-dir', importDir, '--as', 'client', 'root', '--cert', clientCrt, '--key', F, '--ca', ca],
        ...named,
      },
      ...(kind === 'missing'
        ? []
        : [
            {
              name: `cert create-client-ca --ca-key ${kind} (reuse)`,
              args: ['cert', 'create-client-ca', '--certs-dir', newCa, '--ca-key', F, '--allow-ca-key-reuse'],
              ...named,
            },
          ]),
      // The kit derives client.root.key.pk8 from sslkey: a key it cannot read (a missing one too,
      // whatever its name ends in) is the one error line.
      {
        name: `connect jdbc sslkey=${kind}`,
        args: ['connect', 'jdbc', '--url', url(`sslrootcert=${ca}&sslcert=${clientCrt}&sslkey=${F}`)],
        exits: [1],
        mention: [F],
      },
      ...(kind === 'missing'
        ? [
            {
              name: 'connect jdbc sslkey=a missing .key',
              args: ['connect', 'jdbc', '--url', url(`sslrootcert=${ca}&sslcert=${clientCrt}&sslkey=${join(fx.root, 'no-such.key')}`)],
              exits: [1],
              mention: [join(fx.root, 'no-such.key')],
            },
          ]
        : []),
      // A --client-ca-key where ca.crt signs the clients (no ca-client.crt) cannot apply: refused before anything is read or written.
      {
        name: `reissue-all --client-ca-key ${kind} without ca-client.crt`,
        args: ['cert', 'reissue-all', '--certs-dir', certsDir, '--ca-key', caKey, '--client-ca-key', F],
        mention: ['--client-ca-key'],
      },
    );
  }
  for (const kind of [...FILE_KINDS, ...CERT_KINDS]) {
    const F = fx.files[kind];
    out.push(
      { name: `cert check ${kind}`, args: ['cert', 'check', F], mention: [F] },
      { name: `cert check --ca ${kind}`, args: ['cert', 'check', nodeCrt, '--as', 'node', '--ca', F], mention: [F] },
      {
        name: `cert import --cert ${kind}`,
        args: ['cert', 'import', '--certs-dir', importDir, '--as', 'node', '--cert', F, '--key', nodeKey, '--ca', ca, '--host', 'localhost'],
        mention: [F],
      },
      // A CA file that cannot be read at all: psql reads it only when it runs, so the kit is built
      // and the lint finding is the one warning (connect --help: findings are printed as warnings).
      {
        name: `connect psql sslrootcert=${kind}`,
        args: ['connect', 'psql', '--url', url(`sslrootcert=${F}`)],
        exits: [0, 1],
        warnings: true,
        mention: [F],
      },
      {
        name: `cloud client-ca set --cert-file ${kind}`,
        args: ['cloud', 'client-ca', 'set', 'c1', '--cert-file', F],
        env: CLOUD_ENV,
        mention: [F, '--cert-file'],
      },
    );
  }
  for (const kind of ['fifo', 'dev-zero', 'empty', 'random-1k', 'big-2m']) {
    const F = fx.files[kind];
    out.push(
      {
        name: `cert import --from-k8s-secret ${kind}`,
        args: ['cert', 'import', '--certs-dir', importDir, '--as', 'node', '--from-k8s-secret', F],
        mention: [F],
      },
      { name: `fleet status --inventory ${kind}`, args: ['fleet', 'status', '--inventory', F], mention: [F] },
      {
        name: `fleet rotate-node --inventory ${kind}`,
        args: ['fleet', 'rotate-node', '--inventory', F, '--ca-cert', ca, '--ca-key', caKey, '--dry-run'],
        mention: [F],
      },
      { name: `fleet distribute-ca --inventory ${kind}`, args: ['fleet', 'distribute-ca', '--inventory', F, '--ca-cert', ca], mention: [F] },
      { name: `fleet rollback --inventory ${kind}`, args: ['fleet', 'rollback', '--inventory', F], mention: [F] },
    );
  }
  // Certs dirs with a bad ca.crt, node.crt or client.root.crt (a FIFO, /dev/zero, empty, damaged).
  for (const kind of DIR_KINDS) {
    for (const name of ['ca.crt', 'node.crt', 'client.root.crt']) {
      const d = fx.dirWith(name, kind);
      out.push(
        { name: `rotate-node (no hosts) ${kind} as ${name}`, args: ['cert', 'rotate-node', '--certs-dir', d, '--ca-key', caKey], mention: [name] },

        { name: `monitor ${kind} as ${name}`, args: ['monitor', '--certs-dir', d], exits: [2], mention: [name] },
        {
          name: `k8s secret ${kind} as ${name}`,
          args: ['k8s', 'secret', '--certs-dir', d, ...(name === 'node.crt' ? ['--node'] : ['--client', 'root']), '--name', 'x'],
          mention: [name],
        },
      );
      // A rotation replaces a damaged leaf certificate (that is the fix), but never signs from a damaged CA.
      if (name === 'ca.crt') {
        out.push(
          { name: `rotate-client ${kind} as ca.crt`, args: ['cert', 'rotate-client', 'root', '--certs-dir', d, '--ca-key', caKey], mention: [name] },
          { name: `reissue-all ${kind} as ca.crt`, args: ['cert', 'reissue-all', '--certs-dir', d, '--ca-key', caKey], mention: [name] },
          { name: `rotate-ca ${kind} as ca.crt`, args: ['cert', 'rotate-ca', '--certs-dir', d, '--ca-key', caKey], mention: [name] },
          { name: `prune-ca ${kind} as ca.crt`, args: ['cert', 'prune-ca', '--certs-dir', d], mention: [name] },
        );
      }
    }
  }
  // What cockroach's loader rejects, k8s secret refuses to pack and monitor reports as a loader error (exit 2), in every format.
  const secretOf = (d: string, name: string) => [
    'k8s',
    'secret',
    '--certs-dir',
    d,
    ...(name.startsWith('node.') ? ['--node'] : ['--client', 'root']),
    '--name',
    'x',
  ];
  const loaderCases = (d: string, name: string, kind: string) => {
    out.push({ name: `k8s secret ${kind} as ${name}`, args: secretOf(d, name), mention: [name] });
    for (const format of MONITOR_FORMATS)
      out.push({
        name: `monitor --format ${format} ${kind} as ${name}`,
        args: ['monitor', '--certs-dir', d, '--format', format],
        exits: [2],
        // Prometheus labels a sample by its certificate: a bad key shows as its certificate's 0.
        mention: format === 'prometheus' ? [name.replace(/\.key$/, '.crt')] : [name],
      });
  };
  for (const kind of LOADER_CERT_KINDS) for (const name of ['ca.crt', 'node.crt', 'client.root.crt']) loaderCases(fx.dirWith(name, kind), name, kind);
  for (const kind of LOADER_KEY_KINDS) for (const name of ['node.key', 'client.root.key']) loaderCases(fx.dirWith(name, kind), name, kind);
  // Each key swapped with the other's: both parse, neither belongs to its certificate.
  const swapped = join(fx.root, 'dirs', 'swapped-keys');
  cpSync(certsDir, swapped, { recursive: true });
  copyFileSync(join(certsDir, 'client.root.key'), join(swapped, 'node.key'));
  copyFileSync(join(certsDir, 'node.key'), join(swapped, 'client.root.key'));
  for (const name of ['node.key', 'client.root.key']) loaderCases(swapped, name, 'another key');
  for (const kind of ['fifo', 'dev-zero', 'empty']) {
    const F = fx.files[kind];
    out.push(
      { name: `backups --certs-dir ${kind}`, args: ['cert', 'backups', '--certs-dir', F], mention: [F] },
      { name: `backups --backup-dir ${kind}`, args: ['cert', 'backups', '--certs-dir', certsDir, '--backup-dir', F], mention: [F] },
      { name: `prune-ca --certs-dir ${kind}`, args: ['cert', 'prune-ca', '--certs-dir', F], mention: [F] },
      { name: `create-csr --certs-dir ${kind}`, args: ['cert', 'create-csr', 'node', 'localhost', '--certs-dir', F], mention: [F] },
      { name: `monitor --certs-dir ${kind}`, args: ['monitor', '--certs-dir', F], exits: [2], mention: [F] },
      { name: `k8s secret --certs-dir ${kind}`, args: ['k8s', 'secret', '--certs-dir', F, '--node', '--name', 'x'], mention: [F] },
      { name: `connect --out ${kind}`, args: ['connect', 'psql', '--url', url(`sslrootcert=${ca}`), '--out', F], mention: [F, '--out'] },
    );
  }
  const inventory = join(fx.root, 'bad-inventory.yaml');
  writeFileSync(inventory, 'nodes: [\n');
  out.push({ name: 'fleet status, invalid YAML', args: ['fleet', 'status', '--inventory', inventory], mention: [inventory] });
  return [...out, ...flagCases(fx, inventory)];
}

function flagCases(fx: CommandFixture, inventory: string): FuzzCase[] {
  const out: FuzzCase[] = [];
  const { certsDir, caKey } = fx.good;
  const ca = join(certsDir, 'ca.crt');
  const long = 'z'.repeat(10_000);
  const badNumbers = ['', '0', '-1', 'abc', '1e99', 'NaN', '2048.5', '99999'];
  const badDurations = ['', '0', '-5h', 'abc', '1e99', '999999999999h', '1ns', long];
  for (const v of badNumbers) {
    out.push(
      {
        name: `rotate-client --key-size ${JSON.stringify(v)}`,
        args: ['cert', 'rotate-client', 'root', '--certs-dir', certsDir, '--ca-key', caKey, `--key-size=${v}`],
        mention: ['--key-size', 'key size'],
      },
      {
        name: `rotate-ca --key-size ${JSON.stringify(v)}`,
        args: ['cert', 'rotate-ca', '--certs-dir', certsDir, '--ca-key', caKey, `--key-size=${v}`],
        mention: ['--key-size', 'key size'],
      },
      {
        name: `create-csr --key-size ${JSON.stringify(v)}`,
        args: ['cert', 'create-csr', 'node', 'localhost', '--certs-dir', fx.issuing, `--key-size=${v}`],
        mention: ['--key-size', 'key size'],
      },
      {
        name: `fleet rotate-node --parallel ${JSON.stringify(v)}`,
        args: ['fleet', 'rotate-node', '--inventory', inventory, '--ca-cert', ca, '--ca-key', caKey, `--parallel=${v}`],
        mention: ['--parallel', inventory],
      },
    );
  }
  for (const v of badDurations) {
    const s = JSON.stringify(v.slice(0, 20));
    out.push(
      {
        name: `rotate-client --lifetime ${s}`,
        args: ['cert', 'rotate-client', 'root', '--certs-dir', certsDir, '--ca-key', caKey, `--lifetime=${v}`],
        mention: ['--lifetime', 'lifetime'],
      },
      {
        name: `rotate-ca --lifetime ${s}`,
        args: ['cert', 'rotate-ca', '--certs-dir', certsDir, '--ca-key', caKey, `--lifetime=${v}`],
        mention: ['--lifetime', 'lifetime'],
      },
      {
        name: `reissue-all --lifetime ${s}`,
        args: ['cert', 'reissue-all', '--certs-dir', certsDir, '--ca-key', caKey, `--lifetime=${v}`],
        mention: ['--lifetime', 'lifetime'],
      },
      {
        name: `create-client-ca --lifetime ${s}`,
        args: ['cert', 'create-client-ca', '--certs-dir', join(fx.root, 'new-client-ca'), '--ca-key', join(fx.root, 'new-client-ca.key'), `--lifetime=${v}`],
        mention: ['--lifetime', 'lifetime'],
      },
      { name: `monitor --warn ${s}`, args: ['monitor', '--certs-dir', certsDir, `--warn=${v}`], exits: [2], mention: ['--warn'] },
    );
  }
  for (const u of ['', '../x', 'a/b', '-root', 'x'.repeat(64), 'root\nx']) {
    const s = JSON.stringify(u.slice(0, 12));
    out.push(
      {
        name: `rotate-client user ${s}`,
        args: ['cert', 'rotate-client', u, '--certs-dir', certsDir, '--ca-key', caKey],
        exits: [1, 2],
        mention: ['user', 'flag', 'argument'],
      },
      {
        name: `k8s secret --client ${s}`,
        args: ['k8s', 'secret', '--certs-dir', certsDir, '--client', u, '--name', 'x'],
        exits: [1, 2],
        mention: ['user', '--client'],
      },
      {
        name: `create-csr client ${s}`,
        args: ['cert', 'create-csr', 'client', u, '--certs-dir', fx.issuing],
        exits: [1, 2],
        mention: ['user', 'flag', 'argument', 'client'],
      },
    );
  }
  for (const v of ['bogus', '', 'client', 'node,ca']) {
    out.push(
      { name: `cert check --as ${JSON.stringify(v)}`, args: ['cert', 'check', join(certsDir, 'node.crt'), `--as=${v}`], mention: ['--as'] },
      {
        name: `cert import --as ${JSON.stringify(v)}`,
        args: ['cert', 'import', '--certs-dir', join(fx.root, 'import-target'), `--as=${v}`, '--cert', join(certsDir, 'node.crt')],
        mention: ['--as'],
      },
    );
  }
  for (const h of ['', 'a b', 'exa mple.com', '*.*.x', '999.1.1.1', long.slice(0, 300)]) {
    out.push({
      name: `cert check --host ${JSON.stringify(h.slice(0, 12))}`,
      args: ['cert', 'check', join(certsDir, 'node.crt'), '--as', 'node', `--host=${h}`],
      exits: [1],
      mention: ['--host', 'host', h.slice(0, 12) || '--host'],
    });
  }
  out.push(
    { name: 'create-csr bogus kind', args: ['cert', 'create-csr', 'bogus', '--certs-dir', fx.issuing], mention: ['bogus'] },
    { name: 'backups --backup-dir=', args: ['cert', 'backups', '--certs-dir', certsDir, '--backup-dir='], mention: ['--backup-dir'] },
    { name: 'backups extra argument', args: ['cert', 'backups', 'x', '--certs-dir', certsDir], exits: [1, 2], mention: ['argument', '"x"', 'x'] },
    { name: 'connect unknown client', args: ['connect', 'nope', '--url', 'postgresql://root@localhost/db'], mention: ['nope'] },
    { name: 'connect without --url', args: ['connect', 'psql'], mention: ['--url'] },
    { name: 'connect --url=', args: ['connect', 'psql', '--url='], mention: ['--url'] },
    { name: 'connect two clients', args: ['connect', 'psql', 'jdbc', '--url', 'postgresql://root@localhost/db'], exits: [1, 2], mention: ['CLIENT', 'client'] },
    { name: 'monitor --format xml', args: ['monitor', '--certs-dir', certsDir, '--format', 'xml'], exits: [2], mention: ['--format'] },
    {
      name: 'k8s secret --layout bogus',
      args: ['k8s', 'secret', '--certs-dir', certsDir, '--node', '--name', 'x', '--layout', 'bogus'],
      mention: ['--layout'],
    },
    { name: 'k8s secret --name "BAD NAME"', args: ['k8s', 'secret', '--certs-dir', certsDir, '--node', '--name', 'BAD NAME'], mention: ['--name'] },
    { name: 'k8s secret without --name', args: ['k8s', 'secret', '--certs-dir', certsDir, '--node'], mention: ['--name'] },
    {
      name: 'k8s secret --node and --client',
      args: ['k8s', 'secret', '--certs-dir', certsDir, '--node', '--client', 'root', '--name', 'x'],
      mention: ['--node', '--client'],
    },
    // --wait's limits are checked before any request (the API here is a closed port: a late check would name the connection instead).
    ...['', '0', 'abc', '-1s', '1e99', '99999999999h'].flatMap((v): FuzzCase[] => [
      {
        name: `cloud client-ca set --wait --timeout ${JSON.stringify(v)}`,
        args: ['cloud', 'client-ca', 'set', 'c1', '--cert-file', ca, '--wait', `--timeout=${v}`],
        env: CLOUD_ENV,
        mention: ['--timeout'],
      },
      {
        name: `cloud client-ca add --wait --interval ${JSON.stringify(v)}`,
        args: ['cloud', 'client-ca', 'add', 'c1', '--cert-file', ca, '--wait', `--interval=${v}`],
        env: CLOUD_ENV,
        mention: ['--interval'],
      },
      {
        name: `cloud client-ca show --wait --interval ${JSON.stringify(v)}`,
        args: ['cloud', 'client-ca', 'show', 'c1', '--wait', `--interval=${v}`],
        env: CLOUD_ENV,
        mention: ['--interval'],
      },
    ]),
    ...['timeout', 'interval'].map((flag): FuzzCase => ({
      name: `cloud client-ca delete --${flag} without --wait`,
      args: ['cloud', 'client-ca', 'delete', 'c1', `--${flag}`, '5s'],
      env: CLOUD_ENV,
      mention: [`--${flag}`],
    })),
    {
      name: 'cloud client-ca set a private key as --cert-file',
      args: ['cloud', 'client-ca', 'set', 'c1', '--cert-file', caKey],
      env: CLOUD_ENV,
      mention: [caKey],
    },
  );
  for (const cmd of [
    ['cert', 'rotate-client', 'root', '--certs-dir', certsDir, '--ca-key', caKey],
    ['cert', 'rotate-ca', '--certs-dir', certsDir, '--ca-key', caKey],
    ['cert', 'reissue-all', '--certs-dir', certsDir, '--ca-key', caKey],
    ['cert', 'prune-ca', '--certs-dir', certsDir],
    ['cert', 'backups', '--certs-dir', certsDir],
    ['cert', 'check', ca],
    ['cert', 'import', '--certs-dir', join(fx.root, 'import-target'), '--as', 'node'],
    ['cert', 'create-csr', 'node', 'localhost', '--certs-dir', fx.issuing],
    ['cert', 'create-client-ca', '--certs-dir', join(fx.root, 'new-client-ca'), '--ca-key', join(fx.root, 'x.key')],
    ['connect', 'psql', '--url', 'postgresql://root@localhost/db'],
    ['monitor', '--certs-dir', certsDir],
    ['k8s', 'secret', '--certs-dir', certsDir, '--node', '--name', 'x'],
    ['fleet', 'status', '--inventory', inventory],
    ['cloud', 'clusters'],
  ]) {
    for (const flag of ['--nope', `--${long.slice(0, 500)}`]) {
      out.push({
        name: `${cmd.slice(0, 2).join(' ')} ${flag.slice(0, 12)}`,
        args: [...cmd, flag],
        exits: cmd[0] === 'monitor' ? [2] : [1, 2],
        mention: [flag.slice(0, 12), 'argument', 'flag'],
        maxOutput: 4096,
        ...(cmd[0] === 'cloud' ? { env: CLOUD_ENV } : {}),
      });
    }
  }
  return out;
}
