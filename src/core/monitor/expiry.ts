import { Usage, isCaUsage } from '../cockroach/layout';
import { DEFAULT_THRESHOLDS, ExpiryThresholds, daysLeft, spanText } from '../cockroach/expiry';

export interface WatchedCert {
  /** Stable identity of this certificate (its SHA-256 fingerprint): a re-issued cert alerts again. */
  id: string;
  usage: Usage;
  label: string;
  notAfter: Date;
}

export type AlertLevel = 'warning' | 'error';

export interface ExpiryAlert {
  cert: WatchedCert;
  /** Which threshold fired: shown once per certificate and threshold. */
  threshold: 'expired' | 'error' | 'warning';
  level: AlertLevel;
  daysLeft: number;
  message: string;
}

/** The most urgent threshold a certificate has crossed, if any. */
export function alertFor(cert: WatchedCert, now: Date, t: ExpiryThresholds = DEFAULT_THRESHOLDS): ExpiryAlert | undefined {
  const days = daysLeft(cert.notAfter, now);
  const expired = now.getTime() > cert.notAfter.getTime();
  const when = expired ? `expired ${spanText(Math.max(1, -days))} ago` : `expires in ${spanText(days)}`;
  if (expired) {
    return {
      cert,
      threshold: 'expired',
      level: 'error',
      daysLeft: days,
      message: `${cert.label} ${when}: connections using it fail now; ${isCaUsage(cert.usage) ? 'rotate the CA' : 'issue it again'}.`,
    };
  }
  if (isCaUsage(cert.usage)) {
    if (days < t.caWarningDays) {
      return {
        cert,
        threshold: 'warning',
        level: 'warning',
        daysLeft: days,
        message: `${cert.label} ${when}: plan the CA rotation (new CA into a combined ca.crt, then re-issue node and client certs).`,
      };
    }
    return undefined;
  }
  if (days < t.leafErrorDays) return { cert, threshold: 'error', level: 'error', daysLeft: days, message: `${cert.label} ${when}: rotate it now.` };
  if (days < t.leafWarningDays)
    return { cert, threshold: 'warning', level: 'warning', daysLeft: days, message: `${cert.label} ${when}: schedule its rotation.` };
  return undefined;
}

/** The alerts not yet shown: each certificate alerts once per threshold, never after "Don't show again". */
export function newAlerts(
  certs: WatchedCert[],
  now: Date,
  shown: ReadonlySet<string>,
  muted: ReadonlySet<string>,
  t: ExpiryThresholds = DEFAULT_THRESHOLDS,
): ExpiryAlert[] {
  const out: ExpiryAlert[] = [];
  for (const c of certs) {
    if (muted.has(c.id)) continue;
    const a = alertFor(c, now, t);
    if (a && !shown.has(alertKey(a))) out.push(a);
  }
  return out.sort((a, b) => a.daysLeft - b.daysLeft);
}

export function alertKey(a: ExpiryAlert): string {
  return `${a.cert.id}:${a.threshold}`;
}

/** The certificate that expires first (for the status bar). */
export function soonest<T extends { notAfter: Date }>(certs: T[]): T | undefined {
  let best: T | undefined;
  for (const c of certs) if (!best || c.notAfter.getTime() < best.notAfter.getTime()) best = c;
  return best;
}

/** How many alerts a summary notification lists before it only counts the rest. */
const LISTED = 4;

/** "3 certificates need attention: A B C", the first LISTED, then "and N more". */
export function summaryMessage(messages: string[]): string {
  if (messages.length === 1) return messages[0];
  const listed = messages.slice(0, LISTED).join(' ');
  const more = messages.length > LISTED ? ` And ${messages.length - LISTED} more.` : '';
  return `${messages.length} certificates need attention: ${listed}${more}`;
}
