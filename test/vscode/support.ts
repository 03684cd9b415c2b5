import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { Api } from '../../src/extension/extension';
import type { Node } from '../../src/extension/tree';

export const EXTENSION_ID = 'cockroach-tls.cockroach-tls';

export async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function api(): Promise<Api> {
  const ext = vscode.extensions.getExtension<Api>(EXTENSION_ID);
  assert.ok(ext);
  const a = await ext.activate();
  await a.ready;
  return a;
}

export type Answer = string | { pick: string };

/**
 * Answers the extension's quick inputs one after the other as a person would: the value typed
 * into an input box, or the item chosen in a quick pick, then Enter (the workbench's accept).
 */
export function answerInputs(a: Api, answers: Answer[]): Promise<void> {
  const queue = [...answers];
  return new Promise((resolve, reject) => {
    const sub = a.testing.onDidShowInput((q) => {
      const next = queue.shift();
      if (next === undefined) {
        sub.dispose();
        reject(new Error(`an unexpected input was shown: ${q.title ?? ''} step ${q.step ?? '?'}`));
        return;
      }
      setTimeout(() => {
        void (async () => {
          try {
            if ('items' in q) {
              const want = typeof next === 'string' ? next : next.pick;
              const item = q.items.find((i) => i.label.includes(want));
              assert.ok(item, `no item "${want}" in ${q.items.map((i) => i.label).join(', ')}`);
              q.activeItems = [item];
            } else {
              assert.equal(typeof next, 'string', `step ${q.step} is an input box`);
              q.value = next as string;
            }
            await new Promise((r) => setTimeout(r, 50));
            await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
            if (queue.length === 0) {
              sub.dispose();
              resolve();
            }
          } catch (err) {
            sub.dispose();
            reject(err);
          }
        })();
      }, 100);
    });
  });
}

export function items(a: Api, parent?: Node): { node: Node; item: vscode.TreeItem }[] {
  return a.tree.getChildren(parent).map((node) => ({ node, item: a.tree.getTreeItem(node) }));
}

export function label(item: vscode.TreeItem): string {
  return typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
}

export function tooltipText(item: vscode.TreeItem): string {
  return item.tooltip instanceof vscode.MarkdownString ? item.tooltip.value : String(item.tooltip ?? '');
}

/** The theme colour id of an item's icon (ThemeColor.id exists at run time; older typings omit it). */
export function colorId(item: vscode.TreeItem | undefined): string | undefined {
  const icon = item?.iconPath as vscode.ThemeIcon | undefined;
  return (icon?.color as unknown as { id?: string } | undefined)?.id;
}
