/** A PEM block: its label and DER bytes. */
export interface PemBlock {
  type: string;
  der: Buffer;
}

const BLOCK_RE = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/g;

/** Splits PEM text into blocks, as Go's pem.Decode loop does (text between blocks is ignored). */
export function splitPem(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  for (const m of text.matchAll(BLOCK_RE)) {
    // Skip PEM headers (Proc-Type etc.): the body starts after the first blank line if any.
    let body = m[2];
    if (/^[A-Za-z-]+:/.test(body)) body = body.replace(/^[\s\S]*?\r?\n\r?\n/, '');
    blocks.push({ type: m[1], der: Buffer.from(body.replace(/\s+/g, ''), 'base64') });
  }
  return blocks;
}

export function toPem(type: string, der: Buffer): string {
  const b64 = der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN ${type}-----\n${b64}\n-----END ${type}-----\n`;
}
