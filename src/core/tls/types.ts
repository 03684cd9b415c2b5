/** The one vocabulary of the troubleshooting features: test-connection, explain, probe and the editor speak it. */
export const CATEGORIES = [
  'ok',
  'unknown-authority',
  'hostname-mismatch',
  'server-cert-expired',
  'server-cert-not-yet-valid',
  'client-cert-rejected',
  /** A client certificate was configured but not sent (a library that drops one the server's CA list does not name, or cannot read). */
  'client-cert-not-sent',
  'handshake-eof',
  'ssl-not-supported',
  'auth-failed',
  'key-permissions',
  'key-mismatch',
  'file-missing',
  'connection-refused',
  'timeout',
  'dns',
  'other',
  /** The text names no single cause (libpq's "certificate verify failed", a broken pipe): explain lists the candidates. */
  'ambiguous',
] as const;

export type Category = (typeof CATEGORIES)[number];

/** What went wrong and what to do, as sentences that name the files and hosts involved. */
export interface Diagnosis {
  category: Category;
  cause: string;
  fix: string;
}

export function isCategory(s: string): s is Category {
  return (CATEGORIES as readonly string[]).includes(s);
}
