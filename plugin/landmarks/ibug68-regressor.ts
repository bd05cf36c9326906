/**
 * The 68 iBUG landmarks (the dlib / 300-W / AFLW2000-3D layout) from a tracked face mesh.
 *
 * Each iBUG point is a fixed affine combination (weights summing to 1) of a few face-mesh points around its
 * nearest-vertex entry in IBUG68_FROM_FACE_MESH, fitted by least squares to annotated faces
 * (weights/ibug68-regressor.json; `npm run fit:ibug68` regenerates it, weights/NOTICE.md names the data). The
 * same weights apply to x, y and z, so the map commutes with any rotation, scale and translation of the mesh.
 */
import regressorFile from '../../weights/ibug68-regressor.json';
import { CpemError } from '../errors/cpem-error.js';
import { IBUG68_FROM_FACE_MESH } from './ibug68-from-face-mesh.js';
import { NUM_MESH_POINTS } from '../constants.js';

export const IBUG68_REGRESSOR_FORMAT = 'cpem-ibug68-regressor';

/** Layout of weights/ibug68-regressor.json. */
export interface Ibug68RegressorFile {
  format: typeof IBUG68_REGRESSOR_FORMAT;
  version: 1;
  /** Face-mesh points per iBUG point (K). */
  neighbours: number;
  /** Ridge pull towards the nearest-vertex map, in squared units of the face box. */
  lambda: number;
  /** 68 entries in iBUG order: face-mesh point indices (0-467) and their weights (summing to 1). */
  points: { vertices: number[]; weights: number[] }[];
  /** How the file was made: data, cross-validation, command. Informative only. */
  provenance?: unknown;
}

/** Checks a regressor file's layout; throws WEIGHTS_CORRUPT saying what is wrong. */
export function validateIbug68Regressor(file: unknown, source = 'ibug68-regressor.json'): Ibug68RegressorFile {
  const bad = (why: string) =>
    new CpemError('WEIGHTS_CORRUPT', `${source}: ${why}; regenerate it with npm run fit:ibug68`);
  const f = file as Partial<Ibug68RegressorFile> | null;
  if (!f || f.format !== IBUG68_REGRESSOR_FORMAT || f.version !== 1)
    throw bad(`expected format "${IBUG68_REGRESSOR_FORMAT}" version 1`);
  if (!Array.isArray(f.points) || f.points.length !== 68) throw bad('expected 68 points');
  f.points.forEach((p, i) => {
    const ok =
      p &&
      Array.isArray(p.vertices) &&
      Array.isArray(p.weights) &&
      p.vertices.length > 0 &&
      p.vertices.length === p.weights.length &&
      p.vertices.every((v) => Number.isInteger(v) && v >= 0 && v < NUM_MESH_POINTS) &&
      p.weights.every(Number.isFinite);
    if (!ok) throw bad(`point ${i} needs equally long vertices (integers 0-467) and finite weights`);
    const sum = p.weights.reduce((s, w) => s + w, 0);
    if (Math.abs(sum - 1) > 1e-4) throw bad(`point ${i}'s weights sum to ${sum}, not 1`);
  });
  return f as Ibug68RegressorFile;
}

/** The unfitted map: each iBUG point is its nearest-vertex entry in IBUG68_FROM_FACE_MESH (for comparison). */
export function nearestVertexRegressor(): Ibug68RegressorFile {
  return {
    format: IBUG68_REGRESSOR_FORMAT,
    version: 1,
    neighbours: 1,
    lambda: 0,
    points: IBUG68_FROM_FACE_MESH.map((v) => ({ vertices: [v], weights: [1] })),
  };
}

/** The shipped regressor, checked once when first used. */
let shipped: Ibug68RegressorFile | null = null;
function shippedRegressor(): Ibug68RegressorFile {
  shipped ??= validateIbug68Regressor(regressorFile);
  return shipped;
}

/**
 * 68 iBUG landmarks (68 × 3: x, y, z in the input's units) from one face's tracked landmarks (≥ 468 points, 3 values
 * each, as in `TrackedFace.landmarks`). Writes into `out` when given.
 */
export function ibug68Landmarks(
  landmarks: ArrayLike<number>,
  out: Float32Array = new Float32Array(68 * 3),
  regressor: Ibug68RegressorFile = shippedRegressor(),
): Float32Array {
  if (!landmarks || landmarks.length < NUM_MESH_POINTS * 3) {
    throw new CpemError(
      'INVALID_ARGUMENT',
      `ibug68Landmarks needs a face's tracked landmarks (at least 468 × 3 numbers); got ${landmarks?.length ?? landmarks}`,
    );
  }
  if (out.length < 68 * 3)
    throw new CpemError('INVALID_ARGUMENT', `ibug68Landmarks: out must hold 204 numbers; got ${out.length}`);
  regressor.points.forEach(({ vertices, weights }, i) => {
    let x = 0,
      y = 0,
      z = 0;
    for (let p = 0; p < vertices.length; p++) {
      const k = 3 * vertices[p],
        w = weights[p];
      x += w * landmarks[k];
      y += w * landmarks[k + 1];
      z += w * landmarks[k + 2];
    }
    out[3 * i] = x;
    out[3 * i + 1] = y;
    out[3 * i + 2] = z;
  });
  return out;
}
