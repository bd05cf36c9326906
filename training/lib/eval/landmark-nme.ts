// NME of 68 iBUG points against 68-point ground truth, as in the AFLW2000-3D protocol: mean point distance over
// sqrt(w·h) of the truth's bounding box. Pure functions, shared by the tracker's and the reconstruction's NME and by
// the iBUG-68 regressor's fit.

/** Mean NME per region: jaw 0-16, brows 17-26, nose 27-35, eyes 36-47, mouth 48-67. */
export type NmeRegions = Record<'jaw' | 'brows' | 'nose' | 'eyes' | 'mouth', number>;

const REGIONS = { jaw: [0, 17], brows: [17, 27], nose: [27, 36], eyes: [36, 48], mouth: [48, 68] } as const;

/** Sqrt of the area of the truth's bounding box (68 × 2 values): the NME normaliser. */
export function truthBoxSize(truth: ArrayLike<number>): number {
  let x0 = Infinity,
    x1 = -Infinity,
    y0 = Infinity,
    y1 = -Infinity;
  for (let i = 0; i < 68; i++) {
    x0 = Math.min(x0, truth[2 * i]);
    x1 = Math.max(x1, truth[2 * i]);
    y0 = Math.min(y0, truth[2 * i + 1]);
    y1 = Math.max(y1, truth[2 * i + 1]);
  }
  return Math.sqrt((x1 - x0) * (y1 - y0));
}

/**
 * NME of 68 points in iBUG order (`stride` values per point, x and y first) against 68-point truth, overall and
 * per region, with each point's own error.
 */
export function normalizedMeanError(
  points: ArrayLike<number>,
  stride: number,
  truth: ArrayLike<number>,
): { nme: number; regions: NmeRegions; perPoint: Float64Array } {
  const norm = truthBoxSize(truth);
  const perPoint = new Float64Array(68);
  for (let i = 0; i < 68; i++) {
    perPoint[i] = Math.hypot(points[stride * i] - truth[2 * i], points[stride * i + 1] - truth[2 * i + 1]) / norm;
  }
  const mean = (a: number, b: number) => perPoint.slice(a, b).reduce((s, v) => s + v, 0) / (b - a);
  const regions = Object.fromEntries(Object.entries(REGIONS).map(([k, [a, b]]) => [k, mean(a, b)])) as NmeRegions;
  return { nme: mean(0, 68), regions, perPoint };
}
