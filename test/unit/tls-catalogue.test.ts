/**
 * The error catalogue is plain data: every template in it must parse, name only groups its pattern
 * has and names and filters that exist, and render to a sentence whether the groups matched or not.
 */
import assert from 'node:assert/strict';
import { CATALOGUE, CatalogueEntry, EntryText } from '../../src/core/tls/catalogue';
import { describeMatch, templateScope } from '../../src/core/tls/explain';
import { TemplateError, TemplateScope, parseTemplate, renderTemplate } from '../../src/core/tls/template';

const groupCount = (re: RegExp) => (new RegExp(`${re.source}|`).exec('') ?? []).length - 1;

const templatesOf = (t: EntryText): string[] => (typeof t === 'string' ? [t] : t.flatMap((v) => (v.when === undefined ? [v.text] : [v.when, v.text])));

const SCOPE: TemplateScope = {
  groups: ['all', 'a', undefined, ' b '],
  values: { host: 'db' },
  texts: { probe: 'probe {host}', quoted: '"{$}"' },
  filters: { trim: (v) => v.trim(), upper: (v) => v.toUpperCase(), gone: () => undefined },
};

describe('tls/template: the catalogue text templates', () => {
  it('renders groups, names, shared texts, literals and filters', () => {
    assert.equal(renderTemplate('x {1} y', SCOPE), 'x a y');
    assert.equal(renderTemplate('{host}: {probe}', SCOPE), 'db: probe db');
    assert.equal(renderTemplate("{2|1}, {2|9|'none'}", SCOPE), 'a, none');
    assert.equal(renderTemplate('[{3:trim:upper}]', SCOPE), '[B]');
    assert.equal(renderTemplate('{1:quoted} {1:upper:quoted}', SCOPE), '"a" "A"');
  });

  it('renders what stays undefined as nothing, and doubled braces as braces', () => {
    assert.equal(renderTemplate('<{2}><{1:gone}>', SCOPE), '<><>');
    assert.equal(renderTemplate('${{HOME}}/x {{1}}', SCOPE), '${HOME}/x {1}');
  });

  it('refuses unknown names and filters and unreadable placeholders', () => {
    assert.throws(() => renderTemplate('{nope}', SCOPE), TemplateError);
    assert.throws(() => renderTemplate('{1:nope}', SCOPE), TemplateError);
    for (const bad of ['{}', '{1|}', '{1:}', '{1 2}', '{1:trim|2}', 'a { b', 'a } b', "{'x}"]) {
      assert.throws(() => parseTemplate(bad), TemplateError, bad);
    }
  });
});

describe('tls/catalogue: plain data', () => {
  const entries: readonly CatalogueEntry[] = CATALOGUE;

  it('holds only data: no functions in any entry', () => {
    const hasFunction = (v: unknown): boolean =>
      typeof v === 'function' || (typeof v === 'object' && v !== null && !(v instanceof RegExp) && Object.values(v).some(hasFunction));
    for (const e of entries) assert.equal(hasFunction(e), false, e.id);
  });

  for (const e of entries) {
    it(`${e.id}: its templates use its pattern's groups and known names, and render`, () => {
      const n = groupCount(e.pattern);
      for (const t of [...templatesOf(e.cause), ...templatesOf(e.fix)]) {
        for (const part of parseTemplate(t)) {
          if (typeof part === 'string') continue;
          for (const s of part.sources)
            if ('group' in s) assert.ok(s.group >= 1 && s.group <= n, `${e.id}: {${s.group}} but the pattern has ${n} group(s): ${t}`);
        }
      }
      const all = describeMatch(e, ['text', ...Array.from({ length: n }, (_, i) => `g${i + 1}`)], { host: 'db', port: '26257', user: 'u' });
      assert.ok(all.cause.length > 20 && all.fix.length > 10, `${e.id}: ${all.cause} / ${all.fix}`);
      // Optional groups may be unmatched: that renders too, and never as "undefined".
      const none = describeMatch(e, ['text'], {});
      for (const d of [all, none]) assert.doesNotMatch(d.cause + d.fix, /undefined|\{(?!HOME\})/, `${e.id}: ${d.cause} ${d.fix}`);
    });
  }

  it('the shared texts render in any scope', () => {
    const scope = templateScope(['text'], {});
    for (const name of Object.keys(scope.texts)) assert.ok(renderTemplate(`{${name}}`, scope).length > 10, name);
  });
});
