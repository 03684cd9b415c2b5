import { Usage, isCaUsage } from './layout';

export type ExpiryStatus = 'ok' | 'expiring' | 'expired' | 'not-yet-valid';

export interface ExpiryThresholds {
  /** A CA is "expiring" with fewer days left than this (CockroachDB guidance: plan CA rotation a year ahead). */
  caDays: number;
  /** A node, UI or client cert is "expiring" with fewer days left than this (guidance: schedule at 90 days). */
  leafDays: number;
}

export const DEFAULT_THRESHOLDS: ExpiryThresholds = { caDays: 365, leafDays: 90 };

const DAY_MS = 86_400_000;

/** Whole days from now to notAfter, counted toward zero: 42.9 → 42 left, 3.2 days ago → -3. */
export function daysLeft(notAfter: Date, now: Date): number {
  return Math.trunc((notAfter.getTime() - now.getTime()) / DAY_MS) || 0;
}

export function expiryStatus(
  usage: Usage,
  notBefore: Date,
  notAfter: Date,
  now: Date,
  thresholds: ExpiryThresholds = DEFAULT_THRESHOLDS,
): ExpiryStatus {
  if (now.getTime() > notAfter.getTime()) return 'expired';
  if (now.getTime() < notBefore.getTime()) return 'not-yet-valid';
  const limit = isCaUsage(usage) ? thresholds.caDays : thresholds.leafDays;
  return daysLeft(notAfter, now) < limit ? 'expiring' : 'ok';
}

/** "ok (1826 d left)", "expiring (42 d left)", "expired (3 d ago)", "not yet valid". */
export function statusText(status: ExpiryStatus, days: number): string {
  switch (status) {
    case 'expired':
      return `expired (${Math.max(1, -days)} d ago)`;
    case 'not-yet-valid':
      return 'not yet valid';
    default:
      return `${status} (${days} d left)`;
  }
}
