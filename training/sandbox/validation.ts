// The sandbox's validation: the Node trainer's held-out synthetic evaluation (training/eval/synthetic-eval.ts,
// its own seed, never trained on), on its first VALIDATION_SAMPLES samples, so that the page's figures are the
// ones `npm run train` reports, on a smaller set.
import * as tf from '@tensorflow/tfjs-core';
import type { PeNet } from '../../plugin/estimator/pe-net.js';
import type { FaceModelTensors } from '../../plugin/face-model/face-model-tensors.js';
import { SyntheticFaceSource, disposeBatch, type FaceBatch } from '../data/synthetic-batch.js';
import { evaluateSynthetic, SYNTHETIC_CATEGORIES } from '../eval/synthetic-eval.js';

/** evaluateSynthetic's default seed: its held-out set. */
export const VALIDATION_SEED = 987654;
/** Samples (one frame each) of the held-out set that the page scores: one batch, cheap on any backend. */
export const VALIDATION_SAMPLES = 64;
export const VALIDATION_CATEGORIES = Object.keys(SYNTHETIC_CATEGORIES);

export interface ValidationRow {
  step: number;
  /** Mean |β − β̂| over all 46 units. */
  betaMae: number;
  /** Mean |β − β̂| per category of SYNTHETIC_CATEGORIES, in {@link VALIDATION_CATEGORIES} order, and their mean. */
  categoryMae: number[];
  meanCategoryMae: number;
  /** Mean |α − α̂|. */
  alphaMae: number;
  /** Mean |rotation − rotation̂| in degrees. */
  rotationMaeDeg: number;
}

/**
 * The held-out set on the active backend: its features stay (to compare a network with its exported copy on
 * the same inputs); the errors come from evaluateSynthetic on the same samples. Dispose it.
 */
export class ValidationSet {
  readonly batch: FaceBatch;

  constructor(private readonly model: FaceModelTensors) {
    // evaluateSynthetic draws its first batch exactly so: persons = samples (≤ 64), one frame each.
    this.batch = new SyntheticFaceSource(model, VALIDATION_SEED).next(VALIDATION_SAMPLES, 1);
  }

  get features(): tf.Tensor2D {
    return this.batch.features;
  }

  /** Errors of `net` on the set; reads asynchronously and leaves no tensor behind. */
  async evaluate(net: PeNet, step: number): Promise<ValidationRow> {
    const report = await evaluateSynthetic(net, this.model, { samples: VALIDATION_SAMPLES, seed: VALIDATION_SEED });
    return {
      step,
      betaMae: report.meanUnitMae,
      categoryMae: VALIDATION_CATEGORIES.map((c) => report.categoryMae[c]),
      meanCategoryMae: report.meanCategoryMae,
      alphaMae: report.identityMae,
      rotationMaeDeg: report.rotationMaeDeg,
    };
  }

  dispose(): void {
    disposeBatch(this.batch);
  }
}
