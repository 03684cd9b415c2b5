// Launches Debian's Chromium with playwright-core (from a VS Code server package, test/vscode-server
// by default) for the VS Code
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

/** playwright-core's `chromium` launcher, loaded from the `vscode` server package ('current' or 'min'). */
export async function loadChromium({ vscode = 'current' } = {}) {
  const { playwrightCore } = await ensureServer({ vscode });
  const mod = await import(pathToFileURL(playwrightCore).href);
  return mod.chromium ?? mod.default?.chromium;
}

/**
 * A headless Chromium (playwright Browser). `vscode` picks the server package whose playwright-core
 * is used (so a run on the 'min' server installs nothing else); other options go to chromium.launch().
 */
export async function launchChromium({ headless = true, args = [], vscode = 'current', ...rest } = {}) {
  const executablePath = chromiumPath();
  const chromium = await loadChromium({ vscode });
  return chromium.launch({ executablePath, headless, args: [...CHROMIUM_ARGS, ...args], ...rest });
}
