// "Teach it your face" on the training sandbox page (/training), in headless Chromium with a fake camera playing a
// clip: the guided capture with short prompts, a few fine-tuning steps on wasm, the before/after table, the exported
// weights with their personalisation record, and the sample scene running on them. Then what goes wrong: no camera, a
// camera without a face, a face that never leaves neutral, and a WebGPU device lost in the middle of fine-tuning.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startServer, type RunningServer } from '../../tools/server.mjs';
import { fakeCameraFlags } from '../../training/node/chromium.cjs';
import { launchChromium, openTrainingSandbox } from '../support/browser-page.js';
import {
  captureOver,
  makePromptClips,
  readPromptRows,
  retakeUnusable,
  waitForClipFrame,
  PROMPT_CLIP,
  PROMPT_CLIP_PROMPTS,
  PROMPT_CLIP_SOURCE,
  STILL_CLIP,
  type PromptRow as Row,
} from '../support/prompt-clip.js';

const PROMPTS = PROMPT_CLIP_PROMPTS.join(',');
const STEPS = 24;

async function openTeach(browser: Browser, url: string, query: string): Promise<{ page: Page; errors: string[] }> {
  const opened = await openTrainingSandbox(browser, url, query, { width: 1280, height: 1000 });
  assert.equal(await opened.page.evaluate(() => document.body.dataset.mode), 'teach');
  return opened;
}

/**
 * Opens the camera preview, and with the marked clip waits for the clip's loop to begin; then starts the capture and
 * waits until it is over. Returns each row's prompt and status.
 */
async function capture(page: Page, marked = false): Promise<Row[]> {
  await page.click('#teach-open');
  await page.waitForFunction(
    () =>
      (document.getElementById('teach-video') as HTMLVideoElement).readyState >= 2 ||
      document.getElementById('error')!.textContent !== '',
    null,
    { timeout: 60_000 },
  );
  if (marked) await waitForClipFrame(page, 0, 5);
  await captureOver(page, () => page.click('#teach-capture'));
  return readPromptRows(page);
}

const haveShared = fs.existsSync(PROMPT_CLIP_SOURCE);

describe('teach it your face (/training guided capture and fine-tuning)', {
  skip: haveShared ? false : '../shared/videos is not here',
}, () => {
  let server: RunningServer;
  const browsers: Browser[] = [];
  const query = `backend=wasm&prompts=${PROMPTS}&promptSeconds=1.2&countdown=0.3&teachSteps=${STEPS}&teachValidateEvery=8`;

  before(async () => {
    makePromptClips();
    server = await startServer({ port: 0 });
  });
  after(async () => {
    for (const b of browsers) await b.close();
    await server?.close();
  });

  it('captures the prompts from the camera, fine-tunes, fills the before/after and hands the weights to the sample scene', async () => {
    const browser = await launchChromium(fakeCameraFlags(PROMPT_CLIP));
    browsers.push(browser);
    const { page, errors } = await openTeach(browser, server.url, query);
    const first = await capture(page, true);
    console.log(`capture: ${first.map((r) => `${r.prompt}: ${r.status}`).join('; ')}`);
    assert.deepEqual(
      first.map((r) => r.prompt),
      PROMPTS.split(','),
    );
    assert.equal(
      first[0].status,
      'ok',
      `the neutral prompt had a face (page: ${await page.innerText('#error')} ${errors.join(' ')})`,
    );
    assert.ok(
      first.every((r) => ['ok', 'no-change'].includes(r.status)),
      JSON.stringify(first),
    );
    // Every row was captured and tracked, and the preview drew the landmarks.
    const framesBefore = await page.evaluate(() =>
      window.cpemSandbox!.teach.capture.rows.map((r) => r.capture?.frames.length ?? 0),
    );
    assert.ok(
      framesBefore.every((n) => n > 0),
      `frames per row ${framesBefore}`,
    );
    assert.ok(
      (await page.evaluate(() => window.cpemSandbox!.teach.capture.trackedFrames)) >
        framesBefore.reduce((a, b) => a + b, 0),
    );

    // Retake the prompts (the smile always, and any that came out unusable, with the neutral face first then) while the
    // clip shows them: each retaken row is captured again, the others keep their frames.
    const { rows, retaken } = await retakeUnusable(page, first, [2]);
    console.log(
      `after retaking ${retaken.map((i) => rows[i].prompt).join(', ')}: ${rows.map((r) => `${r.prompt}: ${r.status}`).join('; ')}`,
    );
    const framesAfter = await page.evaluate(() =>
      window.cpemSandbox!.teach.capture.rows.map((r) => r.capture?.frames.length ?? 0),
    );
    framesAfter.forEach((n, i) =>
      retaken.includes(i) ? assert.ok(n > 0) : assert.equal(n, framesBefore[i], `row ${i} kept its frames`),
    );
    const usable = rows.filter((r) => r.status === 'ok' && r.prompt !== 'neutral');
    assert.ok(usable.length >= 3, `usable prompts: ${JSON.stringify(rows)}`);
    assert.equal(await page.locator('#teach-start').isDisabled(), false);

    // Fine-tune on wasm: the loss falls and the tensor count stays flat.
    await page.click('#teach-start');
    await page.waitForFunction(() => ['done', 'error', 'lost'].includes(document.body.dataset.state ?? ''), null, {
      timeout: 240_000,
    });
    assert.equal(
      await page.evaluate(() => document.body.dataset.state),
      'done',
      await page.locator('#error').innerText(),
    );
    assert.equal(await page.locator('#backend-in-use').innerText(), 'wasm');
    const losses = await page.evaluate(() => window.cpemSandbox!.lossRows());
    const teacherTerm = losses.filter((r) => r.terms.teacher !== undefined).map((r) => r.terms.teacher);
    console.log(
      `fine-tuning: ${losses.length} logged steps; person's target term ${teacherTerm.map((v) => v.toFixed(3)).join(', ')}`,
    );
    assert.ok(teacherTerm.length >= 2, "the person's batches carry their prompt targets");
    assert.ok(teacherTerm.at(-1)! < teacherTerm[0], `target term ${teacherTerm[0]} → ${teacherTerm.at(-1)}`);
    const counts = await page.evaluate(() => window.cpemSandbox!.session!.tensorCounts);
    assert.equal(counts.length, STEPS);
    assert.equal(new Set(counts.slice(2)).size, 1, `tensor counts ${counts.join(',')}`);

    // The before/after: a row per usable prompt with numbers for both networks, and the chart drawn.
    await page.waitForFunction(() => !!window.cpemSandbox!.teach.beforeAfter, null, { timeout: 60_000 });
    const table = await page
      .locator('#before-after tbody tr')
      .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
    console.log(table.map((r) => r.join(' | ')).join('\n'));
    assert.ok(table.length >= 3, 'rows for the prompts and a mean');
    for (const row of table.slice(0, -1)) {
      assert.match(row[1], /^\d+$/);
      if (row[0] !== 'neutral') assert.match(`${row[3]} ${row[4]}`, /^\d\.\d\d \d\.\d\d$/);
      assert.match(`${row[5]} ${row[6]}`, /^\w+ \d\.\d\d \w+ \d\.\d\d$/);
    }
    const colours = await page.evaluate(() => {
      const c = document.getElementById('before-after-chart') as HTMLCanvasElement;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      const seen = new Set<number>();
      for (let i = 0; i < d.length; i += 4 * 5) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
      return seen.size;
    });
    assert.ok(colours > 6, `the chart shows ${colours} colours`);

    // Download: the manifest carries the prompts, frames and scores.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cpem-teach-'));
    const files: string[] = [];
    const all = new Promise<void>((resolve) => {
      page.on('download', async (d) => {
        const file = path.join(dir, d.suggestedFilename());
        await d.saveAs(file);
        files.push(file);
        if (files.length === 5) resolve();
      });
    });
    await page.click('#download');
    await all;
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
    assert.equal(manifest.run.name, 'personalized');
    assert.equal(manifest.personalization.format, 'babylon-cpem/personalization');
    assert.deepEqual(
      manifest.personalization.prompts.map((p: { label: string }) => p.label),
      ['neutral', 'pucker', 'smile', 'jaw open', 'brows up', 'eyes closed'],
    );
    assert.ok(
      manifest.personalization.frames.trained > 0 && manifest.personalization.frames.heldOut > 0,
      JSON.stringify(manifest.personalization.frames),
    );
    assert.equal(manifest.personalization.scores.rows.length, table.length - 1);
    assert.equal(manifest.personalization.trained.steps, STEPS);
    const modelJson = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
    assert.equal(modelJson.userDefinedMetadata.personalized.source, 'guided-capture');
    // Beside the weights, the range profile from the same capture, and the page says which of the two helped.
    const profile = JSON.parse(fs.readFileSync(path.join(dir, 'calibration-profile.json'), 'utf8'));
    assert.equal(profile.format, 'babylon-cpem/calibration-profile');
    assert.equal(profile.unitCount, 46);
    assert.ok(
      Object.values(profile.units as Record<string, { gain: number }>).some((r) => r.gain !== 1),
      JSON.stringify(profile.units),
    );
    const note = await page.innerText('#before-after-note');
    console.log(note);
    assert.match(
      note,
      /with your range profile \d\.\d\d, fine-tuned \d\.\d\d: (the range profile|the fine-tuning) helped you more|neither helped you/,
    );
    fs.rmSync(dir, { recursive: true, force: true });

    // "Use in sample scene": the scene says it runs on the sandbox's weights and estimates motion with them.
    const [popup] = await Promise.all([page.context().waitForEvent('page'), page.click('#use-in-scene')]);
    await popup.waitForFunction(
      () => /training sandbox/.test(document.getElementById('message')?.textContent ?? ''),
      null,
      { timeout: 90_000 },
    );
    await popup.waitForFunction(
      () =>
        (window as unknown as { cpemSample?: { behavior: { latestMotion: unknown } } }).cpemSample?.behavior
          .latestMotion != null,
      null,
      { timeout: 120_000 },
    );
    const motion = await popup.evaluate(() =>
      Array.from(
        (window as unknown as { cpemSample: { behavior: { latestMotion: { units: Float32Array } } } }).cpemSample
          .behavior.latestMotion.units,
      ),
    );
    assert.equal(motion.length, 46);
    assert.ok(motion.every((v) => v >= 0 && v <= 1));
    await popup.close();
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('says what is wrong without a camera, without a face, and when the face never leaves neutral; nothing is trained', async () => {
    // No camera: Chromium without a fake device.
    const noCamera = await launchChromium(['--use-fake-ui-for-media-stream']);
    browsers.push(noCamera);
    {
      const { page } = await openTeach(noCamera, server.url, query);
      await page.click('#teach-capture');
      await page.waitForFunction(() => document.getElementById('error')!.textContent !== '', null, { timeout: 60_000 });
      assert.match((await page.locator('#error').getAttribute('data-code')) ?? '', /^CAMERA_(UNAVAILABLE|DENIED)$/);
      assert.match(await page.locator('#error').innerText(), /video file/);
      assert.equal(await page.locator('#teach-start').isDisabled(), true);
      await page.close();
    }
    // A camera without a face (Chromium's test pattern): every prompt says so.
    const pattern = await launchChromium(fakeCameraFlags());
    browsers.push(pattern);
    {
      const { page } = await openTeach(pattern, server.url, query.replace(PROMPTS, 'neutral,smile,pucker'));
      const rows = await capture(page);
      assert.deepEqual(
        rows.map((r) => r.status),
        ['no-face', 'no-face', 'no-face'],
        `page error: ${await page.locator('#error').innerText()}`,
      );
      assert.equal(await page.locator('#error').getAttribute('data-code'), 'NO_FACE');
      assert.equal(await page.locator('#teach-start').isDisabled(), true);
      await page.close();
    }
    // A face that never leaves neutral: the other prompts say "no change", with what to do.
    const still = await launchChromium(fakeCameraFlags(STILL_CLIP));
    browsers.push(still);
    {
      const { page } = await openTeach(still, server.url, query.replace(PROMPTS, 'neutral,smile,pucker,browsUp'));
      const rows = await capture(page);
      console.log(rows.map((r) => `${r.prompt}: ${r.status}`).join('; '));
      assert.deepEqual(
        rows.map((r) => r.status),
        ['ok', 'no-change', 'no-change', 'no-change'],
      );
      assert.match(await page.locator('#teach-message').innerText(), /looks like your neutral face .* retake it/);
      assert.equal(await page.locator('#teach-start').isDisabled(), true);
      await page.close();
    }
  });

  it('continues fine-tuning from the last checkpoint after the WebGPU device is lost', async () => {
    const browser = await launchChromium(fakeCameraFlags(PROMPT_CLIP));
    browsers.push(browser);
    const { page, errors } = await openTeach(
      browser,
      server.url,
      query.replace(`teachSteps=${STEPS}`, 'teachSteps=14').replace('teachValidateEvery=8', 'teachValidateEvery=5'),
    );
    // Any three usable prompts will do here (what is tested is the lost device): retake only when fewer came out.
    let rows = await capture(page, true);
    if (rows.filter((r) => r.status === 'ok').length < 3) rows = (await retakeUnusable(page, rows)).rows;
    assert.ok(rows.filter((r) => r.status === 'ok').length >= 3, JSON.stringify(rows));
    // Captured on wasm; fine-tuned on WebGPU.
    await page.selectOption('#backend', 'webgpu');
    await page.click('#teach-start');
    await page.waitForFunction(
      () =>
        (window.cpemSandbox!.session?.step ?? 0) >= 7 || ['error', 'done'].includes(document.body.dataset.state ?? ''),
      null,
      { timeout: 240_000 },
    );
    assert.equal(await page.locator('#backend-in-use').innerText(), 'webgpu', await page.locator('#error').innerText());
    assert.equal(await page.evaluate(() => window.cpemSandbox!.loseDevice()), true);
    await page.waitForFunction(() => ['lost', 'error', 'done'].includes(document.body.dataset.state ?? ''), null, {
      timeout: 60_000,
    });
    assert.equal(
      await page.evaluate(() => document.body.dataset.state),
      'lost',
      await page.locator('#error').innerText(),
    );
    assert.match(await page.locator('#error').innerText(), /^DEVICE_LOST: /);
    const lostAt = await page.evaluate(() => ({
      step: window.cpemSandbox!.session!.step,
      checkpoint: window.cpemSandbox!.session!.checkpointStep,
    }));
    assert.ok(
      lostAt.checkpoint !== null && lostAt.checkpoint >= 5 && lostAt.checkpoint % 5 === 0,
      JSON.stringify(lostAt),
    );
    await page.selectOption('#resume-backend', 'wasm');
    await page.click('#resume-button');
    await page.waitForFunction(() => document.body.dataset.state === 'paused', null, { timeout: 60_000 });
    assert.equal(await page.evaluate(() => window.cpemSandbox!.session!.step), lostAt.checkpoint);
    assert.equal(await page.locator('#teach-start').innerText(), 'Continue');
    await page.click('#teach-start');
    await page.waitForFunction(() => ['done', 'error', 'lost'].includes(document.body.dataset.state ?? ''), null, {
      timeout: 240_000,
    });
    assert.equal(
      await page.evaluate(() => document.body.dataset.state),
      'done',
      await page.locator('#error').innerText(),
    );
    const steps = await page.evaluate(() => window.cpemSandbox!.lossRows().map((r) => r.step));
    assert.equal(new Set(steps).size, steps.length, 'no step logged twice');
    assert.equal(steps.at(-1), 13);
    await page.waitForFunction(() => !!window.cpemSandbox!.teach.beforeAfter, null, { timeout: 60_000 });
    assert.deepEqual(errors, []);
    await page.close();
  });
});
