import { EXPRESSION_UNITS, type ExpressionUnitName } from '../../../plugin/units/expression-units.js';

/**
 * How each of the 46 CPEM expression units is built from the ICT face model's 53 ARKit-style shapes:
 * D_unit = Σ weight · D_ict (displacements from neutral), plus, for the eyeLook units, a rotation of the eyeball
 * about its centre (ICT's eyeLook shapes move only the lids). `_L`/`_R` are the subject's own sides in both sets.
 * docs/face-model.md repeats this table with the reasoning.
 */
export interface UnitRecipe {
  /** ICT shapes and weights that are summed. */
  readonly terms: ReadonlyArray<readonly [ictName: string, weight: number]>;
  /** Eyeball rotation added to the unit: which eye, the gaze direction the front of the eye turns to, degrees. */
  readonly eyeRotation?: {
    readonly eye: 'left' | 'right';
    readonly towards: readonly [number, number, number];
    readonly degrees: number;
  };
  /** Why, where the unit has no one-to-one ICT counterpart. */
  readonly note?: string;
}

/** Gaze angles of the eyeLook units at 1.0 (eyeball rotation), degrees. */
export const EYE_LOOK_DEGREES = { up: 25, down: 30, horizontal: 30 } as const;

const same = (ict: string): UnitRecipe => ({ terms: [[ict, 1]] });
const look = (ict: string, eye: 'left' | 'right', towards: [number, number, number], degrees: number): UnitRecipe => ({
  terms: [[ict, 1]],
  eyeRotation: { eye, towards, degrees },
  note: 'ICT moves only the lids; the eyeball is turned about its centre so the iris follows the gaze.',
});

// Subject's left is +x: the left eye looks "in" (towards the nose) along -x, the right eye along +x.
export const ICT_UNIT_RECIPES: Readonly<Record<ExpressionUnitName, UnitRecipe>> = {
  eyeClose_L: same('eyeBlink_L'),
  eyeClose_R: same('eyeBlink_R'),
  eyeSquint_L: same('eyeSquint_L'),
  eyeSquint_R: same('eyeSquint_R'),
  eyeLookDown_L: look('eyeLookDown_L', 'left', [0, -1, 0], EYE_LOOK_DEGREES.down),
  eyeLookDown_R: look('eyeLookDown_R', 'right', [0, -1, 0], EYE_LOOK_DEGREES.down),
  eyeLookIn_L: look('eyeLookIn_L', 'left', [-1, 0, 0], EYE_LOOK_DEGREES.horizontal),
  eyeLookIn_R: look('eyeLookIn_R', 'right', [1, 0, 0], EYE_LOOK_DEGREES.horizontal),
  eyeWide_L: same('eyeWide_L'),
  eyeWide_R: same('eyeWide_R'),
  eyeLookOut_L: look('eyeLookOut_L', 'left', [1, 0, 0], EYE_LOOK_DEGREES.horizontal),
  eyeLookOut_R: look('eyeLookOut_R', 'right', [-1, 0, 0], EYE_LOOK_DEGREES.horizontal),
  eyeLookUp_L: look('eyeLookUp_L', 'left', [0, 1, 0], EYE_LOOK_DEGREES.up),
  eyeLookUp_R: look('eyeLookUp_R', 'right', [0, 1, 0], EYE_LOOK_DEGREES.up),
  browDown_L: same('browDown_L'),
  browDown_R: same('browDown_R'),
  browInnerUp: {
    terms: [
      ['browInnerUp_L', 1],
      ['browInnerUp_R', 1],
    ],
    note: 'one centre unit for both inner brows.',
  },
  browOuterUp_L: same('browOuterUp_L'),
  browOuterUp_R: same('browOuterUp_R'),
  jawForward: same('jawForward'),
  jawLeft: same('jawLeft'),
  jawOpen: same('jawOpen'),
  jawRight: same('jawRight'),
  mouthLeft: same('mouthLeft'),
  mouthRight: same('mouthRight'),
  mouthFrown_L: same('mouthFrown_L'),
  mouthFrown_R: same('mouthFrown_R'),
  mouthSmile_L: same('mouthSmile_L'),
  mouthSmile_R: same('mouthSmile_R'),
  mouthPress_L: {
    terms: [['mouthDimple_L', 1]],
    note: "CPEM's mouthPress is FaceWarehouse's weak lip-corner pull (AU14 dimpler): ARKit's mouthDimple, not ARKit's lip press.",
  },
  mouthPress_R: { terms: [['mouthDimple_R', 1]], note: 'as mouthPress_L.' },
  mouthDimple_L: {
    terms: [['mouthStretch_L', 1]],
    note: "CPEM's mouthDimple is FaceWarehouse's lip-corner stretch (AU20): ARKit's mouthStretch.",
  },
  mouthDimple_R: { terms: [['mouthStretch_R', 1]], note: 'as mouthDimple_L.' },
  mouthRollUpper: same('mouthRollUpper'),
  mouthRollLower: same('mouthRollLower'),
  mouthUpperUp: {
    terms: [
      ['mouthUpperUp_L', 1],
      ['mouthUpperUp_R', 1],
    ],
    note: 'AU10 upper-lip raiser, both sides.',
  },
  mouthLowerDown: {
    terms: [
      ['mouthLowerDown_L', 1],
      ['mouthLowerDown_R', 1],
    ],
    note: 'AU16 lower-lip depressor, both sides.',
  },
  lipLowerDown: {
    terms: [
      ['mouthLowerDown_L', 0.5],
      ['mouthLowerDown_R', 0.5],
      ['mouthRollLower', -0.5],
    ],
    note: 'no ICT counterpart: the lower lip lowered and turned out, the opposite of mouthRollLower (CPEM pairs {mouthRollLower, mouthShrug} against {mouthLowerDown, lipLowerDown}).',
  },
  mouthFunnel: same('mouthFunnel'),
  mouthPucker: same('mouthPucker'),
  mouthShrug: {
    terms: [['mouthShrugLower', 1]],
    note: "FaceWarehouse's lower-lip close (AU17 chin raiser pushing the lower lip up): ARKit's mouthShrugLower.",
  },
  lipUpperUp: {
    terms: [
      ['mouthShrugUpper', 1],
      ['mouthRollUpper', -0.5],
    ],
    note: 'no ICT counterpart: the upper lip raised and turned out, the opposite of mouthRollUpper (CPEM pairs mouthRollUpper against {mouthUpperUp, lipUpperUp}); distinct from the AU10 raise of mouthUpperUp.',
  },
  noseWrinkle: {
    terms: [
      ['noseSneer_L', 1],
      ['noseSneer_R', 1],
    ],
    note: 'one centre unit for both sides of the nose.',
  },
  cheekPuff: {
    terms: [
      ['cheekPuff_L', 1],
      ['cheekPuff_R', 1],
    ],
    note: 'one centre unit for both cheeks.',
  },
  cheekUp_L: { terms: [['cheekSquint_L', 1]], note: 'AU6 cheek raiser: ARKit cheekSquint.' },
  cheekUp_R: { terms: [['cheekSquint_R', 1]], note: 'as cheekUp_L.' },
};

// ICT shapes no unit uses: mouthClose (closes the lips against an open jaw; alone it pulls the lips through each
// other, and FaceWarehouse has no such unit) and mouthPress_L/_R (lip press, AU24; the FaceWarehouse units have no press).

/** The recipes in EXPRESSION_UNITS order. */
export const ICT_UNIT_RECIPE_LIST: readonly UnitRecipe[] = EXPRESSION_UNITS.map((u) => ICT_UNIT_RECIPES[u]);

/** A recipe as one line of text, as docs/face-model.md lists it: `eyeLookUp_L + eyeball left up 25°`. */
export function formatRecipe(r: UnitRecipe): string {
  const terms = r.terms
    .map(([n, w], i) => {
      const mag = Math.abs(w) === 1 ? '' : `${Math.abs(w)}·`;
      const sign = w < 0 ? (i === 0 ? '−' : ' − ') : i === 0 ? '' : ' + ';
      return `${sign}${mag}${n}`;
    })
    .join('');
  if (!r.eyeRotation) return terms;
  const { eye, towards, degrees } = r.eyeRotation;
  const dir = towards[1] > 0 ? 'up' : towards[1] < 0 ? 'down' : towards[0] > 0 ? 'towards +x' : 'towards −x';
  return `${terms} + ${eye} eyeball turned ${dir} ${degrees}°`;
}
