import * as tf from '@tensorflow/tfjs-core';
import { PeNet } from '../../../plugin/estimator/pe-net.js';
import type { FaceModelTensors } from '../../../plugin/face-model/face-model-tensors.js';
import {
  faceMeshLandmarkWeights,
  featureSize,
  frameFeatures,
  landmarkFeatures,
  type LandmarkFeatureSpec,
} from '../../../plugin/estimator/landmark-features.js';
import { ALIGNMENT_POINTS } from '../../../plugin/estimator/face-alignment.js';
import type { FaceModel } from '../../../plugin/face-model/face-model.js';
import { CpemError } from '../../../plugin/errors/cpem-error.js';
import { disposeBatch, SyntheticFaceSource, type FaceBatch } from '../data/synthetic-batch.js';
import { cpemObjective } from './cpem-objective.js';
import { LossLog, type LossLogRow } from './loss-log.js';
import { lossWeightsAt, type TrainingConfig } from './training-config.js';
import '../tf/register-gradients.js';
import { NUM_FACE_LANDMARKS } from '../../../plugin/constants.js';

/** The larger side of the neutral face's face-mesh points' bounding box, in model units (the face-box size). */
export function faceMeshExtent(model: FaceModel): number {
  return landmarkFeatures(model.faceMeshLandmarksOf(model.decode()), 3).box.size;
}

/** Adam's second-moment decay (see the constructor). */
export const ADAM_BETA2 = 0.99;

/**
 * The feature spec a run's network reads: `face-box`, or `aligned` onto the face model's neutral face (its
 * face-mesh points at ALIGNMENT_POINTS, in millimetres).
 */
export function featureSpecFor(set: TrainingConfig['features'], model: FaceModel): LandmarkFeatureSpec {
  if (set === 'face-box') return { set };
  const neutral = model.faceMeshLandmarksOf(model.decode());
  return {
    set,
    points: [...ALIGNMENT_POINTS],
    reference: ALIGNMENT_POINTS.flatMap((i) => [neutral[i * 3], neutral[i * 3 + 1], neutral[i * 3 + 2]]),
  };
}

/**
 * A batch whose `features` are those of `spec`: face-box features as the sources make them, or computed from the
 * batch's tracker-like 3D points (read asynchronously). The batch is returned; replaced tensors are disposed.
 */
export async function withFeatures(batch: FaceBatch, spec: LandmarkFeatureSpec): Promise<FaceBatch> {
  if (spec.set === 'face-box') return batch;
  const points = (await batch.points3d.data()) as Float32Array;
  const n = batch.points3d.shape[0];
  const size = featureSize(spec);
  const values = new Float32Array(n * size);
  for (let i = 0; i < n; i++) {
    values.set(
      frameFeatures(spec, points.subarray(i * NUM_FACE_LANDMARKS * 3, (i + 1) * NUM_FACE_LANDMARKS * 3), 3).features,
      i * size,
    );
  }
  batch.features.dispose();
  batch.features = tf.tensor2d(values, [n, size]);
  return batch;
}

/**
 * Per-feature mean and 1/std of PE-Net's input over `batches` batches of 256 × 4 frames of `source` (the run's own
 * data: synthetic faces, real frames or both), for the fixed input standardisation.
 */
export async function featureStatistics(
  source: BatchSource,
  spec: LandmarkFeatureSpec,
  batches = 1,
): Promise<{ mean: Float32Array; scale: Float32Array }> {
  const parts: tf.Tensor2D[] = [];
  for (let b = 0; b < batches; b++) {
    const batch = await withFeatures(source.next(256, 4), spec);
    parts.push(tf.clone(batch.features));
    disposeBatch(batch);
  }
  const [mean, scale] = tf.tidy(() => {
    const { mean: m, variance } = tf.moments(tf.concat(parts, 0), 0);
    return [m, tf.div(1, tf.maximum(tf.sqrt(variance), 1e-3))];
  });
  tf.dispose(parts);
  try {
    return { mean: (await mean.data()) as Float32Array, scale: (await scale.data()) as Float32Array };
  } finally {
    tf.dispose([mean, scale]);
  }
}

/** Where batches come from: the synthetic generator, real landmark tracks, or a mix. */
export interface BatchSource {
  next(persons: number, frames: number): FaceBatch;
}

/** Everything needed to continue a run exactly where it stopped. */
export interface TrainerCheckpoint {
  step: number;
  config: TrainingConfig;
  network: tf.io.ModelArtifacts;
  /** Adam's iteration count and moment estimates, encoded like TF.js weights. */
  optimizer: { specs: tf.io.WeightsManifestEntry[]; data: ArrayBuffer };
  lossLogCsv: string;
}

/**
 * The CPEM trainer: Adam on PE-Net's variables, one batch of P persons × T frames per step, the objective of
 * cpem-objective.ts with the loss schedule of the config. Runs on whatever TF.js backend is active (webgpu in the
 * sandbox page, wasm or cpu in Node). Reads losses asynchronously.
 */
export class CpemTrainer {
  readonly log = new LossLog();
  private optimizer: tf.AdamOptimizer;
  private readonly landmarkWeights: Float32Array;
  private stepCount = 0;
  private readonly started = Date.now();
  private secondsBefore = 0;

  private constructor(
    readonly config: TrainingConfig,
    readonly net: PeNet,
    private readonly model: FaceModelTensors,
    private readonly source: BatchSource,
  ) {
    // β2 = 0.99 rather than 0.999: the first steps' gradients are orders of magnitude larger than later ones
    // (random α across T frames under λ_idc = 1000, an unfitted face under the landmark loss), and with a long
    // second-moment memory they keep the effective learning rate near zero for thousands of steps.
    this.optimizer = tf.train.adam(config.learningRate, 0.9, ADAM_BETA2);
    this.landmarkWeights = faceMeshLandmarkWeights(1, 10, config.landmarkRegionWeights);
  }

  /** A new run with a freshly initialised network (seeded by config.seed). */
  static async create(
    config: TrainingConfig,
    model: FaceModelTensors,
    source: BatchSource,
    statistics?: BatchSource,
  ): Promise<CpemTrainer> {
    // The inputs are standardised per feature with statistics of the run's data (`statistics`, by default synthetic
    // faces): expression moves landmarks by a few hundredths of the face box, pose by tenths, and unscaled inputs
    // leave the network reading pose only.
    const features = featureSpecFor(config.features, model.model);
    const { mean, scale } = await featureStatistics(
      statistics ?? new SyntheticFaceSource(model, (config.seed ^ 0x5eed) >>> 0),
      features,
    );
    const net = PeNet.create(
      {
        inputSize: featureSize(features),
        hidden: config.hidden,
        numIdentity: model.identityCount,
        numExpression: model.expressionCount,
        detachIdentity: config.detachIdentity,
        ...(config.identityHidden.length ? { identityHidden: config.identityHidden } : {}),
        features,
      },
      config.seed,
      {
        // The translation head starts at the face model's size in face-box units (log scale): with a zero log scale a
        // millimetre model lands ~150 face-box units wide, and the first landmark gradients are so large that Adam's
        // second moments keep the learning rate near zero for thousands of steps.
        headBias: { translation: [0, 0, -Math.log(faceMeshExtent(model.model))] },
        inputMean: mean,
        inputScale: scale,
      },
    );
    return new CpemTrainer(config, net, model, source);
  }

  /**
   * A new run that starts from a trained network instead of fresh weights (fine-tuning, e.g. on one person's
   * frames): the network keeps its input standardisation, unit gains and feature set; Adam starts afresh. The
   * trainer owns the network from here (dispose() frees it).
   */
  static fineTune(config: TrainingConfig, net: PeNet, model: FaceModelTensors, source: BatchSource): CpemTrainer {
    if (net.config.numIdentity !== model.identityCount || net.config.numExpression !== model.expressionCount) {
      throw new CpemError(
        'INVALID_ARGUMENT',
        `Fine-tuning needs a network for this face model (${model.identityCount} identity, ${model.expressionCount} expression coefficients); it has ${net.config.numIdentity} and ${net.config.numExpression}.`,
      );
    }
    return new CpemTrainer(config, net, model, source);
  }

  /** Continues a run from a checkpoint. The batch source must be recreated by the caller for its position. */
  static async resume(
    checkpoint: TrainerCheckpoint,
    model: FaceModelTensors,
    source: BatchSource,
  ): Promise<CpemTrainer> {
    const trainer = new CpemTrainer(
      checkpoint.config,
      PeNet.fromArtifacts(checkpoint.network, 'checkpoint'),
      model,
      source,
    );
    trainer.stepCount = checkpoint.step;
    const named = tf.io.decodeWeights(checkpoint.optimizer.data, checkpoint.optimizer.specs);
    await trainer.optimizer.setWeights(
      checkpoint.optimizer.specs.map((s) => ({ name: s.name, tensor: named[s.name] })),
    );
    for (const row of LossLog.fromCsv(checkpoint.lossLogCsv).rows) trainer.log.add(row);
    trainer.secondsBefore = trainer.log.rows.at(-1)?.seconds ?? 0;
    return trainer;
  }

  get step(): number {
    return this.stepCount;
  }

  /** The features the network reads. */
  get features(): LandmarkFeatureSpec {
    return this.net.config.features ?? { set: 'face-box' };
  }

  /**
   * One optimiser step. Returns the loss row when this step is logged (every config.logEvery steps and the
   * last), else null. Throws if the loss is not finite, before the weights are touched.
   */
  async trainStep(): Promise<LossLogRow | null> {
    const step = this.stepCount;
    const weights = lossWeightsAt(this.config, step);
    const batch = await withFeatures(this.source.next(this.config.persons, this.config.framesPerPerson), this.features);
    let kept: Record<string, tf.Scalar> = {};
    try {
      const total = this.optimizer.minimize(
        () => {
          const out = this.net.predict(batch.features);
          const { total: loss, terms } = cpemObjective(this.model, out, batch, weights, this.landmarkWeights);
          kept = Object.fromEntries(Object.entries(terms).map(([k, v]) => [k, tf.keep(v)]));
          return loss;
        },
        true,
        this.net.trainableVariables,
      ) as tf.Scalar;
      this.stepCount++;
      const logNow = step % this.config.logEvery === 0 || this.stepCount === this.config.steps;
      if (!logNow) {
        total.dispose();
        return null;
      }
      const [value, ...termValues] = await Promise.all([total.data(), ...Object.values(kept).map((t) => t.data())]);
      total.dispose();
      if (!Number.isFinite(value[0])) {
        throw new CpemError(
          'INVALID_ARGUMENT',
          `Training diverged at step ${step}: the loss is ${value[0]}. Lower the learning rate or check the data.`,
        );
      }
      const row: LossLogRow = {
        step,
        total: value[0],
        terms: Object.fromEntries(Object.keys(kept).map((k, i) => [k, termValues[i][0]])),
        seconds: this.secondsBefore + (Date.now() - this.started) / 1000,
      };
      this.log.add(row);
      return row;
    } finally {
      tf.dispose(Object.values(kept));
      disposeBatch(batch);
    }
  }

  /** Everything to resume later; the network's weights included. */
  async checkpoint(): Promise<TrainerCheckpoint> {
    const optimizerWeights = await this.optimizer.getWeights();
    const { data, specs } = await tf.io.encodeWeights(optimizerWeights);
    optimizerWeights[0].tensor.dispose(); // the iteration count is a fresh scalar; the rest are Adam's live variables
    return {
      step: this.stepCount,
      config: this.config,
      network: await this.net.toArtifacts({ step: this.stepCount }),
      optimizer: { specs, data },
      lossLogCsv: this.log.toCsv(),
    };
  }

  /** Frees the network and the optimiser's state. */
  dispose(): void {
    this.optimizer.dispose();
    this.net.dispose();
  }
}
