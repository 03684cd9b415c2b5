import { strict as assert } from 'node:assert';
import { alertFor, alertKey, newAlerts, soonest, summaryMessage, WatchedCert } from '../../src/core/monitor/expiry';
import { expiryPhrase, spanText } from '../../src/core/cockroach/expiry';

const DAY = 86_400_000;
const now = new Date('2026-06-01T12:00:00Z');
const cert = (id: string, usage: WatchedCert['usage'], days: number): WatchedCert => ({ id, usage, label: id, notAfter: new Date(now.getTime() + days * DAY) });

describe('expiry alerts', () => {
  it('follow the default thresholds: CA 365 d warning, leaf 90 d warning, 30 d error, expired error', () => {
    assert.equal(alertFor(cert('ca', 'CA', 400), now), undefined);
    assert.equal(alertFor(cert('ca', 'CA', 300), now)?.level, 'warning');
    assert.equal(alertFor(cert('ca', 'CA', 10), now)?.threshold, 'warning');
    assert.equal(alertFor(cert('n', 'Node', 120), now), undefined);
    assert.deepEqual([alertFor(cert('n', 'Node', 60), now)?.threshold, alertFor(cert('n', 'Node', 60), now)?.level], ['warning', 'warning']);
    assert.deepEqual([alertFor(cert('c', 'Client', 10), now)?.threshold, alertFor(cert('c', 'Client', 10), now)?.level], ['error', 'error']);
    const expired = alertFor(cert('c', 'Client', -3), now);
    assert.equal(expired?.threshold, 'expired');
    assert.match(expired?.message ?? '', /expired 3 d ago/);
    assert.match(alertFor(cert('ca', 'CA', -1), now)?.message ?? '', /rotate the CA/);
  });

  it('honour custom thresholds', () => {
    const t = { caWarningDays: 30, leafWarningDays: 200, leafErrorDays: 100 };
    assert.equal(alertFor(cert('ca', 'CA', 300), now, t), undefined);
    assert.equal(alertFor(cert('n', 'Node', 150), now, t)?.level, 'warning');
    assert.equal(alertFor(cert('n', 'Node', 50), now, t)?.level, 'error');
  });

  it('fire once per certificate and threshold, never when muted, most urgent first', () => {
    const certs = [cert('a', 'Node', 60), cert('b', 'Client', -1), cert('c', 'Client', 500), cert('d', 'Client', 5)];
    const first = newAlerts(certs, now, new Set(), new Set());
    assert.deepEqual(
      first.map((a) => a.cert.id),
      ['b', 'd', 'a'],
    );
    const shown = new Set(first.map(alertKey));
    assert.deepEqual(newAlerts(certs, now, shown, new Set()), []);
    // Later 'a' crosses the 30-day line and 'd' expires: new alerts for the new thresholds.
    const later = new Date(now.getTime() + 40 * DAY);
    assert.deepEqual(
      newAlerts(certs, later, shown, new Set()).map((a) => [a.cert.id, a.threshold]),
      [
        ['d', 'expired'],
        ['a', 'error'],
      ],
    );
    assert.deepEqual(newAlerts(certs, later, shown, new Set(['a', 'd'])), []);
  });

  it('finds the soonest expiry', () => {
    assert.equal(soonest([cert('a', 'Node', 60), cert('b', 'Client', 5), cert('c', 'CA', 900)])?.id, 'b');
    assert.equal(soonest([]), undefined);
  });
});

describe('spans of days as people read them (spanText, expiryPhrase)', () => {
  const table: [number, string][] = [
    [0, '0 d'],
    [1, '1 d'],
    [-3, '3 d'],
    [90, '90 d'],
    [91, '2 mo'],
    [200, '6 mo'],
    [365, '11 mo'],
    [366, '1 y'],
    [1825, '4 y 11 mo'],
    [1830, '5 y'],
    [3660, '10 y'],
    [3640, '9 y 11 mo'],
  ];
  for (const [days, want] of table) it(`${days} → ${want}`, () => assert.equal(spanText(days), want));

  it('expiryPhrase: expired, not yet valid, expires', () => {
    const now = new Date('2026-12-01T00:00:00Z');
    const d = (n: number) => new Date(now.getTime() + n * 86_400_000);
    assert.equal(expiryPhrase(d(-400), d(-3), now), 'expired 3 d ago');
    assert.equal(expiryPhrase(d(2), d(400), now), 'valid in 2 d');
    assert.equal(expiryPhrase(d(-1), d(19.5), now), 'expires in 19 d');
    assert.equal(expiryPhrase(d(-1), d(1830), now), 'expires in 5 y');
  });
});

describe('one summary notification per refresh (summaryMessage)', () => {
  it('one alert is its own message; several are counted and listed, at most four', () => {
    assert.equal(summaryMessage(['a: rotate it now.']), 'a: rotate it now.');
    assert.equal(summaryMessage(['A.', 'B.']), '2 certificates need attention: A. B.');
    assert.equal(summaryMessage(['A.', 'B.', 'C.', 'D.', 'E.', 'F.']), '6 certificates need attention: A. B. C. D. And 2 more.');
  });
});
