// The tracker bench's measurement, shared by the Node bench (bench/tracker.bench.ts) and the Chromium one
// (bench/browser/tracker.bench.ts): per backend, the detector's own cost, then landmarks and whole calls in
// tracking mode over many frames with the tensor count before and after, and on wasm the landmarks with the iris
// model on one eye per frame ('alternate') and without it.
import * as tf from '@tensorflow/tfjs-core';
import { FaceTracker, type TrackerInput } from '../../plugin/tracker/face-tracker.js';
import type { TrackerBackend } from '../../plugin/tracker/backend.js';
import { summarize } from './stats.js';
import type { BenchRow } from './bench-types.js';

export interface TrackerBenchPlan {
  backend: TrackerBackend;
  frames: number;
  detects: number;
  note: string;
}

export async function trackerStageRows(
  frames: TrackerInput[],
  plan: TrackerBenchPlan[],
  detectNote: string,
  log: (m: string) => void,
): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const p of plan) {
    log(`  tracker ${p.backend}: ${p.frames} frames`);
    const tracker = await FaceTracker.create({ backend: p.backend });
    const detect: number[] = [];
    for (let i = 0; i < p.detects; i++) {
      // the detector's own cost: a fresh search on each frame
      tracker.reset();
      detect.push((await tracker.track(frames[i % frames.length])).timings.detect);
    }
    tracker.reset();
    await tracker.track(frames[0]);
    const before = tf.memory().numTensors;
    const landmarks: number[] = [],
      total: number[] = [];
    let redetected = 0,
      missed = 0;
    for (let i = 1; i <= p.frames; i++) {
      const r = await tracker.track(frames[i % frames.length]);
      if (r.status !== 'ok') missed++;
      if (r.detected) {
        redetected++;
        detect.push(r.timings.detect);
        continue;
      }
      landmarks.push(r.timings.landmarks);
      total.push(r.timings.total);
    }
    const after = tf.memory().numTensors;
    tracker.dispose();
    const note = `${p.note}; detector re-ran on ${redetected}, no face on ${missed}`;
    rows.push(
      { bench: 'tracker', case: 'detect', backend: p.backend, unit: 'ms', ...summarize(detect), note: detectNote },
      {
        bench: 'tracker',
        case: 'landmarks (tracking mode)',
        backend: p.backend,
        unit: 'ms',
        ...summarize(landmarks),
        note,
      },
      {
        bench: 'tracker',
        case: 'total (tracking mode)',
        backend: p.backend,
        unit: 'ms',
        ...summarize(total),
        note: 'frame upload + landmarks + JS',
      },
      {
        bench: 'tracker',
        case: `numTensors before ${p.frames} frames`,
        backend: p.backend,
        unit: 'tensors',
        value: before,
      },
      {
        bench: 'tracker',
        case: `numTensors after ${p.frames} frames`,
        backend: p.backend,
        unit: 'tensors',
        value: after,
      },
    );
    if (p.backend === 'wasm') {
      // the same frames with the iris model on one eye per frame, and without it
      for (const [refineIris, note] of [
        ['alternate', 'iris model on one eye per frame, in turn'],
        [false, 'face mesh only; iris placed from the lids'],
      ] as const) {
        const other = await FaceTracker.create({ backend: 'wasm', refineIris });
        await other.track(frames[0]);
        const ms: number[] = [];
        for (let i = 1; i <= 300; i++) {
          const r = await other.track(frames[i % frames.length]);
          if (!r.detected) ms.push(r.timings.landmarks);
        }
        other.dispose();
        rows.push({
          bench: 'tracker',
          case: `landmarks (tracking mode, refineIris ${refineIris})`,
          backend: 'wasm',
          unit: 'ms',
          ...summarize(ms),
          note,
        });
      }
    }
  }
  return rows;
}
