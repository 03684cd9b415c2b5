/** Literals for each language of the kit's programs, and the libpq-style URL every URL client reads. */
import { encodeUrlValue } from '../edit';
import { KitTarget } from './types';

/** A double-quoted literal for JavaScript, Python, Go and Java: JSON's escapes are valid in all four. */
export const dq = (s: string): string => JSON.stringify(s);

/** Ruby: single quotes, so nothing is interpolated ("#{" in a path). */
export const rubyString = (s: string): string => `'${s.replace(/[\\']/g, '\\$&')}'`;

/** A POSIX shell word in single quotes. */
export const shellWord = (s: string): string => (/^[A-Za-z0-9_./:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** The host as a URL writes it (IPv6 in brackets). */
export const urlHost = (host: string): string => (host.includes(':') ? `[${host}]` : host);

/** userinfo and path segments: everything but unreserved characters encoded. */
const segment = (s: string): string => encodeURIComponent(s);

export interface UrlOptions {
  scheme: string;
  /** Parameters in order; undefined values are left out. Values are percent-encoded (paths included). */
  params: [string, string | undefined][];
  /** The user in the userinfo (URLs) or as a parameter (JDBC: user=). */
  userIn: 'userinfo' | 'param';
}

/** scheme://user@host:port/db?k=v&..., every value percent-encoded as URL parsers decode it. */
export function buildUrl(t: KitTarget, o: UrlOptions): string {
  const user = o.userIn === 'userinfo' ? `${segment(t.user)}@` : '';
  const params: [string, string | undefined][] = o.userIn === 'param' ? [['user', t.user], ...o.params] : o.params;
  const q = params
    .filter((p): p is [string, string] => p[1] !== undefined)
    .map(([k, v]) => `${k}=${encodeUrlValue(v)}`)
    .join('&');
  return `${o.scheme}://${user}${urlHost(t.host)}:${t.port}/${t.database ? segment(t.database) : ''}${q ? `?${q}` : ''}`;
}

/** The libpq parameters of a verify-full connection with the target's files. */
export function libpqParams(t: KitTarget, key = t.key): [string, string | undefined][] {
  return [
    ['sslmode', 'verify-full'],
    ['sslrootcert', t.ca],
    ['sslcert', t.cert],
    ['sslkey', key],
  ];
}

/** postgresql://user@host:port/db?sslmode=verify-full&sslrootcert=...&sslcert=...&sslkey=... */
export function libpqUrl(t: KitTarget, scheme = 'postgresql'): string {
  return buildUrl(t, { scheme, params: libpqParams(t), userIn: 'userinfo' });
}
