import * as vscode from 'vscode';
import { errMessage } from '../../core/errors';
import { affects } from '../config';

/** The source of every diagnostic the extension reports (code actions pick theirs by it). */
export const DIAGNOSTIC_SOURCE = 'CockroachDB TLS';

export type LintSeverity = 'error' | 'warning' | 'info';

const SEVERITY: Record<LintSeverity, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

/** One finding as a diagnostic: offsets into the text, the rule code and the page that explains it. */
export interface LintDiagnostic {
  start: number;
  end: number;
  message: string;
  severity: LintSeverity;
  code: string;
  docs: string;
}

/** The rule code of a diagnostic, whichever form VS Code keeps it in. */
export function codeOf(d: vscode.Diagnostic): string {
  return typeof d.code === 'object' ? String(d.code.value) : String(d.code ?? '');
}

/** Editor schemes whose documents are checked (not output panes, git views, our own result documents). */
export const LINTED_SCHEMES: ReadonlySet<string> = new Set(['file', 'untitled', 'vscode-remote']);

/**
 * What the connection-string and sink-URI linters share: a result per open document, kept for
 * its version (hover, code actions and lenses reuse it), computed debounced as you type and again
 * when our settings change, and published as diagnostics.
 */
export abstract class DocumentLinter<R> implements vscode.Disposable {
  readonly diagnostics: vscode.DiagnosticCollection;
  private readonly results = new Map<string, { version: number; result: R }>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  protected readonly subs: vscode.Disposable[] = [];
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  /** Fires after a document's diagnostics were updated (tests wait on it). */
  readonly onDidLint = this.emitter.event;

  /** `what` starts the log line of a failed check: "lint", "changefeed URIs in". */
  constructor(
    collection: string,
    private readonly what: string,
    protected readonly log: vscode.LogOutputChannel,
  ) {
    this.diagnostics = vscode.languages.createDiagnosticCollection(collection);
    this.subs.push(
      vscode.workspace.onDidOpenTextDocument((d) => this.schedule(d, 0)),
      vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document, 300)),
      vscode.workspace.onDidCloseTextDocument((d) => this.forget(d.uri)),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (affects(e)) this.relintAll();
      }),
    );
    // Timers: the subclass's fields are set before the first check runs.
    for (const d of vscode.workspace.textDocuments) this.schedule(d, 0);
  }

  /** Whether this document is checked at all (settings, scheme, size). */
  protected abstract wanted(doc: vscode.TextDocument): boolean;
  /** Checks the text of a document (an exception is logged and leaves the old result). */
  protected abstract check(doc: vscode.TextDocument, text: string): Promise<R>;
  /** The result's findings, as diagnostics. */
  protected abstract diagnosticsOf(result: R): LintDiagnostic[];

  /** The result for the document's current version, if it was checked. */
  current(doc: vscode.TextDocument): R | undefined {
    const r = this.results.get(doc.uri.toString());
    return r && r.version === doc.version ? r.result : undefined;
  }

  /** The current result, or a check now: used by hover, code actions and lenses. */
  async ensure(doc: vscode.TextDocument): Promise<R | undefined> {
    return this.current(doc) ?? this.lint(doc);
  }

  async lint(doc: vscode.TextDocument): Promise<R | undefined> {
    if (doc.isClosed) return undefined;
    if (!this.wanted(doc)) {
      this.forget(doc.uri);
      return undefined;
    }
    const version = doc.version;
    let result: R;
    try {
      result = await this.check(doc, doc.getText());
    } catch (err) {
      this.log.error(`${this.what} ${doc.uri.fsPath}: ${errMessage(err)}`);
      return undefined;
    }
    if (doc.isClosed) return undefined;
    this.results.set(doc.uri.toString(), { version, result });
    this.diagnostics.set(
      doc.uri,
      this.diagnosticsOf(result).map((f) => {
        const d = new vscode.Diagnostic(new vscode.Range(doc.positionAt(f.start), doc.positionAt(f.end)), f.message, SEVERITY[f.severity]);
        d.source = DIAGNOSTIC_SOURCE;
        d.code = { value: f.code, target: vscode.Uri.parse(f.docs) };
        return d;
      }),
    );
    this.emitter.fire(doc.uri);
    return result;
  }

  protected schedule(doc: vscode.TextDocument, ms: number): void {
    const key = doc.uri.toString();
    const t = this.timers.get(key);
    if (t) clearTimeout(t);
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        void this.lint(doc);
      }, ms),
    );
  }

  protected relintAll(): void {
    for (const d of vscode.workspace.textDocuments) this.schedule(d, 50);
  }

  /** Checks again, soon, the open documents whose last result matches. */
  protected relintWhere(pred: (result: R) => boolean, ms: number): void {
    for (const d of vscode.workspace.textDocuments) {
      const r = this.results.get(d.uri.toString());
      if (r && pred(r.result)) this.schedule(d, ms);
    }
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
