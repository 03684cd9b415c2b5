import * as vscode from 'vscode';
import type { CertEntry } from '../core/certsdir/list';
import type { CertDetails } from '../core/pki/inspect';
import { daysLeft, expiryPhrase } from '../core/cockroach/expiry';
import { isCaUsage } from '../core/cockroach/layout';
import type { ExpiryThresholds } from '../core/cockroach/expiry';

/** Escapes text for Markdown, table cells included: file contents are never trusted as markup. */
export function md(text: string): string {
  // Enough to stop emphasis, code, links, HTML and table breaks; the rest reads as is.
  return text.replace(/[\\`*_[\]<>|~]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
}

export type Health = 'ok' | 'warning' | 'error' | 'expired' | 'problem' | 'not-yet-valid';

/** The health a certificate shows in the tree: loader problems first, then the alert thresholds. */
export function healthOf(usage: CertEntry['usage'], cert: CertDetails | undefined, errors: string[], now: Date, t: ExpiryThresholds): Health {
  if (errors.length > 0 || !cert) return 'problem';
  const notAfter = new Date(cert.notAfter);
  if (now.getTime() > notAfter.getTime()) return 'expired';
  if (now.getTime() < new Date(cert.notBefore).getTime()) return 'not-yet-valid';
  const days = daysLeft(notAfter, now);
  if (isCaUsage(usage)) return days < t.caWarningDays ? 'warning' : 'ok';
  if (days < t.leafErrorDays) return 'error';
  return days < t.leafWarningDays ? 'warning' : 'ok';
}

const KIND_ICON: Record<string, string> = {
  CA: 'workspace-trusted',
  'Client CA': 'verified',
  'UI CA': 'verified',
  'Tenant Client CA': 'verified',
  Node: 'server',
  UI: 'browser',
  Client: 'person',
  'Tenant Client': 'organization',
  Unknown: 'file',
};

const HEALTH_COLOR: Record<Health, string> = {
  ok: 'charts.green',
  warning: 'charts.yellow',
  error: 'charts.orange',
  expired: 'errorForeground',
  problem: 'errorForeground',
  'not-yet-valid': 'charts.orange',
};

/** The theme colour the tree draws a health in (certificates, and the nodes of a fleet). */
export function healthColor(health: Health): vscode.ThemeColor {
  return new vscode.ThemeColor(HEALTH_COLOR[health]);
}

export function certIcon(usage: CertEntry['usage'], health: Health): vscode.ThemeIcon {
  const id = health === 'problem' || health === 'expired' ? 'error' : (KIND_ICON[usage] ?? 'file');
  return new vscode.ThemeIcon(id, healthColor(health));
}

/** "expires in 42 d", "expired 3 d ago", "valid in 2 d". */
export function expiryText(cert: CertDetails, now: Date): string {
  return expiryPhrase(new Date(cert.notBefore), new Date(cert.notAfter), now);
}

export function lifetimeUsedPercent(cert: CertDetails, now: Date): number {
  const a = new Date(cert.notBefore).getTime();
  const b = new Date(cert.notAfter).getTime();
  return Math.min(100, Math.max(0, Math.round(((now.getTime() - a) / (b - a)) * 100)));
}

/** The hover of a certificate item: every value escaped (it comes from files). */
export function certTooltip(entry: CertEntry, cert: CertDetails | undefined, index: number, now: Date): vscode.MarkdownString {
  const m = new vscode.MarkdownString(undefined, false);
  m.isTrusted = false;
  m.supportHtml = false;
  const pos =
    entry.certs.length > 1 ? ` (certificate ${index + 1} of ${entry.certs.length}${index === 0 ? ', signs new certificates' : ', still trusted'})` : '';
  m.appendMarkdown(`**${md(entry.usage)} certificate**${md(pos)} · \`${entry.certFile.replace(/`/g, "'")}\`\n\n`);
  if (cert) {
    const rows: [string, string][] = [
      ['Subject', cert.subjectLine],
      [
        'SANs',
        [...cert.sans.dns.map((d) => `DNS:${d}`), ...cert.sans.ip.map((i) => `IP:${i}`), ...cert.sans.uri.map((u) => `URI:${u}`)].join(', ') || '(none)',
      ],
      ['Issuer', cert.issuerLine],
      ['Serial', cert.serial],
      ['SHA-256', cert.fingerprintSha256],
      ['Valid', `${cert.notBefore.slice(0, 10)} → ${cert.notAfter.slice(0, 10)} (${lifetimeUsedPercent(cert, now)} % of lifetime used)`],
      ['Status', expiryText(cert, now)],
    ];
    if (cert.extKeyUsage.length) rows.push(['Extended key usage', cert.extKeyUsage.join(', ')]);
    if (entry.keyFile) rows.push(['Key', entry.keyFile]);
    m.appendMarkdown('| | |\n|---|---|\n');
    for (const [k, v] of rows) m.appendMarkdown(`| ${md(k)} | ${md(v)} |\n`);
  }
  if (entry.errors.length) {
    m.appendMarkdown('\n**Problems**\n\n');
    for (const e of entry.errors) m.appendMarkdown(`- ${md(e)}\n`);
  }
  return m;
}
