/**
 * Encodes query values so that CockroachDB decodes them to the exact bytes: Go's url.Query()
 * turns `+` into a space and `%XX` into a byte, so everything but the unreserved characters
 * (RFC 3986: A-Z a-z 0-9 - . _ ~) is percent-encoded, `+` `/` `=` included.
 */

const UNRESERVED = /[A-Za-z0-9\-._~]/;

/** Percent-encodes the UTF-8 bytes of a string (or raw bytes) for a query key or value. */
export function encodeQueryValue(value: string | Buffer): string {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  let out = '';
  for (const b of bytes) {
    const ch = String.fromCharCode(b);
    out += b < 0x80 && UNRESERVED.test(ch) ? ch : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** A file's bytes as CockroachDB reads `ca_cert`, `client_cert`, `client_key`: standard base64 with padding, percent-encoded. */
export function encodeFileParam(bytes: Buffer): string {
  return encodeQueryValue(bytes.toString('base64'));
}

/** `k1=v1&k2=v2`, every key and value percent-encoded. */
export function encodeQuery(pairs: ReadonlyArray<readonly [string, string | Buffer]>): string {
  return pairs.map(([k, v]) => `${encodeQueryValue(k)}=${encodeQueryValue(v)}`).join('&');
}

/** Percent-encodes a URL path, keeping `/` and the characters a path may hold unescaped. */
export function encodePath(path: string): string {
  let out = '';
  for (const b of Buffer.from(path, 'utf8')) {
    const ch = String.fromCharCode(b);
    out += b < 0x80 && /[A-Za-z0-9\-._~/!$&()*,;=:@]/.test(ch) ? ch : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
