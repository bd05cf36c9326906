import type { ExpressionUnitName } from '../../units/expression-units.js';
import type { RetargetTable, RetargetTargetRow } from '../retarget-table.js';

type Units = Partial<Record<ExpressionUnitName, number>>;

/**
 * ARKit's 52 blendshapes (Apple names) and the units that drive each. Sided rows use `{side}` for the
 * Apple suffix (`Left`/`Right`) and `{s}` for the unit suffix (`L`/`R`); both are the subject's own side.
 * The reasoning behind each row that is not a same-named copy is in docs/retargeting.md.
 */
const SIDED: ReadonlyArray<readonly [string, (s: 'L' | 'R') => Units]> = [
  ['eyeBlink', (s) => ({ [`eyeClose_${s}`]: 1 })],
  ['eyeLookDown', (s) => ({ [`eyeLookDown_${s}`]: 1 })],
  ['eyeLookIn', (s) => ({ [`eyeLookIn_${s}`]: 1 })],
  ['eyeLookOut', (s) => ({ [`eyeLookOut_${s}`]: 1 })],
  ['eyeLookUp', (s) => ({ [`eyeLookUp_${s}`]: 1 })],
  ['eyeSquint', (s) => ({ [`eyeSquint_${s}`]: 1 })],
  ['eyeWide', (s) => ({ [`eyeWide_${s}`]: 1 })],
  ['browDown', (s) => ({ [`browDown_${s}`]: 1 })],
  ['browOuterUp', (s) => ({ [`browOuterUp_${s}`]: 1 })],
  ['mouthSmile', (s) => ({ [`mouthSmile_${s}`]: 1 })],
  ['mouthFrown', (s) => ({ [`mouthFrown_${s}`]: 1 })],
  // CPEM's mouthPress is a weak lip-corner pull (FaceWarehouse Mouth_Dimple): ARKit's mouthDimple.
  ['mouthDimple', (s) => ({ [`mouthPress_${s}`]: 1 })],
  // CPEM's mouthDimple is a lip-corner stretch (FaceWarehouse Lips_Stretch): ARKit's mouthStretch.
  ['mouthStretch', (s) => ({ [`mouthDimple_${s}`]: 1 })],
  // ARKit's mouthPress (lips pressed together) has no CPEM source: CPEM's mouthPress is a corner pull.
  ['mouthPress', () => ({})],
  // Centre units drive both sides. lipLowerDown is built from half the lower-lip depressor in the face model.
  ['mouthUpperUp', () => ({ mouthUpperUp: 1 })],
  ['mouthLowerDown', () => ({ mouthLowerDown: 1, lipLowerDown: 0.5 })],
  ['noseSneer', () => ({ noseWrinkle: 1 })],
  // The cheek raiser (AU6) rises with every broad smile, but no real-frame target teaches cheekUp (the teacher's
  // cheekSquint stays at 0): the smile drives the character's cheeks too, at 0.4, so they rise when the mouth does.
  ['cheekSquint', (s) => ({ [`cheekUp_${s}`]: 1, [`mouthSmile_${s}`]: 0.4 })],
];

const CENTRE: ReadonlyArray<readonly [string, Units]> = [
  ['browInnerUp', { browInnerUp: 1 }],
  ['jawForward', { jawForward: 1 }],
  ['jawLeft', { jawLeft: 1 }],
  ['jawRight', { jawRight: 1 }],
  ['jawOpen', { jawOpen: 1 }],
  ['mouthLeft', { mouthLeft: 1 }],
  ['mouthRight', { mouthRight: 1 }],
  ['mouthFunnel', { mouthFunnel: 1 }],
  ['mouthPucker', { mouthPucker: 1 }],
  ['mouthRollUpper', { mouthRollUpper: 1 }],
  ['mouthRollLower', { mouthRollLower: 1 }],
  // CPEM's mouthShrug closes the lower lip upwards (chin raiser, AU17): ARKit's mouthShrugLower.
  ['mouthShrugLower', { mouthShrug: 1 }],
  // lipUpperUp is the upper lip raised and pushed out: the face model builds it from ARKit's mouthShrugUpper.
  ['mouthShrugUpper', { lipUpperUp: 1 }],
  ['cheekPuff', { cheekPuff: 1 }],
  // ARKit's mouthClose (lips sealed while the jaw is open) and tongueOut have no CPEM source.
  ['mouthClose', {}],
  ['tongueOut', {}],
];

/** ARKit blendshapes that no CPEM unit drives; the preset holds them at 0 (delete their rows to leave them free). */
export const ARKIT_UNSOURCED = ['mouthPressLeft', 'mouthPressRight', 'mouthClose', 'tongueOut'] as const;

/** The 52 ARKit blendshape names, Apple spelling (`eyeBlinkLeft`), in this preset's order. */
export const ARKIT_BLENDSHAPES: readonly string[] = [
  ...SIDED.flatMap(([base]) => [`${base}Left`, `${base}Right`]),
  ...CENTRE.map(([name]) => name),
];

/**
 * Converts an Apple ARKit name to the `_L`/`_R` spelling many rigs use: `eyeBlinkLeft` → `eyeBlink_L`.
 * Direction names (`jawLeft`, `mouthRight`) are not sides and stay as they are.
 */
export function arkitSuffixName(appleName: string): string {
  if (/^(jaw|mouth)(Left|Right)$/.test(appleName)) return appleName;
  return appleName.replace(/Left$/, '_L').replace(/Right$/, '_R');
}

/** Spelling of ARKit names in a table: Apple's (`eyeBlinkLeft`) or with `_L`/`_R` (`eyeBlink_L`). */
export type ArkitNaming = 'apple' | 'suffix';

/** The ARKit preset: all 52 blendshapes, under Apple names or `_L`/`_R` names. */
export function arkitRetargetTable(naming: ArkitNaming = 'apple'): RetargetTable {
  const rows: RetargetTargetRow[] = [];
  for (const [base, units] of SIDED) {
    rows.push({ target: `${base}Left`, units: units('L') }, { target: `${base}Right`, units: units('R') });
  }
  for (const [name, units] of CENTRE) rows.push({ target: name, units: { ...units } });
  if (naming === 'suffix') for (const row of rows) row.target = arkitSuffixName(row.target);
  return { version: 1, name: naming === 'apple' ? 'arkit' : 'arkit-suffix', targets: rows };
}
