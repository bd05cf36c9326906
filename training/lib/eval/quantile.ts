import { quantileSorted } from '../../../plugin/util/quantile.js';

export { quantile, quantileSorted } from '../../../plugin/util/quantile.js';

/** Mean, median and 95th percentile (linear between ranks, see quantileSorted) of samples, e.g. per-frame ms. */
export function summarize(samples: readonly number[]): { mean: number; p50: number; p95: number; n: number } {
  if (samples.length === 0) return { mean: NaN, p50: NaN, p95: NaN, n: 0 };
  const sorted = Float64Array.from(samples).sort();
  const mean = sorted.reduce((s, x) => s + x, 0) / sorted.length;
  return { mean, p50: quantileSorted(sorted, 0.5), p95: quantileSorted(sorted, 0.95), n: sorted.length };
}
