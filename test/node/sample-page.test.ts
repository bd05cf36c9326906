// Loads the `npm start` page in headless Chromium and checks that its canvas shows a rendered scene.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { servedPagesInChromium } from '../support/browser-page.js';

describe('sample scene page (npm start)', () => {
  const pages = servedPagesInChromium();

  for (const engine of ['webgl', 'webgpu'] as const) {
    it(`renders a non-empty canvas with the ${engine} engine`, async () => {
      const page = await pages.browser.newPage({ viewport: { width: 960, height: 640 } });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${pages.server.url}?engine=${engine}&source=none`);
      await page.waitForFunction(
        () => document.body.dataset.ready === 'true' || document.body.dataset.error === 'true',
        null,
        { timeout: 60_000 },
      );
      assert.deepEqual(errors, []);
      assert.match(await page.locator('#status').innerText(), engine === 'webgpu' ? /WebGPU/ : /WebGL2/);
      const png = await page.locator('#renderCanvas').screenshot();
      const shot = path.join('.cache', 'screenshots', `sample-scene-${engine}.png`);
      fs.mkdirSync(path.dirname(shot), { recursive: true });
      fs.writeFileSync(shot, png);
      // Count pixels that differ from the clear colour (0.08, 0.09, 0.11): the lit head must cover a real area.
      const stats = await page.evaluate(
        async (dataUrl) => {
          const img = new Image();
          img.src = dataUrl;
          await img.decode();
          const c = new OffscreenCanvas(img.width, img.height);
          const g = c.getContext('2d')!;
          g.drawImage(img, 0, 0);
          const d = g.getImageData(0, 0, img.width, img.height).data;
          let lit = 0;
          for (let i = 0; i < d.length; i += 4)
            if (Math.abs(d[i] - 20) + Math.abs(d[i + 1] - 23) + Math.abs(d[i + 2] - 28) > 60) lit++;
          return { lit, total: d.length / 4 };
        },
        `data:image/png;base64,${png.toString('base64')}`,
      );
      assert.ok(stats.lit / stats.total > 0.05, `only ${stats.lit} of ${stats.total} pixels show the scene`);
      await page.close();
    });
  }
});
