import { strict as assert } from 'node:assert';
import { alertFor, alertKey, newAlerts, soonest, WatchedCert } from '../../src/core/monitor/expiry';

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
