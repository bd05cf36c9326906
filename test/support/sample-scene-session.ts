// One sample-scene session for a spec: inside a describe(), serves the repository on a free port before its tests
// (after preparing the fake camera's clip) and closes the server and the browser after them; the browser, headless
// Chromium whose webcam is a fake camera playing `clip`, starts on first use and serves every test of the describe.
import { before, after } from 'node:test';
import fs from 'node:fs';
import type { Browser } from 'playwright-core';
import { startServer, type RunningServer } from '../../tools/server.mjs';
import { fakeCameraFlags } from '../../training/node/chromium.cjs';
import { launchChromium } from './browser-page.js';

export interface SampleSceneSession {
  /** Whether the clip's source in ../shared is there (the specs skip without it). */
  readonly available: boolean;
  /** The served repository's address (the sample scene is its root page). */
  readonly url: string;
  browser(): Promise<Browser>;
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
  };
}
