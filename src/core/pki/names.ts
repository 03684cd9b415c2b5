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

/** Go's validHostname: letters, digits, '-' (not first), '_'; no empty label; a pattern may start with a whole "*" label. */
function validHostname(host: string, isPattern: boolean): boolean {
  const h = isPattern ? host : host.replace(/\.$/, '');
  if (h.length === 0 || h === '*') return false;
  return h.split('.').every((part, i) => {
    if (part === '') return false;
    if (isPattern && i === 0 && part === '*') return true;
    return /^[A-Za-z0-9_][A-Za-z0-9_-]*$/.test(part);
  });
}

const asciiLower = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

/** Go's matchHostnames: same number of labels, a leading "*" label matches exactly one label. */
function matchHostnames(pattern: string, host: string): boolean {
  const p = asciiLower(pattern);
  const h = asciiLower(host.replace(/\.$/, ''));
  if (p.length === 0 || h.length === 0) return false;
  const pp = p.split('.');
  const hp = h.split('.');
  return pp.length === hp.length && pp.every((part, i) => (i === 0 && part === '*') || part === hp[i]);
}

/**
 * Whether a certificate's SANs cover `host`, exactly as Go's x509.Certificate.VerifyHostname
 * decides (CockroachDB, pgx, lib/pq): an IP (also "[::1]") matches only IP SANs; a name matches a
 * DNS SAN case-insensitively, "*.example.com" covering "a.example.com" but neither "example.com"
 * nor "a.b.example.com"; the CN is never used.
 */
export function sansCoverHost(sans: { dns: readonly string[]; ip: readonly string[] }, host: string): boolean {
  const candidateIp = host.length >= 3 && host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (isIP(candidateIp)) {
    const want = ipKey(candidateIp);
    return sans.ip.some((ip) => ipKey(ip) === want);
  }
  const name = asciiLower(host);
  const validName = validHostname(name, false);
  return sans.dns.some((san) =>
    validName && validHostname(san, true) ? matchHostnames(san, name) : san !== '' && san !== '.' && name !== '' && name !== '.' && asciiLower(san) === name,
  );
}

/** An IP in one canonical form for comparison (IPv4-mapped IPv6 equals its IPv4, as Go's net.IP.Equal). */
function ipKey(ip: string): string {
  if (isIP(ip) === 4) return ip.split('.').map(Number).join('.');
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (m) return m[1];
  const [head, tail] = ip.includes('::') ? ip.split('::') : [ip, ''];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t].map((g) => parseInt(g, 16));
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) return `${groups[6] >> 8}.${groups[6] & 255}.${groups[7] >> 8}.${groups[7] & 255}`;
  return groups.map((g) => g.toString(16)).join(':');
}
