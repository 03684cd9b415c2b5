import * as vscode from 'vscode';
import type { SinkUriCheck } from '../../core/changefeed/inText';
import { settings } from '../config';
import { DocumentLinter, LINTED_SCHEMES, LintDiagnostic } from '../doclint/linter';

export interface DocSinks {
  checks: SinkUriCheck[];
}

const DOCS = {
  sinks: 'https://www.cockroachlabs.com/docs/stable/changefeed-sinks',
  external: 'https://www.cockroachlabs.com/docs/stable/create-external-connection',
};
/** Cheap test before parsing: no sink URI can be in a document without one of these. */
const MAYBE = /kafka:\/\/|webhook-https?:\/\/|confluent_schema_registry/i;

type ParseModule = typeof import('../../core/changefeed/inText');

/** Changefeed sink URIs in open documents (SQL and any other file): their diagnostics, debounced as you type. */
export class SinkLinter extends DocumentLinter<DocSinks> {
  private mod: ParseModule | undefined;

  constructor(log: vscode.LogOutputChannel) {
    super('cockroachTls.changefeed', 'changefeed URIs in', log);
    // Embedded certificates expire with the clock.
    const tick = setInterval(() => this.relintAll(), 6 * 3_600_000);
    this.subs.push({ dispose: () => clearInterval(tick) });
  }

  protected wanted(doc: vscode.TextDocument): boolean {
    if (!LINTED_SCHEMES.has(doc.uri.scheme)) return false;
    const s = settings(doc);
    return s.changefeedLintEnabled && doc.getText().length <= s.lintMaxFileSize;
  }

  protected async check(_doc: vscode.TextDocument, text: string): Promise<DocSinks> {
    if (!MAYBE.test(text)) return { checks: [] };
    this.mod ??= await import('../../core/changefeed/inText');
    return { checks: this.mod.checkSinkUrisInText(text, { now: new Date(), thresholds: settings().expiryThresholds }) };
  }

  protected diagnosticsOf(r: DocSinks): LintDiagnostic[] {
    return r.checks.flatMap(({ findings }) =>
      findings.map((f) => ({
        start: f.range?.start ?? 0,
        end: f.range?.end ?? 0,
        message: f.message,
        severity: f.severity,
        code: f.code,
        docs: f.code === 'sink-keys-in-statement' ? DOCS.external : DOCS.sinks,
      })),
    );
  }
}
