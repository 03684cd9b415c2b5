/**
 * How the kit reads the user's string: it refuses a URL cut short by a raw Windows path, and it
 * keeps only the lint findings that apply to what the user wrote and that its output does not resolve.
 */
import { UserError, quoteInput } from '../../errors';
import { findConnStrings } from '../find';
import { ConnString, Finding, paramValue } from '../types';
import { ClientInfo } from './table';
import { ClientId } from './types';

const WINDOWS_CODE = 'path-windows-unencoded';

/** A URL's raw Windows path, percent-encoded in place: "\\" as %5C and a drive letter's ":" (right after "=") as %3A; the rest as written. */
const encodeWindowsPaths = (url: string): string => url.replace(/\\/g, '%5C').replace(/=([A-Za-z]):(?=%5C|\/)/g, '=$1%3A');

/**
 * A URL that a raw Windows path cut short is refused: the finder (ours, like most URL parsers)
 * stops at a "\\" or at a drive letter's ":" ("sslrootcert=C:\\certs\\ca.crt" reads as "C"), so a
 * kit built from it would name another file and lose every parameter after it. The message names
 * the parameter and gives the whole string percent-encoded.
 */
export function refuseCutOffWindowsPath(text: string, c: ConnString): void {
  if (c.kind === 'kv') return;
  const next = text.slice(c.span.end, c.span.end + 2);
  if (!(next.startsWith('\\') || /^:[\\/]/.test(next))) return;
  const last = c.params[c.params.length - 1];
  const key = last && last.valueSpan.end === c.span.end ? last.key : 'a parameter';
  // The rest of the URL as written: up to a space or a quote, as the finder would have ended it.
  const stop = text.slice(c.span.end).search(/[\s"'`]/);
  const rest = text.slice(c.span.end, stop < 0 ? text.length : c.span.end + stop);
  const fixed = encodeWindowsPaths(text.slice(c.span.start, c.span.end) + rest);
  const whole = findConnStrings(fixed)[0];
  const example = whole && whole.span.start === 0 && whole.span.end === fixed.length ? `: ${fixed}` : '';
  const path = (key === last?.key ? last.value : '') + rest.split('&')[0];
  const where = next.startsWith(':') ? 'its drive letter\'s ":"' : 'its "\\"';
  throw new UserError(
    `${key} holds a raw Windows path (${quoteInput(path)}), and the URL ends at ${where}, losing the rest of the path and every parameter after it: percent-encode the paths (":" as %3A, "\\" as %5C)${example}`,
  );
}

/** Findings about sslmode: the kit's snippet always verifies the server and its host name. */
const SSLMODE_CODES = ['sslmode-missing', 'sslmode-disable', 'sslmode-allow', 'sslmode-prefer', 'sslmode-require', 'sslmode-verify-ca'];

/**
 * Whether the kit's output resolves a finding on the user's string, or it does not apply to that
 * string: the kit derives the .pk8 pgjdbc reads, gives Prisma the CA as sslcert and the identity as
 * PKCS#12 (the user's sslcert is the client certificate of a libpq string), percent-encodes the paths
 * and writes verify-full.
 */
function resolvedByKit(f: Finding, client: ClientId, info: ClientInfo, c: ConnString): boolean {
  if (f.code === 'jdbc-key-format') return info.keyFormat === 'pk8' && !!paramValue(c, 'sslkey');
  if (f.code === 'prisma-sslcert-client-cert') return client === 'prisma';
  if (f.code === WINDOWS_CODE) return true;
  return SSLMODE_CODES.includes(f.code);
}

/** The findings the kit prints, and a note for the sslmode it replaced. */
export function kitFindings(findings: Finding[], client: ClientId, info: ClientInfo, c: ConnString): { shown: Finding[]; notes: string[] } {
  const shown = findings.filter((f) => !resolvedByKit(f, client, info, c));
  const mode = paramValue(c, 'sslmode')?.value;
  const weak = findings.some((f) => SSLMODE_CODES.includes(f.code));
  const notes = weak
    ? [
        `${mode ? `The string's sslmode=${mode}` : 'The string names no sslmode, which'} does not verify the server for every client: the snippet verifies the chain and the host name (verify-full).`,
      ]
    : [];
  return { shown, notes };
}
