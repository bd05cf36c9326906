// Renders the face-model pictures in headless Chromium (the page behind `npm run render:face-model`) and checks
// that the contact sheet shows each tested unit moving the side of the picture its name says.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { servedPagesInChromium } from '../support/browser-page.js';
import { EXPRESSION_UNITS } from '../../plugin/units/expression-units.js';

describe('face model pictures (Babylon, headless Chromium)', () => {
  const pages = servedPagesInChromium();

  it('renders the contact sheet: units change their own side of the face, and the committed sheet exists', async () => {
    const page = await pages.browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${pages.server.url}face-model-render`);
    // Pixel differences between the neutral tile and a unit's tile, split into the picture's left and right halves
    // and upper and lower halves of the face.
    const tiles = ['eyeClose_L', 'eyeClose_R', 'mouthSmile_L', 'mouthSmile_R', 'jawOpen', 'browInnerUp'];
    const diffs = await page.evaluate(
      async ({ tiles, units }) => {
        const pictures = await window.faceModelPictures!;
        const img = new Image();
        img.src = pictures['contact-sheet'];
        await img.decode();
        const c = document.createElement('canvas');
        c.width = img.width;
        c.height = img.height;
        const g = c.getContext('2d')!;
        g.drawImage(img, 0, 0);
        const W = 260,
          H = 300,
          L = 24,
          cols = 8;
        const tile = (i: number) => g.getImageData((i % cols) * W, Math.floor(i / cols) * (H + L), W, H).data;
        const neutral = tile(0);
        return tiles.map((name) => {
          const t = tile(units.indexOf(name) + 1);
          const out = { left: 0, right: 0, top: 0, bottom: 0 };
          for (let y = 0; y < H; y++)
            for (let x = 0; x < W; x++) {
              const k = (y * W + x) * 4;
              const d =
                Math.abs(t[k] - neutral[k]) +
                  Math.abs(t[k + 1] - neutral[k + 1]) +
                  Math.abs(t[k + 2] - neutral[k + 2]) >
                60
                  ? 1
                  : 0;
              if (x < W / 2) out.left += d;
              else out.right += d;
              if (y < H * 0.55) out.top += d;
              else out.bottom += d;
            }
          return { name, ...out, size: [img.width, img.height] };
        });
      },
      { tiles, units: [...EXPRESSION_UNITS] as string[] },
    );
    assert.deepEqual(errors, []);
    const by = Object.fromEntries(diffs.map((d) => [d.name, d]));
    assert.deepEqual(by.jawOpen.size, [8 * 260, 6 * 324]);
    // The subject's left is on the right of the picture (the camera faces the subject).
    for (const [name, more, less] of [
      ['eyeClose_L', 'right', 'left'],
      ['eyeClose_R', 'left', 'right'],
      ['mouthSmile_L', 'right', 'left'],
      ['mouthSmile_R', 'left', 'right'],
    ] as const) {
      assert.ok(by[name][more] > 200 && by[name][more] > 5 * by[name][less], `${name}: ${JSON.stringify(by[name])}`);
    }
    assert.ok(by.eyeClose_L.top > 5 * by.eyeClose_L.bottom, JSON.stringify(by.eyeClose_L));
    assert.ok(by.jawOpen.bottom > 3000 && by.jawOpen.bottom > 5 * by.jawOpen.top, JSON.stringify(by.jawOpen));
    assert.ok(
      by.browInnerUp.top > 5 * by.browInnerUp.bottom &&
        by.browInnerUp.left > 0.5 * by.browInnerUp.right &&
        by.browInnerUp.right > 0.5 * by.browInnerUp.left,
      JSON.stringify(by.browInnerUp),
    );
    for (const f of ['contact-sheet', 'eye-units', 'mouth-units', 'identities', 'correspondences']) {
      const png = fs.readFileSync(`docs/face-model/${f}.png`);
      assert.equal(png.subarray(1, 4).toString(), 'PNG');
    }
  });
});
