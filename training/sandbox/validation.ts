// The sandbox's validation: the Node trainer's held-out synthetic evaluation (training/lib/eval/synthetic-eval.ts,
// its own seed, never trained on), on its first VALIDATION_SAMPLES samples, so that the page's figures are the
// ones `npm run train` reports, on a smaller set.
import * as tf from '@tensorflow/tfjs-core';
import type { PeNet } from '../../plugin/estimator/pe-net.js';
import type { FaceModelTensors } from '../../plugin/face-model/face-model-tensors.js';
import { SyntheticFaceSource, disposeBatch, type FaceBatch } from '../lib/data/synthetic-batch.js';
import { evaluateSynthetic, SYNTHETIC_CATEGORIES } from '../lib/eval/synthetic-eval.js';
import { withFeatures } from '../lib/trainer/cpem-trainer.js';
import type { LandmarkFeatureSpec } from '../../plugin/estimator/landmark-features.js';

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
  private readonly derived = new Map<string, tf.Tensor2D>();

  constructor(private readonly model: FaceModelTensors) {
    // evaluateSynthetic draws its first batch exactly so: persons = samples (≤ 64), one frame each.
    this.batch = new SyntheticFaceSource(model, VALIDATION_SEED).next(VALIDATION_SAMPLES, 1);
  }

  /** The held-out faces' face-box features (what a network reading `face-box` features takes). */
  get features(): tf.Tensor2D {
    return this.batch.features;
  }

  /**
   * The held-out faces' features for a network reading `spec` (e.g. a fine-tuned network's `aligned` features),
   * computed once per feature set and kept until dispose().
   */
  async featuresFor(spec: LandmarkFeatureSpec = { set: 'face-box' }): Promise<tf.Tensor2D> {
    if (spec.set === 'face-box') return this.batch.features;
    const key = JSON.stringify(spec);
    let features = this.derived.get(key);
    if (!features) {
      const copy = await withFeatures({ ...this.batch, features: tf.clone(this.batch.features) }, spec);
      features = copy.features;
      this.derived.set(key, features);
    }
    return features;
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
    tf.dispose([...this.derived.values()]);
    this.derived.clear();
  }
}
