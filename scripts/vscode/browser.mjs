// Launches Debian's Chromium with playwright-core (from test/vscode-server) for the VS Code
// workbench. Never downloads a browser: set CHROMIUM_PATH to use another Chromium build.
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { ensureServer } from './ensure-server.mjs';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export function chromiumPath() {
  const p = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  if (!existsSync(p)) {
    throw new Error(
      `Chromium not found at ${p}. Install Debian's package (sudo apt-get install -y chromium) ` +
        'or set CHROMIUM_PATH to a Chromium/Chrome binary. Do not run `npx playwright install`.',
    );
  }
  return p;
}

/** playwright-core's `chromium` launcher, loaded from test/vscode-server. */
export async function loadChromium() {
  const { playwrightCore } = await ensureServer();
  const mod = await import(pathToFileURL(playwrightCore).href);
  return (mod.chromium ?? mod.default?.chromium);
}

/** A headless Chromium (playwright Browser). Options are passed to chromium.launch(). */
export async function launchChromium({ headless = true, args = [], ...rest } = {}) {
  const executablePath = chromiumPath();
  const chromium = await loadChromium();
  return chromium.launch({ executablePath, headless, args: [...CHROMIUM_ARGS, ...args], ...rest });
}
