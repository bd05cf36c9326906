// The table from the teacher's 52 ARKit-named scores to our 46 units (training/lib/data/teacher-units.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isCpemError } from '../../plugin/errors/cpem-error.js';
import { EXPRESSION_UNITS, MIRRORED_UNIT_INDEX, expressionUnitIndex } from '../../plugin/units/expression-units.js';
import { arkitRetargetTable } from '../../plugin/retarget/presets/arkit.js';
import {
  decodeTeacherTrack,
  encodeTeacherTrack,
  makeTeacherHeader,
  MEDIAPIPE_BLENDSHAPES,
  type TeacherFrame,
} from '../../training/lib/data/teacher-track.js';
import {
  TEACHER_UNIT_MASK,
  TEACHER_UNIT_TABLE,
  TEACHER_UNUSED,
  teacherClipTargets,
  teacherUnitTargets,
} from '../../training/lib/data/teacher-units.js';
import { NUM_EXPRESSION_UNITS, NUM_FACE_LANDMARKS } from '../../plugin/constants.js';

const NAMES: readonly string[] = MEDIAPIPE_BLENDSHAPES;

/** Teacher scores with the named ones set, the rest 0. */
function scores(set: Record<string, number>): Float32Array {
  const s = new Float32Array(NAMES.length);
  for (const [n, v] of Object.entries(set)) {
    assert.ok(NAMES.includes(n), n);
    s[NAMES.indexOf(n)] = v;
  }
  return s;
}

/** The other side of a teacher name: eyeBlinkLeft ↔ eyeBlinkRight, jawLeft ↔ jawRight. */
const otherSide = (n: string) =>
  n.endsWith('Left') ? `${n.slice(0, -4)}Right` : n.endsWith('Right') ? `${n.slice(0, -5)}Left` : n;

function expectError(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => isCpemError(e, 'INVALID_ARGUMENT') && pattern.test((e as Error).message));
}

describe('teacher → unit table', () => {
  it('has one row per unit, in unit order: each mapped to teacher names or masked with a reason', () => {
    assert.equal(TEACHER_UNIT_TABLE.length, NUM_EXPRESSION_UNITS);
    TEACHER_UNIT_TABLE.forEach((row, u) => {
      assert.equal(row.unit, EXPRESSION_UNITS[u]);
      for (const n of [...row.from, ...row.counterpart])
        assert.ok(NAMES.includes(n), `${row.unit}: ${n} is not a teacher blendshape`);
      if (row.from.length)
        assert.deepEqual(row.from, row.counterpart, `${row.unit}: a mapped unit uses its counterpart`);
      else assert.match(row.why, /^no teacher target: .{20,}/, `${row.unit}: a masked unit says why`);
      assert.equal(TEACHER_UNIT_MASK[u], row.from.length ? 1 : 0);
    });
    // No teacher score feeds two units, and the unused ones are the known leftovers plus the masked counterparts.
    const used = TEACHER_UNIT_TABLE.flatMap((r) => r.from);
    assert.equal(new Set(used).size, used.length);
    for (const n of ['_neutral', 'mouthClose', 'mouthPressLeft', 'mouthPressRight', 'noseSneerLeft', 'noseSneerRight'])
      assert.ok(TEACHER_UNUSED.includes(n), n);
    assert.equal(TEACHER_UNUSED.length + used.length, NAMES.length);
  });

  it('masks the units the teacher cannot give (docs/teacher.md says why) and maps the ones it reads', () => {
    const masked = EXPRESSION_UNITS.filter((_, u) => TEACHER_UNIT_MASK[u] === 0);
    assert.deepEqual(masked, [
      'jawForward',
      'jawLeft',
      'jawRight',
      'mouthFrown_L',
      'mouthFrown_R',
      'lipLowerDown',
      'mouthShrug',
      'noseWrinkle',
      'cheekPuff',
      'cheekUp_L',
      'cheekUp_R',
    ]);
    for (const u of [
      'eyeClose_L',
      'jawOpen',
      'mouthSmile_R',
      'mouthPucker',
      'browInnerUp',
      'browDown_L',
      'mouthPress_L',
      'mouthDimple_R',
      'lipUpperUp',
    ]) {
      assert.equal(TEACHER_UNIT_MASK[expressionUnitIndex(u)], 1, u);
    }
    // Masked counterparts feed no unit.
    for (const n of ['jawLeft', 'cheekSquintLeft', 'mouthFrownRight', 'mouthShrugLower'])
      assert.ok(TEACHER_UNUSED.includes(n), n);
  });

  it("mirrors sides consistently: a unit's mirror takes the other side of the same teacher scores", () => {
    TEACHER_UNIT_TABLE.forEach((row, u) => {
      const mirror = TEACHER_UNIT_TABLE[MIRRORED_UNIT_INDEX[u]];
      assert.deepEqual(
        [...mirror.counterpart].sort(),
        row.counterpart.map(otherSide).sort(),
        `${row.unit} ↔ ${mirror.unit}`,
      );
      assert.equal(mirror.from.length > 0, row.from.length > 0, `${row.unit} and ${mirror.unit} are masked alike`);
      // _L units take the teacher's …Left: both are the subject's own side.
      if (row.unit.endsWith('_L')) for (const n of row.counterpart) assert.match(n, /Left$/, `${row.unit} ← ${n}`);
    });
  });

  it('inverts the ARKit retarget preset: every teacher score a unit takes is an ARKit target that unit drives', () => {
    const preset = new Map(arkitRetargetTable('apple').targets.map((t) => [t.target, t.units]));
    for (const row of TEACHER_UNIT_TABLE) {
      for (const n of row.counterpart) {
        const units = preset.get(n) as Record<string, number> | undefined;
        assert.ok(units && (units[row.unit] ?? 0) > 0, `the ARKit preset's ${n} is not driven by ${row.unit}`);
      }
    }
    // Names whose meaning differs between the vocabularies.
    const from = (u: string) => TEACHER_UNIT_TABLE[expressionUnitIndex(u)].counterpart;
    assert.deepEqual(from('mouthPress_L'), ['mouthDimpleLeft']);
    assert.deepEqual(from('mouthDimple_R'), ['mouthStretchRight']);
    assert.deepEqual(from('mouthShrug'), ['mouthShrugLower']);
    assert.deepEqual(from('lipUpperUp'), ['mouthShrugUpper']);
    assert.deepEqual(from('cheekUp_L'), ['cheekSquintLeft']);
    assert.deepEqual(from('noseWrinkle'), ['noseSneerLeft', 'noseSneerRight']);
  });

  it('gives values in [0, 1] and 0 wherever the mask is 0', () => {
    let seed = 7;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return (seed / 2 ** 31) * 1.4 - 0.2; // [-0.2, 1.2)
    };
    for (let trial = 0; trial < 50; trial++) {
      const { values, mask } = teacherUnitTargets(Float32Array.from(NAMES, rand));
      assert.deepEqual(mask, TEACHER_UNIT_MASK);
      values.forEach((v, u) => {
        assert.ok(v >= 0 && v <= 1, `${EXPRESSION_UNITS[u]} = ${v}`);
        if (!mask[u]) assert.equal(v, 0);
      });
    }
  });

  it('copies single scores, averages merged sides, and does not depend on the order of the names', () => {
    const s = scores({
      eyeBlinkLeft: 0.9,
      mouthUpperUpLeft: 0.2,
      mouthUpperUpRight: 0.6,
      mouthDimpleLeft: 0.3,
      mouthStretchRight: 0.7,
      jawOpen: 0.55,
      noseSneerLeft: 0.8,
      mouthSmileRight: 0.25,
      jawLeft: 0.6,
    });
    const { values } = teacherUnitTargets(s);
    const v = (u: string) => values[expressionUnitIndex(u)];
    assert.ok(Math.abs(v('eyeClose_L') - 0.9) < 1e-6);
    assert.equal(v('eyeClose_R'), 0);
    assert.ok(Math.abs(v('mouthUpperUp') - 0.4) < 1e-6);
    assert.ok(Math.abs(v('mouthPress_L') - 0.3) < 1e-6);
    assert.ok(Math.abs(v('mouthDimple_R') - 0.7) < 1e-6);
    assert.ok(Math.abs(v('mouthSmile_R') - 0.25) < 1e-6);
    assert.equal(v('mouthSmile_L'), 0);
    assert.ok(Math.abs(v('jawOpen') - 0.55) < 1e-6);
    assert.equal(v('noseWrinkle'), 0, 'masked: no value even when the teacher reports one');
    assert.equal(v('jawLeft'), 0);
    // The same scores under a reversed list of names.
    const reversed = [...NAMES].reverse();
    const again = teacherUnitTargets(
      Float32Array.from(reversed, (n) => s[NAMES.indexOf(n)]),
      reversed,
    );
    assert.deepEqual(again.values, values);
  });

  it('refuses scores that do not fit the names, lack a needed name or are not numbers', () => {
    expectError(() => teacherUnitTargets(new Float32Array(51)), /51 values for 52 blendshape names/);
    const names = NAMES.map((n) => (n === 'jawOpen' ? 'jawOpened' : n));
    expectError(() => teacherUnitTargets(new Float32Array(52), names), /no blendshape jawOpen .*unit jawOpen needs it/);
    expectError(() => teacherUnitTargets(scores({ mouthPucker: NaN })), /is NaN; scores must be finite/);
  });

  it('turns a whole teacher track into per-frame values and masks, all masked where no face was found', () => {
    const frames: TeacherFrame[] = [0, 1, 2].map((k) => ({
      index: k,
      timestampMs: k * 40,
      face: k !== 1,
      blendshapes:
        k === 1
          ? new Float32Array(52)
          : scores({ jawOpen: 0.1 * (k + 1), eyeBlinkRight: 0.5, mouthSmileLeft: 0.3 * k }),
      landmarks: new Float32Array(NUM_FACE_LANDMARKS * 3),
      matrix: new Float32Array(16),
    }));
    const header = makeTeacherHeader(
      {
        video: { file: 'c.mp4', bytes: 1, width: 2, height: 2, fps: 25, frames: 3 },
        complete: true,
        teacher: { file: 't.task', sha256: '0', runtime: 'test', delegate: 'CPU', runningMode: 'VIDEO', numFaces: 1 },
      },
      frames,
    );
    const clip = teacherClipTargets(decodeTeacherTrack(encodeTeacherTrack(header, frames)));
    assert.equal(clip.frames, 3);
    assert.deepEqual(clip.face, [true, false, true]);
    assert.equal(clip.flatValues.length, 3 * 46);
    assert.deepEqual(clip.masks[0], TEACHER_UNIT_MASK);
    assert.ok(clip.masks[1].every((m) => m === 0) && clip.values[1].every((v) => v === 0));
    assert.deepEqual(clip.values[2], teacherUnitTargets(frames[2].blendshapes).values);
    assert.ok(Math.abs(clip.values[2][expressionUnitIndex('mouthSmile_L')] - 0.6) < 1e-6);
    assert.ok(Math.abs(clip.values[0][expressionUnitIndex('jawOpen')] - 0.1) < 1e-6);
    assert.equal(clip.flatMasks[46 + 21], 0);
  });
});
