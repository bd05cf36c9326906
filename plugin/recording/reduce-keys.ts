import { CpemError } from '../errors/cpem-error.js';

/** How far a reduced channel may stray from the recorded one. */
export interface KeyTolerance {
  /** Largest difference in influence (0..1) between the recorded value and the reduced curve. Default 0.01. */
  influence?: number;
  /** Largest angle (radians) between the recorded head rotation and the reduced one. Default 0.5° (0.00873). */
  rotation?: number;
}

export const DEFAULT_KEY_TOLERANCE: Required<KeyTolerance> = { influence: 0.01, rotation: (0.5 * Math.PI) / 180 };

/**
 * Ramer-Douglas-Peucker over a sampled curve of `n` points: keeps the first and last point and every point in
 * `forced`, then, within each kept span (a, b), the point whose `error(i, a, b)` (its distance from the curve
 * interpolated between a and b) is largest, while that error is above `tolerance`. Returns the kept indices, in order.
 * Iterative (no recursion depth limit).
 */
export function reduceCurve(
  n: number,
  error: (i: number, a: number, b: number) => number,
  tolerance: number,
  forced: readonly number[] = [],
): number[] {
  if (!(tolerance >= 0))
    throw new CpemError('INVALID_ARGUMENT', `a key tolerance must be a number >= 0; got ${tolerance}.`);
  if (n <= 2) return Array.from({ length: n }, (_, i) => i);
  const keep = new Uint8Array(n);
  keep[0] = keep[n - 1] = 1;
  for (const f of forced) if (f >= 0 && f < n) keep[f] = 1;
  const spans: Array<[number, number]> = [];
  let prev = 0;
  for (let i = 1; i < n; i++) {
    if (keep[i]) {
      spans.push([prev, i]);
      prev = i;
    }
  }
  while (spans.length > 0) {
    const [a, b] = spans.pop()!;
    let worst = -1;
    let worstError = tolerance;
    for (let i = a + 1; i < b; i++) {
      const e = error(i, a, b);
      if (e > worstError) {
        worstError = e;
        worst = i;
      }
    }
    if (worst >= 0) {
      keep[worst] = 1;
      spans.push([a, worst], [worst, b]);
    }
  }
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (keep[i]) out.push(i);
  return out;
}

/** A channel after reduction: the kept keys and the largest error of the dropped points against the reduced curve. */
export interface ReducedChannel {
  readonly times: Float64Array;
  /** One value per key (influence), or four (quaternion x, y, z, w). */
  readonly values: Float32Array;
  readonly maxError: number;
}

/** Linear interpolation of `values` at `times` to time `t` (clamped at both ends). */
export function sampleScalar(times: ArrayLike<number>, values: ArrayLike<number>, t: number): number {
  const n = times.length;
  if (t <= times[0]) return values[0];
  if (t >= times[n - 1]) return values[n - 1];
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (times[mid] <= t) lo = mid;
    else hi = mid;
  }
  const s = (t - times[lo]) / (times[hi] - times[lo]);
  return values[lo] + s * (values[hi] - values[lo]);
}

/** Reduces one influence channel: piecewise-linear in time, error = |recorded − interpolated|. */
export function reduceScalarChannel(
  times: Float64Array,
  values: Float32Array,
  tolerance: number,
  forced: readonly number[] = [],
): ReducedChannel {
  const lerpError = (i: number, a: number, b: number) => {
    const s = (times[i] - times[a]) / (times[b] - times[a]);
    return Math.abs(values[i] - (values[a] + s * (values[b] - values[a])));
  };
  const kept = reduceCurve(times.length, lerpError, tolerance, forced);
  const keyTimes = Float64Array.from(kept, (i) => times[i]);
  const keyValues = Float32Array.from(kept, (i) => values[i]);
  let maxError = 0;
  for (let i = 0; i < times.length; i++)
    maxError = Math.max(maxError, Math.abs(values[i] - sampleScalar(keyTimes, keyValues, times[i])));
  return { times: keyTimes, values: keyValues, maxError };
}

/** Spherical interpolation of unit quaternions a → b (shortest arc) at s, into out (x, y, z, w). */
export function slerp(q: ArrayLike<number>, a: number, b: number, s: number, out: Float64Array): Float64Array {
  let dot =
    q[a * 4] * q[b * 4] + q[a * 4 + 1] * q[b * 4 + 1] + q[a * 4 + 2] * q[b * 4 + 2] + q[a * 4 + 3] * q[b * 4 + 3];
  const sign = dot < 0 ? -1 : 1;
  dot *= sign;
  let wa: number;
  let wb: number;
  if (dot > 0.999999) {
    wa = 1 - s;
    wb = s * sign;
  } else {
    const theta = Math.acos(dot);
    const sin = Math.sin(theta);
    wa = Math.sin((1 - s) * theta) / sin;
    wb = (Math.sin(s * theta) / sin) * sign;
  }
  for (let k = 0; k < 4; k++) out[k] = wa * q[a * 4 + k] + wb * q[b * 4 + k];
  return out;
}

/** The angle (radians) between the rotation at `i` in `q` and the quaternion `r`. */
export function rotationAngle(q: ArrayLike<number>, i: number, r: ArrayLike<number>): number {
  const n = Math.hypot(r[0], r[1], r[2], r[3]) * Math.hypot(q[i * 4], q[i * 4 + 1], q[i * 4 + 2], q[i * 4 + 3]) || 1;
  const dot = Math.abs(q[i * 4] * r[0] + q[i * 4 + 1] * r[1] + q[i * 4 + 2] * r[2] + q[i * 4 + 3] * r[3]) / n;
  return 2 * Math.acos(Math.min(1, dot));
}

/** Reduces a head rotation channel (4 numbers a frame): error = angle between recorded and slerped rotations. */
export function reduceRotationChannel(
  times: Float64Array,
  quaternions: Float32Array,
  tolerance: number,
  forced: readonly number[] = [],
): ReducedChannel {
  const tmp = new Float64Array(4);
  const slerpError = (i: number, a: number, b: number) =>
    rotationAngle(quaternions, i, slerp(quaternions, a, b, (times[i] - times[a]) / (times[b] - times[a]), tmp));
  const kept = reduceCurve(times.length, slerpError, tolerance, forced);
  const keyTimes = Float64Array.from(kept, (i) => times[i]);
  const keyValues = new Float32Array(kept.length * 4);
  kept.forEach((f, k) => keyValues.set(quaternions.subarray(f * 4, f * 4 + 4), k * 4));
  // The largest error over every recorded frame, against the reduced curve.
  let maxError = 0;
  let k = 0;
  for (let i = 0; i < times.length; i++) {
    while (k < kept.length - 2 && times[i] > keyTimes[k + 1]) k++;
    const s = Math.min(1, Math.max(0, (times[i] - keyTimes[k]) / (keyTimes[k + 1] - keyTimes[k] || 1)));
    maxError = Math.max(
      maxError,
      kept.length === 1 ? 0 : rotationAngle(quaternions, i, slerp(keyValues, k, k + 1, s, tmp)),
    );
  }
  return { times: keyTimes, values: keyValues, maxError };
}
