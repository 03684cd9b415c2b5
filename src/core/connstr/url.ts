import { ClientContext } from './types';
import { ConnTable } from './table';
import { A_BASE, A_DATABASE, A_HOSTS, A_PASSWORD, A_USER, AUTH_INTS, isBlank, isDigit, isKeyStart, Scanner } from './scanner';

// postgres[ql]:// and jdbc:postgresql:// URLs: found from the `://`s, read into the scan's table.

const CLI_WORD_RE = /\bcockroach\b/;
const BROKEN = (raw: string) => `"${raw}" has a broken percent-encoding (a % must be followed by two hex digits)`;

/** The id of a percent-encoded piece of a URL, decoded (see ConnTable.pieceId); a broken one sets s.valueError. */
function decodedPieceId(s: Scanner, text: string, from: number, to: number): number {
  const t = s.table;
  const id = t.pieceId(text, from, to);
  // What the piece decodes to, worked out once per distinct piece.
  let d = s.decodedOf(id);
  if (d === 0) {
    const str = t.strings[id];
    if (str.indexOf('%') < 0) d = id + 1;
    else {
      try {
        d = t.internId(decodeURIComponent(str)) + 1;
      } catch {
        d = -1;
      }
    }
    s.setDecoded(id, d);
  }
  if (d > 0) return d - 1;
  s.valueError ??= BROKEN(t.strings[id]);
  return id;
}

/** Percent-decodes; a broken encoding leaves the value as written and sets s.valueError (the first one). */
function decode(s: Scanner, raw: string): string {
  if (raw.indexOf('%') < 0) return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    s.valueError ??= BROKEN(raw);
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
      case 46:
      case 44:
      case 59:
      case 58:
      case 33:
      case 63: // . , ; : ! ?
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

/**
 * One host of the authority, raw[h, end): `name`, `name:port`, `[v6]` or `[v6]:port` (the port may
 * be empty); anything else is a name as written.
 */
function addHost(s: Scanner, text: string, raw: string, start: number, h: number, end: number): void {
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
  const host = decodedPieceId(s, text, start + a, start + b);
  const hasPort = portFrom < end;
  if (s.table.strings[host] || hasPort) s.table.addHost(host, hasPort ? portNumber(raw, portFrom, end) : undefined, start + h, start + end);
}

/** Reads a URL at text[start, start + raw.length) into the table; raw[0, schemeEnd) is its scheme and `://`. */
function parseUrl(s: Scanner, text: string, start: number, raw: string, schemeEnd: number): void {
  const jdbc = raw.charCodeAt(0) === 106 || raw.charCodeAt(0) === 74; // j, J: the regex only lets jdbc: start with a j
  const end = start + raw.length;
  const t = s.table;
  const ci = t.addConn(start, end);
  t.setKind(ci, jdbc ? 1 : 0, contextAt(text, start) === 'cockroach-cli' ? 1 : 0);
  const hashAt = raw.indexOf('#', schemeEnd);
  const bodyLen = hashAt >= 0 ? hashAt : raw.length;
  t.setAppend(ci, hashAt >= 0 ? start + hashAt : end, 0 /* ? */);
  let qAt = raw.indexOf('?', schemeEnd);
  if (qAt >= bodyLen) qAt = -1;

  // user:password@hosts/database: read once per distinct text (and kind), then copied.
  const sectionEnd = qAt >= 0 ? qAt : bodyLen;
  const section = t.pieceId(text, start + schemeEnd, start + sectionEnd);
  let layout = s.authorityOf(section, jdbc) - 1;
  if (layout < 0) {
    layout = readAuthority(s, text, raw, start, schemeEnd, sectionEnd, jdbc);
    s.setAuthority(section, jdbc, layout);
  }
  copyAuthority(s, ci, layout, start + schemeEnd);

  if (qAt >= 0) {
    t.setSeparator(ci, qAt === bodyLen - 1 || raw.charCodeAt(bodyLen - 1) === 38 /* & */ ? 2 /* '' */ : 1 /* & */);
    if (qAt + 1 < bodyLen) {
      // The parameters: read once per distinct query (without broken encodings), then copied.
      const query = t.pieceId(text, start + qAt + 1, start + bodyLen);
      const from = s.queryOf(query) - 1;
      if (from >= 0) copyParams(t, ci, from, s.queryCountOf(query), start + qAt + 1 - t.paramStart(from));
      else {
        const p0 = t.nParams;
        const ok = readQuery(s, text, raw, start, ci, qAt, bodyLen);
        const n = t.nParams - p0;
        // Reused from its first parameter's start: an empty first parameter (?&x) makes that ambiguous.
        if (ok && n > 0 && t.paramStart(p0) === start + qAt + 1) s.setQuery(query, p0, n);
      }
    }
    // Query parameters override the userinfo in libpq URLs, and are the only place for them in JDBC URLs.
    const p0 = t.firstParam(ci);
    let user = false;
    let password = false;
    for (let j = p0 + t.paramCount(ci) - 1; j >= p0 && !(user && password); j--) {
      const key = t.key(j);
      if (key === 'user' ? user : key === 'password' ? password : true) continue;
      if (key === 'user') {
        t.setUser(ci, t.valueId(j), t.paramValueStart(j), t.paramEnd(j));
        user = true;
      } else {
        t.setPassword(ci, t.valueId(j), t.paramValueStart(j), t.paramEnd(j));
        password = true;
      }
    }
  }
}

/** Reads raw[schemeEnd, sectionEnd) (user:password@hosts/database) into the table's hosts and a new layout; returns its index. */
function readAuthority(s: Scanner, text: string, raw: string, start: number, schemeEnd: number, sectionEnd: number, jdbc: boolean): number {
  const t = s.table;
  const base = start + schemeEnd;
  const li = s.addLayout();
  const L = s.layouts;
  const b = li * AUTH_INTS;
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
    L[b + A_USER] = decodedPieceId(s, text, start + schemeEnd, start + userEnd);
    L[b + A_USER + 1] = 0;
    L[b + A_USER + 2] = userEnd - schemeEnd;
    if (userEnd < at) {
      L[b + A_PASSWORD] = t.internId(decode(s, raw.slice(userEnd + 1, at)));
      L[b + A_PASSWORD + 1] = userEnd + 1 - schemeEnd;
      L[b + A_PASSWORD + 2] = at - schemeEnd;
    }
    hostStart = at + 1;
  }
  const h0 = t.nHosts;
  for (let h = hostStart; h <= authorityEnd;) {
    let comma = raw.indexOf(',', h);
    if (comma < 0 || comma > authorityEnd) comma = authorityEnd;
    addHost(s, text, raw, start, h, comma);
    h = comma + 1;
  }
  L[b + A_HOSTS] = h0;
  L[b + A_HOSTS + 1] = t.nHosts - h0;
  // Where the section's own hosts are, to shift them by when copied.
  L[b + A_BASE] = base;
  if (pathAt >= 0) {
    const db = decodedPieceId(s, text, start + pathAt + 1, start + sectionEnd);
    if (t.strings[db]) L[b + A_DATABASE] = db;
  }
  return li;
}

/** Gives string ci the user, password, hosts and database of an authority layout, its section starting at `base`. */
function copyAuthority(s: Scanner, ci: number, li: number, base: number): void {
  const t = s.table;
  const L = s.layouts;
  const b = li * AUTH_INTS;
  if (L[b + A_USER] >= 0) t.setUser(ci, L[b + A_USER], base + L[b + A_USER + 1], base + L[b + A_USER + 2]);
  if (L[b + A_PASSWORD] >= 0) {
    t.setPassword(ci, L[b + A_PASSWORD], base + L[b + A_PASSWORD + 1], base + L[b + A_PASSWORD + 2]);
    t.setUserinfoPassword(ci, base + L[b + A_PASSWORD + 1], base + L[b + A_PASSWORD + 2]);
  }
  const h0 = L[b + A_HOSTS];
  const hn = L[b + A_HOSTS + 1];
  const shift = base - L[b + A_BASE];
  // The first reading's hosts are this string's own; a copy adds them again, shifted.
  if (shift !== 0 || t.nHosts !== h0 + hn) {
    t.restartHosts(ci);
    for (let j = h0; j < h0 + hn; j++) t.addHost(t.hostNameId(j), t.port(j), t.hostStart(j) + shift, t.hostEnd(j) + shift);
  }
  t.endHosts(ci);
  if (L[b + A_DATABASE] >= 0) t.setDatabase(ci, L[b + A_DATABASE]);
}

/** Reads the query raw[qAt + 1, bodyLen) as string ci's parameters; false when a value's encoding is broken. */
function readQuery(s: Scanner, text: string, raw: string, start: number, ci: number, qAt: number, bodyLen: number): boolean {
  const t = s.table;
  let ok = true;
  for (let p = qAt + 1; p <= bodyLen;) {
    let amp = raw.indexOf('&', p);
    if (amp < 0 || amp > bodyLen) amp = bodyLen;
    if (amp > p) {
      let eq = raw.indexOf('=', p);
      if (eq >= amp) eq = -1;
      const keyEnd = eq >= 0 ? eq : amp;
      const valueStart = eq >= 0 ? eq + 1 : amp;
      s.valueError = undefined;
      const keyId = decodedPieceId(s, text, start + p, start + keyEnd);
      const valueId = eq >= 0 ? decodedPieceId(s, text, start + valueStart, start + amp) : t.internId('');
      if (s.valueError !== undefined) ok = false;
      t.addParam(ci, keyId, valueId, s.valueError, start + p, start + keyEnd, start + valueStart, start + amp);
    }
    p = amp + 1;
  }
  return ok;
}

/** Gives string ci copies of the n parameters from `from`, shifted by `shift`. */
function copyParams(t: ConnTable, ci: number, from: number, n: number, shift: number): void {
  for (let j = from; j < from + n; j++) {
    t.addParam(ci, t.keyId(j), t.valueId(j), undefined, t.paramStart(j) + shift, t.paramKeyEnd(j) + shift, t.paramValueStart(j) + shift, t.paramEnd(j) + shift);
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

/**
 * The URLs of the text, in order, into the scan's table: what a global
 * /\b(?:jdbc:)?postgres(?:ql)?:\/\/[^\s'"`<>\\]+/gi finds, found from the `://`s: the scheme before
 * one, the earliest start that has a word boundary, and at least one URL character after it.
 */
export function findUrls(s: Scanner, text: string): void {
  // URL characters: stop at white space, quotes, angle brackets and backslashes (JSON escapes).
  const bodyAt = /[^\s'"`<>\\]+/y;
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
    bodyAt.lastIndex = bodyStart;
    if (!bodyAt.test(text)) continue;
    const end = bodyAt.lastIndex;
    from = end;
    k = end - 1;
    // Trailing punctuation of prose ("see postgresql://host/db.") is not part of the URL.
    const trimmed = trimmedEnd(text, start, end);
    if (trimmed <= bodyStart) continue;
    parseUrl(s, text, start, text.slice(start, trimmed), bodyStart - start);
  }
}
