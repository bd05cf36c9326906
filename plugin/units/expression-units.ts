import type { NUM_EXPRESSION_UNITS } from '../constants.js';

/**
 * The 46 FaceWarehouse/FACS expression units that CPEM estimates, in CPEM's order.
 *
 * `_L` / `_R` are the subject's own sides (the person's left eye is `eyeClose_L`), not the viewer's.
 * The index of a name in this list is its position in every `units` array of the package.
 */
export const EXPRESSION_UNITS = [
  'eyeClose_L',
  'eyeClose_R',
  'eyeSquint_L',
  'eyeSquint_R',
  'eyeLookDown_L',
  'eyeLookDown_R',
  'eyeLookIn_L',
  'eyeLookIn_R',
  'eyeWide_L',
  'eyeWide_R',
  'eyeLookOut_L',
  'eyeLookOut_R',
  'eyeLookUp_L',
  'eyeLookUp_R',
  'browDown_L',
  'browDown_R',
  'browInnerUp',
  'browOuterUp_L',
  'browOuterUp_R',
  'jawForward',
  'jawLeft',
  'jawOpen',
  'jawRight',
  'mouthLeft',
  'mouthRight',
  'mouthFrown_L',
  'mouthFrown_R',
  'mouthSmile_L',
  'mouthSmile_R',
  'mouthPress_L',
  'mouthPress_R',
  'mouthDimple_L',
  'mouthDimple_R',
  'mouthRollUpper',
  'mouthRollLower',
  'mouthUpperUp',
  'mouthLowerDown',
  'lipLowerDown',
  'mouthFunnel',
  'mouthPucker',
  'mouthShrug',
  'lipUpperUp',
  'noseWrinkle',
  'cheekPuff',
  'cheekUp_L',
  'cheekUp_R',
] as const;

/** One of the 46 expression unit names. */
export type ExpressionUnitName = (typeof EXPRESSION_UNITS)[number];

// The list's length is the count in constants.ts: a compile-time check (the list is a tuple type).
const UNIT_COUNT_MATCHES: (typeof EXPRESSION_UNITS)['length'] extends typeof NUM_EXPRESSION_UNITS ? true : never = true;
void UNIT_COUNT_MATCHES;

const UNIT_INDEX: ReadonlyMap<string, number> = new Map(EXPRESSION_UNITS.map((name, i) => [name, i]));

/** True when `name` is one of the 46 unit names (case-sensitive). */
export function isExpressionUnitName(name: string): name is ExpressionUnitName {
  return UNIT_INDEX.has(name);
}

/** Index of a unit name in {@link EXPRESSION_UNITS}, or -1 when the name is unknown. */
export function expressionUnitIndex(name: string): number {
  return UNIT_INDEX.get(name) ?? -1;
}

/**
 * The unit on the other side of the face: `eyeClose_L` ↔ `eyeClose_R`. Units without a side
 * (`jawOpen`, `browInnerUp`) map to themselves; `jawLeft` ↔ `jawRight` and `mouthLeft` ↔ `mouthRight`
 * swap as well, since they name a direction on the subject's face.
 */
export function mirroredUnit(name: ExpressionUnitName): ExpressionUnitName {
  let other: string = name;
  if (name.endsWith('_L')) other = `${name.slice(0, -2)}_R`;
  else if (name.endsWith('_R')) other = `${name.slice(0, -2)}_L`;
  else if (name.endsWith('Left')) other = `${name.slice(0, -4)}Right`;
  else if (name.endsWith('Right')) other = `${name.slice(0, -5)}Left`;
  return isExpressionUnitName(other) ? other : name;
}

/** For each unit index, the index of its mirror unit (see {@link mirroredUnit}). */
export const MIRRORED_UNIT_INDEX: readonly number[] = EXPRESSION_UNITS.map((n) => UNIT_INDEX.get(mirroredUnit(n))!);

/**
 * Contradictory unit groups (A, B), 0-based unit indices, from the CPEM authors' released code.
 * Within a pair only one side may be active: the expression-exclusive constraint pushes the side
 * with the smaller maximum towards zero.
 */
export const CONTRADICTORY_GROUPS: ReadonlyArray<readonly [readonly number[], readonly number[]]> = [
  [[0, 2], [8]],
  [[1, 3], [9]],
  [[4], [12]],
  [[5], [13]],
  [[6], [10]],
  [[7], [11]],
  [[14], [17]],
  [[15], [18]],
  [[20], [22]],
  [[23], [24]],
  [[25], [27, 29, 31]],
  [[26], [28, 30, 32]],
  [[33], [35, 41]],
  [
    [34, 40],
    [36, 37],
  ],
];
