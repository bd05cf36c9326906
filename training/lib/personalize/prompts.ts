// The expressions a person is asked to make when teaching the estimator their face: each prompt names the units it
// drives and the value they are trained towards, the units that move with them on most faces (left free), and the
// landmarks whose motion shows it (for finding the ramp into and out of the expression). Everything else is held at
// about zero while the prompt is shown. Shared by the sandbox page's guided capture and the Node command line.
import { CpemError } from '../../../plugin/errors/cpem-error.js';
import {
  EXPRESSION_UNITS,
  expressionUnitIndex,
  type ExpressionUnitName,
} from '../../../plugin/units/expression-units.js';
import { FACE_MESH_REGIONS } from '../../../plugin/landmarks/face-mesh-regions.js';
import { NUM_EXPRESSION_UNITS } from '../../../plugin/constants.js';

export const PROMPT_NAMES = [
  'neutral',
  'eyesClosed',
  'winkLeft',
  'winkRight',
  'browsUp',
  'browsDown',
  'jawOpen',
  'smile',
  'lipCornersDown',
  'pucker',
  'noseWrinkle',
  'cheekPuff',
  'lookLeft',
  'lookRight',
  'lookUp',
  'lookDown',
] as const;

export type PromptName = (typeof PROMPT_NAMES)[number];

/**
 * Groups of face-mesh points whose motion away from the person's neutral face shows an expression. `leftEye` and
 * `rightEye` are the subject's own eyes (lid margins); `irises` the 10 iris points (gaze).
 */
export const MOTION_REGIONS = {
  leftEye: [249, 263, 362, 373, 374, 380, 381, 382, 384, 385, 386, 387, 388, 390, 398, 466],
  rightEye: [7, 33, 133, 144, 145, 153, 154, 155, 157, 158, 159, 160, 161, 163, 173, 246],
  irises: [468, 469, 470, 471, 472, 473, 474, 475, 476, 477],
  brows: [...FACE_MESH_REGIONS.brows],
  lips: [...FACE_MESH_REGIONS.lips],
  /** Nostril wings and the sides of the nose, which a nose wrinkle lifts. */
  nose: [48, 49, 64, 98, 102, 129, 131, 209, 278, 279, 294, 327, 331, 358, 360, 429],
  /** The cheeks between the nose, mouth and jaw line, which a puff pushes out. */
  cheeks: [
    36, 50, 101, 117, 118, 123, 147, 187, 192, 205, 206, 213, 266, 280, 330, 346, 347, 352, 376, 411, 416, 425, 426,
    433,
  ],
} as const satisfies Record<string, readonly number[]>;

export type MotionRegion = keyof typeof MOTION_REGIONS;

export interface PromptDefinition {
  name: PromptName;
  /** Short name for tables and charts. */
  label: string;
  /** What the page asks the person to do. */
  instruction: string;
  /**
   * The prompted units and the value each is trained towards on the frames where the expression is held (about
   * what the labels by eye give a clear, full expression: 1 for closed eyes, 0.8 for a broad smile).
   */
  units: Partial<Record<ExpressionUnitName, number>>;
  /**
   * Units that move along with the prompted ones on most faces (a squint with a smile, lids that follow the gaze
   * down): they get no target. All other units are held at about 0.
   */
  related: ExpressionUnitName[];
  /** Where the expression shows in the landmarks. */
  regions: MotionRegion[];
  /** The category of the labelled real frames (test/data/real-frame-labels.json) that this prompt shows, if any. */
  category?: string;
}

const EVERY_REGION: MotionRegion[] = ['leftEye', 'rightEye', 'irises', 'brows', 'lips', 'nose', 'cheeks'];

/** Every prompt, in the order the guided capture shows them. */
export const PROMPTS: readonly PromptDefinition[] = [
  {
    name: 'neutral',
    label: 'neutral',
    instruction: 'Relax your face and look at the camera',
    units: {},
    related: [],
    regions: EVERY_REGION,
  },
  {
    name: 'eyesClosed',
    label: 'eyes closed',
    instruction: 'Close both eyes gently',
    units: { eyeClose_L: 1, eyeClose_R: 1 },
    related: [
      'eyeSquint_L',
      'eyeSquint_R',
      'eyeLookDown_L',
      'eyeLookDown_R',
      'cheekUp_L',
      'cheekUp_R',
      'browDown_L',
      'browDown_R',
    ],
    regions: ['leftEye', 'rightEye'],
    category: 'eyesClosed',
  },
  {
    name: 'winkLeft',
    label: 'left wink',
    instruction: 'Wink with your left eye (keep the right one open)',
    units: { eyeClose_L: 1 },
    related: [
      'eyeSquint_L',
      'eyeSquint_R',
      'cheekUp_L',
      'cheekUp_R',
      'browDown_L',
      'mouthSmile_L',
      'mouthDimple_L',
      'mouthLeft',
      'noseWrinkle',
      'eyeLookDown_L',
    ],
    regions: ['leftEye'],
    category: 'eyesClosed',
  },
  {
    name: 'winkRight',
    label: 'right wink',
    instruction: 'Wink with your right eye (keep the left one open)',
    units: { eyeClose_R: 1 },
    related: [
      'eyeSquint_R',
      'eyeSquint_L',
      'cheekUp_R',
      'cheekUp_L',
      'browDown_R',
      'mouthSmile_R',
      'mouthDimple_R',
      'mouthRight',
      'noseWrinkle',
      'eyeLookDown_R',
    ],
    regions: ['rightEye'],
    category: 'eyesClosed',
  },
  {
    name: 'browsUp',
    label: 'brows up',
    instruction: 'Raise your eyebrows',
    units: { browInnerUp: 1, browOuterUp_L: 1, browOuterUp_R: 1 },
    related: ['eyeWide_L', 'eyeWide_R'],
    regions: ['brows'],
    category: 'browsRaised',
  },
  {
    name: 'browsDown',
    label: 'brows down',
    instruction: 'Frown: pull your eyebrows down and together',
    units: { browDown_L: 1, browDown_R: 1 },
    related: [
      'eyeSquint_L',
      'eyeSquint_R',
      'browInnerUp',
      'noseWrinkle',
      'cheekUp_L',
      'cheekUp_R',
      'eyeClose_L',
      'eyeClose_R',
    ],
    regions: ['brows'],
    category: 'browsLowered',
  },
  {
    name: 'jawOpen',
    label: 'jaw open',
    instruction: 'Open your mouth wide',
    units: { jawOpen: 0.8 },
    related: [
      'mouthLowerDown',
      'lipLowerDown',
      'mouthUpperUp',
      'mouthFunnel',
      'eyeWide_L',
      'eyeWide_R',
      'browInnerUp',
      'browOuterUp_L',
      'browOuterUp_R',
    ],
    regions: ['lips'],
    category: 'jawOpen',
  },
  {
    name: 'smile',
    label: 'smile',
    instruction: 'Smile broadly',
    units: { mouthSmile_L: 0.8, mouthSmile_R: 0.8 },
    related: [
      'cheekUp_L',
      'cheekUp_R',
      'eyeSquint_L',
      'eyeSquint_R',
      'mouthDimple_L',
      'mouthDimple_R',
      'mouthUpperUp',
      'lipUpperUp',
      'mouthPress_L',
      'mouthPress_R',
      'jawOpen',
      'mouthLowerDown',
      'lipLowerDown',
    ],
    regions: ['lips', 'cheeks'],
    category: 'smile',
  },
  {
    name: 'lipCornersDown',
    label: 'lip corners down',
    instruction: 'Pull the corners of your mouth down',
    units: { mouthFrown_L: 0.8, mouthFrown_R: 0.8 },
    related: [
      'mouthShrug',
      'mouthLowerDown',
      'lipLowerDown',
      'mouthDimple_L',
      'mouthDimple_R',
      'mouthRollLower',
      'mouthPress_L',
      'mouthPress_R',
      'browInnerUp',
    ],
    regions: ['lips'],
    category: 'frown',
  },
  {
    name: 'pucker',
    label: 'pucker',
    instruction: 'Pucker your lips as for a kiss',
    units: { mouthPucker: 0.9 },
    related: ['mouthFunnel', 'mouthShrug', 'mouthRollUpper', 'mouthRollLower', 'jawForward'],
    regions: ['lips'],
    category: 'pucker',
  },
  {
    name: 'noseWrinkle',
    label: 'nose wrinkle',
    instruction: 'Wrinkle your nose',
    units: { noseWrinkle: 0.8 },
    related: [
      'browDown_L',
      'browDown_R',
      'eyeSquint_L',
      'eyeSquint_R',
      'cheekUp_L',
      'cheekUp_R',
      'lipUpperUp',
      'mouthUpperUp',
      'eyeClose_L',
      'eyeClose_R',
      'browInnerUp',
    ],
    regions: ['nose', 'lips', 'brows'],
    category: 'noseWrinkle',
  },
  {
    name: 'cheekPuff',
    label: 'cheek puff',
    instruction: 'Puff out your cheeks with air',
    units: { cheekPuff: 0.9 },
    related: [
      'mouthPucker',
      'mouthFunnel',
      'mouthRollUpper',
      'mouthRollLower',
      'mouthPress_L',
      'mouthPress_R',
      'mouthShrug',
      'jawForward',
    ],
    regions: ['cheeks', 'lips'],
    category: 'cheekPuff',
  },
  {
    name: 'lookLeft',
    label: 'look left',
    instruction: 'Look to your left with your eyes (keep your head still)',
    units: { eyeLookOut_L: 0.7, eyeLookIn_R: 0.7 },
    related: ['eyeSquint_L', 'eyeSquint_R'],
    regions: ['irises'],
  },
  {
    name: 'lookRight',
    label: 'look right',
    instruction: 'Look to your right with your eyes (keep your head still)',
    units: { eyeLookIn_L: 0.7, eyeLookOut_R: 0.7 },
    related: ['eyeSquint_L', 'eyeSquint_R'],
    regions: ['irises'],
  },
  {
    name: 'lookUp',
    label: 'look up',
    instruction: 'Look up with your eyes (keep your head still)',
    units: { eyeLookUp_L: 0.7, eyeLookUp_R: 0.7 },
    related: ['browInnerUp', 'browOuterUp_L', 'browOuterUp_R', 'eyeWide_L', 'eyeWide_R'],
    regions: ['irises', 'leftEye', 'rightEye'],
  },
  {
    name: 'lookDown',
    label: 'look down',
    instruction: 'Look down with your eyes (keep your head still)',
    units: { eyeLookDown_L: 0.7, eyeLookDown_R: 0.7 },
    related: ['eyeClose_L', 'eyeClose_R', 'eyeSquint_L', 'eyeSquint_R'],
    regions: ['irises', 'leftEye', 'rightEye'],
  },
];

const BY_NAME = new Map<string, PromptDefinition>(PROMPTS.map((p) => [p.name, p]));

/** The default guided-capture sequence: every prompt once, neutral first (the reference the others are measured from). */
export const DEFAULT_SEQUENCE: readonly PromptName[] = PROMPT_NAMES;

export function isPromptName(name: unknown): name is PromptName {
  return typeof name === 'string' && BY_NAME.has(name);
}

export function promptDefinition(name: PromptName): PromptDefinition {
  const p = BY_NAME.get(name);
  if (!p)
    throw new CpemError(
      'INVALID_ARGUMENT',
      `Unknown prompt ${JSON.stringify(name)}; the prompts are ${PROMPT_NAMES.join(', ')}.`,
    );
  return p;
}

/**
 * What one stretch of capture is trained towards: one prompt (guided capture), or several shown together (a prompt
 * file may name e.g. browsUp and jawOpen for a surprised face), each at its prompt's value or a given intensity.
 * Plain data (goes into the manifest).
 */
export interface PromptSpec {
  /** The prompts shown together. */
  prompts: PromptName[];
  /** Prompted unit → value on the plateau frames. */
  units: Partial<Record<ExpressionUnitName, number>>;
  /** Units without a target (moving along with the prompted ones). */
  related: ExpressionUnitName[];
  regions: MotionRegion[];
  /** Label categories shown (for the evaluation). */
  categories: string[];
}

/**
 * The spec of prompts shown together. `intensity` is the value the prompted units are trained towards, in (0, 1], as
 * a label by eye would give it (1 the strongest the movement gets on a face, 0.5 a clear medium one): one number for
 * every prompt, or one per prompt; a prompt without one keeps its own value (PromptDefinition.units). A prompted
 * unit of one prompt is never left free or held at 0 by another. `neutral` cannot be combined.
 */
export function promptSpec(
  names: readonly PromptName[],
  intensity?: number | Partial<Record<PromptName, number>>,
): PromptSpec {
  if (names.length === 0) throw new CpemError('INVALID_ARGUMENT', 'A prompt needs at least one prompt name.');
  for (const n of names) promptDefinition(n);
  if (new Set(names).size !== names.length)
    throw new CpemError('INVALID_ARGUMENT', `Prompt ${names.join(' + ')} names a prompt twice.`);
  // Anything but a number or { prompt: number } (a string "0.5", null, a list) was silently ignored.
  if (
    intensity !== undefined &&
    typeof intensity !== 'number' &&
    (typeof intensity !== 'object' || intensity === null || Array.isArray(intensity))
  ) {
    throw new CpemError(
      'INVALID_ARGUMENT',
      `The intensity of ${names.join(' + ')} must be a number in (0, 1] or one per prompt, e.g. { "${names[0]}": 0.5 }; got ${JSON.stringify(intensity)}.`,
    );
  }
  if (names.includes('neutral') && names.length > 1)
    throw new CpemError('INVALID_ARGUMENT', `neutral cannot be combined with other prompts (${names.join(' + ')}).`);
  const given = (name: PromptName): number | undefined => {
    const v = typeof intensity === 'number' ? intensity : intensity?.[name];
    if (v === undefined) return undefined;
    if (!(typeof v === 'number' && v > 0 && v <= 1))
      throw new CpemError('INVALID_ARGUMENT', `The intensity of ${name} must be in (0, 1]; got ${JSON.stringify(v)}.`);
    return v;
  };
  if (intensity !== undefined && typeof intensity === 'object') {
    for (const k of Object.keys(intensity)) {
      if (!names.includes(k as PromptName))
        throw new CpemError(
          'INVALID_ARGUMENT',
          `An intensity is given for ${k}, which is not among the prompts ${names.join(' + ')}.`,
        );
    }
  }
  const units: Partial<Record<ExpressionUnitName, number>> = {};
  const related = new Set<ExpressionUnitName>();
  const regions = new Set<MotionRegion>();
  const categories = new Set<string>();
  for (const name of names) {
    const p = promptDefinition(name);
    const value = given(name);
    for (const [u, v] of Object.entries(p.units) as Array<[ExpressionUnitName, number]>)
      units[u] = Math.max(units[u] ?? 0, value ?? v);
    p.related.forEach((u) => related.add(u));
    p.regions.forEach((r) => regions.add(r));
    if (p.category) categories.add(p.category);
  }
  for (const u of Object.keys(units)) related.delete(u as ExpressionUnitName);
  return {
    prompts: [...names],
    units,
    related: EXPRESSION_UNITS.filter((u) => related.has(u)),
    regions: EVERY_REGION.filter((r) => regions.has(r)),
    categories: [...categories],
  };
}

/** A spec's name for tables: its prompts' labels joined by " + ". */
export function promptLabel(spec: PromptSpec): string {
  return spec.prompts.map((n) => promptDefinition(n).label).join(' + ');
}

/** Per unit, what a spec asks of it: the prompted value, 'free' (related), or 'zero' (held at about 0). */
export function unitRoles(spec: PromptSpec): { values: Float32Array; prompted: boolean[]; free: boolean[] } {
  const values = new Float32Array(NUM_EXPRESSION_UNITS);
  const prompted = new Array<boolean>(NUM_EXPRESSION_UNITS).fill(false);
  const free = new Array<boolean>(NUM_EXPRESSION_UNITS).fill(false);
  for (const [u, v] of Object.entries(spec.units)) {
    const i = expressionUnitIndex(u);
    if (i < 0) throw new CpemError('INVALID_ARGUMENT', `Prompt ${spec.prompts.join(' + ')}: unknown unit ${u}.`);
    values[i] = v!;
    prompted[i] = true;
  }
  for (const u of spec.related) free[expressionUnitIndex(u)] = true;
  return { values, prompted, free };
}

/** The landmark indices of a spec's motion regions (no duplicates, ascending). */
export function regionPoints(regions: readonly MotionRegion[]): number[] {
  return [...new Set(regions.flatMap((r) => MOTION_REGIONS[r]))].sort((a, b) => a - b);
}
