#!/usr/bin/env node
// npm run l10n: writes l10n/bundle.l10n.json, the English bundle of every runtime string the
// extension shows (each `vscode.l10n.t('…')` in src/extension), VS Code's convention for adding
// translations (bundle.l10n.<locale>.json) without code changes. `--check` fails when the
// bundle is out of date. `--wrap FILE...` routes a file's literal UI strings (notification
// messages, titles, prompts, placeholders, dialog labels) through vscode.l10n.t.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const root = new URL('..', import.meta.url).pathname;
const srcDir = join(root, 'src', 'extension');
const bundleFile = join(root, 'l10n', 'bundle.l10n.json');

function files(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

const isL10nCall = (n) =>
  ts.isCallExpression(n) &&
  ts.isPropertyAccessExpression(n.expression) &&
  n.expression.name.text === 't' &&
  ts.isPropertyAccessExpression(n.expression.expression) &&
  n.expression.expression.name.text === 'l10n';

/** The message of a vscode.l10n.t call: its first argument, a string literal. */
export function extract(text, file) {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const out = [];
  const visit = (n) => {
    if (isL10nCall(n)) {
      const a = n.arguments[0];
      if (!a || !(ts.isStringLiteral(a) || ts.isNoSubstitutionTemplateLiteral(a)))
        throw new Error(`${relative(root, file)}:${sf.getLineAndCharacterOfPosition(n.getStart()).line + 1}: vscode.l10n.t needs a literal message`);
      out.push(a.text);
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

const UI_PROPS = new Set(['title', 'prompt', 'placeHolder', 'placeholder', 'openLabel', 'saveLabel']);
const MESSAGE_CALLS = new Set(['showInformationMessage', 'showWarningMessage', 'showErrorMessage']);

/** `'text'` → vscode.l10n.t('text'); `a ${x} b` → vscode.l10n.t('a {0} b', x). Strings holding braces are left alone. */
function wrapped(node, text) {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
    if (/[{}]/.test(node.text) || !/[A-Za-z]/.test(node.text)) return undefined;
    return `vscode.l10n.t(${JSON.stringify(node.text)})`;
  }
  if (ts.isTemplateExpression(node)) {
    const parts = [node.head.text, ...node.templateSpans.map((s) => s.literal.text)];
    if (parts.some((p) => /[{}]/.test(p)) || !/[A-Za-z]/.test(parts.join(''))) return undefined;
    let msg = node.head.text;
    node.templateSpans.forEach((s, i) => (msg += `{${i}}${s.literal.text}`));
    return `vscode.l10n.t(${JSON.stringify(msg)}, ${node.templateSpans.map((s) => text.slice(s.expression.getStart(), s.expression.getEnd())).join(', ')})`;
  }
  return undefined;
}

function wrap(file) {
  const text = readFileSync(file, 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const edits = [];
  const visit = (n) => {
    if (isL10nCall(n)) return;
    let target;
    if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && MESSAGE_CALLS.has(n.expression.name.text)) target = n.arguments[0];
    if ((ts.isPropertyAssignment(n) || ts.isVariableDeclaration(n)) && n.name && ts.isIdentifier(n.name) && UI_PROPS.has(n.name.text)) target = n.initializer;
    const targets = target && ts.isConditionalExpression(target) ? [target.whenTrue, target.whenFalse] : target ? [target] : [];
    for (const t of targets) {
      const w = wrapped(t, text);
      if (w) edits.push({ start: t.getStart(), end: t.getEnd(), text: w });
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  let out = text;
  for (const e of edits.sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  if (edits.length && !/import \* as vscode from 'vscode'/.test(out)) {
    // After the leading comment, before the first import.
    const first = out.search(/^import /m);
    out = out.slice(0, first) + "import * as vscode from 'vscode';\n" + out.slice(first);
  }
  if (edits.length) writeFileSync(file, out);
  return edits.length;
}

const args = process.argv.slice(2);
if (args[0] === '--wrap') {
  for (const f of args.slice(1)) console.log(`${relative(root, f)}: ${wrap(f)} strings`);
  process.exit(0);
}
const messages = [...new Set(files(srcDir).flatMap((f) => extract(readFileSync(f, 'utf8'), f)))].sort();
const bundle = JSON.stringify(Object.fromEntries(messages.map((m) => [m, m])), null, 2) + '\n';
if (args[0] === '--check') {
  let current = '';
  try {
    current = readFileSync(bundleFile, 'utf8');
  } catch {
    // missing: out of date
  }
  if (current !== bundle) {
    console.error('l10n/bundle.l10n.json is out of date: run npm run l10n.');
    process.exit(1);
  }
  console.log(`l10n/bundle.l10n.json: ${messages.length} messages, up to date`);
} else {
  writeFileSync(bundleFile, bundle);
  console.log(`l10n/bundle.l10n.json: ${messages.length} messages`);
}
