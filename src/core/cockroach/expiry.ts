/** Expiry: the status of a certificate by its dates and the thresholds (CockroachDB's guidance), shared by every feature. */
import { Usage, isCaUsage } from './layout';

export type ExpiryStatus = 'ok' | 'expiring' | 'expired' | 'not-yet-valid';

/** The one set of expiry thresholds, in days, for every status, warning and alert (the tree, lint, list, notifications). */
export interface ExpiryThresholds {
  /** A CA is "expiring" with fewer days left than this (CockroachDB guidance: plan CA rotation a year ahead). */
  caWarningDays: number;
  /** A node, UI or client cert is "expiring" with fewer days left than this (guidance: schedule at 90 days). */
  leafWarningDays: number;
  /** ...and needs rotating now with fewer than this (guidance: 30 days). */
  leafErrorDays: number;
}

export const DEFAULT_THRESHOLDS: ExpiryThresholds = { caWarningDays: 365, leafWarningDays: 90, leafErrorDays: 30 };

const DAY_MS = 86_400_000;

/** Whole days from now to notAfter, counted toward zero: 42.9 → 42 left, 3.2 days ago → -3. */
export function daysLeft(notAfter: Date, now: Date): number {
  return Math.trunc((notAfter.getTime() - now.getTime()) / DAY_MS) || 0;
}

export function expiryStatus(usage: Usage, notBefore: Date, notAfter: Date, now: Date, thresholds: ExpiryThresholds = DEFAULT_THRESHOLDS): ExpiryStatus {
  if (now.getTime() > notAfter.getTime()) return 'expired';
  if (now.getTime() < notBefore.getTime()) return 'not-yet-valid';
  const limit = isCaUsage(usage) ? thresholds.caWarningDays : thresholds.leafWarningDays;
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
