import type { RetargetTable, RetargetTargetRow } from '../retarget-table.js';

/**
 * VRM 1.0 preset expressions and the units that drive each. VRM sides are the character's own (blinkLeft closes
 * the character's left eye), like CPEM's. Reasoning for each row: docs/retargeting.md.
 */
const ROWS: readonly RetargetTargetRow[] = [
  // Each eye is driven through blinkLeft/blinkRight; driving blink as well would close each eye twice.
  { target: 'blink', units: {} },
  { target: 'blinkLeft', units: { eyeClose_L: 1 } },
  { target: 'blinkRight', units: { eyeClose_R: 1 } },
  // Emotions are whole-face presets; each takes the mean of its two sides, with a dead zone so that
  // a trace of one unit does not tint the whole face.
  { target: 'happy', units: { mouthSmile_L: 0.5, mouthSmile_R: 0.5 }, deadZone: 0.1 },
  { target: 'angry', units: { browDown_L: 0.5, browDown_R: 0.5 }, deadZone: 0.1 },
  { target: 'sad', units: { mouthFrown_L: 0.5, mouthFrown_R: 0.5 }, deadZone: 0.1 },
  // No unit measures a relaxed face (a soft smile with lowered lids is happy + squint, not a unit of its own).
  { target: 'relaxed', units: {} },
  {
    target: 'surprised',
    units: { eyeWide_L: 0.25, eyeWide_R: 0.25, browOuterUp_L: 0.25, browOuterUp_R: 0.25 },
    deadZone: 0.1,
  },
  // Vowels from mouth shapes: open (aa), spread (ih), rounded-closed (ou), open-spread (ee), rounded-open (oh).
  { target: 'aa', units: { jawOpen: 1 } },
  { target: 'ih', units: { mouthDimple_L: 0.5, mouthDimple_R: 0.5 } },
  { target: 'ou', units: { mouthPucker: 1 } },
  { target: 'ee', units: { mouthLowerDown: 1 } },
  { target: 'oh', units: { mouthFunnel: 1 } },
  { target: 'lookUp', units: { eyeLookUp_L: 0.5, eyeLookUp_R: 0.5 } },
  { target: 'lookDown', units: { eyeLookDown_L: 0.5, eyeLookDown_R: 0.5 } },
  // Looking to one's left turns the left eye outwards and the right eye inwards.
  { target: 'lookLeft', units: { eyeLookOut_L: 0.5, eyeLookIn_R: 0.5 } },
  { target: 'lookRight', units: { eyeLookOut_R: 0.5, eyeLookIn_L: 0.5 } },
];

/** VRM expressions that no unit drives; the preset holds them at 0. */
export const VRM_UNSOURCED = ['blink', 'relaxed'] as const;

/** The VRM 1.0 expression preset names, in this preset's order. */
export const VRM_EXPRESSIONS: readonly string[] = ROWS.map((r) => r.target);

/** The VRM 1.0 expression preset, for characters whose morph targets carry the expression names. */
export function vrmRetargetTable(): RetargetTable {
  return { version: 1, name: 'vrm', targets: ROWS.map((r) => ({ ...r, units: { ...r.units } })) };
}
