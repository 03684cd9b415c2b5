import { strict as assert } from 'node:assert';
import { parseGoDuration } from '../../src/core/pki/duration';

describe('Go durations (--lifetime)', () => {
  it('parses the forms cockroach accepts', () => {
    assert.equal(parseGoDuration('87840h'), 87840 * 3_600_000);
    assert.equal(parseGoDuration('1h30m'), 5_400_000);
    assert.equal(parseGoDuration('720h0m0s'), 720 * 3_600_000);
    assert.equal(parseGoDuration('1.5h'), 5_400_000);
    assert.equal(parseGoDuration('90s'), 90_000);
  });

  it('rejects what is not a positive duration', () => {
    for (const s of ['', '10', '10d', 'h', '-1h', '0h', '1h junk']) assert.throws(() => parseGoDuration(s), /--lifetime/, s);
  });
});
