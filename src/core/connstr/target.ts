/**
 * A connection string given to a command as its argument (test-connection), read strictly. The
 * document scanner (find.ts) skips what it cannot read, which is right inside a file but here would
 * turn "port=abc" into the default port or "host:abc" into a host name: a target is checked whole.
 */
import { DEFAULT_SQL_PORT, parsePort } from '../cockroach/ports';
import { UserError, quoteInput } from '../errors';
import { ConnString, paramValue } from './types';

const URL_RE = /^(?:jdbc:)?[a-z][a-z0-9+.-]*:\/\//i;

/** Whether `text` is a URL (postgresql://, jdbc:postgresql://), not libpq key=value pairs. */
export function isUrlTarget(text: string): boolean {
  return URL_RE.test(text.trim());
}

/**
 * The pairs of a libpq key=value string, by libpq's conninfo_parse: `key = value` with optional
 * spaces around "=", values single-quoted (with \' and \\) or up to the next space. Throws libpq's
 * complaints as UserErrors: a key without "=", an unterminated quote.
 */
export function keyValuePairs(text: string): { key: string; value: string }[] {
  const out: { key: string; value: string }[] = [];
  const n = text.length;
  const space = (i: number) => i < n && /\s/.test(text[i]);
  let i = 0;
  for (;;) {
    while (space(i)) i++;
    if (i >= n) return out;
    const k0 = i;
    while (i < n && !space(i) && text[i] !== '=') i++;
    const key = text.slice(k0, i);
    while (space(i)) i++;
    if (text[i] !== '=') {
      throw new UserError(
        `missing "=" after ${quoteInput(key)} in the connection string: write key=value pairs, e.g. "host=localhost port=${DEFAULT_SQL_PORT} sslmode=verify-full" (quote a value with spaces: sslrootcert='my certs/ca.crt').`,
      );
    }
    i++;
    while (space(i)) i++;
    let value = '';
    if (text[i] === "'") {
      i++;
      for (;;) {
        if (i >= n)
          throw new UserError(
            `unterminated quoted string in the connection string, in the value of ${quoteInput(key)}: close it with ' (write \\' for a quote inside).`,
          );
        if (text[i] === '\\' && i + 1 < n) {
          value += text[i + 1];
          i += 2;
        } else if (text[i] === "'") {
          i++;
          break;
        } else value += text[i++];
      }
    } else {
      while (i < n && !space(i)) {
        if (text[i] === '\\' && i + 1 < n) i++;
        value += text[i++];
      }
    }
    out.push({ key, value });
  }
}

/** The host pieces of a URL's authority (after user:password@), each with its port text as written. */
function urlHostPorts(text: string): { host: string; port?: string }[] {
  const rest = text.replace(URL_RE, '');
  const authority = rest.slice(0, rest.search(/[/?#]|$/));
  const hosts = authority.slice(authority.lastIndexOf('@') + 1);
  if (hosts === '') return [];
  return hosts.split(',').map((piece) => {
    if (piece.startsWith('[')) {
      const close = piece.indexOf(']');
      const tail = close < 0 ? '' : piece.slice(close + 1);
      if (close < 0 || (tail !== '' && !tail.startsWith(':'))) {
        throw new UserError(`${quoteInput(piece)} in the connection string is not a host: write an IPv6 address as [::1] or [::1]:${DEFAULT_SQL_PORT}.`);
      }
      return { host: piece.slice(1, close), ...(tail ? { port: tail.slice(1) } : {}) };
    }
    const colons = (piece.match(/:/g) ?? []).length;
    if (colons !== 1) return { host: piece };
    const [host, port] = piece.split(':');
    return { host, port };
  });
}

/**
 * Checks the target's ports (each host's :port, and port=) by parsePort's rule and returns the port
 * of the first host when the string gives one. For key=value strings, also the pairs themselves.
 */
export function targetPort(text: string, c?: ConnString): number | undefined {
  const where = 'in the connection string';
  const param = (value: string | undefined) => {
    if (value === undefined) return undefined;
    const ports = value.split(',').map((p) => parsePort(p.trim(), `${where} (port=${quoteInput(value).replace(/^"|"$/g, '')})`));
    return ports[0];
  };
  if (!isUrlTarget(text)) {
    const pairs = keyValuePairs(text);
    let port: string | undefined;
    for (const p of pairs) if (p.key === 'port') port = p.value; // the last one wins, as in libpq
    return param(port);
  }
  let first: number | undefined;
  urlHostPorts(text.trim()).forEach((h, i) => {
    if (h.port === undefined) return;
    const n = parsePort(h.port, `${where} (host ${quoteInput(h.host ? `${h.host}:${h.port}` : `:${h.port}`)})`);
    if (i === 0) first = n;
  });
  return first ?? param(c ? paramValue(c, 'port')?.value : undefined);
}
