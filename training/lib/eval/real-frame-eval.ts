import { CpemError } from '../../../plugin/errors/cpem-error.js';
import { EXPRESSION_UNITS, expressionUnitIndex } from '../../../plugin/units/expression-units.js';
import { NUM_EXPRESSION_UNITS } from '../../../plugin/constants.js';

/** A frame of ../shared/videos labelled by eye (test/data/real-frame-labels.json). */
export interface LabelledFrame {
  clip: string;
  /** 0-based decoded frame index. */
  frame: number;
  time: number;
  neutral: boolean;
  /** Intensity in [0, 1] per category. */
  labels: Record<string, number>;
}

export interface LabelSet {
  /** Category → the units whose mean is the category's predicted value. */
  categories: Record<string, string[]>;
  /** Clip file → its frame rate, the person it shows (the split is by person) and its half. */
  clips: Record<string, { fps: number; split: 'tune' | 'report'; person?: string; round?: number }>;
  /** Clips left out because they repeat another clip's footage: file → why. */
  duplicates?: Record<string, string>;
  frames: LabelledFrame[];
}

/**
 * Whether a clip may be trained on: not in the report half, not a person of the report half, not a duplicate
 * of other footage. Clips the labels do not list (unlabelled footage of other people) may be.
 */
export function trainableClip(set: LabelSet, clip: string): boolean {
  if (set.duplicates?.[clip]) return false;
  const info = set.clips[clip];
  if (info?.split === 'report') return false;
  const reportPeople = new Set(
    Object.values(set.clips)
      .filter((c) => c.split === 'report' && c.person)
      .map((c) => c.person),
  );
  return !(info?.person && reportPeople.has(info.person));
}

/** The label set with only the clips (and their frames) of the given labelling rounds (clips[…].round, default 1). */
export function labelRounds(set: LabelSet, rounds: readonly number[]): LabelSet {
  const clips = Object.fromEntries(Object.entries(set.clips).filter(([, c]) => rounds.includes(c.round ?? 1)));
  return { ...set, clips, frames: set.frames.filter((f) => clips[f.clip]) };
}

/** The label set with only one half's clips and frames. */
export function labelHalf(set: LabelSet, split: 'tune' | 'report'): LabelSet {
  const clips = Object.fromEntries(Object.entries(set.clips).filter(([, c]) => c.split === split));
  return { ...set, clips, frames: set.frames.filter((f) => clips[f.clip]) };
}

export type Split = 'tune' | 'report' | 'all';

/** A category counts as shown on a frame from this label on. */
export const ACTIVE_LABEL = 0.3;
/** A category counts as strongly shown from this label on (the range check). */
export const STRONG_LABEL = 0.7;

export interface RealFrameReport {
  split: Split;
  /** Labelled frames scored (expressive and neutral), and those without a prediction (no face found). */
  frames: number;
  missing: number;
  /** Mean absolute error per category over the expressive and neutral frames of the split. */
  categoryMae: Record<string, number>;
  /** Mean of categoryMae. */
  categoryAverage: number;
  /**
   * Mean absolute error per category on the frames that show it (label ≥ ACTIVE_LABEL), with their count: the
   * labels are sparse, so the all-frame error rewards reading nothing (a constant zero scores well there).
   */
  activeMae: Record<string, { frames: number; mae: number }>;
  /** Mean of activeMae over the categories with at least one active frame. */
  activeAverage: number;
  /** Pearson correlation of predicted and labelled values per category over all frames (NaN when constant). */
  correlation: Record<string, number>;
  /**
   * On the neutral frames: mean and max activation over all 46 units, and the unit whose mean over those frames is
   * largest (a face at rest should leave every unit near 0, not just their average).
   */
  neutral: {
    frames: number;
    meanActivation: number;
    maxActivation: number;
    maxUnit: string;
    maxUnitMean: number;
    maxMeanUnit: string;
  };
  /**
   * The top of the range: per category, on the frames labelled at least STRONG_LABEL, their count, the mean label and
   * the mean predicted value (a strong expression must drive a character fully: the reading over the label).
   */
  strong: Record<string, { frames: number; meanLabel: number; meanReading: number }>;
  /**
   * Per unit (in unit order), the largest value read on any frame of the split, and on the frames that show a
   * category the unit belongs to (label ≥ ACTIVE_LABEL; null for units in no labelled category).
   */
  unitMax: number[];
  unitMaxShown: Array<number | null>;
  /**
   * Gaze up (the mean of eyeLookUp_L/R) above 0.5 where nobody looks up: the share of neutral frames and of frames
   * with the jaw open (label ≥ ACTIVE_LABEL) where it fires.
   */
  gazeUpFires: { neutral: number; jawOpen: number };
}

const LOOK_UP = [EXPRESSION_UNITS.indexOf('eyeLookUp_L'), EXPRESSION_UNITS.indexOf('eyeLookUp_R')];
const lookingUp = (units: Float32Array) => (units[LOOK_UP[0]] + units[LOOK_UP[1]]) / 2 > 0.5;

/** Checks the label file's shape; throws INVALID_ARGUMENT naming the problem. */
export function parseLabelSet(json: unknown): LabelSet {
  const set = json as LabelSet;
  if (!set || typeof set.categories !== 'object' || typeof set.clips !== 'object' || !Array.isArray(set.frames)) {
    throw new CpemError(
      'INVALID_ARGUMENT',
      'A label set needs categories, clips and frames (see test/data/real-frame-labels.json).',
    );
  }
  for (const units of Object.values(set.categories)) units.forEach((u) => expressionUnitIndex(u));
  for (const f of set.frames) {
    if (!set.clips[f.clip])
      throw new CpemError(
        'INVALID_ARGUMENT',
        `Labelled frame ${f.clip}#${f.frame}: the clip is not listed under clips.`,
      );
  }
  return set;
}

/** The predicted value of each category: the mean of its units. */
export function categoryValues(set: LabelSet, units: Float32Array): Record<string, number> {
  return Object.fromEntries(
    Object.entries(set.categories).map(([k, names]) => [
      k,
      names.reduce((s, u) => s + units[expressionUnitIndex(u)], 0) / names.length,
    ]),
  );
}

export function framesOf(set: LabelSet, split: Split): LabelledFrame[] {
  return set.frames.filter((f) => split === 'all' || set.clips[f.clip].split === split);
}

/** The category errors of a set of frames: per category and averaged, over all frames and where it is shown. */
export type CategoryErrors = Pick<RealFrameReport, 'categoryMae' | 'categoryAverage' | 'activeMae' | 'activeAverage'>;

/**
 * Category errors of predicted category values against labels: the mean absolute error per category over all
 * rows, and over the rows that show it (label ≥ ACTIVE_LABEL), each averaged over the categories (the where-shown
 * average over the categories shown at all). `names` are the categories scored; a row without a label for one
 * counts it as 0.
 */
export function categoryErrors(
  names: readonly string[],
  rows: ReadonlyArray<{ labels: Record<string, number>; values: Record<string, number> }>,
): CategoryErrors {
  const categoryMae: Record<string, number> = {};
  const activeMae: Record<string, { frames: number; mae: number }> = {};
  for (const k of names) {
    let sum = 0,
      activeSum = 0,
      active = 0;
    for (const { labels, values } of rows) {
      const label = labels[k] ?? 0;
      const error = Math.abs(values[k] - label);
      sum += error;
      if (label >= ACTIVE_LABEL) {
        active++;
        activeSum += error;
      }
    }
    categoryMae[k] = sum / rows.length;
    activeMae[k] = { frames: active, mae: active ? activeSum / active : NaN };
  }
  const maes = Object.values(categoryMae);
  const shown = Object.values(activeMae).filter((a) => a.frames > 0);
  return {
    categoryMae,
    categoryAverage: maes.reduce((a, b) => a + b, 0) / maes.length,
    activeMae,
    activeAverage: shown.reduce((s, a) => s + a.mae, 0) / shown.length,
  };
}

/** A labelled frame as it is scored: its labels, the units read there and their category values. */
export interface CategoryRow {
  frame: LabelledFrame;
  labels: Record<string, number>;
  /** The predicted units, all zero where no face was found (`missing`), so that a tracker miss costs. */
  units: Float32Array;
  missing: boolean;
  values: Record<string, number>;
}

/** Each frame with its prediction (`predict` once a frame; null where no face was found) as it is scored. */
export function categoryRows(
  set: LabelSet,
  frames: readonly LabelledFrame[],
  predict: (frame: LabelledFrame) => Float32Array | null,
): CategoryRow[] {
  return frames.map((frame) => {
    const predicted = predict(frame);
    const units = predicted ?? new Float32Array(NUM_EXPRESSION_UNITS);
    return { frame, labels: frame.labels, units, missing: !predicted, values: categoryValues(set, units) };
  });
}

/**
 * Scores predictions against the labels of one split. `predict` gives the 46 units of a labelled frame, or
 * null when no face was found there (counted as missing and scored as all-zero units, so a tracker miss costs).
 */
export function scoreRealFrames(
  set: LabelSet,
  split: Split,
  predict: (frame: LabelledFrame) => Float32Array | null,
): RealFrameReport {
  const frames = framesOf(set, split);
  if (frames.length === 0) throw new CpemError('INVALID_ARGUMENT', `No labelled frames in split ${split}.`);
  const names = Object.keys(set.categories);
  const rows = categoryRows(set, frames, predict);
  let neutralFrames = 0,
    neutralSum = 0,
    neutralMax = 0,
    neutralMaxUnit = -1;
  let neutralLookUp = 0,
    jawFrames = 0,
    jawLookUp = 0;
  const neutralUnitSum = new Float64Array(NUM_EXPRESSION_UNITS);
  const unitMax = new Array<number>(NUM_EXPRESSION_UNITS).fill(0);
  const unitMaxShown = new Array<number | null>(NUM_EXPRESSION_UNITS).fill(null);
  const categoryUnits = Object.fromEntries(names.map((k) => [k, set.categories[k].map((u) => expressionUnitIndex(u))]));
  for (const { frame: f, units, missing } of rows) {
    if (missing) continue;
    units.forEach((v, u) => {
      unitMax[u] = Math.max(unitMax[u], v);
    });
    for (const k of names) {
      if ((f.labels[k] ?? 0) < ACTIVE_LABEL) continue;
      for (const u of categoryUnits[k]) unitMaxShown[u] = Math.max(unitMaxShown[u] ?? 0, units[u]);
    }
  }
  for (const { frame: f, units } of rows) {
    if (f.neutral) {
      neutralFrames++;
      if (lookingUp(units)) neutralLookUp++;
      units.forEach((u, i) => {
        neutralSum += u;
        neutralUnitSum[i] += u;
        if (u > neutralMax) [neutralMax, neutralMaxUnit] = [u, i];
      });
    }
    if ((f.labels.jawOpen ?? 0) >= ACTIVE_LABEL) {
      jawFrames++;
      if (lookingUp(units)) jawLookUp++;
    }
  }
  const strong = Object.fromEntries(
    names.map((k) => {
      const shown = rows.filter((r) => (r.labels[k] ?? 0) >= STRONG_LABEL);
      const mean = (v: number[]) => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN);
      return [
        k,
        {
          frames: shown.length,
          meanLabel: mean(shown.map((r) => r.labels[k])),
          meanReading: mean(shown.map((r) => r.values[k])),
        },
      ];
    }),
  );
  let maxMean = 0,
    maxMeanUnit = -1;
  neutralUnitSum.forEach((v, u) => {
    if (neutralFrames && v / neutralFrames > maxMean) [maxMean, maxMeanUnit] = [v / neutralFrames, u];
  });
  return {
    split,
    frames: frames.length,
    missing: rows.filter((r) => r.missing).length,
    ...categoryErrors(names, rows),
    correlation: Object.fromEntries(
      names.map((k) => [k, pearson(rows.map((r): [number, number] => [r.values[k], r.labels[k] ?? 0]))]),
    ),
    neutral: {
      frames: neutralFrames,
      meanActivation: neutralFrames ? neutralSum / (neutralFrames * NUM_EXPRESSION_UNITS) : NaN,
      maxActivation: neutralMax,
      maxUnit: EXPRESSION_UNITS[neutralMaxUnit] ?? '–',
      maxUnitMean: neutralFrames ? maxMean : NaN,
      maxMeanUnit: EXPRESSION_UNITS[maxMeanUnit] ?? '–',
    },
    strong,
    unitMax,
    unitMaxShown,
    gazeUpFires: {
      neutral: neutralFrames ? neutralLookUp / neutralFrames : NaN,
      jawOpen: jawFrames ? jawLookUp / jawFrames : NaN,
    },
  };
}

/** Pearson correlation of (x, y) pairs; NaN when either side does not vary. */
export function pearson(pairs: Array<[number, number]>): number {
  const n = pairs.length;
  const mx = pairs.reduce((s, p) => s + p[0], 0) / n;
  const my = pairs.reduce((s, p) => s + p[1], 0) / n;
  let sxy = 0,
    sxx = 0,
    syy = 0;
  for (const [x, y] of pairs) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
    syy += (y - my) ** 2;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : NaN;
}
