// The output curve of PE-Net's units (PeNetConfig.expressionCurveKnots), fitted on labelled real frames: per labelled
// category, the readings' distribution is mapped onto the labels' (quantile to quantile), so that the reading a
// network gives its strongest frames of a category becomes the strength those frames are labelled with, and its
// resting readings become the labels' zeros. Monotone by construction; never a single scale, which would lower the
// strong readings with the weak ones.
import { CpemError } from '../../../plugin/errors/cpem-error.js';
import { expressionUnitIndex } from '../../../plugin/units/expression-units.js';
import type { LabelSet, LabelledFrame } from './real-frame-eval.js';
import { NUM_EXPRESSION_UNITS } from '../../../plugin/constants.js';

/** Knots of the fitted curve (at 0, 0.1, … 1). */
export const OUTPUT_CURVE_KNOTS = 11;

export interface CategoryCurve {
  /** The category's units that take this curve. */
  units: string[];
  /** Labelled frames with a reading that the curve was fitted on. */
  frames: number;
  /** The knot values, at k / (knots − 1). */
  knots: number[];
}

export interface OutputCurveFit {
  /** numExpression × knots, row-major: identity for units of no labelled category. */
  curve: Float32Array;
  categories: Record<string, CategoryCurve>;
}

/** Linear interpolation of y at x through points sorted by x (held flat beyond the ends). */
function interpolate(xs: number[], ys: number[], x: number): number {
  if (x <= xs[0]) return ys[0];
  if (x >= xs[xs.length - 1]) return ys[ys.length - 1];
  let hi = 1;
  while (xs[hi] < x) hi++;
  const lo = hi - 1;
  const t = xs[hi] > xs[lo] ? (x - xs[lo]) / (xs[hi] - xs[lo]) : 1;
  return ys[lo] + t * (ys[hi] - ys[lo]);
}

/**
 * One category's knots from its readings and labels: the sorted readings paired with the sorted labels, from (0, 0)
 * to (1, 1), read at the knots and made non-decreasing. A reading of 1 stays 1, so the top is never squashed.
 */
export function quantileCurve(readings: number[], labels: number[], knots = OUTPUT_CURVE_KNOTS): number[] {
  if (readings.length !== labels.length || readings.length < 2) {
    throw new CpemError(
      'INVALID_ARGUMENT',
      `A quantile curve needs as many readings as labels, at least 2; got ${readings.length} and ${labels.length}.`,
    );
  }
  const r = [...readings].sort((a, b) => a - b);
  const y = [...labels].sort((a, b) => a - b);
  // Ties in the readings (e.g. many at 0) take the mean of their labels' quantiles.
  const xs: number[] = [0];
  const ys: number[] = [0];
  for (let i = 0; i < r.length; ) {
    let j = i;
    let sum = 0;
    while (j < r.length && r[j] === r[i]) sum += y[j++];
    if (r[i] > xs[xs.length - 1] && r[i] < 1) {
      xs.push(r[i]);
      ys.push(sum / (j - i));
    } else if (r[i] === 0) {
      ys[0] = sum / (j - i);
    }
    i = j;
  }
  xs.push(1);
  ys.push(1);
  const out: number[] = [];
  for (let k = 0; k < knots; k++) {
    const v = Math.min(1, Math.max(0, interpolate(xs, ys, k / (knots - 1))));
    out.push(k === 0 ? v : Math.max(v, out[k - 1]));
  }
  out[knots - 1] = 1;
  return out;
}

/**
 * Fits the curve on the labelled frames of `labels` (pass the tune half only): `reading(frame)` gives the 46 units
 * the network reads there before any curve (null where no face was found). A unit takes the curve of the smallest
 * category it belongs to (browInnerUp: its own category, not brows raised); units of no category keep the identity.
 */
export function fitOutputCurve(
  labels: LabelSet,
  reading: (f: LabelledFrame) => Float32Array | null,
  knots = OUTPUT_CURVE_KNOTS,
): OutputCurveFit {
  const curve = Float32Array.from({ length: NUM_EXPRESSION_UNITS * knots }, (_, i) => (i % knots) / (knots - 1));
  const categories: Record<string, CategoryCurve> = {};
  const read = labels.frames.map((f) => [f, reading(f)] as const).filter(([, r]) => r !== null) as Array<
    readonly [LabelledFrame, Float32Array]
  >;
  const ordered = Object.entries(labels.categories).sort((a, b) => b[1].length - a[1].length);
  for (const [name, unitNames] of ordered) {
    const units = unitNames.map((u) => expressionUnitIndex(u));
    const shown = read.filter(([f]) => (f.labels[name] ?? 0) > 0).length;
    // A category needs labelled frames that show it; cheek puff, with one, keeps the identity.
    if (shown < 10) continue;
    const readings = read.map(([, r]) => units.reduce((s, u) => s + r[u], 0) / units.length);
    const values = read.map(([f]) => f.labels[name] ?? 0);
    const k = quantileCurve(readings, values, knots);
    categories[name] = { units: unitNames, frames: read.length, knots: k.map((v) => +v.toFixed(4)) };
    // Larger categories first, so a unit ends with the curve of the smallest category it is in.
    for (const u of units) curve.set(k, u * knots);
  }
  return { curve, categories };
}
