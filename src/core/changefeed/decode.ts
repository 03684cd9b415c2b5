/**
 * A decoder that mirrors CockroachDB's: Go's url.ParseQuery (what url.URL.Query() runs) and
 * base64.StdEncoding.DecodeString, byte for byte, error for error. The builder's output is
 * proven against it, and the editor's diagnostics use it to say what the server would do.
 */

/** Go's url.EscapeError: `invalid URL escape "%ZZ"`. */
export class GoEscapeError extends Error {
  constructor(readonly escape: string) {
    super(`invalid URL escape ${goQuote(escape)}`);
    this.name = 'GoEscapeError';
  }
}

/** Go's base64.CorruptInputError: `illegal base64 data at input byte N`. */
export class GoBase64Error extends Error {
  constructor(readonly offset: number) {
    super(`illegal base64 data at input byte ${offset}`);
    this.name = 'GoBase64Error';
  }
}

/** Go's strconv.Quote for the ASCII we meet here (escape sequences are at most 3 bytes). */
function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/**
 * Go's url.QueryUnescape: `%XX` decoded, `+` becomes a space, a `%` not followed by two hex
 * digits is an error; other characters are their UTF-8 bytes. Returns the bytes.
 */
export function queryUnescape(s: string): Buffer {
  const out: number[] = [];
  for (let i = 0; i < s.length;) {
    const c = s.charCodeAt(i);
    if (c === 0x25) {
      if (i + 2 >= s.length || !isHex(s.charCodeAt(i + 1)) || !isHex(s.charCodeAt(i + 2))) throw new GoEscapeError(s.slice(i, i + 3));
      out.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 3;
    } else if (c < 0x80) {
      out.push(c === 0x2b ? 0x20 : c);
      i++;
    } else {
      // Text beyond ASCII: Go sees its UTF-8 bytes.
      const cp = s.codePointAt(i) as number;
      out.push(...Buffer.from(String.fromCodePoint(cp), 'utf8'));
      i += cp > 0xffff ? 2 : 1;
    }
  }
  return Buffer.from(out);
}

/** One `key=value` pair of a raw query, with where it sits in the query string. */
export interface QueryPair {
  /** Decoded key and value (value as bytes and as UTF-8 text); absent when decoding failed. */
  key?: string;
  value?: Buffer;
  text?: string;
  rawKey: string;
  rawValue: string;
  /** Offsets into the raw query: the whole pair, the key, the value (empty span after `=` or key). */
  start: number;
  end: number;
  keyEnd: number;
  valueStart: number;
  /** Why Go drops this pair (url.Query() ignores the error and the pair). */
  error?: string;
}

export interface ParsedQuery {
  pairs: QueryPair[];
  /** What url.ParseQuery would return as its error (the first one); url.Query() discards it. */
  error?: string;
}

/**
 * Go's url.ParseQuery: split on `&`; a pair holding `;` is dropped (Go ≥ 1.17); an empty pair is
 * skipped; key and value are QueryUnescape'd; a pair that fails to decode is dropped.
 * Offsets are into `raw` as a JavaScript string.
 */
export function parseQuery(raw: string): ParsedQuery {
  const pairs: QueryPair[] = [];
  let error: string | undefined;
  let pos = 0;
  while (pos <= raw.length && raw.length > 0) {
    const amp = raw.indexOf('&', pos);
    const end = amp < 0 ? raw.length : amp;
    const part = raw.slice(pos, end);
    if (part.includes(';')) {
      const eq = part.indexOf('=');
      const keyEnd = eq < 0 ? end : pos + eq;
      const msg = 'invalid semicolon separator in query';
      pairs.push({
        rawKey: raw.slice(pos, keyEnd),
        rawValue: eq < 0 ? '' : part.slice(eq + 1),
        start: pos,
        end,
        keyEnd,
        valueStart: eq < 0 ? end : keyEnd + 1,
        error: msg,
      });
      error ??= msg;
    } else if (part !== '') {
      const eq = part.indexOf('=');
      const keyEnd = eq < 0 ? end : pos + eq;
      const pair: QueryPair = {
        rawKey: raw.slice(pos, keyEnd),
        rawValue: eq < 0 ? '' : part.slice(eq + 1),
        start: pos,
        end,
        keyEnd,
        valueStart: eq < 0 ? end : keyEnd + 1,
      };
      try {
        pair.key = queryUnescape(pair.rawKey).toString('utf8');
        pair.value = queryUnescape(pair.rawValue);
        pair.text = pair.value.toString('utf8');
      } catch (err) {
        pair.key = undefined;
        pair.value = undefined;
        pair.error = (err as Error).message;
        error ??= pair.error;
      }
      pairs.push(pair);
    }
    if (amp < 0) break;
    pos = amp + 1;
  }
  return { pairs, error };
}

/** url.Values.Get: the first value for the key, as CockroachDB's consumeParam reads it. */
export function getParam(q: ParsedQuery, key: string): QueryPair | undefined {
  return q.pairs.find((p) => p.key === key && p.value !== undefined);
}

const STD_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DECODE_MAP = new Int16Array(256).fill(-1);
for (let i = 0; i < STD_ALPHABET.length; i++) DECODE_MAP[STD_ALPHABET.charCodeAt(i)] = i;

const isNewline = (c: number) => c === 0x0a || c === 0x0d;

/**
 * base64.StdEncoding.DecodeString, as Go implements it: standard alphabet only, `=` padding
 * required, `\r` and `\n` skipped anywhere, anything else (spaces, `-`, `_`) an error at its
 * byte offset. Like Go's non-strict decoder, non-zero trailing bits are accepted.
 */
export function decodeStdBase64(src: Buffer | string): Buffer {
  const s = typeof src === 'string' ? Buffer.from(src, 'latin1') : src;
  const out: number[] = [];
  let si = 0;
  while (si < s.length) {
    const dbuf = [0, 0, 0, 0];
    let dlen = 4;
    let j = 0;
    let trailing: number | undefined;
    for (; j < 4; j++) {
      if (si === s.length) {
        if (j === 0) return Buffer.from(out);
        // Padding is required (StdEncoding): a short final quantum is an error at its start.
        throw new GoBase64Error(si - j);
      }
      const c = s[si++];
      const v = DECODE_MAP[c];
      if (v >= 0) {
        dbuf[j] = v;
        continue;
      }
      if (isNewline(c)) {
        j--;
        continue;
      }
      if (c !== 0x3d) throw new GoBase64Error(si - 1);
      // Padding: the end of the data.
      if (j === 0 || j === 1) throw new GoBase64Error(si - 1);
      if (j === 2) {
        while (si < s.length && isNewline(s[si])) si++;
        if (si === s.length) throw new GoBase64Error(s.length);
        if (s[si] !== 0x3d) throw new GoBase64Error(si - 1);
        si++;
      }
      while (si < s.length && isNewline(s[si])) si++;
      if (si < s.length) trailing = si;
      dlen = j;
      break;
    }
    const val = (dbuf[0] << 18) | (dbuf[1] << 12) | (dbuf[2] << 6) | dbuf[3];
    const bytes = [(val >> 16) & 0xff, (val >> 8) & 0xff, val & 0xff];
    for (let k = 0; k < dlen - 1; k++) out.push(bytes[k]);
    if (trailing !== undefined) throw new GoBase64Error(trailing);
    if (dlen < 4) break;
  }
  return Buffer.from(out);
}

/** Go's strconv.ParseBool. */
export function parseGoBool(s: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false;
  return undefined;
}

export type DecodedParam = { ok: true; present: boolean; bytes: Buffer } | { ok: false; present: true; error: string };

/**
 * What CockroachDB's sinkURL.decodeBase64 does with one parameter: the first value (url.Query()),
 * empty or absent means "not set", otherwise StdEncoding or the error
 * `param <name> must be base 64 encoded: illegal base64 data at input byte N`.
 */
export function decodeParam(rawQuery: string, name: string): DecodedParam {
  const pair = getParam(parseQuery(rawQuery), name);
  if (!pair || !pair.value || pair.value.length === 0) return { ok: true, present: false, bytes: Buffer.alloc(0) };
  try {
    return { ok: true, present: true, bytes: decodeStdBase64(pair.value) };
  } catch (err) {
    return { ok: false, present: true, error: `param ${name} must be base 64 encoded: ${(err as Error).message}` };
  }
}

/** The raw query of a URI as Go's url.Parse splits it: after the first `?`, before the first `#`. */
export function rawQueryOf(uri: string): { query: string; offset: number } {
  const hash = uri.indexOf('#');
  const body = hash < 0 ? uri : uri.slice(0, hash);
  const q = body.indexOf('?');
  return q < 0 ? { query: '', offset: body.length } : { query: body.slice(q + 1), offset: q + 1 };
}
