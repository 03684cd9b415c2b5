/**
 * The inventory file (YAML, read with the `yaml` package): the nodes of a fleet. It is input like
 * any other file the user names: a regular file within a size cap, every field typed, sized and
 * checked (the schema helpers of the rotation journal), one line naming the file, the field and the fix.
 */
import { createHash } from 'node:crypto';
import { parseDocument } from 'yaml';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, posix, resolve } from 'node:path';
import { UserError, quoteInput } from '../errors';
import { readInputBytes } from '../input';
import { DEFAULT_SQL_PORT, parseHostPort } from '../cockroach/ports';
import { hostProblem } from '../pki/names';
import { SchemaError, arr, obj, str } from '../certsdir/rotate/schema';
import { DEFAULT_RELOAD, FleetNode, Inventory, SshTarget } from './types';

/** An inventory lists a fleet's nodes: far below this. */
export const MAX_INVENTORY_BYTES = 1024 * 1024;
export const MAX_NODES = 500;
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
const USER_RE = /^[a-z_][a-z0-9_.-]{0,31}$/i;
const DEFAULT_SSH_PORT = 22;

/** "user@host[:port]", "user@[v6]:port": never a string ssh could read as an option. */
export function parseSshTarget(text: string, at: string): SshTarget {
  const m = /^(?:([^@]+)@)?(.+)$/.exec(text);
  const user = m?.[1];
  if (user !== undefined && !USER_RE.test(user)) throw new SchemaError(`${at} ${quoteInput(text)} has the user ${quoteInput(user)}, not a login name`);
  let hp: { host: string; port: number };
  try {
    hp = parseHostPort(m?.[2] ?? '', DEFAULT_SSH_PORT, at);
  } catch (err) {
    throw new SchemaError(`${at} ${quoteInput(text)} is not user@host[:port] (${(err as Error).message.replace(/\.$/, '')})`);
  }
  if (hp.host.startsWith('-') || /[\s'"\\]/.test(hp.host) || hostProblem(hp.host))
    throw new SchemaError(`${at} ${quoteInput(text)} does not name a host: use user@host[:port], e.g. cockroach@10.0.0.11:22`);
  return { ...(user !== undefined ? { user } : {}), host: hp.host, port: hp.port };
}

/** `~/x` and paths relative to the inventory's folder, made absolute. */
function localPath(p: string, base: string, home: string): string {
  if (p === '~' || p.startsWith('~/')) return join(home, p.slice(1));
  return isAbsolute(p) ? resolve(p) : resolve(base, p);
}

function node(v: unknown, i: number): FleetNode {
  const at = `nodes[${i}]`;
  const o = obj(v, at, ['name', 'ssh', 'certsDir', 'hosts', 'verify'], ['reload']);
  const name = str(o.name, `${at}.name`, 63);
  if (!NAME_RE.test(name)) throw new SchemaError(`${at}.name ${quoteInput(name)} is not a node name (letters, digits, ".", "_", "-")`);
  const sshText = str(o.ssh, `${at}.ssh`, 300);
  const certsDir = str(o.certsDir, `${at}.certsDir`, 1024);
  if (!posix.isAbsolute(certsDir) || posix.normalize(certsDir).replace(/\/$/, '') !== certsDir.replace(/\/$/, '') || certsDir === '/')
    throw new SchemaError(`${at}.certsDir ${quoteInput(certsDir)} is not an absolute path on the node without ".." (e.g. /var/lib/cockroach/certs)`);
  const hosts = arr(o.hosts, `${at}.hosts`, 100).map((h, j) => {
    const host = str(h, `${at}.hosts[${j}]`, 253);
    const p = hostProblem(host);
    if (p) throw new SchemaError(`${at}.hosts[${j}] ${quoteInput(host)} cannot go into a node certificate: ${p}`);
    return host;
  });
  if (hosts.length === 0) throw new SchemaError(`${at}.hosts is empty: list the names and addresses of the node (its certificate's SANs)`);
  const verify = str(o.verify, `${at}.verify`, 300);
  try {
    parseHostPort(verify, DEFAULT_SQL_PORT, `${at}.verify`);
  } catch (err) {
    throw new SchemaError((err as Error).message.replace(/\.$/, ''));
  }
  const reload = o.reload === undefined ? DEFAULT_RELOAD : str(o.reload, `${at}.reload`, 4096);
  return { name, ssh: sshText, target: parseSshTarget(sshText, `${at}.ssh`), certsDir: certsDir.replace(/(.)\/$/, '$1'), hosts, verify, reload };
}

/** The inventory in `text` (the file `file`); `home` expands "~". */
export function parseInventory(text: string, file: string, o: { home?: string } = {}): Inventory {
  const home = o.home ?? homedir();
  const fail = (why: string) =>
    new UserError(`inventory ${file}: ${why.replace(/\.$/, '')}; fix the file (see "crdb-tls fleet --help" for its form), nothing was changed.`, file);
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) throw fail(`it is not valid YAML (${doc.errors[0].message.split('\n')[0]})`);
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 50 });
    const top = obj(raw, 'the file', ['nodes'], ['sshIdentityFile', 'knownHostsFile']);
    const nodes = arr(top.nodes, 'nodes', MAX_NODES).map(node);
    if (nodes.length === 0) throw new SchemaError('nodes is empty: list at least one node');
    const seen = new Set<string>();
    for (const n of nodes) {
      if (seen.has(n.name)) throw new SchemaError(`two nodes are named ${quoteInput(n.name)}: give each node its own name`);
      seen.add(n.name);
    }
    const base = dirname(file);
    return {
      file,
      sha256: createHash('sha256').update(text).digest('hex'),
      ...(top.sshIdentityFile !== undefined ? { sshIdentityFile: localPath(str(top.sshIdentityFile, 'sshIdentityFile', 1024), base, home) } : {}),
      knownHostsFile: localPath(top.knownHostsFile === undefined ? '~/.ssh/known_hosts' : str(top.knownHostsFile, 'knownHostsFile', 1024), base, home),
      nodes,
    };
  } catch (err) {
    if (err instanceof SchemaError) throw fail(err.message);
    if (err instanceof Error && !(err instanceof UserError)) throw fail(err.message);
    throw err;
  }
}

/** Reads and checks the inventory file, and that its known-hosts (and identity) file exists: every check before anything connects. */
export function loadInventory(path: string, o: { home?: string } = {}): Inventory {
  const file = resolve(path);
  const inv = parseInventory(readInputBytes(file, { maxBytes: MAX_INVENTORY_BYTES, what: 'the inventory (--inventory)' }).toString('utf8'), file, o);
  readInputBytes(inv.knownHostsFile, {
    maxBytes: 16 * 1024 * 1024,
    what: `the known-hosts file (knownHostsFile in ${file}): add each node's host key to it, checked out of band`,
  });
  if (inv.sshIdentityFile) readInputBytes(inv.sshIdentityFile, { what: `the SSH key (sshIdentityFile in ${file})` });
  return inv;
}
