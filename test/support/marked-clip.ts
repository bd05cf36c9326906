// A clip for the specs that watch a character follow a fake camera in headless Chromium (the sample scene, and an app
// built from the packed package): liveportrait_d3.mp4 from ../shared/videos, 0-3.5 s and 9.6-11.8 s, at 15 fps,
// 320 × 320, with its frame number drawn as 8 binary squares in a strip below the picture, converted to y4m for
// Chromium's --use-file-for-fake-video-capture (into .cache/, never into the repository). The page reads the number
// back, so each estimated motion is tied to the clip frame it came from, whatever the machine's speed.
//
// Picked by looking at its frames (ffmpeg → PNG contact sheet): 0-2 and 11-17 neutral, 3-10 and 18-25 a squint
// and a wink, 24-26 and 28-31 both eyes closed (27 open between them; from 32 on she looks down through lowered
// lids, which counts as neither), 53-56 eyes wide, 58-85 mouth wide open (eyes open).
import { spawnSync } from 'node:child_process';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { TestContext } from 'node:test';
import type { Page } from 'playwright-core';
import { sharedPath } from '../../training/node/shared-data.js';

export const CLIP_SOURCE = path.resolve(sharedPath('videos', 'liveportrait_d3.mp4'));
export const CLIP_FRAMES = 86;
export const CLIP_WINDOWS = {
  eyesClosed: [
    [24, 26],
    [28, 31],
  ],
  eyesOpen: [[53, 85]],
  mouthOpen: [[58, 85]],
  mouthClosed: [
    [0, 2],
    [11, 17],
    [26, 52],
  ],
} as const satisfies Record<string, ReadonlyArray<readonly [number, number]>>;
export type ClipWindow = keyof typeof CLIP_WINDOWS;

/** Writes the marked clip to `file` (y4m) unless it is there already. */
export function makeMarkedClip(file: string): void {
  if (fs.existsSync(file)) return;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const bits = Array.from(
    { length: 8 },
    (_, i) => `drawbox=x=${i * 16 + 2}:y=322:w=12:h=12:color=white:t=fill:enable='mod(floor(n/${2 ** i}),2)'`,
  );
  const graph =
    '[0:v]trim=0:3.5,setpts=PTS-STARTPTS[a];[0:v]trim=9.6:11.8,setpts=PTS-STARTPTS[b];[a][b]concat=n=2:v=1[c];' +
    `[c]fps=15,scale=320:320,pad=320:336:0:0:black,${bits.join(',')}[out]`;
  const partial = `${file}.${process.pid}.part`;
  const r = spawnSync('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-i',
    CLIP_SOURCE,
    '-filter_complex',
    graph,
    '-map',
    '[out]',
    '-pix_fmt',
    'yuv420p',
    '-f',
    'yuv4mpegpipe',
    partial,
  ]);
  if (r.status !== 0) throw new Error(`ffmpeg failed: ${r.stderr}`);
  fs.renameSync(partial, file);
}

/**
 * One motion as the character showed it: the clip frame it came from, the jaw and (mean of the two) eye-close
 * influences, whether calibration had locked, and what the tracker saw: the inner-lip and eyelid openings
 * (landmarks 13-14, 159-145 and 386-374) over the face's height (10-152).
 */
export interface ClipSample {
  frame: number;
  jawOpen: number;
  eyeClose: number;
  locked: boolean;
  lipGap: number;
  lidGap: number;
}

/** What the page must expose as `window.cpemProbe` for {@link recordClip}. */
export interface ClipProbe {
  /** The FaceRetargetBehavior driving the character. */
  behavior: unknown;
  /** Its scene. */
  scene: unknown;
  /** The current influence of the character's morph target `name`. */
  influence(name: string): number;
}

/**
 * Records, in the page, what the character shows after each render that brings a new motion (targets named by
 * `names`: the jaw and the two eyes), from the first recalibration at the clip's start on, until every window of
 * the clip holds `perWindow` calibrated samples or `timeoutMs` passes (the fake camera loops the clip). Returns the
 * samples; the caller asserts on them.
 */
export async function recordClip(
  page: Page,
  names: { jaw: string; eyes: [string, string] },
  perWindow: number,
  timeoutMs: number,
): Promise<ClipSample[]> {
  await page.evaluate(
    async ({ names }) => {
      type Motion = { landmarks: Float32Array; calibration: string };
      const probe = (window as unknown as { cpemProbe: { behavior: any; scene: any; influence(n: string): number } })
        .cpemProbe;
      const { behavior, scene } = probe;
      const reader = new OffscreenCanvas(320, 336).getContext('2d', { willReadFrequently: true })!;
      const readMarker = (): number => {
        const v = behavior.video as HTMLVideoElement | null;
        if (!v || v.videoWidth === 0) return -1;
        reader.drawImage(v, 0, 0, 320, 336);
        const d = reader.getImageData(0, 322, 128, 12).data;
        let n = 0;
        for (let i = 0; i < 8; i++) if (d[(6 * 128 + i * 16 + 8) * 4] > 128) n |= 1 << i;
        return n;
      };
      const frameOf = new WeakMap<object, number>();
      const samples: object[] = [];
      const gap = (l: Float32Array, a: number, b: number) =>
        Math.hypot(l[a * 3] - l[b * 3], l[a * 3 + 1] - l[b * 3 + 1]);
      let last: object | null = null;
      let recording = false;
      // The marker is read when the behavior takes a frame to estimate, not when the motion comes back: on a loaded
      // machine an estimate takes several clip frames, and a marker read on its return named a later frame.
      const stage = behavior.inference as { run(video: unknown, t0: number): Promise<object | null> };
      const run = stage.run;
      stage.run = async (video: unknown, t0: number) => {
        const frame = readMarker();
        const m = await run.call(stage, video, t0);
        if (m) frameOf.set(m, frame);
        return m;
      };
      const onRender = scene.onAfterRenderObservable.add(() => {
        const m = behavior.latestMotion as Motion | null;
        if (!recording || !m || m === last || !frameOf.has(m)) return;
        last = m;
        const l = m.landmarks;
        const face = gap(l, 10, 152);
        samples.push({
          frame: frameOf.get(m)!,
          jawOpen: probe.influence(names.jaw),
          eyeClose: (probe.influence(names.eyes[0]) + probe.influence(names.eyes[1])) / 2,
          locked: m.calibration === 'locked',
          lipGap: gap(l, 13, 14) / face,
          lidGap: (gap(l, 159, 145) + gap(l, 386, 374)) / 2 / face,
        });
      });
      (window as unknown as Record<string, unknown>).cpemRecording = {
        samples,
        stop: () => {
          stage.run = run;
          scene.onAfterRenderObservable.remove(onRender);
        },
      };
      // Calibrate on the clip's neutral start: wait for frame 0-3, then collect the user's neutral from there.
      const t0 = performance.now();
      while (performance.now() - t0 < 20_000) {
        const f = readMarker();
        if (f >= 0 && f <= 3) break;
        await new Promise((r) => setTimeout(r, 10));
      }
      behavior.recalibrate();
      recording = true;
    },
    { names },
  );
  const t0 = Date.now();
  let samples: ClipSample[] = [];
  for (;;) {
    await new Promise((r) => setTimeout(r, 2000));
    samples = await page.evaluate(() =>
      (window as unknown as { cpemRecording: { samples: ClipSample[] } }).cpemRecording.samples.slice(),
    );
    const counts = windowCounts(samples);
    if (Object.values(counts).every((n) => n >= perWindow) || Date.now() - t0 > timeoutMs) break;
  }
  await page.evaluate(() => (window as unknown as { cpemRecording: { stop(): void } }).cpemRecording.stop());
  return samples;
}

const within = (f: number, ranges: ReadonlyArray<readonly [number, number]>) =>
  ranges.some(([a, b]) => f >= a && f <= b);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(xs.length, 1);

/** Calibrated samples in each window of the clip. */
export function windowCounts(samples: readonly ClipSample[]): Record<ClipWindow, number> {
  const locked = samples.filter((s) => s.locked);
  return Object.fromEntries(
    Object.entries(CLIP_WINDOWS).map(([w, ranges]) => [w, locked.filter((s) => within(s.frame, ranges)).length]),
  ) as Record<ClipWindow, number>;
}

/** The mean of `key` over the calibrated samples in `window`. */
export function windowMean(
  samples: readonly ClipSample[],
  window: ClipWindow,
  key: keyof Omit<ClipSample, 'frame' | 'locked'>,
): number {
  return mean(samples.filter((s) => s.locked && within(s.frame, CLIP_WINDOWS[window])).map((s) => s[key]));
}

/** The calibrated samples as `frame:value` pairs, for a test's diagnostics. */
export function sampleTable(samples: readonly ClipSample[], key: 'jawOpen' | 'eyeClose'): string {
  return samples
    .filter((s) => s.locked)
    .map((s) => `${s.frame}:${s[key].toFixed(2)}`)
    .join(' ');
}

/**
 * Writes the recorded samples into the test's diagnostics (`names`: how the jaw and eye readings are called there)
 * and asserts that every window of the clip holds at least `perWindow` calibrated samples, enough to judge it.
 */
export function reportClipSamples(
  t: TestContext,
  samples: readonly ClipSample[],
  names: { jaw: string; eyes: string },
  perWindow = 6,
): void {
  const counts = windowCounts(samples);
  t.diagnostic(
    `${samples.length} samples, ${samples.filter((s) => s.locked).length} calibrated; per window ${JSON.stringify(counts)}`,
  );
  const width = Math.max(names.jaw.length, names.eyes.length);
  t.diagnostic(`${names.jaw.padEnd(width)} ${sampleTable(samples, 'jawOpen')}`);
  t.diagnostic(`${names.eyes.padEnd(width)} ${sampleTable(samples, 'eyeClose')}`);
  assert.ok(
    Object.values(counts).every((n) => n >= perWindow),
    `too few calibrated frames in some window of the clip to judge: ${JSON.stringify(counts)}`,
  );
}
