// Face tracker per-stage latency in headless Chromium (wasm, webgl, webgpu) on a real clip from ../shared/videos,
// and tf.memory().numTensors before and after 1,000 tracked frames on wasm. WebGL and WebGPU run on SwiftShader
// (software) on this machine, so they get few frames and their figures say nothing about a real GPU.
import * as tf from '@tensorflow/tfjs-core';
import { FaceTracker } from '../../plugin/tracker/face-tracker.js';
import type { TrackerBackend } from '../../plugin/tracker/backend.js';
import { summarize } from '../support/stats.js';
import type { BenchFunction, BenchRow } from '../support/bench-types.js';

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
    await new Promise<void>((resolve) => { video.addEventListener('seeked', () => resolve(), { once: true }); video.currentTime = (i + 0.5) / 30; });
    ctx.drawImage(video, 0, 0);
    out.push(ctx.getImageData(0, 0, canvas.width, canvas.height));
  }
  return out;
}

const run: BenchFunction = async ({ sharedDir, log }) => {
  const url = sharedDir ? `${sharedDir}/videos/${CLIP}` : null;
  if (!url || !(await fetch(url, { method: 'HEAD' })).ok) return [{ bench: 'tracker', case: 'track a clip', unit: 'ms', note: `skipped: no ../shared/videos/${CLIP}` }];
  const frames = await clipFrames(url, DISTINCT);
  const size = `${frames[0].width}×${frames[0].height}`;
  const rows: BenchRow[] = [];
  const plan: { backend: TrackerBackend; frames: number; detects: number; note: string }[] = [
    { backend: 'wasm', frames: 1000, detects: 30, note: `${CLIP} ${size}, ${DISTINCT} frames looped (ImageData)` },
    { backend: 'webgl', frames: 20, detects: 3, note: `${CLIP} ${size}; SwiftShader software WebGL2 here, few frames` },
    { backend: 'webgpu', frames: 10, detects: 2, note: `${CLIP} ${size}; SwiftShader software WebGPU here, few frames` },
  ];
  for (const p of plan) {
    log(`tracker ${p.backend}: ${p.frames} frames`);
    const tracker = await FaceTracker.create({ backend: p.backend });
    const detect: number[] = [];
    for (let i = 0; i < p.detects; i++) {
      tracker.reset();
      detect.push((await tracker.track(frames[i % frames.length])).timings.detect);
    }
    tracker.reset();
    await tracker.track(frames[0]);
    const before = tf.memory().numTensors;
    const landmarks: number[] = [], total: number[] = [];
    let redetected = 0, missed = 0;
    for (let i = 1; i <= p.frames; i++) {
      const r = await tracker.track(frames[i % frames.length]);
      if (r.status !== 'ok') missed++;
      if (r.detected) { redetected++; detect.push(r.timings.detect); continue; }
      landmarks.push(r.timings.landmarks);
      total.push(r.timings.total);
    }
    const after = tf.memory().numTensors;
    tracker.dispose();
    const note = `${p.note}; detector re-ran on ${redetected}, no face on ${missed}`;
    rows.push(
      { bench: 'tracker', case: 'detect', backend: p.backend, unit: 'ms', ...summarize(detect), note: `${size} letterboxed to 256` },
      { bench: 'tracker', case: 'landmarks (tracking mode)', backend: p.backend, unit: 'ms', ...summarize(landmarks), note },
      { bench: 'tracker', case: 'total (tracking mode)', backend: p.backend, unit: 'ms', ...summarize(total), note: 'frame upload + landmarks + JS' },
      { bench: 'tracker', case: `numTensors before ${p.frames} frames`, backend: p.backend, unit: 'tensors', value: before },
      { bench: 'tracker', case: `numTensors after ${p.frames} frames`, backend: p.backend, unit: 'tensors', value: after },
    );
    if (p.backend === 'wasm') { // the same frames without the iris model
      const plain = await FaceTracker.create({ backend: 'wasm', refineIris: false });
      await plain.track(frames[0]);
      const noIris: number[] = [];
      for (let i = 1; i <= 300; i++) {
        const r = await plain.track(frames[i % frames.length]);
        if (!r.detected) noIris.push(r.timings.landmarks);
      }
      plain.dispose();
      rows.push({ bench: 'tracker', case: 'landmarks (tracking mode, refineIris false)', backend: 'wasm', unit: 'ms', ...summarize(noIris), note: 'face mesh only; iris placed from the lids' });
    }
  }
  return rows;
};
export default run;
