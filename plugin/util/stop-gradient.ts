import * as tf from '@tensorflow/tfjs-core';

const blockGradient = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const x = args[0] as tf.Tensor;
  return { value: x.clone(), gradFunc: (dy: tf.Tensor | tf.Tensor[]) => tf.zerosLike(dy as tf.Tensor) };
});

/**
 * Passes `x` through unchanged in the forward pass and blocks its gradient: the TF.js counterpart of
 * `tf.stop_gradient`, used for CPEM's pseudo labels (ᾱ) that must not be optimised towards.
 */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  return blockGradient(x) as T;
}
