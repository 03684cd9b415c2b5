import { ClientContext, ConnKind, ConnString, Param, Span } from './types';
import { ConnTable, PS_ALL, PS_KEY, PS_VALUE } from './table';

// The objects a front end reads (ConnString, its params and hosts), made on demand from a ConnTable.

/** A parameter as the front ends read it; its spans are made on demand. */
class ParamAt implements Param {
  readonly key: string;
  readonly value: string;
  readonly decodeError: string | undefined;
  readonly #t: ConnTable;
  readonly #j: number;
  constructor(t: ConnTable, j: number) {
    this.key = t.key(j);
    this.value = t.value(j);
    this.decodeError = t.errors.get(j);
    this.#t = t;
    this.#j = j;
  }

  get span(): Span {
    return this.#t.paramSpan(this.#j, PS_ALL);
  }

  get keySpan(): Span {
    return this.#t.paramSpan(this.#j, PS_KEY);
  }

  get valueSpan(): Span {
    return this.#t.paramSpan(this.#j, PS_VALUE);
  }

  /** The plain object a parameter used to be (JSON.stringify, logs). */
  toJSON(): Param {
    return { key: this.key, value: this.value, span: this.span, keySpan: this.keySpan, valueSpan: this.valueSpan, decodeError: this.decodeError };
  }
}

export interface Host {
  host: string;
  port?: number;
  span: Span;
}

class HostAt implements Host {
  readonly host: string;
  readonly port: number | undefined;
  readonly #t: ConnTable;
  readonly #j: number;
  constructor(t: ConnTable, j: number) {
    this.host = t.hostName(j);
    this.port = t.port(j);
    this.#t = t;
    this.#j = j;
  }

  get span(): Span {
    return { start: this.#t.hostStart(this.#j), end: this.#t.hostEnd(this.#j) };
  }

  toJSON(): Host {
    return { host: this.host, port: this.port, span: this.span };
  }
}

/** A connection string: its fields, spans, parameters and hosts, read from the document's table when asked for. */
export class Conn implements ConnString {
  readonly #t: ConnTable;
  readonly #i: number;

  /** The table of a string found by findConnStrings (undefined for a ConnString built elsewhere). */
  static tableOf(c: ConnString): ConnTable | undefined {
    return #t in c ? c.#t : undefined;
  }

  /** Its index in that table (-1 for a ConnString built elsewhere). */
  static indexOf(c: ConnString): number {
    return #t in c ? c.#i : -1;
  }

  constructor(t: ConnTable, i: number) {
    this.#t = t;
    this.#i = i;
  }

  get kind(): ConnKind {
    return this.#t.kind(this.#i);
  }

  get context(): ClientContext {
    return this.#t.context(this.#i);
  }

  /** Where the string starts (without making its span). */
  get start(): number {
    return this.#t.connStart(this.#i);
  }

  get span(): Span {
    return { start: this.#t.connStart(this.#i), end: this.#t.connEnd(this.#i) };
  }

  get raw(): string {
    return this.#t.text.slice(this.#t.connStart(this.#i), this.#t.connEnd(this.#i));
  }

  get user(): string | undefined {
    return this.#t.user(this.#i);
  }

  get userSpan(): Span | undefined {
    return this.#t.userSpan(this.#i);
  }

  get password(): string | undefined {
    return this.#t.password(this.#i);
  }

  get passwordSpan(): Span | undefined {
    return this.#t.passwordSpan(this.#i);
  }

  get userinfoPasswordSpan(): Span | undefined {
    return this.#t.userinfoPasswordSpan(this.#i);
  }

  get database(): string | undefined {
    return this.#t.database(this.#i);
  }

  get appendAt(): number {
    return this.#t.appendAt(this.#i);
  }

  get appendSeparator(): string {
    return this.#t.appendSeparator(this.#i);
  }

  /** The objects of the string's parameters (made once, on the first call: the same array each time). */
  get params(): Param[] {
    const t = this.#t;
    const key = 2 * this.#i;
    let out = t.objects?.get(key) as Param[] | undefined;
    if (!out) {
      const p0 = t.firstParam(this.#i);
      const n = t.paramCount(this.#i);
      out = new Array<Param>(n);
      for (let k = 0; k < n; k++) out[k] = new ParamAt(t, p0 + k);
      (t.objects ??= new Map()).set(key, out);
    }
    return out;
  }

  get hosts(): Host[] {
    const t = this.#t;
    const key = 2 * this.#i + 1;
    let out = t.objects?.get(key) as Host[] | undefined;
    if (!out) {
      const h0 = t.firstHost(this.#i);
      const n = t.hostCount(this.#i);
      out = new Array<Host>(n);
      for (let k = 0; k < n; k++) out[k] = new HostAt(t, h0 + k);
      (t.objects ??= new Map()).set(key, out);
    }
    return out;
  }

  /** The plain object a connection string used to be (JSON.stringify, logs). */
  toJSON(): ConnString {
    return {
      kind: this.kind,
      context: this.context,
      span: this.span,
      raw: this.raw,
      user: this.user,
      userSpan: this.userSpan,
      password: this.password,
      passwordSpan: this.passwordSpan,
      userinfoPasswordSpan: this.userinfoPasswordSpan,
      hosts: this.hosts,
      database: this.database,
      params: this.params,
      appendAt: this.appendAt,
      appendSeparator: this.appendSeparator,
    };
  }
}
