/** Sink URIs in a document (CREATE CHANGEFEED, CREATE EXTERNAL CONNECTION, config files): where they are, their checks, the quick fix. */
import { SinkFinding, SinkType, Span, TextEdit } from './types';
import { ParseOptions, ParsedSink, UriContext, parseSinkUri } from './parse';

/** A sink URI found in a document. */
export interface FoundSinkUri {
  type: SinkType;
  /** The URI itself (SQL quotes undoubled). */
  uri: string;
  /** Where its text is in the document. */
  span: Span;
  /** The quote around it, if any. */
  quote?: "'" | '"' | '`';
  /** Offsets into `uri` of quotes written doubled in the document (`''`). */
  escapes: number[];
  context: UriContext;
  /** Start of the enclosing statement (after the previous `;`), for the external-connection quick fix. */
  statementStart: number;
}

const URI_START = /\b(kafka|webhook-https?):\/\//gi;
const REGISTRY = /\bconfluent_schema_registry\s*=\s*(['"]?)(https?:\/\/)/gi;

function statementOf(text: string, at: number): { context: UriContext; start: number } {
  const semi = text.lastIndexOf(';', at - 1);
  let start = semi + 1;
  const head = text.slice(start, at);
  const m = /\bCREATE\s+(CHANGEFEED|EXTERNAL\s+CONNECTION)\b/i.exec(head);
  if (!m) return { context: 'other', start };
  start += m.index;
  return { context: /^CHANGEFEED$/i.test(m[1]) ? 'create-changefeed' : 'create-external-connection', start };
}

/** Reads the URI starting at `start`: to the closing quote (SQL: `''` is a quote), or to whitespace or a delimiter when unquoted. */
function readUri(text: string, start: number, quote: string | undefined): { end: number; uri: string; escapes: number[] } {
  const escapes: number[] = [];
  let uri = '';
  let i = start;
  if (quote) {
    while (i < text.length) {
      const c = text[i];
      if (c === '\n') break;
      if (c === quote) {
        if (quote === "'" && text[i + 1] === "'") {
          escapes.push(uri.length);
          uri += "'";
          i += 2;
          continue;
        }
        break;
      }
      uri += c;
      i++;
    }
  } else {
    while (i < text.length && !/[\s'"`<>()[\]{}\\]/.test(text[i])) uri += text[i++];
  }
  return { end: i, uri, escapes };
}

/** Kafka, webhook and schema registry (confluent_schema_registry = '...') URIs in any text, with their spans. */
export function findSinkUris(text: string): FoundSinkUri[] {
  const found: FoundSinkUri[] = [];
  const push = (start: number, type: SinkType) => {
    const before = text[start - 1];
    const quote = before === "'" || before === '"' || before === '`' ? before : undefined;
    const { end, uri, escapes } = readUri(text, start, quote);
    const st = statementOf(text, start);
    found.push({ type, uri, span: { start, end }, quote, escapes, context: st.context, statementStart: st.start });
  };
  for (const m of text.matchAll(URI_START)) {
    push(m.index as number, m[1].toLowerCase() === 'kafka' ? 'kafka' : 'webhook');
  }
  for (const m of text.matchAll(REGISTRY)) {
    push((m.index as number) + m[0].length - m[2].length, 'schema-registry');
  }
  return found.sort((a, b) => a.span.start - b.span.start);
}

/** Maps an offset in a found URI to the document (doubled quotes take two characters there). */
export function uriToTextOffset(f: FoundSinkUri, offset: number): number {
  return f.span.start + offset + f.escapes.filter((e) => e < offset).length;
}

function mapFinding(f: FoundSinkUri, finding: SinkFinding): SinkFinding {
  const map = (s: Span): Span => ({ start: uriToTextOffset(f, s.start), end: uriToTextOffset(f, s.end) });
  const escapeQuotes = (t: string) => (f.quote === "'" ? t.replace(/'/g, "''") : t);
  return {
    ...finding,
    range: finding.range ? map(finding.range) : f.span,
    fixes: finding.fixes?.map((x) => ({ ...x, edits: x.edits.map((e) => ({ ...map(e), newText: escapeQuotes(e.newText) })) })),
  };
}

/** A connection name not yet used in the document: kafka_sink, kafka_sink_2, ... */
function freshName(text: string, type: SinkType): string {
  const base = type === 'schema-registry' ? 'schema_registry' : `${type}_sink`;
  for (let n = 1; ; n++) {
    const name = n === 1 ? base : `${base}_${n}`;
    if (!new RegExp(`\\b${name}\\b`).test(text)) return name;
  }
}

/** Edits that move the URI into CREATE EXTERNAL CONNECTION before the statement and point the changefeed at it. */
export function externalConnectionFix(text: string, f: FoundSinkUri, name = freshName(text, f.type)): TextEdit[] {
  const literal = text.slice(f.span.start, f.span.end);
  const lineStart = text.lastIndexOf('\n', f.statementStart - 1) + 1;
  const indent = /^[ \t]*/.exec(text.slice(lineStart, f.statementStart))?.[0] ?? '';
  return [
    { start: f.statementStart, end: f.statementStart, newText: `CREATE EXTERNAL CONNECTION ${name} AS '${literal}';\n${indent}` },
    { start: f.span.start, end: f.span.end, newText: `external://${name}` },
  ];
}

export interface SinkUriCheck {
  found: FoundSinkUri;
  parsed: ParsedSink;
  /** Ranges and fix edits in document offsets. */
  findings: SinkFinding[];
}

/** Finds and checks every sink URI in a document: what the editor's hover and diagnostics show. */
export function checkSinkUrisInText(text: string, opts: Omit<ParseOptions, 'context'> = {}): SinkUriCheck[] {
  return findSinkUris(text).map((found) => {
    const parsed = parseSinkUri(found.uri, { ...opts, context: found.context });
    const findings = parsed.findings.map((x) => mapFinding(found, x));
    for (const x of findings) {
      if (x.code === 'sink-keys-in-statement' && found.quote === "'") {
        x.fixes = [{ title: 'Move the URI into CREATE EXTERNAL CONNECTION', kind: 'edit', edits: externalConnectionFix(text, found) }];
      }
    }
    return { found, parsed, findings };
  });
}
