import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { identityConsistencyLoss } from '../../training/lib/losses/identity-consistency.js';
import { expressionExclusiveLoss } from '../../training/lib/losses/expression-exclusive.js';
import { CpemError } from '../../plugin/errors/cpem-error.js';

const close = (a: number, b: number, tol = 1e-5) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

describe('identity-consistent loss', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  it('is Σ_t ||α_t − ᾱ||², averaged over persons', async () => {
    // Person 0: frames [1,2], [3,4] -> mean [2,3]; residuals (-1,-1), (1,1) -> 4.
    // Person 1: frames [0,0], [0,2] -> mean [0,1]; residuals (0,-1), (0,1) -> 2.
    const alpha = tf.tensor3d([
      [
        [1, 2],
        [3, 4],
      ],
      [
        [0, 0],
        [0, 2],
      ],
    ]);
    const loss = identityConsistencyLoss(alpha);
    close((await loss.data())[0], 3);
    tf.dispose([alpha, loss]);
  });

  it('treats the mean as a fixed pseudo label (gradient 2(α_t − ᾱ)/P)', async () => {
    const alpha = tf.tensor3d([
      [
        [1, 2],
        [3, 4],
      ],
      [
        [0, 0],
        [0, 2],
      ],
    ]);
    const grad = tf.grad((a: tf.Tensor) => identityConsistencyLoss(a as tf.Tensor3D))(alpha);
    // With ᾱ fixed: d/dα_t = 2(α_t − ᾱ) / P, P = 2. (Had ᾱ carried gradient, the result would be the same
    // here by symmetry of the sum, so check against the closed form that treats ᾱ as a constant.)
    assert.deepEqual(Array.from(await grad.data()), [-1, -1, 1, 1, 0, -1, 0, 1]);
    tf.dispose([alpha, grad]);
  });

  it('is zero when every frame of a person has the same identity', async () => {
    const alpha = tf.tile(tf.tensor3d([[[0.3, -2, 5]]]), [3, 4, 1]) as tf.Tensor3D;
    const loss = identityConsistencyLoss(alpha);
    close((await loss.data())[0], 0);
    tf.dispose([alpha, loss]);
  });

  it('rejects a tensor that is not [persons, frames, K]', () => {
    const flat = tf.zeros([4, 80]);
    assert.throws(() => identityConsistencyLoss(flat as unknown as tf.Tensor3D), CpemError);
    flat.dispose();
  });
});

describe('expression-exclusive loss', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  const unitsWith = (values: Record<number, number>) => {
    const u = new Array(46).fill(0);
    for (const [i, v] of Object.entries(values)) u[Number(i)] = v;
    return u;
  };

  it('pushes the losing side of each contradictory pair to zero', async () => {
    // Pair {0,2}↔{8}: max A = 0.9 > 0.4 -> ||β_8||² = 0.16.
    // Pair {25}↔{27,29,31}: max B = 0.7 > 0.5 -> ||β_25||² = 0.25.
    // Pair {34,40}↔{36,37}: max B = 0.6 > 0.3 -> ||β_34, β_40||² = 0.09 + 0.04 = 0.13.
    // Sample 2: pair {4}↔{12} tied at 0.5 -> 0; pair {20}↔{22}: 0.2 < 0.8 -> 0.04.
    const beta = tf.tensor2d([
      unitsWith({ 0: 0.9, 2: 0.1, 8: 0.4, 25: 0.5, 27: 0.7, 29: 0.2, 34: 0.3, 40: 0.2, 36: 0.6, 37: 0.1 }),
      unitsWith({ 4: 0.5, 12: 0.5, 20: 0.2, 22: 0.8 }),
    ]);
    const loss = expressionExclusiveLoss(beta);
    close((await loss.data())[0], (0.16 + 0.25 + 0.13 + 0.04) / 2);
    tf.dispose([beta, loss]);
  });

  it('sends gradient only into the losing side', async () => {
    const beta = tf.tensor2d([unitsWith({ 0: 0.9, 8: 0.4 })]);
    const grad = await tf
      .grad((b: tf.Tensor) => expressionExclusiveLoss(b))(beta)
      .data();
    const nonZero = Array.from(grad)
      .map((g, i) => [i, g] as const)
      .filter(([, g]) => g !== 0);
    assert.equal(nonZero.length, 1);
    assert.equal(nonZero[0][0], 8);
    close(nonZero[0][1], 0.8);
    beta.dispose();
  });

  it('is zero for expressions that respect every pair', async () => {
    const beta = tf.tensor2d([unitsWith({ 21: 1, 27: 0.8, 28: 0.8, 16: 0.5 })]);
    const loss = expressionExclusiveLoss(beta);
    close((await loss.data())[0], 0);
    tf.dispose([beta, loss]);
  });

  it('leaks no tensors', () => {
    const beta = tf.randomUniform([8, 46]);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) expressionExclusiveLoss(beta).dispose();
    assert.equal(tf.memory().numTensors, before);
    beta.dispose();
  });
});

describe('landmark, regularisation and sparsity losses', async () => {
  const { landmarkLoss, contourWeightedLandmarks } = await import('../../training/lib/losses/landmark.js');
  const { identityRegularization, expressionSparsity } = await import('../../training/lib/losses/regularization.js');
  before(async () => {
    await tf.setBackend('cpu');
  });

  it('landmark loss is the weighted mean squared distance per sample', async () => {
    // One sample, three landmarks: squared distances 1, 4, 0 with weights 1, 10, 10 -> (1 + 40) / 21.
    const p = tf.tensor3d([
      [
        [0, 0],
        [0, 0],
        [5, 5],
      ],
    ]);
    const q = tf.tensor3d([
      [
        [1, 0],
        [0, 2],
        [5, 5],
      ],
    ]);
    const loss = landmarkLoss(p, q, [1, 10, 10]);
    close((await loss.data())[0], 41 / 21);
    // Hiding the second landmark leaves (1) / 11.
    const vis = tf.tensor2d([[1, 0, 1]]);
    const masked = landmarkLoss(p, q, [1, 10, 10], vis);
    close((await masked.data())[0], 1 / 11);
    tf.dispose([p, q, loss, vis, masked]);
  });

  it('landmark loss rejects mismatched shapes and weights', () => {
    const a = tf.zeros([2, 3, 2]) as tf.Tensor3D;
    const b = tf.zeros([2, 4, 2]) as tf.Tensor3D;
    assert.throws(() => landmarkLoss(a, b, [1, 1, 1]), CpemError);
    assert.throws(() => landmarkLoss(a, a, [1, 1]), /2 weights for 3 landmarks/);
    tf.dispose([a, b]);
  });

  it('contour landmarks weigh 1 and inner ones 10', () => {
    const w = contourWeightedLandmarks(
      68,
      Array.from({ length: 17 }, (_, i) => i),
    );
    assert.equal(w[0], 1);
    assert.equal(w[16], 1);
    assert.equal(w[17], 10);
    assert.equal(
      w.reduce((s, x) => s + x, 0),
      17 + 510,
    );
  });

  it('regulariser and sparsity are ||α||² and |β|₁ averaged over the batch', async () => {
    const alpha = tf.tensor2d([
      [1, 2],
      [0, 3],
    ]); // 5 and 9 -> 7
    const beta = tf.tensor2d([
      [0.5, 0.25],
      [0, 1],
    ]); // 0.75 and 1 -> 0.875
    const r = identityRegularization(alpha);
    const s = expressionSparsity(beta);
    close((await r.data())[0], 7);
    close((await s.data())[0], 0.875);
    tf.dispose([alpha, beta, r, s]);
  });
});
