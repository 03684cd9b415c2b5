import { ClientContext, ConnString, Param, Span } from './types';

// URL characters: stop at white space, quotes, angle brackets and backslashes (JSON escapes).
const URL_RE = /\b(?:jdbc:)?postgres(?:ql)?:\/\/[^\s'"`<>\\]+/gi;
// A quoted value may lack its closing quote (to the end of the line): libpq rejects that, so it is reported, not skipped.
const KV_PAIR_RE = /([A-Za-z_][A-Za-z0-9_-]*)[ \t]*=[ \t]*('(?:[^'\\\n]|\\.)*'?|[^\s'"`;,()[\]{}]+)/g;
const KV_ANCHORS = new Set(['host', 'hostaddr', 'dbname']);
const CLI_BEFORE_RE = /\bcockroach\b[^\n]*--url(?:[ \t]*=[ \t]*|[ \t]+)["']?$/;

function decode(raw: string): { value: string; error?: string } {
  try {
    return { value: decodeURIComponent(raw) };
  } catch {
    return { value: raw, error: `"${raw}" has a broken percent-encoding (a % must be followed by two hex digits)` };
  }
}

/** Trailing punctuation of prose ("see postgresql://host/db.") is not part of the URL. */
function trimUrl(raw: string): string {
  let s = raw;
  for (;;) {
    const last = s[s.length - 1];
    if ('.,;:!?'.includes(last)) s = s.slice(0, -1);
    else if (last === ')' && (s.match(/\(/g)?.length ?? 0) < (s.match(/\)/g)?.length ?? 0)) s = s.slice(0, -1);
    else if (last === ']' && (s.match(/\[/g)?.length ?? 0) < (s.match(/\]/g)?.length ?? 0)) s = s.slice(0, -1);
    else if (last === '}' && (s.match(/\{/g)?.length ?? 0) < (s.match(/\}/g)?.length ?? 0)) s = s.slice(0, -1);
    else return s;
  }
}

function contextAt(text: string, offset: number): ClientContext {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  return CLI_BEFORE_RE.test(text.slice(lineStart, offset)) ? 'cockroach-cli' : 'generic';
}

function parseUrl(text: string, start: number, raw: string): ConnString {
  const jdbc = /^jdbc:/i.test(raw);
  const schemeEnd = raw.indexOf('://') + 3;
  const c: ConnString = {
    kind: jdbc ? 'jdbc' : 'url', context: contextAt(text, start), span: { start, end: start + raw.length }, raw,
    hosts: [], params: [], appendAt: start + raw.length, appendSeparator: '?',
  };
  const hashAt = raw.indexOf('#', schemeEnd);
  const body = hashAt >= 0 ? raw.slice(0, hashAt) : raw;
  if (hashAt >= 0) c.appendAt = start + hashAt;
  const qAt = body.indexOf('?', schemeEnd);
  const pathAt = body.indexOf('/', schemeEnd);
  const authorityEnd = [qAt, pathAt].filter((i) => i >= 0).reduce((a, b) => Math.min(a, b), body.length);
  const authority = body.slice(schemeEnd, authorityEnd);
  const at = authority.lastIndexOf('@');
  let hostPart = authority;
  let hostOffset = schemeEnd;
  if (at >= 0 && !jdbc) {
    const userinfo = authority.slice(0, at);
    const colon = userinfo.indexOf(':');
    const userRaw = colon >= 0 ? userinfo.slice(0, colon) : userinfo;
    c.user = decode(userRaw).value;
    c.userSpan = { start: start + schemeEnd, end: start + schemeEnd + userRaw.length };
    if (colon >= 0) {
      c.password = decode(userinfo.slice(colon + 1)).value;
      c.passwordSpan = { start: start + schemeEnd + colon + 1, end: start + schemeEnd + at };
      c.userinfoPasswordSpan = c.passwordSpan;
    }
    hostPart = authority.slice(at + 1);
    hostOffset = schemeEnd + at + 1;
  }
  let off = hostOffset;
  for (const h of hostPart.split(',')) {
    const m = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(h);
    const host = decode((m?.[1] ?? h).replace(/^\[|\]$/g, '')).value;
    if (host || m?.[2]) c.hosts.push({ host, port: m?.[2] ? Number(m[2]) : undefined, span: { start: start + off, end: start + off + h.length } });
    off += h.length + 1;
  }
  if (pathAt >= 0 && pathAt === authorityEnd) {
    const dbEnd = qAt >= 0 ? qAt : body.length;
    c.database = decode(body.slice(pathAt + 1, dbEnd)).value || undefined;
  }
  if (qAt >= 0) {
    c.appendSeparator = qAt === body.length - 1 ? '' : '&';
    let p = qAt + 1;
    for (const piece of body.slice(qAt + 1).split('&')) {
      if (piece.length > 0) {
        const eq = piece.indexOf('=');
        const keyRaw = eq >= 0 ? piece.slice(0, eq) : piece;
        const valueRaw = eq >= 0 ? piece.slice(eq + 1) : '';
        const k = decode(keyRaw);
        const v = decode(valueRaw);
        const param: Param = {
          key: k.value, value: v.value,
          span: { start: start + p, end: start + p + piece.length },
          keySpan: { start: start + p, end: start + p + keyRaw.length },
          valueSpan: { start: start + p + (eq >= 0 ? eq + 1 : piece.length), end: start + p + piece.length },
          decodeError: k.error ?? v.error,
        };
        c.params.push(param);
      }
      p += piece.length + 1;
    }
    if (body.endsWith('&')) c.appendSeparator = '';
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
  if (!raw.startsWith("'")) return { value: raw };
  if (raw.length < 2 || !raw.endsWith("'")) return { value: raw.slice(1), error: 'unterminated quoted string' };
  return { value: raw.slice(1, -1).replace(/\\(.)/g, '$1') };
}

function findKv(text: string, covered: Span[]): ConnString[] {
  const out: ConnString[] = [];
  let run: RegExpExecArray[] = [];
  const flush = () => {
    if (run.length >= 2 && run.some((m) => KV_ANCHORS.has(m[1]))) {
      const start = run[0].index;
      const last = run[run.length - 1];
      const end = last.index + last[0].length;
      const c: ConnString = {
        kind: 'kv', context: 'generic', span: { start, end }, raw: text.slice(start, end), hosts: [], params: [], appendAt: end, appendSeparator: ' ',
      };
      for (const m of run) {
        const keyStart = m.index;
        const valueStart = m.index + m[0].length - m[2].length;
        const v = unquoteKv(m[2]);
        c.params.push({
          key: m[1], value: v.value, decodeError: v.error,
          span: { start: keyStart, end: m.index + m[0].length }, keySpan: { start: keyStart, end: keyStart + m[1].length },
          valueSpan: { start: valueStart, end: m.index + m[0].length },
        });
      }
      const p = (k: string) => lastParam(c.params, k);
      for (const h of (p('host')?.value ?? p('hostaddr')?.value ?? '').split(',').filter(Boolean)) {
        const hp = p('host') ?? p('hostaddr');
        c.hosts.push({ host: h, port: p('port') ? Number(p('port')?.value) : undefined, span: hp ? hp.valueSpan : c.span });
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
      out.push(c);
    }
    run = [];
  };
  KV_PAIR_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
  // `covered` is sorted and pairs come in order: one pointer instead of a scan per pair.
  let ci = 0;
  while ((m = KV_PAIR_RE.exec(text)) !== null) {
    const s = m.index;
    const e = s + m[0].length;
    while (ci < covered.length && covered[ci].end <= s) ci++;
    if (ci < covered.length && covered[ci].start < e) {
      flush();
      continue;
    }
    const prev = run[run.length - 1];
    if (prev && !/^[ \t]+$/.test(text.slice(prev.index + prev[0].length, s))) flush();
    // A pair glued to a word (e.g. "xhost=") is not a libpq keyword.
    if (s > 0 && /[A-Za-z0-9_.\-/]/.test(text[s - 1])) {
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
  return [...urls, ...kv].sort((a, b) => a.span.start - b.span.start);
}
