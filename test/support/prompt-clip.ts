// Clips for the guided capture of "Teach it your face" (/training) in headless Chromium, made from
// liveportrait_d10.mp4 of ../shared/videos and converted to y4m for Chromium's --use-file-for-fake-video-capture (into
// .cache/e2e, never into the repository). Used by test/node/personalize-sandbox.test.ts and by the screenshots of
// docs/training-sandbox.md (tools/screenshot-teach-sandbox.ts).
//
// PROMPT_CLIP shows what a person following the prompts would: the clip's first frame (a resting face) held for
// NEUTRAL_FRAMES, then for each later prompt of PROMPT_CLIP_PROMPTS a SEGMENT_FRAMES-long segment: the 0.2 s of the
// clip leading into a moment where she shows that expression (picked from a contact sheet of its frames), the last
// frame held. At 15 fps, 320 × 320, with the frame number drawn as 8 binary squares in a strip below the picture:
// the fake camera loops the clip from when Chromium starts, so a page reads the number off the preview to start the
// capture as the loop begins, and to retake a prompt while its expression is shown.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { sharedPath } from '../../training/node/shared-data.js';

export const PROMPT_CLIP_SOURCE = path.resolve(sharedPath('videos', 'liveportrait_d10.mp4'));
const DIR = path.resolve('.cache', 'e2e');
export const PROMPT_CLIP = path.join(DIR, 'liveportrait_d10-prompts3s-marked.y4m');
/** The clip's first frame only, for 12 s: a face that never leaves neutral. */
export const STILL_CLIP = path.join(DIR, 'liveportrait_d10-still.y4m');
export const PROMPT_CLIP_PROMPTS = ['neutral', 'pucker', 'smile', 'jawOpen', 'browsUp', 'eyesClosed'] as const;
/** Seconds of the source where each later prompt's expression is at its height: an "oo", a smile, surprise (twice), a blink. */
const PEAKS = [0.25, 1.5, 3.35, 3.35, 7.43];
export const NEUTRAL_FRAMES = 45;
export const SEGMENT_FRAMES = 30;
export const PROMPT_CLIP_FRAMES = NEUTRAL_FRAMES + PEAKS.length * SEGMENT_FRAMES;

/**
 * Writes `frames` frames of `graph` (which must end at 15 fps: y4m is constant-rate, and a graph without a rate
 * makes ffmpeg repeat frames without end) as raw y4m, once.
 */
function makeClip(file: string, graph: string, frames: number): void {
  if (fs.existsSync(file)) return;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const partial = `${file}.${process.pid}.part`;
  const r = spawnSync('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-i',
    PROMPT_CLIP_SOURCE,
    '-filter_complex',
    graph,
    '-map',
    '[out]',
    '-frames:v',
    String(frames),
    '-pix_fmt',
    'yuv420p',
    '-f',
    'yuv4mpegpipe',
    partial,
  ]);
  if (r.status !== 0) {
    fs.rmSync(partial, { force: true });
    throw new Error(`ffmpeg failed: ${r.stderr}`);
  }
  fs.renameSync(partial, file);
}

/** Writes PROMPT_CLIP and STILL_CLIP unless they are there already. */
export function makePromptClips(): void {
  const bits = Array.from(
    { length: 8 },
    (_, i) => `drawbox=x=${i * 16 + 2}:y=322:w=12:h=12:color=white:t=fill:enable='mod(floor(n/${2 ** i}),2)'`,
  );
  // Each segment: 3 frames at 15 fps up to the expression's height, then the last one held (tpad) to SEGMENT_FRAMES.
  const segments = PEAKS.map(
    (t, k) =>
      `[i${k + 1}]trim=start=${(t - 0.14).toFixed(2)}:duration=0.2,setpts=PTS-STARTPTS,fps=15,tpad=stop_mode=clone:stop=${SEGMENT_FRAMES - 3}[s${k + 1}]`,
  );
  makeClip(
    PROMPT_CLIP,
    [
      `[0:v]split=${PEAKS.length + 1}[i0]${PEAKS.map((_, k) => `[i${k + 1}]`).join('')}`,
      `[i0]trim=end_frame=1,loop=loop=${NEUTRAL_FRAMES - 1}:size=1,setpts=N/15/TB[s0]`,
      ...segments,
      `${[0, ...PEAKS.map((_, k) => k + 1)].map((k) => `[s${k}]`).join('')}concat=n=${PEAKS.length + 1}:v=1,fps=15,scale=320:320,pad=320:336:0:0:black,${bits.join(',')}[out]`,
    ].join(';'),
    PROMPT_CLIP_FRAMES,
  );
  makeClip(STILL_CLIP, '[0:v]trim=end_frame=1,loop=loop=179:size=1,setpts=N/15/TB,fps=15,scale=320:320[out]', 180);
}

/** Waits until the page's guided-capture preview shows a frame of PROMPT_CLIP numbered from `from` to `to`. */
export async function waitForClipFrame(page: Page, from: number, to: number): Promise<void> {
  await page.waitForFunction(
    ([lo, hi]) => {
      const v = document.getElementById('teach-video') as HTMLVideoElement;
      const c = new OffscreenCanvas(320, 336).getContext('2d', { willReadFrequently: true })!;
      c.drawImage(v, 0, 0, 320, 336);
      const d = c.getImageData(0, 322, 128, 12).data;
      let n = 0;
      for (let i = 0; i < 8; i++) if (d[(6 * 128 + i * 16 + 8) * 4] > 128) n |= 1 << i;
      return n >= lo && n <= hi;
    },
    [from, to],
    { timeout: 120_000, polling: 10 },
  );
}

/** The first clip frame of prompt `row` of PROMPT_CLIP_PROMPTS (0: the resting face). */
export function promptClipStart(row: number): number {
  return row === 0 ? 0 : NEUTRAL_FRAMES + (row - 1) * SEGMENT_FRAMES;
}

/** The teach panel's rows: prompt and status (the row's data attributes) and text. */
export type PromptRow = { prompt: string; status: string; text: string };

export const readPromptRows = (page: Page): Promise<PromptRow[]> =>
  page.locator('#teach-rows tr').evaluateAll((rows) =>
    rows.map((tr) => ({
      prompt: (tr as HTMLElement).dataset.prompt!,
      status: (tr as HTMLElement).dataset.status!,
      text: (tr as HTMLElement).innerText,
    })),
  );

type TeachProbe = { cpemSandbox: { teach: { completedCaptures: number } } };

/**
 * Runs `ask` (the click that starts a capture or a retake) and waits for that capture to end: the page counts the
 * captures it finished, so neither a slow start nor a quick end is missed.
 */
export async function captureOver(page: Page, ask: () => Promise<void>): Promise<void> {
  const before = await page.evaluate(() => (window as unknown as TeachProbe).cpemSandbox.teach.completedCaptures);
  await ask();
  await page.waitForFunction((n) => (window as unknown as TeachProbe).cpemSandbox.teach.completedCaptures > n, before, {
    timeout: 300_000,
  });
}

/**
 * Retakes prompt `row` of PROMPT_CLIP_PROMPTS while PROMPT_CLIP shows its expression (from its first frame on), as a
 * person would after a row said "no change": on a loaded machine tracking takes longer than the clip's frames, so a
 * whole pass drifts from the clip. Returns the rows after.
 */
export async function retakeInStep(page: Page, row: number): Promise<PromptRow[]> {
  // Within the segment's first 0.4 s: on a loaded machine the preview shows only some of the clip's frames.
  const start = promptClipStart(row);
  await waitForClipFrame(page, start, start + 6);
  await captureOver(page, () => page.locator('#teach-rows tr').nth(row).locator('button.retake').click());
  return readPromptRows(page);
}

/**
 * After a whole pass: when a prompt the clip shows came out unusable, retakes the neutral face in step first (a
 * drifted pass may have measured it on the next expression), then every such prompt. Returns the rows and the rows
 * retaken.
 */
export async function retakeUnusable(
  page: Page,
  rows: PromptRow[],
  extra: number[] = [],
): Promise<{ rows: PromptRow[]; retaken: number[] }> {
  const shown = (i: number) => i < PROMPT_CLIP_PROMPTS.length;
  let retaken = [
    ...new Set([
      ...extra,
      ...rows.map((r, i) => (i > 0 && shown(i) && r.status !== 'ok' ? i : -1)).filter((i) => i > 0),
    ]),
  ].sort((a, b) => a - b);
  if (retaken.some((i) => !extra.includes(i))) retaken = [0, ...retaken];
  for (const i of retaken) rows = await retakeInStep(page, i);
  return { rows, retaken };
}
