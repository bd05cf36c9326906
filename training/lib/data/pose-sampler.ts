import type { SeededRandom } from '../../../plugin/util/seeded-random.js';

/** Head-pose ranges for synthetic data, in radians (± half-width, Gaussian with the given spread, clipped). */
export interface PoseSamplerOptions {
  /** Yaw (turning left/right) spread and limit. Default σ 0.35, |yaw| ≤ 0.9 (about 50°). */
  yaw?: { sigma: number; limit: number };
  /** Pitch (nodding) spread and limit. Default σ 0.2, |pitch| ≤ 0.5. */
  pitch?: { sigma: number; limit: number };
  /** Roll (tilting) spread and limit. Default σ 0.12, |roll| ≤ 0.4. */
  roll?: { sigma: number; limit: number };
}

/** Draws [pitch, yaw, roll] in radians. */
export function samplePose(random: SeededRandom, options: PoseSamplerOptions = {}): Float32Array {
  const draw = (r: { sigma: number; limit: number }) =>
    Math.max(-r.limit, Math.min(r.limit, r.sigma * random.normal()));
  return Float32Array.of(
    draw(options.pitch ?? { sigma: 0.2, limit: 0.5 }),
    draw(options.yaw ?? { sigma: 0.35, limit: 0.9 }),
    draw(options.roll ?? { sigma: 0.12, limit: 0.4 }),
  );
}

/** Draws identity coefficients α ~ N(0, σ²) (the face model's modes are scaled to unit variance). */
export function sampleIdentity(random: SeededRandom, count: number, sigma = 1): Float32Array {
  const alpha = new Float32Array(count);
  for (let i = 0; i < count; i++) alpha[i] = sigma * random.normal();
  return alpha;
}
