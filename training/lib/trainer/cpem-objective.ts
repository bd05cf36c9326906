import * as tf from '@tensorflow/tfjs-core';
import type { FaceModelTensors } from '../../../plugin/face-model/face-model-tensors.js';
import type { PeNetOutput } from '../../../plugin/estimator/pe-net.js';
import { projectPointsBatch } from '../../../plugin/geometry/head-pose.js';
import { faceMeshLandmarkWeights } from '../../../plugin/estimator/landmark-features.js';
import { identityConsistencyLoss } from '../losses/identity-consistency.js';
import { expressionExclusiveLoss } from '../losses/expression-exclusive.js';
import { landmarkLoss } from '../losses/landmark.js';
import { identityRegularization, expressionSparsity } from '../losses/regularization.js';
import type { FaceBatch } from '../data/synthetic-batch.js';
import type { LossWeights } from './training-config.js';

/**
 * Landmarks are compared in pixels of a 224 px face box, the input size the paper's loss weights were set for,
 * so that λ_lm = 0.1 keeps its meaning next to λ_idc = 1000 and the regularisers.
 */
export const LANDMARK_PIXEL_SCALE = 224;

const DEFAULT_LANDMARK_WEIGHTS = faceMeshLandmarkWeights();

/** The loss terms of one batch, each before weighting, and their weighted sum. Scalars: dispose them. */
export interface ObjectiveTerms {
  total: tf.Scalar;
  terms: Record<string, tf.Scalar>;
}

/**
 * CPEM's objective on one batch of P persons × T frames:
 * λ_lm·L_lm + λ_idc·L_idc + λ_exp·L_exp + λ_α·||α||² + λ_sp·|β|₁ (+ beyond the paper: synthetic supervision where
 * ground truth exists, and on real frames a teacher's unit values and categories labelled by eye, where given). `landmarkWeights` weigh the 478 points (default: contour 1, inner 10). Terms with weight 0 are not computed. Call it inside a tidy scope (an optimiser's
 * minimize, or tf.tidy): intermediate tensors are left to that scope.
 */
export function cpemObjective(
  model: FaceModelTensors,
  out: PeNetOutput,
  batch: FaceBatch,
  weights: LossWeights,
  landmarkWeights: Float32Array = DEFAULT_LANDMARK_WEIGHTS,
): ObjectiveTerms {
  const terms: Record<string, tf.Scalar> = {};
  const weighted: tf.Scalar[] = [];
  const add = (name: string, weight: number, compute: () => tf.Scalar) => {
    if (weight <= 0) return;
    const value = compute();
    terms[name] = value;
    weighted.push(tf.mul(value, weight) as tf.Scalar);
  };
  add('landmark', weights.landmark, () =>
    tf.tidy(() => {
      const points = projectPointsBatch(
        model.faceMeshLandmarks(out.identity, out.expression),
        out.rotation,
        out.translation,
      );
      return landmarkLoss(
        tf.mul(points, LANDMARK_PIXEL_SCALE) as tf.Tensor3D,
        tf.mul(batch.landmarks, LANDMARK_PIXEL_SCALE) as tf.Tensor3D,
        landmarkWeights,
      );
    }),
  );
  add('identityConsistency', batch.frames > 1 ? weights.identityConsistency : 0, () =>
    tf.tidy(() => identityConsistencyLoss(tf.reshape(out.identity, [batch.persons, batch.frames, -1]) as tf.Tensor3D)),
  );
  add('expressionExclusive', weights.expressionExclusive, () => expressionExclusiveLoss(out.expression));
  add('identityRegularization', weights.identityRegularization, () => identityRegularization(out.identity));
  add('expressionSparsity', weights.expressionSparsity, () => expressionSparsity(out.expression));
  const targets = batch.targets;
  if (targets) {
    // Masked squared errors, summed over a frame's targets and averaged over the frames that have any (the scale
    // of the synthetic supervision, which sums over all units): entries without a target cost nothing.
    const maskedMse = (predicted: tf.Tensor2D, target: tf.Tensor2D, mask: tf.Tensor2D) => {
      const rows = tf.sum(tf.cast(tf.greater(tf.sum(mask, 1), 0), 'float32'));
      return tf.div(tf.sum(tf.mul(mask, tf.square(tf.sub(predicted, target)))), tf.maximum(rows, 1)) as tf.Scalar;
    };
    add('teacher', weights.teacher, () => tf.tidy(() => maskedMse(out.expression, targets.units, targets.unitMask)));
    add('labels', weights.labels, () =>
      tf.tidy(() =>
        maskedMse(tf.matMul(out.expression, targets.categoryUnits), targets.categories, targets.categoryMask),
      ),
    );
    // Units with no teacher target on a frame and in no labelled category have nothing to follow on real faces:
    // an l1 pull keeps them at rest there instead of drifting (e.g. a jaw shift on every resting face).
    add('untargetedSparsity', weights.untargetedSparsity, () =>
      tf.tidy(() => {
        const free = tf.mul(
          tf.sub(1, targets.unitMask),
          tf.cast(tf.equal(tf.sum(targets.categoryUnits, 1), 0), 'float32'),
        );
        return tf.mean(tf.sum(tf.mul(free, tf.abs(out.expression)), -1)) as tf.Scalar;
      }),
    );
  }
  const truth = batch.truth;
  if (truth) {
    add('syntheticSupervision', weights.syntheticSupervision, () =>
      tf.tidy(() => {
        const sq = (a: tf.Tensor, b: tf.Tensor) => tf.mean(tf.sum(tf.square(tf.sub(a, b)), -1));
        return tf.addN([
          sq(out.expression, truth.expression),
          tf.mul(sq(out.identity, truth.identity), weights.syntheticIdentity),
          sq(out.rotation, truth.rotation),
          sq(out.translation, truth.translation),
        ]) as tf.Scalar;
      }),
    );
  }
  const total = (weighted.length ? tf.addN(weighted) : tf.scalar(0)) as tf.Scalar;
  return { total, terms };
}
