// Node-side helpers for specs that drive the served pages in Debian's headless Chromium.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium, type Browser, type Page } from 'playwright-core';
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

/**
 * Opens the training sandbox (/training?`query`) of the server at `url` in a new page and waits until it is ready;
 * fails with the page's error when it stopped instead. `errors` gathers page errors.
 */
export async function openTrainingSandbox(
  browser: Browser,
  url: string,
  query: string,
  viewport: { width: number; height: number },
): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport, acceptDownloads: true });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${url}training?${query}`);
  await page.waitForFunction(
    () => document.body.dataset.ready === 'true' || document.body.dataset.error === 'true',
    null,
    { timeout: 60_000 },
  );
  assert.equal(
    await page.evaluate(() => document.body.dataset.error),
    undefined,
    await page.locator('#error').innerText(),
  );
  return { page, errors };
}
