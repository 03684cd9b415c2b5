import { ConnTable } from './table';

// The state of one scan of one document (findConnStrings makes one per call): the table the strings
// go to, what was worked out once per distinct piece of text, and the first broken value of a parameter.
// Fields of one object rather than module variables, so that two scans never share anything.

/** An authority layout's numbers (see Scanner.layouts). */
export const A_USER = 0;
export const A_PASSWORD = 3;
export const A_DATABASE = 6;
export const A_HOSTS = 7;
export const A_BASE = 9;
export const AUTH_INTS = 10;

/** Per string id of the table, INFO_INTS numbers (0 until worked out). */
const INFO_INTS = 7;
const I_DECODED = 0;
const I_QUERY = 1;
const I_QUERY_N = 2;
const I_AUTHORITY = 3;
const I_AUTHORITY_JDBC = 4;
const I_PAIR_KEY = 5;
const I_PAIR_VALUE = 6;

export class Scanner {
  readonly table: ConnTable;
  /** Set when a value's percent-encoding or quoting is broken (the first such); cleared before each parameter. */
  valueError: string | undefined = undefined;
  /**
   * The authority and path of the URLs read so far, by layout (AUTH_INTS numbers each: user id,
   * start, end; password id, start, end; database id; first host and how many; the section's start),
   * offsets relative to the section's start (-1 for none): a document repeats the same
   * user@host:port/db string after string.
   */
  layouts = new Int32Array(AUTH_INTS * 64);
  nLayouts = 0;
  /**
   * Per string id of the table (INFO_INTS numbers, 0 until worked out): what it percent-decodes to
   * (the id + 1, or -1 when broken); for a URL's query or authority, where to copy its parameters
   * or hosts from; for a key=value pair, its key and value.
   */
  private info = new Int32Array(INFO_INTS * 1024);

  constructor(text: string) {
    this.table = new ConnTable(text);
  }

  /** A new layout, all -1; returns its index. */
  addLayout(): number {
    const li = this.nLayouts++;
    if (this.nLayouts * AUTH_INTS > this.layouts.length) {
      const bigger = new Int32Array(this.layouts.length * 2);
      bigger.set(this.layouts);
      this.layouts = bigger;
    }
    this.layouts.fill(-1, li * AUTH_INTS, (li + 1) * AUTH_INTS);
    return li;
  }

  /** info, with room for string `id`. */
  private infoFor(id: number): Int32Array {
    if ((id + 1) * INFO_INTS > this.info.length) {
      const bigger = new Int32Array(Math.max(2 * this.info.length, (id + 1) * INFO_INTS));
      bigger.set(this.info);
      this.info = bigger;
    }
    return this.info;
  }

  private infoAt(id: number, slot: number): number {
    const at = INFO_INTS * id + slot;
    return at < this.info.length ? this.info[at] : 0;
  }

  private setInfo(id: number, slot: number, value: number): void {
    this.infoFor(id)[INFO_INTS * id + slot] = value;
  }

  /** What string id percent-decodes to: its id + 1, -1 when broken, 0 when not known yet. */
  decodedOf(id: number): number {
    return this.infoAt(id, I_DECODED);
  }

  setDecoded(id: number, decoded: number): void {
    this.setInfo(id, I_DECODED, decoded);
  }

  /** A URL query's first parameter + 1 (0 when not known, or it cannot be reused), and how many. */
  queryOf(id: number): number {
    return this.infoAt(id, I_QUERY);
  }

  queryCountOf(id: number): number {
    return this.infoAt(id, I_QUERY_N);
  }

  setQuery(id: number, first: number, n: number): void {
    this.setInfo(id, I_QUERY, first + 1);
    this.setInfo(id, I_QUERY_N, n);
  }

  /** A URL's authority and path (before the ?), in a postgres[ql]:// or a jdbc: URL: its layout + 1, or 0. */
  authorityOf(id: number, jdbc: boolean): number {
    return this.infoAt(id, jdbc ? I_AUTHORITY_JDBC : I_AUTHORITY);
  }

  setAuthority(id: number, jdbc: boolean, layout: number): void {
    this.setInfo(id, jdbc ? I_AUTHORITY_JDBC : I_AUTHORITY, layout + 1);
  }

  /** A key/value string's whole `key=value`: its key's and value's ids + 1, or 0. */
  pairKeyOf(id: number): number {
    return this.infoAt(id, I_PAIR_KEY);
  }

  pairValueOf(id: number): number {
    return this.infoAt(id, I_PAIR_VALUE);
  }

  setPair(id: number, key: number, value: number): void {
    this.setInfo(id, I_PAIR_KEY, key + 1);
    this.setInfo(id, I_PAIR_VALUE, value + 1);
  }
}

export const isBlank = (ch: number) => ch === 32 || ch === 9;
export const isDigit = (ch: number) => ch >= 48 && ch <= 57;
export const isKeyStart = (ch: number) => (ch >= 65 && ch <= 90) || (ch >= 97 && ch <= 122) || ch === 95;
export const isKeyChar = (ch: number) => isKeyStart(ch) || isDigit(ch) || ch === 45;
