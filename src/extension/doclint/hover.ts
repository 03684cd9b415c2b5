import * as vscode from 'vscode';
import type { DocumentLinter } from './linter';

export interface Span {
  start: number;
  end: number;
}

/** Markdown built from file contents and user text: never trusted, no HTML. */
export function plainMarkdown(): vscode.MarkdownString {
  const m = new vscode.MarkdownString(undefined, false);
  m.isTrusted = false;
  m.supportHtml = false;
  return m;
}

/** The hover over one thing a linter found (a connection string, a sink URI): its Markdown over its span. */
export abstract class LintHover<R, H> implements vscode.HoverProvider {
  constructor(protected readonly linter: DocumentLinter<R>) {}

  /** What the result holds that can be hovered, each with its span in the text. */
  protected abstract hits(result: R): { span: Span; hit: H }[];
  protected abstract markdown(hit: H, result: R): vscode.MarkdownString;

  async provideHover(doc: vscode.TextDocument, pos: vscode.Position): Promise<vscode.Hover | undefined> {
    const r = await this.linter.ensure(doc);
    if (!r) return undefined;
    const offset = doc.offsetAt(pos);
    const found = this.hits(r).find(({ span }) => span.start <= offset && offset <= span.end);
    if (!found) return undefined;
    return new vscode.Hover(this.markdown(found.hit, r), new vscode.Range(doc.positionAt(found.span.start), doc.positionAt(found.span.end)));
  }
}
