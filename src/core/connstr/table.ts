import { ClientContext, ConnKind, ConnString, Param, Span } from './types';

/**
 * The strings found in one document, packed: numbers (offsets, counts, ids) in typed arrays, and
 * each distinct key, value and host name once, in `strings`. A document may hold tens of thousands
 * of strings and a hundred thousand parameters; the rules read them from here, and the objects a
 * front end reads (ConnString.params and .hosts, every span) are made when it asks for them.
 */
export class ConnTable {
  /** The document (the strings' raw text is read from it). */
  readonly text: string;
  /** Per string, CONN_INTS numbers (see the C_* offsets). */
  conns: Int32Array;
  nConns = 0;
  /** Per parameter, PARAM_INTS numbers: start, key end, value start, end, key and value (ids into `strings`). */
  params: Int32Array;
  nParams = 0;
  /** Broken percent-encoding or quoting, by parameter index. */
  readonly errors = new Map<number, string>();
  /** Per host, HOST_INTS numbers: start, end, name (an id into `strings`), and whether it has a port (then in ports). */
  hosts: Int32Array;
  ports: Float64Array;
  nHosts = 0;
  /** Every distinct key, value and host name of the document, once (see pieceId and internId). */
  readonly strings: string[] = [];
  /**
   * For the readers, per string id (INFO_INTS numbers, 0 until worked out): what it percent-decodes
   * to (the id + 1, or -1 when broken); for a URL's query or authority, where to copy its parameters
   * or hosts from; for a key=value pair, its key and value (see find.ts).
   */
  info: Int32Array = new Int32Array(INFO_INTS * 1024);
  /** Parameter and host objects made for the front ends, by string (see Conn.params). */
  objects: Map<number, Param[] | Host[]> | undefined = undefined;
  private ids = new Map<string, number>();
  private pieces: (number[] | undefined)[] = new Array(1 << PIECE_BITS);

  /** A table for the strings of `text` (sized for a string every 256 characters; it grows as needed). */
  constructor(text = '') {
    this.text = text;
    const n = Math.max(64, text.length >> 8);
    this.conns = new Int32Array(CONN_INTS * n);
    this.params = new Int32Array(PARAM_INTS * 4 * n);
    this.hosts = new Int32Array(HOST_INTS * n);
    this.ports = new Float64Array(n);
  }

  /** info, with room for string `id`. */
  infoFor(id: number): Int32Array {
    if ((id + 1) * INFO_INTS > this.info.length) {
      const bigger = new Int32Array(Math.max(2 * this.info.length, (id + 1) * INFO_INTS));
      bigger.set(this.info);
      this.info = bigger;
    }
    return this.info;
  }

  /** Parameter j's key and value. */
  key(j: number): string {
    return this.strings[this.params[PARAM_INTS * j + P_KEY]];
  }

  value(j: number): string {
    return this.strings[this.params[PARAM_INTS * j + P_VALUE]];
  }

  /** The id of a string (one id per distinct string made here; pieceId's may be others). */
  internId(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.strings.length;
      this.strings.push(CANONICAL.get(s) ?? s);
      this.ids.set(s, id);
    }
    return id;
  }

  /**
   * The id of text.slice(from, to), found without slicing when the document had it before: the
   * same few keys and certificate paths come back in every string, and a copy of each per string
   * would be kept for as long as the results.
   */
  pieceId(text: string, from: number, to: number): number {
    const len = to - from;
    if (len <= 0) return this.internId('');
    // A cheap hash of a few characters; the bucket's strings are then compared with the text.
    const h = (Math.imul(len ^ (text.charCodeAt(from) << 8), 0x9e3779b1) ^ Math.imul(text.charCodeAt(to - 1) ^ (text.charCodeAt(from + (len >> 1)) << 16), 0x85ebca6b))
      >>> (32 - PIECE_BITS);
    let bucket = this.pieces[h];
    if (bucket === undefined) this.pieces[h] = bucket = [];
    const strings = this.strings;
    let sub: string | undefined;
    for (let i = 0; i < bucket.length; i++) {
      const s = strings[bucket[i]];
      if (s.length !== len) continue;
      if (len < 13) {
        // Short: compared in place (a slice would copy it).
        let k = 0;
        while (k < len && s.charCodeAt(k) === text.charCodeAt(from + k)) k++;
        if (k === len) return bucket[i];
      } else {
        // Long: a slice is a view of the text, and === compares natively.
        sub ??= text.slice(from, to);
        if (sub === s) return bucket[i];
      }
    }
    const id = strings.length;
    const str = sub ?? text.slice(from, to);
    strings.push(CANONICAL.get(str) ?? str);
    if (bucket.length < 4) bucket.push(id);
    return id;
  }

  /** Drops what only the reading of the document needed (the lookups behind pieceId, internId and info). */
  seal(): void {
    this.ids = new Map();
    this.pieces = [];
    this.info = new Int32Array(0);
    // The arrays were sized from the text's length: give back what a document with few strings left unused.
    if (2 * this.nConns * CONN_INTS < this.conns.length) this.conns = this.conns.slice(0, this.nConns * CONN_INTS);
    if (2 * this.nParams * PARAM_INTS < this.params.length) this.params = this.params.slice(0, this.nParams * PARAM_INTS);
    if (2 * this.nHosts < this.ports.length) {
      this.hosts = this.hosts.slice(0, this.nHosts * HOST_INTS);
      this.ports = this.ports.slice(0, this.nHosts);
    }
  }

  /** A new string at text[start, end), with no user, password, parameters or hosts yet; returns its index. */
  addConn(start: number, end: number): number {
    const i = this.nConns++;
    if ((i + 1) * CONN_INTS > this.conns.length) this.conns = grow(this.conns);
    const b = i * CONN_INTS;
    const a = this.conns;
    a[b + C_START] = start;
    a[b + C_END] = end;
    a[b + C_USER] = -1;
    a[b + C_USER + 1] = -1;
    a[b + C_PASSWORD] = -1;
    a[b + C_PASSWORD + 1] = -1;
    a[b + C_USERINFO_PASSWORD] = -1;
    a[b + C_USERINFO_PASSWORD + 1] = -1;
    a[b + C_P0] = this.nParams;
    a[b + C_PN] = 0;
    a[b + C_H0] = this.nHosts;
    a[b + C_HN] = 0;
    a[b + C_USER_ID] = -1;
    a[b + C_PASSWORD_ID] = -1;
    a[b + C_DATABASE_ID] = -1;
    return i;
  }

  /** Sets one of string ci's numbers (C_KIND, C_USER_ID...). */
  setInt(ci: number, which: number, value: number): void {
    this.conns[ci * CONN_INTS + which] = value;
  }

  getInt(ci: number, which: number): number {
    return this.conns[ci * CONN_INTS + which];
  }

  /** A string field of string ci (C_USER_ID, C_PASSWORD_ID, C_DATABASE_ID), undefined when unset. */
  getString(ci: number, which: number): string | undefined {
    const id = this.conns[ci * CONN_INTS + which];
    return id < 0 ? undefined : this.strings[id];
  }

  /** Sets one of the string's spans (C_USER, C_PASSWORD, C_USERINFO_PASSWORD). */
  setSpan(ci: number, which: number, start: number, end: number): void {
    const b = ci * CONN_INTS + which;
    this.conns[b] = start;
    this.conns[b + 1] = end;
  }

  /** Adds a parameter to string `ci` (the last one added: a string's parameters are contiguous). */
  addParam(ci: number, key: number, value: number, error: string | undefined, start: number, keyEnd: number, valueStart: number, end: number): void {
    const j = this.nParams++;
    if ((j + 1) * PARAM_INTS > this.params.length) this.params = grow(this.params);
    const p = this.params;
    const b = PARAM_INTS * j;
    p[b] = start;
    p[b + 1] = keyEnd;
    p[b + 2] = valueStart;
    p[b + 3] = end;
    p[b + P_KEY] = key;
    p[b + P_VALUE] = value;
    if (error !== undefined) this.errors.set(j, error);
    this.conns[ci * CONN_INTS + C_PN]++;
  }

  /** Adds a host to the last string added (see endHosts). */
  addHost(name: number, port: number | undefined, start: number, end: number): void {
    const j = this.nHosts++;
    if ((j + 1) * HOST_INTS > this.hosts.length) {
      this.hosts = grow(this.hosts);
      const ports = new Float64Array(this.hosts.length / HOST_INTS);
      ports.set(this.ports);
      this.ports = ports;
    }
    const b = HOST_INTS * j;
    this.hosts[b] = start;
    this.hosts[b + 1] = end;
    this.hosts[b + 2] = name;
    this.hosts[b + 3] = port === undefined ? 0 : 1;
    if (port !== undefined) this.ports[j] = port;
  }

  /** Host j's port, if it has one. */
  port(j: number): number | undefined {
    return this.hosts[HOST_INTS * j + 3] ? this.ports[j] : undefined;
  }

  /** Ends string `ci`'s hosts (they are counted here: the hosts of a URL come before its parameters). */
  endHosts(ci: number): void {
    const b = ci * CONN_INTS;
    this.conns[b + C_HN] = this.nHosts - this.conns[b + C_H0];
  }

  /** The span of parameter j (PS_* part), as an object. */
  paramSpan(j: number, part: ParamPart): Span {
    const p = this.params;
    const b = PARAM_INTS * j;
    return part === PS_KEY ? { start: p[b], end: p[b + 1] } : part === PS_VALUE ? { start: p[b + 2], end: p[b + 3] } : { start: p[b], end: p[b + 3] };
  }

  /** A table of one string, from its objects (lintConn on a ConnString built elsewhere). */
  static of(c: ConnString): ConnTable {
    const t = new ConnTable();
    const ci = t.addConn(c.span.start, c.span.end);
    if (c.userSpan) t.setSpan(ci, C_USER, c.userSpan.start, c.userSpan.end);
    if (c.passwordSpan) t.setSpan(ci, C_PASSWORD, c.passwordSpan.start, c.passwordSpan.end);
    if (c.userinfoPasswordSpan) t.setSpan(ci, C_USERINFO_PASSWORD, c.userinfoPasswordSpan.start, c.userinfoPasswordSpan.end);
    for (const h of c.hosts) t.addHost(t.internId(h.host), h.port, h.span.start, h.span.end);
    t.endHosts(ci);
    for (const p of c.params) t.addParam(ci, t.internId(p.key), t.internId(p.value), p.decodeError, p.span.start, p.keySpan.end, p.valueSpan.start, p.span.end);
    return t;
  }
}

const PIECE_BITS = 12;

/**
 * The keys and values the rules compare with: the table keeps these very strings (the literals of
 * the code), so that a comparison or a lookup finds them by identity instead of by content.
 */
const CANONICAL = new Map<string, string>(['host', 'hostaddr', 'port', 'dbname', 'user', 'password', 'passfile', 'require_auth', 'channel_binding',
  'connect_timeout', 'client_encoding', 'options', 'application_name', 'fallback_application_name', 'keepalives', 'keepalives_idle', 'keepalives_interval',
  'keepalives_count', 'tcp_user_timeout', 'replication', 'gssencmode', 'sslmode', 'requiressl', 'sslnegotiation', 'sslcompression', 'sslcert', 'sslkey',
  'sslpassword', 'sslcertmode', 'sslrootcert', 'sslcrl', 'sslcrldir', 'sslsni', 'requirepeer', 'ssl_min_protocol_version', 'ssl_max_protocol_version',
  'krbsrvname', 'gsslib', 'gssdelegation', 'service', 'target_session_attrs', 'load_balance_hosts', 'ssl', 'sslfactory', 'results_buffer_size',
  'uselibpqcompat', 'disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full', 'true', 'false', 'system', '26257', ''].map((k) => [k, k]));
export const PARAM_INTS = 6;
export const INFO_INTS = 7;
export const I_DECODED = 0;
/** A URL's query (after the ?): its first parameter + 1 (0 when it is not known or cannot be reused), and how many. */
export const I_QUERY = 1;
export const I_QUERY_N = 2;
/** A URL's authority and path (before the ?), in a postgres[ql]:// or a jdbc: URL: its layout + 1. */
export const I_AUTHORITY = 3;
export const I_AUTHORITY_JDBC = 4;
/** A key/value string's whole `key=value`: its key's and value's ids + 1. */
export const I_PAIR_KEY = 5;
export const I_PAIR_VALUE = 6;
const P_KEY = 4;
const P_VALUE = 5;
export const HOST_INTS = 4;
export const CONN_INTS = 20;
export const C_START = 0;
export const C_END = 1;
export const C_USER = 2;
export const C_PASSWORD = 4;
export const C_USERINFO_PASSWORD = 6;
/** The string's first parameter (an index into the table's parameters), and how many it has. */
export const C_P0 = 8;
export const C_PN = 9;
export const C_H0 = 10;
export const C_HN = 11;
/** KINDS[n] */
export const C_KIND = 12;
/** CONTEXTS[n] */
export const C_CONTEXT = 13;
export const C_APPEND_AT = 14;
/** SEPARATORS[n] */
export const C_APPEND_SEPARATOR = 15;
/** The user, password and database: ids into the strings, or -1. */
export const C_USER_ID = 16;
export const C_PASSWORD_ID = 17;
export const C_DATABASE_ID = 18;
export const KINDS: readonly ConnKind[] = ['url', 'jdbc', 'kv'];
export const CONTEXTS: readonly ClientContext[] = ['generic', 'cockroach-cli'];
export const SEPARATORS: readonly string[] = ['?', '&', '', ' '];

export type ParamPart = 0 | 1 | 2;
export const PS_ALL: ParamPart = 0;
export const PS_KEY: ParamPart = 1;
export const PS_VALUE: ParamPart = 2;

function grow(a: Int32Array): Int32Array {
  const b = new Int32Array(Math.max(256, a.length * 2));
  b.set(a);
  return b;
}

/** A parameter as the front ends read it; its spans are made on demand. */
class ParamAt implements Param {
  readonly key: string;
  readonly value: string;
  readonly decodeError: string | undefined;
  readonly #t: ConnTable;
  readonly #j: number;
  constructor(t: ConnTable, j: number) {
    this.key = t.key(j);
    this.value = t.value(j);
    this.decodeError = t.errors.get(j);
    this.#t = t;
    this.#j = j;
  }

  get span(): Span {
    return this.#t.paramSpan(this.#j, PS_ALL);
  }

  get keySpan(): Span {
    return this.#t.paramSpan(this.#j, PS_KEY);
  }

  get valueSpan(): Span {
    return this.#t.paramSpan(this.#j, PS_VALUE);
  }

  /** The plain object a parameter used to be (JSON.stringify, logs). */
  toJSON(): Param {
    return { key: this.key, value: this.value, span: this.span, keySpan: this.keySpan, valueSpan: this.valueSpan, decodeError: this.decodeError };
  }
}

export interface Host {
  host: string;
  port?: number;
  span: Span;
}

class HostAt implements Host {
  readonly host: string;
  readonly port: number | undefined;
  readonly #t: ConnTable;
  readonly #j: number;
  constructor(t: ConnTable, j: number) {
    this.host = t.strings[t.hosts[HOST_INTS * j + 2]];
    this.port = t.port(j);
    this.#t = t;
    this.#j = j;
  }

  get span(): Span {
    return { start: this.#t.hosts[HOST_INTS * this.#j], end: this.#t.hosts[HOST_INTS * this.#j + 1] };
  }

  toJSON(): Host {
    return { host: this.host, port: this.port, span: this.span };
  }
}

/** The table of a string found by findConnStrings (undefined for a ConnString built elsewhere), and its index there. */
export let tableOf: (c: ConnString) => ConnTable | undefined;
export let indexOf: (c: ConnString) => number;

/** A connection string: its fields, spans, parameters and hosts, read from the document's table when asked for. */
export class Conn implements ConnString {
  readonly #t: ConnTable;
  readonly #i: number;

  static {
    tableOf = (c) => (#t in c ? c.#t : undefined);
    indexOf = (c) => (#t in c ? c.#i : -1);
  }

  constructor(t: ConnTable, i: number) {
    this.#t = t;
    this.#i = i;
  }

  #int(k: number): number {
    return this.#t.conns[this.#i * CONN_INTS + k];
  }

  #span(k: number): Span | undefined {
    const start = this.#int(k);
    return start < 0 ? undefined : { start, end: this.#int(k + 1) };
  }

  get kind(): ConnKind {
    return KINDS[this.#int(C_KIND)];
  }

  get context(): ClientContext {
    return CONTEXTS[this.#int(C_CONTEXT)];
  }

  /** Where the string starts (without making its span). */
  get start(): number {
    return this.#int(C_START);
  }

  get span(): Span {
    return { start: this.#int(C_START), end: this.#int(C_END) };
  }

  get raw(): string {
    return this.#t.text.slice(this.#int(C_START), this.#int(C_END));
  }

  get user(): string | undefined {
    return this.#t.getString(this.#i, C_USER_ID);
  }

  get userSpan(): Span | undefined {
    return this.#span(C_USER);
  }

  get password(): string | undefined {
    return this.#t.getString(this.#i, C_PASSWORD_ID);
  }

  get passwordSpan(): Span | undefined {
    return this.#span(C_PASSWORD);
  }

  get userinfoPasswordSpan(): Span | undefined {
    return this.#span(C_USERINFO_PASSWORD);
  }

  get database(): string | undefined {
    return this.#t.getString(this.#i, C_DATABASE_ID);
  }

  get appendAt(): number {
    return this.#int(C_APPEND_AT);
  }

  get appendSeparator(): string {
    return SEPARATORS[this.#int(C_APPEND_SEPARATOR)];
  }

  /** The objects of the string's parameters (made once, on the first call: the same array each time). */
  get params(): Param[] {
    const t = this.#t;
    const key = 2 * this.#i;
    let out = t.objects?.get(key) as Param[] | undefined;
    if (!out) {
      const p0 = this.#int(C_P0);
      const n = this.#int(C_PN);
      out = new Array<Param>(n);
      for (let k = 0; k < n; k++) out[k] = new ParamAt(t, p0 + k);
      (t.objects ??= new Map()).set(key, out);
    }
    return out;
  }

  get hosts(): Host[] {
    const t = this.#t;
    const key = 2 * this.#i + 1;
    let out = t.objects?.get(key) as Host[] | undefined;
    if (!out) {
      const h0 = this.#int(C_H0);
      const n = this.#int(C_HN);
      out = new Array<Host>(n);
      for (let k = 0; k < n; k++) out[k] = new HostAt(t, h0 + k);
      (t.objects ??= new Map()).set(key, out);
    }
    return out;
  }

  /** The plain object a connection string used to be (JSON.stringify, logs). */
  toJSON(): ConnString {
    return {
      kind: this.kind, context: this.context, span: this.span, raw: this.raw, user: this.user, userSpan: this.userSpan, password: this.password,
      passwordSpan: this.passwordSpan, userinfoPasswordSpan: this.userinfoPasswordSpan, hosts: this.hosts, database: this.database, params: this.params,
      appendAt: this.appendAt, appendSeparator: this.appendSeparator,
    };
  }
}
