// Cost per frame of a user's range profile (plugin/calibration) in headless Chromium: applying it to the 46 units
// alone, and the estimator's frame (landmark features → PE-Net → per-user neutral → profile → filter) with and without
// one, frames interleaved so that both see the same machine state. PE-Net is the shipped network on wasm.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import {
  applyRangeProfile,
  compileRangeProfile,
  CALIBRATION_PROFILE_FORMAT,
  type CalibrationProfile,
} from '../../plugin/calibration/range-profile.js';
import { FaceEstimator } from '../../plugin/estimator/face-estimator.js';
import { PeNet } from '../../plugin/estimator/pe-net.js';
import { EXPRESSION_UNITS } from '../../plugin/units/expression-units.js';
import { selectBackend } from '../../plugin/tracker/backend.js';
import { FaceModel } from '../../plugin/face-model/face-model.js';
import { summarize } from '../support/stats.js';
import type { BenchFunction } from '../support/bench-types.js';
import { NUM_EXPRESSION_UNITS, NUM_FACE_LANDMARKS } from '../../plugin/constants.js';

const BATCH = 1000; // Chromium coarsens performance.now() (100 µs): time batches of applications.
const BATCHES = 100;
const FRAMES = 120;

/** A profile that maps every unit (the most work a profile can ask). */
const FULL: CalibrationProfile = {
  format: CALIBRATION_PROFILE_FORMAT,
  version: 1,
  unitCount: NUM_EXPRESSION_UNITS,
  units: Object.fromEntries(EXPRESSION_UNITS.map((u, i) => [u, { offset: 0.01 * (i % 5), gain: 1 + 0.05 * (i % 7) }])),
};

const run: BenchFunction = async ({ log }) => {
  const compiled = compileRangeProfile(FULL);
  const units = Array.from({ length: 64 }, (_, f) =>
    Float32Array.from({ length: NUM_EXPRESSION_UNITS }, (_, u) => Math.abs(Math.sin(0.1 * f + u))),
  );
  const out = new Float32Array(NUM_EXPRESSION_UNITS);
  const apply: number[] = [];
  for (let b = 0; b < BATCHES + 5; b++) {
    const t0 = performance.now();
    for (let i = 0; i < BATCH; i++) applyRangeProfile(compiled, units[i & 63], out);
    if (b >= 5) apply.push(((performance.now() - t0) * 1000) / BATCH);
  }

  const backend = await selectBackend('wasm');
  const model = await FaceModel.load('/weights/face-model.bin');
  const net = await PeNet.load('/weights/pe-net/model.json');
  const points = model.faceMeshLandmarksOf(model.decode());
  const frames = Array.from({ length: 16 }, (_, f) => {
    const lm = new Float32Array(NUM_FACE_LANDMARKS * 3);
    for (let i = 0; i < NUM_FACE_LANDMARKS; i++)
      [lm[i * 3], lm[i * 3 + 1], lm[i * 3 + 2]] = [
        320 + 2 * points[i * 3] + Math.sin(f + i),
        240 - 2 * points[i * 3 + 1],
        -2 * points[i * 3 + 2],
      ];
    return lm;
  });
  const make = (profile: CalibrationProfile | null) =>
    FaceEstimator.create({
      tracker: null,
      weights: net,
      calibration: { durationMs: 0, minFrames: 1 },
      calibrationProfile: profile,
    });
  const plain = await make(null);
  const profiled = await make(FULL);
  const tensors = tf.memory().numTensors;
  const withoutMs: number[] = [];
  const withMs: number[] = [];
  for (let f = 0; f < FRAMES + 10; f++) {
    for (const [e, list] of (f % 2 === 0
      ? [
          [plain, withoutMs],
          [profiled, withMs],
        ]
      : [
          [profiled, withMs],
          [plain, withoutMs],
        ]) as Array<[FaceEstimator, number[]]>) {
      const t0 = performance.now();
      const m = await e.estimateFromLandmarks({ landmarks: frames[f & 15], confidence: 1 }, 640, 480, f * 33);
      if (f >= 10) list.push(performance.now() - t0);
      if (f === FRAMES + 9 && e === profiled && !m?.rangeProfile) throw new Error('the profile was not applied');
    }
  }
  const leaked = tf.memory().numTensors - tensors;
  plain.dispose();
  profiled.dispose();
  net.dispose();
  log(`calibration-profile bench: ${backend}, ${leaked} tensors leaked`);
  return [
    {
      bench: 'calibration-profile',
      case: 'apply a 46-unit range profile (per frame)',
      unit: 'µs',
      ...summarize(apply),
      n: BATCHES * BATCH,
      note: `means of ${BATCH}-application batches`,
    },
    {
      bench: 'calibration-profile',
      case: 'estimator frame, no profile',
      backend,
      unit: 'ms',
      ...summarize(withoutMs),
      note: 'shipped PE-Net, landmarks given (no tracker), per-user neutral and filter on',
    },
    {
      bench: 'calibration-profile',
      case: 'estimator frame, with a profile of all 46 units',
      backend,
      unit: 'ms',
      ...summarize(withMs),
      note: `frames interleaved with the row above; tensors after ${FRAMES} frames each: ${leaked >= 0 ? '+' : ''}${leaked}`,
    },
  ];
};
export default run;
