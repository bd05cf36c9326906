// The per-user range profile: validation with typed errors (every problem at once), the map it applies, fitting it
// from a capture's held and resting frames, and the estimator applying it after the per-user neutral, changed while
// running and refused (nothing applied) when it does not fit the network.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import {
  applyRangeProfile,
  assertValidCalibrationProfile,
  compileRangeProfile,
  validateCalibrationProfile,
  CALIBRATION_PROFILE_FORMAT,
  type CalibrationProfile,
} from '../../plugin/calibration/range-profile.js';
import { fitRangeProfile, type CalibrationSpan } from '../../plugin/calibration/range-profile-fit.js';
import { FaceEstimator } from '../../plugin/estimator/face-estimator.js';
import { PeNet } from '../../plugin/estimator/pe-net.js';
import { FaceModel } from '../../plugin/face-model/face-model.js';
import { isCpemError } from '../../plugin/errors/cpem-error.js';
import { expressionUnitIndex } from '../../plugin/units/expression-units.js';
import { projectPoints } from '../../plugin/geometry/head-pose.js';
import { NUM_EXPRESSION_UNITS, NUM_FACE_LANDMARKS } from '../../plugin/constants.js';

const JAW = expressionUnitIndex('jawOpen');
const SMILE_L = expressionUnitIndex('mouthSmile_L');
const BROW_DOWN_L = expressionUnitIndex('browDown_L');

const profile = (units: CalibrationProfile['units'], extra: Partial<CalibrationProfile> = {}): CalibrationProfile => ({
  format: CALIBRATION_PROFILE_FORMAT,
  version: 1,
  unitCount: NUM_EXPRESSION_UNITS,
  units,
  ...extra,
});

/** 46 units, `values` set, the rest at `base`. */
function units(values: Record<number, number>, base = 0.02): Float32Array {
  const u = new Float32Array(NUM_EXPRESSION_UNITS).fill(base);
  for (const [k, v] of Object.entries(values)) u[Number(k)] = v;
  return u;
}

describe('range profile', () => {
  it('validates like a retarget table: every problem at once, typed errors, version and unit count checked', () => {
    assert.deepEqual(validateCalibrationProfile(profile({ jawOpen: { offset: 0.05, gain: 1.5 } })), []);
    const issues = validateCalibrationProfile({
      format: 'x',
      version: 2,
      unitCount: 52,
      units: { jawOpen: { offset: -1, gain: 40 }, eyeBlink_X: { offset: 0, gain: 1 } },
      extra: 1,
    });
    assert.deepEqual(issues.map((i) => i.kind).sort(), [
      'bad-number',
      'bad-number',
      'structure',
      'structure',
      'unit-count',
      'unknown-unit',
      'version',
    ]);
    assert.throws(
      () => assertValidCalibrationProfile(profile({}, { version: 2 as 1 })),
      (e) => isCpemError(e, 'CALIBRATION_PROFILE_INVALID') && /version is 2/.test(e.message),
    );
    assert.throws(
      () => compileRangeProfile(profile({}), { unitCount: 52 }),
      (e) =>
        isCpemError(e, 'CALIBRATION_PROFILE_INVALID') && /46 expression units; the estimator gives 52/.test(e.message),
    );
    assert.throws(
      () => assertValidCalibrationProfile(null),
      (e) => isCpemError(e, 'CALIBRATION_PROFILE_INVALID'),
    );
  });

  it('maps each listed unit by (u − offset) · gain within [0, 1], and passes the others through', () => {
    const compiled = compileRangeProfile(
      profile({ jawOpen: { offset: 0.1, gain: 2 }, mouthSmile_L: { offset: 0, gain: 0.5 } }),
    );
    const out = applyRangeProfile(compiled, units({ [JAW]: 0.4, [SMILE_L]: 0.8, [BROW_DOWN_L]: 0.3 }));
    assert.ok(Math.abs(out[JAW] - 0.6) < 1e-6);
    assert.ok(Math.abs(out[SMILE_L] - 0.4) < 1e-6);
    assert.ok(Math.abs(out[BROW_DOWN_L] - 0.3) < 1e-6, 'a unit the profile does not list is untouched');
    assert.equal(applyRangeProfile(compiled, units({ [JAW]: 0.05 }))[JAW], 0, 'below the offset reads 0');
    assert.equal(applyRangeProfile(compiled, units({ [JAW]: 0.9 }))[JAW], 1, 'clamped to 1');
  });

  it('fits rest to 0 and the prompted peak to its level from held frames, bounds the gain, and leaves unprompted units alone', () => {
    // Neutral frames: jaw rests at 0.05, brows at 0.04. Jaw held at 0.35-0.45 for 40 frames (target 0.8), smile
    // held at 0.9 (target 0.8: read too high), pucker held at 0.06 (no response), one single wild jaw frame on a ramp.
    const rest = Array.from({ length: 30 }, (_, i) => ({
      units: units({ [JAW]: 0.05 + 0.01 * ((i % 3) - 1) }, 0.04),
      role: 'rest' as const,
    }));
    const jaw = Array.from({ length: 40 }, (_, i) => ({
      units: units({ [JAW]: 0.35 + (0.1 * i) / 39 }),
      role: 'held' as const,
    }));
    const spans: CalibrationSpan[] = [
      { label: 'neutral', targets: {}, frames: rest },
      { label: 'jaw open', targets: { jawOpen: 0.8 }, frames: [...jaw, { units: units({ [JAW]: 1 }), role: 'ramp' }] },
      {
        label: 'smile',
        targets: { mouthSmile_L: 0.8 },
        frames: Array.from({ length: 40 }, () => ({ units: units({ [SMILE_L]: 0.9 }), role: 'held' as const })),
      },
      {
        label: 'pucker',
        targets: { mouthPucker: 0.9 },
        frames: Array.from({ length: 40 }, () => ({ units: units({}), role: 'held' as const })),
      },
    ];
    const p = fitRangeProfile(spans, { createdAt: 'test' });
    assert.deepEqual(validateCalibrationProfile(p), []);
    const compiled = compileRangeProfile(p);
    // The 90th percentile of the held jaw (0.44) goes to about 0.8, shrunk towards a gain of 1 by 10 / 50 frames.
    const peak = applyRangeProfile(compiled, units({ [JAW]: 0.44 }))[JAW];
    assert.ok(peak > 0.7 && peak < 0.8, `jaw peak maps to ${peak}`);
    assert.equal(applyRangeProfile(compiled, units({ [JAW]: 0.05 }))[JAW], 0, 'the rest maps to 0');
    assert.ok(p.units.mouthSmile_L!.gain < 1, 'a unit read too high is scaled down');
    assert.ok((p.units.mouthPucker?.gain ?? 1) < 1.1, 'no response: left as a unit no prompt targets');
    assert.match(p.measured!.units!.mouthPucker!.note!, /no response/);
    assert.ok(
      p.units.browDown_L === undefined || p.units.browDown_L.gain < 1.1,
      'an unprompted unit is at most gently adjusted',
    );
    // Noise is not amplified beyond the bound: a unit that rises only a little gets at most the largest gain.
    const weak = fitRangeProfile([
      {
        label: 'brows down',
        targets: { browDown_L: 1 },
        frames: Array.from({ length: 200 }, () => ({ units: units({ [BROW_DOWN_L]: 0.1 }, 0), role: 'held' as const })),
      },
    ]);
    assert.ok(weak.units.browDown_L!.gain <= 3 + 1e-9);
    assert.throws(
      () => fitRangeProfile([{ label: 'neutral', targets: {}, frames: rest }]),
      (e) => isCpemError(e, 'INVALID_ARGUMENT'),
    );
  });
});

describe('FaceEstimator with a range profile', () => {
  let model: FaceModel;
  before(async () => {
    await tf.setBackend('cpu');
    model = await FaceModel.load('weights/face-model.bin');
  });

  it('applies it after the per-user neutral, changes it while running, refuses one that does not fit (nothing applied), leaks no tensor', async () => {
    const net = PeNet.create({ inputSize: 956, hidden: [32], numIdentity: 80, numExpression: 46 }, 3);
    const points = model.faceMeshLandmarksOf(model.decode());
    const uv = projectPoints(points, [0, 0.1, 0], [320, 240, Math.log(1.5)]);
    const lm = new Float32Array(NUM_FACE_LANDMARKS * 3);
    for (let i = 0; i < NUM_FACE_LANDMARKS; i++)
      [lm[i * 3], lm[i * 3 + 1], lm[i * 3 + 2]] = [uv[i * 2], uv[i * 2 + 1], 1.5 * points[i * 3 + 2]];
    const start = tf.memory().numTensors;
    const boost = profile(
      Object.fromEntries(['jawOpen', 'mouthSmile_L', 'eyeClose_L'].map((u) => [u, { offset: 0, gain: 3 }])),
    );
    const plain = await FaceEstimator.create({ tracker: null, weights: net, smoothing: false, calibration: false });
    const withProfile = await FaceEstimator.create({
      tracker: null,
      weights: net,
      smoothing: false,
      calibration: false,
      calibrationProfile: boost,
    });
    const read = async (e: FaceEstimator) =>
      (await e.estimateFromLandmarks({ landmarks: lm, confidence: 1 }, 640, 480, 0))!;
    const a = await read(plain);
    const b = await read(withProfile);
    assert.equal(b.rangeProfile, true);
    assert.equal(a.rangeProfile, false);
    for (const u of [JAW, SMILE_L])
      assert.ok(
        Math.abs(b.units[u] - Math.min(1, 3 * a.units[u])) < 1e-5,
        `unit ${u}: ${b.units[u]} vs 3 × ${a.units[u]}`,
      );
    assert.ok(Math.abs(b.units[BROW_DOWN_L] - a.units[BROW_DOWN_L]) < 1e-6);
    // A profile for another unit count or version is refused and the one in use stays.
    assert.throws(
      () => withProfile.setCalibrationProfile(profile({}, { unitCount: 52 })),
      (e) => isCpemError(e, 'CALIBRATION_PROFILE_INVALID'),
    );
    assert.throws(
      () => withProfile.setCalibrationProfile(profile({}, { version: 3 as 1 })),
      (e) => isCpemError(e, 'CALIBRATION_PROFILE_INVALID'),
    );
    assert.equal(withProfile.calibrationProfile, boost);
    assert.ok(Math.abs((await read(withProfile)).units[JAW] - b.units[JAW]) < 1e-6);
    await assert.rejects(
      FaceEstimator.create({ tracker: null, weights: net, calibrationProfile: profile({}, { unitCount: 45 }) }),
      (e) => isCpemError(e, 'CALIBRATION_PROFILE_INVALID'),
    );
    // Changed while running: removed, the units are the plain ones again.
    withProfile.setCalibrationProfile(null);
    assert.ok(Math.abs((await read(withProfile)).units[JAW] - a.units[JAW]) < 1e-6);
    // With the per-user neutral on, the profile waits for it to lock.
    const calibrated = await FaceEstimator.create({
      tracker: null,
      weights: net,
      smoothing: false,
      calibration: { durationMs: 0, minFrames: 3 },
      calibrationProfile: boost,
    });
    const states: boolean[] = [];
    for (let f = 0; f < 5; f++)
      states.push(
        (await calibrated.estimateFromLandmarks({ landmarks: lm, confidence: 1 }, 640, 480, f * 33))!.rangeProfile,
      );
    assert.deepEqual(states, [false, false, false, true, true]);
    for (const e of [plain, withProfile, calibrated]) e.dispose();
    assert.equal(tf.memory().numTensors, start, 'no tensor leaks');
    net.dispose();
  });
});
