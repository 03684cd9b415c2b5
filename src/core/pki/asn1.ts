/**
 * A strict DER reader: TLV elements, tags, lengths and the primitive values X.509 uses
 * (INTEGER, BOOLEAN, BIT STRING, OBJECT IDENTIFIER, the string and time types).
 * Every read is bounds-checked: truncated or malformed input throws a DerError, never reads past the end.
 */

export class DerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DerError';
  }
}

export type TagClass = 'universal' | 'application' | 'context' | 'private';

/** One TLV element. `value` and `raw` are views into the buffer it was read from. */
export interface Tlv {
  cls: TagClass;
  constructed: boolean;
  tag: number;
  /** Offset of the first header byte in the buffer it was read from. */
  offset: number;
  headerLength: number;
  value: Buffer;
  /** Header and content. */
  raw: Buffer;
}

export const TAG = {
  BOOLEAN: 1,
  INTEGER: 2,
  BIT_STRING: 3,
  OCTET_STRING: 4,
  NULL: 5,
  OID: 6,
  UTF8_STRING: 12,
  SEQUENCE: 16,
  SET: 17,
  NUMERIC_STRING: 18,
  PRINTABLE_STRING: 19,
  T61_STRING: 20,
  IA5_STRING: 22,
  UTC_TIME: 23,
  GENERALIZED_TIME: 24,
  VISIBLE_STRING: 26,
  UNIVERSAL_STRING: 28,
  BMP_STRING: 30,
} as const;

const CLASSES: TagClass[] = ['universal', 'application', 'context', 'private'];

/** Reads the TLV at `offset`; definite lengths only (DER), long form up to 4 length bytes. */
export function readTlv(buf: Buffer, offset = 0): Tlv {
  let p = offset;
  const need = (n: number, what: string): void => {
    if (p + n > buf.length) throw new DerError(`truncated DER: ${what} at offset ${p} needs ${n} byte(s), ${Math.max(0, buf.length - p)} left`);
  };
  need(1, 'tag');
  const b0 = buf[p++];
  const cls = CLASSES[b0 >> 6];
  const constructed = (b0 & 0x20) !== 0;
  let tag = b0 & 0x1f;
  if (tag === 0x1f) {
    tag = 0;
    for (let i = 0; ; i++) {
      need(1, 'tag number');
      const b = buf[p++];
      if (i === 0 && b === 0x80) throw new DerError(`bad DER: tag number at offset ${p - 1} has a leading zero`);
      if (i === 4) throw new DerError(`bad DER: tag number at offset ${offset} is too large`);
      tag = tag * 128 + (b & 0x7f);
      if ((b & 0x80) === 0) break;
    }
    if (tag < 0x1f) throw new DerError(`bad DER: tag number ${tag} at offset ${offset} must use the short form`);
  }
  need(1, 'length');
  const l0 = buf[p++];
  let length = l0;
  if (l0 === 0x80) throw new DerError(`bad DER: indefinite length at offset ${p - 1} (BER only)`);
  if (l0 > 0x80) {
    const n = l0 & 0x7f;
    if (n > 4) throw new DerError(`bad DER: length of ${n} bytes at offset ${p - 1} is too large`);
    need(n, 'length');
    if (buf[p] === 0) throw new DerError(`bad DER: length at offset ${p - 1} has a leading zero`);
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + buf[p++];
    if (length < 0x80) throw new DerError(`bad DER: length ${length} at offset ${offset} must use the short form`);
  }
  need(length, 'content');
  return {
    cls,
    constructed,
    tag,
    offset,
    headerLength: p - offset,
    value: buf.subarray(p, p + length),
    raw: buf.subarray(offset, p + length),
  };
}

/** Reads exactly one element that fills the whole buffer. */
export function readDer(buf: Buffer): Tlv {
  const t = readTlv(buf, 0);
  if (t.raw.length !== buf.length) throw new DerError(`bad DER: ${buf.length - t.raw.length} byte(s) after the end of the element`);
  return t;
}

/** The elements inside a constructed element. */
export function childrenOf(t: Tlv): Tlv[] {
  if (!t.constructed) throw new DerError(`bad DER: ${describeTag(t)} at offset ${t.offset} is primitive, not constructed`);
  const out: Tlv[] = [];
  for (let off = 0; off < t.value.length;) {
    const c = readTlv(t.value, off);
    out.push(c);
    off += c.raw.length;
  }
  return out;
}

export function describeTag(t: Pick<Tlv, 'cls' | 'tag'>): string {
  if (t.cls === 'context') return `[${t.tag}]`;
  const name = Object.entries(TAG).find(([, v]) => v === t.tag)?.[0];
  return t.cls === 'universal' && name ? name : `${t.cls} tag ${t.tag}`;
}

/** Checks class, tag and form (SEQUENCE and SET are constructed; the other universal types primitive). */
export function expectTag(t: Tlv | undefined, tag: number, what: string, cls: TagClass = 'universal'): Tlv {
  if (!t) throw new DerError(`bad DER: ${what} is missing`);
  if (t.cls !== cls || t.tag !== tag) throw new DerError(`bad DER: ${what} should be ${describeTag({ cls, tag })}, found ${describeTag(t)}`);
  if (cls === 'universal') {
    const shouldConstruct = tag === TAG.SEQUENCE || tag === TAG.SET;
    if (t.constructed !== shouldConstruct) throw new DerError(`bad DER: ${what} (${describeTag(t)}) must be ${shouldConstruct ? 'constructed' : 'primitive'}`);
  }
  return t;
}

// ---- primitive values

export function decodeOid(value: Buffer): string {
  if (value.length === 0) throw new DerError('bad DER: empty OBJECT IDENTIFIER');
  if (value[value.length - 1] & 0x80) throw new DerError('truncated DER: OBJECT IDENTIFIER ends inside a sub-identifier');
  const arcs: bigint[] = [];
  let cur = 0n;
  let start = true;
  for (const b of value) {
    if (start && b === 0x80) throw new DerError('bad DER: OBJECT IDENTIFIER sub-identifier has a leading zero');
    cur = (cur << 7n) | BigInt(b & 0x7f);
    start = (b & 0x80) === 0;
    if (start) {
      arcs.push(cur);
      cur = 0n;
    }
  }
  const first = arcs[0] < 40n ? 0n : arcs[0] < 80n ? 1n : 2n;
  return [first, arcs[0] - first * 40n, ...arcs.slice(1)].join('.');
}

/** The two's complement content of a minimal INTEGER, as lowercase hex. */
export function integerHex(t: Tlv): string {
  const v = expectTag(t, TAG.INTEGER, 'INTEGER').value;
  if (v.length === 0) throw new DerError('bad DER: empty INTEGER');
  if (v.length > 1 && ((v[0] === 0 && v[1] < 0x80) || (v[0] === 0xff && v[1] >= 0x80))) throw new DerError('bad DER: INTEGER is not minimally encoded');
  return v.toString('hex');
}

export function integerValue(t: Tlv): bigint {
  const hex = integerHex(t);
  const n = BigInt('0x' + hex);
  return parseInt(hex[0], 16) >= 8 ? n - (1n << BigInt(hex.length * 4)) : n;
}

export function integerNumber(t: Tlv): number {
  const n = integerValue(t);
  if (n > BigInt(Number.MAX_SAFE_INTEGER) || n < -BigInt(Number.MAX_SAFE_INTEGER)) throw new DerError(`INTEGER ${n} is too large here`);
  return Number(n);
}

export function decodeBoolean(t: Tlv): boolean {
  const v = expectTag(t, TAG.BOOLEAN, 'BOOLEAN').value;
  if (v.length !== 1 || (v[0] !== 0 && v[0] !== 0xff)) throw new DerError('bad DER: BOOLEAN must be one byte, 00 or FF');
  return v[0] === 0xff;
}

export interface BitString {
  unusedBits: number;
  bytes: Buffer;
}

export function decodeBitString(t: Tlv): BitString {
  const v = expectTag(t, TAG.BIT_STRING, 'BIT STRING').value;
  if (v.length === 0) throw new DerError('truncated DER: BIT STRING has no unused-bits byte');
  const unusedBits = v[0];
  if (unusedBits > 7 || (v.length === 1 && unusedBits !== 0)) throw new DerError(`bad DER: BIT STRING with ${unusedBits} unused bits`);
  const bytes = v.subarray(1);
  if (unusedBits > 0 && (bytes[bytes.length - 1] & ((1 << unusedBits) - 1)) !== 0) throw new DerError('bad DER: BIT STRING unused bits are not zero');
  return { unusedBits, bytes };
}

/** Bit `i` counted from the most significant bit of the first byte, as named bit lists number them. */
export function bitIsSet(bs: BitString, i: number): boolean {
  const byte = bs.bytes[i >> 3];
  return byte !== undefined && (byte & (0x80 >> (i & 7))) !== 0 && i < bs.bytes.length * 8 - bs.unusedBits;
}

const UTC_RE = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/;
const GEN_RE = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.(\d*[1-9]))?Z$/;

/** UTCTime (YY < 50 means 20YY, RFC 5280) or GeneralizedTime, both in UTC ("Z") as DER requires. */
export function decodeTime(t: Tlv): Date {
  if (t.cls !== 'universal' || (t.tag !== TAG.UTC_TIME && t.tag !== TAG.GENERALIZED_TIME) || t.constructed) {
    throw new DerError(`bad DER: a time should be UTCTime or GeneralizedTime, found ${describeTag(t)}`);
  }
  const s = t.value.toString('latin1');
  const m = (t.tag === TAG.UTC_TIME ? UTC_RE : GEN_RE).exec(s);
  if (!m) throw new DerError(`bad DER: time ${JSON.stringify(s)} is not in the DER form (…Z)`);
  let year = Number(m[1]);
  if (t.tag === TAG.UTC_TIME) year += year < 50 ? 2000 : 1900;
  const [mon, day, h, min, sec] = [m[2], m[3], m[4], m[5], m[6]].map(Number);
  const ms = m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0;
  const d = new Date(Date.UTC(year, mon - 1, day, h, min, sec, ms));
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== mon - 1 || d.getUTCDate() !== day || h > 23 || min > 59 || sec > 59) {
    throw new DerError(`bad DER: time ${JSON.stringify(s)} is not a valid date`);
  }
  return d;
}

/** The directory string types found in names; T61 is read as Latin-1 as OpenSSL does. */
export function decodeString(t: Tlv): string {
  if (t.cls !== 'universal' || t.constructed) throw new DerError(`bad DER: expected a string, found ${describeTag(t)}`);
  const v = t.value;
  switch (t.tag) {
    case TAG.UTF8_STRING:
      return v.toString('utf8');
    case TAG.PRINTABLE_STRING:
    case TAG.IA5_STRING:
    case TAG.NUMERIC_STRING:
    case TAG.VISIBLE_STRING:
    case TAG.T61_STRING:
      return v.toString('latin1');
    case TAG.BMP_STRING:
      if (v.length % 2) throw new DerError('bad DER: BMPString has an odd length');
      return Buffer.from(v).swap16().toString('utf16le');
    case TAG.UNIVERSAL_STRING: {
      if (v.length % 4) throw new DerError('bad DER: UniversalString length is not a multiple of 4');
      let s = '';
      for (let i = 0; i < v.length; i += 4) s += String.fromCodePoint(v.readUInt32BE(i));
      return s;
    }
    default:
      throw new DerError(`bad DER: ${describeTag(t)} is not a string type`);
  }
}

/** Uppercase colon hex, as openssl prints key identifiers and fingerprints. */
export function colonHex(bytes: Buffer, upper = true): string {
  const hex = bytes.toString('hex');
  return (upper ? hex.toUpperCase() : hex).replace(/(..)(?!$)/g, '$1:');
}
