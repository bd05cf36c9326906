// How far a per-category correction of a network's readings could take its error on a set of labelled frames, at
// best: the correction is fitted on the very frames it is scored on (an oracle no method has), so it bounds what a
// per-person calibration of the category values can reach there. The personalisation evaluation puts it beside the
// fine-tuning's change (docs/personalization.md).
import { CpemError } from '../../../plugin/errors/cpem-error.js';
import { quantile } from './quantile.js';
import { categoryErrors, type CategoryErrors } from './real-frame-eval.js';

export interface OracleCorrections {
  /** The readings as they are. */
  none: CategoryErrors;
  /** Each category shifted by the median of (label − reading) over the frames, then clamped to [0, 1]. */
  offset: CategoryErrors;
  /** Each category mapped by its least-squares line onto the labels over the frames, then clamped to [0, 1]. */
  affine: CategoryErrors;
}

type Row = { labels: Record<string, number>; values: Record<string, number> };

const clamp01 = (v: number) => Math.min(1, Math.max(0, v));

/** Least-squares a, b of label ≈ a + b · reading (b = 0 where the readings do not vary). */
function line(x: number[], y: number[]): { a: number; b: number } {
  const mx = x.reduce((s, v) => s + v, 0) / x.length;
  const my = y.reduce((s, v) => s + v, 0) / y.length;
  let sxy = 0,
    sxx = 0;
  x.forEach((v, i) => {
    sxy += (v - mx) * (y[i] - my);
    sxx += (v - mx) ** 2;
  });
  const b = sxx > 1e-12 ? sxy / sxx : 0;
  return { a: my - b * mx, b };
}

/**
 * The category errors of `rows` (labels and a network's category values per frame) as they are, and after each
 * oracle correction fitted on the rows themselves, category by category. Throws INVALID_ARGUMENT without rows.
 */
export function oracleCorrections(names: readonly string[], rows: readonly Row[]): OracleCorrections {
  if (rows.length === 0)
    throw new CpemError('INVALID_ARGUMENT', 'An oracle correction needs at least one labelled frame.');
  const offset: Row[] = rows.map((r) => ({ labels: r.labels, values: { ...r.values } }));
  const affine: Row[] = rows.map((r) => ({ labels: r.labels, values: { ...r.values } }));
  for (const k of names) {
    const x = rows.map((r) => r.values[k]);
    const y = rows.map((r) => r.labels[k] ?? 0);
    const shift = quantile(
      y.map((v, i) => v - x[i]),
      0.5,
    );
    const { a, b } = line(x, y);
    offset.forEach((r, i) => {
      r.values[k] = clamp01(x[i] + shift);
    });
    affine.forEach((r, i) => {
      r.values[k] = clamp01(a + b * x[i]);
    });
  }
  return {
    none: categoryErrors(names, rows),
    offset: categoryErrors(names, offset),
    affine: categoryErrors(names, affine),
  };
}
