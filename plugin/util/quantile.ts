/**
 * The q-quantile (q in [0, 1]) of values already sorted ascending, interpolating linearly between the two nearest
 * ranks (q = 0.5 of an even count is the mean of the middle two); NaN for none.
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** The q-quantile of `values` in any order (q in [0, 1]), as {@link quantileSorted}; NaN for none. */
export function quantile(values: ArrayLike<number>, q: number): number {
  return quantileSorted(Float64Array.from(values).sort(), q);
}
