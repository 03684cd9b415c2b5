/**
 * TCP ports, read once for every place that takes one: probe HOST:PORT, rotate --verify, the hosts
 * and port= of a connection string, a changefeed sink's brokers.
 */
import { UserError, quoteInput } from '../errors';

/** CockroachDB's SQL port (cockroach start --listen-addr / --sql-addr default). */
export const DEFAULT_SQL_PORT = 26257;

/**
 * Why `text` is not a port to connect to, or undefined: decimal digits only (as libpq, Go's net and
 * url.Parse read them), 1 to 65535 (0 asks the OS for any free port: nothing can be reached there).
 */
export function portProblem(text: string): string | undefined {
  if (text === '') return 'it is empty';
  if (!/^\d+$/.test(text)) return 'it is not a number';
  const n = Number(text);
  if (n < 1 || n > 65535) return 'it is outside 1-65535';
  return undefined;
}

/** The port `text` names; a UserError otherwise, saying where it was written (`in --verify "h:0"`) and the fix. */
export function parsePort(text: string, where: string): number {
  const problem = portProblem(text);
  if (problem) throw new UserError(`port ${quoteInput(text)} ${where} is not a port number (${problem}): use 1-65535, e.g. ${DEFAULT_SQL_PORT}.`);
  return Number(text);
}

/**
 * "HOST[:PORT]", "[v6]:PORT" or a bare IPv6 address (a leading scheme:// and a /path are ignored).
 * `label` names the flag in errors ("--verify"); the port follows parsePort's rule.
 */
export function parseHostPort(text: string, defaultPort = DEFAULT_SQL_PORT, label?: string): { host: string; port: number } {
  const t = text
    .trim()
    .replace(/^[a-z]+:\/\//i, '')
    .replace(/\/.*$/, '');
  let host = t;
  let port: string | undefined;
  const v6 = /^\[([^\]]*)\](?::(.*))?$/.exec(t);
  if (v6) {
    host = v6[1];
    port = v6[2];
  } else if ((t.match(/:/g) ?? []).length === 1) {
    [host, port] = t.split(':');
  }
  const where = label ? `${label} ${quoteInput(text)}` : quoteInput(text);
  if (!host) throw new UserError(`${where} names no host: use HOST[:PORT], e.g. localhost:26257.`);
  return { host, port: port === undefined ? defaultPort : parsePort(port, `in ${where}`) };
}
