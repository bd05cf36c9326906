import { CpemError } from '../errors/cpem-error.js';
import { EXPRESSION_UNITS } from '../units/expression-units.js';
import { readAsset } from '../util/read-asset.js';
import { decodeFaceModelFile, type FaceModelHeader } from './face-model-format.js';
import { NUM_EXPRESSION_UNITS, NUM_FACE_LANDMARKS } from '../constants.js';

/** A point on the model surface: a triangle and barycentric weights of its three corners. */
export interface SurfacePoints {
  /** Triangle index of each point. */
  readonly triangles: Uint32Array;
  /** Barycentric weights, 3 per point, summing to 1. */
  readonly weights: Float32Array;
}

/**
 * The linear 3D face model: S = mean + Σ α_i · identity_i + Σ β_j · expression_j, in millimetres, x to the subject's
 * left, y up, z towards the viewer. Identity weights α are ~N(0, 1) (80 modes); expression weights β are the 46
 * units of {@link EXPRESSION_UNITS}, each in [0, 1]. Vertex positions are flat arrays [x0, y0, z0, x1, ...].
 *
 * Load it with {@link FaceModel.load}; for TF.js (batched, differentiable) use `FaceModelTensors`.
 */
export class FaceModel {
  readonly vertexCount: number;
  readonly triangleCount: number;
  readonly identityCount: number;
  readonly expressionCount: number;
  /** Mean (neutral) shape, V × 3 values. */
  readonly mean: Float32Array;
  /** Identity modes, identityCount × V × 3 values (mode-major). */
  readonly identityBasis: Float32Array;
  /** Expression units in {@link EXPRESSION_UNITS} order, 46 × V × 3 values. */
  readonly expressionBasis: Float32Array;
  /** Triangles, 3 vertex indices each, counter-clockwise seen from outside. */
  readonly triangles: Uint32Array;
  /** The 68 iBUG landmark vertices (Multi-PIE order, from the ICT model). */
  readonly landmarks68: Uint32Array;
  /** The 478 face-mesh points (468 mesh + 10 iris) as points on the surface. */
  readonly faceMeshPoints: SurfacePoints;
  /** Vertex ranges [start, end) of the face and the eyeballs. */
  readonly regions: FaceModelHeader['regions'];
  /** The file's header: counts, build facts and measured errors. */
  readonly header: FaceModelHeader;

  private constructor(header: FaceModelHeader, arrays: Record<string, ArrayLike<number>>) {
    this.header = header;
    const V = header.vertexCount;
    const need = (name: string, length: number): ArrayLike<number> => {
      const a = arrays[name];
      if (!a)
        throw new CpemError(
          'FACE_MODEL_INVALID',
          `Face model file: section "${name}" is missing. Regenerate it with \`npm run build:face-model\`.`,
        );
      if (a.length !== length)
        throw new CpemError(
          'FACE_MODEL_INVALID',
          `Face model file: section "${name}" has ${a.length} values, expected ${length}.`,
        );
      return a;
    };
    if (
      header.expressionNames.length !== NUM_EXPRESSION_UNITS ||
      header.expressionNames.some((n, i) => n !== EXPRESSION_UNITS[i])
    ) {
      throw new CpemError(
        'FACE_MODEL_INVALID',
        'Face model file: its expression units are not the 46 units of EXPRESSION_UNITS in order.',
      );
    }
    this.vertexCount = V;
    this.triangleCount = header.triangleCount;
    this.identityCount = header.identityCount;
    this.expressionCount = NUM_EXPRESSION_UNITS;
    this.mean = Float32Array.from(need('mean', V * 3));
    this.identityBasis = dequantise(
      need('identity', this.identityCount * V * 3),
      need('identityScale', this.identityCount),
      V * 3,
    );
    this.expressionBasis = dequantise(
      need('expression', this.expressionCount * V * 3),
      need('expressionScale', this.expressionCount),
      V * 3,
    );
    this.triangles = Uint32Array.from(need('triangles', this.triangleCount * 3));
    this.landmarks68 = Uint32Array.from(need('landmarks68', 68));
    this.faceMeshPoints = {
      triangles: Uint32Array.from(need('faceMeshTriangles', NUM_FACE_LANDMARKS)),
      weights: Float32Array.from(need('faceMeshWeights', NUM_FACE_LANDMARKS * 3)),
    };
    this.regions = header.regions;
    const badIndex = (a: Uint32Array, limit: number) => a.some((i) => i >= limit);
    if (
      badIndex(this.triangles, V) ||
      badIndex(this.landmarks68, V) ||
      badIndex(this.faceMeshPoints.triangles, this.triangleCount)
    ) {
      throw new CpemError(
        'FACE_MODEL_INVALID',
        'Face model file: an index points past the end of the vertex or triangle list.',
      );
    }
  }

  /** Parses a face-model file held in memory. Throws a `CpemError` naming what is wrong with a bad file. */
  static fromArrayBuffer(buffer: ArrayBuffer | Uint8Array): FaceModel {
    const { header, arrays } = decodeFaceModelFile(buffer);
    return new FaceModel(header, arrays);
  }

  /**
   * Loads from an ArrayBuffer / bytes, a URL (http(s):, blob:, data: or relative to the page), or, in Node, a file
   * path or file: URL. A file that cannot be read raises WEIGHTS_MISSING, a damaged one FACE_MODEL_INVALID.
   */
  static async load(source: string | URL | ArrayBuffer | Uint8Array): Promise<FaceModel> {
    if (source instanceof ArrayBuffer || source instanceof Uint8Array) return FaceModel.fromArrayBuffer(source);
    if (typeof source !== 'string' && !(source instanceof URL))
      throw new CpemError('INVALID_ARGUMENT', 'FaceModel.load: pass a URL, a file path (Node) or an ArrayBuffer.');
    return FaceModel.fromArrayBuffer(
      await readAsset(
        source,
        'Face model',
        'Check the URL or path: the package ships it as weights/face-model.bin (`npm run build:face-model` rebuilds it).',
      ),
    );
  }

  /**
   * Vertex positions for identity `alpha` (up to identityCount values; missing ones are 0) and expression `beta`
   * (46 values in EXPRESSION_UNITS order; missing ones are 0). Writes into `out` when given.
   */
  decode(alpha?: ArrayLike<number>, beta?: ArrayLike<number>, out?: Float32Array): Float32Array {
    const n = this.vertexCount * 3;
    const result = out ?? new Float32Array(n);
    if (result.length !== n)
      throw new CpemError(
        'INVALID_ARGUMENT',
        `FaceModel.decode: out must hold ${n} values, it holds ${result.length}.`,
      );
    result.set(this.mean);
    addModes(result, this.identityBasis, alpha, this.identityCount, 'alpha');
    addModes(result, this.expressionBasis, beta, this.expressionCount, 'beta');
    return result;
  }

  /** The 68 iBUG landmarks of a decoded shape, 68 × 3 values. */
  landmarks68Of(vertices: Float32Array): Float32Array {
    const out = new Float32Array(68 * 3);
    this.landmarks68.forEach((v, k) => {
      out[k * 3] = vertices[v * 3];
      out[k * 3 + 1] = vertices[v * 3 + 1];
      out[k * 3 + 2] = vertices[v * 3 + 2];
    });
    return out;
  }

  /** The 478 face-mesh points of a decoded shape (face-mesh landmark order), 478 × 3 values. */
  faceMeshLandmarksOf(vertices: Float32Array): Float32Array {
    return surfacePointsOf(this.triangles, this.faceMeshPoints, vertices);
  }

  /** Area-weighted unit vertex normals of a decoded shape, V × 3 values (pointing out of the face). */
  vertexNormals(vertices: Float32Array): Float32Array {
    const normals = new Float32Array(vertices.length);
    const t = this.triangles;
    for (let f = 0; f < this.triangleCount; f++) {
      const a = t[f * 3] * 3,
        b = t[f * 3 + 1] * 3,
        c = t[f * 3 + 2] * 3;
      const ux = vertices[b] - vertices[a],
        uy = vertices[b + 1] - vertices[a + 1],
        uz = vertices[b + 2] - vertices[a + 2];
      const vx = vertices[c] - vertices[a],
        vy = vertices[c + 1] - vertices[a + 1],
        vz = vertices[c + 2] - vertices[a + 2];
      const nx = uy * vz - uz * vy,
        ny = uz * vx - ux * vz,
        nz = ux * vy - uy * vx;
      for (const p of [a, b, c]) {
        normals[p] += nx;
        normals[p + 1] += ny;
        normals[p + 2] += nz;
      }
    }
    for (let p = 0; p < normals.length; p += 3) {
      const len = Math.hypot(normals[p], normals[p + 1], normals[p + 2]) || 1;
      normals[p] /= len;
      normals[p + 1] /= len;
      normals[p + 2] /= len;
    }
    return normals;
  }
}

/** Positions of surface points on a decoded shape. */
export function surfacePointsOf(triangles: Uint32Array, points: SurfacePoints, vertices: Float32Array): Float32Array {
  const K = points.triangles.length;
  const out = new Float32Array(K * 3);
  for (let k = 0; k < K; k++) {
    const f = points.triangles[k];
    for (let c = 0; c < 3; c++) {
      const v = triangles[f * 3 + c] * 3;
      const w = points.weights[k * 3 + c];
      out[k * 3] += w * vertices[v];
      out[k * 3 + 1] += w * vertices[v + 1];
      out[k * 3 + 2] += w * vertices[v + 2];
    }
  }
  return out;
}

function dequantise(q: ArrayLike<number>, scales: ArrayLike<number>, stride: number): Float32Array {
  const out = new Float32Array(q.length);
  for (let m = 0; m < scales.length; m++) {
    const s = scales[m];
    for (let i = m * stride; i < (m + 1) * stride; i++) out[i] = q[i] * s;
  }
  return out;
}

function addModes(
  out: Float32Array,
  basis: Float32Array,
  w: ArrayLike<number> | undefined,
  count: number,
  what: string,
): void {
  if (!w) return;
  if (w.length > count)
    throw new CpemError(
      'INVALID_ARGUMENT',
      `FaceModel.decode: ${what} has ${w.length} values, the model has ${count}.`,
    );
  const n = out.length;
  for (let m = 0; m < w.length; m++) {
    const x = w[m];
    if (!Number.isFinite(x))
      throw new CpemError('INVALID_ARGUMENT', `FaceModel.decode: ${what}[${m}] is ${x}; pass finite numbers.`);
    if (x === 0) continue;
    const base = m * n;
    for (let i = 0; i < n; i++) out[i] += x * basis[base + i];
  }
}
