// estimateFromLandmarks() refuses input that would read as NaN, or as finite wrong numbers, without an error: every
// one of the 478 × 3 coordinates must be finite, the image size positive, the confidence in [0, 1].
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { FaceEstimator } from '../../plugin/estimator/face-estimator.js';
import { PeNet } from '../../plugin/estimator/pe-net.js';
import { FaceModel } from '../../plugin/face-model/face-model.js';
import { projectPoints } from '../../plugin/geometry/head-pose.js';
import { isCpemError } from '../../plugin/errors/cpem-error.js';
import { NUM_FACE_LANDMARKS, NUM_MESH_POINTS } from '../../plugin/constants.js';

describe('FaceEstimator.estimateFromLandmarks input', () => {
  let estimator: FaceEstimator;
  let good: Float32Array;
  before(async () => {
    await tf.setBackend('cpu');
    const model = await FaceModel.load('weights/face-model.bin');
    const points = model.faceMeshLandmarksOf(model.decode(undefined, new Array(46).fill(0)));
    const uv = projectPoints(points, [0, 0, 0], [320, 240, Math.log(1.5)]);
    good = new Float32Array(NUM_FACE_LANDMARKS * 3);
    for (let i = 0; i < NUM_FACE_LANDMARKS; i++) {
      good[i * 3] = uv[i * 2];
      good[i * 3 + 1] = uv[i * 2 + 1];
      good[i * 3 + 2] = 1.5 * points[i * 3 + 2];
    }
    estimator = await FaceEstimator.create({
      tracker: null,
      weights: PeNet.create({ inputSize: 956, hidden: [16], numIdentity: 80, numExpression: 46 }, 3),
      calibration: false,
      smoothing: false,
    });
  });
  after(() => estimator.dispose());

  const refused = (e: unknown, pattern: RegExp) =>
    isCpemError(e, 'INVALID_ARGUMENT') && pattern.test((e as Error).message);
  const withValue = (index: number, value: number) => {
    const lm = good.slice();
    lm[index] = value;
    return lm;
  };

  it('reads finite landmarks into finite units, pose and identity', async () => {
    const m = (await estimator.estimateFromLandmarks({ landmarks: good, confidence: 1 }, 640, 480, 0))!;
    assert.ok([...m.units, ...m.rotation, ...m.translation, ...m.identity].every(Number.isFinite));
  });

  for (const [what, index, value] of [
    ['x of an iris point', 470 * 3, NaN],
    ['y of an iris point', 475 * 3 + 1, Infinity],
    ['z of a mesh point', 10 * 3 + 2, NaN],
    ['z of an iris point', NUM_MESH_POINTS * 3 + 2, -Infinity],
    ['x of a mesh point', 0, NaN],
  ] as const) {
    it(`refuses a non-finite ${what}, naming the landmark`, async () => {
      await assert.rejects(
        estimator.estimateFromLandmarks({ landmarks: withValue(index, value), confidence: 1 }, 640, 480, 1),
        (e) => refused(e, new RegExp(`Landmark ${Math.floor(index / 3)} has ${'xyz'[index % 3]} = `)),
      );
    });
  }

  it('refuses a bad image size, a bad confidence, missing or short landmarks and no face at all', async () => {
    for (const [w, h] of [
      [0, 480],
      [640, 0],
      [NaN, 480],
      [640, NaN],
      [-640, 480],
      [Infinity, 480],
    ]) {
      await assert.rejects(
        estimator.estimateFromLandmarks({ landmarks: good, confidence: 1 }, w, h, 2),
        (e) => refused(e, /width and height/),
        `${w} × ${h}`,
      );
    }
    for (const confidence of [NaN, -0.1, 1.5, '0.9' as unknown as number, undefined as unknown as number]) {
      await assert.rejects(
        estimator.estimateFromLandmarks({ landmarks: good, confidence }, 640, 480, 3),
        (e) => refused(e, /confidence/),
        String(confidence),
      );
    }
    await assert.rejects(
      estimator.estimateFromLandmarks({ landmarks: good.subarray(0, NUM_MESH_POINTS * 3), confidence: 1 }, 640, 480, 4),
      (e) => refused(e, /1434 numbers; got 1404 values/),
    );
    await assert.rejects(estimator.estimateFromLandmarks({ confidence: 1 } as never, 640, 480, 5), (e) =>
      refused(e, /landmarks/),
    );
    await assert.rejects(estimator.estimateFromLandmarks(undefined as never, 640, 480, 6), (e) =>
      refused(e, /needs a face/),
    );
    await assert.rejects(estimator.estimateFromLandmarks(null as never, 640, 480, 7), (e) =>
      refused(e, /needs a face/),
    );
    // Still usable afterwards.
    assert.ok(await estimator.estimateFromLandmarks({ landmarks: good, confidence: 1 }, 640, 480, 8));
  });
});
