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
  /** Parameter and host objects made for the front ends, by string (see Conn.params). */
  objects: Map<number, Param[] | ConnString['hosts']> | undefined = undefined;
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
    const h =
      (Math.imul(len ^ (text.charCodeAt(from) << 8), 0x9e3779b1) ^
        Math.imul(text.charCodeAt(to - 1) ^ (text.charCodeAt(from + (len >> 1)) << 16), 0x85ebca6b)) >>>
      (32 - PIECE_BITS);
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

  /** Drops what only the reading of the document needed (the lookups behind pieceId and internId). */
  seal(): void {
    this.ids = new Map();
    this.pieces = [];
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

  // String ci's fields, as the scanner sets them.

  /** The kind (an index into KINDS) and client context (into CONTEXTS). */
  setKind(ci: number, kind: number, context: number): void {
    const b = ci * CONN_INTS;
    this.conns[b + C_KIND] = kind;
    this.conns[b + C_CONTEXT] = context;
  }

  /** Where a parameter is appended, and after which separator (an index into SEPARATORS). */
  setAppend(ci: number, at: number, separator: number): void {
    const b = ci * CONN_INTS;
    this.conns[b + C_APPEND_AT] = at;
    this.conns[b + C_APPEND_SEPARATOR] = separator;
  }

  setSeparator(ci: number, separator: number): void {
    this.conns[ci * CONN_INTS + C_APPEND_SEPARATOR] = separator;
  }

  /** The user (a string id) and where it is written. */
  setUser(ci: number, id: number, start: number, end: number): void {
    const b = ci * CONN_INTS;
    this.conns[b + C_USER_ID] = id;
    this.conns[b + C_USER] = start;
    this.conns[b + C_USER + 1] = end;
  }

  setPassword(ci: number, id: number, start: number, end: number): void {
    const b = ci * CONN_INTS;
    this.conns[b + C_PASSWORD_ID] = id;
    this.conns[b + C_PASSWORD] = start;
    this.conns[b + C_PASSWORD + 1] = end;
  }

  /** The password of a URL's userinfo (user:password@), which a password= parameter may override. */
  setUserinfoPassword(ci: number, start: number, end: number): void {
    const b = ci * CONN_INTS;
    this.conns[b + C_USERINFO_PASSWORD] = start;
    this.conns[b + C_USERINFO_PASSWORD + 1] = end;
  }

  setDatabase(ci: number, id: number): void {
    this.conns[ci * CONN_INTS + C_DATABASE_ID] = id;
  }

  /** String ci's hosts start again at the next host added (a copy of hosts read before). */
  restartHosts(ci: number): void {
    this.conns[ci * CONN_INTS + C_H0] = this.nHosts;
  }

  // String ci's fields, as the rules and the front ends read them.

  connStart(ci: number): number {
    return this.conns[ci * CONN_INTS + C_START];
  }

  connEnd(ci: number): number {
    return this.conns[ci * CONN_INTS + C_END];
  }

  /** The string's first parameter (an index into the parameters), and how many it has. */
  firstParam(ci: number): number {
    return this.conns[ci * CONN_INTS + C_P0];
  }

  paramCount(ci: number): number {
    return this.conns[ci * CONN_INTS + C_PN];
  }

  firstHost(ci: number): number {
    return this.conns[ci * CONN_INTS + C_H0];
  }

  hostCount(ci: number): number {
    return this.conns[ci * CONN_INTS + C_HN];
  }

  kind(ci: number): ConnKind {
    return KINDS[this.conns[ci * CONN_INTS + C_KIND]];
  }

  context(ci: number): ClientContext {
    return CONTEXTS[this.conns[ci * CONN_INTS + C_CONTEXT]];
  }

  appendAt(ci: number): number {
    return this.conns[ci * CONN_INTS + C_APPEND_AT];
  }

  appendSeparator(ci: number): string {
    return SEPARATORS[this.conns[ci * CONN_INTS + C_APPEND_SEPARATOR]];
  }

  user(ci: number): string | undefined {
    return this.stringAt(ci * CONN_INTS + C_USER_ID);
  }

  password(ci: number): string | undefined {
    return this.stringAt(ci * CONN_INTS + C_PASSWORD_ID);
  }

  database(ci: number): string | undefined {
    return this.stringAt(ci * CONN_INTS + C_DATABASE_ID);
  }

  /** Where the password is written (the userinfo's, or the password= parameter's value), -1 when nowhere. */
  passwordStart(ci: number): number {
    return this.conns[ci * CONN_INTS + C_PASSWORD];
  }

  passwordEnd(ci: number): number {
    return this.conns[ci * CONN_INTS + C_PASSWORD + 1];
  }

  userSpan(ci: number): Span | undefined {
    return this.spanAt(ci * CONN_INTS + C_USER);
  }

  passwordSpan(ci: number): Span | undefined {
    return this.spanAt(ci * CONN_INTS + C_PASSWORD);
  }

  userinfoPasswordSpan(ci: number): Span | undefined {
    return this.spanAt(ci * CONN_INTS + C_USERINFO_PASSWORD);
  }

  private stringAt(at: number): string | undefined {
    const id = this.conns[at];
    return id < 0 ? undefined : this.strings[id];
  }

  private spanAt(at: number): Span | undefined {
    const start = this.conns[at];
    return start < 0 ? undefined : { start, end: this.conns[at + 1] };
  }

  // Parameter j.

  paramStart(j: number): number {
    return this.params[PARAM_INTS * j];
  }

  paramKeyEnd(j: number): number {
    return this.params[PARAM_INTS * j + 1];
  }

  paramValueStart(j: number): number {
    return this.params[PARAM_INTS * j + 2];
  }

  paramEnd(j: number): number {
    return this.params[PARAM_INTS * j + 3];
  }

  /** The ids (into strings) of parameter j's key and value. */
  keyId(j: number): number {
    return this.params[PARAM_INTS * j + P_KEY];
  }

  valueId(j: number): number {
    return this.params[PARAM_INTS * j + P_VALUE];
  }

  // Host h.

  hostStart(h: number): number {
    return this.hosts[HOST_INTS * h];
  }

  hostEnd(h: number): number {
    return this.hosts[HOST_INTS * h + 1];
  }

  /** The id (into strings) of host h's name. */
  hostNameId(h: number): number {
    return this.hosts[HOST_INTS * h + 2];
  }

  hostName(h: number): string {
    return this.strings[this.hosts[HOST_INTS * h + 2]];
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
    // (Only the spans: the rules read the user and password from the string itself.)
    if (c.userSpan) t.setUser(ci, -1, c.userSpan.start, c.userSpan.end);
    if (c.passwordSpan) t.setPassword(ci, -1, c.passwordSpan.start, c.passwordSpan.end);
    if (c.userinfoPasswordSpan) t.setUserinfoPassword(ci, c.userinfoPasswordSpan.start, c.userinfoPasswordSpan.end);
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
// prettier-ignore
const CANONICAL = new Map<string, string>([
  'host', 'hostaddr', 'port', 'dbname', 'user', 'password', 'passfile', 'require_auth', 'channel_binding', 'connect_timeout', 'client_encoding',
  'options', 'application_name', 'fallback_application_name', 'keepalives', 'keepalives_idle', 'keepalives_interval', 'keepalives_count',
  'tcp_user_timeout', 'replication', 'gssencmode', 'sslmode', 'requiressl', 'sslnegotiation', 'sslcompression', 'sslcert', 'sslkey', 'sslpassword',
  'sslcertmode', 'sslrootcert', 'sslcrl', 'sslcrldir', 'sslsni', 'requirepeer', 'ssl_min_protocol_version', 'ssl_max_protocol_version', 'krbsrvname',
  'gsslib', 'gssdelegation', 'service', 'target_session_attrs', 'load_balance_hosts', 'ssl', 'sslfactory', 'results_buffer_size', 'uselibpqcompat',
  'disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full', 'true', 'false', 'system', '26257', '',
].map((k) => [k, k]));
const PARAM_INTS = 6;
const P_KEY = 4;
const P_VALUE = 5;
const HOST_INTS = 4;
const CONN_INTS = 20;
const C_START = 0;
const C_END = 1;
const C_USER = 2;
const C_PASSWORD = 4;
const C_USERINFO_PASSWORD = 6;
/** The string's first parameter (an index into the table's parameters), and how many it has. */
const C_P0 = 8;
const C_PN = 9;
const C_H0 = 10;
const C_HN = 11;
/** KINDS[n] */
const C_KIND = 12;
/** CONTEXTS[n] */
const C_CONTEXT = 13;
const C_APPEND_AT = 14;
/** SEPARATORS[n] */
const C_APPEND_SEPARATOR = 15;
/** The user, password and database: ids into the strings, or -1. */
const C_USER_ID = 16;
const C_PASSWORD_ID = 17;
const C_DATABASE_ID = 18;
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
