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
    const cal = new IdentityCalibration({ durationMs: 1000, minFrames: 10, maxNeutralLevel: 1 });
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

  it('takes the neutral from the calmest frames: an expressive first second does not become the neutral', () => {
    // 30 frames a second for 2 s; the user smiles strongly (with the cheeks) for the first second or for 1.6 s, then
    // rests with a slight resting smile of 0.1 and some noise.
    for (const smileFrames of [30, 48]) {
      const cal = new IdentityCalibration();
      for (let i = 0; i <= 60; i++) {
        const noise = 0.02 * Math.sin(i * 1.7);
        const smiling = i < smileFrames;
        cal.apply(
          frame(
            (i * 1000) / 30,
            { 27: smiling ? 0.9 : 0.1 + noise, 28: smiling ? 0.85 : 0.1 - noise, 44: smiling ? 0.6 : 0.02, 21: 0.05 },
            [0],
          ),
        );
      }
      assert.equal(cal.state, 'locked');
      const b = cal.locked!.neutralUnits;
      assert.ok(
        Math.abs(b[27] - 0.1) < 0.03 && Math.abs(b[28] - 0.1) < 0.03,
        `smile ${smileFrames} frames: neutral smile ${b[27]}, ${b[28]}, resting 0.1`,
      );
      assert.ok(b[44] < 0.05, `cheekUp neutral ${b[44]}`);
      assert.ok(Math.abs(b[21] - 0.05) < 1e-6);
      // A smile after calibration reads as a smile.
      const smile = cal.apply(frame(3000, { 27: 0.9, 28: 0.9 }, [0]));
      assert.ok(smile.units[27] > 0.85, `calibrated smile ${smile.units[27]}`);
    }
  });

  it('locks on frame count when the timestamps do not advance, run in seconds, or go back; holds a bounded buffer', () => {
    const clocks: Record<string, (i: number) => number> = {
      constant: () => 1234,
      seconds: (i) => i / 30,
      backwards: (i) => 10_000 - i,
    };
    for (const [name, clock] of Object.entries(clocks)) {
      const cal = new IdentityCalibration({ maxFrames: 40, maxNeutralLevel: 1 });
      let lockedAt = -1;
      for (let i = 0; i < 50_000 && lockedAt < 0; i++) {
        cal.apply(frame(clock(i), { 21: 0.2 }, [1]));
        assert.ok(cal.collected <= 40, `${name}: ${cal.collected} frames held`);
        if (cal.state === 'locked') lockedAt = i;
      }
      assert.equal(lockedAt, 39, `${name} clock`);
      assert.equal(cal.locked!.frames, 40);
      assert.ok(Math.abs(cal.locked!.neutralUnits[21] - 0.2) < 1e-6);
    }
    // The default bound: 90 frames.
    const cal = new IdentityCalibration();
    for (let i = 0; i < 89; i++) cal.apply(frame(0, {}, [0]));
    assert.equal(cal.state, 'collecting');
    cal.apply(frame(0, {}, [0]));
    assert.equal(cal.state, 'locked');
    // Time still counts: 15 frames over 2 s lock before 90.
    const timed = new IdentityCalibration();
    for (let i = 0; i < 15; i++) timed.apply(frame(i * 150, {}, [0]));
    assert.equal(timed.state, 'locked');
  });

  it('caps the neutral level: an expression held through all of calibration is not taken as the resting face', () => {
    // Smiling (0.7) on every calibration frame, with a slight resting jaw (0.05).
    const cal = new IdentityCalibration({ durationMs: 500, minFrames: 5 });
    for (let i = 0; i <= 20; i++) cal.apply(frame(i * 40, { 27: 0.7, 28: 0.7, 21: 0.05 }, [0]));
    assert.equal(cal.state, 'locked');
    assert.ok(Math.abs(cal.locked!.neutralUnits[27] - 0.1) < 1e-6, `smile neutral ${cal.locked!.neutralUnits[27]}`);
    assert.ok(Math.abs(cal.locked!.neutralUnits[21] - 0.05) < 1e-6, 'a low resting level is kept as it is');
    const smile = cal.apply(frame(2000, { 27: 0.7, 28: 0.7 }, [0]));
    assert.ok(smile.units[27] > 0.6, `the smile still reads ${smile.units[27]}`);
    assert.throws(() => new IdentityCalibration({ maxNeutralLevel: 1.5 }), /maxNeutralLevel/);
  });

  it('rejects a timestamp that is not a finite number with INVALID_ARGUMENT', () => {
    for (const t of [NaN, Infinity, -Infinity]) {
      const cal = new IdentityCalibration();
      cal.apply(frame(0, {}, [0]));
      assert.throws(
        () => cal.apply(frame(t, {}, [0])),
        (e) =>
          e instanceof CpemError && e.code === 'INVALID_ARGUMENT' && /timestamp is -?(NaN|Infinity)/.test(e.message),
      );
      assert.equal(cal.collected, 1, 'the bad frame was not collected');
    }
  });

  it('rejects bad options and references', () => {
    assert.throws(() => new IdentityCalibration({ minFrames: 0 }), CpemError);
    assert.throws(() => new IdentityCalibration({ minFrames: 20, maxFrames: 10 }), CpemError);
    assert.throws(() => new IdentityCalibration({ maxFrames: 2.5 }), CpemError);
    assert.throws(() => new IdentityCalibration({ calmFraction: 0 }), CpemError);
    assert.throws(() => new IdentityCalibration({ calmFraction: 1.5 }), CpemError);
    assert.throws(
      () =>
        new IdentityCalibration().lock({
          identity: new Float32Array(80),
          neutralUnits: new Float32Array(46).fill(NaN),
          frames: 1,
        }),
      CpemError,
    );
    assert.throws(
      () =>
        new IdentityCalibration().lock({
          identity: new Float32Array(80),
          neutralUnits: new Float32Array(3),
          frames: 1,
        }),
      /46 neutral unit levels/,
    );
  });
});
