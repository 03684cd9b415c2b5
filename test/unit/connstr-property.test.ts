import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import fc from 'fast-check';
import { FileCache } from '../../src/core/cache';
import { contextAt, findConnStrings, nextPair } from '../../src/core/connstr/find';
import { LintOptions, lineIndex, lintText } from '../../src/core/connstr/lint';
import { Span, TextEdit } from '../../src/core/connstr/types';
import { makeCertsDir } from '../support/certs';

/** Fixed: a failure replays the same way everywhere (fast-check prints the counterexample and its path). */
const SEED = 20_260_214;
const RUNS = 2000;

function inside(s: Span, len: number): boolean {
  return Number.isInteger(s.start) && Number.isInteger(s.end) && s.start >= 0 && s.start <= s.end && s.end <= len;
}

function nonOverlapping(spans: readonly Span[]): boolean {
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  return sorted.every((s, i) => i === 0 || sorted[i - 1].end <= s.start);
}

function applyEdits(text: string, edits: readonly TextEdit[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.newText + out.slice(e.end);
  return out;
}

/** The invariants every front end relies on; returns the fixed texts to lint again. */
function checkText(text: string, opts: LintOptions): string[] {
  const conns = findConnStrings(text);
  for (const c of conns) {
    assert.ok(inside(c.span, text.length), `conn span ${JSON.stringify(c.span)}`);
    assert.equal(text.slice(c.span.start, c.span.end), c.raw);
    assert.ok(c.appendAt >= c.span.start && c.appendAt <= c.span.end, 'appendAt inside the string');
    for (const p of c.params) {
      for (const s of [p.span, p.keySpan, p.valueSpan])
        assert.ok(s.start >= c.span.start && s.start <= s.end && s.end <= c.span.end, `param span ${JSON.stringify(s)} inside ${JSON.stringify(c.span)}`);
    }
    for (const s of [c.userSpan, c.passwordSpan, ...c.hosts.map((h) => h.span)]) if (s) assert.ok(inside(s, text.length));
  }
  assert.ok(
    conns.every((c, i) => i === 0 || conns[i - 1].span.end <= c.span.start),
    `sorted, non-overlapping spans: ${JSON.stringify(conns.map((c) => c.span))}`,
  );

  const fixed: string[] = [];
  const results = lintText(text, opts);
  assert.equal(results.length, conns.length);
  for (const { findings } of results) {
    for (const f of findings) {
      assert.ok(inside(f.range, text.length), `${f.code} range ${JSON.stringify(f.range)} in ${text.length}`);
      assert.ok(f.message.length > 0 && f.docs.startsWith('https://'));
      for (const fix of f.fixes) {
        if (fix.kind === 'edit' || fix.kind === 'password-to-env') {
          for (const e of fix.edits) {
            assert.ok(inside(e, text.length), `${f.code} edit ${JSON.stringify(e)} in ${text.length}`);
            assert.equal(typeof e.newText, 'string', `${f.code} edit text`);
          }
          assert.ok(nonOverlapping(fix.edits), `${f.code} edits overlap: ${JSON.stringify(fix.edits)}`);
          fixed.push(applyEdits(text, fix.edits));
        } else if (fix.kind === 'add-sslrootcert') {
          assert.ok(inside(fix.conn, text.length) && fix.insertAt >= 0 && fix.insertAt <= text.length);
        }
      }
    }
  }
  return fixed;
}

describe('connection string lint: properties (fast-check)', function () {
  this.timeout(60_000);
  let opts: LintOptions;
  let paths: string[];

  before(async () => {
    const fx = await makeCertsDir({ users: ['root', 'alice'], pkcs8: true });
    const d = fx.certsDir;
    paths = ['ca.crt', 'node.crt', 'node.key', 'client.root.crt', 'client.root.key', 'client.alice.key.pk8', 'nope.crt', '']
      .map((f) => join(d, f))
      .concat(['certs/ca.crt', '../certs/client.root.key', '~/.postgresql/root.crt', 'system', d.replace(/\//g, '%2F') + '%2Fca.crt']);
    opts = { docPath: join(fx.root, 'app', 'config.yaml'), workspaceFolders: [fx.root], cache: new FileCache(), uid: 0 };
  });

  const FRAGMENTS = [
    'postgresql://',
    'postgres://',
    'jdbc:postgresql://',
    'jdbc:',
    'POSTGRESQL://',
    'cockroach sql --url ',
    'cockroach sql --url=',
    '--url ',
    '?',
    '&',
    '&&',
    '=',
    '%',
    '%2',
    '%zz',
    '%20',
    '%2F',
    '#',
    '@',
    ':',
    '/',
    ',',
    ';',
    '.',
    '!',
    '(',
    ')',
    '[',
    ']',
    '{',
    '}',
    '[::1]',
    '${',
    '{{',
    '}}',
    '"',
    "'",
    '`',
    '\\',
    "\\'",
    '<',
    '>',
    '\n',
    '\r\n',
    '\r',
    ' ',
    '  ',
    '\t',
    '',
    'host',
    'hostaddr',
    'dbname',
    'port',
    'user',
    'password',
    'sslmode',
    'sslrootcert',
    'sslcert',
    'sslkey',
    'sslroot',
    'ssl_mode',
    'sslRootCert',
    'options',
    '--cluster=',
    '--cluster%3Dx',
    'ssl',
    'true',
    'verify-full',
    'verify-ca',
    'require',
    'prefer',
    'allow',
    'disable',
    'verify_full',
    'system',
    'host=',
    'port=',
    'sslmode=',
    'sslrootcert=',
    'sslcert=',
    'sslkey=',
    'password=',
    'user=',
    'localhost',
    'db',
    '26257',
    '5432',
    '',
    'root',
    'Alice',
    'alice',
    'é',
    'e\u0301',
    '😀',
    '\uD800',
    '\uDC00',
    '\u2028',
    '\u0000',
    'ﬀ',
    'constructor',
    '__proto__',
    'toString',
    'hasOwnProperty',
    'PGDSN=',
    "='",
    'x9',
  ];

  const fragmentText = () =>
    fc
      .array(
        fc.oneof(
          { weight: 6, arbitrary: fc.constantFrom(...FRAGMENTS) },
          { weight: 2, arbitrary: fc.constantFrom(...paths) },
          { weight: 1, arbitrary: fc.string({ maxLength: 6, unit: 'binary' }) },
        ),
        { maxLength: 40 },
      )
      .map((parts) => parts.join(''));

  /** Well-formed strings, then mangled: the shapes the rules actually look into. */
  const shapedText = () =>
    fc
      .record({
        kind: fc.constantFrom('url', 'jdbc', 'kv', 'cli'),
        user: fc.constantFrom('', 'root', 'alice', 'Alice', '%61lice', 'bob:pw', 'u:${PW}', '%zz'),
        host: fc.constantFrom('localhost', 'db:5432', 'n1:26257,n2:26258', '[::1]:26257', ''),
        params: fc.array(
          fc.tuple(
            fc.constantFrom('sslmode', 'sslrootcert', 'sslcert', 'sslkey', 'sslroot', 'password', 'options', 'port', 'ssl', 'user', 'host'),
            fc.oneof(
              fc.constantFrom('verify-full', 'require', 'disable', 'bogus', '--cluster=x', 'true', '5432', '', "'a b'", "'open"),
              fc.constantFrom(...paths),
            ),
          ),
          { maxLength: 7 },
        ),
        before: fc.constantFrom('', 'url: "', "x='", '[a](', 'DATABASE_URL=', 'psql "', '\n'),
        after: fc.constantFrom('', '"', "'", ')', '.', '#frag', '?', '&', '\n', ' trailing prose'),
      })
      .map(({ kind, user, host, params, before, after }) => {
        if (kind === 'kv') return `${before}host=${host || 'h'} ${params.map(([k, v]) => `${k}=${v}`).join(' ')}${after}`;
        const q = params.length ? `?${params.map(([k, v]) => `${k}=${v}`).join('&')}` : '';
        const scheme = kind === 'jdbc' ? 'jdbc:postgresql://' : 'postgresql://';
        const url = `${scheme}${user ? `${user}@` : ''}${host}/db${q}`;
        return `${before}${kind === 'cli' ? 'cockroach sql --url ' : ''}${url}${after}`;
      });

  const check = (arb: fc.Arbitrary<string>) =>
    fc.assert(
      fc.property(arb, (text) => {
        for (const t of checkText(text, opts)) checkText(t, opts);
      }),
      { seed: SEED, numRuns: RUNS },
    );

  it(`never throws and keeps every range inside the text: arbitrary unicode (${RUNS} runs)`, () => {
    check(fc.string({ unit: 'binary', maxLength: 200 }));
  });

  it(`... strings built from connection string fragments (${RUNS} runs)`, () => {
    check(fragmentText());
  });

  it(`... well-formed strings in context, with real certificate paths (${RUNS} runs)`, () => {
    check(fc.array(shapedText(), { minLength: 1, maxLength: 3 }).map((xs) => xs.join('\n')));
  });

  // The scanners were rewritten for speed (bench/lint.mjs); these pin them to the regexes they replace.
  it(`nextPair finds exactly the pairs the global key=value regex finds (${RUNS} runs)`, () => {
    const reference = /([A-Za-z_][A-Za-z0-9_-]*)[ \t]*=[ \t]*('(?:[^'\\\n]|\\.)*'?|[^\s'"`;,()[\]{}]+)/g;
    fc.assert(
      fc.property(fragmentText(), fc.nat(), (text, n) => {
        const from = text.length ? n % (text.length + 1) : 0;
        reference.lastIndex = from;
        for (let pos = from; ;) {
          const want = reference.exec(text);
          const got = nextPair(text, pos);
          assert.deepEqual(got && [got.index, got[0], got[1], got[2]], want && [want.index, want[0], want[1], want[2]]);
          if (!got) break;
          pos = got.index + got[0].length;
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it(`contextAt agrees with the cockroach --url regex (${RUNS} runs)`, () => {
    const reference = /\bcockroach\b[^\n]*--url(?:[ \t]*=[ \t]*|[ \t]+)["']?$/;
    const cli = fc
      .array(fc.constantFrom('cockroach', ' sql', ' --url', '--url', '=', ' ', '\t', '"', "'", '\n', 'x', '-', 'cockroachdb', '_', 'é'), { maxLength: 12 })
      .map((p) => p.join(''));
    fc.assert(
      fc.property(fc.oneof(cli, fragmentText()), (prefix) => {
        const text = `${prefix}postgresql://h/db`;
        const lineStart = text.lastIndexOf('\n', prefix.length - 1) + 1;
        const want = reference.test(text.slice(lineStart, prefix.length)) ? 'cockroach-cli' : 'generic';
        assert.equal(contextAt(text, prefix.length), want, JSON.stringify(prefix));
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it(`lineIndex gives 1-based line/column that point back at the offset (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(fragmentText(), fc.nat(), (text, n) => {
        const at = lineIndex(text);
        const offset = text.length ? n % (text.length + 1) : 0;
        const { line, column } = at(offset);
        const lines = text.split('\n');
        assert.ok(line >= 1 && line <= lines.length && column >= 1);
        const back = lines.slice(0, line - 1).reduce((s, l) => s + l.length + 1, 0) + column - 1;
        assert.equal(back, offset);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});
