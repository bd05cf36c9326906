// Disposing a tracker (or the estimator that owns it) while a frame runs: the frame ends with a CpemError, not a raw
// TypeError from inside TF.js, and every tensor of the tracker, the estimator and the frame is freed.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { FaceTracker } from '../../plugin/tracker/face-tracker.js';
import { FaceEstimator } from '../../plugin/estimator/face-estimator.js';
import { PeNet } from '../../plugin/estimator/pe-net.js';
import { isCpemError } from '../../plugin/errors/cpem-error.js';

/** A grey frame with a lighter square: no face, so the detector runs on every frame. */
function frame(size = 320): { data: Uint8Array; width: number; height: number; channels: 3 } {
  const data = new Uint8Array(size * size * 3).fill(90);
  for (let y = 100; y < 200; y++)
    for (let x = 100; x < 200; x++) data.fill(200, (y * size + x) * 3, (y * size + x) * 3 + 3);
  return { data, width: size, height: size, channels: 3 };
}

const discarded = (e: unknown) => isCpemError(e) && /disposed while a frame was running/.test((e as Error).message);

describe('dispose while a frame runs', () => {
  let baseline: number;
  before(async () => {
    // Backend set up (and its own tensors made) before counting.
    const warm = await FaceTracker.create({ backend: 'wasm' });
    warm.dispose();
    baseline = tf.memory().numTensors;
  });

  it('tracker.dispose() during track(): the frame ends with a CpemError and the models are freed once it ends', async () => {
    for (let delay = 0; delay < 3; delay++) {
      const tracker = await FaceTracker.create({ backend: 'wasm' });
      const running = tracker.track(frame());
      for (let i = 0; i < delay; i++) await Promise.resolve();
      tracker.dispose();
      await assert.rejects(running, discarded);
      assert.equal(tf.memory().numTensors, baseline, `tensors after dispose (delay ${delay})`);
      await assert.rejects(tracker.track(frame()), (e) => isCpemError(e, 'INVALID_ARGUMENT'));
    }
  });

  it("the owning estimator's dispose() during estimate(): a CpemError, nothing leaked", async () => {
    const net = PeNet.create({ inputSize: 956, hidden: [8], numIdentity: 80, numExpression: 46 }, 2);
    // Counted with the network made: PeNet.create leaves its initial values behind (apart from this).
    const withNet = tf.memory().numTensors;
    const tracker = await FaceTracker.create({ backend: 'wasm' });
    const estimator = await FaceEstimator.create({ tracker, weights: net });
    const running = estimator.estimate(frame(), 0);
    estimator.dispose();
    await assert.rejects(running, discarded);
    assert.equal(tf.memory().numTensors, withNet, 'the tracker and the frame freed');
    net.dispose();
  });

  it('an estimator whose tracker it does not own: dispose() during estimate() is a CpemError too', async () => {
    const net = PeNet.create({ inputSize: 956, hidden: [8], numIdentity: 80, numExpression: 46 }, 2);
    const withNet = tf.memory().numTensors;
    const tracker = await FaceTracker.create({ backend: 'wasm' });
    const estimator = await FaceEstimator.create({ tracker, ownsTracker: false, weights: net });
    const running = estimator.estimate(frame(), 0);
    estimator.dispose();
    await assert.rejects(running, discarded);
    // The tracker goes on working for its owner.
    assert.equal((await tracker.track(frame())).status, 'no-face');
    tracker.dispose();
    assert.equal(tf.memory().numTensors, withNet);
    net.dispose();
  });
});
