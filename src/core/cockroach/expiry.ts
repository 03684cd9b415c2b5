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

/**
 * "ok (4 y 11 mo left)", "expiring (42 d left)", "expired (3 d ago)", "not yet valid": the span as
 * spanText writes it. `unit: 'days'` keeps whole days ("ok (1829 d left)") for the one place that
 * wants a number to compare: the Status column of the CLI's `cert list` table.
 */
export function statusText(status: ExpiryStatus, days: number, unit: 'span' | 'days' = 'span'): string {
  const span = (n: number) => (unit === 'days' ? `${Math.trunc(n)} d` : spanText(n));
  switch (status) {
    case 'expired':
      return `expired (${span(Math.max(1, -days))} ago)`;
    case 'not-yet-valid':
      return 'not yet valid';
    default:
      return `${status} (${span(days)} left)`;
  }
}

/** Days in an average Gregorian month, for "4 y 11 mo". */
const MONTH_DAYS = 365.2425 / 12;

/**
 * A span of days as people read it: up to 90 days in days ("42 d"), beyond that in years and
 * months ("4 y 11 mo", "6 mo", "10 y"), rounded down. The sign is the caller's ("expired … ago").
 */
export function spanText(days: number): string {
  const n = Math.abs(Math.trunc(days));
  if (n <= 90) return `${n} d`;
  const months = Math.floor(n / MONTH_DAYS);
  const y = Math.floor(months / 12);
  const mo = months % 12;
  return [y ? `${y} y` : '', mo ? `${mo} mo` : ''].filter(Boolean).join(' ');
}

/** "expires in 4 y 11 mo", "expires in 19 d", "expired 3 d ago", "valid in 2 d": the editor's and the alerts' wording. */
export function expiryPhrase(notBefore: Date, notAfter: Date, now: Date): string {
  if (now.getTime() > notAfter.getTime()) return `expired ${spanText(Math.max(1, -daysLeft(notAfter, now)))} ago`;
  if (now.getTime() < notBefore.getTime()) return `valid in ${spanText(Math.ceil((notBefore.getTime() - now.getTime()) / DAY_MS))}`;
  return `expires in ${spanText(daysLeft(notAfter, now))}`;
}
