import { strict as assert } from 'node:assert';
import {
  MAX_LIFETIME_MS,
  MAX_TIMER_MS,
  MIN_LIFETIME_MS,
  formatDuration,
  parseGoDuration,
  parseLifetime,
  parseTimeout,
  timerMs,
  validateLifetime,
} from '../../src/core/pki/duration';
import { UserError } from '../../src/core/errors';

const H = 3_600_000;

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

  it("refuses what Go's int64 nanoseconds cannot hold (cockroach would say invalid duration)", () => {
    assert.throws(() => parseGoDuration('2562048h'), /--lifetime "2562048h" is out of range: .*at most 2562047h/);
    assert.throws(
      () => parseGoDuration(`${'9'.repeat(400)}h`),
      (e: Error) => e instanceof UserError && /out of range/.test(e.message) && e.message.length < 300,
    );
  });
});

describe('certificate lifetimes: 1h to 878400h (100 years)', () => {
  it('validateLifetime keeps the bounds and names the flag and the limit', () => {
    assert.equal(validateLifetime(MIN_LIFETIME_MS), H);
    assert.equal(validateLifetime(MAX_LIFETIME_MS), 878_400 * H);
    assert.throws(() => validateLifetime(1), /^UserError: --lifetime 1ms is too short: a certificate must be valid for at least 1h/);
    assert.throws(() => validateLifetime(59 * 60_000), /--lifetime 59m is too short/);
    assert.throws(() => validateLifetime(MAX_LIFETIME_MS + H), /--lifetime 878401h is too long: at most 878400h \(100 years\)/);
    assert.throws(() => validateLifetime(Number.NaN), /too short/);
    assert.throws(() => validateLifetime(Infinity), /too short|too long/);
  });

  it('parseLifetime: the finding cases (1ms, 999999999999h) are one-line UserErrors', () => {
    assert.equal(parseLifetime('8784h'), 8784 * H);
    assert.throws(
      () => parseLifetime('1ms'),
      (e: Error) => e instanceof UserError && /^--lifetime 1ms is too short/.test(e.message),
    );
    assert.throws(
      () => parseLifetime('999999999999h'),
      (e: Error) => e instanceof UserError && /^--lifetime 999999999999h is too long: at most 878400h/.test(e.message),
    );
  });
});

describe('time limits (--timeout, --verify-timeout, --reload-timeout, --live-timeout)', () => {
  it('parseTimeout: Go durations, bare numbers as seconds (or ms with bare: "ms")', () => {
    assert.equal(parseTimeout('5s'), 5000);
    assert.equal(parseTimeout('1m30s'), 90_000);
    assert.equal(parseTimeout('2'), 2000);
    assert.equal(parseTimeout('5000', '--live-timeout', { bare: 'ms' }), 5000);
    assert.equal(parseTimeout('5s', '--live-timeout', { bare: 'ms' }), 5000);
  });

  it('refuses what a Node.js timer cannot hold, and what is shorter than a millisecond, naming the flag', () => {
    assert.equal(parseTimeout(`${MAX_TIMER_MS}ms`), MAX_TIMER_MS);
    assert.throws(
      () => parseTimeout('99999999999h'),
      /^UserError: --timeout "99999999999h" is too long: at most 596h31m23\.647s \(2\^31-1 ms, the longest timer Node\.js keeps\)/,
    );
    assert.throws(() => parseTimeout(`${MAX_TIMER_MS + 1}ms`, '--verify-timeout'), /--verify-timeout .* is too long/);
    assert.throws(() => parseTimeout('1ns', '--verify-timeout'), /^UserError: --verify-timeout "1ns" is too short: at least 1ms/);
    for (const s of ['1e99', 'NaN', 'Infinity', '-1', '0', '0s', '', 'soon', '5 s']) {
      assert.throws(() => parseTimeout(s, '--live-timeout', { bare: 'ms' }), /^UserError: --live-timeout .* is not a duration/, s);
    }
  });

  it('timerMs clamps what callers pass to setTimeout', () => {
    assert.equal(timerMs(1e99), MAX_TIMER_MS);
    assert.equal(timerMs(-5), 0);
    assert.equal(timerMs(Number.NaN), 0);
    assert.equal(timerMs(250), 250);
  });

  it('formatDuration prints as Go does', () => {
    assert.deepEqual([1e-6, 0.5, 1, 1500, 90 * 60_000, 8784 * H, MAX_TIMER_MS].map(formatDuration), [
      '1ns',
      '500µs',
      '1ms',
      '1.5s',
      '1h30m',
      '8784h',
      '596h31m23.647s',
    ]);
  });
});
