import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { seededRandom } from '../../plugin/util/seeded-random.js';
import { sampleExpression } from '../../training/lib/data/expression-sampler.js';
import { samplePose, sampleIdentity } from '../../training/lib/data/pose-sampler.js';
import { expressionExclusiveLoss } from '../../training/lib/losses/expression-exclusive.js';
import { MIRRORED_UNIT_INDEX, expressionUnitIndex } from '../../plugin/units/expression-units.js';

describe('synthetic sampling', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  it('seeded random is reproducible, uniform and normal', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const xs = Array.from({ length: 20000 }, () => a.next());
    assert.deepEqual(
      xs.slice(0, 5),
      Array.from({ length: 5 }, () => b.next()),
    );
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    assert.ok(Math.abs(mean - 0.5) < 0.01);
    const n = Array.from({ length: 20000 }, () => a.normal());
    const m = n.reduce((s, x) => s + x, 0) / n.length;
    const v = n.reduce((s, x) => s + (x - m) ** 2, 0) / n.length;
    assert.ok(Math.abs(m) < 0.03 && Math.abs(v - 1) < 0.05, `${m} ${v}`);
  });

  it('expressions are sparse, in [0, 1], and never violate a contradictory pair', async () => {
    const random = seededRandom(1);
    const samples = Array.from({ length: 2000 }, () => sampleExpression(random));
    const flat = new Float32Array(samples.length * 46);
    samples.forEach((s, i) => flat.set(s, i * 46));
    assert.ok(flat.every((x) => x >= 0 && x <= 1));
    const beta = tf.tensor2d(flat, [samples.length, 46]);
    const loss = expressionExclusiveLoss(beta);
    assert.equal((await loss.data())[0], 0);
    tf.dispose([beta, loss]);
    const active = samples.map((s) => s.filter((x) => x > 0).length);
    const neutral = active.filter((k) => k === 0).length / samples.length;
    const meanActive = active.reduce((s, k) => s + k, 0) / samples.length;
    assert.ok(neutral > 0.1 && neutral < 0.2, `neutral share ${neutral}`);
    assert.ok(meanActive > 1.5 && meanActive < 5, `mean active ${meanActive}`);
    // Every unit is drawn at some point, strong values included.
    for (let u = 0; u < 46; u++)
      assert.ok(
        samples.some((s) => s[u] > 0.8),
        `unit ${u} never strong`,
      );
  });

  it('sided units usually come with their mirror', () => {
    const random = seededRandom(2);
    const L = expressionUnitIndex('eyeClose_L');
    let both = 0;
    let either = 0;
    for (let i = 0; i < 5000; i++) {
      const s = sampleExpression(random);
      if (s[L] > 0 || s[MIRRORED_UNIT_INDEX[L]] > 0) either++;
      if (s[L] > 0 && s[MIRRORED_UNIT_INDEX[L]] > 0) both++;
    }
    assert.ok(both / either > 0.4 && both / either < 0.9, `${both}/${either}`);
  });

  it('poses and identities stay in range with the expected spread', () => {
    const random = seededRandom(3);
    const poses = Array.from({ length: 3000 }, () => samplePose(random));
    assert.ok(
      poses.every((p) => Math.abs(p[0]) <= 0.5 + 1e-6 && Math.abs(p[1]) <= 0.9 + 1e-6 && Math.abs(p[2]) <= 0.4 + 1e-6),
    );
    const yawStd = Math.sqrt(poses.reduce((s, p) => s + p[1] ** 2, 0) / poses.length);
    assert.ok(yawStd > 0.28 && yawStd < 0.38, `${yawStd}`);
    const alpha = sampleIdentity(random, 80);
    assert.equal(alpha.length, 80);
    assert.ok(alpha.some((a) => a < 0) && alpha.some((a) => a > 0));
  });
});
