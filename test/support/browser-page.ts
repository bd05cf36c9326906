// Node-side helpers for specs that drive the served pages in Debian's headless Chromium.
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM_PATH, CHROMIUM_FLAGS } from '../../tools/chromium.cjs';

/** Launches Debian's Chromium with the project's flag set (tools/chromium.cjs), plus `extraFlags`. */
export async function launchChromium(extraFlags: string[] = []): Promise<Browser> {
  // Playwright adds its own headless flag; ours (--headless=new) is the one that keeps WebGPU working.
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: false,
    args: [...CHROMIUM_FLAGS, ...extraFlags],
  });
}
