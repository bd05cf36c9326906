// Rigid alignment of tracked landmarks onto a reference shape (PE-Net's pose-free input).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ALIGNMENT_POINTS, alignLandmarks } from '../../plugin/estimator/face-alignment.js';
import { rotationMatrix } from '../../plugin/geometry/head-pose.js';
import { seededRandom } from '../../plugin/util/seeded-random.js';
import { isCpemError } from '../../plugin/errors/cpem-error.js';
import {
  ALIGNED_FEATURE_SIZE,
  alignedHeadRotation,
  alignedLandmarkFeatures,
} from '../../plugin/estimator/landmark-features.js';
import { PeNet } from '../../plugin/estimator/pe-net.js';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { NUM_FACE_LANDMARKS } from '../../plugin/constants.js';

const COUNT = NUM_FACE_LANDMARKS;
const random = seededRandom(7);
// A face-sized reference blob (millimetres, y up, z towards the viewer).
const reference = new Float32Array(COUNT * 3).map((_, i) => (i % 3 === 2 ? 30 : 70) * random.uniform(-1, 1));
/** The reference at the alignment points only, as alignLandmarks takes it. */
const pointReference = Float32Array.from(
  ALIGNMENT_POINTS.flatMap((i) => [reference[i * 3], reference[i * 3 + 1], reference[i * 3 + 2]]),
);

/** The reference seen by a camera: rotated, scaled to pixels, moved, y flipped down and z flipped away. */
function imageOf(
  shape: Float32Array,
  angles: [number, number, number],
  scale: number,
  tx: number,
  ty: number,
): Float32Array {
  const R = rotationMatrix(angles);
  const out = new Float32Array(shape.length);
  for (let i = 0; i < COUNT; i++) {
    const p = [shape[i * 3], shape[i * 3 + 1], shape[i * 3 + 2]];
    const q = [0, 1, 2].map((r) => R[r * 3] * p[0] + R[r * 3 + 1] * p[1] + R[r * 3 + 2] * p[2]);
    out[i * 3] = scale * q[0] + tx;
    out[i * 3 + 1] = -scale * q[1] + ty;
    out[i * 3 + 2] = -scale * q[2];
  }
  return out;
}

describe('alignLandmarks', () => {
  it('undoes rotation, scale and offset exactly for a rigidly moved reference', () => {
    const image = imageOf(reference, [0.3, -0.6, 0.2], 2.5, 320, 240);
    const aligned = new Float32Array(COUNT * 3);
    const a = alignLandmarks(image, 3, ALIGNMENT_POINTS, pointReference, aligned);
    let worst = 0;
    for (let i = 0; i < aligned.length; i++) worst = Math.max(worst, Math.abs(aligned[i] - reference[i]));
    assert.ok(worst < 1e-3, `largest error ${worst}`);
    assert.ok(Math.abs(a.scale - 1 / 2.5) < 1e-6, `scale ${a.scale}`);
    // A proper rotation: orthonormal rows, determinant +1.
    const R = a.rotation;
    const det =
      R[0] * (R[4] * R[8] - R[5] * R[7]) - R[1] * (R[3] * R[8] - R[5] * R[6]) + R[2] * (R[3] * R[7] - R[4] * R[6]);
    assert.ok(Math.abs(det - 1) < 1e-9, `det ${det}`);
  });

  it('keeps an expression: points off the alignment set move with it, the alignment set does not absorb them', () => {
    const moved = reference.slice();
    const mouth = 14; // not an alignment point
    assert.ok(!ALIGNMENT_POINTS.includes(mouth));
    moved[mouth * 3 + 1] -= 12; // the lower lip drops 12 mm
    const aligned = new Float32Array(COUNT * 3);
    alignLandmarks(imageOf(moved, [0.1, 0.4, -0.1], 1.7, 100, 50), 3, ALIGNMENT_POINTS, pointReference, aligned);
    assert.ok(Math.abs(aligned[mouth * 3 + 1] - (reference[mouth * 3 + 1] - 12)) < 1e-3);
    assert.ok(Math.abs(aligned[ALIGNMENT_POINTS[0] * 3] - reference[ALIGNMENT_POINTS[0] * 3]) < 1e-3);
  });

  it('finds the least-squares fit under noise, whatever the starting pose', () => {
    for (const angles of [
      [0, 0, 0],
      [0, Math.PI * 0.9, 0],
      [1.2, -0.4, 2.5],
    ] as Array<[number, number, number]>) {
      const image = imageOf(reference, angles, 1, 0, 0);
      for (let i = 0; i < image.length; i++) image[i] += random.normal() * 0.5;
      const aligned = new Float32Array(COUNT * 3);
      alignLandmarks(image, 3, ALIGNMENT_POINTS, pointReference, aligned);
      let err = 0;
      for (const i of ALIGNMENT_POINTS)
        for (let k = 0; k < 3; k++) err += (aligned[i * 3 + k] - reference[i * 3 + k]) ** 2;
      assert.ok(
        Math.sqrt(err / ALIGNMENT_POINTS.length) < 1.5,
        `rms ${Math.sqrt(err / ALIGNMENT_POINTS.length)} at ${angles}`,
      );
    }
  });

  it('rejects mismatched sizes and degenerate input with INVALID_ARGUMENT', () => {
    const out = new Float32Array(COUNT * 3);
    assert.throws(
      () => alignLandmarks(new Float32Array(10), 3, ALIGNMENT_POINTS, pointReference, out),
      (e) => isCpemError(e) && e.code === 'INVALID_ARGUMENT',
    );
    assert.throws(
      () => alignLandmarks(new Float32Array(COUNT * 3), 3, ALIGNMENT_POINTS, pointReference, out),
      (e) => isCpemError(e) && /all at one place/.test(e.message),
    );
    const nan = imageOf(reference, [0, 0, 0], 1, 0, 0);
    nan[ALIGNMENT_POINTS[3] * 3] = NaN;
    assert.throws(
      () => alignLandmarks(nan, 3, ALIGNMENT_POINTS, pointReference, out),
      (e) => isCpemError(e) && e.code === 'INVALID_ARGUMENT',
    );
  });

  it("gives back the head rotation from aligned features (pitch, yaw, roll in rotationMatrix's convention)", async () => {
    await tf.setBackend('cpu');
    const spec = { points: ALIGNMENT_POINTS, reference: pointReference };
    for (const angles of [
      [0.2, -0.5, 0.1],
      [-0.3, 0.7, -0.25],
      [0, 0, 0],
    ] as Array<[number, number, number]>) {
      const { features } = alignedLandmarkFeatures(imageOf(reference, angles, 3, 400, 300), 3, spec);
      const rotation = alignedHeadRotation(tf.tensor2d(features, [1, features.length]));
      const got = await rotation.data();
      rotation.dispose();
      angles.forEach((a, k) => assert.ok(Math.abs(got[k] - a) < 1e-3, `angle ${k}: ${got[k]} for ${a}`));
    }
  });
});

describe('PE-Net on aligned features', () => {
  it("starts with the alignment's head rotation: its rotation head is a correction that begins at zero", async () => {
    await tf.setBackend('cpu');
    const features = { set: 'aligned' as const, points: [...ALIGNMENT_POINTS], reference: Array.from(pointReference) };
    const net = PeNet.create(
      { inputSize: ALIGNED_FEATURE_SIZE, hidden: [16], numIdentity: 4, numExpression: 46, features },
      3,
    );
    const angles: [number, number, number] = [0.15, -0.4, 0.05];
    const input = alignedLandmarkFeatures(imageOf(reference, angles, 2, 100, 100), 3, features).features;
    const out = net.predict(tf.tensor2d(input, [1, input.length]));
    const got = await out.rotation.data();
    tf.dispose([out.identity, out.expression, out.rotation, out.translation]);
    net.dispose();
    angles.forEach((a, k) => assert.ok(Math.abs(got[k] - a) < 1e-3, `angle ${k}: ${got[k]} for ${a}`));
    assert.throws(
      () => PeNet.create({ inputSize: 956, hidden: [4], numIdentity: 4, numExpression: 46, features }),
      /aligned features give 1446 inputs/,
    );
  });
});
