import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { OneEuroFilter } from '../../plugin/motion/one-euro-filter.js';
import { FaceMotionFilter } from '../../plugin/motion/face-motion-filter.js';
import { createNeutralFaceMotion } from '../../plugin/motion/face-motion.js';
import { CpemError } from '../../plugin/errors/cpem-error.js';

/** Deterministic noise in [-1, 1). */
function noise(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  };
}

const std = (v: number[]) => {
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length);
};

describe('OneEuroFilter', () => {
  it('removes most jitter from a still signal', () => {
    const f = new OneEuroFilter(1, { minCutoff: 1, beta: 0 });
    const rnd = noise(7);
    const raw: number[] = [];
    const out: number[] = [];
    for (let i = 0; i < 300; i++) {
      const x = 0.5 + 0.05 * rnd();
      raw.push(x);
      out.push(f.filter([x], i * 33.3)[0]);
    }
    // At 30 fps a 1 Hz cutoff keeps about a sixth of white noise's standard deviation.
    assert.ok(std(out.slice(30)) < 0.35 * std(raw.slice(30)), `${std(out.slice(30))} vs ${std(raw.slice(30))}`);
  });

  it('follows a fast step with little lag when beta is high', () => {
    const slow = new OneEuroFilter(1, { minCutoff: 1, beta: 0 });
    const fast = new OneEuroFilter(1, { minCutoff: 1, beta: 5 });
    let ySlow = 0;
    let yFast = 0;
    for (let i = 0; i < 10; i++) {
      const x = i < 5 ? 0 : 1;
      ySlow = slow.filter([x], i * 33.3)[0];
      yFast = fast.filter([x], i * 33.3)[0];
    }
    // 5 frames after a 0 → 1 step.
    assert.ok(yFast > 0.9, `fast ${yFast}`);
    assert.ok(ySlow < 0.8, `slow ${ySlow}`);
  });

  it('keeps the last value through NaN and survives repeated timestamps', () => {
    const f = new OneEuroFilter(2);
    f.filter([0.3, 0.6], 0);
    const y = f.filter([NaN, 0.6], 33);
    assert.ok(Math.abs(y[0] - 0.3) < 1e-6);
    const z = f.filter([0.3, 0.6], 33);
    assert.ok(z.every(Number.isFinite));
  });

  it('rejects bad settings and wrong sample sizes', () => {
    assert.throws(() => new OneEuroFilter(1, { minCutoff: 0 }), CpemError);
    assert.throws(() => new OneEuroFilter(1, { beta: -1 }), CpemError);
    assert.throws(() => new OneEuroFilter(1, { derivativeCutoff: NaN }), CpemError);
    assert.throws(() => new OneEuroFilter(3).filter([1, 2], 0), /expects 3 values/);
  });
});

describe('FaceMotionFilter', () => {
  it('smooths units and pose, keeps units in [0, 1], and passes other fields through', () => {
    const filter = new FaceMotionFilter();
    const rnd = noise(3);
    let last = createNeutralFaceMotion();
    const jawRaw: number[] = [];
    const jawOut: number[] = [];
    for (let i = 0; i < 120; i++) {
      const m = createNeutralFaceMotion(i * 33.3);
      m.units[21] = 0.5 + 0.1 * rnd();
      m.units[0] = 1.4; // out of range: clamped
      m.rotation[1] = 0.2 + 0.02 * rnd();
      last = filter.apply(m);
      jawRaw.push(m.units[21]);
      jawOut.push(last.units[21]);
    }
    assert.equal(last.units[0], 1);
    assert.ok(std(jawOut.slice(20)) < 0.6 * std(jawRaw.slice(20)));
    assert.ok(Math.abs(last.rotation[1] - 0.2) < 0.02);
    assert.equal(last.timestamp, 119 * 33.3);
  });

  it('restarts from the next sample after reset()', () => {
    const filter = new FaceMotionFilter();
    const a = createNeutralFaceMotion(0);
    filter.apply(a);
    filter.reset();
    const b = createNeutralFaceMotion(33);
    b.units[21] = 0.9;
    assert.ok(Math.abs(filter.apply(b).units[21] - 0.9) < 1e-6);
  });
});
