/** Mean, median and 95th percentile of samples (e.g. per-frame milliseconds). */
export function summarize(samples: readonly number[]): { mean: number; p50: number; p95: number; n: number } {
  if (samples.length === 0) return { mean: NaN, p50: NaN, p95: NaN, n: 0 };
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1) + 0.5))];
  const mean = sorted.reduce((s, x) => s + x, 0) / sorted.length;
  return { mean, p50: at(0.5), p95: at(0.95), n: sorted.length };
}

/** Times `fn` over `iterations` calls after `warmup` calls; returns per-call milliseconds. */
export async function timeCalls(fn: () => unknown, iterations: number, warmup = 5): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const out: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out;
}
