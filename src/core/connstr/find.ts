import { ClientContext, ConnString } from './types';
import {
  C_APPEND_AT, C_APPEND_SEPARATOR, C_CONTEXT, C_DATABASE_ID, C_END, C_KIND, C_PASSWORD, C_PASSWORD_ID, C_START, C_USER, C_USER_ID, C_USERINFO_PASSWORD, CONN_INTS, Conn,
  ConnTable, HOST_INTS, I_AUTHORITY, I_AUTHORITY_JDBC, I_DECODED, I_PAIR_KEY, I_PAIR_VALUE, I_QUERY, I_QUERY_N, INFO_INTS, PARAM_INTS, C_H0, C_P0, C_PN,
} from './table';

// An authority layout's numbers (see authLayouts).
const A_USER = 0;
const A_PASSWORD = 3;
const A_DATABASE = 6;
const A_HOSTS = 7;
const A_BASE = 9;
const AUTH_INTS = 10;

/** libpq's connection keywords: a quoted value of one of these is a value, never a string of pairs. */
const LIBPQ_KEYWORDS = new Set(['host', 'hostaddr', 'port', 'dbname', 'user', 'password', 'passfile', 'require_auth', 'channel_binding', 'connect_timeout',
  'client_encoding', 'options', 'application_name', 'fallback_application_name', 'keepalives', 'keepalives_idle', 'keepalives_interval', 'keepalives_count',
  'tcp_user_timeout', 'replication', 'gssencmode', 'sslmode', 'requiressl', 'sslnegotiation', 'sslcompression', 'sslcert', 'sslkey', 'sslpassword', 'sslcertmode',
  'sslrootcert', 'sslcrl', 'sslcrldir', 'sslsni', 'requirepeer', 'ssl_min_protocol_version', 'ssl_max_protocol_version', 'krbsrvname', 'gsslib', 'gssdelegation',
  'service', 'target_session_attrs', 'load_balance_hosts']);
/** A quoted value that holds pairs itself (PGDSN='host=db ...'), tried at the value's start. */
const QUOTED_PAIRS_AT = /'[ \t]*[A-Za-z_][A-Za-z0-9_-]*[ \t]*=/y;
const CLI_WORD_RE = /\bcockroach\b/;

const BROKEN = (raw: string) => `"${raw}" has a broken percent-encoding (a % must be followed by two hex digits)`;

/** The id of a percent-encoded piece of a URL, decoded (see ConnTable.pieceId). */
function decodedPieceId(text: string, from: number, to: number): number {
  const t = table;
  const id = t.pieceId(text, from, to);
  // What the piece decodes to, worked out once per distinct piece.
  const info = t.infoFor(id);
  let d = info[INFO_INTS * id + I_DECODED];
  if (d === 0) {
    const s = t.strings[id];
    if (s.indexOf('%') < 0) d = id + 1;
    else {
      try {
        d = t.internId(decodeURIComponent(s)) + 1;
      } catch {
        d = -1;
      }
    }
    t.info[INFO_INTS * id + I_DECODED] = d;
  }
  if (d > 0) return d - 1;
  valueError ??= BROKEN(t.strings[id]);
  return id;
}

/** Set by decode() and unquoteKv() when a value is broken; cleared by the caller before a parameter. */
let valueError: string | undefined;

/** Percent-decodes; a broken encoding leaves the value as written and sets valueError (the first one). */
function decode(raw: string): string {
  if (raw.indexOf('%') < 0) return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    valueError ??= BROKEN(raw);
    return raw;
  }
}

/** Whether text[from, to) holds fewer `open` than `close` characters. */
function unbalanced(text: string, from: number, to: number, open: number, close: number): boolean {
  let n = 0;
  for (let i = from; i < to; i++) {
    const ch = text.charCodeAt(i);
    if (ch === open) n++;
    else if (ch === close) n--;
  }
  return n < 0;
}

/** Trailing punctuation of prose ("see postgresql://host/db.") is not part of the URL. */
function trimmedEnd(text: string, start: number, end: number): number {
  let e = end;
  for (;;) {
    switch (text.charCodeAt(e - 1)) {
      case 46: case 44: case 59: case 58: case 33: case 63: // . , ; : ! ?
        e--;
        break;
      case 41: // ) unless it closes a (
        if (unbalanced(text, start, e, 40, 41)) e--;
        else return e;
        break;
      case 93: // ]
        if (unbalanced(text, start, e, 91, 93)) e--;
        else return e;
        break;
      case 125: // }
        if (unbalanced(text, start, e, 123, 125)) e--;
        else return e;
        break;
      default:
        return e;
    }
  }
}

const isBlank = (ch: number) => ch === 32 || ch === 9;
const isDigit = (ch: number) => ch >= 48 && ch <= 57;

/**
 * `cockroach ... --url URL` (also `--url=URL`, quoted): the line before the URL ends with --url and
 * a separator, and names cockroach earlier on. Checked from the URL backwards, so that a long line
 * with many URLs costs no more than a short one. (Exported for the equivalence test.)
 */
export function contextAt(text: string, offset: number): ClientContext {
  let i = offset;
  const q = text.charCodeAt(i - 1);
  if (q === 34 || q === 39) i--;
  const afterBlanks = i;
  while (i > 0 && isBlank(text.charCodeAt(i - 1))) i--;
  if (text.charCodeAt(i - 1) === 61 /* = */) {
    i--;
    while (i > 0 && isBlank(text.charCodeAt(i - 1))) i--;
  } else if (i === afterBlanks) {
    return 'generic';
  }
  if (i < 5 || !text.startsWith('--url', i - 5)) return 'generic';
  const lineStart = text.lastIndexOf('\n', i - 6) + 1;
  if (lineStart > i - 5) return 'generic';
  return CLI_WORD_RE.test(text.slice(lineStart, i - 5)) ? 'cockroach-cli' : 'generic';
}

/** `from === end`, or `:` and digits only up to `end`: what may follow a host name. */
function portTail(raw: string, from: number, end: number): boolean {
  if (from === end) return true;
  if (raw.charCodeAt(from) !== 58 /* : */) return false;
  for (let i = from + 1; i < end; i++) if (!isDigit(raw.charCodeAt(i))) return false;
  return true;
}

/** The port digits raw[from, end) as Number() reads them. */
function portNumber(raw: string, from: number, end: number): number {
  if (end - from > 15) return Number(raw.slice(from, end));
  let n = 0;
  for (let i = from; i < end; i++) n = n * 10 + (raw.charCodeAt(i) - 48);
  return n;
}

/** The table the strings of the document being read go to. */
const EMPTY_TABLE = new ConnTable();
let table = EMPTY_TABLE;

/**
 * One host of the authority, raw[h, end): `name`, `name:port`, `[v6]` or `[v6]:port` (the port may
 * be empty); anything else is a name as written.
 */
function addHost(text: string, raw: string, start: number, h: number, end: number): void {
  let nameEnd = -1;
  if (raw.charCodeAt(h) === 91 /* [ */ && h < end) {
    const close = raw.indexOf(']', h + 1);
    if (close >= 0 && close < end && portTail(raw, close + 1, end)) nameEnd = close + 1;
  }
  if (nameEnd < 0) {
    let colon = raw.indexOf(':', h);
    if (colon < 0 || colon > end) colon = end;
    if (portTail(raw, colon, end)) nameEnd = colon;
  }
  // No shape matched: the whole piece is the name, and there is no port.
  const portFrom = nameEnd < 0 ? end : nameEnd + 1;
  if (nameEnd < 0) nameEnd = end;
  let a = h;
  let b = nameEnd;
  if (raw.charCodeAt(a) === 91 && a < b) a++;
  if (b > a && raw.charCodeAt(b - 1) === 93 /* ] */) b--;
  const host = decodedPieceId(text, start + a, start + b);
  const hasPort = portFrom < end;
  if (table.strings[host] || hasPort) table.addHost(host, hasPort ? portNumber(raw, portFrom, end) : undefined, start + h, start + end);
}

/**
 * The authority and path of the URLs read so far, by layout (AUTH_INTS numbers each: user id,
 * start, end; password id, start, end; database id; first host and how many), offsets relative to
 * the section's start (-1 for none): a document repeats the same user@host:port/db string after string.
 */
let authLayouts = new Int32Array(AUTH_INTS * 64);
let nAuthLayouts = 0;

/** Reads a URL at text[start, start + raw.length) into the table; raw[0, schemeEnd) is its scheme and `://`. */
function parseUrl(text: string, start: number, raw: string, schemeEnd: number): void {
  const jdbc = raw.charCodeAt(0) === 106 || raw.charCodeAt(0) === 74; // j, J: the regex only lets jdbc: start with a j
  const end = start + raw.length;
  const t = table;
  const ci = t.addConn(start, end);
  t.setInt(ci, C_KIND, jdbc ? 1 : 0);
  t.setInt(ci, C_CONTEXT, contextAt(text, start) === 'cockroach-cli' ? 1 : 0);
  const hashAt = raw.indexOf('#', schemeEnd);
  const bodyLen = hashAt >= 0 ? hashAt : raw.length;
  t.setInt(ci, C_APPEND_AT, hashAt >= 0 ? start + hashAt : end);
  t.setInt(ci, C_APPEND_SEPARATOR, 0 /* ? */);
  let qAt = raw.indexOf('?', schemeEnd);
  if (qAt >= bodyLen) qAt = -1;

  // user:password@hosts/database: read once per distinct text (and kind), then copied.
  const sectionEnd = qAt >= 0 ? qAt : bodyLen;
  const section = t.pieceId(text, start + schemeEnd, start + sectionEnd);
  const slot = INFO_INTS * section + (jdbc ? I_AUTHORITY_JDBC : I_AUTHORITY);
  let layout = t.infoFor(section)[slot] - 1;
  if (layout < 0) {
    layout = readAuthority(text, raw, start, schemeEnd, sectionEnd, jdbc);
    t.infoFor(section)[slot] = layout + 1;
  }
  copyAuthority(ci, layout, start + schemeEnd);

  if (qAt >= 0) {
    t.setInt(ci, C_APPEND_SEPARATOR, qAt === bodyLen - 1 || raw.charCodeAt(bodyLen - 1) === 38 /* & */ ? 2 /* '' */ : 1 /* & */);
    if (qAt + 1 < bodyLen) {
      // The parameters: read once per distinct query (without broken encodings), then copied.
      const query = t.pieceId(text, start + qAt + 1, start + bodyLen);
      const info = t.infoFor(query);
      const from = info[INFO_INTS * query + I_QUERY] - 1;
      if (from >= 0) copyParams(ci, from, info[INFO_INTS * query + I_QUERY_N], start + qAt + 1 - t.params[PARAM_INTS * from]);
      else {
        const p0 = t.nParams;
        const ok = readQuery(text, raw, start, ci, qAt, bodyLen);
        const n = t.nParams - p0;
        // Reused from its first parameter's start: an empty first parameter (?&x) makes that ambiguous.
        if (ok && n > 0 && t.params[PARAM_INTS * p0] === start + qAt + 1) {
          t.info[INFO_INTS * query + I_QUERY] = p0 + 1;
          t.info[INFO_INTS * query + I_QUERY_N] = n;
        }
      }
    }
    // Query parameters override the userinfo in libpq URLs, and are the only place for them in JDBC URLs.
    const p0 = t.getInt(ci, C_P0);
    let user = false;
    let password = false;
    for (let j = p0 + t.getInt(ci, C_PN) - 1; j >= p0 && !(user && password); j--) {
      const key = t.key(j);
      if (key === 'user' ? user : key === 'password' ? password : true) continue;
      t.setInt(ci, key === 'user' ? C_USER_ID : C_PASSWORD_ID, t.params[PARAM_INTS * j + 5]);
      t.setSpan(ci, key === 'user' ? C_USER : C_PASSWORD, t.params[PARAM_INTS * j + 2], t.params[PARAM_INTS * j + 3]);
      if (key === 'user') user = true;
      else password = true;
    }
  }
}

/** Reads raw[schemeEnd, sectionEnd) (user:password@hosts/database) into the table's hosts and a new layout; returns its index. */
function readAuthority(text: string, raw: string, start: number, schemeEnd: number, sectionEnd: number, jdbc: boolean): number {
  const t = table;
  const base = start + schemeEnd;
  const li = nAuthLayouts++;
  if (nAuthLayouts * AUTH_INTS > authLayouts.length) {
    const bigger = new Int32Array(authLayouts.length * 2);
    bigger.set(authLayouts);
    authLayouts = bigger;
  }
  const L = authLayouts;
  const b = li * AUTH_INTS;
  for (let k = 0; k < AUTH_INTS; k++) L[b + k] = -1;
  let pathAt = raw.indexOf('/', schemeEnd);
  if (pathAt >= sectionEnd) pathAt = -1;
  const authorityEnd = pathAt >= 0 ? pathAt : sectionEnd;
  // The last @ of the authority (raw.lastIndexOf, which is slow), if after the scheme.
  let at = authorityEnd - 1;
  while (at >= schemeEnd && text.charCodeAt(start + at) !== 64 /* @ */) at--;
  let hostStart = schemeEnd;
  if (at >= schemeEnd && !jdbc) {
    const colon = raw.indexOf(':', schemeEnd);
    const userEnd = colon >= 0 && colon < at ? colon : at;
    L[b + A_USER] = decodedPieceId(text, start + schemeEnd, start + userEnd);
    L[b + A_USER + 1] = 0;
    L[b + A_USER + 2] = userEnd - schemeEnd;
    if (userEnd < at) {
      L[b + A_PASSWORD] = t.internId(decode(raw.slice(userEnd + 1, at)));
      L[b + A_PASSWORD + 1] = userEnd + 1 - schemeEnd;
      L[b + A_PASSWORD + 2] = at - schemeEnd;
    }
    hostStart = at + 1;
  }
  const h0 = t.nHosts;
  for (let h = hostStart; h <= authorityEnd;) {
    let comma = raw.indexOf(',', h);
    if (comma < 0 || comma > authorityEnd) comma = authorityEnd;
    addHost(text, raw, start, h, comma);
    h = comma + 1;
  }
  L[b + A_HOSTS] = h0;
  L[b + A_HOSTS + 1] = t.nHosts - h0;
  // Where the section's own hosts are, to shift them by when copied.
  L[b + A_BASE] = base;
  if (pathAt >= 0) {
    const db = decodedPieceId(text, start + pathAt + 1, start + sectionEnd);
    if (t.strings[db]) L[b + A_DATABASE] = db;
  }
  return li;
}

/** Gives string ci the user, password, hosts and database of an authority layout, its section starting at `base`. */
function copyAuthority(ci: number, li: number, base: number): void {
  const t = table;
  const L = authLayouts;
  const b = li * AUTH_INTS;
  if (L[b + A_USER] >= 0) {
    t.setInt(ci, C_USER_ID, L[b + A_USER]);
    t.setSpan(ci, C_USER, base + L[b + A_USER + 1], base + L[b + A_USER + 2]);
  }
  if (L[b + A_PASSWORD] >= 0) {
    t.setInt(ci, C_PASSWORD_ID, L[b + A_PASSWORD]);
    t.setSpan(ci, C_PASSWORD, base + L[b + A_PASSWORD + 1], base + L[b + A_PASSWORD + 2]);
    t.setSpan(ci, C_USERINFO_PASSWORD, base + L[b + A_PASSWORD + 1], base + L[b + A_PASSWORD + 2]);
  }
  const h0 = L[b + A_HOSTS];
  const hn = L[b + A_HOSTS + 1];
  const shift = base - L[b + A_BASE];
  // The first reading's hosts are this string's own; a copy adds them again, shifted.
  if (shift !== 0 || t.nHosts !== h0 + hn) {
    t.setInt(ci, C_H0, t.nHosts);
    for (let j = h0; j < h0 + hn; j++) t.addHost(t.hosts[HOST_INTS * j + 2], t.port(j), t.hosts[HOST_INTS * j] + shift, t.hosts[HOST_INTS * j + 1] + shift);
  }
  t.endHosts(ci);
  if (L[b + A_DATABASE] >= 0) t.setInt(ci, C_DATABASE_ID, L[b + A_DATABASE]);
}

/** Reads the query raw[qAt + 1, bodyLen) as string ci's parameters; false when a value's encoding is broken. */
function readQuery(text: string, raw: string, start: number, ci: number, qAt: number, bodyLen: number): boolean {
  const t = table;
  let ok = true;
  for (let p = qAt + 1; p <= bodyLen;) {
    let amp = raw.indexOf('&', p);
    if (amp < 0 || amp > bodyLen) amp = bodyLen;
    if (amp > p) {
      let eq = raw.indexOf('=', p);
      if (eq >= amp) eq = -1;
      const keyEnd = eq >= 0 ? eq : amp;
      const valueStart = eq >= 0 ? eq + 1 : amp;
      valueError = undefined;
      const keyId = decodedPieceId(text, start + p, start + keyEnd);
      const valueId = eq >= 0 ? decodedPieceId(text, start + valueStart, start + amp) : t.internId('');
      if (valueError !== undefined) ok = false;
      t.addParam(ci, keyId, valueId, valueError, start + p, start + keyEnd, start + valueStart, start + amp);
    }
    p = amp + 1;
  }
  return ok;
}

/** Gives string ci copies of the n parameters from `from`, shifted by `shift`. */
function copyParams(ci: number, from: number, n: number, shift: number): void {
  const t = table;
  for (let j = from; j < from + n; j++) {
    const P = t.params;
    const b = PARAM_INTS * j;
    t.addParam(ci, P[b + 4], P[b + 5], undefined, P[b] + shift, P[b + 1] + shift, P[b + 2] + shift, P[b + 3] + shift);
  }
}

const isKeyStart = (ch: number) => (ch >= 65 && ch <= 90) || (ch >= 97 && ch <= 122) || ch === 95;
const isKeyChar = (ch: number) => isKeyStart(ch) || isDigit(ch) || ch === 45;
/** A word, a dot, a dash or a slash: what makes "xhost=" or "a.host=" not a libpq keyword. */
const isGlue = (ch: number) => isKeyChar(ch) || ch === 46 || ch === 47;
/** An unquoted value: what it may hold. */
const VALUE_AT = /[^\s'"`;,()[\]{}]+/y;
/** What a regex `.` does not match. */
const isLineTerminator = (ch: number) => ch === 10 || ch === 13 || ch === 0x2028 || ch === 0x2029;

// The pair scanPair found: key [pairKeyStart, pairKeyEnd), value [pairValueStart, pairEnd). Module
// state rather than a result object: the scanner runs at every `=` of the document.
let pairKeyStart = 0;
let pairKeyEnd = 0;
let pairValueStart = 0;
let pairEnd = 0;

/**
 * The end of the value after the `=` at `eq`, as /[ \t]*('(?:[^'\\\n]|\\.)*'?|[^\s'"`;,()[\]{}]+)/y
 * reads it (a quoted value may lack its closing quote, to the end of the line: libpq rejects
 * that, so it is reported, not skipped), or -1; sets pairValueStart.
 */
function valueEnd(text: string, eq: number): number {
  const n = text.length;
  let i = eq + 1;
  while (i < n && isBlank(text.charCodeAt(i))) i++;
  pairValueStart = i;
  if (i >= n) return -1;
  if (text.charCodeAt(i) === 39) {
    for (i++; i < n; i++) {
      const ch = text.charCodeAt(i);
      if (ch === 39) return i + 1;
      if (ch === 10) return i;
      if (ch === 92) {
        if (i + 1 < n && !isLineTerminator(text.charCodeAt(i + 1))) i++;
        else return i;
      }
    }
    return n;
  }
  VALUE_AT.lastIndex = i;
  return VALUE_AT.test(text) ? VALUE_AT.lastIndex : -1;
}

/**
 * The first key=value pair at or after `from` (into the pair* variables): what a global
 * /([A-Za-z_][A-Za-z0-9_-]*)[ \t]*=[ \t]*(value)/g regex's exec would find from lastIndex `from`,
 * found from the `=` signs instead of trying every word of the text. Every pair has an `=`; the
 * key is the run of key characters just before it (and its blanks), starting at the first letter
 * or underscore of that run.
 */
function scanPair(text: string, from: number, limit = text.length): boolean {
  for (let eq = text.indexOf('=', from); eq >= 0 && eq < limit; eq = text.indexOf('=', eq + 1)) {
    let keyEnd = eq;
    while (keyEnd > from && isBlank(text.charCodeAt(keyEnd - 1))) keyEnd--;
    let keyStart = keyEnd;
    while (keyStart > from && isKeyChar(text.charCodeAt(keyStart - 1))) keyStart--;
    while (keyStart < keyEnd && !isKeyStart(text.charCodeAt(keyStart))) keyStart++;
    if (keyStart === keyEnd) continue;
    const end = valueEnd(text, eq);
    if (end < 0) continue;
    pairKeyStart = keyStart;
    pairKeyEnd = keyEnd;
    pairEnd = end;
    return true;
  }
  return false;
}

/** scanPair as a regex match: [pair, key, value] at index. (Exported for the equivalence test.) */
export function nextPair(text: string, from: number): RegExpExecArray | null {
  if (!scanPair(text, from)) return null;
  const m = [text.slice(pairKeyStart, pairEnd), text.slice(pairKeyStart, pairKeyEnd), text.slice(pairValueStart, pairEnd)] as unknown as RegExpExecArray;
  m.index = pairKeyStart;
  m.input = text;
  return m;
}

/** libpq's key/value unquoting of text[from, end): 'single quotes', with \' and \\ escapes; sets valueError when unterminated. */
function unquoteKv(text: string, from: number, end: number): number {
  if (text.charCodeAt(from) !== 39) return table.pieceId(text, from, end);
  return table.internId(unquoted(text, from, end));
}

function unquoted(text: string, from: number, end: number): string {
  let value = '';
  let seg = from + 1;
  for (let i = seg; i < end; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 39) return value + text.slice(seg, i);
    if (ch === 92 && i + 1 < end) {
      value += text.slice(seg, i) + text[i + 1];
      i++;
      seg = i + 1;
    }
  }
  valueError = 'unterminated quoted string';
  return value + text.slice(seg, end);
}

/** True when text[from, to) is `word`. */
const isWord = (text: string, from: number, to: number, word: string) => to - from === word.length && text.startsWith(word, from);

/** The value id of the pair at run[k] of a string whose first parameter is p0. */
const valueIdOf = (t: ConnTable, p0: number, k: number) => t.params[PARAM_INTS * (p0 + (k >> 2)) + 5];

/** A run of pairs (flat: keyStart, keyEnd, valueStart, end for each) as a key/value string, into the table. */
function kvConn(text: string, run: Int32Array, len: number): void {
  const start = run[0];
  const end = run[len - 1];
  const t = table;
  const ci = t.addConn(start, end);
  t.setInt(ci, C_KIND, 2);
  t.setInt(ci, C_CONTEXT, 0);
  t.setInt(ci, C_APPEND_AT, end);
  t.setInt(ci, C_APPEND_SEPARATOR, 3 /* space */);
  // The last occurrence of each key wins: the indexes (into run) of those the string's fields come from.
  let host = -1;
  let hostaddr = -1;
  let port = -1;
  let user = -1;
  let password = -1;
  let dbname = -1;
  const p0 = t.nParams;
  for (let k = 0; k < len; k += 4) {
    const keyStart = run[k];
    const keyEnd = run[k + 1];
    valueError = undefined;
    // The same key=value comes back string after string: its key and value are worked out once.
    const pair = t.pieceId(text, keyStart, run[k + 3]);
    let keyId = t.infoFor(pair)[INFO_INTS * pair + I_PAIR_KEY] - 1;
    let valueId: number;
    if (keyId >= 0) valueId = t.info[INFO_INTS * pair + I_PAIR_VALUE] - 1;
    else {
      keyId = t.pieceId(text, keyStart, keyEnd);
      valueId = unquoteKv(text, run[k + 2], run[k + 3]);
      if (valueError === undefined) {
        const info = t.infoFor(pair);
        info[INFO_INTS * pair + I_PAIR_KEY] = keyId + 1;
        info[INFO_INTS * pair + I_PAIR_VALUE] = valueId + 1;
      }
    }
    t.addParam(ci, keyId, valueId, valueError, keyStart, keyEnd, run[k + 2], run[k + 3]);
    const key = t.strings[keyId];
    switch (key) {
      case 'host': host = k; break;
      case 'hostaddr': hostaddr = k; break;
      case 'port': port = k; break;
      case 'user': user = k; break;
      case 'password': password = k; break;
      case 'dbname': dbname = k; break;
    }
  }
  const hp = host >= 0 ? host : hostaddr;
  if (hp >= 0) {
    const portNum = port >= 0 ? Number(t.strings[valueIdOf(t, p0, port)]) : undefined;
    const hostsId = valueIdOf(t, p0, hp);
    const hosts = t.strings[hostsId];
    if (hosts.indexOf(',') < 0) {
      if (hosts) t.addHost(hostsId, portNum, run[hp + 2], run[hp + 3]);
    } else {
      for (const h of hosts.split(',')) if (h) t.addHost(t.internId(h), portNum, run[hp + 2], run[hp + 3]);
    }
  }
  t.endHosts(ci);
  if (user >= 0) {
    t.setInt(ci, C_USER_ID, valueIdOf(t, p0, user));
    t.setSpan(ci, C_USER, run[user + 2], run[user + 3]);
  }
  if (password >= 0) {
    t.setInt(ci, C_PASSWORD_ID, valueIdOf(t, p0, password));
    t.setSpan(ci, C_PASSWORD, run[password + 2], run[password + 3]);
  }
  if (dbname >= 0) t.setInt(ci, C_DATABASE_ID, valueIdOf(t, p0, dbname));
}

/** A run of at least two pairs with host, hostaddr or dbname among them is a connection string. */
function isKvString(text: string, run: Int32Array, len: number): boolean {
  if (len < 8) return false;
  for (let k = 0; k < len; k += 4) {
    const s = run[k];
    const e = run[k + 1];
    if (isWord(text, s, e, 'host') || isWord(text, s, e, 'hostaddr') || isWord(text, s, e, 'dbname')) return true;
  }
  return false;
}

/** Whether the key before the `=` at `eq` (and its blanks) ends in host, hostaddr or dbname: a line without one holds no key/value string. */
function anchorAt(text: string, eq: number): boolean {
  let k = eq;
  while (k > 0 && isBlank(text.charCodeAt(k - 1))) k--;
  switch (text.charCodeAt(k - 1)) {
    case 116: // t
      return k >= 4 && text.startsWith('host', k - 4);
    case 114: // r
      return k >= 8 && text.startsWith('hostaddr', k - 8);
    case 101: // e
      return k >= 6 && text.startsWith('dbname', k - 6);
    default:
      return false;
  }
}

/**
 * libpq key=value strings: runs of at least two pairs, blank-separated, with host, hostaddr or
 * dbname among them. A pair never spans a line (values stop at a newline, quoted ones too), so
 * neither does a run: only the lines with such an anchor are read, each as a global scan of the
 * pairs would read it.
 */
function findKv(text: string, nUrls: number): void {
  // The pairs of the current run (keyStart, keyEnd, valueStart, end for each): run[0, len).
  let run = new Int32Array(64);
  let len = 0;
  const flush = () => {
    if (len === 0) return;
    if (isKvString(text, run, len)) kvConn(text, run, len);
    len = 0;
  };
  // The URLs (strings 0 to nUrls - 1 of the table) are sorted and pairs come in order: one pointer
  // instead of a scan per pair.
  let ci = 0;
  // The `=`s inside URLs are skipped: a pair with its `=` in a URL overlaps it, and joins no run.
  let u = 0;
  for (let eq = text.indexOf('='); eq >= 0; eq = text.indexOf('=', eq + 1)) {
    while (u < nUrls && table.conns[u * CONN_INTS + C_END] <= eq) u++;
    if (u < nUrls && table.conns[u * CONN_INTS + C_START] <= eq) {
      eq = table.conns[u * CONN_INTS + C_END] - 1;
      continue;
    }
    if (!anchorAt(text, eq)) continue;
    const lineStart = text.lastIndexOf('\n', eq) + 1;
    let lineEnd = text.indexOf('\n', eq);
    if (lineEnd < 0) lineEnd = text.length;
    for (let from = lineStart; scanPair(text, from, lineEnd);) {
      const s = pairKeyStart;
      const e = pairEnd;
      from = e;
      // PGDSN='host=db sslmode=...' (shell, .env): the quotes hold the string; look inside them.
      if (text.charCodeAt(pairValueStart) === 39) {
        QUOTED_PAIRS_AT.lastIndex = pairValueStart;
        if (QUOTED_PAIRS_AT.test(text) && !LIBPQ_KEYWORDS.has(text.slice(s, pairKeyEnd))) {
          flush();
          from = pairValueStart + 1;
          continue;
        }
      }
      // (table.conns, not a copy: kvConn may grow it.)
      while (ci < nUrls && table.conns[ci * CONN_INTS + C_END] <= s) ci++;
      if (ci < nUrls && table.conns[ci * CONN_INTS + C_START] < e) {
        flush();
        continue;
      }
      if (len) {
        const prevEnd = run[len - 1];
        let i = prevEnd;
        while (i < s && isBlank(text.charCodeAt(i))) i++;
        if (i !== s || s === prevEnd) flush();
      }
      // A pair glued to a word (e.g. "xhost=") is not a libpq keyword.
      if (s > 0 && isGlue(text.charCodeAt(s - 1))) {
        flush();
        continue;
      }
      if (len + 4 > run.length) {
        const bigger = new Int32Array(run.length * 2);
        bigger.set(run);
        run = bigger;
      }
      run[len++] = s;
      run[len++] = pairKeyEnd;
      run[len++] = pairValueStart;
      run[len++] = e;
    }
    flush();
    eq = lineEnd;
  }
}

/** Every connection string in the text: postgres[ql]:// and jdbc:postgresql:// URLs, and libpq key=value strings. */
export function findConnStrings(text: string): ConnString[] {
  const t = (table = new ConnTable(text));
  nAuthLayouts = 0;
  try {
    return find(text);
  } finally {
    t.seal();
    table = EMPTY_TABLE;
  }
}

const isWordChar = (ch: number) => isKeyStart(ch) || isDigit(ch);
/** A regex \b before text[at] (a word character). */
const boundaryAt = (text: string, at: number) => at === 0 || !isWordChar(text.charCodeAt(at - 1));

/** text[at, at + word.length) is `word` (lower case ASCII), ignoring the case of letters as a non-unicode /i regex does. */
function matchesCi(text: string, at: number, word: string): boolean {
  for (let i = 0; i < word.length; i++) {
    const ch = text.charCodeAt(at + i);
    const w = word.charCodeAt(i);
    if (ch !== w && (w < 97 || w > 122 || (ch | 0x20) !== w)) return false;
  }
  return true;
}

// URL characters: stop at white space, quotes, angle brackets and backslashes (JSON escapes).
const URL_BODY_AT = /[^\s'"`<>\\]+/y;

function find(text: string): Conn[] {
  const t = table;
  // What a global /\b(?:jdbc:)?postgres(?:ql)?:\/\/[^\s'"`<>\\]+/gi finds, found from the `://`s:
  // the scheme before one, the earliest start that has a word boundary, and at least one URL
  // character after it.
  let from = 0;
  for (let k = text.indexOf('://'); k >= 0; k = text.indexOf('://', k + 1)) {
    let scheme = -1;
    const last = text.charCodeAt(k - 1) | 0x20;
    if (last === 108 /* l */) {
      if (k >= 10 && matchesCi(text, k - 10, 'postgresql')) scheme = k - 10;
    } else if (last === 115 /* s */ && k >= 8 && matchesCi(text, k - 8, 'postgres')) scheme = k - 8;
    if (scheme < 0) continue;
    let start = -1;
    if (scheme - 5 >= from && matchesCi(text, scheme - 5, 'jdbc:') && boundaryAt(text, scheme - 5)) start = scheme - 5;
    else if (scheme >= from && boundaryAt(text, scheme)) start = scheme;
    if (start < 0) continue;
    const bodyStart = k + 3;
    URL_BODY_AT.lastIndex = bodyStart;
    if (!URL_BODY_AT.test(text)) continue;
    const end = URL_BODY_AT.lastIndex;
    from = end;
    k = end - 1;
    // Trailing punctuation of prose ("see postgresql://host/db.") is not part of the URL.
    const trimmed = trimmedEnd(text, start, end);
    if (trimmed <= bodyStart) continue;
    parseUrl(text, start, text.slice(start, trimmed), bodyStart - start);
  }
  const nUrls = t.nConns;
  findKv(text, nUrls);
  // The URLs (0 to nUrls - 1) and the key/value strings (the rest) are each in text order: merge them.
  const n = t.nConns;
  const all: Conn[] = new Array(n);
  const conns = t.conns;
  let i = 0;
  let j = nUrls;
  for (let k = 0; k < n; k++) {
    all[k] = new Conn(t, j >= n || (i < nUrls && conns[i * CONN_INTS + C_START] <= conns[j * CONN_INTS + C_START]) ? i++ : j++);
  }
  return all;
}
