import * as vscode from 'vscode';
import { ExpiryAlert, alertKey, newAlerts, soonest, summaryMessage, WatchedCert } from '../core/monitor/expiry';
import { daysLeft } from '../core/cockroach/expiry';
import type { ClusterModel } from './model';
import type { CommandId } from './commandIds';
import { settings } from './config';
import { expiryText } from './certView';
import type { CertNode, ClusterTree } from './tree';
import type { CertDetails } from '../core/pki/inspect';

const SHOWN_KEY = 'cockroachTls.alertsShown';
/** How long the listing must be quiet before the summary notification shows. */
const NOTIFY_SETTLE_MS = 1_000;
const MUTED_KEY = 'cockroachTls.alertsMuted';

interface Watched extends WatchedCert {
  node: CertNode;
  cert: CertDetails;
}

/**
 * The status bar item (soonest expiry across all clusters; click reveals it) and expiry
 * notifications: one summary per refresh of what newly needs attention, each certificate and
 * threshold once, with "Don't show again".
 */
export class ExpiryMonitor implements vscode.Disposable {
  readonly item: vscode.StatusBarItem;
  private soonestId: string | undefined;
  private notifyTimer: NodeJS.Timeout | undefined;
  /** The alerts shown so far in this session (read by the in-editor tests). */
  readonly shownAlerts: { level: string; message: string; certId: string }[] = [];
  /** The notifications shown so far: one summary per refresh (read by the in-editor tests). */
  readonly notifications: { level: string; message: string }[] = [];
  private readonly subs: vscode.Disposable[] = [];

  constructor(
    private readonly context: vscode.ExtensionContext,
    model: ClusterModel,
    private readonly tree: ClusterTree,
    private readonly view: vscode.TreeView<unknown>,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.item = vscode.window.createStatusBarItem('cockroachTls.expiry', vscode.StatusBarAlignment.Left, 10);
    this.item.name = 'CockroachDB TLS: soonest certificate expiry';
    this.item.command = 'cockroachTls.revealSoonest' satisfies CommandId;
    this.subs.push(
      model.onDidChange(() => this.update()),
      { dispose: () => clearTimeout(this.notifyTimer) },
    );
    this.update();
  }

  private watched(): Watched[] {
    return this.tree.allCertNodes().flatMap((node) => {
      const c = node.cert;
      if (!c) return [];
      const e = node.entry;
      const label = `${node.parent.state.cluster.name}: ${e.usage === 'Client' ? `client ${e.name}` : e.usage}${e.certs.length > 1 ? ` (${node.index + 1} of ${e.certs.length})` : ''}`;
      return [{ id: c.fingerprintSha256, usage: e.usage, label, notAfter: new Date(c.notAfter), node, cert: c }];
    });
  }

  update(): void {
    const now = new Date();
    const certs = this.watched();
    const first = soonest(certs);
    if (!first) {
      this.soonestId = undefined;
      this.item.hide();
      return;
    }
    this.soonestId = first.node.id;
    const t = settings().expiryThresholds;
    const text = expiryText(first.cert, now);
    const days = daysLeft(first.notAfter, now);
    const expired = first.notAfter.getTime() < now.getTime();
    const leafUrgent = first.usage !== 'CA' && first.usage !== 'Client CA' && days < t.leafErrorDays;
    this.item.text = `$(${expired || leafUrgent ? 'error' : 'workspace-trusted'}) ${first.label.split(': ').slice(1).join(': ') || first.label} ${text.replace('expires in ', '')}`;
    this.item.tooltip = `Soonest certificate expiry: ${first.label} ${text} (${first.notAfter.toISOString().slice(0, 10)}). Click to show it.`;
    this.item.backgroundColor =
      expired || leafUrgent
        ? new vscode.ThemeColor('statusBarItem.errorBackground')
        : days < (first.usage === 'CA' ? t.caWarningDays : t.leafWarningDays)
          ? new vscode.ThemeColor('statusBarItem.warningBackground')
          : undefined;
    this.item.show();
    // Listings come in bursts (files written one by one, a refresh): one summary after the burst.
    clearTimeout(this.notifyTimer);
    this.notifyTimer = setTimeout(() => this.notify(this.watched(), new Date()), NOTIFY_SETTLE_MS);
  }

  /**
   * One summary notification per refresh, listing what needs attention (most urgent first), with
   * "Show" (the one certificate, or a pick of them) and "Don't Show Again" (mutes those listed).
   */
  private notify(certs: Watched[], now: Date): void {
    const s = settings();
    if (!s.expiryNotifications) return;
    const shown = new Set(this.context.globalState.get<string[]>(SHOWN_KEY, []));
    const muted = new Set(this.context.globalState.get<string[]>(MUTED_KEY, []));
    const alerts = newAlerts(certs, now, shown, muted, s.expiryThresholds);
    if (alerts.length === 0) return;
    for (const a of alerts) shown.add(alertKey(a));
    void this.context.globalState.update(SHOWN_KEY, [...shown]);
    for (const a of alerts) {
      this.log[a.level === 'error' ? 'error' : 'warn'](a.message);
      this.shownAlerts.push({ level: a.level, message: a.message, certId: a.cert.id });
    }
    const level = alerts.some((a) => a.level === 'error') ? 'error' : 'warning';
    const message = summaryMessage(alerts.map((a) => a.message));
    this.notifications.push({ level, message });
    const show = level === 'error' ? vscode.window.showErrorMessage : vscode.window.showWarningMessage;
    const showLabel = alerts.length === 1 ? 'Show' : 'Show…';
    void show(message, showLabel, "Don't Show Again").then(async (choice) => {
      if (choice === showLabel) {
        const node = alerts.length === 1 ? (alerts[0].cert as Watched).node : await this.pick(alerts);
        if (node) await this.reveal(node.id);
      }
      if (choice === "Don't Show Again") {
        const m = new Set(this.context.globalState.get<string[]>(MUTED_KEY, []));
        for (const a of alerts) m.add(a.cert.id);
        await this.context.globalState.update(MUTED_KEY, [...m]);
      }
    });
  }

  private async pick(alerts: ExpiryAlert[]): Promise<CertNode | undefined> {
    const items = alerts.map((a) => ({
      label: `$(${a.level === 'error' ? 'error' : 'warning'}) ${a.cert.label}`,
      detail: a.message,
      node: (a.cert as Watched).node,
    }));
    return (
      await vscode.window.showQuickPick(items, {
        title: vscode.l10n.t('CockroachDB TLS: certificates that need attention'),
        placeHolder: vscode.l10n.t('Reveal in the tree'),
      })
    )?.node;
  }

  private async reveal(id: string): Promise<void> {
    const node = this.tree.find(id);
    if (node) await this.view.reveal(node, { select: true, focus: true, expand: true });
  }

  async revealSoonest(): Promise<void> {
    if (this.soonestId) await this.reveal(this.soonestId);
  }

  dispose(): void {
    this.item.dispose();
    this.subs.forEach((s) => s.dispose());
  }
}
