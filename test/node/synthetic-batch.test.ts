import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { FaceModel } from '../../plugin/face-model/face-model.js';
import { FaceModelTensors } from '../../plugin/face-model/face-model-tensors.js';
import { projectPointsBatch } from '../../plugin/geometry/head-pose.js';
import { landmarkFeatures, LANDMARK_FEATURE_SIZE } from '../../plugin/estimator/landmark-features.js';
import { SyntheticFaceSource, disposeBatch } from '../../training/lib/data/synthetic-batch.js';
import { NUM_FACE_LANDMARKS } from '../../plugin/constants.js';

describe('synthetic face batches', () => {
  let tensors: FaceModelTensors;
  before(async () => {
    await tf.setBackend('cpu');
    tensors = new FaceModelTensors(await FaceModel.load('weights/face-model.bin'));
  });
  after(() => tensors.dispose());

  it('gives P × T frames in face-box units, one identity per person', async () => {
    const source = new SyntheticFaceSource(tensors, 7, { landmarkNoise: 0 });
    const batch = source.next(3, 4);
    assert.deepEqual(batch.features.shape, [12, LANDMARK_FEATURE_SIZE]);
    assert.deepEqual(batch.landmarks.shape, [12, NUM_FACE_LANDMARKS, 2]);
    const f = await batch.features.data();
    // Mesh points span exactly one box side on their larger axis and are centred.
    for (let r = 0; r < 12; r++) {
      const row = f.subarray(r * 956, r * 956 + 936);
      const xs = row.filter((_, i) => i % 2 === 0);
      const ys = row.filter((_, i) => i % 2 === 1);
      const w = Math.max(...xs) - Math.min(...xs);
      const h = Math.max(...ys) - Math.min(...ys);
      assert.ok(Math.abs(Math.max(w, h) - 1) < 1e-4, `row ${r}: ${w} × ${h}`);
      assert.ok(Math.abs(Math.max(...xs) + Math.min(...xs)) < 1e-4);
    }
    const alpha = await batch.truth!.identity.array();
    assert.deepEqual(alpha[0], alpha[3]);
    assert.notDeepEqual(alpha[3], alpha[4]);
    disposeBatch(batch);
  });

  it('ground truth reproduces the landmarks through the model and the projection', async () => {
    const source = new SyntheticFaceSource(tensors, 8, { landmarkNoise: 0 });
    const batch = source.next(2, 2);
    const { identity, expression, rotation, translation } = batch.truth!;
    const again = tf.tidy(() =>
      projectPointsBatch(tensors.faceMeshLandmarks(identity, expression), rotation, translation),
    );
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(again, batch.landmarks))));
    assert.ok((await diff.data())[0] < 1e-4);
    tf.dispose([again, diff]);
    disposeBatch(batch);
  });

  it('adds tracker-like noise, is deterministic from its seed, and leaks nothing', async () => {
    const a = new SyntheticFaceSource(tensors, 9).next(1, 2);
    const b = new SyntheticFaceSource(tensors, 9).next(1, 2);
    assert.deepEqual(Array.from(await a.features.data()), Array.from(await b.features.data()));
    disposeBatch(a);
    disposeBatch(b);
    const before = tf.memory().numTensors;
    const source = new SyntheticFaceSource(tensors, 10);
    for (let i = 0; i < 5; i++) disposeBatch(source.next(2, 4));
    assert.equal(tf.memory().numTensors, before);
  });

  it('the CPU feature function matches the batched one', async () => {
    const batch = new SyntheticFaceSource(tensors, 11, { landmarkNoise: 0 }).next(1, 1);
    const pts = await batch.landmarks.data();
    // Scale and shift into "pixels", then normalise on the CPU.
    const px = new Float32Array(NUM_FACE_LANDMARKS * 3);
    for (let i = 0; i < NUM_FACE_LANDMARKS; i++) {
      px[i * 3] = 300 + 200 * pts[i * 2];
      px[i * 3 + 1] = 240 + 200 * pts[i * 2 + 1];
    }
    const { features, box } = landmarkFeatures(px);
    const f = await batch.features.data();
    assert.ok(features.every((v, i) => Math.abs(v - f[i]) < 1e-4));
    assert.ok(Math.abs(box.size - 200) < 1e-3);
    disposeBatch(batch);
  });
});
