import * as tf from '@tensorflow/tfjs-core';
import { CpemError } from '../../../plugin/errors/cpem-error.js';
import { stopGradient } from './stop-gradient.js';
import '../tf/register-gradients.js';

/**
 * CPEM's identity-consistent loss. `alpha` holds identity coefficients for P persons × T frames of each,
 * shaped [P, T, K]. For each person the mean ᾱ over its T frames is a pseudo label held fixed (no gradient),
 * and the loss is Σ_t ||α_t − ᾱ||², averaged over the P persons.
 */
export function identityConsistencyLoss(alpha: tf.Tensor3D): tf.Scalar {
  if (alpha.rank !== 3) {
    throw new CpemError(
      'INVALID_ARGUMENT',
      `identityConsistencyLoss expects alpha shaped [persons, frames, K], got [${alpha.shape}].`,
    );
  }
  return tf.tidy(() => {
    const mean = stopGradient(tf.mean(alpha, 1, true));
    const perPerson = tf.sum(tf.square(tf.sub(alpha, mean)), [1, 2]);
    return tf.mean(perPerson) as tf.Scalar;
  });
}
