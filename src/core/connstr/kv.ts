import { isBlank, isKeyChar, isKeyStart, Scanner } from './scanner';
import { ConnTable } from './table';

// libpq key=value strings (host=db port=26257 ...): found from the `=`s, read into the scan's table.

/** libpq's connection keywords: a quoted value of one of these is a value, never a string of pairs. */
const LIBPQ_KEYWORDS = new Set([
  'host',
  'hostaddr',
  'port',
  'dbname',
  'user',
  'password',
  'passfile',
  'require_auth',
  'channel_binding',
  'connect_timeout',
  'client_encoding',
  'options',
  'application_name',
  'fallback_application_name',
  'keepalives',
  'keepalives_idle',
  'keepalives_interval',
  'keepalives_count',
  'tcp_user_timeout',
  'replication',
  'gssencmode',
  'sslmode',
  'requiressl',
  'sslnegotiation',
  'sslcompression',
  'sslcert',
  'sslkey',
  'sslpassword',
  'sslcertmode',
  'sslrootcert',
  'sslcrl',
  'sslcrldir',
  'sslsni',
  'requirepeer',
  'ssl_min_protocol_version',
  'ssl_max_protocol_version',
  'krbsrvname',
  'gsslib',
  'gssdelegation',
  'service',
  'target_session_attrs',
  'load_balance_hosts',
]);

/** A word, a dot, a dash or a slash: what makes "xhost=" or "a.host=" not a libpq keyword. */
const isGlue = (ch: number) => isKeyChar(ch) || ch === 46 || ch === 47;
/** What a regex `.` does not match. */
const isLineTerminator = (ch: number) => ch === 10 || ch === 13 || ch === 0x2028 || ch === 0x2029;

/**
 * A key=value pair as scanPair finds it, key [keyStart, keyEnd) and value [valueStart, end), and
 * the sticky regexes that read values. One per scan, reused at every `=`: no result object per pair.
 */
class Pair {
  keyStart = 0;
  keyEnd = 0;
  valueStart = 0;
  end = 0;
  /** An unquoted value: what it may hold. */
  readonly valueAt = /[^\s'"`;,()[\]{}]+/y;
  /** A quoted value that holds pairs itself (PGDSN='host=db ...'), tried at the value's start. */
  readonly quotedPairsAt = /'[ \t]*[A-Za-z_][A-Za-z0-9_-]*[ \t]*=/y;
}

/**
 * The end of the value after the `=` at `eq`, as /[ \t]*('(?:[^'\\\n]|\\.)*'?|[^\s'"`;,()[\]{}]+)/y
 * reads it (a quoted value may lack its closing quote, to the end of the line: libpq rejects
 * that, so it is reported, not skipped), or -1; sets pair.valueStart.
 */
function valueEnd(pair: Pair, text: string, eq: number): number {
  const n = text.length;
  let i = eq + 1;
  while (i < n && isBlank(text.charCodeAt(i))) i++;
  pair.valueStart = i;
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
  pair.valueAt.lastIndex = i;
  return pair.valueAt.test(text) ? pair.valueAt.lastIndex : -1;
}

/**
 * The first key=value pair at or after `from` (into `pair`): what a global
 * /([A-Za-z_][A-Za-z0-9_-]*)[ \t]*=[ \t]*(value)/g regex's exec would find from lastIndex `from`,
 * found from the `=` signs instead of trying every word of the text. Every pair has an `=`; the
 * key is the run of key characters just before it (and its blanks), starting at the first letter
 * or underscore of that run.
 */
function scanPair(pair: Pair, text: string, from: number, limit = text.length): boolean {
  for (let eq = text.indexOf('=', from); eq >= 0 && eq < limit; eq = text.indexOf('=', eq + 1)) {
    let keyEnd = eq;
    while (keyEnd > from && isBlank(text.charCodeAt(keyEnd - 1))) keyEnd--;
    let keyStart = keyEnd;
    while (keyStart > from && isKeyChar(text.charCodeAt(keyStart - 1))) keyStart--;
    while (keyStart < keyEnd && !isKeyStart(text.charCodeAt(keyStart))) keyStart++;
    if (keyStart === keyEnd) continue;
    const end = valueEnd(pair, text, eq);
    if (end < 0) continue;
    pair.keyStart = keyStart;
    pair.keyEnd = keyEnd;
    pair.end = end;
    return true;
  }
  return false;
}

/** scanPair as a regex match: [pair, key, value] at index. (Exported for the equivalence test.) */
export function nextPair(text: string, from: number): RegExpExecArray | null {
  const p = new Pair();
  if (!scanPair(p, text, from)) return null;
  const m = [text.slice(p.keyStart, p.end), text.slice(p.keyStart, p.keyEnd), text.slice(p.valueStart, p.end)] as unknown as RegExpExecArray;
  m.index = p.keyStart;
  m.input = text;
  return m;
}

/** libpq's key/value unquoting of text[from, end): 'single quotes', with \' and \\ escapes; sets s.valueError when unterminated. */
function unquoteKv(s: Scanner, text: string, from: number, end: number): number {
  if (text.charCodeAt(from) !== 39) return s.table.pieceId(text, from, end);
  return s.table.internId(unquoted(s, text, from, end));
}

function unquoted(s: Scanner, text: string, from: number, end: number): string {
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
  s.valueError = 'unterminated quoted string';
  return value + text.slice(seg, end);
}

/** True when text[from, to) is `word`. */
const isWord = (text: string, from: number, to: number, word: string) => to - from === word.length && text.startsWith(word, from);

/** The value id of the pair at run[k] of a string whose first parameter is p0. */
const valueIdOf = (t: ConnTable, p0: number, k: number) => t.valueId(p0 + (k >> 2));

/** A run of pairs (flat: keyStart, keyEnd, valueStart, end for each) as a key/value string, into the table. */
function kvConn(s: Scanner, text: string, run: Int32Array, len: number): void {
  const start = run[0];
  const end = run[len - 1];
  const t = s.table;
  const ci = t.addConn(start, end);
  t.setKind(ci, 2, 0);
  t.setAppend(ci, end, 3 /* space */);
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
    s.valueError = undefined;
    // The same key=value comes back string after string: its key and value are worked out once.
    const pair = t.pieceId(text, keyStart, run[k + 3]);
    let keyId = s.pairKeyOf(pair) - 1;
    let valueId: number;
    if (keyId >= 0) valueId = s.pairValueOf(pair) - 1;
    else {
      keyId = t.pieceId(text, keyStart, keyEnd);
      valueId = unquoteKv(s, text, run[k + 2], run[k + 3]);
      if (s.valueError === undefined) s.setPair(pair, keyId, valueId);
    }
    t.addParam(ci, keyId, valueId, s.valueError, keyStart, keyEnd, run[k + 2], run[k + 3]);
    const key = t.strings[keyId];
    switch (key) {
      case 'host':
        host = k;
        break;
      case 'hostaddr':
        hostaddr = k;
        break;
      case 'port':
        port = k;
        break;
      case 'user':
        user = k;
        break;
      case 'password':
        password = k;
        break;
      case 'dbname':
        dbname = k;
        break;
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
  if (user >= 0) t.setUser(ci, valueIdOf(t, p0, user), run[user + 2], run[user + 3]);
  if (password >= 0) t.setPassword(ci, valueIdOf(t, p0, password), run[password + 2], run[password + 3]);
  if (dbname >= 0) t.setDatabase(ci, valueIdOf(t, p0, dbname));
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
export function findKv(s: Scanner, text: string, nUrls: number): void {
  const t = s.table;
  const pair = new Pair();
  // The pairs of the current run (keyStart, keyEnd, valueStart, end for each): run[0, len).
  let run = new Int32Array(64);
  let len = 0;
  const flush = () => {
    if (len === 0) return;
    if (isKvString(text, run, len)) kvConn(s, text, run, len);
    len = 0;
  };
  // The URLs (strings 0 to nUrls - 1 of the table) are sorted and pairs come in order: one pointer
  // instead of a scan per pair.
  let ci = 0;
  // The `=`s inside URLs are skipped: a pair with its `=` in a URL overlaps it, and joins no run.
  let u = 0;
  for (let eq = text.indexOf('='); eq >= 0; eq = text.indexOf('=', eq + 1)) {
    while (u < nUrls && t.connEnd(u) <= eq) u++;
    if (u < nUrls && t.connStart(u) <= eq) {
      eq = t.connEnd(u) - 1;
      continue;
    }
    if (!anchorAt(text, eq)) continue;
    const lineStart = text.lastIndexOf('\n', eq) + 1;
    let lineEnd = text.indexOf('\n', eq);
    if (lineEnd < 0) lineEnd = text.length;
    for (let from = lineStart; scanPair(pair, text, from, lineEnd);) {
      const ks = pair.keyStart;
      const e = pair.end;
      from = e;
      // PGDSN='host=db sslmode=...' (shell, .env): the quotes hold the string; look inside them.
      if (text.charCodeAt(pair.valueStart) === 39) {
        pair.quotedPairsAt.lastIndex = pair.valueStart;
        if (pair.quotedPairsAt.test(text) && !LIBPQ_KEYWORDS.has(text.slice(ks, pair.keyEnd))) {
          flush();
          from = pair.valueStart + 1;
          continue;
        }
      }
      while (ci < nUrls && t.connEnd(ci) <= ks) ci++;
      if (ci < nUrls && t.connStart(ci) < e) {
        flush();
        continue;
      }
      if (len) {
        const prevEnd = run[len - 1];
        let i = prevEnd;
        while (i < ks && isBlank(text.charCodeAt(i))) i++;
        if (i !== ks || ks === prevEnd) flush();
      }
      // A pair glued to a word (e.g. "xhost=") is not a libpq keyword.
      if (ks > 0 && isGlue(text.charCodeAt(ks - 1))) {
        flush();
        continue;
      }
      if (len + 4 > run.length) {
        const bigger = new Int32Array(run.length * 2);
        bigger.set(run);
        run = bigger;
      }
      run[len++] = ks;
      run[len++] = pair.keyEnd;
      run[len++] = pair.valueStart;
      run[len++] = e;
    }
    flush();
    eq = lineEnd;
  }
}
