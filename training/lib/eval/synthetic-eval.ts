import * as tf from '@tensorflow/tfjs-core';
import type { PeNet } from '../../../plugin/estimator/pe-net.js';
import type { FaceModelTensors } from '../../../plugin/face-model/face-model-tensors.js';
import { expressionUnitIndex } from '../../../plugin/units/expression-units.js';
import { disposeBatch, SyntheticFaceSource, type SyntheticOptions } from '../data/synthetic-batch.js';
import { withFeatures } from '../trainer/cpem-trainer.js';
import { NUM_EXPRESSION_UNITS } from '../../../plugin/constants.js';

/**
 * Ten expression categories over our 46 units, in the spirit of the paper's Table 1 (FEAFA action units
 * grouped by region); a category's error is the mean absolute error over its units.
 */
export const SYNTHETIC_CATEGORIES: Record<string, string[]> = {
  eyeClose: ['eyeClose_L', 'eyeClose_R'],
  eyeSquint: ['eyeSquint_L', 'eyeSquint_R'],
  eyeWide: ['eyeWide_L', 'eyeWide_R'],
  browDown: ['browDown_L', 'browDown_R'],
  browUp: ['browInnerUp', 'browOuterUp_L', 'browOuterUp_R'],
  jawOpen: ['jawOpen'],
  mouthSmile: ['mouthSmile_L', 'mouthSmile_R'],
  mouthFrown: ['mouthFrown_L', 'mouthFrown_R'],
  mouthPucker: ['mouthPucker', 'mouthFunnel'],
  noseAndCheek: ['noseWrinkle', 'cheekPuff', 'cheekUp_L', 'cheekUp_R'],
};

export interface SyntheticReport {
  samples: number;
  /** MAE of each unit, in unit order. */
  unitMae: Float32Array;
  /** Mean of unitMae, and the same for a reader that says 0 everywhere (the mean |β| of the set). */
  meanUnitMae: number;
  zeroUnitMae: number;
  /** MAE per category of {@link SYNTHETIC_CATEGORIES}, and their mean. */
  categoryMae: Record<string, number>;
  meanCategoryMae: number;
  /**
   * Pearson correlation of predicted and true value per unit, and its mean over units: whether a unit is read at
   * all (the MAE of sparse targets favours predicting little).
   */
  unitCorrelation: Float32Array;
  meanCorrelation: number;
  /** Mean absolute error of α and of the head rotation (degrees). */
  identityMae: number;
  /** The α error of a reader that says 0 (the mean face) everywhere: whether identity is learnt at all. */
  zeroIdentityMae: number;
  rotationMaeDeg: number;
  /**
   * Identity where it shows, the neutral face's shape: the mean per-vertex distance (millimetres) between
   * the face decoded from the predicted α and from the true α, both without expression, over all vertices and over
   * the 478 face-mesh landmark points; beside it the same for the mean face (α = 0). Null unless asked for
   * (`neutralFace`): decoding every vertex three times a batch is slow on a software GPU (the sandbox's validation).
   */
  neutralVertexError: { all: number; landmarks: number; meanFaceAll: number; meanFaceLandmarks: number } | null;
}

/** Mean Euclidean distance between matching points of two [N, V, 3] tensors. */
function meanPointDistance(a: tf.Tensor3D, b: tf.Tensor3D): tf.Scalar {
  return tf.mean(tf.sqrt(tf.sum(tf.square(tf.sub(a, b)), 2))) as tf.Scalar;
}

/** Scores `net` on a held-out synthetic set (its own seed, never used in training). */
export async function evaluateSynthetic(
  net: PeNet,
  model: FaceModelTensors,
  options: { samples?: number; seed?: number; synthetic?: SyntheticOptions; neutralFace?: boolean } = {},
): Promise<SyntheticReport> {
  const samples = options.samples ?? 1024;
  const source = new SyntheticFaceSource(model, options.seed ?? 987654, options.synthetic);
  const unitSum = new Float64Array(NUM_EXPRESSION_UNITS);
  const moments = Array.from({ length: NUM_EXPRESSION_UNITS }, () => ({ x: 0, y: 0, xx: 0, yy: 0, xy: 0 }));
  let identitySum = 0,
    identityTruthSum = 0,
    rotationSum = 0,
    seen = 0,
    truthSum = 0;
  const vertex = { all: 0, landmarks: 0, meanFaceAll: 0, meanFaceLandmarks: 0 };
  while (seen < samples) {
    const persons = Math.min(64, samples - seen);
    const batch = await withFeatures(source.next(persons, 1), net.config.features ?? { set: 'face-box' });
    const [beta, betaTrue, alpha, alphaTrue, rot, rotTrue] = await (async () => {
      const out = net.predict(batch.features);
      try {
        if (options.neutralFace) {
          // The neutral faces of the predicted, true and zero α (no expression), weighted by the batch's size.
          const errors = tf.tidy(() => {
            const none = tf.zeros([persons, model.expressionCount]) as tf.Tensor2D;
            const zero = tf.zeros([persons, model.identityCount]) as tf.Tensor2D;
            const faces = (alpha: tf.Tensor2D) => [model.decode(alpha, none), model.faceMeshLandmarks(alpha, none)];
            const [pa, pl] = faces(out.identity);
            const [ta, tl] = faces(batch.truth!.identity);
            const [za, zl] = faces(zero);
            return tf.stack([
              meanPointDistance(pa, ta),
              meanPointDistance(pl, tl),
              meanPointDistance(za, ta),
              meanPointDistance(zl, tl),
            ]);
          });
          const [ea, el, za, zl] = await errors.data();
          errors.dispose();
          vertex.all += ea * persons;
          vertex.landmarks += el * persons;
          vertex.meanFaceAll += za * persons;
          vertex.meanFaceLandmarks += zl * persons;
        }
        return await Promise.all(
          [
            out.expression,
            batch.truth!.expression,
            out.identity,
            batch.truth!.identity,
            out.rotation,
            batch.truth!.rotation,
          ].map((t) => t.data() as Promise<Float32Array>),
        );
      } finally {
        tf.dispose([out.expression, out.identity, out.rotation, out.translation]);
        disposeBatch(batch);
      }
    })();
    for (let i = 0; i < beta.length; i++) {
      const u = i % NUM_EXPRESSION_UNITS;
      unitSum[u] += Math.abs(beta[i] - betaTrue[i]);
      truthSum += Math.abs(betaTrue[i]);
      const m = moments[u];
      m.x += beta[i];
      m.y += betaTrue[i];
      m.xx += beta[i] ** 2;
      m.yy += betaTrue[i] ** 2;
      m.xy += beta[i] * betaTrue[i];
    }
    for (let i = 0; i < alpha.length; i++) {
      identitySum += Math.abs(alpha[i] - alphaTrue[i]);
      identityTruthSum += Math.abs(alphaTrue[i]);
    }
    for (let i = 0; i < rot.length; i++) rotationSum += Math.abs(rot[i] - rotTrue[i]);
    seen += persons;
  }
  const unitMae = Float32Array.from(unitSum, (s) => s / samples);
  const categoryMae = Object.fromEntries(
    Object.entries(SYNTHETIC_CATEGORIES).map(([k, units]) => [
      k,
      units.reduce((s, u) => s + unitMae[expressionUnitIndex(u)], 0) / units.length,
    ]),
  );
  const mean = (v: ArrayLike<number>) => Array.from(v).reduce((a, b) => a + b, 0) / v.length;
  const unitCorrelation = Float32Array.from(moments, (m) => {
    const cov = m.xy / samples - (m.x / samples) * (m.y / samples);
    const vx = m.xx / samples - (m.x / samples) ** 2;
    const vy = m.yy / samples - (m.y / samples) ** 2;
    return vx > 1e-12 && vy > 1e-12 ? cov / Math.sqrt(vx * vy) : 0;
  });
  return {
    samples,
    unitMae,
    meanUnitMae: mean(unitMae),
    zeroUnitMae: truthSum / (samples * NUM_EXPRESSION_UNITS),
    categoryMae,
    meanCategoryMae: mean(Object.values(categoryMae)),
    unitCorrelation,
    meanCorrelation: mean(unitCorrelation),
    identityMae: identitySum / (samples * model.identityCount),
    zeroIdentityMae: identityTruthSum / (samples * model.identityCount),
    rotationMaeDeg: (rotationSum / (samples * 3)) * (180 / Math.PI),
    neutralVertexError: !options.neutralFace
      ? null
      : {
          all: vertex.all / samples,
          landmarks: vertex.landmarks / samples,
          meanFaceAll: vertex.meanFaceAll / samples,
          meanFaceLandmarks: vertex.meanFaceLandmarks / samples,
        },
  };
}
