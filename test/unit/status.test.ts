import { strict as assert } from 'node:assert';
import { daysLeft, expiryStatus, statusText } from '../../src/core/cockroach/expiry';

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
});
