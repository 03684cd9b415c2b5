/**
 * The local history of client CA bundles: before every change, the cluster's current bundle is
 * saved (cluster, time, command), so that `client-ca rollback` can put it back. The folder is a
 * parameter; the CLI and the editor both pass defaultHistoryDir (the user's config dir), so that
 * `crdb-tls cloud client-ca rollback` can undo a change made in the editor, and the other way round.
 */
import { mkdirSync, readdirSync } from 'node:fs';
import { join, win32 } from 'node:path';
import { randomBytes } from 'node:crypto';
import { UserError, errnoCode, errMessage, quoteInput } from '../errors';
import { MAX_JSON_BYTES, readInputBytes } from '../input';
import { commitFiles } from '../certsdir/write';
import { ClientCaStatus, CLIENT_CA_STATUSES, ClusterRef, clusterText } from './api';
import { CloudEnv } from './config';

export interface HistoryEntry {
  /** "20261201T115200123Z-3f9a01" (time to the millisecond, then random): sorts by time; what `rollback CLUSTER ID` takes. */
  id: string;
  cluster: { id: string; name?: string };
  /** ISO time of the save. */
  time: string;
  /** The command that was about to change the bundle: "client-ca add prod --cert-file new.crt". */
  command: string;
  /** The status before the change; NOT_SET means there was no client CA (rolling back to it deletes). */
  status: ClientCaStatus;
  x509_pem_cert?: string;
  /** Saved by a rollback: the id of the entry it put back (the next rollback without an ID goes further back than that). */
  rolledBackTo?: string;
}

const HISTORY_MODE = 0o600;
const ID_RE = /^\d{8}T\d{9}Z-[0-9a-f]{6}$/;

/** The user's config dir for crdb-tls: %APPDATA%\crdb-tls, ~/Library/Application Support/crdb-tls, $XDG_CONFIG_HOME/crdb-tls or ~/.config/crdb-tls. */
export function userConfigDir(env: CloudEnv, platform: string, home: string): string {
  if (platform === 'win32' && env.APPDATA) return win32.join(env.APPDATA, 'crdb-tls');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'crdb-tls');
  return join(env.XDG_CONFIG_HOME || join(home, '.config'), 'crdb-tls');
}

export function defaultHistoryDir(env: CloudEnv, platform: string, home: string): string {
  return join(userConfigDir(env, platform, home), 'cloud-client-ca-history');
}

function safeSegment(clusterId: string): string {
  if (!/^[A-Za-z0-9._-]{1,128}$/.test(clusterId) || clusterId.startsWith('.'))
    throw new UserError(`cluster id ${quoteInput(clusterId)} cannot name a history folder: pass the cluster's id as the API lists it.`);
  return clusterId;
}

function stamp(now: Date): string {
  return now.toISOString().replace(/[-:.]/g, '');
}

/** Saves the bundle a change is about to replace; returns the entry (its id is what rollback takes). */
export function saveHistory(dir: string, e: Omit<HistoryEntry, 'id' | 'time'>, now: Date): HistoryEntry {
  const entry: HistoryEntry = { id: `${stamp(now)}-${randomBytes(3).toString('hex')}`, time: now.toISOString(), ...e };
  const folder = join(dir, safeSegment(e.cluster.id));
  try {
    mkdirSync(folder, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new UserError(
      `could not create the client CA history folder ${folder} (${errnoCode(err) ?? errMessage(err)}): check its permissions; nothing was changed.`,
      folder,
    );
  }
  commitFiles([{ path: join(folder, `${entry.id}.json`), data: JSON.stringify(entry, null, 2) + '\n', mode: HISTORY_MODE }]);
  return entry;
}

function parseEntry(text: string, clusterId: string, id: string): HistoryEntry | undefined {
  try {
    const e = JSON.parse(text) as Partial<HistoryEntry>;
    if (e.id !== id || e.cluster?.id !== clusterId || typeof e.time !== 'string' || typeof e.command !== 'string') return undefined;
    if (!e.status || !CLIENT_CA_STATUSES.includes(e.status)) return undefined;
    if (e.x509_pem_cert !== undefined && typeof e.x509_pem_cert !== 'string') return undefined;
    if (e.rolledBackTo !== undefined && (typeof e.rolledBackTo !== 'string' || !ID_RE.test(e.rolledBackTo))) return undefined;
    return e as HistoryEntry;
  } catch {
    return undefined;
  }
}

/** The saved bundles of a cluster, newest first; files that are not entries are skipped. */
export function listHistory(dir: string, cluster: ClusterRef): HistoryEntry[] {
  const folder = join(dir, safeSegment(cluster.id));
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return [];
    throw new UserError(`could not read the client CA history folder ${folder} (${errnoCode(err) ?? errMessage(err)}): check its permissions.`, folder);
  }
  const out: HistoryEntry[] = [];
  for (const n of names) {
    const id = n.replace(/\.json$/, '');
    if (!n.endsWith('.json') || !ID_RE.test(id)) continue;
    let text: string;
    try {
      text = readInputBytes(join(folder, n), { maxBytes: MAX_JSON_BYTES, what: 'a client CA history entry' }).toString('utf8');
    } catch {
      continue;
    }
    const e = parseEntry(text, cluster.id, id);
    if (e) out.push(e);
  }
  return out.sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
}

/**
 * What `rollback` without an ID puts back: the newest entry that no rollback recorded or already
 * went back to. Entries saved by a rollback are skipped, and so is every entry from the one that
 * rollback put back on: rollback, rollback again goes two changes back instead of undoing the first.
 */
export function defaultRollback(all: readonly HistoryEntry[]): HistoryEntry | undefined {
  let bound: string | undefined;
  for (const e of all) {
    if (e.rolledBackTo !== undefined) {
      if (bound === undefined || e.rolledBackTo < bound) bound = e.rolledBackTo;
      continue;
    }
    if (bound !== undefined && e.id >= bound) continue;
    return e;
  }
  return undefined;
}

/** The entry `id`, or the one defaultRollback picks; a one-line error naming the cluster and the ids there are. */
export function findHistory(dir: string, cluster: ClusterRef, id?: string): HistoryEntry {
  const all = listHistory(dir, cluster);
  if (all.length === 0)
    throw new UserError(
      `no saved client CA bundle for cluster ${clusterText(cluster)} in ${dir}: a bundle is saved before each change made with crdb-tls; there is nothing to roll back to.`,
    );
  const ids = () =>
    all
      .slice(0, 10)
      .map((x) => x.id)
      .join(', ');
  if (id === undefined) {
    const e = defaultRollback(all);
    if (!e)
      throw new UserError(
        `every saved bundle of cluster ${clusterText(cluster)} was saved by a rollback or already rolled back to: pass the ID of the one to put back, one of ${ids()} (crdb-tls cloud client-ca history ${cluster.name ?? cluster.id}).`,
      );
    return e;
  }
  const e = all.find((x) => x.id === id);
  if (!e)
    throw new UserError(
      `no saved bundle ${quoteInput(id)} for cluster ${clusterText(cluster)}: pick one of ${ids()} (crdb-tls cloud client-ca history ${cluster.name ?? cluster.id}).`,
    );
  return e;
}
