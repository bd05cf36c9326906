// The sandbox's validation: a fixed held-out synthetic set, drawn once from its own seed, and the errors of a
// network on it (β MAE overall and per face region, α MAE, rotation MAE in degrees).
import * as tf from '@tensorflow/tfjs-core';
import type { PeNet } from '../../plugin/estimator/pe-net.js';
import type { FaceModelTensors } from '../../plugin/face-model/face-model-tensors.js';
import { NUM_EXPRESSION_UNITS } from '../../plugin/units/expression-units.js';
import { SyntheticFaceSource, disposeBatch, type FaceBatch } from '../data/synthetic-batch.js';

/** Seed of the held-out set; training batches come from the run's own seed (a small integer by default). */
export const VALIDATION_SEED = 1_000_003;
export const VALIDATION_PERSONS = 16;
export const VALIDATION_FRAMES = 4;

/** Face regions over the 46 units (CPEM order), for per-region β errors. */
export const UNIT_REGIONS: ReadonlyArray<{ name: string; units: readonly number[] }> = [
  { name: 'eyes', units: range(0, 14) },
  { name: 'brows', units: range(14, 19) },
  { name: 'jaw', units: range(19, 23) },
  { name: 'mouth', units: range(23, 42) },
  { name: 'nose·cheeks', units: range(42, 46) },
];

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

export interface ValidationRow {
  step: number;
  /** Mean |β − β̂| over all 46 units. */
  betaMae: number;
  /** Mean |β − β̂| per region of {@link UNIT_REGIONS}, same order. */
  betaMaeByRegion: number[];
  /** Mean |α − α̂|. */
  alphaMae: number;
  /** Mean |rotation − rotation̂| in degrees. */
  rotationMaeDeg: number;
}

/** The held-out set; holds tensors on the backend it was made on: dispose it. */
export class ValidationSet {
  readonly batch: FaceBatch;

  constructor(model: FaceModelTensors) {
    this.batch = new SyntheticFaceSource(model, VALIDATION_SEED).next(VALIDATION_PERSONS, VALIDATION_FRAMES);
  }

  get features(): tf.Tensor2D {
    return this.batch.features;
  }

  /** Errors of `net` on the set; reads asynchronously and leaves no tensor behind. */
  async evaluate(net: PeNet, step: number): Promise<ValidationRow> {
    const truth = this.batch.truth!;
    const [betaAbs, alpha, rotation] = tf.tidy(() => {
      const out = net.predict(this.batch.features);
      return [
        tf.mean(tf.abs(tf.sub(out.expression, truth.expression)), 0),
        tf.mean(tf.abs(tf.sub(out.identity, truth.identity))),
        tf.mean(tf.abs(tf.sub(out.rotation, truth.rotation))),
      ];
    });
    try {
      const [perUnit, a, r] = await Promise.all([betaAbs.data(), alpha.data(), rotation.data()]);
      const mean = (units: readonly number[]) => units.reduce((s, u) => s + perUnit[u], 0) / units.length;
      return {
        step,
        betaMae: mean(range(0, NUM_EXPRESSION_UNITS)),
        betaMaeByRegion: UNIT_REGIONS.map((g) => mean(g.units)),
        alphaMae: a[0],
        rotationMaeDeg: (r[0] * 180) / Math.PI,
      };
    } finally {
      tf.dispose([betaAbs, alpha, rotation]);
    }
  }

  dispose(): void {
    disposeBatch(this.batch);
  }
}
