/**
 * The explainer on the real libraries' texts, offline: test/fixtures/explain-observed.json holds what
 * each library printed for each failure kind in a live run of test/integration/explain-clients.test.ts
 * (CRDB_TLS_OBSERVED=test/fixtures/explain-observed.json; paths and ports normalised, no key material).
 * Every text must be classified as its kind's category, or as ambiguous with it among the candidates.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../support/exec';
import { EXPECTED, KIND_NAMES, LIBRARIES, Observed, classifyObserved, expectedCategory } from '../support/explainObserved';

const FIXTURE = join(REPO_ROOT, 'test', 'fixtures', 'explain-observed.json');

describe('explain on the texts the real client libraries printed (fixture)', () => {
  const observed = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Observed[];

  it('the fixture: every library and kind once, the outcomes of the expected-outcome table, no key material or machine paths', () => {
    assert.equal(observed.length, LIBRARIES.length * KIND_NAMES.length);
    for (const library of LIBRARIES)
      for (const kind of KIND_NAMES) {
        const o = observed.filter((x) => x.library === library && x.kind === kind);
        assert.equal(o.length, 1, `${library} ${kind}`);
        assert.equal(o[0].outcome, EXPECTED[library].outcomes[kind] ?? 'failed', `${library} ${kind}`);
        assert.equal(o[0].category, expectedCategory(library, kind), `${library} ${kind}`);
        assert.equal(o[0].text !== undefined, o[0].outcome === 'failed', `${library} ${kind}: a text exactly for a failure`);
      }
    const all = readFileSync(FIXTURE, 'utf8');
    assert.doesNotMatch(all, /PRIVATE KEY|BEGIN CERTIFICATE/);
    assert.doesNotMatch(all, /\/tmp\/|crdb-tls-[A-Za-z0-9]{6}/, 'temp paths are normalised');
    assert.ok(!all.includes(REPO_ROOT + '/'), 'the repository path is normalised');
  });

  for (const library of LIBRARIES) {
    it(`${library}: every failure classified`, () => {
      const c = classifyObserved(observed.filter((o) => o.library === library));
      assert.deepEqual(c.wrong, []);
      assert.equal(c.produced, EXPECTED[library].produced);
    });
  }
});
