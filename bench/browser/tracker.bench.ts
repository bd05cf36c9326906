// Face tracker per-stage latency in headless Chromium (wasm, webgl, webgpu) on a real clip from ../shared/videos,
// and tf.memory().numTensors before and after 1,000 tracked frames on wasm. WebGL and WebGPU run on SwiftShader
// (software) on this machine, so they get few frames and their figures say nothing about a real GPU.
import { trackerStageRows, type TrackerBenchPlan } from '../support/tracker-stages.js';
import type { BenchFunction } from '../support/bench-types.js';

const CLIP = 'liveportrait_d0.mp4';
const DISTINCT = 100; // frames decoded once to ImageData, then looped

async function clipFrames(url: string, count: number): Promise<ImageData[]> {
  const video = document.createElement('video');
  video.muted = true;
  video.preload = 'auto';
  video.src = url;
  await new Promise<void>((resolve, reject) => {
    video.addEventListener('loadeddata', () => resolve(), { once: true });
    video.addEventListener('error', () => reject(new Error(`cannot load ${url}`)), { once: true });
  });
  const canvas = document.createElement('canvas');
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  const out: ImageData[] = [];
  for (let i = 0; i < count; i++) {
    await new Promise<void>((resolve) => {
      video.addEventListener('seeked', () => resolve(), { once: true });
      video.currentTime = (i + 0.5) / 30;
    });
    ctx.drawImage(video, 0, 0);
    out.push(ctx.getImageData(0, 0, canvas.width, canvas.height));
  }
  return out;
}

const run: BenchFunction = async ({ sharedDir, log }) => {
  const url = sharedDir ? `${sharedDir}/videos/${CLIP}` : null;
  if (!url || !(await fetch(url, { method: 'HEAD' })).ok)
    return [{ bench: 'tracker', case: 'track a clip', unit: 'ms', note: `skipped: no ../shared/videos/${CLIP}` }];
  const frames = await clipFrames(url, DISTINCT);
  const size = `${frames[0].width}×${frames[0].height}`;
  const plan: TrackerBenchPlan[] = [
    { backend: 'wasm', frames: 1000, detects: 30, note: `${CLIP} ${size}, ${DISTINCT} frames looped (ImageData)` },
    { backend: 'webgl', frames: 20, detects: 3, note: `${CLIP} ${size}; SwiftShader software WebGL2 here, few frames` },
    {
      backend: 'webgpu',
      frames: 10,
      detects: 2,
      note: `${CLIP} ${size}; SwiftShader software WebGPU here, few frames`,
    },
  ];
  return trackerStageRows(frames, plan, `${CLIP} ${size}, letterboxed to 256`, log);
};
export default run;
