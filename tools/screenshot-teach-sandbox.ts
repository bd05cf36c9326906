// Redraws the screenshots of "Teach it your face" in docs/training-sandbox.md (docs/images/teach-*.png): the sandbox
// page (/training) in headless Chromium with a fake camera playing test/support/prompt-clip.ts's clip (made from
// ../shared/videos/liveportrait_d10.mp4 into .cache/e2e; its picture is hidden, the landmarks shown), at each stage of the guided capture: the preview, a prompt's
// countdown and capture, the analysed prompts (cheek puff, which the clip never shows, says "no change"), the
// fine-tuning on wasm with the page's default settings (and how long it took), and the before/after.
//   node tools/run-node.mjs tools/screenshot-teach-sandbox.ts
import fs from 'node:fs';
import { startServer } from './server.mjs';
import { fakeCameraFlags } from '../training/node/chromium.cjs';
import { launchChromium } from '../test/support/browser-page.js';
import { PERSONALIZATION_DEFAULTS } from '../training/lib/personalize/fine-tune.js';
import {
  captureOver,
  makePromptClips,
  readPromptRows,
  retakeUnusable,
  waitForClipFrame,
  PROMPT_CLIP,
  PROMPT_CLIP_PROMPTS,
} from '../test/support/prompt-clip.js';

const DIR = 'docs/images';
const STEPS = PERSONALIZATION_DEFAULTS.steps;
const PROMPTS = [...PROMPT_CLIP_PROMPTS, 'cheekPuff'];

makePromptClips();
const server = await startServer({ port: 0 });
const browser = await launchChromium(fakeCameraFlags(PROMPT_CLIP));
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1040 } });
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(`${server.url}training?backend=wasm&prompts=${PROMPTS.join(',')}&promptSeconds=1.2&countdown=0.3`);
  await page.waitForFunction(() => document.body.dataset.ready === 'true', null, { timeout: 60_000 });
  // The clip's picture stays out of the screenshots (its frames are not the project's to publish): the preview shows
  // the tracked landmarks, the instruction and the frame-number strip on black. The page still reads the picture.
  await page.addStyleTag({ content: '#teach-video { opacity: 0 }' });
  fs.mkdirSync(DIR, { recursive: true });
  const shot = async (name: string, top = true) => {
    if (top) await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: `${DIR}/teach-${name}.png` });
    console.log(`wrote ${DIR}/teach-${name}.png`);
  };
  const capturing = () =>
    page.waitForFunction(() => window.cpemSandbox!.teach.capturing, null, { timeout: 30_000 }).catch(() => {});
  const captured = () => page.waitForFunction(() => !window.cpemSandbox!.teach.capturing, null, { timeout: 240_000 });

  // 1. The preview: the camera, mirrored, with the tracked landmarks.
  await page.click('#teach-open');
  await page.waitForFunction(() => (document.getElementById('teach-video') as HTMLVideoElement).readyState >= 2, null, {
    timeout: 60_000,
  });
  await page.waitForTimeout(1500);
  await shot('1-preview');

  // 2. A prompt's capture: the instruction and the time left over the preview, the rows' progress.
  await waitForClipFrame(page, 0, 5);
  await page.click('#teach-capture');
  await capturing();
  await page.waitForFunction(() => window.cpemSandbox!.teach.capture.rows[2]?.phase === 'capturing', null, {
    timeout: 60_000,
  });
  await page.waitForTimeout(400);
  await shot('2-capturing');
  await captured();

  // 3. The analysed prompts, after retaking in step with the clip those that drifted from it (not cheek puff, which it never shows).
  await retakeUnusable(page, await readPromptRows(page));
  // Cheek puff, which the clip never shows, retaken on its resting face (a whole pass may have caught a blink).
  await waitForClipFrame(page, 0, 5);
  await captureOver(page, () =>
    page.locator('#teach-rows tr').nth(PROMPTS.indexOf('cheekPuff')).locator('button.retake').click(),
  );
  const rows = await readPromptRows(page);
  console.log(`prompts: ${rows.map((r) => `${r.prompt} ${r.status}`).join(', ')}`);
  await shot('3-captured');

  // 4. Fine-tuning, half-way: the live loss chart.
  await page.click('#teach-start');
  await page.waitForFunction((half) => (window.cpemSandbox!.session?.step ?? 0) >= half, STEPS / 2, {
    timeout: 600_000,
  });
  await shot('4-fine-tuning');

  // 5. The before/after on the held-out frames.
  await page.waitForFunction(() => !!window.cpemSandbox!.teach.beforeAfter, null, { timeout: 600_000 });
  await page.locator('#before-after-wrap').scrollIntoViewIfNeeded();
  await shot('5-before-after', false);
  const losses = await page.evaluate(() => window.cpemSandbox!.lossRows());
  console.log(
    `fine-tuning: ${losses.at(-1)!.step + 1} steps in ${losses.at(-1)!.seconds.toFixed(0)} s on ${await page.locator('#backend-in-use').innerText()}`,
  );
  console.log(await page.locator('#before-after-note').innerText());
} finally {
  await browser.close();
  await server.close();
}
