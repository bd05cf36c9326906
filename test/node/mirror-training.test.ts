// Training with mirrored frames and an identity trunk of its own: a real batch mirrors whole persons (landmarks
// flipped and moved to their mirror index, unit targets moved to the mirror unit); the identity head's own trunk
// reads the features beside the shared one, so identity losses never train the expression trunk.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '../../training/lib/tf/register-gradients.js';
import { PeNet } from '../../plugin/estimator/pe-net.js';
import { FACE_MESH_MIRROR } from '../../plugin/landmarks/face-mesh-mirror.js';
import { expressionUnitIndex } from '../../plugin/units/expression-units.js';
import { RealTrackSource, TRACKED_FRAME_VALUES } from '../../training/lib/data/real-track-source.js';
import { disposeBatch } from '../../training/lib/data/synthetic-batch.js';
import { NUM_EXPRESSION_UNITS, NUM_FACE_LANDMARKS } from '../../plugin/constants.js';

describe('mirrored real frames', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  it('mirror about half the persons, landmarks and unit targets together, and never with mirror off', async () => {
    const frames = Array.from({ length: 8 }, (_, k) =>
      Float32Array.from({ length: TRACKED_FRAME_VALUES }, (_, i) => 100 + ((i * 13 + k * 7) % 97)),
    );
    const values = frames.map(() => {
      const v = new Float32Array(NUM_EXPRESSION_UNITS);
      v[expressionUnitIndex('eyeClose_L')] = 0.9;
      return v;
    });
    const masks = frames.map(() => new Float32Array(NUM_EXPRESSION_UNITS).fill(1));
    const clip = { name: 'a', frames, targets: { units: { values, masks } } };
    const count = async (mirror: boolean) => {
      const source = new RealTrackSource([clip], 3, { mirror });
      let mirrored = 0,
        plain = 0;
      for (let b = 0; b < 4; b++) {
        const batch = source.next(4, 2);
        const [points, units] = await Promise.all([batch.points3d!.data(), batch.targets!.units.data()]);
        disposeBatch(batch);
        for (let row = 0; row < 8; row++) {
          const p = points.subarray(row * TRACKED_FRAME_VALUES, (row + 1) * TRACKED_FRAME_VALUES);
          const u = units.subarray(row * NUM_EXPRESSION_UNITS, (row + 1) * NUM_EXPRESSION_UNITS);
          const original = frames.find((f) => f[1] === p[1] && f[0] === p[0]);
          if (original) {
            plain++;
            assert.equal(u[expressionUnitIndex('eyeClose_L')], values[0][expressionUnitIndex('eyeClose_L')]);
            continue;
          }
          const source = frames.find(
            (f) => f[4] === p[FACE_MESH_MIRROR[1] * 3 + 1] && -f[FACE_MESH_MIRROR[0] * 3] === p[0],
          );
          assert.ok(source, `row ${row} is neither a frame nor a mirrored frame`);
          for (let i = 0; i < NUM_FACE_LANDMARKS; i++) assert.equal(p[FACE_MESH_MIRROR[i] * 3], -source![i * 3]);
          assert.ok(
            Math.abs(u[expressionUnitIndex('eyeClose_R')] - 0.9) < 1e-6 && u[expressionUnitIndex('eyeClose_L')] === 0,
            'the wink moved to the other eye',
          );
          mirrored++;
        }
      }
      return { mirrored, plain };
    };
    const on = await count(true);
    assert.ok(on.mirrored >= 6 && on.plain >= 6, JSON.stringify(on));
    assert.deepEqual(await count(false), { mirrored: 0, plain: 32 });
  });

  it('an identity trunk of its own: identity losses reach only it and the identity head', () => {
    const net = PeNet.create(
      { inputSize: 12, hidden: [16], numIdentity: 5, numExpression: 46, identityHidden: [8] },
      2,
    );
    assert.equal(net.parameterCount, 12 * 16 + 16 + 12 * 8 + 8 + 8 * 5 + 5 + 16 * 46 + 46 + 2 * (16 * 3 + 3));
    const x = tf.randomNormal([4, 12], 0, 1, 'float32', 3) as tf.Tensor2D;
    const { grads } = tf.variableGrads(
      () => tf.tidy(() => tf.sum(tf.square(net.predict(x).identity)) as tf.Scalar),
      net.trainableVariables,
    );
    const touched = Object.entries(grads)
      .filter(([, g]) => tf.tidy(() => tf.max(tf.abs(g)).dataSync()[0]) > 0)
      .map(([name]) => name.replace(/^pe-net\d+\//, ''))
      .sort();
    assert.deepEqual(touched, ['identity/bias', 'identity/kernel', 'identityDense0/bias', 'identityDense0/kernel']);
    tf.dispose([x, ...Object.values(grads)]);
    net.dispose();
  });
});
