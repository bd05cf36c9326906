// Node-side helpers for specs that drive the served pages in Debian's headless Chromium.
import { before, after } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM_PATH, CHROMIUM_FLAGS } from '../../training/node/chromium.cjs';
import { startServer, type RunningServer } from '../../tools/server.mjs';

/** Launches Debian's Chromium with the project's flag set (training/node/chromium.cjs), plus `extraFlags`. */
export async function launchChromium(extraFlags: string[] = []): Promise<Browser> {
  // Playwright adds its own headless flag; ours (--headless=new) is the one that keeps WebGPU working.
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: false,
    args: [...CHROMIUM_FLAGS, ...extraFlags],
  });
}

/**
 * The served pages (tools/server.mjs on a free port) and a Chromium to open them in, for the calling `describe`:
 * started in its `before`, closed in its `after`. Read `server` and `browser` inside tests.
 */
export function servedPagesInChromium(): { readonly server: RunningServer; readonly browser: Browser } {
  const pages = {} as { server: RunningServer; browser: Browser };
  before(async () => {
    pages.server = await startServer({ port: 0 });
    pages.browser = await launchChromium();
  });
  after(async () => {
    await pages.browser?.close();
    await pages.server?.close();
  });
  return pages;
}
