import { isIP } from 'node:net';
import { UserError, quoteInput } from '../errors';

const USER_RE = /^[\p{Ll}0-9_][-\p{Ll}0-9_.]*$/u;
const MAX_USER_BYTES = 63;

/** Case-folds and NFC-normalises a SQL user name, as CockroachDB's lexbase.NormalizeName does. */
export function normalizeUserName(input: string): string {
  // Go maps each rune with unicode.ToLower (one rune to one rune); JS may expand some (İ → i̇).
  const lower = Array.from(input, (c) => (c === '\u0130' ? 'i' : c.toLowerCase().length === c.length ? c.toLowerCase() : c)).join('');
  return lower.normalize('NFC');
}

/** Why `user` cannot be a CockroachDB user name (after normalisation), or undefined when it can. */
export function userNameProblem(user: string): string | undefined {
  if (user.length === 0) return 'the user name is empty';
  if (Buffer.byteLength(user, 'utf8') > MAX_USER_BYTES) return `the user name is longer than ${MAX_USER_BYTES} bytes`;
  if (!USER_RE.test(user)) {
    return 'user names must start with a letter, digit or underscore and may contain only letters, digits, dashes, periods and underscores';
  }
  return undefined;
}

/** Normalises and validates a user name for a client certificate; throws a UserError naming the fix. */
export function validateUserName(input: string): string {
  const user = normalizeUserName(input);
  const problem = userNameProblem(user);
  if (problem) {
    throw new UserError(`Invalid user name ${quoteInput(input)}: ${problem} (at most ${MAX_USER_BYTES} bytes; case is ignored).`);
  }
  return user;
}

export interface HostSans {
  dns: string[];
  ip: string[];
}

const LABEL_RE = /^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/;

/** Why `host` cannot go into a node certificate's SANs, or undefined when it can. */
export function hostProblem(host: string): string | undefined {
  if (host.length === 0) return 'it is empty';
  if (host.includes('%')) return 'IP addresses with a zone (%) cannot be certified';
  if (isIP(host)) return undefined;
  if (host.length > 253) return 'it is longer than 253 characters';
  const labels = host.replace(/\.$/, '').split('.');
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i];
    if (label === '*' && i === 0 && labels.length > 1) continue;
    if (!LABEL_RE.test(label)) {
      return `${quoteInput(label)} is not a valid DNS label (letters, digits and dashes, at most 63 characters; a wildcard only as the whole first label)`;
    }
  }
  return undefined;
}

/** Splits node hosts into IP and DNS SANs as cockroach does (net.ParseIP), after validating each. */
export function hostsToSans(hosts: string[]): HostSans {
  if (hosts.length === 0) {
    throw new UserError(
      'create-node requires at least one host name or address, none was specified: list every name and IP clients and nodes use, e.g. localhost 127.0.0.1 node1.example.com.',
    );
  }
  const sans: HostSans = { dns: [], ip: [] };
  for (const host of hosts) {
    const problem = hostProblem(host);
    if (problem) throw new UserError(`Invalid host ${quoteInput(host)} for a node certificate: ${problem}. Give a DNS name or an IP address.`);
    if (isIP(host)) sans.ip.push(host);
    else sans.dns.push(host);
  }
  return sans;
}
