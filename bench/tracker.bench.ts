// Face tracker per-stage latency in Node (wasm, cpu) on a real clip from ../shared/videos, and the tensor count
// before and after 1,000 tracked frames. Stages: detect (detector only, on frames where it ran), landmarks
// (face mesh + iris in tracking mode: no detector), total (the whole track() call, tracking mode).
import * as tf from '@tensorflow/tfjs-core';
import path from 'node:path';
import fs from 'node:fs';
import { FaceTracker, type RawImage } from '../plugin/tracker/face-tracker.js';
import type { TrackerBackend } from '../plugin/tracker/backend.js';
import { decodeVideo } from '../training/data/ffmpeg-frames.node.js';
import { summarize } from './support/stats.js';
import type { BenchFunction, BenchRow } from './support/bench-types.js';

export const TRACKER_BENCH_CLIP = 'liveportrait_d0.mp4';

const run: BenchFunction = async ({ sharedDir, log }) => {
  const clip = sharedDir ? path.join(sharedDir, 'videos', TRACKER_BENCH_CLIP) : null;
  if (!clip || !fs.existsSync(clip)) return [{ bench: 'tracker', case: 'track a clip', unit: 'ms', note: `skipped: no ../shared/videos/${TRACKER_BENCH_CLIP}` }];
  const frames: RawImage[] = [];
  for await (const f of decodeVideo(clip, { maxFrames: 200 })) frames.push({ data: f.data, width: f.width, height: f.height, channels: 3 });
  const size = `${frames[0].width}×${frames[0].height}`;
  const rows: BenchRow[] = [];
  const plan: { backend: TrackerBackend; frames: number; detects: number; note: string }[] = [
    { backend: 'wasm', frames: 1000, detects: 30, note: `${TRACKER_BENCH_CLIP} ${size}, 200 frames looped` },
    { backend: 'cpu', frames: 20, detects: 3, note: `${TRACKER_BENCH_CLIP} ${size}; plain-JS kernels, few frames` },
  ];
  for (const p of plan) {
    log(`  tracker ${p.backend}: ${p.frames} frames`);
    const tracker = await FaceTracker.create({ backend: p.backend });
    const detect: number[] = [];
    for (let i = 0; i < p.detects; i++) { // the detector's own cost: a fresh search on each frame
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
      { bench: 'tracker', case: 'detect', backend: p.backend, unit: 'ms', ...summarize(detect), note: `${TRACKER_BENCH_CLIP} ${size}, letterboxed to 256` },
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
