/**
 * PEM as CockroachDB reads it: a port of Go's encoding/pem.Decode, so that we accept exactly the
 * blocks cockroach accepts. Go is looser than OpenSSL in places (headers, blank lines in the
 * base64); `opensslPemProblems` says when a file cockroach loads would trip an OpenSSL-based client.
 */

/** A PEM block: its label, DER bytes, and headers ("Proc-Type: ..."), if any. */
export interface PemBlock {
  type: string;
  der: Buffer;
  headers?: Record<string, string>;
}

const PEM_START = '\n-----BEGIN ';
const PEM_END = '\n-----END ';
const PEM_EOL = '-----';
const BASE64_RE = /^[A-Za-z0-9+/]*={0,2}$/;

/** Go's getLine: the line up to "\n" without trailing " \t\r", and the index after the newline. */
function getLine(s: string, from: number): [string, number] {
  const nl = s.indexOf('\n', from);
  const end = nl < 0 ? s.length : nl;
  const next = nl < 0 ? s.length : nl + 1;
  return [s.slice(from, end).replace(/[ \t\r]+$/, ''), next];
}

/** Go's base64.StdEncoding.Decode on the body after removeSpacesAndTabs: CR and LF are skipped, anything else must be base64 with correct padding. */
function goBase64(body: string): Buffer | undefined {
  const compact = body.replace(/[ \t]/g, '').replace(/[\r\n]/g, '');
  if (compact.length % 4 !== 0 || !BASE64_RE.test(compact)) return undefined;
  return Buffer.from(compact, 'base64');
}

/** One pem.Decode step from `at`: the block and where the rest starts, or undefined when no more blocks. */
function decodeAt(s: string, at: number): { block: PemBlock; rest: number } | undefined {
  let rest = at;
  for (;;) {
    if (s.startsWith(PEM_START.slice(1), rest)) rest += PEM_START.length - 1;
    else {
      const i = s.indexOf(PEM_START, rest);
      if (i < 0) return undefined;
      rest = i + PEM_START.length;
    }
    let typeLine: string;
    [typeLine, rest] = getLine(s, rest);
    if (!typeLine.endsWith(PEM_EOL)) continue;
    const type = typeLine.slice(0, -PEM_EOL.length);
    const headers: Record<string, string> = {};
    let nHeaders = 0;
    for (;;) {
      if (rest >= s.length) return undefined;
      const [line, next] = getLine(s, rest);
      const colon = line.indexOf(':');
      if (colon < 0) break;
      headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
      nHeaders++;
      rest = next;
    }
    let endIndex: number;
    let endTrailer: number;
    if (nHeaders === 0 && s.startsWith(PEM_END.slice(1), rest)) {
      endIndex = rest;
      endTrailer = rest + PEM_END.length - 1;
    } else {
      endIndex = s.indexOf(PEM_END, rest);
      endTrailer = endIndex + PEM_END.length;
    }
    if (endIndex < 0) continue;
    const trailerLen = type.length + PEM_EOL.length;
    if (s.length - endTrailer < trailerLen) continue;
    const trailer = s.slice(endTrailer, endTrailer + trailerLen);
    if (!trailer.startsWith(type) || !trailer.endsWith(PEM_EOL)) continue;
    // The END line must end with only whitespace.
    if (getLine(s, endTrailer + trailerLen)[0].length !== 0) continue;
    const der = goBase64(s.slice(rest, endIndex));
    if (!der) continue;
    const after = getLine(s, endIndex + PEM_END.length - 1)[1];
    return { block: { type, der, ...(nHeaders ? { headers } : {}) }, rest: after };
  }
}

/** Every block of PEM text, as Go's pem.Decode loop finds them (text between blocks is ignored; a malformed block is skipped). */
export function splitPem(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  let at = 0;
  for (let r = decodeAt(text, at); r; r = decodeAt(text, at)) {
    blocks.push(r.block);
    if (r.rest <= at) break;
    at = r.rest;
  }
  return blocks;
}

/**
 * Why OpenSSL (libpq, psql, most drivers) would not load PEM text that Go reads, or read it
 * differently; empty when both agree. OpenSSL wants "-----BEGIN" at the start of a line, no headers
 * on certificates or plain keys, no blank line inside the base64, and only base64 in the body.
 */
export function opensslPemProblems(text: string): string[] {
  const problems: string[] = [];
  const blockRe = /-----BEGIN ([^\n-]*)-----([\s\S]*?)-----END \1-----/g;
  for (const m of text.matchAll(blockRe)) {
    const body = m[2];
    if (/^\r?\n?[A-Za-z-]+:/.test(body) && !/ENCRYPTED/.test(m[1]))
      problems.push(`a ${m[1]} block has a PEM header (${/([A-Za-z-]+):/.exec(body)?.[1]}), which OpenSSL does not accept there`);
    if (/\n[ \t]*\r?\n[ \t]*[A-Za-z0-9+/]/.test(body.replace(/^[\s\S]*?:[^\n]*\n(?=\r?\n)/, '')))
      problems.push(`a ${m[1]} block has a blank line inside its base64`);
    if (/[^A-Za-z0-9+/=\s:,-]/.test(body)) problems.push(`a ${m[1]} block has bytes that are not base64 (for example a NUL byte)`);
  }
  if (/-----END [^\n-]*-----[ \t]*-----BEGIN /.test(text)) problems.push('two PEM blocks are on one line (no newline after -----END ...-----)');
  return [...new Set(problems)];
}

/** The sentence for one of opensslPemProblems' findings in `file`, with the fix. */
export function opensslTrip(file: string, problem: string): string {
  return (
    `${file}: ${problem}. CockroachDB (Go) reads it, but psql, libpq and other OpenSSL-based clients may not: ` +
    'rewrite it as plain PEM (each block on its own lines, no headers, only base64 between BEGIN and END).'
  );
}

export function toPem(type: string, der: Buffer): string {
  const b64 = der
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '');
  return `-----BEGIN ${type}-----\n${b64}\n-----END ${type}-----\n`;
}
