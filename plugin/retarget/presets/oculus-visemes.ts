import type { RetargetTable, RetargetTargetRow } from '../retarget-table.js';

/**
 * The Oculus (Meta) 15 visemes, as Ready Player Me and others name them (`viseme_aa`). Expression units describe
 * lip and jaw shape, not tongue or teeth, so only visemes whose look is a lip/jaw shape are mapped; the others
 * are left out of the table (and so left alone, free for audio lip-sync). Reasoning: docs/retargeting.md.
 */
const ROWS: readonly RetargetTargetRow[] = [
  { target: 'viseme_aa', units: { jawOpen: 1 } },
  { target: 'viseme_O', units: { mouthFunnel: 1 } },
  { target: 'viseme_U', units: { mouthPucker: 1 } },
  { target: 'viseme_I', units: { mouthDimple_L: 0.5, mouthDimple_R: 0.5 } },
  { target: 'viseme_E', units: { mouthLowerDown: 1 } },
  // f/v: the lower lip tucks under the upper teeth, which the lower-lip roll approximates.
  { target: 'viseme_FF', units: { mouthRollLower: 1 } },
  // p/b/m: lips closed and pressed; both lips rolling in is the nearest lip shape.
  { target: 'viseme_PP', units: { mouthRollUpper: 0.5, mouthRollLower: 0.5 } },
];

/** The 15 Oculus visemes (without the `viseme_` prefix). */
export const OCULUS_VISEMES = [
  'sil',
  'PP',
  'FF',
  'TH',
  'DD',
  'kk',
  'CH',
  'SS',
  'nn',
  'RR',
  'aa',
  'E',
  'I',
  'O',
  'U',
] as const;

/** Visemes with no lip/jaw shape among the units; not in the table. */
export const OCULUS_VISEMES_UNMAPPED: readonly string[] = OCULUS_VISEMES.filter(
  (v) => !ROWS.some((r) => r.target === `viseme_${v}`),
);

/** The Oculus viseme preset (7 of the 15 visemes; see {@link OCULUS_VISEMES_UNMAPPED}). */
export function oculusVisemeRetargetTable(): RetargetTable {
  return { version: 1, name: 'oculus-visemes', targets: ROWS.map((r) => ({ ...r, units: { ...r.units } })) };
}
