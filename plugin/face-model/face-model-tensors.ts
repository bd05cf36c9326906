import * as tf from '@tensorflow/tfjs-core';
import { CpemError } from '../errors/cpem-error.js';
import type { FaceModel, SurfacePoints } from './face-model.js';

/** A small linear model for K points: positions = mean + α · identity + β · expression, each row K × 3 values. */
interface PointBasis {
  readonly mean: tf.Tensor1D;
  readonly identity: tf.Tensor2D;
  readonly expression: tf.Tensor2D;
}

/**
 * The face model's bases as TF.js tensors, for batched, differentiable decoding in training and estimation.
 * `decode` gives all vertices; `landmarks68` and `faceMeshLandmarks` use bases built from the landmark rows only
 * (barycentric combinations of the vertex rows), so a landmark loss costs K × 3, not V × 3, per mode.
 * Holds tensors: call {@link FaceModelTensors.dispose} when done.
 */
export class FaceModelTensors {
  readonly vertexCount: number;
  readonly identityCount: number;
  readonly expressionCount: number;
  private readonly full: PointBasis;
  private readonly ibug: PointBasis;
  private readonly faceMesh: PointBasis;
  private disposed = false;

  constructor(readonly model: FaceModel) {
    this.vertexCount = model.vertexCount;
    this.identityCount = model.identityCount;
    this.expressionCount = model.expressionCount;
    const n = model.vertexCount * 3;
    this.full = {
      mean: tf.tensor1d(model.mean),
      identity: tf.tensor2d(model.identityBasis, [model.identityCount, n]),
      expression: tf.tensor2d(model.expressionBasis, [model.expressionCount, n]),
    };
    this.ibug = pointBasis(model, vertexRows(model, model.landmarks68));
    this.faceMesh = pointBasis(model, surfaceRows(model, model.faceMeshPoints));
  }

  /** Vertices [N, V, 3] for identity α [N, identityCount] and expression β [N, 46]. Differentiable in α and β. */
  decode(alpha: tf.Tensor2D, beta: tf.Tensor2D): tf.Tensor3D {
    return this.apply(this.full, alpha, beta, this.vertexCount, 'decode');
  }

  /** The 68 iBUG landmarks [N, 68, 3]. */
  landmarks68(alpha: tf.Tensor2D, beta: tf.Tensor2D): tf.Tensor3D {
    return this.apply(this.ibug, alpha, beta, 68, 'landmarks68');
  }

  /** The 478 face-mesh points [N, 478, 3] (468 mesh points, then the right and left iris, 5 each). */
  faceMeshLandmarks(alpha: tf.Tensor2D, beta: tf.Tensor2D): tf.Tensor3D {
    return this.apply(this.faceMesh, alpha, beta, this.model.faceMeshPoints.triangles.length, 'faceMeshLandmarks');
  }

  /** Frees every tensor this object holds. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const b of [this.full, this.ibug, this.faceMesh]) tf.dispose([b.mean, b.identity, b.expression]);
  }

  private apply(basis: PointBasis, alpha: tf.Tensor2D, beta: tf.Tensor2D, K: number, what: string): tf.Tensor3D {
    if (this.disposed)
      throw new CpemError('INVALID_ARGUMENT', `FaceModelTensors.${what}: this object was disposed; create a new one.`);
    if (alpha.rank !== 2 || alpha.shape[1] !== this.identityCount) {
      throw new CpemError(
        'INVALID_ARGUMENT',
        `FaceModelTensors.${what}: alpha must be shaped [N, ${this.identityCount}], got [${alpha.shape}].`,
      );
    }
    if (beta.rank !== 2 || beta.shape[1] !== this.expressionCount || beta.shape[0] !== alpha.shape[0]) {
      throw new CpemError(
        'INVALID_ARGUMENT',
        `FaceModelTensors.${what}: beta must be shaped [${alpha.shape[0]}, ${this.expressionCount}], got [${beta.shape}].`,
      );
    }
    return tf.tidy(() => {
      const flat = tf.add(tf.add(tf.matMul(alpha, basis.identity), tf.matMul(beta, basis.expression)), basis.mean);
      return tf.reshape(flat, [alpha.shape[0], K, 3]) as tf.Tensor3D;
    });
  }
}

type Rows = (src: Float32Array, rows: number, out: Float32Array) => void;

/** Copies the rows of the listed vertices from each mode. */
function vertexRows(model: FaceModel, vertices: Uint32Array): { K: number; rows: Rows } {
  const n = model.vertexCount * 3;
  return {
    K: vertices.length,
    rows: (src, count, out) => {
      for (let m = 0; m < count; m++)
        vertices.forEach((v, k) => {
          for (let d = 0; d < 3; d++) out[(m * vertices.length + k) * 3 + d] = src[m * n + v * 3 + d];
        });
    },
  };
}

/** Barycentric combinations of vertex rows from each mode. */
function surfaceRows(model: FaceModel, points: SurfacePoints): { K: number; rows: Rows } {
  const n = model.vertexCount * 3;
  const K = points.triangles.length;
  return {
    K,
    rows: (src, count, out) => {
      for (let m = 0; m < count; m++)
        for (let k = 0; k < K; k++)
          for (let c = 0; c < 3; c++) {
            const v = model.triangles[points.triangles[k] * 3 + c],
              w = points.weights[k * 3 + c];
            for (let d = 0; d < 3; d++) out[(m * K + k) * 3 + d] += w * src[m * n + v * 3 + d];
          }
    },
  };
}

function pointBasis(model: FaceModel, { K, rows }: { K: number; rows: Rows }): PointBasis {
  const mean = new Float32Array(K * 3),
    id = new Float32Array(model.identityCount * K * 3),
    ex = new Float32Array(model.expressionCount * K * 3);
  rows(model.mean, 1, mean);
  rows(model.identityBasis, model.identityCount, id);
  rows(model.expressionBasis, model.expressionCount, ex);
  return {
    mean: tf.tensor1d(mean),
    identity: tf.tensor2d(id, [model.identityCount, K * 3]),
    expression: tf.tensor2d(ex, [model.expressionCount, K * 3]),
  };
}
