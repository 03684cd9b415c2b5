// What a person sees of the extension in the VS Code workbench, read with playwright-core:
// used by `npm start -- --smoke` (scripts/start.mjs) and the e2e tests (test/e2e/run.mjs).
// Selectors are those of VS Code 1.139's DOM (activity bar, custom tree view, status bar).

/** The activity bar entry of the `cockroachTls` view container. */
export const ACTIVITY_ENTRY = '.part.activitybar a.action-label[aria-label="CockroachDB TLS"]';
/** The view container in the side bar (holds the Clusters view). */
export const VIEW_CONTAINER = '[id="workbench.view.extension.cockroachTls"]';
/** The status bar item `cockroachTls.expiry` (DOM id: <extension id>.<item id>). */
export const STATUS_ITEM = '[id="cockroach-tls.cockroach-tls.cockroachTls.expiry"]';
export const TREE_ROWS = `${VIEW_CONTAINER} .monaco-list-row[role="treeitem"]`;

/** Waits until the workbench is up (activity bar and status bar drawn). */
export async function waitForWorkbench(page, { timeout = 90_000 } = {}) {
  await page.locator('.monaco-workbench .part.activitybar').waitFor({ state: 'visible', timeout });
  await page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout });
}

/** Clicks the activity bar entry unless its side bar is already showing; resolves when the container is visible. */
export async function openCockroachView(page, { timeout = 60_000 } = {}) {
  const entry = page.locator(ACTIVITY_ENTRY);
  await entry.waitFor({ state: 'visible', timeout });
  const tab = entry.locator('xpath=..'); // the <li role="tab"> holding the entry
  if ((await tab.getAttribute('aria-expanded')) !== 'true') await entry.click();
  await page.locator(VIEW_CONTAINER).waitFor({ state: 'visible', timeout });
}

/**
 * The rows of the Clusters tree as drawn: { index, level, label, description, icons (codicon
 * names), color (inline icon colour), selected, focused, ariaLabel }. Rows are in display order;
 * level 1 is a cluster, level 2 its items.
 */
export function readTree(page) {
  return page.locator(TREE_ROWS).evaluateAll((rows) =>
    rows
      .map((r) => {
        const icon = r.querySelector('.custom-view-tree-node-item-icon');
        return {
          index: Number(r.getAttribute('data-index')),
          level: Number(r.getAttribute('aria-level')),
          label: r.querySelector('.label-name')?.textContent ?? '',
          description: r.querySelector('.label-description')?.textContent ?? '',
          icons: icon ? [...icon.classList].filter((c) => c.startsWith('codicon-')).map((c) => c.slice('codicon-'.length)) : [],
          color: icon?.style.color ?? '',
          selected: r.getAttribute('aria-selected') === 'true',
          focused: r.classList.contains('focused'),
          ariaLabel: r.getAttribute('aria-label') ?? '',
        };
      })
      .sort((a, b) => a.index - b.index),
  );
}

/** Groups readTree() rows by cluster: [{ cluster: row, items: rows }]. */
export function byCluster(rows) {
  const out = [];
  for (const r of rows) {
    if (r.level === 1) out.push({ cluster: r, items: [] });
    else out.at(-1)?.items.push(r);
  }
  return out;
}

/** The locator of a row from readTree(). */
export function rowLocator(page, row) {
  return page.locator(`${TREE_ROWS}[data-index="${row.index}"]`);
}

/** Polls `probe` (async, returns a value or undefined/false) until it returns something truthy. */
export async function until(what, probe, { timeout = 30_000, interval = 100 } = {}) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v;
      last = undefined;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`timed out after ${timeout / 1000} s waiting for ${what}${last ? ` (${last.message})` : ''}`);
    await new Promise((r) => setTimeout(r, interval));
  }
}

/** Waits until the tree shows the cluster `name` with at least `minItems` items; returns byCluster() groups. */
export function waitForCluster(page, name, { minItems = 1, timeout = 60_000 } = {}) {
  return until(
    `cluster "${name}" with ${minItems}+ items in the CockroachDB TLS tree`,
    async () => {
      const groups = byCluster(await readTree(page));
      const g = groups.find((x) => x.cluster.label === name);
      return g && g.items.length >= minItems ? groups : undefined;
    },
    { timeout },
  );
}
