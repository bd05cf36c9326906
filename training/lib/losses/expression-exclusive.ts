import * as tf from '@tensorflow/tfjs-core';
import { CpemError } from '../../../plugin/errors/cpem-error.js';
import { CONTRADICTORY_GROUPS } from '../../../plugin/units/expression-units.js';
import '../tf/register-gradients.js';
import { NUM_EXPRESSION_UNITS } from '../../../plugin/constants.js';

type GroupPairs = ReadonlyArray<readonly [readonly number[], readonly number[]]>;

/** Builds the [G, U] 0/1 membership masks of side A and side B for each group pair. */
function groupMasks(groups: GroupPairs, numUnits: number): { a: Float32Array; b: Float32Array } {
  const a = new Float32Array(groups.length * numUnits);
  const b = new Float32Array(groups.length * numUnits);
  groups.forEach(([sideA, sideB], g) => {
    for (const i of sideA) a[g * numUnits + i] = 1;
    for (const i of sideB) b[g * numUnits + i] = 1;
  });
  return { a, b };
}

/** Side maxima compared per sample: [N, 2G] with 1 where A's (first G) or B's (last G) maximum wins. */
function winnerMasks(beta: tf.Tensor2D, maskA: tf.Tensor2D, maskB: tf.Tensor2D): tf.Tensor2D {
  const compare = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const b = args[0] as tf.Tensor2D;
    const expanded = tf.expandDims(b, 1); // [N, 1, U]
    const negInf = tf.fill([1, maskA.shape[0], maskA.shape[1]], -Infinity);
    const sideMax = (mask: tf.Tensor2D) =>
      tf.max(tf.where(tf.cast(tf.expandDims(mask, 0), 'bool'), expanded, negInf), 2);
    const maxA = sideMax(maskA);
    const maxB = sideMax(maskB);
    const value = tf.concat(
      [tf.cast(tf.greater(maxA, maxB), 'float32'), tf.cast(tf.greater(maxB, maxA), 'float32')],
      1,
    );
    return { value, gradFunc: (_dy: tf.Tensor | tf.Tensor[]) => tf.zerosLike(b) };
  });
  return compare(beta) as tf.Tensor2D;
}

/**
 * CPEM's expression-exclusive loss, winner takes all. For each contradictory group pair (A, B) and each
 * sample, the side whose largest coefficient is smaller is pushed to zero:
 * L = 1{max A > max B}·||β_B||² + 1{max B > max A}·||β_A||², summed over pairs and averaged over samples.
 * Ties push neither side. `beta` is [N, 46] (any leading batch shape is flattened).
 */
export function expressionExclusiveLoss(beta: tf.Tensor, groups: GroupPairs = CONTRADICTORY_GROUPS): tf.Scalar {
  const numUnits = beta.shape[beta.rank - 1];
  if (numUnits !== NUM_EXPRESSION_UNITS && groups === CONTRADICTORY_GROUPS) {
    throw new CpemError(
      'INVALID_ARGUMENT',
      `expressionExclusiveLoss expects ${NUM_EXPRESSION_UNITS} units in the last axis, got [${beta.shape}].`,
    );
  }
  const masks = groupMasks(groups, numUnits);
  return tf.tidy(() => {
    const b2 = tf.reshape(beta, [-1, numUnits]) as tf.Tensor2D;
    const maskA = tf.tensor2d(masks.a, [groups.length, numUnits]);
    const maskB = tf.tensor2d(masks.b, [groups.length, numUnits]);
    // Winners: non-differentiable comparisons of each side's maximum, made outside the gradient tape.
    const wins = winnerMasks(b2, maskA, maskB); // [N, 2G]: A wins | B wins
    const [aWins, bWins] = tf.split(wins, 2, 1);
    // Squared norms of each side: [N, U] x [U, G].
    const sq = tf.square(b2);
    const normA = tf.matMul(sq, maskA, false, true);
    const normB = tf.matMul(sq, maskB, false, true);
    const perSample = tf.sum(tf.add(tf.mul(aWins, normB), tf.mul(bWins, normA)), 1);
    return tf.mean(perSample) as tf.Scalar;
  });
}
