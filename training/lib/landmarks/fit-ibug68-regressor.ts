/**
 * Fits the iBUG-68 regressor (plugin/landmarks/ibug68-regressor.ts): each of the 68 points as an affine combination
 * (weights summing to 1) of the K face-mesh points nearest, on the canonical mesh, to the point's nearest-vertex
 * entry in IBUG68_FROM_FACE_MESH. Least squares over tracked faces with 68-point ground truth, in coordinates
 * divided by each face's truth box size (so every face counts alike), with a ridge pull λ towards the nearest-vertex
 * map. Each face also enters mirrored (mesh and iBUG points swapped by their mirror pairs), so the fitted map is
 * mirror-symmetric. K and λ are chosen by leave-one-group-out cross-validation (a group is one person).
 */
import { IBUG68_FROM_FACE_MESH, IBUG68_MIRROR } from '../../../plugin/landmarks/ibug68-from-face-mesh.js';
import type { Ibug68RegressorFile } from '../../../plugin/landmarks/ibug68-regressor.js';
import { solveSpd } from '../face-model-build/linalg.js';
import { mirrorMap } from '../face-model-build/geometry.js';
import { normalizedMeanError, truthBoxSize } from '../eval/landmark-nme.js';
import { NUM_MESH_POINTS } from '../../../plugin/constants.js';

/** One tracked face with its 68-point truth, both in image pixels. */
export interface RegressorSample {
  /** ≥ 468 × `stride` tracked landmarks; x, y first. */
  mesh: ArrayLike<number>;
  stride: number;
  /** 68 × 2. */
  truth: ArrayLike<number>;
  /** Cross-validation group (one person). */
  group: string;
  /** Relative weight in the fit (e.g. 1 / size of its dataset, so that datasets count alike). */
  weight: number;
}

export interface RegressorFit {
  neighbours: number;
  lambda: number;
  points: { vertices: number[]; weights: number[] }[];
}

/** The `count` canonical-mesh points nearest to point `centre` (itself first), ties broken by index. */
export function meshNeighbours(canonical: ArrayLike<number>, centre: number, count: number): number[] {
  const d = (j: number) =>
    (canonical[3 * j] - canonical[3 * centre]) ** 2 +
    (canonical[3 * j + 1] - canonical[3 * centre + 1]) ** 2 +
    (canonical[3 * j + 2] - canonical[3 * centre + 2]) ** 2;
  return Array.from({ length: NUM_MESH_POINTS }, (_, j) => j)
    .sort((a, b) => d(a) - d(b) || a - b)
    .slice(0, count);
}

interface Normalised {
  mesh: Float64Array /* 468 × 2 */;
  truth: Float64Array /* 68 × 2 */;
  weight: number;
}

function normalise(s: RegressorSample, mirror: Int32Array | null): Normalised {
  const n = truthBoxSize(s.truth);
  const sx = mirror ? -1 : 1;
  const mesh = new Float64Array(NUM_MESH_POINTS * 2);
  for (let k = 0; k < NUM_MESH_POINTS; k++) {
    const src = mirror ? mirror[k] : k;
    mesh[2 * k] = (sx * s.mesh[s.stride * src]) / n;
    mesh[2 * k + 1] = s.mesh[s.stride * src + 1] / n;
  }
  const truth = new Float64Array(136);
  for (let i = 0; i < 68; i++) {
    const src = mirror ? IBUG68_MIRROR[i] : i;
    truth[2 * i] = (sx * s.truth[2 * src]) / n;
    truth[2 * i + 1] = s.truth[2 * src + 1] / n;
  }
  return { mesh, truth, weight: s.weight };
}

/**
 * Weighted ridge least squares for one point under Σw = 1:
 * min Σ_s ω_s ‖Σ_k w_k m_sk − t_s‖² + λ‖w − e‖², e selecting the nearest-vertex entry (always `vertices[0]`).
 */
function fitPoint(data: readonly Normalised[], point: number, vertices: readonly number[], lambda: number): number[] {
  const K = vertices.length;
  if (K === 1) return [1];
  const A = new Float64Array(K * K),
    b = new Float64Array(K);
  const total = data.reduce((s, d) => s + d.weight, 0);
  for (const d of data) {
    const w = d.weight / total;
    for (let c = 0; c < 2; c++) {
      const t = d.truth[2 * point + c];
      for (let p = 0; p < K; p++) {
        const mp = d.mesh[2 * vertices[p] + c];
        b[p] += w * mp * t;
        for (let q = 0; q <= p; q++) A[p * K + q] += w * mp * d.mesh[2 * vertices[q] + c];
      }
    }
  }
  for (let p = 0; p < K; p++) for (let q = 0; q < p; q++) A[q * K + p] = A[p * K + q];
  b[0] += lambda;
  // Lagrange: w = (A + λI)⁻¹ (b − μ 1), μ chosen so that Σw = 1.
  const x = solveSpd(A, b, K, lambda);
  const y = solveSpd(A, new Float64Array(K).fill(1), K, lambda);
  const mu = (x.reduce((s, v) => s + v, 0) - 1) / y.reduce((s, v) => s + v, 0);
  return Array.from(x, (v, p) => v - mu * y[p]);
}

/** Fits the regressor with K neighbours and ridge λ on all samples (each also mirrored). */
export function fitIbug68Regressor(
  samples: readonly RegressorSample[],
  canonical: ArrayLike<number>,
  neighbours: number,
  lambda: number,
): RegressorFit {
  const { map: mirror } = mirrorMap(canonical, [[0, NUM_MESH_POINTS]], NUM_MESH_POINTS);
  const data = samples.flatMap((s) => [normalise(s, null), normalise(s, mirror)]);
  const points = IBUG68_FROM_FACE_MESH.map((centre, i) => {
    const vertices = meshNeighbours(canonical, centre, neighbours);
    return { vertices, weights: fitPoint(data, i, vertices, lambda) };
  });
  return { neighbours, lambda, points };
}

/** 68 × 2 points of a fitted map applied to a tracked mesh. */
export function applyFit(
  fit: Pick<Ibug68RegressorFile, 'points'>,
  mesh: ArrayLike<number>,
  stride: number,
): Float64Array {
  const out = new Float64Array(136);
  fit.points.forEach(({ vertices, weights }, i) => {
    for (let p = 0; p < vertices.length; p++) {
      out[2 * i] += weights[p] * mesh[stride * vertices[p]];
      out[2 * i + 1] += weights[p] * mesh[stride * vertices[p] + 1];
    }
  });
  return out;
}

/** Mean NME (mean point error / truth box size) of a fitted map over samples, unweighted. */
export function meanNmeOf(fit: Pick<Ibug68RegressorFile, 'points'>, samples: readonly RegressorSample[]): number {
  return (
    samples.reduce((sum, s) => sum + normalizedMeanError(applyFit(fit, s.mesh, s.stride), 2, s.truth).nme, 0) /
    Math.max(1, samples.length)
  );
}

export interface CrossValidationRow {
  neighbours: number;
  lambda: number;
  perGroup: Record<string, number>;
  mean: number;
}

/** Leave-one-group-out NME for each (K, λ) of the grid; rows in grid order. */
export function crossValidate(
  samples: readonly RegressorSample[],
  canonical: ArrayLike<number>,
  grid: readonly { neighbours: number; lambda: number }[],
): CrossValidationRow[] {
  const groups = [...new Set(samples.map((s) => s.group))].sort();
  if (groups.length < 2) throw new Error(`cross-validation needs at least two groups (persons); got ${groups.length}`);
  return grid.map(({ neighbours, lambda }) => {
    const perGroup: Record<string, number> = {};
    for (const g of groups) {
      const fit = fitIbug68Regressor(
        samples.filter((s) => s.group !== g),
        canonical,
        neighbours,
        lambda,
      );
      perGroup[g] = meanNmeOf(
        fit,
        samples.filter((s) => s.group === g),
      );
    }
    const mean = groups.reduce((s, g) => s + perGroup[g], 0) / groups.length;
    return { neighbours, lambda, perGroup, mean };
  });
}
