import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { UserError, errMessage, quoteInput } from '../core/errors';
import { CloudCluster, defaultCaCertPath, downloadCaCert, isClusterId, listCloudClusters, redactKey, resolveCluster } from '../core/cloud';
import { parseArgs } from './args';
import { groupHelp } from './help';
import { flagSpec } from './spec';
import type { Io } from './io';
import { renderTable } from './table';
import { runClientCa } from './cloudClientCa';
import { caTable, clientFor, json, oneCluster, warn } from './cloudShared';

export const CLOUD_USAGE = groupHelp('cloud');

function clustersText(cs: CloudCluster[]): string {
  if (cs.length === 0) return 'no clusters in the organization of COCKROACH_API_KEY\n';
  return renderTable(
    ['Name', 'Id', 'Plan', 'State', 'Provider', 'Regions (SQL host)', 'Client CA'],
    cs.map((c) => [c.name, c.id, c.plan, c.state, c.cloudProvider, c.regions.map((r) => `${r.name} (${r.sqlDns})`).join(', '), c.clientCa?.status ?? '-']),
  );
}

async function runClusters(argv: string[], io: Io): Promise<number> {
  const a = parseArgs(argv, flagSpec('cloud clusters'), 'cloud clusters');
  if (a.positionals.length) throw new UserError(`cloud clusters takes no arguments, got ${quoteInput(a.positionals.join(' '))}.`);
  const cs = await listCloudClusters(clientFor(io));
  if (a.bools.json) json(io, cs);
  else io.out(clustersText(cs));
  return 0;
}

async function runCaCert(argv: string[], io: Io): Promise<number> {
  const a = parseArgs(argv, flagSpec('cloud ca-cert'), 'cloud ca-cert');
  const ref = oneCluster(a.positionals, 'cloud ca-cert');
  const client = clientFor(io);
  // An id needs no key (the download takes no auth); a name is looked up with the key.
  const cluster = isClusterId(ref) ? { id: ref } : await resolveCluster(client, ref).then((c) => ({ id: c.id, name: c.name }));
  const file = a.values.out !== undefined ? resolve(a.values.out) : defaultCaCertPath(io.env, process.platform, homedir());
  const r = await downloadCaCert({ client, cluster, file, overwrite: !!a.bools.overwrite, dryRun: !!a.bools['dry-run'], now: new Date() });
  if (a.bools.json) {
    json(io, r);
    return 0;
  }
  warn(io, r.warnings);
  const what = `the CA certificate of cluster ${r.cluster.name ?? r.cluster.id}`;
  const lines: Record<typeof r.action, string> = {
    written: `wrote ${what} to ${r.file} (mode 0644)`,
    replaced: `backed up the old ${r.file} to ${r.backup}\nwrote ${what} to ${r.file} (mode 0644)`,
    unchanged: `${r.file} already holds ${what}: nothing to do`,
    'would-write': `dry run: would write ${what} to ${r.file} (mode 0644)`,
    'would-replace': `dry run: would back up ${r.file} to ${r.backup} and write ${what} there (mode 0644)`,
  };
  io.out(`${lines[r.action]}\n`);
  io.out(caTable(r.cas));
  return 0;
}

async function dispatch(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'clusters':
      return runClusters(rest, io);
    case 'ca-cert':
      return runCaCert(rest, io);
    case 'client-ca':
      return runClientCa(rest, io);
    case undefined:
    case 'help':
    case '--help':
      io.out(CLOUD_USAGE);
      return sub === undefined ? 2 : 0;
    default:
      throw new UserError(`unknown command "cloud ${quoteInput(sub).slice(1, -1)}": run "crdb-tls cloud --help" for the list.`);
  }
}

/** `crdb-tls cloud ...`: every output line and error leaves with the API key replaced, whatever produced it. */
export async function runCloud(argv: string[], io: Io): Promise<number> {
  const key = io.env.COCKROACH_API_KEY;
  try {
    return await dispatch(argv, { ...io, out: (s) => io.out(redactKey(s, key)) });
  } catch (err) {
    if (err instanceof UserError) throw new UserError(redactKey(err.message, key), err.file);
    throw new UserError(redactKey(`unexpected error: ${errMessage(err)}`, key));
  }
}
