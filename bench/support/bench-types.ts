/** One row of `npm run bench` output. */
export interface BenchRow {
  /** The benchmark's name, e.g. 'tracker' or 'retarget'. */
  bench: string;
  /** What was measured, e.g. 'landmarks (tracking mode)'. */
  case: string;
  /** TF.js backend or other variant, when it matters. */
  backend?: string;
  /** Filled in by the runner: 'node' or 'chromium'. */
  env?: 'node' | 'chromium';
  /** Unit of mean/p50/p95/value, e.g. 'ms', 'µs', 'tensors', 'fps'. */
  unit: string;
  mean?: number;
  p50?: number;
  p95?: number;
  /** A single figure (counts, ratios) where mean/p50/p95 do not apply. */
  value?: number;
  /** Number of samples. */
  n?: number;
  /** Free-form remark, e.g. the clip used. */
  note?: string;
}

/** What a benchmark gets: where ../shared is (null when absent) and a progress logger. */
export interface BenchContext {
  sharedDir: string | null;
  log(message: string): void;
}

/** A benchmark module's default export. */
export type BenchFunction = (ctx: BenchContext) => Promise<BenchRow[]>;
