import * as vscode from 'vscode';
import type { SinkUriCheck } from '../../core/changefeed/parse';
import type { Severity } from '../../core/changefeed/types';
import { thresholdsFromSettings } from '../model';

export interface DocSinks {
  version: number;
  checks: SinkUriCheck[];
}

const SEVERITY: Record<Severity, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error, warning: vscode.DiagnosticSeverity.Warning, info: vscode.DiagnosticSeverity.Information,
};
const DOCS = {
  sinks: 'https://www.cockroachlabs.com/docs/stable/changefeed-sinks',
  external: 'https://www.cockroachlabs.com/docs/stable/create-external-connection',
};
/** Cheap test before parsing: no sink URI can be in a document without one of these. */
const MAYBE = /kafka:\/\/|webhook-https?:\/\/|confluent_schema_registry/i;

type ParseModule = typeof import('../../core/changefeed/parse');

/** Changefeed sink URIs in open documents (SQL and any other file): their diagnostics, debounced as you type. */
export class SinkLinter implements vscode.Disposable {
  readonly diagnostics = vscode.languages.createDiagnosticCollection('cockroachTls.changefeed');
  private readonly results = new Map<string, DocSinks>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly subs: vscode.Disposable[] = [];
  private mod: ParseModule | undefined;
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  /** Fires after a document's diagnostics were updated (tests wait on it). */
  readonly onDidLint = this.emitter.event;

  constructor(private readonly log: vscode.LogOutputChannel) {
    this.subs.push(
      vscode.workspace.onDidOpenTextDocument((d) => this.schedule(d, 0)),
      vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document, 300)),
      vscode.workspace.onDidCloseTextDocument((d) => this.forget(d.uri)),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('cockroachTls')) this.relintAll();
      }),
    );
    // Embedded certificates expire with the clock.
    const tick = setInterval(() => this.relintAll(), 6 * 3_600_000);
    this.subs.push({ dispose: () => clearInterval(tick) });
    for (const d of vscode.workspace.textDocuments) this.schedule(d, 0);
  }

  checksOf(doc: vscode.TextDocument): DocSinks | undefined {
    const r = this.results.get(doc.uri.toString());
    return r && r.version === doc.version ? r : undefined;
  }

  /** Checks now (or returns the current result): used by hover and code actions. */
  async ensure(doc: vscode.TextDocument): Promise<DocSinks | undefined> {
    return this.checksOf(doc) ?? this.lint(doc);
  }

  private wanted(doc: vscode.TextDocument): boolean {
    if (!['file', 'untitled', 'vscode-remote'].includes(doc.uri.scheme)) return false;
    if (!vscode.workspace.getConfiguration('cockroachTls.changefeed', doc).get<boolean>('lint.enabled', true)) return false;
    return doc.getText().length <= vscode.workspace.getConfiguration('cockroachTls.lint', doc).get<number>('maxFileSize', 1_000_000);
  }

  private schedule(doc: vscode.TextDocument, ms: number): void {
    const key = doc.uri.toString();
    const t = this.timers.get(key);
    if (t) clearTimeout(t);
    this.timers.set(key, setTimeout(() => {
      this.timers.delete(key);
      void this.lint(doc);
    }, ms));
  }

  async lint(doc: vscode.TextDocument): Promise<DocSinks | undefined> {
    if (doc.isClosed) return undefined;
    if (!this.wanted(doc)) {
      this.forget(doc.uri);
      return undefined;
    }
    const text = doc.getText();
    let checks: SinkUriCheck[] = [];
    if (MAYBE.test(text)) {
      this.mod ??= await import('../../core/changefeed/parse');
      try {
        checks = this.mod.checkSinkUrisInText(text, { now: new Date(), thresholds: thresholdsFromSettings() });
      } catch (err) {
        this.log.error(`changefeed URIs in ${doc.uri.fsPath}: ${(err as Error).message}`);
        return undefined;
      }
    }
    if (doc.isClosed) return undefined;
    const r: DocSinks = { version: doc.version, checks };
    this.results.set(doc.uri.toString(), r);
    this.diagnostics.set(doc.uri, checks.flatMap(({ findings }) => findings.map((f) => {
      const range = f.range ?? { start: 0, end: 0 };
      const d = new vscode.Diagnostic(new vscode.Range(doc.positionAt(range.start), doc.positionAt(range.end)), f.message, SEVERITY[f.severity]);
      d.source = 'CockroachDB TLS';
      d.code = { value: f.code, target: vscode.Uri.parse(f.code === 'sink-keys-in-statement' ? DOCS.external : DOCS.sinks) };
      return d;
    })));
    this.emitter.fire(doc.uri);
    return r;
  }

  private relintAll(): void {
    for (const d of vscode.workspace.textDocuments) this.schedule(d, 50);
  }

  private forget(uri: vscode.Uri): void {
    this.results.delete(uri.toString());
    this.diagnostics.delete(uri);
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.subs.forEach((s) => s.dispose());
    this.diagnostics.dispose();
    this.emitter.dispose();
  }
}
