import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { projectPoints, projectPointsBatch, rotationMatrix } from '../../plugin/geometry/head-pose.js';

const close = (a: number, b: number, tol = 1e-5) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);
const NOSE = [0, 0, 100]; // 10 cm in front of the head centre
const TOP = [0, 100, 0];

describe('head pose', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  it('is a proper rotation (orthonormal, determinant 1)', () => {
    const r = rotationMatrix([0.3, -0.7, 0.2]);
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) {
        const dot = r[i * 3] * r[j * 3] + r[i * 3 + 1] * r[j * 3 + 1] + r[i * 3 + 2] * r[j * 3 + 2];
        close(dot, i === j ? 1 : 0);
      }
    const det =
      r[0] * (r[4] * r[8] - r[5] * r[7]) - r[1] * (r[3] * r[8] - r[5] * r[6]) + r[2] * (r[3] * r[7] - r[4] * r[6]);
    close(det, 1);
  });

  it('follows the documented sign conventions in the image', () => {
    const q = Math.PI / 6;
    // Yaw > 0: the nose moves to the subject's left, the image's right (+u).
    assert.ok(projectPoints(NOSE, [0, q, 0], [0, 0, 0])[0] > 40);
    // Pitch > 0: the face looks down, the nose moves down in the image (+v).
    assert.ok(projectPoints(NOSE, [q, 0, 0], [0, 0, 0])[1] > 40);
    // Roll > 0: the top of the head moves to the subject's right, the image's left (−u); up is −v.
    const top = projectPoints(TOP, [0, 0, q], [0, 0, 0]);
    assert.ok(top[0] < -40 && top[1] < -80);
    // Scale and translation: translation = [tx, ty, log s].
    const p = projectPoints([10, 20, 0], [0, 0, 0], [5, 7, Math.log(2)]);
    close(p[0], 25);
    close(p[1], -33);
  });

  it('the batched TF.js projection matches the CPU one and has gradients', async () => {
    const pts = [10, 20, 30, -40, 5, 60, 0, -70, 10];
    const rot = [0.2, -0.5, 0.1];
    const tr = [3, -4, Math.log(1.5)];
    const expected = projectPoints(pts, rot, tr);
    const points = tf.tensor3d(pts, [1, 3, 3]);
    const rotation = tf.tensor2d([rot]);
    const translation = tf.tensor2d([tr]);
    const out = projectPointsBatch(points, rotation, translation);
    const got = await out.data();
    expected.forEach((v, i) => close(got[i], v, 1e-3));
    const grads = tf.grads((r: tf.Tensor, t: tf.Tensor) =>
      tf.sum(projectPointsBatch(points, r as tf.Tensor2D, t as tf.Tensor2D)),
    )([rotation, translation]);
    const gr = await grads[0].data();
    assert.ok(gr.every(Number.isFinite) && gr.some((g) => Math.abs(g) > 1e-3));
    tf.dispose([points, rotation, translation, out, ...grads]);
  });
});
