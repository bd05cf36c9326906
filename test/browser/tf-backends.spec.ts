import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { BROWSER_BACKENDS, lcgValues, useBackend, type BrowserBackend } from '../support/tf-backends.js';

interface Results {
  matmul: Float32Array;
  conv: Float32Array;
  gradX: Float32Array;
  gradW: Float32Array;
}

/** A small expression: a matmul, a conv2d, and the gradient of a loss through both w.r.t. the input. */
async function compute(backend: BrowserBackend): Promise<Results> {
  await useBackend(backend);
  const a = tf.tensor2d(lcgValues(4 * 8, 1), [4, 8]);
  const w = tf.tensor2d(lcgValues(8 * 6, 2), [8, 6]);
  const image = tf.tensor4d(lcgValues(8 * 8 * 3, 3), [1, 8, 8, 3]);
  const filter = tf.tensor4d(lcgValues(3 * 3 * 3 * 4, 4), [3, 3, 3, 4]);
  const head = tf.tidy(() => tf.mul(tf.tensor2d(lcgValues(8 * 8 * 4 * 6, 5), [8 * 8 * 4, 6]), 0.02)) as tf.Tensor2D;
  const loss = (x: tf.Tensor, m: tf.Tensor) => {
    const features = tf.reshape(tf.relu(tf.conv2d(x as tf.Tensor4D, filter, 1, 'same')), [1, -1]);
    return tf.sum(tf.square(tf.tanh(tf.matMul(features, m as tf.Tensor2D))));
  };
  const [gx, gw] = tf.grads(loss)([image, head]);
  const matmul = tf.matMul(a, w);
  const conv = tf.conv2d(image, filter, 1, 'same');
  const out = {
    matmul: (await matmul.data()) as Float32Array,
    conv: (await conv.data()) as Float32Array,
    gradX: (await gx.data()) as Float32Array,
    gradW: (await gw.data()) as Float32Array,
  };
  tf.dispose([a, w, image, filter, head, gx, gw, matmul, conv]);
  return out;
}

function maxAbsDiff(x: Float32Array, y: Float32Array): number {
  expect(x.length).toBe(y.length);
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]));
  return m;
}

describe('TF.js backends in the browser', () => {
  let reference: Results;

  beforeAll(async () => {
    reference = await compute('cpu');
  });

  it('the CPU reference is non-trivial', () => {
    const absMean = (v: Float32Array) => v.reduce((s, x) => s + Math.abs(x), 0) / v.length;
    expect(absMean(reference.matmul)).toBeGreaterThan(0.1);
    expect(absMean(reference.conv)).toBeGreaterThan(0.1);
    expect(absMean(reference.gradX)).toBeGreaterThan(0.01);
    expect(absMean(reference.gradW)).toBeGreaterThan(0.001);
  });

  for (const backend of BROWSER_BACKENDS.filter((b) => b !== 'cpu')) {
    it(`${backend} agrees with cpu within 1e-4 (matmul, conv2d, gradients)`, async () => {
      const r = await compute(backend);
      expect(maxAbsDiff(r.matmul, reference.matmul)).toBeLessThan(1e-4);
      expect(maxAbsDiff(r.conv, reference.conv)).toBeLessThan(1e-4);
      expect(maxAbsDiff(r.gradX, reference.gradX)).toBeLessThan(1e-4);
      expect(maxAbsDiff(r.gradW, reference.gradW)).toBeLessThan(1e-4);
    });
  }
});
