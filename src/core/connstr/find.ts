import { ClientContext, ConnString, Param, Span } from './types';

// URL characters: stop at white space, quotes, angle brackets and backslashes (JSON escapes).
const URL_RE = /\b(?:jdbc:)?postgres(?:ql)?:\/\/[^\s'"`<>\\]+/gi;
// One key=value pair, tried at a known start (see nextPair). A quoted value may lack its closing
// quote (to the end of the line): libpq rejects that, so it is reported, not skipped.
const KV_PAIR_AT = /([A-Za-z_][A-Za-z0-9_-]*)[ \t]*=[ \t]*('(?:[^'\\\n]|\\.)*'?|[^\s'"`;,()[\]{}]+)/y;
const KV_ANCHORS = new Set(['host', 'hostaddr', 'dbname']);
/** libpq's connection keywords: a quoted value of one of these is a value, never a string of pairs. */
const LIBPQ_KEYWORDS = new Set(['host', 'hostaddr', 'port', 'dbname', 'user', 'password', 'passfile', 'require_auth', 'channel_binding', 'connect_timeout',
  'client_encoding', 'options', 'application_name', 'fallback_application_name', 'keepalives', 'keepalives_idle', 'keepalives_interval', 'keepalives_count',
  'tcp_user_timeout', 'replication', 'gssencmode', 'sslmode', 'requiressl', 'sslnegotiation', 'sslcompression', 'sslcert', 'sslkey', 'sslpassword', 'sslcertmode',
  'sslrootcert', 'sslcrl', 'sslcrldir', 'sslsni', 'requirepeer', 'ssl_min_protocol_version', 'ssl_max_protocol_version', 'krbsrvname', 'gsslib', 'gssdelegation',
  'service', 'target_session_attrs', 'load_balance_hosts']);
const QUOTED_PAIRS_RE = /^'[ \t]*[A-Za-z_][A-Za-z0-9_-]*[ \t]*=/;
const CLI_WORD_RE = /\bcockroach\b/;

const BROKEN = (raw: string) => `"${raw}" has a broken percent-encoding (a % must be followed by two hex digits)`;

function decode(raw: string): { value: string; error?: string } {
  if (!raw.includes('%')) return { value: raw };
  try {
    return { value: decodeURIComponent(raw) };
  } catch {
    return { value: raw, error: BROKEN(raw) };
  }
}

function count(s: string, ch: string): number {
  let n = 0;
  for (let i = s.indexOf(ch); i >= 0; i = s.indexOf(ch, i + 1)) n++;
  return n;
}

/** Trailing punctuation of prose ("see postgresql://host/db.") is not part of the URL. */
function trimUrl(raw: string): string {
  let s = raw;
  for (;;) {
    const last = s[s.length - 1];
    if ('.,;:!?'.includes(last)) s = s.slice(0, -1);
    else if (last === ')' && count(s, '(') < count(s, ')')) s = s.slice(0, -1);
    else if (last === ']' && count(s, '[') < count(s, ']')) s = s.slice(0, -1);
    else if (last === '}' && count(s, '{') < count(s, '}')) s = s.slice(0, -1);
    else return s;
  }
}

const isBlank = (ch: number) => ch === 32 || ch === 9;

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
  if (i < 5 || text.slice(i - 5, i) !== '--url') return 'generic';
  const lineStart = text.lastIndexOf('\n', i - 6) + 1;
  if (lineStart > i - 5) return 'generic';
  return CLI_WORD_RE.test(text.slice(lineStart, i - 5)) ? 'cockroach-cli' : 'generic';
}

function span(start: number, end: number): Span {
  return { start, end };
}

/**
 * Every string and every parameter is built with all its fields, in one order: the rules then read
 * objects of a single shape (a handful of shapes would make every property access slow).
 */
function newConn(kind: ConnString['kind'], context: ClientContext, sp: Span, raw: string, appendAt: number, appendSeparator: string): ConnString {
  return {
    kind, context, span: sp, raw, user: undefined, userSpan: undefined, password: undefined, passwordSpan: undefined, userinfoPasswordSpan: undefined,
    hosts: [], database: undefined, params: [], appendAt, appendSeparator,
  };
}

function newParam(key: string, value: string, sp: Span, keySpan: Span, valueSpan: Span, decodeError: string | undefined): Param {
  return { key, value, span: sp, keySpan, valueSpan, decodeError };
}

function parseUrl(text: string, start: number, raw: string): ConnString {
  const jdbc = raw.charCodeAt(0) === 106 || raw.charCodeAt(0) === 74; // j, J: the regex only lets jdbc: start with a j
  const schemeEnd = raw.indexOf('://') + 3;
  const end = start + raw.length;
  const c = newConn(jdbc ? 'jdbc' : 'url', contextAt(text, start), span(start, end), raw, end, '?');
  const hashAt = raw.indexOf('#', schemeEnd);
  const bodyLen = hashAt >= 0 ? hashAt : raw.length;
  if (hashAt >= 0) c.appendAt = start + hashAt;
  let qAt = raw.indexOf('?', schemeEnd);
  if (qAt >= bodyLen) qAt = -1;
  let pathAt = raw.indexOf('/', schemeEnd);
  if (pathAt >= bodyLen) pathAt = -1;
  let authorityEnd = bodyLen;
  if (qAt >= 0 && qAt < authorityEnd) authorityEnd = qAt;
  if (pathAt >= 0 && pathAt < authorityEnd) authorityEnd = pathAt;
  const at = raw.lastIndexOf('@', authorityEnd - 1);
  let hostStart = schemeEnd;
  if (at >= schemeEnd && !jdbc) {
    const colon = raw.indexOf(':', schemeEnd);
    const userEnd = colon >= 0 && colon < at ? colon : at;
    c.user = decode(raw.slice(schemeEnd, userEnd)).value;
    c.userSpan = span(start + schemeEnd, start + userEnd);
    if (userEnd < at) {
      c.password = decode(raw.slice(userEnd + 1, at)).value;
      c.passwordSpan = span(start + userEnd + 1, start + at);
      c.userinfoPasswordSpan = c.passwordSpan;
    }
    hostStart = at + 1;
  }
  for (let h = hostStart; h <= authorityEnd;) {
    let comma = raw.indexOf(',', h);
    if (comma < 0 || comma > authorityEnd) comma = authorityEnd;
    const piece = raw.slice(h, comma);
    const m = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(piece);
    let name = m ? m[1] : piece;
    if (name.startsWith('[') || name.endsWith(']')) name = name.replace(/^\[|\]$/g, '');
    const host = decode(name).value;
    if (host || m?.[2]) c.hosts.push({ host, port: m?.[2] ? Number(m[2]) : undefined, span: span(start + h, start + comma) });
    h = comma + 1;
  }
  if (pathAt >= 0 && pathAt === authorityEnd) {
    const dbEnd = qAt >= 0 ? qAt : bodyLen;
    c.database = decode(raw.slice(pathAt + 1, dbEnd)).value || undefined;
  }
  if (qAt >= 0) {
    c.appendSeparator = qAt === bodyLen - 1 || raw.charCodeAt(bodyLen - 1) === 38 /* & */ ? '' : '&';
    for (let p = qAt + 1; p <= bodyLen;) {
      let amp = raw.indexOf('&', p);
      if (amp < 0 || amp > bodyLen) amp = bodyLen;
      if (amp > p) {
        let eq = raw.indexOf('=', p);
        if (eq >= amp) eq = -1;
        const keyEnd = eq >= 0 ? eq : amp;
        const k = decode(raw.slice(p, keyEnd));
        const v = eq >= 0 ? decode(raw.slice(eq + 1, amp)) : { value: '' };
        c.params.push(newParam(k.value, v.value, span(start + p, start + amp), span(start + p, start + keyEnd),
          span(start + (eq >= 0 ? eq + 1 : amp), start + amp), k.error ?? v.error));
      }
      p = amp + 1;
    }
  }
  // Query parameters override the userinfo in libpq URLs, and are the only place for them in JDBC URLs.
  const u = lastParam(c.params, 'user');
  if (u) {
    c.user = u.value;
    c.userSpan = u.valueSpan;
  }
  const pw = lastParam(c.params, 'password');
  if (pw) {
    c.password = pw.value;
    c.passwordSpan = pw.valueSpan;
  }
  return c;
}

function lastParam(params: Param[], key: string): Param | undefined {
  for (let i = params.length - 1; i >= 0; i--) if (params[i].key === key) return params[i];
  return undefined;
}

/** libpq's key/value unquoting: 'single quotes', with \' and \\ escapes. */
function unquoteKv(raw: string): { value: string; error?: string } {
  if (raw.charCodeAt(0) !== 39) return { value: raw };
  let value = '';
  for (let i = 1; i < raw.length; i++) {
    const ch = raw[i];
    if (ch === "'") return { value };
    if (ch === '\\' && i + 1 < raw.length) value += raw[++i];
    else value += ch;
  }
  return { value, error: 'unterminated quoted string' };
}

const isKeyStart = (ch: number) => (ch >= 65 && ch <= 90) || (ch >= 97 && ch <= 122) || ch === 95;
const isKeyChar = (ch: number) => isKeyStart(ch) || (ch >= 48 && ch <= 57) || ch === 45;
/** A word, a dot, a dash or a slash: what makes "xhost=" or "a.host=" not a libpq keyword. */
const isGlue = (ch: number) => isKeyChar(ch) || ch === 46 || ch === 47;

/**
 * The first key=value pair at or after `from`: what a global /key=value/ regex's exec would return
 * from lastIndex `from`, found from the `=` signs instead of trying every word of the text.
 * Every pair has an `=`; the key is the run of key characters just before it (and its blanks),
 * starting at the first letter or underscore of that run. (Exported for the equivalence test.)
 */
export function nextPair(text: string, from: number): RegExpExecArray | null {
  for (let eq = text.indexOf('=', from); eq >= 0; eq = text.indexOf('=', eq + 1)) {
    let keyEnd = eq;
    while (keyEnd > from && isBlank(text.charCodeAt(keyEnd - 1))) keyEnd--;
    let keyStart = keyEnd;
    while (keyStart > from && isKeyChar(text.charCodeAt(keyStart - 1))) keyStart--;
    while (keyStart < keyEnd && !isKeyStart(text.charCodeAt(keyStart))) keyStart++;
    if (keyStart === keyEnd) continue;
    KV_PAIR_AT.lastIndex = keyStart;
    const m = KV_PAIR_AT.exec(text);
    if (m) return m;
  }
  return null;
}

function kvConn(text: string, run: RegExpExecArray[]): ConnString {
  const start = run[0].index;
  const last = run[run.length - 1];
  const end = last.index + last[0].length;
  const c = newConn('kv', 'generic', span(start, end), text.slice(start, end), end, ' ');
  for (const m of run) {
    const keyStart = m.index;
    const pairEnd = m.index + m[0].length;
    const v = unquoteKv(m[2]);
    c.params.push(newParam(m[1], v.value, span(keyStart, pairEnd), span(keyStart, keyStart + m[1].length), span(pairEnd - m[2].length, pairEnd), v.error));
  }
  const p = (k: string) => lastParam(c.params, k);
  const hp = p('host') ?? p('hostaddr');
  const port = p('port');
  for (const h of (p('host')?.value ?? p('hostaddr')?.value ?? '').split(',').filter(Boolean)) {
    c.hosts.push({ host: h, port: port ? Number(port.value) : undefined, span: hp ? hp.valueSpan : c.span });
  }
  const user = p('user');
  if (user) {
    c.user = user.value;
    c.userSpan = user.valueSpan;
  }
  const pw = p('password');
  if (pw) {
    c.password = pw.value;
    c.passwordSpan = pw.valueSpan;
  }
  c.database = p('dbname')?.value;
  return c;
}

/** libpq key=value strings: runs of at least two pairs, blank-separated, with host, hostaddr or dbname among them. */
function findKv(text: string, covered: Span[]): ConnString[] {
  const out: ConnString[] = [];
  let run: RegExpExecArray[] = [];
  const flush = () => {
    if (run.length >= 2 && run.some((m) => KV_ANCHORS.has(m[1]))) out.push(kvConn(text, run));
    if (run.length) run = [];
  };
  // `covered` is sorted and pairs come in order: one pointer instead of a scan per pair.
  let ci = 0;
  let m: RegExpExecArray | null;
  for (let from = 0; (m = nextPair(text, from)) !== null;) {
    const s = m.index;
    const e = s + m[0].length;
    from = e;
    // PGDSN='host=db sslmode=...' (shell, .env): the quotes hold the string; look inside them.
    if (m[2].charCodeAt(0) === 39 && !LIBPQ_KEYWORDS.has(m[1]) && QUOTED_PAIRS_RE.test(m[2])) {
      flush();
      from = e - m[2].length + 1;
      continue;
    }
    while (ci < covered.length && covered[ci].end <= s) ci++;
    if (ci < covered.length && covered[ci].start < e) {
      flush();
      continue;
    }
    const prev = run[run.length - 1];
    if (prev) {
      let i = prev.index + prev[0].length;
      while (i < s && isBlank(text.charCodeAt(i))) i++;
      if (i !== s || s === prev.index + prev[0].length) flush();
    }
    // A pair glued to a word (e.g. "xhost=") is not a libpq keyword.
    if (s > 0 && isGlue(text.charCodeAt(s - 1))) {
      flush();
      continue;
    }
    run.push(m);
  }
  flush();
  return out;
}

/** Every connection string in the text: postgres[ql]:// and jdbc:postgresql:// URLs, and libpq key=value strings. */
export function findConnStrings(text: string): ConnString[] {
  const urls: ConnString[] = [];
  URL_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = URL_RE.exec(text)) !== null) {
    const raw = trimUrl(m[0]);
    if (raw.length <= raw.indexOf('://') + 3) continue;
    urls.push(parseUrl(text, m.index, raw));
  }
  const kv = findKv(text, urls.map((u) => u.span));
  if (kv.length === 0) return urls;
  if (urls.length === 0) return kv;
  // Both lists are in text order: merge them.
  const all: ConnString[] = [];
  let i = 0;
  let j = 0;
  while (i < urls.length || j < kv.length) {
    if (j >= kv.length || (i < urls.length && urls[i].span.start <= kv[j].span.start)) all.push(urls[i++]);
    else all.push(kv[j++]);
  }
  return all;
}
