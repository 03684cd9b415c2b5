/** Offsets into the document text, end exclusive. */
export interface Span {
  start: number;
  end: number;
}

export type Severity = 'error' | 'warning' | 'info';

export interface TextEdit extends Span {
  newText: string;
}

/** A fix the front ends offer: text edits, or an action they carry out (issue a client cert, choose a CA). */
export type Fix =
  | { title: string; kind: 'edit'; edits: TextEdit[] }
  | { title: string; kind: 'add-sslrootcert'; conn: Span; insertAt: number; separator: string }
  | { title: string; kind: 'issue-client-cert'; user: string; certsDir?: string }
  | { title: string; kind: 'password-to-env'; edits: TextEdit[]; envVar: string };

export interface Finding {
  code: string;
  severity: Severity;
  /** What the finding is about: a parameter, a value or the whole string. */
  range: Span;
  message: string;
  docs: string;
  fixes: Fix[];
}

export type ConnKind = 'url' | 'jdbc' | 'kv';

/** Who will read the string, which decides the defaults (e.g. cockroach sql --url defaults to verify-full). */
export type ClientContext = 'generic' | 'cockroach-cli';

export interface Param {
  key: string;
  value: string;
  /** The whole `key=value` span, the key's and the value's (raw, as written). */
  span: Span;
  keySpan: Span;
  valueSpan: Span;
  /** Set when the value's percent-encoding (URLs) or quoting (key/value) is broken. */
  decodeError?: string;
}

export interface ConnString {
  kind: ConnKind;
  context: ClientContext;
  span: Span;
  raw: string;
  user?: string;
  userSpan?: Span;
  password?: string;
  passwordSpan?: Span;
  /** A URL's `user:password@` password, also when a `password=` parameter overrides it. */
  userinfoPasswordSpan?: Span;
  /** Hosts in order (a URL may list several). */
  hosts: { host: string; port?: number; span: Span }[];
  database?: string;
  params: Param[];
  /** Where a new parameter goes, and what joins it (`?`, `&` or a space). */
  appendAt: number;
  appendSeparator: string;
}

/** The effective value of a parameter: the last occurrence wins, as in libpq, pgx and pgjdbc. */
export function paramValue(c: ConnString, key: string): Param | undefined {
  for (let i = c.params.length - 1; i >= 0; i--) if (c.params[i].key === key) return c.params[i];
  return undefined;
}
