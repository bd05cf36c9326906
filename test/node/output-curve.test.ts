// The output curve: PE-Net's fixed, monotone per-unit curve after the sigmoid, and its fit on labelled frames
// (quantile to quantile per category), which lifts a network that reads strong expressions at a fraction of
// their strength without lifting its resting readings.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { PeNet } from '../../plugin/estimator/pe-net.js';
import { isCpemError } from '../../plugin/errors/cpem-error.js';
import { expressionUnitIndex } from '../../plugin/units/expression-units.js';
import { fitOutputCurve, quantileCurve, OUTPUT_CURVE_KNOTS } from '../../training/lib/eval/output-curve.js';
import type { LabelSet } from '../../training/lib/eval/real-frame-eval.js';
import { NUM_EXPRESSION_UNITS } from '../../plugin/constants.js';

const config = { inputSize: 12, hidden: [16], numIdentity: 5, numExpression: 46 };
const K = OUTPUT_CURVE_KNOTS;

describe('PE-Net output curve', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  it('is the identity until set, maps β through the knots, travels with the weights and refuses a falling curve', async () => {
    const plain = PeNet.create(config, 5);
    const curved = plain.withExpressionCurve(K);
    const x = tf.randomNormal([3, 12], 0, 1, 'float32', 2) as tf.Tensor2D;
    const [a, b] = [plain.predict(x), curved.predict(x)];
    const [ea, eb] = await Promise.all([a.expression.data(), b.expression.data()]);
    ea.forEach((v, i) => assert.ok(Math.abs(v - eb[i]) < 1e-6, `identity curve, value ${i}: ${v} vs ${eb[i]}`));
    // Unit 0 squared-ish: knots (k/10)^2; every other unit doubled up to 1.
    const curve = new Float32Array(46 * K);
    for (let u = 0; u < 46; u++)
      for (let k = 0; k < K; k++) curve[u * K + k] = u === 0 ? (k / (K - 1)) ** 2 : Math.min(1, (2 * k) / (K - 1));
    curved.setExpressionCurve(curve);
    const c = curved.predict(x);
    const ec = await c.expression.data();
    for (let i = 0; i < ec.length; i++) {
      const u = i % 46,
        v = ea[i];
      const lo = Math.floor(v * (K - 1)),
        t = v * (K - 1) - lo;
      const expected = curve[u * K + lo] + t * (curve[u * K + Math.min(K - 1, lo + 1)] - curve[u * K + lo]);
      assert.ok(Math.abs(ec[i] - expected) < 1e-5, `unit ${u}: ${ec[i]} vs ${expected}`);
    }
    const loaded = PeNet.fromArtifacts(await curved.toArtifacts());
    assert.deepEqual(Array.from((await loaded.expressionCurve())!), Array.from(curve));
    assert.equal(await plain.expressionCurve(), null);
    const falling = curve.slice();
    falling[3] = 0.9;
    falling[4] = 0.1;
    assert.throws(
      () => curved.setExpressionCurve(falling),
      (e) => isCpemError(e, 'INVALID_ARGUMENT') && /never decrease/.test(e.message),
    );
    assert.throws(() => plain.setExpressionCurve(curve), /no output curve/);
    // A damaged curve in a file is WEIGHTS_CORRUPT.
    const artifacts = await curved.toArtifacts();
    const data = new Float32Array((artifacts.weightData as ArrayBuffer).slice(0));
    let offset = 0;
    for (const spec of artifacts.weightSpecs!) {
      if (spec.name === 'expression/curve') data[offset + 5] = 2;
      offset += spec.shape.reduce((p, q) => p * q, 1);
    }
    assert.throws(
      () => PeNet.fromArtifacts({ ...artifacts, weightData: data.buffer }),
      (e) => isCpemError(e, 'WEIGHTS_CORRUPT') && /\[0, 1\]/.test(e.message),
    );
    tf.dispose([x, ...Object.values(a), ...Object.values(b), ...Object.values(c)]);
    [plain, curved, loaded].forEach((n) => n.dispose());
  });

  it("quantile curves are monotone, send the readings' quantiles to the labels' and keep 1 at 1", () => {
    // A reader that gives a third of the label, plus its zeros at rest.
    const labels = [0, 0, 0, 0, 0.3, 0.6, 0.9, 0.9, 1];
    const readings = labels.map((y) => y / 3);
    const k = quantileCurve(readings, labels);
    for (let i = 1; i < k.length; i++) assert.ok(k[i] >= k[i - 1]);
    assert.equal(k[0], 0);
    assert.equal(k[k.length - 1], 1);
    // 0.3 is read 0.1 (knot 1) and 0.9 read 0.3 (knot 3): the curve gives them back.
    assert.ok(Math.abs(k[1] - 0.3) < 1e-6, `knot 1: ${k[1]}`);
    assert.ok(Math.abs(k[3] - 0.9) < 0.05, `knot 3: ${k[3]}`);
    assert.throws(() => quantileCurve([0.1], [0.2]), /at least 2/);
  });

  it('fits per category on labelled frames, gives a unit the curve of its smallest category, and leaves other units alone', () => {
    const frames: LabelSet['frames'] = [];
    const readings = new Map<number, Float32Array>();
    for (let i = 0; i < 40; i++) {
      const smile = (i % 10) / 10,
        inner = ((i * 3) % 10) / 10;
      frames.push({
        clip: 'a.mp4',
        frame: i,
        time: i / 25,
        neutral: smile === 0 && inner === 0,
        labels: { smile, browsRaised: inner / 2, browInnerUp: inner },
      });
      const u = new Float32Array(NUM_EXPRESSION_UNITS);
      u[expressionUnitIndex('mouthSmile_L')] = smile / 2;
      u[expressionUnitIndex('mouthSmile_R')] = smile / 2;
      u[expressionUnitIndex('browInnerUp')] = inner / 4;
      u[expressionUnitIndex('jawOpen')] = 0.3;
      readings.set(i, u);
    }
    const set: LabelSet = {
      categories: {
        smile: ['mouthSmile_L', 'mouthSmile_R'],
        browsRaised: ['browInnerUp', 'browOuterUp_L', 'browOuterUp_R'],
        browInnerUp: ['browInnerUp'],
      },
      clips: { 'a.mp4': { fps: 25, split: 'tune' } },
      frames,
    };
    const fit = fitOutputCurve(set, (f) => readings.get(f.frame)!);
    const at = (unit: string, x: number) => {
      const c = fit.curve.subarray(expressionUnitIndex(unit) * K, (expressionUnitIndex(unit) + 1) * K);
      const s = x * (K - 1),
        lo = Math.floor(s);
      return c[lo] + (s - lo) * (c[Math.min(K - 1, lo + 1)] - c[lo]);
    };
    assert.ok(
      Math.abs(at('mouthSmile_L', 0.45) - 0.9) < 0.06,
      `a smile read 0.45 is labelled 0.9: ${at('mouthSmile_L', 0.45)}`,
    );
    assert.ok(
      Math.abs(at('browInnerUp', 0.2) - 0.8) < 0.06,
      `inner brows read 0.2 are labelled 0.8 (their own category): ${at('browInnerUp', 0.2)}`,
    );
    assert.ok(Math.abs(at('jawOpen', 0.37) - 0.37) < 1e-6, 'jawOpen is in no category here: identity');
    assert.deepEqual(Object.keys(fit.categories).sort(), ['browInnerUp', 'browsRaised', 'smile']);
  });
});
