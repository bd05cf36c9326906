// One sample-scene session for a spec: inside a describe(), serves the repository on a free port before its tests
// (after preparing the fake camera's clip) and closes the server and the browser after them; the browser, headless
// Chromium whose webcam is a fake camera playing `clip`, starts on first use and serves every test of the describe.
import { before, after } from 'node:test';
import fs from 'node:fs';
import assert from 'node:assert/strict';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { startServer, type RunningServer } from '../../tools/server.mjs';
import { fakeCameraFlags } from '../../training/node/chromium.cjs';
import { launchChromium } from './browser-page.js';

export interface SampleSceneSession {
  /** Whether the clip's source in ../shared is there (the specs skip without it). */
  readonly available: boolean;
  /** The served repository's address (the sample scene is its root page). */
  readonly url: string;
  browser(): Promise<Browser>;
  /**
   * Opens the sample scene at `query` (e.g. '?backend=wasm') in a new page and waits until the behavior runs and has
   * handed on a first motion; fails with the page's message when it stopped instead. `errors` gathers page errors.
   */
  openRunning(
    query: string,
    options?: BrowserContextOptions,
    motionTimeout?: number,
  ): Promise<{ page: Page; errors: string[] }>;
}

/** Waits until the page at `url` runs the behavior and it has produced a motion; asserts with the page's message otherwise. */
export async function openedRunning(page: Page, url: string, motionTimeout = 60_000): Promise<void> {
  await page.goto(url, { timeout: 90_000 });
  await page.waitForFunction(() => document.body.dataset.started || document.body.dataset.error, null, {
    timeout: 90_000,
  });
  assert.equal(
    await page.evaluate(() => document.body.dataset.started),
    'running',
    await page.locator('#message').innerText(),
  );
  await page.waitForFunction(
    () =>
      (window as unknown as { cpemSample: { behavior: { latestMotion: unknown } } }).cpemSample.behavior
        .latestMotion !== null,
    null,
    { timeout: motionTimeout },
  );
}

export function sampleSceneSession(source: string, clip: string, prepare: () => void): SampleSceneSession {
  const available = fs.existsSync(source);
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  before(async () => {
    if (!available) return;
    prepare();
    server = await startServer({ port: 0 });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });
  return {
    available,
    get url() {
      if (!server) throw new Error('the sample scene is not served (../shared missing, or used outside a test)');
      return server.url;
    },
    async browser() {
      browser ??= await launchChromium(fakeCameraFlags(clip));
      return browser;
    },
    async openRunning(query, options = { viewport: { width: 1280, height: 760 } }, motionTimeout = 60_000) {
      const page = await (await this.browser()).newPage(options);
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await openedRunning(page, `${this.url}${query}`, motionTimeout);
      return { page, errors };
    },
  };
}
