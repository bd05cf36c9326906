import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { IdentityCalibration } from '../../plugin/motion/identity-calibration.js';
import { createNeutralFaceMotion, type FaceMotion } from '../../plugin/motion/face-motion.js';
import { CpemError } from '../../plugin/errors/cpem-error.js';

function frame(t: number, units: Record<number, number>, identity: number[]): FaceMotion {
  const m = createNeutralFaceMotion(t);
  for (const [i, v] of Object.entries(units)) m.units[Number(i)] = v;
  return { ...m, identity: Float32Array.from(identity) };
}

describe('IdentityCalibration', () => {
  it('passes frames through while collecting, then locks mean identity and neutral levels', () => {
    const cal = new IdentityCalibration({ durationMs: 1000, minFrames: 10 });
    // A user whose resting face reads jawOpen 0.2, blinking once during calibration.
    for (let i = 0; i <= 30; i++) {
      const out = cal.apply(frame(i * 40, { 21: 0.2, 0: i === 5 ? 1 : 0.05 }, [1 + (i % 2) * 0.2, -1]));
      if (i < 25) assert.equal(out.units[21], Math.fround(0.2));
    }
    assert.equal(cal.state, 'locked');
    const ref = cal.locked!;
    assert.ok(Math.abs(ref.identity[0] - 1.1) < 0.01);
    assert.ok(Math.abs(ref.neutralUnits[21] - 0.2) < 1e-6);
    assert.ok(Math.abs(ref.neutralUnits[0] - 0.05) < 1e-6, 'the blink does not raise the neutral level');
    // After locking: the resting face is neutral, a full jaw opening still reaches 1, identity is held.
    const rest = cal.apply(frame(2000, { 21: 0.2 }, [5, 5]));
    assert.equal(rest.units[21], 0);
    const open = cal.apply(frame(2040, { 21: 1 }, [5, 5]));
    assert.equal(open.units[21], 1);
    const half = cal.apply(frame(2080, { 21: 0.6 }, [5, 5]));
    assert.ok(Math.abs(half.units[21] - 0.5) < 1e-6);
    assert.deepEqual(Array.from(half.identity), Array.from(ref.identity));
  });

  it('waits for both the duration and the minimum frame count, and skips NaN frames', () => {
    const cal = new IdentityCalibration({ durationMs: 100, minFrames: 5 });
    for (let i = 0; i < 4; i++) cal.apply(frame(i * 1000, {}, [0]));
    assert.equal(cal.state, 'collecting');
    cal.apply(frame(5000, { 3: NaN }, [0]));
    assert.equal(cal.state, 'collecting');
    cal.apply(frame(6000, {}, [0]));
    assert.equal(cal.state, 'locked');
    cal.recalibrate();
    assert.equal(cal.state, 'collecting');
  });

  it('rejects bad options and references', () => {
    assert.throws(() => new IdentityCalibration({ minFrames: 0 }), CpemError);
    assert.throws(() => new IdentityCalibration({ neutralQuantile: 2 }), CpemError);
    assert.throws(() => new IdentityCalibration().lock({ identity: new Float32Array(80), neutralUnits: new Float32Array(3), frames: 1 }), /46 neutral unit levels/);
  });
});
