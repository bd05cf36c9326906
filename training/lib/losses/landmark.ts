import * as tf from '@tensorflow/tfjs-core';
import { CpemError } from '../../../plugin/errors/cpem-error.js';
import '../tf/register-gradients.js';

/**
 * Weighted landmark loss: for each sample, Σ_l w_l·||p_l − q_l||² / Σ_l w_l, averaged over samples.
 * `predicted` and `target` are [N, L, D] (D = 2 for image landmarks); `weights` has L entries (CPEM: 1 on
 * the face contour, 10 inside). An optional `visible` [N, L] mask of 0/1 drops landmarks from a sample.
 */
export function landmarkLoss(
  predicted: tf.Tensor3D,
  target: tf.Tensor3D,
  weights: ArrayLike<number>,
  visible?: tf.Tensor2D,
): tf.Scalar {
  if (predicted.rank !== 3 || target.rank !== 3 || predicted.shape.some((s, i) => s !== target.shape[i])) {
    throw new CpemError(
      'INVALID_ARGUMENT',
      `landmarkLoss expects predicted and target of one shape [N, L, D], got [${predicted.shape}] and [${target.shape}].`,
    );
  }
  const numLandmarks = predicted.shape[1];
  if (weights.length !== numLandmarks) {
    throw new CpemError(
      'INVALID_ARGUMENT',
      `landmarkLoss has ${weights.length} weights for ${numLandmarks} landmarks.`,
    );
  }
  return tf.tidy(() => {
    const squared = tf.sum(tf.square(tf.sub(predicted, target)), 2); // [N, L]
    let w: tf.Tensor = tf.tensor2d(Float32Array.from(weights), [1, numLandmarks]);
    if (visible) w = tf.mul(w, visible);
    const perSample = tf.div(
      tf.sum(tf.mul(squared, w), 1),
      tf.maximum(tf.sum(tf.broadcastTo(w, squared.shape), 1), 1e-8),
    );
    return tf.mean(perSample) as tf.Scalar;
  });
}

/** CPEM's landmark weights: `contourWeight` on contour landmarks (indices in `contour`), `innerWeight` elsewhere. */
export function contourWeightedLandmarks(
  count: number,
  contour: readonly number[],
  contourWeight = 1,
  innerWeight = 10,
): Float32Array {
  const w = new Float32Array(count).fill(innerWeight);
  for (const i of contour) w[i] = contourWeight;
  return w;
}
