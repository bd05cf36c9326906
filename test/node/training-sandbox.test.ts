// Drives the training sandbox page (/training) in headless Chromium on TF.js' WebGPU backend: trains a small
// config on synthetic data, checks that the loss falls and the tensor count stays flat, exports the weights
// through both of the page's paths (downloads and the sample-scene copy in IndexedDB), loads them back and
// compares outputs; then loses the WebGPU device mid-run and continues from the checkpoint on another backend.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { openTrainingSandbox, servedPagesInChromium } from '../support/browser-page.js';
import { sharedPath } from '../../training/node/shared-data.js';

const STEPS = 30;

function openSandbox(browser: Browser, url: string, backend = 'webgpu'): Promise<{ page: Page; errors: string[] }> {
  return openTrainingSandbox(browser, url, `mode=train&backend=${backend}`, { width: 1280, height: 900 });
}

/** A config small enough for WebGPU on SwiftShader: P = 2, T = 4, one hidden layer of 32. */
async function fillSmallConfig(page: Page, steps: number, validateEvery: number): Promise<void> {
  const fields: Record<string, string> = {
    steps: String(steps),
    persons: '2',
    framesPerPerson: '4',
    hidden: '32',
    learningRate: '0.001',
    seed: '1',
    logEvery: '1',
    validateEvery: String(validateEvery),
    'lw-syntheticSupervision': '1',
  };
  for (const [id, value] of Object.entries(fields)) await page.fill(`#${id}`, value);
}

function maxAbsDiff(a: number[], b: number[]): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('training sandbox page (/training)', () => {
  const pages = servedPagesInChromium();
  /** Loss totals of the uninterrupted WebGPU run, to compare the resumed run with. */
  let straightRun: number[] | null = null;

  it("shows config errors from the trainer's validator and does not start", async () => {
    const { page, errors } = await openSandbox(pages.browser, pages.server.url);
    await page.fill('#steps', '0');
    await page.fill('#learningRate', '2');
    await page.fill('#hidden', '32, x');
    await page.click('#start');
    const text = await page.locator('#config-errors').innerText();
    assert.match(text, /steps must be a positive integer/);
    assert.match(text, /learningRate must be in \(0, 1\)/);
    assert.match(text, /hidden\[1\] must be a positive integer \(got "x"\)/);
    assert.equal(await page.evaluate(() => window.cpemSandbox!.session), null);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it(`trains ${STEPS} steps on WebGPU, lowers the loss, and exports weights that load back with the same outputs`, async () => {
    const { page, errors } = await openSandbox(pages.browser, pages.server.url);
    await fillSmallConfig(page, STEPS, 10);
    const t0 = Date.now();
    await page.click('#start');
    // Long tasks on the page's main thread from the first step on (setting the run up is one task before it):
    // the loop must hand the page back between steps.
    await page.waitForFunction(() => (window.cpemSandbox!.session?.step ?? 0) >= 1, null, { timeout: 120_000 });
    await page.evaluate(() => {
      const w = window as unknown as { longestTask: number };
      w.longestTask = 0;
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) w.longestTask = Math.max(w.longestTask, e.duration);
      }).observe({ type: 'longtask', buffered: false });
    });
    // Pause mid-run: the page answers the click between steps, and the step count holds still while paused.
    await page.waitForFunction(() => (window.cpemSandbox!.session?.step ?? 0) >= 5, null, { timeout: 120_000 });
    await page.click('#pause');
    await page.waitForFunction(() => document.body.dataset.state === 'paused', null, { timeout: 30_000 });
    const pausedAt = await page.evaluate(() => window.cpemSandbox!.session!.step);
    await page.waitForTimeout(1500);
    assert.equal(await page.evaluate(() => window.cpemSandbox!.session!.step), pausedAt);
    assert.equal(await page.locator('#start').innerText(), 'Continue');
    await page.click('#start');
    await page.waitForFunction(() => ['done', 'error', 'lost'].includes(document.body.dataset.state ?? ''), null, {
      timeout: 180_000,
    });
    const seconds = (Date.now() - t0) / 1000 - 1.5;
    const longestTask = await page.evaluate(() => (window as unknown as { longestTask: number }).longestTask);
    console.log(
      `paused at step ${pausedAt}; longest main-thread task while training (steps 1-${STEPS}) ${longestTask.toFixed(0)} ms`,
    );
    assert.ok(longestTask < 1000, `a ${longestTask} ms task held the page while training`);
    assert.equal(
      await page.evaluate(() => document.body.dataset.state),
      'done',
      await page.locator('#error').innerText(),
    );
    assert.equal(await page.locator('#backend-in-use').innerText(), 'webgpu');
    console.log(`WebGPU ${await page.locator('#backend-note').innerText()}`);

    // The loss: one row per step, falling.
    const rows = await page.evaluate(() => window.cpemSandbox!.lossRows());
    assert.deepEqual(
      rows.map((r) => r.step),
      Array.from({ length: STEPS }, (_, i) => i),
    );
    const mean = (rs: typeof rows) => rs.reduce((s, r) => s + r.total, 0) / rs.length;
    const first = mean(rows.slice(0, 5));
    const last = mean(rows.slice(-5));
    console.log(
      `sandbox on webgpu: ${STEPS} steps in ${seconds.toFixed(1)} s; loss (mean of 5) ${first.toFixed(3)} → ${last.toFixed(3)}`,
    );
    assert.ok(last < 0.7 * first, `loss ${first} → ${last}`);
    straightRun = rows.map((r) => r.total);

    // Validation on the held-out set at steps 0, 10, 20, 30; β error lower at the end than before training.
    // The table has a row for each, with the trainer's ten synthetic categories as columns.
    const validation = await page.evaluate(() => window.cpemSandbox!.session!.validationRows);
    assert.deepEqual(
      validation.map((v) => v.step),
      [0, 10, 20, 30],
    );
    console.log(`held-out β MAE ${validation[0].betaMae.toFixed(4)} → ${validation.at(-1)!.betaMae.toFixed(4)}`);
    assert.ok(
      validation.at(-1)!.betaMae < validation[0].betaMae,
      `β MAE ${validation[0].betaMae} → ${validation.at(-1)!.betaMae}`,
    );
    assert.equal(await page.locator('#validation tbody tr').count(), 4);

    // No tensor leaks: the count after every step is the same once Adam has made its moments (step 2 on).
    const counts = await page.evaluate(() => window.cpemSandbox!.session!.tensorCounts);
    assert.equal(counts.length, STEPS);
    assert.deepEqual(new Set(counts.slice(2)).size, 1, `tensor counts ${counts.join(',')}`);

    // The chart has been drawn: the canvas is not one flat colour.
    const chartColours = await page.evaluate(() => {
      const c = document.getElementById('loss-chart') as HTMLCanvasElement;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      const seen = new Set<number>();
      for (let i = 0; i < d.length; i += 4 * 7) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
      return seen.size;
    });
    assert.ok(chartColours > 20, `the chart shows ${chartColours} colours`);
    fs.mkdirSync(path.join('.cache', 'screenshots'), { recursive: true });
    await page.screenshot({ path: path.join('.cache', 'screenshots', 'training-sandbox.png'), fullPage: true });

    const trained = await page.evaluate(() => window.cpemSandbox!.outputs('trained'));

    // "Download weights": the layout npm run train writes (model.json, weights.bin, manifest.json, loss.csv).
    const downloads: string[] = [];
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cpem-sandbox-'));
    const all = new Promise<void>((resolve) => {
      page.on('download', async (d) => {
        const file = path.join(dir, d.suggestedFilename());
        await d.saveAs(file);
        downloads.push(file);
        if (downloads.length === 4) resolve();
      });
    });
    await page.click('#download');
    await all;
    assert.deepEqual(downloads.map((f) => path.basename(f)).sort(), [
      'loss.csv',
      'manifest.json',
      'model.json',
      'weights.bin',
    ]);
    const read = (name: string) => fs.readFileSync(path.join(dir, name), 'utf8');
    const modelJson = JSON.parse(read('model.json'));
    assert.equal(modelJson.modelTopology.format, 'babylon-cpem/pe-net');
    assert.deepEqual(modelJson.modelTopology.config.hidden, [32]);
    assert.deepEqual(modelJson.weightsManifest[0].paths, ['weights.bin']);
    assert.equal(modelJson.userDefinedMetadata.steps, STEPS);
    const manifest = JSON.parse(read('manifest.json'));
    assert.equal(manifest.format, 'babylon-cpem/pe-net-manifest');
    assert.equal(
      manifest.faceModelSha256,
      crypto.createHash('sha256').update(fs.readFileSync('weights/face-model.bin')).digest('hex'),
    );
    assert.deepEqual(
      { steps: manifest.trained.steps, backend: manifest.trained.backend, hidden: manifest.run.training.hidden },
      { steps: STEPS, backend: 'webgpu', hidden: [32] },
    );
    assert.ok(
      manifest.metrics.syntheticUnitMae > 0 && manifest.metrics.syntheticUnitMae < 1,
      JSON.stringify(manifest.metrics),
    );
    assert.equal(manifest.metrics.finalLoss, rows.at(-1)!.total);
    assert.equal(read('loss.csv').trim().split('\n').length, STEPS + 1);
    console.log(`manifest metrics: ${JSON.stringify(manifest.metrics)}`);
    const weightFiles = ['model.json', 'weights.bin'].map((f) => path.join(dir, f));

    // Load them back through the page's file input: same outputs on the held-out features.
    await page.setInputFiles('#load-weights', weightFiles);
    await page.waitForFunction(() => document.getElementById('load-result')!.dataset.maxDiff !== undefined, null, {
      timeout: 60_000,
    });
    const fromFiles = await page.evaluate(() => window.cpemSandbox!.outputs('loaded'));
    const fileDiff = maxAbsDiff(trained, fromFiles);
    assert.ok(fileDiff <= 1e-6, `outputs of the downloaded weights differ by ${fileDiff}`);
    assert.ok(Number(await page.evaluate(() => document.getElementById('load-result')!.dataset.maxDiff)) <= 1e-6);

    // "Use in sample scene": saved to IndexedDB, the scene opens with ?weights=sandbox; the copy loads back the same.
    const [popup] = await Promise.all([page.context().waitForEvent('page'), page.click('#use-in-scene')]);
    assert.match(popup.url(), /\/\?weights=sandbox$/);
    // The sample scene finds the stored network and says it uses it.
    const t1 = Date.now();
    await popup.waitForFunction(
      () => /training sandbox/.test(document.getElementById('message')?.textContent ?? ''),
      null,
      { timeout: 90_000 },
    );
    assert.match(await popup.innerText('#message'), /Using the PE-Net weights from the training sandbox/);
    console.log(`sample scene took the sandbox weights after ${((Date.now() - t1) / 1000).toFixed(1)} s`);
    await popup.close();
    await page.evaluate(() => delete document.getElementById('load-result')!.dataset.maxDiff);
    await page.click('#check-saved');
    await page.waitForFunction(() => document.getElementById('load-result')!.dataset.maxDiff !== undefined, null, {
      timeout: 60_000,
    });
    const fromIndexedDb = await page.evaluate(() => window.cpemSandbox!.outputs('loaded'));
    const dbDiff = maxAbsDiff(trained, fromIndexedDb);
    assert.ok(dbDiff <= 1e-6, `outputs of the IndexedDB copy differ by ${dbDiff}`);
    console.log(`export round trips: downloads max |Δ| ${fileDiff}, IndexedDB max |Δ| ${dbDiff}`);

    assert.equal(await page.locator('#error').innerText(), '');
    assert.deepEqual(errors, []);
    fs.rmSync(dir, { recursive: true, force: true });
    await page.close();
  });

  it('reports a lost WebGPU device as DEVICE_LOST and continues from the last checkpoint on another backend', async () => {
    const steps = STEPS;
    const { page, errors } = await openSandbox(pages.browser, pages.server.url);
    await fillSmallConfig(page, steps, 10);
    await page.click('#start');
    await page.waitForFunction(() => (window.cpemSandbox!.session?.step ?? 0) >= 12, null, { timeout: 120_000 });
    assert.equal(await page.evaluate(() => window.cpemSandbox!.loseDevice()), true);
    await page.waitForFunction(() => ['lost', 'error', 'done'].includes(document.body.dataset.state ?? ''), null, {
      timeout: 60_000,
    });
    assert.equal(
      await page.evaluate(() => document.body.dataset.state),
      'lost',
      await page.locator('#error').innerText(),
    );
    assert.equal(await page.locator('#error').getAttribute('data-code'), 'DEVICE_LOST');
    assert.match(await page.locator('#error').innerText(), /^DEVICE_LOST: The WebGPU device was lost/);
    const lostAt = await page.evaluate(() => ({
      step: window.cpemSandbox!.session!.step,
      checkpoint: window.cpemSandbox!.session!.checkpointStep,
    }));
    assert.ok(
      lostAt.checkpoint !== null &&
        lostAt.checkpoint >= 10 &&
        lostAt.checkpoint % 10 === 0 &&
        lostAt.checkpoint <= lostAt.step,
      JSON.stringify(lostAt),
    );
    // Offered: a new WebGPU device, then the fallbacks after webgpu; continue on wasm.
    assert.deepEqual(await page.locator('#resume-backend option').allInnerTexts(), [
      'webgpu (new device)',
      'webgl',
      'wasm',
      'cpu',
    ]);
    await page.selectOption('#resume-backend', 'wasm');
    await page.click('#resume-button');
    await page.waitForFunction(() => document.body.dataset.state === 'paused', null, { timeout: 60_000 });
    assert.equal(await page.evaluate(() => window.cpemSandbox!.session!.step), lostAt.checkpoint);
    assert.equal(await page.locator('#backend-in-use').innerText(), 'wasm');
    assert.equal(await page.locator('#error').innerText(), '');
    await page.click('#start');
    await page.waitForFunction(() => ['done', 'error', 'lost'].includes(document.body.dataset.state ?? ''), null, {
      timeout: 120_000,
    });
    assert.equal(
      await page.evaluate(() => document.body.dataset.state),
      'done',
      await page.locator('#error').innerText(),
    );
    // One loss row per step across the loss: the rows after the checkpoint were trained again, not duplicated.
    const rows = await page.evaluate(() => window.cpemSandbox!.lossRows());
    assert.deepEqual(
      rows.map((r) => r.step),
      Array.from({ length: steps }, (_, i) => i),
    );
    const validation = await page.evaluate(() => window.cpemSandbox!.session!.validationRows.map((v) => v.step));
    assert.deepEqual(validation, [0, 10, 20, 30]);
    const mean = (rs: typeof rows) => rs.reduce((s, r) => s + r.total, 0) / rs.length;
    console.log(
      `device lost at step ${lostAt.step}, resumed on wasm from ${lostAt.checkpoint}; loss ${mean(rows.slice(0, 5)).toFixed(1)} → ${mean(rows.slice(-5)).toFixed(1)}`,
    );
    assert.ok(mean(rows.slice(-5)) < 0.7 * mean(rows.slice(0, 5)));
    // The same run as the uninterrupted one: same batches from the checkpoint on, so the same losses up to the
    // arithmetic differences of wasm and WebGPU.
    if (straightRun) {
      const relative = rows.map((r, i) => Math.abs(r.total - straightRun![i]) / straightRun![i]);
      const worst = Math.max(...relative);
      console.log(
        `resumed run against the uninterrupted one: largest relative loss difference ${worst.toExponential(2)}`,
      );
      assert.ok(worst < 1e-2, `losses differ by up to ${worst} (relative)`);
    }
    // A new run on WebGPU after the loss gets a new device and trains.
    await page.selectOption('#backend', 'webgpu');
    await page.fill('#steps', '3');
    await page.click('#start');
    await page.waitForFunction(() => ['done', 'error', 'lost'].includes(document.body.dataset.state ?? ''), null, {
      timeout: 120_000,
    });
    assert.equal(
      await page.evaluate(() => document.body.dataset.state),
      'done',
      await page.locator('#error').innerText(),
    );
    assert.equal(await page.locator('#backend-in-use').innerText(), 'webgpu');
    const again = await page.evaluate(() => window.cpemSandbox!.lossRows());
    assert.equal(again.length, 3);
    // Its first two steps are the straight run's (same seed, same batches; the exclusive term starts at step 2 here).
    if (straightRun) {
      for (const i of [0, 1])
        assert.ok(
          Math.abs(again[i].total - straightRun[i]) <= 1e-5 * straightRun[i],
          `step ${i}: ${again[i].total} vs ${straightRun[i]}`,
        );
    }
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('tracks dropped videos in the page and trains on them as one person per clip', async (t) => {
    const clips = ['SimonGiebenhain__ex2.mp4', 'fomm_00.mp4'].map((f) => sharedPath('videos', f));
    if (!clips.every((f) => fs.existsSync(f))) {
      t.skip('../shared/videos is not here');
      return;
    }
    const { page, errors } = await openSandbox(pages.browser, pages.server.url, 'wasm');
    await fillSmallConfig(page, 10, 5);
    await page.fill('#lw-syntheticSupervision', '0');
    await page.fill('#clip-fps', '4');
    await page.fill('#clip-frames', '12');
    // One clip dropped on the page (a drop event carrying the file), the other picked with the file input.
    const dropped = await page.evaluateHandle(
      async (url) => {
        const transfer = new DataTransfer();
        transfer.items.add(new File([await (await fetch(url)).blob()], url.split('/').pop()!, { type: 'video/mp4' }));
        return transfer;
      },
      `${pages.server.url}shared/videos/${path.basename(clips[0])}`,
    );
    await page.dispatchEvent('#drop', 'drop', { dataTransfer: dropped });
    await page.setInputFiles('#video-files', clips[1]);
    assert.deepEqual(
      await page.locator('#clips li').allInnerTexts(),
      clips.map((c) => `${path.basename(c)}: not tracked yet`),
    );
    assert.equal(await page.locator('input[name=data][value=videos]').isChecked(), true);
    await page.click('#start');
    await page.waitForFunction(
      () =>
        ['done', 'error', 'lost'].includes(document.body.dataset.state ?? '') ||
        document.getElementById('error')!.textContent !== '',
      null,
      { timeout: 180_000 },
    );
    assert.equal(await page.locator('#error').innerText(), '');
    assert.equal(await page.evaluate(() => document.body.dataset.state), 'done');
    await page.screenshot({ path: path.join('.cache', 'screenshots', 'training-sandbox-videos.png') });
    const tracked = await page
      .locator('#clips li')
      .evaluateAll((items) => items.map((li) => Number((li as HTMLElement).dataset.frames)));
    console.log(`tracked frames per clip: ${tracked.join(', ')} of 12`);
    assert.ok(tracked.length === 2 && tracked.every((n) => n >= 10), `tracked ${tracked}`);
    const rows = await page.evaluate(() => window.cpemSandbox!.lossRows());
    assert.equal(rows.length, 10);
    assert.ok(!('syntheticSupervision' in rows[0].terms), 'real clips have no ground truth to supervise with');
    assert.ok(rows[0].terms.identityConsistency > 0, 'the frames of one clip are one person');
    assert.ok(rows.at(-1)!.total < rows[0].total, `loss ${rows[0].total} → ${rows.at(-1)!.total}`);
    assert.deepEqual(errors, []);
    await page.close();
  });
});
