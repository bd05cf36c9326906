// End to end: the sample scene in headless Chromium, its webcam a fake camera playing a clip from ../shared/videos
// (converted to y4m into .cache/, never into the repository). The digital double's jawOpen influence must rise where
// the person opens her mouth, and its eyeClose influences where she closes her eyes. Saves a screenshot of the page
// to .cache/screenshots/sample-scene.png (CPEM_UPDATE_DOCS=1: to docs/images/sample-scene.png, the README's picture). Also: a denied camera reaches the page as CAMERA_DENIED, and dispose() stops
// the webcam tracks the behavior opened and frees every tensor.
//
// The clip: liveportrait_d3.mp4, 0-3.5 s and 9.6-11.8 s, at 15 fps, 320 × 320, with the frame number drawn as 8
// binary squares in a strip below the picture (the page reads it back to know which clip frame it is looking at).
// Picked by looking at its frames (ffmpeg → PNG contact sheet): 0-2 and 11-17 neutral, 3-10 and 18-25 a squint
// and a wink, 24-26 and 28-31 both eyes closed (27 open between them; from 32 on she looks down through lowered
// lids, which counts as neither), 53-56 eyes wide, 58-85 mouth wide open (eyes open).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startServer, type RunningServer } from '../../tools/server.mjs';
import { fakeCameraFlags } from '../../tools/chromium.cjs';
import { launchChromium } from '../support/browser-page.js';

const SOURCE = path.resolve('..', 'shared', 'videos', 'liveportrait_d3.mp4');
const CLIP = path.resolve('.cache', 'e2e', 'liveportrait_d3-marked.y4m');
const FRAMES = 86;
const WINDOWS = {
  eyesClosed: [[24, 26], [28, 31]] as const,
  eyesOpen: [[53, 85]] as const,
  mouthOpen: [58, 85] as const,
  mouthClosed: [[0, 2], [11, 17], [26, 52]] as const,
};
// A test run leaves the tracked picture alone unless asked to redraw it.
const SCREENSHOT = process.env.CPEM_UPDATE_DOCS === '1' ? path.join('docs', 'images', 'sample-scene.png') : path.join('.cache', 'screenshots', 'sample-scene.png');

function makeClip(): void {
  fs.mkdirSync(path.dirname(CLIP), { recursive: true });
  const bits = Array.from({ length: 8 }, (_, i) => `drawbox=x=${i * 16 + 2}:y=322:w=12:h=12:color=white:t=fill:enable='mod(floor(n/${2 ** i}),2)'`);
  const graph = '[0:v]trim=0:3.5,setpts=PTS-STARTPTS[a];[0:v]trim=9.6:11.8,setpts=PTS-STARTPTS[b];[a][b]concat=n=2:v=1[c];'
    + `[c]fps=15,scale=320:320,pad=320:336:0:0:black,${bits.join(',')}[out]`;
  const r = spawnSync('ffmpeg', ['-v', 'error', '-y', '-i', SOURCE, '-filter_complex', graph, '-map', '[out]', '-pix_fmt', 'yuv420p', CLIP]);
  if (r.status !== 0) throw new Error(`ffmpeg failed: ${r.stderr}`);
}

/** lipGap and lidGap: the tracker's inner-lip and eyelid openings (landmarks 13-14, 159-145 and 386-374) over the face's height (10-152). */
interface Sample { frame: number; jawOpen: number; eyeClose: number; locked: boolean; lipGap: number; lidGap: number }

/** In the page: records, after each render, the double's influences and the clip frame of the motion they show. */
async function record(page: Page, seconds: number): Promise<Sample[]> {
  return page.evaluate(async (ms) => {
    const sample = (window as unknown as { cpemSample: any }).cpemSample;
    const { behavior, scene, doubleMesh } = sample;
    const manager = doubleMesh.morphTargetManager;
    const target = (name: string) => { for (let i = 0; i < manager.numTargets; i++) if (manager.getTarget(i).name === name) return manager.getTarget(i); return null; };
    const jaw = target('jawOpen'), eyeL = target('eyeClose_L'), eyeR = target('eyeClose_R');
    const reader = new OffscreenCanvas(320, 336).getContext('2d', { willReadFrequently: true })!;
    const frameOf = new WeakMap<object, number>();
    const readMarker = (): number => {
      const v = behavior.video as HTMLVideoElement | null;
      if (!v || v.videoWidth === 0) return -1;
      reader.drawImage(v, 0, 0, 320, 336);
      const d = reader.getImageData(0, 322, 128, 12).data;
      let n = 0;
      for (let i = 0; i < 8; i++) if (d[(6 * 128 + i * 16 + 8) * 4] > 128) n |= 1 << i;
      return n;
    };
    const out: Array<{ frame: number; jawOpen: number; eyeClose: number; locked: boolean; lipGap: number; lidGap: number }> = [];
    const onMotion = behavior.onFaceMotion.add((m: object) => frameOf.set(m, readMarker()));
    const gap = (l: Float32Array, a: number, b: number) => Math.hypot(l[a * 3] - l[b * 3], l[a * 3 + 1] - l[b * 3 + 1]);
    let last: object | null = null;
    let recording = false; // from the recalibration on
    const onRender = scene.onAfterRenderObservable.add(() => {
      const m = behavior.latestMotion;
      if (!recording) return;
      if (!m || m === last || !frameOf.has(m)) return;
      last = m;
      const l = m.landmarks as Float32Array;
      const face = gap(l, 10, 152);
      out.push({
        frame: frameOf.get(m)!, jawOpen: jaw.influence, eyeClose: (eyeL.influence + eyeR.influence) / 2, locked: m.calibration === 'locked',
        lipGap: gap(l, 13, 14) / face, lidGap: (gap(l, 159, 145) + gap(l, 386, 374)) / 2 / face,
      });
    });
    // Calibrate on the clip's neutral start: wait for frame 0-3, then collect the user's neutral from there.
    const t0 = performance.now();
    while (performance.now() - t0 < 20000) {
      const f = readMarker();
      if (f >= 0 && f <= 3) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    behavior.recalibrate();
    recording = true;
    await new Promise((r) => setTimeout(r, ms));
    behavior.onFaceMotion.remove(onMotion);
    scene.onAfterRenderObservable.remove(onRender);
    return out;
  }, seconds * 1000);
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(xs.length, 1);
const within = (f: number, ranges: ReadonlyArray<readonly [number, number]>) => ranges.some(([a, b]) => f >= a && f <= b);

describe('sample scene end to end (fake camera playing a clip)', () => {
  let server: RunningServer;
  let browser: Browser | undefined;
  const haveShared = fs.existsSync(SOURCE);

  before(async () => {
    if (!haveShared) return;
    makeClip();
    server = await startServer({ port: 0 });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('drives the double: jawOpen rises where the mouth opens, eyeClose where the eyes close', { timeout: 180_000 }, async (t) => {
    if (!haveShared) return t.skip('../shared/videos/liveportrait_d3.mp4 is not present');
    browser = await launchChromium(fakeCameraFlags(CLIP));
    const page = await browser.newPage({ viewport: { width: 1280, height: 760 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.url}?backend=wasm`, { timeout: 90_000 });
    await page.waitForFunction(() => document.body.dataset.started || document.body.dataset.error, null, { timeout: 90_000 });
    assert.equal(await page.evaluate(() => document.body.dataset.started), 'running', await page.locator('#message').innerText());
    await page.waitForFunction(() => (window as any).cpemSample.behavior.latestMotion !== null, null, { timeout: 30_000 });

    const samples = await record(page, 3 * FRAMES / 15 + 2);
    // A screenshot while the mouth is open (taken before the checks, so that a failing run still shows the page).
    await page.waitForFunction(() => {
      const v = (window as any).cpemSample.behavior.video as HTMLVideoElement;
      const c = new OffscreenCanvas(320, 336).getContext('2d')!;
      c.drawImage(v, 0, 0, 320, 336);
      const d = c.getImageData(0, 322, 128, 12).data;
      let n = 0;
      for (let i = 0; i < 8; i++) if (d[(6 * 128 + i * 16 + 8) * 4] > 128) n |= 1 << i;
      return n >= 40 && n <= 46; // on this busy machine the screenshot lands about 2 s later, mouth wide open
    }, null, { timeout: 20_000, polling: 20 });
    fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    // The clip's pixels stay out of the picture (../shared footage is for development only): the video is hidden,
    // its landmark overlay stays.
    const hidden = await page.addStyleTag({ content: 'video { visibility: hidden !important; }' });
    await page.screenshot({ path: SCREENSHOT });
    await hidden.evaluate((el) => (el as Element).remove());

    const locked = samples.filter((s) => s.locked && s.frame >= 0 && s.frame < FRAMES);
    const seen = new Set(locked.map((s) => s.frame)).size;
    const table = (key: 'jawOpen' | 'eyeClose') => locked.map((s) => `${s.frame}:${s[key].toFixed(2)}`).join(' ');
    t.diagnostic(`${samples.length} samples, ${locked.length} calibrated, ${seen} distinct clip frames`);
    t.diagnostic(`jawOpen  ${table('jawOpen')}`);
    t.diagnostic(`eyeClose ${table('eyeClose')}`);
    assert.ok(seen > FRAMES / 3, `only ${seen} of ${FRAMES} clip frames were estimated after calibration`);

    // The windows are right for what the tracker sees: lips apart in the mouth window, lids together in the eye window.
    const lipIn = mean(locked.filter((s) => within(s.frame, [WINDOWS.mouthOpen])).map((s) => s.lipGap));
    const lipOut = mean(locked.filter((s) => within(s.frame, WINDOWS.mouthClosed)).map((s) => s.lipGap));
    const lidIn = mean(locked.filter((s) => within(s.frame, WINDOWS.eyesClosed)).map((s) => s.lidGap));
    const lidOut = mean(locked.filter((s) => within(s.frame, WINDOWS.eyesOpen)).map((s) => s.lidGap));
    t.diagnostic(`tracker: lip gap ${lipIn.toFixed(3)} vs ${lipOut.toFixed(3)}, lid gap ${lidIn.toFixed(3)} vs ${lidOut.toFixed(3)} (of the face height)`);
    assert.ok(lipIn > 3 * lipOut, `the tracked lips are not apart in the mouth window (${lipIn.toFixed(3)} vs ${lipOut.toFixed(3)}): the clip frames and windows are out of step`);
    assert.ok(lidIn < 0.9 * lidOut, `the tracked lids are not closer in the eye window (${lidIn.toFixed(3)} vs ${lidOut.toFixed(3)}): the clip frames and windows are out of step`);

    const jawIn = mean(locked.filter((s) => within(s.frame, [WINDOWS.mouthOpen])).map((s) => s.jawOpen));
    const jawOut = mean(locked.filter((s) => within(s.frame, WINDOWS.mouthClosed)).map((s) => s.jawOpen));
    const eyeIn = mean(locked.filter((s) => within(s.frame, WINDOWS.eyesClosed)).map((s) => s.eyeClose));
    const eyeOut = mean(locked.filter((s) => within(s.frame, WINDOWS.eyesOpen)).map((s) => s.eyeClose));
    t.diagnostic(`jawOpen: ${jawIn.toFixed(3)} with the mouth open vs ${jawOut.toFixed(3)} closed; eyeClose: ${eyeIn.toFixed(3)} with the eyes closed vs ${eyeOut.toFixed(3)} open`);
    assert.ok(jawIn > jawOut + 0.15, `jawOpen ${jawIn.toFixed(3)} with the mouth open vs ${jawOut.toFixed(3)} with it closed`);
    // The shipped network reads this person's closed eyes weakly: through the per-user neutral and the filter the
    // double's eyeClose sits at 0.05-0.07 in the closed-eye window against about 0.005 open (it reads a full blink
    // in other clips at 1.0; docs/evaluation.md has the real-frame figures). The rise must be clear against the
    // open-eye level, relatively (5×) and absolutely.
    assert.ok(eyeIn > eyeOut + 0.03 && eyeIn > 5 * eyeOut, `eyeClose ${eyeIn.toFixed(3)} with the eyes closed vs ${eyeOut.toFixed(3)} open`);

    // dispose(): the webcam tracks it opened stop, every tensor is freed, the double is back at rest.
    const after = await page.evaluate(async () => {
      const { behavior } = (window as any).cpemSample;
      const stream = behavior.video.srcObject as MediaStream;
      behavior.dispose();
      await new Promise((r) => setTimeout(r, 500));
      const tf = (window as any).cpemSample.tf;
      return { tracks: stream.getTracks().map((tr) => tr.readyState), state: behavior.state, numTensors: tf ? tf.memory().numTensors : -1 };
    });
    assert.deepEqual(after.tracks, ['ended']);
    assert.equal(after.state, 'disposed');
    assert.equal(after.numTensors, 0);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('edits tables live, loads a GLB with autoMap and switches to a video file', { timeout: 150_000 }, async (t) => {
    const avatar = path.resolve('..', 'shared', 'avatars', 'rpm_brunette-t.glb');
    if (!haveShared || !fs.existsSync(avatar)) return t.skip('../shared (videos and avatars) is not present');
    browser ??= await launchChromium(fakeCameraFlags(CLIP));
    const page = await browser.newPage({ viewport: { width: 1280, height: 760 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.url}?backend=wasm&source=none`, { timeout: 90_000 });
    await page.waitForFunction(() => document.body.dataset.started || document.body.dataset.error, null, { timeout: 90_000 });

    // The table editor: the toon head's table, broken then fixed, validated on the fly.
    await page.selectOption('#tableCharacter', 'toon head');
    const original = await page.inputValue('#tableJson');
    await page.fill('#tableJson', original.replace('"MouthOpen"', '"MouthWideOpen"').replace('"jawOpen"', '"jawOpne"'));
    await page.waitForFunction(() => /problem/.test(document.getElementById('tableErrors')!.textContent!), null, { timeout: 10_000 });
    const problems = await page.innerText('#tableErrors');
    assert.match(problems, /MouthWideOpen/);
    assert.match(problems, /jawOpne/);
    const edited = JSON.parse(original);
    edited.targets.find((r: { target: string }) => r.target === 'MouthOpen').gain = 2.5;
    await page.fill('#tableJson', JSON.stringify(edited));
    await page.waitForFunction(() => document.getElementById('tableErrors')!.textContent === 'applied', null, { timeout: 10_000 });
    const gain = await page.evaluate(() => (window as any).cpemSample.characters.find((c: any) => c.label === 'toon head').applier.table.targets.find((r: any) => r.target === 'MouthOpen').gain);
    assert.equal(gain, 2.5);

    // Your own GLB: auto-mapped (ARKit for this avatar), with what could not be mapped listed.
    await page.setInputFiles('#glbFile', avatar);
    await page.waitForFunction(() => /mapped/.test(document.getElementById('unmapped')!.textContent!), null, { timeout: 60_000 });
    const summary = await page.innerText('#unmapped');
    t.diagnostic(summary);
    assert.match(summary, /^arkit[^:]*: (\d+) targets mapped/);
    assert.ok(Number(summary.match(/: (\d+) targets mapped/)![1]) >= 50);
    assert.match(summary, /Not mapped \(\d+\): .*viseme_/);
    assert.equal(await page.inputValue('#tableCharacter'), 'your GLB');

    // The video-file switch: the page tracks the chosen file.
    await page.setInputFiles('#videoFile', SOURCE);
    await page.waitForFunction(() => {
      const { behavior } = (window as any).cpemSample;
      return behavior.state === 'running' && behavior.video?.src.startsWith('blob:') && behavior.stats.frames > 3;
    }, null, { timeout: 90_000 });
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('?weights=sandbox loads the network the training sandbox stored in IndexedDB, and says so when there is none', { timeout: 120_000 }, async (t) => {
    if (!haveShared) return t.skip('../shared is not present');
    browser ??= await launchChromium(fakeCameraFlags(CLIP));
    const page = await browser.newPage();
    const started = () => page.waitForFunction(() => document.body.dataset.started || document.body.dataset.error, null, { timeout: 90_000 });
    await page.goto(`${server.url}?backend=wasm&source=none&weights=sandbox`, { timeout: 90_000 });
    await started();
    assert.match(await page.innerText('#message'), /No sandbox weights/);
    // Store a network the way the sandbox does (tf.io to indexeddb://babylon-cpem-sandbox-pe-net), then reload.
    await page.evaluate(async () => {
      const { tf } = (window as any).cpemSample;
      const json = await (await fetch('/weights/pe-net/model.json')).json();
      const weightData = await (await fetch(`/weights/pe-net/${json.weightsManifest[0].paths[0]}`)).arrayBuffer();
      await tf.io.getSaveHandlers('indexeddb://babylon-cpem-sandbox-pe-net')[0].save({
        modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData, format: json.format,
      });
    });
    await page.goto(`${server.url}?backend=wasm&weights=sandbox`, { timeout: 90_000 });
    await started();
    assert.match(await page.innerText('#message'), /Using the PE-Net weights from the training sandbox/);
    assert.equal(await page.evaluate(() => document.body.dataset.started), 'running', await page.innerText('#status'));
    await page.close();
  });

  it('shows CAMERA_DENIED when the camera is refused', { timeout: 120_000 }, async (t) => {
    if (!haveShared) return t.skip('../shared/videos/liveportrait_d3.mp4 is not present');
    // A fake camera exists, but without the flag that accepts the permission prompt, headless Chromium refuses it.
    const denying = await launchChromium(['--use-fake-device-for-media-stream']);
    try {
      const page = await denying.newPage();
      await page.goto(`${server.url}?backend=wasm`, { timeout: 90_000 });
      await page.waitForFunction(() => document.body.dataset.started || document.body.dataset.error, null, { timeout: 90_000 });
      assert.equal(await page.evaluate(() => document.body.dataset.lastError), 'CAMERA_DENIED');
      assert.match(await page.locator('#message').innerText(), /CAMERA_DENIED: Camera access was denied/);
      assert.equal(await page.evaluate(() => document.body.dataset.started), 'stopped');
    } finally {
      await denying.close();
    }
  });
});
