/** Mean, median and 95th percentile of samples (e.g. per-frame milliseconds): the training library's summary. */
export { summarize } from '../../training/lib/eval/quantile.js';

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
