// No shipped unit is capped: every one of the 46 can read (almost) 1, so a character can show every expression fully.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '../../training/lib/tf/register-gradients.js';
import { PeNet } from '../../plugin/estimator/pe-net.js';
import { EXPRESSION_UNITS } from '../../plugin/units/expression-units.js';
import { IdentityCalibration } from '../../plugin/motion/identity-calibration.js';
import { createNeutralFaceMotion } from '../../plugin/motion/face-motion.js';

describe('shipped PE-Net: every unit can reach 1', () => {
  let net: PeNet;
  let mean: Float32Array;
  let scale: Float32Array;
  before(async () => {
    await tf.setBackend('cpu');
    net = await PeNet.load('weights/pe-net/model.json');
    const artifacts = await net.toArtifacts();
    const weights = tf.io.decodeWeights(artifacts.weightData as ArrayBuffer, artifacts.weightSpecs!);
    mean = (await weights['input/mean'].data()) as Float32Array;
    scale = (await weights['input/scale'].data()) as Float32Array;
    tf.dispose(Object.values(weights));
  });
  after(() => net.dispose());

  it('has no output gain below 1 (β = min(1, gain · σ) reaches 1 only with gain ≥ 1)', async () => {
    const gain = await net.expressionGain();
    EXPRESSION_UNITS.forEach((u, i) => assert.ok(gain[i] >= 1, `${u}: gain ${gain[i]}`));
  });

  it('reads each unit at ≥ 0.95 for some input within 4 standard deviations of its training data', async () => {
    // Gradient ascent on the standardised input z = 4·tanh(w) (x = mean + z / scale), so z stays in (-4, 4) per
    // feature without losing its gradient at the bounds. A ReLU network has local maxima below 1, so the search
    // starts from the mean input and then from up to three seeded random points. The output curve (flat at 0 below
    // a unit's resting readings) gives no gradient there, so the ascent runs on the readings before the curve, and
    // the curved reading is what is scored.
    const knots = net.config.expressionCurveKnots;
    const beforeCurve = knots === undefined ? net : net.withExpressionCurve(knots);
    const size = net.config.inputSize;
    const meanInput = tf.tensor2d(mean, [1, size]);
    const scaleInput = tf.tensor2d(scale, [1, size]);
    const low: string[] = [];
    for (let u = 0; u < EXPRESSION_UNITS.length; u++) {
      let best = 0;
      for (let start = 0; start < 4 && best < 0.95; start++) {
        const w = tf.variable(
          start === 0 ? tf.zeros([1, size]) : tf.randomNormal([1, size], 0, 0.5, 'float32', 1000 * u + start),
        );
        const optimizer = tf.train.adam(0.05);
        const unitOf = (reader: PeNet) =>
          tf.tidy(() => {
            const x = tf.add(meanInput, tf.div(tf.mul(tf.tanh(w), 4), scaleInput)) as tf.Tensor2D;
            return tf.squeeze(tf.slice(reader.predict(x).expression, [0, u], [1, 1])) as tf.Scalar;
          });
        for (let step = 0; step < 300; step++) {
          optimizer.minimize(() => tf.neg(unitOf(beforeCurve)) as tf.Scalar, false, [w]);
          if (step % 20 === 19) {
            const v = unitOf(net);
            best = Math.max(best, (await v.data())[0]);
            v.dispose();
            if (best >= 0.95) break;
          }
        }
        optimizer.dispose();
        w.dispose();
      }
      if (best < 0.95) low.push(`${EXPRESSION_UNITS[u]} ${best.toFixed(3)}`);
    }
    tf.dispose([meanInput, scaleInput]);
    if (beforeCurve !== net) beforeCurve.dispose();
    assert.deepEqual(low, [], `units that stay below 0.95: ${low.join(', ')}`);
  });

  it('keeps a full unit full after the per-user neutral', () => {
    const calibration = new IdentityCalibration({ durationMs: 0, minFrames: 1 });
    const resting = createNeutralFaceMotion();
    resting.units.fill(0.3);
    calibration.apply({ ...resting, timestamp: 0 });
    const full = createNeutralFaceMotion();
    full.units.fill(1);
    const out = calibration.apply({ ...full, timestamp: 100 });
    assert.ok(
      out.units.every((v) => v >= 0.999),
      'a unit at 1 reads 1 over any resting level',
    );
  });
});
