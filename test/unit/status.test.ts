import { strict as assert } from 'node:assert';
import { ExpiryStatus, daysLeft, expiryStatus, statusText } from '../../src/core/cockroach/expiry';

const DAY = 86_400_000;
const now = new Date('2026-06-01T00:00:00Z');
const at = (days: number) => new Date(now.getTime() + days * DAY);

describe('expiry status', () => {
  it('uses a year for CAs and 90 days for node and client certs', () => {
    assert.equal(expiryStatus('CA', at(-10), at(400), now), 'ok');
    assert.equal(expiryStatus('CA', at(-10), at(300), now), 'expiring');
    assert.equal(expiryStatus('Client CA', at(-10), at(300), now), 'expiring');
    assert.equal(expiryStatus('Node', at(-10), at(300), now), 'ok');
    assert.equal(expiryStatus('Node', at(-10), at(89), now), 'expiring');
    assert.equal(expiryStatus('Client', at(-10), at(90), now), 'ok');
  });

  it('tells expired and not yet valid apart', () => {
    assert.equal(expiryStatus('Node', at(-10), at(-1), now), 'expired');
    assert.equal(expiryStatus('Node', at(1), at(100), now), 'not-yet-valid');
  });

  it('honours custom thresholds', () => {
    assert.equal(expiryStatus('Node', at(-1), at(100), now, { caWarningDays: 30, leafWarningDays: 120, leafErrorDays: 10 }), 'expiring');
    assert.equal(expiryStatus('CA', at(-1), at(100), now, { caWarningDays: 30, leafWarningDays: 120, leafErrorDays: 10 }), 'ok');
  });

  it('counts whole days and says it plainly', () => {
    assert.equal(daysLeft(at(42.9), now), 42);
    assert.equal(daysLeft(at(-2.5), now), -2);
    assert.equal(daysLeft(at(-0.5), now), 0);
    assert.equal(statusText('expiring', 42), 'expiring (42 d left)');
    assert.equal(statusText('expired', -3), 'expired (3 d ago)');
    assert.equal(statusText('not-yet-valid', 5), 'not yet valid');
  });

  // status, days left → the editor's and inspect's wording (spanText beyond 90 days), and the cert list table's whole days.
  const TEXTS: [ExpiryStatus, number, string, string][] = [
    ['ok', 1829, 'ok (5 y left)', 'ok (1829 d left)'],
    ['ok', 1795, 'ok (4 y 10 mo left)', 'ok (1795 d left)'],
    ['expiring', 300, 'expiring (9 mo left)', 'expiring (300 d left)'],
    ['expiring', 90, 'expiring (90 d left)', 'expiring (90 d left)'],
    ['expiring', 42, 'expiring (42 d left)', 'expiring (42 d left)'],
    ['expired', -3, 'expired (3 d ago)', 'expired (3 d ago)'],
    ['expired', 0, 'expired (1 d ago)', 'expired (1 d ago)'],
    ['expired', -400, 'expired (1 y 1 mo ago)', 'expired (400 d ago)'],
    ['not-yet-valid', 5, 'not yet valid', 'not yet valid'],
  ];
  for (const [status, days, span, inDays] of TEXTS) {
    it(`${status}, ${days} d → "${span}" ("${inDays}" in cert list)`, () => {
      assert.equal(statusText(status, days), span);
      assert.equal(statusText(status, days, 'days'), inDays);
    });
  }
});
