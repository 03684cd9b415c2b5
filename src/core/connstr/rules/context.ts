import { EffectiveSslmode, effectiveSslmode } from '../../cockroach/sslmode';
import { isCloudHost } from '../../cockroach/cloud';
import { FileRef } from '../files';
import { RULES } from './catalog';
import { encodeValue, removeParamEdit, removeParamsEdits, setParamEdit } from '../edit';
import { Conn } from '../conn';
import { ConnTable, PS_KEY, PS_VALUE, ParamPart } from '../table';
import { ConnString, Finding, Fix, Severity, Span } from '../types';
import type { TypoText } from './params';
import { LintEnv, LintScope } from './scope';

// The run's shared part lives in scope.ts; the rules and lint.ts import it from here too.
export { LintScope } from './scope';
export type { KnownCa, LintEnv } from './scope';

/** The fixes of a finding that has none: shared, so frozen. */
export const NO_FIXES: Fix[] = Object.freeze([]) as unknown as Fix[];

/** A fix made when a front end asks for it, from the string (which the finding keeps). */
export interface FixRecipe {
  /** Does now what could fail in build() (as making the fix with the finding did). */
  prepare?(c: ConnString): void;
  build(c: ConnString): Fix;
  /** A recipe for several fixes builds them all here (build() is then the first). */
  buildAll?(c: ConnString): Fix[];
}

/** Sets a parameter (setParamEdit): "Set sslmode=verify-full" and the like. */
export class SetParamFix implements FixRecipe {
  private encodedFor = 0;
  constructor(
    readonly title: string,
    readonly key: string,
    readonly value: string,
  ) {}

  /** The value's encoding (which throws on a lone surrogate in a URL), once per kind of string. */
  prepare(c: ConnString): void {
    const bit = c.kind === 'kv' ? 1 : 2;
    if (this.encodedFor & bit) return;
    encodeValue(c, this.value);
    this.encodedFor |= bit;
  }

  build(c: ConnString): Fix {
    return { title: this.title, kind: 'edit', edits: [setParamEdit(c, this.key, this.value)] };
  }
}

/** Removes a parameter (the k-th of the string) with the separator next to it (removeParamEdit). */
export class RemoveParamFix implements FixRecipe {
  constructor(
    readonly title: string,
    readonly k: number,
    readonly text: string,
  ) {}

  build(c: ConnString): Fix {
    return { title: this.title, kind: 'edit', edits: [removeParamEdit(c, c.params[this.k], this.text)] };
  }
}

/** "Add sslrootcert…": the front end asks which CA, and inserts it where the string says. */
export const ADD_SSLROOTCERT: FixRecipe = {
  build: (c) => ({ title: 'Add sslrootcert…', kind: 'add-sslrootcert', conn: c.span, insertAt: c.appendAt, separator: c.appendSeparator }),
};

/** Removes the password from a string of `text`; the driver then reads PGPASSWORD (libpq, psycopg, pgx, node-postgres). */
export class PasswordToEnvFix implements FixRecipe {
  constructor(readonly text: string) {}

  build(c: ConnString): Fix {
    // Every place a password is written: `:password` in the userinfo, then each password= parameter.
    const ui = c.userinfoPasswordSpan;
    const edits = ui ? [{ start: ui.start - 1, end: ui.end, newText: '' }] : [];
    edits.push(
      ...removeParamsEdits(
        c,
        c.params.filter((x) => x.key === 'password'),
        this.text,
      ),
    );
    return { title: 'Move the password to the PGPASSWORD environment variable', kind: 'password-to-env', envVar: 'PGPASSWORD', edits };
  }
}

/**
 * A finding as the front ends read it. Its range and fixes are made when asked for: a document may
 * hold tens of thousands of findings, and a front end shows the fixes of the few under the cursor.
 */
export class LintFinding implements Finding {
  readonly code: string;
  severity: Severity;
  readonly message: string;
  readonly #start: number;
  readonly #end: number;
  readonly #conn: ConnString;
  #fixes: Fix[] | FixRecipe;

  constructor(code: string, severity: Severity, start: number, end: number, message: string, conn: ConnString, fixes: Fix[] | FixRecipe) {
    this.code = code;
    this.severity = severity;
    this.message = message;
    this.#start = start;
    this.#end = end;
    this.#conn = conn;
    this.#fixes = fixes;
  }

  get range(): Span {
    return { start: this.#start, end: this.#end };
  }

  get docs(): string {
    return RULES[this.code].docs;
  }

  get fixes(): Fix[] {
    const f = this.#fixes;
    if (Array.isArray(f)) return f;
    const built = f.buildAll ? f.buildAll(this.#conn) : [f.build(this.#conn)];
    this.#fixes = built;
    return built;
  }

  /** The same finding with another severity (the user's settings). */
  withSeverity(severity: Severity): LintFinding {
    return new LintFinding(this.code, severity, this.#start, this.#end, this.message, this.#conn, this.#fixes);
  }

  /** The plain object a finding used to be (JSON.stringify: the CLI's --json). */
  toJSON(): Finding {
    return { code: this.code, severity: this.severity, range: this.range, message: this.message, docs: this.docs, fixes: this.fixes };
  }
}

type RefKey = 'sslrootcert' | 'sslcert' | 'sslkey';

/**
 * The string the rules look at, read from the document's table (see table.ts): its parameters are
 * indexes j into the table, from p0 to p0 + pn, and the context knows the effective (last)
 * occurrence of those the rules read, and the files they name. One context serves every string
 * of a run (reset() moves it to the next); the findings collect in `out`.
 */
export class RuleCtx {
  readonly now: Date;
  /** The client's effective uid for libpq's key rule (LintEnv.uid); undefined on Windows. */
  readonly euid: number | undefined;
  readonly scope: LintScope;
  c!: ConnString;
  t!: ConnTable;
  /** The string's index in the table, its first parameter and how many, its first host and how many. */
  ci = 0;
  p0 = 0;
  pn = 0;
  h0 = 0;
  hn = 0;
  /** The findings of the string: out[0, nOut) (the array is reused from string to string). */
  readonly out: LintFinding[] = [];
  /** The misspelled keys of the table (see paramRules and typoOf). */
  typos: TypoText[] = [];
  private typoState = new Int32Array(0);
  nOut = 0;
  /** The password fix of this run's strings. */
  readonly passwordFix: PasswordToEnvFix;
  /** The last sslmode= etc. (a parameter index), or -1. */
  sslmode = -1;
  ssl = -1;
  sslrootcert = -1;
  sslcert = -1;
  sslkey = -1;
  options = -1;
  port = -1;
  /** Prisma's own parameters (a string that has one is read by Prisma). */
  sslidentity = -1;
  sslaccept = -1;
  /** The string's effective sslmode and first Cloud host, worked out when a rule first asks (null: not yet). */
  private effective: EffectiveSslmode | null = null;
  private cloud: string | undefined | null = null;
  private rootRef: FileRef | undefined | null = null;
  private certRef: FileRef | undefined | null = null;
  private keyRef: FileRef | undefined | null = null;

  constructor(
    readonly text: string,
    c: ConnString,
    readonly env: LintEnv,
    scope?: LintScope,
  ) {
    this.now = env.now ?? new Date();
    this.euid = env.uid ?? process.geteuid?.();
    this.scope = scope ?? new LintScope(env);
    this.passwordFix = new PasswordToEnvFix(text);
    this.reset(c);
  }

  /** Moves to the next string (with no findings yet). */
  reset(c: ConnString): void {
    this.c = c;
    let t = Conn.tableOf(c);
    let ci = 0;
    if (t) ci = Conn.indexOf(c);
    else t = ConnTable.of(c);
    if (t !== this.t) {
      this.typos = [];
      this.typoState = new Int32Array(0);
    }
    this.t = t;
    this.ci = ci;
    const p0 = t.firstParam(ci);
    const pn = t.paramCount(ci);
    this.p0 = p0;
    this.pn = pn;
    this.h0 = t.firstHost(ci);
    this.hn = t.hostCount(ci);
    this.nOut = 0;
    this.rootRef = this.certRef = this.keyRef = null;
    this.effective = this.cloud = null;
    let sslmode = -1;
    let ssl = -1;
    let sslrootcert = -1;
    let sslcert = -1;
    let sslkey = -1;
    let options = -1;
    let port = -1;
    let sslidentity = -1;
    let sslaccept = -1;
    // The last occurrence wins, as in libpq, pgx and pgjdbc (paramValue).
    for (let j = p0; j < p0 + pn; j++) {
      switch (t.key(j)) {
        case 'sslmode':
          sslmode = j;
          break;
        case 'ssl':
          ssl = j;
          break;
        case 'sslrootcert':
          sslrootcert = j;
          break;
        case 'sslcert':
          sslcert = j;
          break;
        case 'sslkey':
          sslkey = j;
          break;
        case 'options':
          options = j;
          break;
        case 'port':
          port = j;
          break;
        case 'sslidentity':
          sslidentity = j;
          break;
        case 'sslaccept':
          sslaccept = j;
          break;
      }
    }
    this.sslmode = sslmode;
    this.ssl = ssl;
    this.sslrootcert = sslrootcert;
    this.sslcert = sslcert;
    this.sslkey = sslkey;
    this.options = options;
    this.port = port;
    this.sslidentity = sslidentity;
    this.sslaccept = sslaccept;
  }

  /** The typo check of each key of the table, by key id: 0 until worked out, -1 for none, else 1 + an index in typos. */
  typoOf(): Int32Array {
    const n = this.t.strings.length;
    if (this.typoState.length < n) {
      const bigger = new Int32Array(Math.max(n, 2 * this.typoState.length));
      bigger.set(this.typoState);
      this.typoState = bigger;
    }
    return this.typoState;
  }

  /** The sslmode the client applies to the string (an empty sslmode= counts as none). */
  eff(): EffectiveSslmode {
    if (this.effective === null) {
      const mode = this.sslmode >= 0 ? this.value(this.sslmode) : '';
      if (mode) {
        // A written sslmode decides alone: one answer per value and run.
        const byMode = this.scope.map<string, EffectiveSslmode>('effective-sslmode');
        let e = byMode.get(mode);
        if (e === undefined) byMode.set(mode, (e = effectiveSslmode(this.c, mode, undefined)));
        this.effective = e;
      } else this.effective = effectiveSslmode(this.c, undefined, this.ssl >= 0 ? this.value(this.ssl) : undefined);
    }
    return this.effective;
  }

  /** The string's first CockroachDB Cloud host, if it has one. */
  cloudHost(): string | undefined {
    if (this.cloud === null) {
      const t = this.t;
      let found: string | undefined;
      for (let h = this.h0; h < this.h0 + this.hn && found === undefined; h++) {
        const name = t.hostName(h);
        if (isCloudHost(name)) found = name;
      }
      this.cloud = found;
    }
    return this.cloud;
  }

  /** Parameter j's value ('' when j is -1, no such parameter: test j first where that matters). */
  value(j: number): string {
    return j < 0 ? '' : this.t.value(j);
  }

  /** A span of parameter j, as an object (for a finding's range or an edit). */
  span(j: number, part: ParamPart): Span {
    return this.t.paramSpan(j, part);
  }

  /** The last parameter named `key`, or -1. */
  last(key: string): number {
    const t = this.t;
    for (let j = this.p0 + this.pn - 1; j >= this.p0; j--) if (t.key(j) === key) return j;
    return -1;
  }

  /** The file a parameter names (none for an empty value or libpq's sslrootcert=system). */
  ref(key: RefKey): FileRef | undefined {
    switch (key) {
      case 'sslrootcert':
        if (this.rootRef === null) this.rootRef = this.load(this.sslrootcert);
        return this.rootRef;
      case 'sslcert':
        if (this.certRef === null) this.certRef = this.load(this.sslcert);
        return this.certRef;
      default:
        if (this.keyRef === null) this.keyRef = this.load(this.sslkey);
        return this.keyRef;
    }
  }

  private load(j: number): FileRef | undefined {
    const v = this.value(j);
    return v && v !== 'system' ? this.scope.ref(v) : undefined;
  }

  /** Adds a finding about text[start, end) to `out`, and returns it. */
  add(code: string, start: number, end: number, message: string, fixes: Fix[] | FixRecipe = NO_FIXES): LintFinding {
    if (!Array.isArray(fixes)) fixes.prepare?.(this.c);
    const f = new LintFinding(code, RULES[code].severity, start, end, message, this.c, fixes);
    this.out[this.nOut++] = f;
    return f;
  }

  /** Adds a finding about (part of) parameter j. */
  addParam(code: string, j: number, part: ParamPart, message: string, fixes: Fix[] | FixRecipe = NO_FIXES): LintFinding {
    const t = this.t;
    return this.add(code, part === PS_VALUE ? t.paramValueStart(j) : t.paramStart(j), part === PS_KEY ? t.paramKeyEnd(j) : t.paramEnd(j), message, fixes);
  }

  /** Adds a finding about the whole string. */
  addConn(code: string, message: string, fixes: Fix[] | FixRecipe = NO_FIXES): LintFinding {
    return this.add(code, this.t.connStart(this.ci), this.t.connEnd(this.ci), message, fixes);
  }
}
