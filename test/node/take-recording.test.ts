// Recording without a camera: keyframe reduction within its tolerance, the take's memory and bound, gaps from a lost
// face, the live recorder on a behavior fed motions by hand, characters that lack morph targets or a head node, and
// the CSV and JSON layouts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Quaternion } from '@babylonjs/core/Maths/math.vector.js';
import { MorphTarget } from '@babylonjs/core/Morph/morphTarget.js';
import { FaceRetargetBehavior } from '../../plugin/behavior/face-retarget-behavior.js';
import type { EstimatedFaceMotion } from '../../plugin/estimator/face-estimator.js';
import { createNeutralFaceMotion, type FaceMotion } from '../../plugin/motion/face-motion.js';
import { RetargetApplier } from '../../plugin/retarget/morph-target-applier.js';
import { expressionUnitIndex } from '../../plugin/units/expression-units.js';
import {
  FaceTakeRecorder,
  TakeBuffer,
  TakeRecording,
  exportTakeGlb,
  liveLinkTimecode,
  reduceRotationChannel,
  reduceScalarChannel,
  sampleScalar,
  takeBytesPerFrame,
  takeToLiveLinkCsv,
  takeToUnitsJson,
  LIVE_LINK_BLENDSHAPES,
} from '../../plugin/recording/index.js';
import { rotationAngle, slerp } from '../../plugin/recording/reduce-keys.js';
import { buildCharacter } from '../support/test-characters.js';
import { loadGlbInBabylon, validateGlb } from '../support/glb-checks.js';

const JAW = expressionUnitIndex('jawOpen');

/** A motion with the jaw at `jaw` and the head turned `yaw` radians, at `t` ms. */
function motion(t: number, jaw: number, yaw = 0): FaceMotion {
  const m = createNeutralFaceMotion(t);
  m.units[JAW] = jaw;
  m.rotation[1] = yaw;
  return m;
}

describe('keyframe reduction', () => {
  it('keeps an influence channel within its tolerance with a fraction of the keys', () => {
    const n = 600;
    const times = Float64Array.from({ length: n }, (_, i) => i * 33.3);
    // A talking jaw: a slow wave, syllables, and estimator noise.
    const values = Float32Array.from({ length: n }, (_, i) =>
      Math.max(0, 0.3 + 0.25 * Math.sin(i / 20) + 0.15 * Math.sin(i / 3.1) + 0.004 * Math.sin(i * 12.9898)),
    );
    const reduced = reduceScalarChannel(times, values, 0.01);
    let worst = 0;
    for (let i = 0; i < n; i++)
      worst = Math.max(worst, Math.abs(values[i] - sampleScalar(reduced.times, reduced.values, times[i])));
    assert.ok(worst <= 0.01 + 1e-7, `largest error ${worst}`);
    assert.ok(Math.abs(worst - reduced.maxError) < 1e-7, 'the reported error is the measured one');
    assert.ok(reduced.times.length < n / 2, `${reduced.times.length} keys of ${n}`);
    // A straight ramp needs its two ends only; a zero tolerance keeps every bend.
    assert.equal(
      reduceScalarChannel(
        times,
        Float32Array.from(times, (t) => t / 20_000),
        0.001,
      ).times.length,
      2,
    );
    assert.equal(reduceScalarChannel(times.subarray(0, 5), Float32Array.of(0, 1, 0, 1, 0), 0).times.length, 5);
  });

  it('keeps the head rotation within its angle, and a turn at constant speed in two keys', () => {
    const n = 300;
    const times = Float64Array.from({ length: n }, (_, i) => i * 40);
    const q = new Float32Array(n * 4);
    const tmp = new Quaternion();
    for (let i = 0; i < n; i++) {
      Quaternion.RotationYawPitchRollToRef(0.4 * Math.sin(i / 25), 0.1 * Math.sin(i / 7), 0, tmp);
      q.set([tmp.x, tmp.y, tmp.z, tmp.w], i * 4);
    }
    const tolerance = (0.5 * Math.PI) / 180;
    const reduced = reduceRotationChannel(times, q, tolerance);
    assert.ok(reduced.maxError <= tolerance + 1e-6, `largest angle ${reduced.maxError}`);
    assert.ok(reduced.times.length < n / 3, `${reduced.times.length} keys of ${n}`);
    // Check the reported bound independently at every frame.
    const out = new Float64Array(4);
    for (let i = 0, k = 0; i < n; i++) {
      while (times[i] > reduced.times[k + 1]) k++;
      const s = Math.min(1, (times[i] - reduced.times[k]) / (reduced.times[k + 1] - reduced.times[k]));
      assert.ok(rotationAngle(q, i, slerp(reduced.values, k, k + 1, s, out)) <= tolerance + 1e-6, `frame ${i}`);
    }
    const steady = new Float32Array(50 * 4);
    for (let i = 0; i < 50; i++) {
      Quaternion.RotationYawPitchRollToRef(i * 0.01, 0, 0, tmp);
      steady.set([tmp.x, tmp.y, tmp.z, tmp.w], i * 4);
    }
    assert.equal(reduceRotationChannel(times.subarray(0, 50), steady, 1e-4).times.length, 2);
  });
});

describe('a take', () => {
  it('costs a stated number of bytes a frame, grows by doubling, and stops at its bound', () => {
    assert.equal(takeBytesPerFrame(52), 428, 'an ARKit character: 8 + 4 × (52 + 4 + 46 + 3)');
    const take = new TakeBuffer(
      Array.from({ length: 52 }, (_, i) => `t${i}`),
      true,
      { maxFrames: 1800 },
    );
    const units = new Float32Array(46);
    for (let f = 0; f < 1800; f++) assert.ok(take.push(f * 33.3, new Float32Array(52), [0, 0, 0, 1], units, [0, 0, 0]));
    assert.ok(take.full);
    assert.equal(
      take.push(1800 * 33.3, new Float32Array(52), [0, 0, 0, 1], units, [0, 0, 0]),
      false,
      'a full take refuses frames',
    );
    assert.equal(take.frameCount, 1800);
    assert.ok(
      take.bytesAllocated <= 1800 * 428,
      `${take.bytesAllocated} bytes for 1800 frames (a minute at 30 estimates a second)`,
    );
    assert.equal(take.push(1799 * 33.3 - 1, new Float32Array(52), null, units, [0, 0, 0]), false);
  });

  it("records a behavior's motions, marks a lost face as a gap, and plays back what was applied", async () => {
    const { engine, scene, root } = buildCharacter({
      morphTargets: ['jawOpen', 'eyeBlinkLeft', 'mouthSmileLeft'],
      head: true,
    });
    try {
      const behavior = new FaceRetargetBehavior({ autoStart: false, onWarning: () => {} });
      root.addBehavior(behavior);
      const recorder = new FaceTakeRecorder(behavior, { name: 'line-12' });
      assert.throws(() => recorder.stop(), { code: 'INVALID_ARGUMENT' });
      recorder.start();
      const sent: Array<{ t: number; jaw: number }> = [];
      const send = (t: number, jaw: number, yaw: number) => {
        sent.push({ t, jaw });
        behavior.onFaceMotionObservable.notifyObservers(motion(t, jaw, yaw) as EstimatedFaceMotion);
      };
      for (let f = 0; f < 60; f++) send(1000 + f * 33, 0.5 + 0.4 * Math.sin(f / 6), 0.3 * Math.sin(f / 15));
      behavior.onFaceLostObservable.notifyObservers();
      for (let f = 90; f < 150; f++) send(1000 + f * 33, 0.5 + 0.4 * Math.sin(f / 6), 0.3 * Math.sin(f / 15));
      const recorded = recorder.stop();
      assert.equal(recorded.take.frameCount, 120);
      assert.deepEqual(recorded.clip.gaps, [{ startMs: 59 * 33, endMs: 90 * 33 }]);
      assert.deepEqual(recorded.skipped, []);
      const { report, group } = recorded.clip;
      assert.equal(report.keysBefore, 120 * 4, 'three morph channels and the head, a key a frame');
      assert.ok(
        report.keysAfter < report.keysBefore &&
          report.maxInfluenceError <= 0.01 &&
          report.maxRotationError <= (0.5 * Math.PI) / 180,
      );
      assert.equal(group.name, 'line-12');
      // The frames on both sides of the gap are keys of every channel.
      for (const channel of recorded.clip.channels)
        for (const t of [59 * 33, 90 * 33]) assert.ok(channel.times.includes(t), `key at ${t}`);
      // Played back, the jaw target shows what the behavior's table made of each motion, within the tolerance.
      const jaw = recorded.bindings.channels.find((c) => c.name === 'jawOpen')!.targets[0];
      const applier = behavior.applier!;
      const row = applier.rowNames.indexOf('jawOpen');
      const expected = new Float32Array(applier.rowNames.length);
      group.start(false);
      group.pause();
      for (const s of sent) {
        group.goToFrame(((s.t - 1000) * 60) / 1000);
        applier.evaluate(motion(0, s.jaw).units, expected);
        assert.ok(
          Math.abs(jaw.influence - expected[row]) <= 0.0101,
          `at ${s.t} ms the jaw shows ${jaw.influence}, the behavior applied ${expected[row]}`,
        );
      }
      group.stop();
      // The Live Link Face CSV and the units JSON have a row a recorded frame; the gap has none.
      const csv = takeToLiveLinkCsv(recorded.take).trim().split('\n');
      assert.equal(csv.length, 121);
      assert.deepEqual(csv[0].split(',').slice(0, 2), ['Timecode', 'BlendShapeCount']);
      assert.equal(csv[0].split(',').length, 2 + LIVE_LINK_BLENDSHAPES.length + 9);
      const first = csv[1].split(',');
      assert.equal(first[0], '00:00:00:00.000');
      assert.equal(first[1], '61');
      assert.ok(Math.abs(Number(first[2 + LIVE_LINK_BLENDSHAPES.indexOf('JawOpen')]) - sent[0].jaw) < 1e-5);
      assert.equal(liveLinkTimecode(61_534, 30), '00:01:01:16.020');
      const json = takeToUnitsJson(recorded.take);
      assert.equal(json.frames.length, 120);
      assert.equal(json.startMs, 1000);
      assert.equal(json.frameRate, 30);
      assert.deepEqual(json.gaps, recorded.clip.gaps);
      behavior.dispose();
    } finally {
      scene.dispose();
      engine.dispose();
    }
  });

  it('carries what a character has: no head node → morph targets alone; no morph targets → the head alone; both say what they skipped', async () => {
    for (const spec of [
      { morphTargets: ['jawOpen'], head: false },
      { morphTargets: [], head: true },
    ]) {
      const { engine, scene, root } = buildCharacter(spec);
      try {
        const table = spec.head
          ? { version: 1 as const, targets: [], head: { node: 'Head' } }
          : { version: 1 as const, targets: [{ target: 'jawOpen', units: { jawOpen: 1 } }] };
        const recording = new TakeRecording(root, new RetargetApplier(root, table, { onWarning: () => {} }));
        for (let f = 0; f < 40; f++) recording.add(motion(f * 40, 0.5 + 0.5 * Math.sin(f / 5), 0.4 * Math.sin(f / 8)));
        const recorded = recording.finish();
        const properties = recorded.clip.group.targetedAnimations.map((ta) => ta.animation.targetProperty);
        if (spec.head) {
          assert.deepEqual(properties, ['rotationQuaternion']);
          assert.match(recorded.skipped.join('\n'), /^morph targets: .*carries no expression/);
        } else {
          assert.deepEqual(properties, ['influence']);
          assert.ok(recorded.clip.group.targetedAnimations[0].target instanceof MorphTarget);
          assert.match(recorded.skipped.join('\n'), /^head rotation: no head node/);
        }
        const glb = await exportTakeGlb(recorded);
        const report = await validateGlb(glb);
        assert.equal(report.errors, 0, report.messages.join('\n'));
        const loaded = await loadGlbInBabylon(glb);
        assert.equal(loaded.groups.length, 1);
        assert.deepEqual(
          loaded.groups[0].targetedAnimations.map((ta) => ta.animation.targetProperty).sort(),
          spec.head ? ['rotationQuaternion'] : ['influence'],
        );
        loaded.engine.dispose();
      } finally {
        scene.dispose();
        engine.dispose();
      }
    }
  });
});
