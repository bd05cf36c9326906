import * as tf from '@tensorflow/tfjs-core';
import type { PeNet } from '../../plugin/estimator/pe-net.js';
import type { FaceModelTensors } from '../../plugin/face-model/face-model-tensors.js';
import { expressionUnitIndex, NUM_EXPRESSION_UNITS } from '../../plugin/units/expression-units.js';
import { disposeBatch, SyntheticFaceSource, type SyntheticOptions } from '../data/synthetic-batch.js';
import { withFeatures } from '../trainer/cpem-trainer.js';

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
}

/** Scores `net` on a held-out synthetic set (its own seed, never used in training). */
export async function evaluateSynthetic(net: PeNet, model: FaceModelTensors, options: { samples?: number; seed?: number; synthetic?: SyntheticOptions } = {}): Promise<SyntheticReport> {
  const samples = options.samples ?? 1024;
  const source = new SyntheticFaceSource(model, options.seed ?? 987654, options.synthetic);
  const unitSum = new Float64Array(NUM_EXPRESSION_UNITS);
  const moments = Array.from({ length: NUM_EXPRESSION_UNITS }, () => ({ x: 0, y: 0, xx: 0, yy: 0, xy: 0 }));
  let identitySum = 0, identityTruthSum = 0, rotationSum = 0, seen = 0, truthSum = 0;
  while (seen < samples) {
    const persons = Math.min(64, samples - seen);
    const batch = await withFeatures(source.next(persons, 1), net.config.features ?? { set: 'face-box' });
    const [beta, betaTrue, alpha, alphaTrue, rot, rotTrue] = await (async () => {
      const out = net.predict(batch.features);
      try {
        return await Promise.all([out.expression, batch.truth!.expression, out.identity, batch.truth!.identity, out.rotation, batch.truth!.rotation].map((t) => t.data() as Promise<Float32Array>));
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
      m.x += beta[i]; m.y += betaTrue[i]; m.xx += beta[i] ** 2; m.yy += betaTrue[i] ** 2; m.xy += beta[i] * betaTrue[i];
    }
    for (let i = 0; i < alpha.length; i++) {
      identitySum += Math.abs(alpha[i] - alphaTrue[i]);
      identityTruthSum += Math.abs(alphaTrue[i]);
    }
    for (let i = 0; i < rot.length; i++) rotationSum += Math.abs(rot[i] - rotTrue[i]);
    seen += persons;
  }
  const unitMae = Float32Array.from(unitSum, (s) => s / samples);
  const categoryMae = Object.fromEntries(Object.entries(SYNTHETIC_CATEGORIES).map(([k, units]) =>
    [k, units.reduce((s, u) => s + unitMae[expressionUnitIndex(u)], 0) / units.length]));
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
  };
}
