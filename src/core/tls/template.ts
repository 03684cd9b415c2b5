/**
 * The text templates of the error catalogue (./catalogue), which keep its entries plain data:
 *   {1}          group 1 of the pattern's match
 *   {server}     a named value (the host, the user…) or a shared text, itself a template
 *   {1|3|'x'}    the first of these that is defined
 *   {1:trim}     the value through a filter: a function, or a shared text with {$} bound to the value
 *   {{ and }}    literal braces
 * A value that is still undefined renders as ''. Unknown names and filters throw, so a test that
 * renders every entry once finds every mistake in the catalogue.
 */

export interface TemplateScope {
  /** The match: index 1 is group 1. */
  groups: readonly (string | undefined)[];
  values: Readonly<Record<string, string>>;
  texts: Readonly<Record<string, string>>;
  filters: Readonly<Record<string, (value: string) => string | undefined>>;
}

export type TemplateSource = { group: number } | { name: string } | { literal: string } | { param: true };

export interface Placeholder {
  sources: TemplateSource[];
  filters: string[];
}

export type TemplatePart = string | Placeholder;

export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

const PIECE = /\{\{|\}\}|\{([^{}]*)\}|[{}]/g;
const TOKEN = /\s*(?:(\d+)|(\$)|'([^']*)'|([A-Za-z]\w*))\s*([|:]|$)/.source;

/** The literal text and placeholders of a template, in order. */
export function parseTemplate(template: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let last = 0;
  const text = (s: string) => {
    if (!s) return;
    if (typeof parts[parts.length - 1] === 'string') parts[parts.length - 1] += s;
    else parts.push(s);
  };
  for (const m of template.matchAll(PIECE)) {
    text(template.slice(last, m.index));
    last = m.index + m[0].length;
    if (m[0] === '{{' || m[0] === '}}') text(m[0][0]);
    else if (m[1] === undefined) throw new TemplateError(`unmatched "${m[0]}" in template ${JSON.stringify(template)}`);
    else parts.push(parsePlaceholder(m[1], template));
  }
  text(template.slice(last));
  return parts;
}

function parsePlaceholder(expr: string, template: string): Placeholder {
  const p: Placeholder = { sources: [], filters: [] };
  const token = new RegExp(TOKEN, 'y');
  for (let inFilters = false; ;) {
    const at = token.lastIndex;
    const t = token.exec(expr);
    if (!t) throw new TemplateError(`cannot read "{${expr}}" at "${expr.slice(at)}" in template ${JSON.stringify(template)}`);
    const [, group, param, literal, name, sep] = t;
    if (!inFilters) p.sources.push(group !== undefined ? { group: Number(group) } : param ? { param: true } : literal !== undefined ? { literal } : { name });
    else if (name !== undefined) p.filters.push(name);
    else throw new TemplateError(`a filter must be a name, in "{${expr}}"`);
    if (sep === '') return p;
    if (sep === ':') inFilters = true;
    else if (inFilters) throw new TemplateError(`"|" after a filter, in "{${expr}}"`);
  }
}

/** Renders a template in a scope; `param` is what {$} stands for. */
export function renderTemplate(template: string, scope: TemplateScope, param?: string): string {
  return parseTemplate(template)
    .map((part) => (typeof part === 'string' ? part : (renderPlaceholder(part, scope, param) ?? '')))
    .join('');
}

function renderPlaceholder(p: Placeholder, scope: TemplateScope, param: string | undefined): string | undefined {
  let value: string | undefined;
  for (const s of p.sources) {
    value = 'group' in s ? scope.groups[s.group] : 'param' in s ? param : 'literal' in s ? s.literal : named(s.name, scope, param);
    if (value !== undefined) break;
  }
  for (const f of p.filters) {
    if (value === undefined) break;
    if (Object.hasOwn(scope.filters, f)) value = scope.filters[f](value);
    else if (Object.hasOwn(scope.texts, f)) value = renderTemplate(scope.texts[f], scope, value);
    else throw new TemplateError(`unknown filter "${f}"`);
  }
  return value;
}

function named(name: string, scope: TemplateScope, param: string | undefined): string {
  if (Object.hasOwn(scope.values, name)) return scope.values[name];
  if (Object.hasOwn(scope.texts, name)) return renderTemplate(scope.texts[name], scope, param);
  throw new TemplateError(`unknown name "${name}"`);
}
