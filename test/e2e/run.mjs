// End-to-end UI tests: what a person sees of the extension in a real VS Code (1.139, web
// workbench from the VS Code server in test/vscode-server) driven by headless Chromium through
// playwright-core, with clicks, hovers and the keyboard. Screenshots of every step go to
// test-artifacts/e2e/*.png.
//
//   node test/e2e/run.mjs [--dev] [--skip-package]
//
// By default the extension is packaged (`npm run package`: build + dist/cockroach-tls.vsix) and
// installed into the server with its own --install-extension, then the workbench is opened on the
// demo workspace of `npm start` (scripts/demo/workspace.mjs: a cluster in settings, a second one
// with an expiring node and an expired client certificate, sample connection strings, the Cloud
// API stand-in with two clusters, a two-node fleet of PostgreSQL + sshd on loopback ports), by its
// plain URL, as a person opens it. Needs PostgreSQL's binaries, OpenSSH's sshd and the Cloud spec.
// Steps (each a screenshot): 01 the activity bar entry and its SVG icon; 02 a click opens the
// Clusters view (labels, descriptions, codicons, health colours); 03 the expiry notifications
// (toasts and the notification center); 04 a certificate's hover (Subject, SANs, SHA-256 checked
// against the file); 05 the status bar item and its hover; 06 clicking it selects the expired
// certificate; 07 ArrowUp + Enter in the tree opens Inspect Certificate; 08 F1 and the "Show Soonest
// Expiring Certificate" command; 09 app/.env opened from the Explorer lists its bad connection
// strings in the Problems panel; 09b a client certificate's menu opens the changefeed builder, typed
// fields give the masked URI and the SQL; 09a hovering a connection string in app/.env shows its
// parameters and its expired client certificate; 09c Set Cloud API Key (a password box) lists the
// Cloud clusters in the tree; 09d the fleet's menu in the tree: Rotate Node Certificates (CA, key, the plan's
// dialog, Apply), then each node serves a new certificate (read with openssl s_client); then, on an empty folder, 10 the welcome view's Add Cluster and
// Create CA buttons, 11 Add Cluster's first question.
//   --dev           load the extension under development from the repo (extensionDevelopmentPath,
//                   as scripts/vscode/run-tests.mjs does; needs the smoke-test driver, with which
//                   notifications do not pop up as toasts: that check then reads the
//                   notification center only). Builds nothing: run `npm run build` first.
//   --skip-package  install the existing dist/cockroach-tls.vsix as it is.
// Needs `npx tsc -p tsconfig.test.json` (out/src/core: the demo's back-dated certificates).
// Environment: CHROMIUM_PATH, E2E_TIMEOUT_MS (overall limit, default 360000), KEEP_TMP=1,
// E2E_VERBOSE=1 (server output and the browser console on stderr).
// Exit code: 0 all checks passed, 1 a check failed (named, with the reason), 2 harness error.
/* global document, getComputedStyle -- inside page.evaluate() callbacks, which run in the browser */
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createDemoWorkspace, DEMO_CLUSTER, EXPIRED_USER, LEGACY_DIR, repoRoot, writeSampleFiles } from '../../scripts/demo/workspace.mjs';
import {
  ACTIVITY_ENTRY,
  byCluster,
  openCockroachView,
  readTree,
  rowLocator,
  STATUS_ITEM,
  until,
  VIEW_CONTAINER,
  waitForCluster,
  waitForWorkbench,
} from '../../scripts/demo/workbench.mjs';
import { cloudMissing, startDemoCloud } from '../../scripts/demo/cloud.mjs';
import { FLEET_DIR, FLEET_INVENTORY, fleetMissing, loadFleetSupport, startDemoFleet } from '../../scripts/demo/fleet.mjs';
import { startServer } from '../../scripts/vscode/server.mjs';
import { chromiumPath, launchChromium } from '../../scripts/vscode/browser.mjs';

const argv = process.argv.slice(2);
for (const a of argv) {
  if (!['--dev', '--skip-package'].includes(a)) {
    console.error(`[e2e] unknown option ${a}; usage: node test/e2e/run.mjs [--dev] [--skip-package]`);
    process.exit(2);
  }
}
const dev = argv.includes('--dev');
const skipPackage = argv.includes('--skip-package');
const verbose = Boolean(process.env.E2E_VERBOSE);
const overallMs = Number(process.env.E2E_TIMEOUT_MS || 360_000);
const artifacts = join(repoRoot, 'test-artifacts', 'e2e');
const vsix = join(repoRoot, 'dist', 'cockroach-tls.vsix');
const LEGACY_CLUSTER = LEGACY_DIR;
/** The tree's clusters before a Cloud API key is set: settings first, then the workspace's certs dirs, sorted. */
/** The demo's fleet inventory, a root of the tree after the clusters. */
const FLEET_ROOT = `${FLEET_DIR}/${FLEET_INVENTORY}`;
const DEMO_CLUSTERS = [DEMO_CLUSTER, 'cloud/certs', 'cloud/cluster-ca', FLEET_DIR, LEGACY_CLUSTER, FLEET_ROOT];
const say = (m) => console.error(`[e2e] ${m}`);

// ---- A tiny runner: named steps, each with its screenshot; the first failure on a page skips the rest of that page. ----

const results = [];
let page;
let pageBroken = false;

function expect(cond, message) {
  if (!cond) throw new Error(message);
}

async function shot(name) {
  await page.screenshot({ path: join(artifacts, name) });
  return name;
}

async function step(id, title, fn) {
  if (pageBroken) {
    results.push({ id, title, status: 'skipped' });
    say(`- ${title}: skipped (an earlier step on this page failed)`);
    return;
  }
  const t0 = Date.now();
  try {
    const notes = (await fn()) ?? [];
    const ms = Date.now() - t0;
    results.push({ id, title, status: 'passed', ms, notes });
    say(`✓ ${title} (${(ms / 1000).toFixed(1)} s)${notes.length ? `\n      ${notes.join('\n      ')}` : ''}`);
  } catch (err) {
    pageBroken = true;
    const file = `${id}-FAILED.png`;
    await page?.screenshot({ path: join(artifacts, file) }).catch(() => {});
    results.push({ id, title, status: 'failed', ms: Date.now() - t0, message: err.message, screenshot: file });
    say(`✗ ${title}: ${err.message.split('\n')[0]} (screenshot test-artifacts/e2e/${file})`);
  }
}

// ---- Reading the UI ----

const hover = () => page.locator('.workbench-hover[role="tooltip"]').last();

/** Moves the mouse away (not Escape: it would also hide the notification toasts) and waits until no hover is showing. */
async function clearHover() {
  await page.mouse.move(860, 300);
  await until('the hover to close', async () => (await page.locator('.workbench-hover[role="tooltip"]').count()) === 0, { timeout: 5_000 }).catch(() => {});
}

/** The hover's markdown table as { key: value }. */
async function hoverTable() {
  return hover().evaluate((h) =>
    Object.fromEntries(
      [...h.querySelectorAll('tr')].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent.trim())).filter((r) => r.length === 2),
    ),
  );
}

function find(groups, cluster, label) {
  const g = groups.find((x) => x.cluster.label === cluster);
  return label === undefined ? g?.cluster : g?.items.find((r) => r.label === label);
}

function describeRow(r) {
  return `${r.label} [${r.icons.join(' ')}] "${r.description}"`;
}

// ---- The steps ----

async function demoPage(demo) {
  await step('01-activity-bar', 'activity bar: a "CockroachDB TLS" entry with the extension\'s SVG icon', async () => {
    await waitForWorkbench(page);
    const entry = page.locator(ACTIVITY_ENTRY);
    await entry.waitFor({ state: 'visible', timeout: 60_000 });
    const { cls, mask, bg } = await entry.evaluate((a) => {
      const cs = getComputedStyle(a);
      return { cls: a.className, mask: cs.maskImage || cs.webkitMaskImage, bg: cs.backgroundColor };
    });
    expect(/\buri-icon\b/.test(cls), `the entry is not drawn with an icon file (class "${cls}")`);
    const m = /url\("?([^")]+)"?\)/.exec(mask);
    expect(m, `the entry has no mask image (mask-image: ${mask})`);
    const iconUrl = m[1];
    expect(/cockroach-tls\.svg/.test(decodeURIComponent(iconUrl)), `the entry's icon is ${decodeURIComponent(iconUrl)}, not media/cockroach-tls.svg`);
    const served = await page.evaluate(async (u) => {
      const r = await fetch(u);
      return { status: r.status, type: r.headers.get('content-type'), text: await r.text() };
    }, iconUrl);
    const ours = readFileSync(join(repoRoot, 'media', 'cockroach-tls.svg'), 'utf8');
    expect(served.status === 200, `the icon URL answers HTTP ${served.status}`);
    expect(served.text.trim() === ours.trim(), `the icon served (${served.text.length} bytes, ${served.type}) is not media/cockroach-tls.svg`);
    const where = /path=([^&]+)/.exec(iconUrl);
    // Hovering the entry shows its name.
    await entry.hover();
    await until('the activity bar hover', async () => /CockroachDB TLS/.test(await hover().innerText({ timeout: 1_000 })), { timeout: 10_000 });
    const file = await shot('01-activity-bar.png');
    await clearHover();
    return [`icon ${where ? decodeURIComponent(where[1]) : iconUrl} (${served.type}), drawn in ${bg}`, file];
  });

  let groups;
  await step('02-clusters-view', 'clicking it shows the Clusters view: both clusters, their certificates, descriptions and codicons', async () => {
    const entry = page.locator(ACTIVITY_ENTRY);
    const tab = entry.locator('xpath=..');
    if ((await tab.getAttribute('aria-expanded')) === 'true') {
      // The side bar already shows it (a restored layout): close it so the click below opens it, as for a person.
      await entry.click();
      await until('the side bar to close', async () => (await tab.getAttribute('aria-expanded')) !== 'true', { timeout: 5_000 });
    }
    await entry.click();
    await page.locator(VIEW_CONTAINER).waitFor({ state: 'visible', timeout: 30_000 });
    const title = (await page.locator('.part.sidebar .composite.title h2').first().innerText({ timeout: 10_000 })).trim();
    expect(/CockroachDB TLS: Clusters/i.test(title), `the side bar title is "${title}"`);
    groups = await waitForCluster(page, DEMO_CLUSTER, { minItems: 4 });
    groups = await until(
      'the second cluster with 3 items',
      async () => {
        const g = byCluster(await readTree(page));
        return g.find((x) => x.cluster.label === LEGACY_CLUSTER)?.items.length >= 3 ? g : undefined;
      },
      { timeout: 30_000 },
    );
    const want = [
      [DEMO_CLUSTER, undefined, 'database', /^certs$/],
      [DEMO_CLUSTER, 'CA', 'workspace-trusted', /^expires in (9 y 1[01] mo|10 y)$/],
      [DEMO_CLUSTER, 'Node', 'server', /^expires in (4 y 11 mo|5 y)$/],
      [DEMO_CLUSTER, 'Client: app_user', 'person', /^expires in (4 y 11 mo|5 y)$/],
      [DEMO_CLUSTER, 'Client: root', 'person', /^expires in (4 y 11 mo|5 y)$/],
      [LEGACY_CLUSTER, undefined, 'database', /^found in the workspace$/],
      [LEGACY_CLUSTER, 'CA', 'workspace-trusted', /^expires in (6|7) mo$/],
      [LEGACY_CLUSTER, 'Node', 'server', /^expires in (19|20) d$/],
      [LEGACY_CLUSTER, `Client: ${EXPIRED_USER}`, 'error', /^expired [34] d ago$/],
    ];
    const shown = groups.map((g) => [g.cluster, ...g.items].map(describeRow).join('; ')).join(' | ');
    for (const [cluster, label, icon, desc] of want) {
      const r = find(groups, cluster, label);
      const name = `${cluster}${label ? ` › ${label}` : ''}`;
      expect(r, `no row ${name} in the tree; it shows: ${shown}`);
      expect(r.icons.includes(icon), `${name}: icon codicon-${r.icons.join(' codicon-')}, expected codicon-${icon}`);
      expect(desc.test(r.description), `${name}: description "${r.description}", expected ${desc}`);
    }
    // The demo's other certs dirs, found in the workspace: the Cloud client CA's (cloud/certs), the Cloud cluster CA (cloud/cluster-ca), the fleet's CA (fleet); then the fleet inventory.
    const labels = groups.map((g) => g.cluster.label);
    expect(
      JSON.stringify(labels) === JSON.stringify(DEMO_CLUSTERS),
      `expected the clusters ${DEMO_CLUSTERS.join(', ')} in this order, the tree shows ${labels.join(', ')}`,
    );
    // Health colours: healthy items share one colour; the expiring CA, the expiring node and the expired client differ from it.
    const ok = find(groups, DEMO_CLUSTER, 'Node').color;
    for (const l of ['CA', 'Client: app_user', 'Client: root'])
      expect(
        find(groups, DEMO_CLUSTER, l).color === ok,
        `${DEMO_CLUSTER} › ${l} is drawn in ${find(groups, DEMO_CLUSTER, l).color}, the other healthy items in ${ok}`,
      );
    for (const l of ['CA', 'Node', `Client: ${EXPIRED_USER}`]) {
      const c = find(groups, LEGACY_CLUSTER, l).color;
      expect(c && c !== ok, `${LEGACY_CLUSTER} › ${l} is drawn in "${c}", like the healthy items (${ok})`);
    }
    const file = await shot('02-clusters-view.png');
    return [...groups.map((g) => `${describeRow(g.cluster)}: ${g.items.map((r) => `${describeRow(r)} ${r.color}`).join(', ')}`), file];
  });

  await step('03-notifications', 'one summary notification lists the expired client, the expiring node and CA', async () => {
    const notes = [];
    const wanted = [new RegExp(`client ${EXPIRED_USER} expired`), /Node expires in (19|20) d: rotate it now/, /CA expires in [^:]+: plan the CA rotation/];
    if (!dev) {
      // Installed extension, no smoke-test driver: the alerts pop up as toasts.
      const toasts = await until(
        'the summary notification toast',
        async () => {
          const all = await page.locator('.notification-toast .notification-list-item-message').allInnerTexts();
          return all.length >= 1 ? all : undefined;
        },
        { timeout: 15_000 },
      );
      expect(toasts.length === 1, `one summary toast, not ${toasts.length}: ${toasts.join(' | ')}`);
      for (const re of wanted) expect(re.test(toasts[0]), `the summary toast does not match ${re}: ${toasts[0]}`);
      notes.push(`${toasts.length} toasts: ${toasts.join(' | ')}`, await shot('03-notification-toasts.png'));
    }
    await page.locator('[id="status.notifications"]').click();
    const center = page.locator('.notifications-center');
    await center.waitFor({ state: 'visible', timeout: 10_000 });
    const items = await until(
      'the notification center to list them',
      async () => {
        const t = await center.locator('.notification-list-item-message').allInnerTexts();
        return wanted.every((re) => t.some((x) => re.test(x))) ? t : undefined;
      },
      { timeout: 10_000 },
    );
    const file = await shot('03-notifications.png');
    await page.keyboard.press('Escape');
    await center.waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => page.locator('[id="status.notifications"]').click());
    return [...notes, `notification center: ${items.length} items`, file];
  });

  await step('04-tooltip', 'hovering a certificate shows its details: Subject, SANs, SHA-256 of the file on disk', async () => {
    const node = find(byCluster(await readTree(page)), DEMO_CLUSTER, 'Node');
    await rowLocator(page, node).locator('.label-name').hover();
    await hover().waitFor({ state: 'visible', timeout: 15_000 });
    await until('the certificate table in the hover', async () => (await hoverTable()).Subject, { timeout: 10_000 });
    const text = await hover().innerText();
    const t = await hoverTable();
    const fp = new X509Certificate(readFileSync(join(demo.certsDir, 'node.crt'))).fingerprint256;
    expect(/Node certificate/.test(text), `the hover does not say "Node certificate": ${text.slice(0, 200)}`);
    expect(t.Subject === 'CN=node, O=Cockroach', `Subject in the hover: "${t.Subject}"`);
    expect(t.SANs === 'DNS:localhost, IP:127.0.0.1', `SANs in the hover: "${t.SANs}"`);
    expect(t['SHA-256'] === fp, `SHA-256 in the hover: "${t['SHA-256']}", node.crt on disk: ${fp}`);
    expect(/^expires in (4 y 11 mo|5 y)$/.test(t.Status ?? ''), `Status in the hover: "${t.Status}"`);
    // Is the fingerprint readable in full, or cut at the hover's edge?
    const clip = await hover().evaluate((h) => {
      const cell = [...h.querySelectorAll('td')].find((td) => /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/.test(td.textContent.trim()));
      if (!cell) return undefined;
      const range = document.createRange();
      range.selectNodeContents(cell);
      return { text: Math.round(range.getBoundingClientRect().right), hover: Math.round(h.getBoundingClientRect().right) };
    });
    const file = await shot('04-tooltip.png');
    await clearHover();
    return [
      `Subject ${t.Subject}; SHA-256 ${t['SHA-256']} (matches node.crt)`,
      ...(clip && clip.text > clip.hover
        ? [`note: the SHA-256 value is cut off at the hover's right edge (text ends at x=${clip.text}, hover at x=${clip.hover})`]
        : []),
      file,
    ];
  });

  await step('05-status-bar', 'status bar: the soonest expiry (the expired demo client), with its hover', async () => {
    const item = page.locator(STATUS_ITEM);
    await item.waitFor({ state: 'visible', timeout: 15_000 });
    const text = (await item.innerText()).trim();
    expect(new RegExp(`^client ${EXPIRED_USER} expired [34] d ago$`).test(text), `the status bar item says "${text}"`);
    expect((await item.locator('.codicon-error').count()) === 1, 'the status bar item has no $(error) icon');
    const cls = (await item.getAttribute('class')) ?? '';
    expect(/\berror-kind\b/.test(cls), `the status bar item is not drawn as an error (class "${cls}")`);
    await item.hover();
    await until('the status bar hover', async () => /Soonest certificate expiry/.test(await hover().innerText({ timeout: 1_000 })), { timeout: 10_000 });
    const tip = (await hover().innerText()).trim();
    expect(tip.includes(`client ${EXPIRED_USER} expired`), `the status bar hover says "${tip}"`);
    const file = await shot('05-status-bar.png');
    await clearHover();
    return [`"${text}"; hover: ${tip}`, file];
  });

  await step('06-status-bar-click', 'clicking the status bar item selects the expired certificate in the tree', async () => {
    const before = find(byCluster(await readTree(page)), LEGACY_CLUSTER, `Client: ${EXPIRED_USER}`);
    expect(!before.selected, 'the expired client is already selected before the click');
    await page.locator(STATUS_ITEM).click();
    await page.mouse.move(860, 300);
    const row = await until(
      `Client: ${EXPIRED_USER} selected`,
      async () => {
        const r = find(byCluster(await readTree(page)), LEGACY_CLUSTER, `Client: ${EXPIRED_USER}`);
        return r?.selected ? r : undefined;
      },
      { timeout: 15_000 },
    );
    const selected = (await readTree(page)).filter((r) => r.selected);
    expect(selected.length === 1, `${selected.length} rows are selected: ${selected.map((r) => r.label).join(', ')}`);
    const file = await shot('06-status-bar-click.png');
    return [`selected: ${LEGACY_CLUSTER} › ${row.label}${row.focused ? ' (focused)' : ''}`, file];
  });

  await step(
    '07-keyboard-inspect',
    'keyboard: ArrowUp in the tree, Enter opens the certificate viewer for the focused item; Open Report shows the text report',
    async () => {
      // Give the tree the keyboard focus on the expired client (selected in 06), as a person does by clicking it.
      const tree = await readTree(page);
      const reporting = find(byCluster(tree), LEGACY_CLUSTER, `Client: ${EXPIRED_USER}`);
      if (!reporting.focused || !(await page.evaluate(() => document.activeElement?.closest('[id="workbench.view.extension.cockroachTls"]') !== null))) {
        await page.locator(STATUS_ITEM).click();
        await until(
          'the tree to have focus',
          () => page.evaluate(() => document.activeElement?.closest('[id="workbench.view.extension.cockroachTls"]') !== null),
          { timeout: 5_000 },
        );
      }
      await page.keyboard.press('ArrowUp');
      const focused = await until('the focus to move up', async () => (await readTree(page)).find((r) => r.focused && r.label !== reporting.label), {
        timeout: 5_000,
      });
      expect(focused.label === 'Node', `ArrowUp focused "${focused.label}", expected the ${LEGACY_CLUSTER} Node`);
      await page.keyboard.press('Enter');
      const tab = await until(
        'the certificate viewer tab node.crt, selected',
        async () => {
          const tabs = await page
            .locator('.part.editor .tabs-container [role="tab"]')
            .evaluateAll((ts) =>
              ts.map((t) => ({ label: t.getAttribute('aria-label') || t.textContent.trim(), selected: t.getAttribute('aria-selected') === 'true' })),
            );
          return tabs.find((t) => /node\.crt/.test(t.label) && t.selected);
        },
        { timeout: 15_000 },
      );
      const frame = page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
      const content = await until(
        'the certificate viewer content',
        async () => {
          const t = await frame
            .locator('body')
            .innerText({ timeout: 1_000 })
            .catch(() => '');
          return /Node certificate/.test(t) && /Subject/.test(t) ? t : undefined;
        },
        { timeout: 15_000 },
      );
      expect(/CN ?= ?node/.test(content), `the viewer does not show the node subject:\n${content.slice(0, 400)}`);
      expect(/expiring \((19|20) d left\); expires in (19|20) d/.test(content), `the viewer does not show the expiry:\n${content.slice(0, 600)}`);
      const viewerShot = await shot('07-certificate-viewer.png');
      // "Open Report" shows the openssl-style text report.
      await frame.locator('#openReport').click();
      const report = await until(
        'the inspect report tab node.crt.txt, selected',
        async () => {
          const tabs = await page
            .locator('.part.editor .tabs-container [role="tab"]')
            .evaluateAll((ts) =>
              ts.map((t) => ({ label: t.getAttribute('aria-label') || t.textContent.trim(), selected: t.getAttribute('aria-selected') === 'true' })),
            );
          return tabs.find((t) => /node\.crt\.txt/.test(t.label) && t.selected);
        },
        { timeout: 15_000 },
      );
      const file = await shot('07-keyboard-inspect.png');
      return [`viewer tab "${tab.label}": ${content.split('\n').filter(Boolean).slice(0, 3).join(' / ')}`, `report tab "${report.label}"`, viewerShot, file];
    },
  );

  await step('08-command-palette', 'keyboard: F1, "CockroachDB TLS: Show Soonest Expiring Certificate", Enter selects it again', async () => {
    const sel = (await readTree(page)).filter((r) => r.selected).map((r) => r.label);
    expect(!sel.includes(`Client: ${EXPIRED_USER}`), `the expired client is still selected before the command (${sel.join(', ')})`);
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input.input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await page.keyboard.type('CockroachDB TLS: Show Soonest');
    const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Show Soonest Expiring Certificate' }).first();
    await row.waitFor({ state: 'visible', timeout: 10_000 });
    const file = await shot('08-command-palette.png');
    await page.keyboard.press('Enter');
    await until(`Client: ${EXPIRED_USER} selected`, async () => find(byCluster(await readTree(page)), LEGACY_CLUSTER, `Client: ${EXPIRED_USER}`)?.selected, {
      timeout: 15_000,
    });
    const after = await shot('08-command-palette-done.png');
    return [`selection before: ${sel.join(', ') || '(none)'}; after: Client: ${EXPIRED_USER}`, file, after];
  });
  await step('09-connection-strings', 'app/.env opened from the Explorer: its bad connection strings are problems, the good one is not', async () => {
    await page.locator('.part.activitybar a.action-label[aria-label^="Explorer"]').click();
    const explorer = page.locator('.explorer-folders-view');
    await explorer.waitFor({ state: 'visible', timeout: 15_000 });
    const row = (name) => explorer.locator(`.monaco-list-row[aria-label="${name}"]`);
    if ((await row('app').getAttribute('aria-expanded')) !== 'true') await row('app').click();
    await row('.env').click();
    await until(
      'the .env editor',
      async () => (await page.locator('.part.editor .tabs-container [role="tab"][aria-selected="true"]').getAttribute('aria-label'))?.startsWith('.env'),
      { timeout: 15_000 },
    );
    await page.locator('.part.editor .squiggly-error').first().waitFor({ state: 'attached', timeout: 20_000 });
    await page.keyboard.press('Control+Shift+M'); // View: Problems
    const rows = page.locator('.markers-panel .monaco-list-row[role="treeitem"]');
    // app/.env: line 2 is DATABASE_URL (good); lines 4, 6 and 8 are the bad ones (sslmode=disable, expired certificate, password).
    const markers = await until(
      'problems from CockroachDB TLS on lines 4, 6 and 8 of app/.env',
      async () => {
        const m = (
          await rows.evaluateAll((rs) => {
            let file = '';
            return rs.flatMap((r) => {
              if (r.getAttribute('aria-level') === '1') {
                file = r.querySelector('.label-name')?.textContent ?? '';
                return [];
              }
              return [
                {
                  file,
                  severity: (r.getAttribute('aria-label') ?? '').split(':')[0],
                  message: r.querySelector('.marker-message')?.textContent ?? '',
                  source: r.querySelector('.marker-source')?.textContent ?? '',
                  code: r.querySelector('.marker-code')?.textContent ?? '',
                  line: Number(/Ln (\d+)/.exec(r.querySelector('.marker-line')?.textContent ?? '')?.[1]),
                },
              ];
            });
          })
        ).filter((x) => x.file === '.env');
        return [4, 6, 8].every((l) => m.some((x) => x.line === l && x.source === 'CockroachDB TLS')) ? m : undefined;
      },
      { timeout: 20_000 },
    );
    expect(
      !markers.some((x) => x.line === 2),
      `the good DATABASE_URL (line 2) has a problem: ${markers
        .filter((x) => x.line === 2)
        .map((x) => x.message)
        .join('; ')}`,
    );
    const file = await shot('09-connection-strings.png');
    return [...markers.map((x) => `Ln ${x.line} ${x.severity} ${x.code}: ${x.message.slice(0, 90)}`), file];
  });

  await step('09a-connection-hover', "hovering a connection string in app/.env shows its parameters, its files' certificates and why it fails", async () => {
    // The .env editor of step 09 is still open. Line 6: REPORTING_DATABASE_URL, whose client certificate expired.
    // Room for the hover: the Problems panel of step 09 hidden.
    if (await page.locator('.part.panel').isVisible()) await page.keyboard.press('Control+J');
    await page
      .locator('.part.panel')
      .waitFor({ state: 'hidden', timeout: 5_000 })
      .catch(() => {});
    const line = page.locator('.part.editor .monaco-editor .view-line', { hasText: 'REPORTING_DATABASE_URL=' }).first();
    await line.waitFor({ state: 'visible', timeout: 10_000 });
    const { box, chars } = await line.evaluate((l) => {
      const r = l.firstElementChild.getBoundingClientRect();
      return { box: { x: r.x, y: r.y, width: r.width, height: r.height }, chars: l.textContent.length };
    });
    // The mouse over the URL's query (monospace: the 60th character), as a person points at it.
    const cw = box.width / chars;
    await page.mouse.move(box.x + cw * Math.min(60, chars - 2), box.y + box.height / 2);
    const content = page.locator('.monaco-editor .monaco-hover:not(.hidden) .monaco-hover-content').first();
    const text = await until(
      'the connection-string hover',
      async () => {
        const t = await content.innerText({ timeout: 1_000 }).catch(() => '');
        return /CockroachDB connection string/.test(t) && /sslcert/.test(t) ? t : undefined;
      },
      { timeout: 15_000 },
    );
    expect(new RegExp(`client\\.${EXPIRED_USER}\\.crt`).test(text), `the hover does not name client.${EXPIRED_USER}.crt:\n${text.slice(0, 600)}`);
    expect(/CN=reporting/.test(text) || /reporting/.test(text), `the hover does not show the certificate's subject:\n${text.slice(0, 600)}`);
    // What is wrong comes first, above the fold: the expired client certificate.
    const first = text.split('\n').slice(0, 4).join('\n');
    expect(
      /Error: The client certificate in sslcert expired/.test(first),
      `the hover does not open with the expired client certificate:\n${text.slice(0, 800)}`,
    );
    expect(/verify-full/.test(text), `the hover does not show sslmode=verify-full:\n${text.slice(0, 600)}`);
    expect(!/BEGIN [A-Z ]*PRIVATE KEY/.test(text), 'the hover shows key material');
    const file = await shot('09a-connection-hover.png');
    await page.mouse.move(860, 80);
    return [text.split('\n').filter(Boolean).slice(0, 4).join(' / '), file];
  });

  await step(
    '09b-changefeed-builder',
    'a client certificate\'s menu opens "Build Changefeed Sink URI": the fields typed give the masked URI and the SQL',
    async () => {
      await openCockroachView(page);
      // Room for the panel: hide the Problems panel of step 09.
      if (await page.locator('.part.panel').isVisible()) await page.keyboard.press('Control+J');
      const row = find(byCluster(await readTree(page)), DEMO_CLUSTER, 'Client: root');
      expect(row, 'no Client: root row in the tree');
      await rowLocator(page, row).click({ button: 'right' });
      const entry = page.locator('.monaco-menu .action-label', { hasText: 'Build Changefeed Sink URI' });
      await entry.waitFor({ state: 'visible', timeout: 10_000 });
      await entry.hover();
      await entry.click();
      // Under load a click can land while the menu is still fading in: the highlighted entry then takes Enter.
      if (await entry.isVisible().catch(() => false)) {
        await page.waitForTimeout(500);
        if (await entry.isVisible().catch(() => false)) await page.keyboard.press('Enter');
      }
      // The webview: an iframe in an iframe, as VS Code draws every webview.
      const frame = page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
      await frame.locator('#f-host').waitFor({ state: 'visible', timeout: 30_000 });
      const picked = await until(
        'the client certificate picked from the tree',
        async () => {
          const v = await frame.locator('#f-clientCert').inputValue();
          return /client\.root\.crt$/.test(v) ? v : undefined;
        },
        { timeout: 10_000 },
      );
      await frame.locator('#f-host').fill('broker.example.com');
      await frame.locator('#f-tables').fill('movr.public.rides, users');
      await frame.locator('#f-externalConnection').fill('kafka_sink');
      const uri = await until(
        'the masked URI',
        async () => {
          const t = (await frame.locator('#uri').innerText()).trim();
          return /^kafka:\/\/broker\.example\.com:9093\?tls_enabled=true&ca_cert=<\d+ chars>&client_cert=<\d+ chars>&client_key=redacted$/.test(t)
            ? t
            : undefined;
        },
        { timeout: 15_000 },
      );
      const sql = await until(
        'the SQL',
        async () => {
          const t = (await frame.locator('#sql').innerText()).trim();
          return /INTO 'external:\/\/kafka_sink'/.test(t) ? t : undefined;
        },
        { timeout: 10_000 },
      );
      expect(sql.startsWith(`CREATE EXTERNAL CONNECTION kafka_sink AS '${uri}';`), `the SQL shown: ${sql}`);
      const button = await frame.locator('#copy-sql').evaluate((b) => ({ bg: getComputedStyle(b).backgroundColor, disabled: b.disabled }));
      expect(!button.disabled, 'Copy SQL is disabled');
      await frame.locator('h1').scrollIntoViewIfNeeded();
      const file = await shot('09b-changefeed-builder.png');
      return [`client_cert ${picked}`, `URI ${uri}`, `Copy SQL drawn in ${button.bg}`, file];
    },
  );
}

/** Runs a command from the Command Palette by its title (F1, type, Enter on the matching row); ours unless `category` is given. */
async function runCommand(title, category = 'CockroachDB TLS') {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input.input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await page.keyboard.type(`${category}: ${title}`);
  const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first();
  await row.waitFor({ state: 'visible', timeout: 10_000 });
  await page.keyboard.press('Enter');
}

/** The quick input's current step: { title, prompt, value, type, rows }, once its title matches `re`. */
async function quickInput(re, what) {
  const qi = page.locator('.quick-input-widget');
  return until(
    what,
    async () => {
      if (!(await qi.isVisible())) return undefined;
      const s = await qi.evaluate((w) => {
        const input = w.querySelector('input.input');
        return {
          title: w.querySelector('.quick-input-title')?.textContent ?? '',
          prompt: w.querySelector('.quick-input-message')?.textContent ?? '',
          value: input?.value ?? '',
          type: input?.type ?? '',
          rows: [...w.querySelectorAll('.monaco-list-row')].map((r) => r.textContent ?? ''),
        };
      });
      return re.test(`${s.title} ${s.prompt}`) ? s : undefined;
    },
    { timeout: 10_000 },
  );
}

/** The texts of the notification toasts showing now. */
const toastTexts = () => page.locator('.notification-toast .notification-list-item-message').allInnerTexts();

async function cloudAndFleet(demo, cloud, fleet) {
  await step(
    '09c-cloud-clusters',
    'Set Cloud API Key (a password box) lists the Cloud account in the tree: plan, regions, client CA, the local CA file',
    async () => {
      await openCockroachView(page);
      // For the picture: no editors, and a side bar wide enough for the Cloud rows' descriptions (its sash dragged, as a person does).
      await runCommand('Close All Editors', 'View');
      const bar = await page.locator('.part.sidebar').boundingBox();
      await page.mouse.move(bar.x + bar.width + 1, bar.y + bar.height / 2);
      await page.mouse.down();
      await page.mouse.move(bar.x + 560, bar.y + bar.height / 2, { steps: 8 });
      await page.mouse.up();
      await runCommand('Set Cloud API Key');
      const box = await quickInput(/Set Cloud API Key/, 'the API key box');
      expect(box.type === 'password', `the API key box is an input of type "${box.type}", not a password`);
      await page.keyboard.type(cloud.key);
      await page.keyboard.press('Enter');
      const toast = await until(
        'the "Cloud API key stored" notification',
        async () => (await toastTexts()).find((t) => /Cloud API key stored in secret storage: 2 Cloud cluster/.test(t)),
        { timeout: 30_000 },
      );
      const names = ['demo-advanced', 'demo-basic'];
      // For the picture: the self-hosted clusters collapsed (the view's Collapse All), the Cloud ones open.
      await page.locator('.part.sidebar .composite.title').hover();
      await page.locator('.part.sidebar .composite.title a.action-label[aria-label^="Collapse All"]').first().click();
      let groups;
      for (const name of names) {
        const row = await until(`the Cloud cluster ${name} in the tree`, async () => (await readTree(page)).find((r) => r.level === 1 && r.label === name), {
          timeout: 20_000,
        });
        const loc = rowLocator(page, row);
        if ((await loc.getAttribute('aria-expanded')) !== 'true') await loc.locator('.monaco-tl-twistie').click();
        groups = await until(
          `${name}'s items`,
          async () => {
            const g = byCluster(await readTree(page));
            return g.find((x) => x.cluster.label === name)?.items.length >= 3 ? g : undefined;
          },
          { timeout: 20_000 },
        );
      }
      const shown = groups.map((g) => [g.cluster, ...g.items].map(describeRow).join('; ')).join(' | ');
      for (const name of names) {
        const c = find(groups, name);
        expect(c.icons.includes('cloud') && c.description === 'CockroachDB Cloud (API)', `${name}: ${describeRow(c)}`);
      }
      const want = [
        ['demo-advanced', 'Plan', /^ADVANCED · CREATED · /],
        ['demo-advanced', 'Client CA', /^IS_SET$/],
        ['demo-advanced', 'Cluster CA file', /^not downloaded: .*root\.crt$/],
        ['demo-basic', 'Plan', /^BASIC · CREATED · /],
        ['demo-basic', 'Client CA', /^none \(BASIC plan: passwords or SSO\)$/],
      ];
      for (const [cluster, label, desc] of want) {
        const r = find(groups, cluster, label);
        expect(r, `no row ${cluster} › ${label}; the tree shows: ${shown}`);
        expect(desc.test(r.description), `${cluster} › ${label}: "${r.description}", expected ${desc}`);
      }
      const advanced = groups.find((g) => g.cluster.label === 'demo-advanced').items;
      const region = advanced.find((r) => r.label.startsWith('Region '));
      expect(region, `demo-advanced lists no region: ${shown}`);
      const clientCa = advanced.find((r) => r.label.startsWith('Client CA: '));
      expect(clientCa && /expires in/.test(clientCa.description), `demo-advanced lists no client CA certificate with its expiry: ${shown}`);
      const body = await page.evaluate(() => document.body.innerText);
      expect(!body.includes(cloud.key), 'the API key is visible on the page');
      expect(cloud.standIn.violations().length === 0, `requests that break the Cloud API spec: ${JSON.stringify(cloud.standIn.violations()).slice(0, 400)}`);
      const file = await shot('09c-cloud-clusters.png');
      return [
        toast,
        ...names.map(
          (n) =>
            `${n}: ${groups
              .find((g) => g.cluster.label === n)
              .items.map(describeRow)
              .join(', ')}`,
        ),
        file,
      ];
    },
  );

  await step(
    '09d-fleet-rotation',
    "the fleet's menu in the tree: Fleet: Rotate Node Certificates asks the CA and key, shows the plan, Apply; both nodes serve new certificates from the CA and the tree says so",
    async () => {
      const served = (port) => {
        // What the node's SQL port serves, read with openssl (PostgreSQL's STARTTLS), not with our probe.
        const r = spawnSync('openssl', ['s_client', '-starttls', 'postgres', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost'], {
          input: '',
          encoding: 'utf8',
          timeout: 20_000,
        });
        const pem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(r.stdout)?.[0];
        if (!pem) throw new Error(`openssl s_client -starttls postgres 127.0.0.1:${port} showed no certificate: ${(r.stderr || r.stdout).slice(0, 300)}`);
        return new X509Certificate(pem);
      };
      const ca = new X509Certificate(readFileSync(join(fleet.dir, 'ca.crt')));
      const before = fleet.fleet.nodes.map((n) => served(n.server.port).serialNumber);
      await runCommand('Clear All Notifications', 'Notifications');
      // The inventory in the editor, as a person has it open while rotating.
      await page.keyboard.press('Control+P');
      await page.locator('.quick-input-widget input.input').waitFor({ state: 'visible', timeout: 10_000 });
      await page.keyboard.type('demo.fleet.yaml');
      await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'demo.fleet.yaml' }).first().waitFor({ state: 'visible', timeout: 10_000 });
      await page.keyboard.press('Enter');
      await until(
        'the inventory editor',
        async () =>
          (await page.locator('.part.editor .tabs-container [role="tab"][aria-selected="true"]').getAttribute('aria-label'))?.startsWith('demo.fleet.yaml'),
        { timeout: 15_000 },
      );
      // From the tree: the fleet's item (its inventory), expanded, then its menu.
      await openCockroachView(page);
      const fleetRow = await until('the fleet in the tree', async () => (await readTree(page)).find((r) => r.level === 1 && r.label === FLEET_ROOT), {
        timeout: 20_000,
      });
      const fleetLoc = rowLocator(page, fleetRow);
      if ((await fleetLoc.getAttribute('aria-expanded')) !== 'true') await fleetLoc.locator('.monaco-tl-twistie').click();
      const members = await until(
        "the fleet's nodes",
        async () => byCluster(await readTree(page)).find((g) => g.cluster.label === FLEET_ROOT && g.items.length === 2)?.items,
        { timeout: 15_000 },
      );
      for (const [i, m] of members.entries()) {
        const n = fleet.fleet.nodes[i];
        expect(m.label === n.name && m.description === `ssh ${fleet.fleet.user}@127.0.0.1:${n.sshPort}`, `fleet row ${i + 1}: ${describeRow(m)}`);
      }
      await fleetLoc.click({ button: 'right' });
      const entry = page.locator('.monaco-menu .action-label', { hasText: 'Fleet: Rotate Node Certificates' });
      await entry.waitFor({ state: 'visible', timeout: 10_000 });
      await entry.hover();
      await entry.click();
      // The inventory comes from the item: the first question is the CA certificate.
      const caStep = await quickInput(/CA certificate that signs/, 'the CA certificate step');
      expect(caStep.value === join(fleet.dir, 'ca.crt'), `the CA certificate step proposes "${caStep.value}", not fleet/ca.crt`);
      await page.keyboard.press('Enter');
      const keyStep = await quickInput(/The CA key/, 'the CA key step');
      expect(keyStep.value === join(fleet.dir, 'safe', 'ca.key'), `the CA key step proposes "${keyStep.value}", not fleet/safe/ca.key`);
      await page.keyboard.press('Enter');
      const dialog = page.locator('.monaco-dialog-box');
      await dialog.waitFor({ state: 'visible', timeout: 20_000 });
      const plan = await dialog.innerText();
      for (const n of fleet.nodes) expect(plan.includes(n.name), `the plan does not name ${n.name}:\n${plan}`);
      const planShot = await shot('09d-fleet-plan.png');
      await dialog.locator('.monaco-button', { hasText: 'Apply' }).click();
      let stopped;
      const done = await until(
        'the "2 of 2 node(s) done and verified" notification',
        async () => {
          const t = await toastTexts();
          stopped = t.find((x) => /Rotate Node Certificates stopped/.test(x));
          return stopped ?? t.find((x) => /Fleet: Rotate Node Certificates: 2 of 2 node\(s\) done and verified/.test(x));
        },
        { timeout: 120_000, interval: 250 },
      );
      expect(!stopped, `the rotation stopped: ${stopped}`);
      const toast = page.locator('.notification-toast', { hasText: '2 of 2 node(s) done and verified' });
      await toast.locator('.monaco-button', { hasText: 'Show Log' }).click();
      const output = page.locator('.part.panel .output-view, .part.panel [id="workbench.panel.output"]').first();
      await output.waitFor({ state: 'visible', timeout: 15_000 });
      await until('the report in the output channel', async () => /report\s\(run\s/.test(await page.locator('.part.panel').innerText({ timeout: 1_000 })), {
        timeout: 15_000,
      });
      const after = fleet.fleet.nodes.map((n) => served(n.server.port));
      // The tree's nodes say what the run did.
      const rows = await until(
        "the fleet's nodes marked rotated",
        async () => {
          const g = byCluster(await readTree(page)).find((x) => x.cluster.label === FLEET_ROOT);
          return g?.items.length === 2 && g.items.every((r) => /^rotated: serves serial /.test(r.description)) ? g.items : undefined;
        },
        { timeout: 15_000 },
      );
      for (const [i, n] of fleet.fleet.nodes.entries()) {
        expect(after[i].serialNumber !== before[i], `${n.name} still serves serial ${before[i]}`);
        expect(after[i].verify(ca.publicKey), `${n.name} serves a certificate that the fleet's CA did not sign`);
        const onDisk = new X509Certificate(readFileSync(join(n.certsDir, 'node.crt')));
        expect(
          onDisk.serialNumber === after[i].serialNumber,
          `${n.name}: node.crt on disk is serial ${onDisk.serialNumber}, it serves ${after[i].serialNumber}`,
        );
      }
      const file = await shot('09d-fleet-rotation.png');
      return [
        done,
        ...rows.map(describeRow),
        ...fleet.fleet.nodes.map((n, i) => `${n.name}: serial ${before[i]} → ${after[i].serialNumber} (checked with openssl s_client)`),
        planShot,
        file,
      ];
    },
  );
}

async function emptyPage() {
  await step('10-welcome', 'empty folder: the Clusters view shows the welcome text with Add Cluster and Create CA', async () => {
    await waitForWorkbench(page);
    await openCockroachView(page);
    const welcome = page.locator(`${VIEW_CONTAINER} .welcome-view-content`);
    await welcome.waitFor({ state: 'visible', timeout: 30_000 });
    const text = await welcome.innerText();
    expect(/No CockroachDB clusters yet/.test(text), `the welcome view says: ${text}`);
    const buttons = (await welcome.locator('.monaco-button').allInnerTexts()).map((b) => b.trim());
    for (const b of ['Add Cluster', 'Create CA']) expect(buttons.includes(b), `no "${b}" button in the welcome view (buttons: ${buttons.join(', ')})`);
    expect(
      (await page.locator(STATUS_ITEM).count()) === 0 || !(await page.locator(STATUS_ITEM).isVisible()),
      'the status bar item shows although there are no certificates',
    );
    const file = await shot('10-welcome.png');
    return [`buttons: ${buttons.join(', ')}`, file];
  });

  await step('11-welcome-add-cluster', 'clicking "Add Cluster" asks what kind of cluster', async () => {
    await page.locator(`${VIEW_CONTAINER} .welcome-view-content .monaco-button`, { hasText: 'Add Cluster' }).click();
    const qi = page.locator('.quick-input-widget');
    await qi.waitFor({ state: 'visible', timeout: 10_000 });
    const items = await until(
      'the cluster kinds',
      async () => {
        const t = (await qi.locator('.monaco-list-row .label-name').allInnerTexts()).map((x) => x.trim());
        return t.length >= 2 ? t : undefined;
      },
      { timeout: 10_000 },
    );
    for (const k of ['Self-hosted', 'CockroachDB Cloud'])
      expect(
        items.some((i) => i.includes(k)),
        `no "${k}" in the quick pick: ${items.join(', ')}`,
      );
    const title = (
      await qi
        .locator('.quick-input-title')
        .innerText()
        .catch(() => '')
    ).trim();
    expect(/Add Cluster/.test(title), `the quick pick title is "${title}"`);
    const file = await shot('11-welcome-add-cluster.png');
    await page.keyboard.press('Escape');
    await qi.waitFor({ state: 'hidden', timeout: 5_000 });
    return [`"${title}": ${items.join(', ')}`, file];
  });
}

async function main() {
  const t0 = Date.now();
  chromiumPath(); // no browser, sshd or spec: fail before anything slow
  const missing = fleetMissing() ?? cloudMissing();
  if (missing) throw new Error(`the demo's fleet or Cloud account cannot start: ${missing}`);
  loadFleetSupport(); // it hooks exit and signals to stop the fleet's nodes
  if (dev && !existsSync(join(repoRoot, 'dist', 'extension.js'))) throw new Error('dist/extension.js is missing: run `npm run build` first');
  rmSync(artifacts, { recursive: true, force: true });
  mkdirSync(artifacts, { recursive: true });
  if (!dev) {
    if (!skipPackage) {
      say('packaging: npm run package');
      const execPath = process.env.npm_execpath;
      const npm = execPath && /npm-cli\.js$/.test(execPath) ? [process.execPath, execPath] : ['npm'];
      const r = spawnSync(npm[0], [...npm.slice(1), 'run', 'package'], { cwd: repoRoot, encoding: 'utf8' });
      if (r.status !== 0)
        throw new Error(`npm run package failed (${r.signal ?? `exit ${r.status}`}):\n${(r.stdout + r.stderr).trim().split('\n').slice(-20).join('\n')}`);
    }
    if (!existsSync(vsix)) throw new Error(`${relative(repoRoot, vsix)} is missing: run \`npm run package\` (or drop --skip-package)`);
    const built = join(repoRoot, 'dist', 'extension.js');
    if (existsSync(built) && statSync(built).mtimeMs > statSync(vsix).mtimeMs + 1000)
      say(`warning: ${relative(repoRoot, vsix)} is older than dist/extension.js`);
  }
  const tPackage = Date.now();

  const tmp = mkdtempSync(join(tmpdir(), 'crdb-tls-e2e-'));
  process.on('exit', () => {
    if (!process.env.KEEP_TMP) rmSync(tmp, { recursive: true, force: true });
  });
  const demo = await createDemoWorkspace({ parent: tmp });
  writeSampleFiles(demo, { postgres: false });
  // The demo's Cloud account and two-node fleet, as `npm start` has them (scripts/demo/cloud.mjs, fleet.mjs).
  const cloud = await startDemoCloud(demo);
  const fleet = await startDemoFleet(demo, { log: (m) => say(m) });
  const emptyDir = join(tmp, 'empty-project');
  mkdirSync(emptyDir);

  const server = await startServer({
    installExtensions: dev ? [] : [vsix],
    smokeTestDriver: dev, // needed for extensionDevelopmentPath; it stops notifications from popping up
    echo: verbose,
    env: { COCKROACH_SERVER: cloud.url },
    logFile: join(artifacts, 'server.log'),
    log: (m) => say(m),
  });
  const tServer = Date.now();
  let browser;
  const consoleLog = createWriteStream(join(artifacts, 'browser-console.log'));
  const watchdog = setTimeout(() => {
    say(`the run did not finish within ${overallMs / 1000} s: stopping`);
    void page
      ?.screenshot({ path: join(artifacts, 'timeout.png') })
      .catch(() => {})
      .finally(() => process.exit(2));
  }, overallMs);
  try {
    browser = await launchChromium();
    const open = async (folder) => {
      page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      pageBroken = false;
      page.on('pageerror', (err) => consoleLog.write(`[pageerror] ${err.message}\n`));
      page.on('console', (m) => {
        consoleLog.write(`[${m.type()}] ${m.text()}\n`);
        if (verbose) console.error(`[browser ${m.type()}] ${m.text()}`);
      });
      const url = dev ? server.workbenchUrl({ folder, extensionDevelopmentPath: repoRoot }) : `${server.baseUrl}/?folder=${encodeURI(folder)}`;
      say(`opening ${url}`);
      await page.goto(url);
      return url;
    };

    await open(demo.workspace);
    await demoPage(demo);
    await cloudAndFleet(demo, cloud, fleet);
    await page.close();
    await open(emptyDir);
    await emptyPage();
  } finally {
    clearTimeout(watchdog);
    await browser?.close().catch(() => {});
    await new Promise((res) => consoleLog.end(res));
    await server.stop();
    await fleet.fleet.stop();
    await cloud.stop();
  }

  const failed = results.filter((r) => r.status !== 'passed');
  const tEnd = Date.now();
  say(
    `${results.length - failed.length}/${results.length} steps passed (${dev ? 'extension under development' : 'installed .vsix'}); ` +
      `package ${((tPackage - t0) / 1000).toFixed(1)} s, workspace + server ${((tServer - tPackage) / 1000).toFixed(1)} s, UI ${((tEnd - tServer) / 1000).toFixed(1)} s, total ${((tEnd - t0) / 1000).toFixed(1)} s; screenshots in test-artifacts/e2e/`,
  );
  if (failed.length) {
    say('FAILED:');
    for (const r of failed)
      say(`  ${r.title}: ${r.status === 'skipped' ? 'skipped after an earlier failure' : `${r.message}\n    screenshot test-artifacts/e2e/${r.screenshot}`}`);
    return 1;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`[e2e] error: ${err.message}`);
    process.exit(2);
  },
);
