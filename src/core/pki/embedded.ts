/**
 * Certificates written inside other files: a PEM block (also indented in a YAML block scalar, or
 * with "\n" escapes in a JSON string), or a base64 value that decodes to PEM or DER, as in a
 * Kubernetes Secret's `data: {ca.crt: ...}`. Finds the one at a position, for hovers.
 */

export interface EmbeddedCert {
  /** Offsets of the block or the base64 value in the text. */
  start: number;
  end: number;
  /** The certificate file's bytes (PEM text or DER). */
  bytes: Buffer;
  encoding: 'pem' | 'base64';
  /** The name the text gives it: a Secret's data key ("tls.crt"), a JSON or YAML key. */
  name?: string;
}

/** How far a hover looks back for a BEGIN line and forward for its END (a bundle of a few certificates). */
export const PEM_REACH = 64 * 1024;
/** The shortest base64 worth decoding: a certificate's DER is several hundred bytes. */
const MIN_BASE64 = 200;
const BASE64_CHARS = /[A-Za-z0-9+/=]/;

/** The key a value is written under on its line: `ca.crt: `, `"tls.crt": "`, `CA_CERT=`. */
function keyBefore(text: string, start: number): string | undefined {
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  const before = text.slice(lineStart, start);
  const m = /["']?([\w.-]+)["']?\s*[:=]\s*[|>]?[-+]?\s*["']?$/.exec(before);
  if (m) return m[1];
  // A YAML block scalar: the key is on the line above ("ca.crt: |").
  const prevEnd = lineStart - 1;
  if (prevEnd <= 0) return undefined;
  const prev = text.slice(text.lastIndexOf('\n', prevEnd - 1) + 1, prevEnd);
  return /^\s*["']?([\w.-]+)["']?\s*:\s*[|>][-+]?\s*$/.exec(prev)?.[1];
}

/** PEM text as a loader reads it: the lines trimmed (YAML indentation), JSON's "\n" escapes undone. */
function normalisePem(block: string): string {
  return (
    block
      .replace(/\\r\\n|\\n/g, '\n')
      .split(/\r?\n/)
      .map((l) => l.trim())
      .join('\n') + '\n'
  );
}

function pemAt(text: string, offset: number): EmbeddedCert | undefined {
  const from = Math.max(0, offset - PEM_REACH);
  const begin = text.lastIndexOf('-----BEGIN CERTIFICATE-----', offset);
  if (begin < from) return undefined;
  const endMarker = '-----END CERTIFICATE-----';
  const end = text.indexOf(endMarker, begin);
  if (end < 0 || end + endMarker.length < offset || end - begin > PEM_REACH) return undefined;
  // A bundle: take the following blocks too when they follow directly.
  let last = end + endMarker.length;
  for (;;) {
    const next = /^(?:\s|\\n|\\r)*-----BEGIN CERTIFICATE-----/.exec(text.slice(last, last + 64));
    if (!next) break;
    const e = text.indexOf(endMarker, last);
    if (e < 0 || e - begin > PEM_REACH) break;
    last = e + endMarker.length;
  }
  return { start: begin, end: last, bytes: Buffer.from(normalisePem(text.slice(begin, last)), 'latin1'), encoding: 'pem', name: keyBefore(text, begin) };
}

function base64At(text: string, offset: number): EmbeddedCert | undefined {
  if (!BASE64_CHARS.test(text[offset] ?? '')) return undefined;
  let start = offset;
  let end = offset;
  while (start > 0 && BASE64_CHARS.test(text[start - 1]) && offset - start < PEM_REACH) start--;
  while (end < text.length && BASE64_CHARS.test(text[end]) && end - offset < PEM_REACH) end++;
  if (end - start < MIN_BASE64) return undefined;
  const value = text.slice(start, end);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value) || value.length % 4 !== 0) return undefined;
  const bytes = Buffer.from(value, 'base64');
  const isPem = bytes.subarray(0, 64).toString('latin1').includes('-----BEGIN CERTIFICATE-----');
  const isDer = bytes[0] === 0x30 && bytes[1] === 0x82;
  if (!isPem && !isDer) return undefined;
  return { start, end, bytes, encoding: 'base64', name: keyBefore(text, start) };
}

/** The certificate (or bundle) written at `offset` of `text`, if any. */
export function embeddedCertAt(text: string, offset: number): EmbeddedCert | undefined {
  return pemAt(text, offset) ?? base64At(text, offset);
}
