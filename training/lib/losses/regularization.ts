import * as tf from '@tensorflow/tfjs-core';
import '../tf/register-gradients.js';

/** Identity regulariser: ||α||² per sample, averaged over the batch. `alpha` is [..., K]. */
export function identityRegularization(alpha: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.sum(tf.square(alpha), -1)) as tf.Scalar);
}

/** Expression sparsity: l1 norm of β per sample, averaged over the batch. `beta` is [..., 46]. */
export function expressionSparsity(beta: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.sum(tf.abs(beta), -1)) as tf.Scalar);
}
