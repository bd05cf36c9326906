/**
 * From the teacher's 52 ARKit-named blendshape scores (MediaPipe Face Landmarker v2, training/lib/data/teacher-track.ts)
 * to our 46 expression units, as training targets. Each unit takes the mean of its listed teacher scores, or has no
 * teacher target at all (mask 0): a unit without a counterpart that the teacher reads gets no made-up value. The
 * rows invert the ARKit retarget preset (plugin/retarget/presets/arkit.ts, docs/retargeting.md), where our names
 * and ARKit's differ in meaning; the reason for every masked unit, with the measurements behind it, is in
 * docs/teacher.md (`npm run teacher:stats`).
 *
 * Sides: our `_L`/`_R` are the subject's own sides, and so are MediaPipe's `…Left`/`…Right` (measured on the
 * development clips: the teacher's eyeBlinkLeft follows the lid of the eye on the image's right, the subject's
 * left in an unmirrored video; docs/teacher.md).
 */
import { CpemError } from '../../../plugin/errors/cpem-error.js';
import { EXPRESSION_UNITS, type ExpressionUnitName } from '../../../plugin/units/expression-units.js';
import { MEDIAPIPE_BLENDSHAPES, type TeacherTrack } from './teacher-track.js';
import { NUM_EXPRESSION_UNITS } from '../../../plugin/constants.js';

export interface TeacherUnitRow {
  unit: ExpressionUnitName;
  /** Teacher blendshapes whose mean is the unit's target; empty when the unit has no teacher target (masked). */
  from: readonly string[];
  /**
   * The teacher's counterpart by name and meaning, whether used or not: equal to `from` for a mapped unit; for a
   * masked one, the scores that measurement rejected (empty when there is no counterpart at all).
   */
  counterpart: readonly string[];
  /** The correspondence, or why there is no target. */
  why: string;
}

type Side = 'L' | 'R';
const appleSide = (s: Side) => (s === 'L' ? 'Left' : 'Right');

/**
 * A pair of sided rows: unit_L ← teacherLeft, unit_R ← teacherRight; `masked` keeps the counterpart but gives no
 * target.
 */
function sided(unit: string, teacher: string, why: string, masked = false): TeacherUnitRow[] {
  return (['L', 'R'] as const).map((s) => {
    const counterpart = [`${teacher}${appleSide(s)}`];
    return { unit: `${unit}_${s}` as ExpressionUnitName, from: masked ? [] : counterpart, counterpart, why };
  });
}

const centre = (unit: ExpressionUnitName, from: string[], why: string, masked = false): TeacherUnitRow => ({
  unit,
  from: masked ? [] : from,
  counterpart: from,
  why,
});

const ROWS: TeacherUnitRow[] = [
  ...sided('eyeClose', 'eyeBlink', "the same lid closure under ARKit's name"),
  ...sided('eyeSquint', 'eyeSquint', 'same name and meaning'),
  ...sided('eyeLookDown', 'eyeLookDown', 'same name and meaning'),
  ...sided('eyeLookIn', 'eyeLookIn', 'same name and meaning'),
  ...sided('eyeWide', 'eyeWide', 'same name and meaning'),
  ...sided('eyeLookOut', 'eyeLookOut', 'same name and meaning'),
  ...sided('eyeLookUp', 'eyeLookUp', 'same name and meaning'),
  ...sided(
    'browDown',
    'browDown',
    'same name and meaning (it under-reads lowered brows but follows them: docs/teacher.md)',
  ),
  centre('browInnerUp', ['browInnerUp'], 'same name and meaning'),
  ...sided('browOuterUp', 'browOuterUp', 'same name and meaning'),
  centre(
    'jawForward',
    ['jawForward'],
    "no teacher target: the teacher's jawForward never rises (below 0.02 on every development frame), so nothing shows it reads a jaw thrust",
    true,
  ),
  centre(
    'jawLeft',
    ['jawLeft'],
    "no teacher target: the teacher's jawLeft follows head yaw more than the chin's sideways shift, and its opposite jawRight hardly rises; a one-sided, pose-driven pair is no target for either side",
    true,
  ),
  centre('jawOpen', ['jawOpen'], 'same name and meaning'),
  centre(
    'jawRight',
    ['jawRight'],
    'no teacher target: masked with jawLeft, its contradictory partner (see jawLeft)',
    true,
  ),
  centre('mouthLeft', ['mouthLeft'], "same name and meaning (a direction on the subject's face)"),
  centre('mouthRight', ['mouthRight'], "same name and meaning (a direction on the subject's face)"),
  ...sided(
    'mouthFrown',
    'mouthFrown',
    "no teacher target: the teacher's mouthFrown stays near 0 on the labelled frowns (docs/teacher.md)",
    true,
  ),
  ...sided('mouthSmile', 'mouthSmile', 'same name and meaning'),
  ...sided(
    'mouthPress',
    'mouthDimple',
    "our mouthPress is FaceWarehouse's weak lip-corner pull (AU14): ARKit's mouthDimple",
  ),
  ...sided(
    'mouthDimple',
    'mouthStretch',
    "our mouthDimple is FaceWarehouse's lip-corner stretch (AU20): ARKit's mouthStretch",
  ),
  centre('mouthRollUpper', ['mouthRollUpper'], 'same name and meaning'),
  centre('mouthRollLower', ['mouthRollLower'], 'same name and meaning'),
  centre(
    'mouthUpperUp',
    ['mouthUpperUpLeft', 'mouthUpperUpRight'],
    "the upper-lip raise (AU10) has no side here: the mean of ARKit's two sides (the face model builds it from both)",
  ),
  centre(
    'mouthLowerDown',
    ['mouthLowerDownLeft', 'mouthLowerDownRight'],
    "the lower-lip depressor (AU16) has no side here: the mean of ARKit's two sides",
  ),
  centre(
    'lipLowerDown',
    [],
    "no teacher target: the lower lip lowered and turned out has no ARKit shape of its own (the face model builds it from half of mouthLowerDown minus half of mouthRollLower); the teacher's mouthLowerDown is mouthLowerDown's target, and splitting it would invent a value",
  ),
  centre('mouthFunnel', ['mouthFunnel'], 'same name and meaning'),
  centre('mouthPucker', ['mouthPucker'], 'same name and meaning'),
  centre(
    'mouthShrug',
    ['mouthShrugLower'],
    "no teacher target: our mouthShrug (AU17 chin raiser) is ARKit's mouthShrugLower, but on the labelled chin raises the teacher's score reads about a third of the labelled intensity (docs/teacher.md)",
    true,
  ),
  centre(
    'lipUpperUp',
    ['mouthShrugUpper'],
    "our lipUpperUp is the upper lip raised and pushed out: ARKit's mouthShrugUpper",
  ),
  centre(
    'noseWrinkle',
    ['noseSneerLeft', 'noseSneerRight'],
    "no teacher target: the teacher's noseSneer reads 0 on every development frame, nose wrinkles included (docs/teacher.md)",
    true,
  ),
  centre(
    'cheekPuff',
    ['cheekPuff'],
    "no teacher target: the teacher's cheekPuff never rises (below 0.01 on every development frame, the one labelled puff included), so nothing shows it reads a puff",
    true,
  ),
  ...sided(
    'cheekUp',
    'cheekSquint',
    "no teacher target: our cheekUp (AU6 cheek raiser) is ARKit's cheekSquint, but the teacher's cheekSquint is 0 on every development frame, broad smiles included",
    true,
  ),
];

/** The 46 rows, in unit order (EXPRESSION_UNITS). */
export const TEACHER_UNIT_TABLE: readonly TeacherUnitRow[] = EXPRESSION_UNITS.map((u) => {
  const row = ROWS.find((r) => r.unit === u);
  if (!row) throw new Error(`teacher-units: no row for ${u}`);
  return row;
});

/** 1 where a unit has a teacher target, 0 where it is masked, in unit order. */
export const TEACHER_UNIT_MASK: Float32Array = Float32Array.from(TEACHER_UNIT_TABLE, (r) => (r.from.length ? 1 : 0));

/** Teacher blendshapes that no unit takes. */
export const TEACHER_UNUSED: readonly string[] = MEDIAPIPE_BLENDSHAPES.filter(
  (n) => !TEACHER_UNIT_TABLE.some((r) => r.from.includes(n)),
);

/** The table resolved against a list of blendshape names: per unit, the indices whose mean it takes. */
function resolve(names: readonly string[]): number[][] {
  const index = new Map(names.map((n, i) => [n, i]));
  return TEACHER_UNIT_TABLE.map((row) =>
    row.from.map((n) => {
      const i = index.get(n);
      if (i === undefined)
        throw new CpemError(
          'INVALID_ARGUMENT',
          `Teacher scores: no blendshape ${n} among the ${names.length} names given (unit ${row.unit} needs it). Pass the teacher track's header.blendshapes.`,
        );
      return i;
    }),
  );
}

function fill(
  sources: number[][],
  scores: ArrayLike<number>,
  offset: number,
  values: Float32Array,
  mask: Float32Array,
  at: number,
  where: string,
): void {
  for (let u = 0; u < NUM_EXPRESSION_UNITS; u++) {
    const src = sources[u];
    if (src.length === 0) continue;
    let sum = 0;
    for (const i of src) {
      const v = scores[offset + i];
      if (!Number.isFinite(v))
        throw new CpemError(
          'INVALID_ARGUMENT',
          `Teacher scores${where}: blendshape ${i} is ${v}; scores must be finite numbers in [0, 1].`,
        );
      sum += v;
    }
    values[at + u] = Math.min(1, Math.max(0, sum / src.length));
    mask[at + u] = 1;
  }
}

/**
 * One frame's 52 teacher scores (in the order of `names`, by default the model's) as our 46 units: `values` in
 * [0, 1] (0 where masked) and `mask` (1 where the value is a teacher target).
 */
export function teacherUnitTargets(
  scores: ArrayLike<number>,
  names: readonly string[] = MEDIAPIPE_BLENDSHAPES,
): { values: Float32Array; mask: Float32Array } {
  if (scores.length !== names.length)
    throw new CpemError(
      'INVALID_ARGUMENT',
      `Teacher scores: ${scores.length} values for ${names.length} blendshape names.`,
    );
  const values = new Float32Array(NUM_EXPRESSION_UNITS);
  const mask = new Float32Array(NUM_EXPRESSION_UNITS);
  fill(resolve(names), scores, 0, values, mask, 0, '');
  return { values, mask };
}

export interface TeacherClipTargets {
  /** Frames in the clip (the teacher track's frameCount; frame k is decoded frame k). */
  frames: number;
  /** Per frame, 46 unit values in [0, 1]: views into one buffer (`flatValues`). */
  values: Float32Array[];
  /** Per frame, 46 entries: 1 where values[k][u] is a teacher target; all 0 on a frame without a face. */
  masks: Float32Array[];
  /** frames × 46, row-major. */
  flatValues: Float32Array;
  flatMasks: Float32Array;
  /** Whether the teacher found a face on each frame. */
  face: boolean[];
}

/** A whole teacher track as per-frame unit targets and masks, for the trainer. */
export function teacherClipTargets(track: TeacherTrack): TeacherClipTargets {
  const sources = resolve(track.header.blendshapes);
  const n = track.frames.length;
  const flatValues = new Float32Array(n * NUM_EXPRESSION_UNITS);
  const flatMasks = new Float32Array(n * NUM_EXPRESSION_UNITS);
  const face: boolean[] = [];
  for (const [k, f] of track.frames.entries()) {
    face.push(f.face);
    if (f.face)
      fill(
        sources,
        f.blendshapes,
        0,
        flatValues,
        flatMasks,
        k * NUM_EXPRESSION_UNITS,
        ` of ${track.header.video.file} frame ${k}`,
      );
  }
  const rows = (a: Float32Array) =>
    Array.from({ length: n }, (_, k) => a.subarray(k * NUM_EXPRESSION_UNITS, (k + 1) * NUM_EXPRESSION_UNITS));
  return { frames: n, values: rows(flatValues), masks: rows(flatMasks), flatValues, flatMasks, face };
}
