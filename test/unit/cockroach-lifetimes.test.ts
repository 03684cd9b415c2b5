import { strict as assert } from 'node:assert';
import {
  DEFAULT_CA_LIFETIME,
  DEFAULT_CA_LIFETIME_HOURS,
  DEFAULT_CA_LIFETIME_MS,
  DEFAULT_CERT_LIFETIME,
  DEFAULT_CERT_LIFETIME_HOURS,
  DEFAULT_CERT_LIFETIME_MS,
} from '../../src/core/cockroach/lifetimes';

describe("cockroach/lifetimes: cockroach cert's default lifetimes", () => {
  const DAY_MS = 86_400_000;
  const cases: [string, number, number, string, number][] = [
    // which, hours, ms, flag, years of 366 days
    ['CA (create-ca, create-client-ca)', DEFAULT_CA_LIFETIME_HOURS, DEFAULT_CA_LIFETIME_MS, DEFAULT_CA_LIFETIME, 10],
    ['node and client (create-node, create-client)', DEFAULT_CERT_LIFETIME_HOURS, DEFAULT_CERT_LIFETIME_MS, DEFAULT_CERT_LIFETIME, 5],
  ];
  const expected: Record<number, [number, string]> = { 10: [87_840, '87840h'], 5: [43_920, '43920h'] };
  for (const [which, hours, ms, flag, years] of cases) {
    it(`${which}: ${flag}`, () => {
      assert.equal(hours, expected[years][0]);
      assert.equal(flag, expected[years][1]);
      assert.equal(ms, hours * 3_600_000);
      assert.equal(ms, years * 366 * DAY_MS);
    });
  }
});
