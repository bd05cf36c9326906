// Fine-tuning PE-Net on one person's captured prompts, with the project's one trainer (CpemTrainer.fineTune) and
// objective: their frames as ONE real clip (RealTrackSource: the identity-consistent term over that person), the
// prompt targets through the trainer's masked unit targets, the expression-exclusive term from the first step, and a
// share of synthetic batches with exact ground truth so that what the person did not show does not drift.
import * as tf from '@tensorflow/tfjs-core';
import { CpemError } from '../../../plugin/errors/cpem-error.js';
import { PeNet, type PeNetConfig } from '../../../plugin/estimator/pe-net.js';
import type { FaceModelTensors } from '../../../plugin/face-model/face-model-tensors.js';
import { RealTrackSource, type TrackedClip } from '../data/real-track-source.js';
import { RunBatchSource } from '../data/run-batch-source.js';
import { CpemTrainer, type BatchSource } from '../trainer/cpem-trainer.js';
import type { LossLogRow } from '../trainer/loss-log.js';
import { resolveTrainingConfig, type LossWeights, type TrainingConfig } from '../trainer/training-config.js';
import { DEFAULT_LEAVE_ALONE_WEIGHT, DEFAULT_RAMP_WEIGHT } from './targets.js';

export interface PersonalizationSettings {
  steps: number;
  learningRate: number;
  /** Groups per batch (P) and frames per group (T): every group is T frames of the person, drawn across all prompts. */
  persons: number;
  framesPerPerson: number;
  seed: number;
  /**
   * Fine-tunings averaged into the result: member k trains its own copy of the base network with seed `seed + k`
   * (other batches, other synthetic faces), and the result's weights are the mean of the members' (they all start
   * from the same network, so their weights can be averaged). With a person's few frames, single fine-tunings
   * differ a lot by seed: on the evaluation's tune half the average of three read later frames better than its
   * members did on average, on the report half no better (docs/personalization.md). Node only (`npm run
   * personalize`, the evaluation); the sandbox page trains one.
   */
  members: number;
  /** Share of batches from the person's frames; the rest are synthetic faces with ground truth. */
  realFraction: number;
  /** Weight of the "about zero" target on the units a prompt leaves alone, and of a ramp frame's targets (targets.ts). */
  leaveAloneWeight: number;
  rampWeight: number;
  lossWeights: LossWeights;
  logEvery: number;
}

/**
 * Defaults, chosen on the tune half's people of the evaluation (docs/personalization.md): few steps (50; 100, 150
 * and 300 drifted further from what the person did not show), a quarter of the batches synthetic, and a light pull
 * (0.1) of the units a prompt leaves alone towards 0. The identity-consistent, expression-exclusive, landmark and α
 * weights are the shipped run's.
 */
export const PERSONALIZATION_DEFAULTS: PersonalizationSettings = {
  steps: 50,
  learningRate: 3e-4,
  persons: 4,
  framesPerPerson: 8,
  seed: 1,
  members: 1,
  realFraction: 0.75,
  leaveAloneWeight: DEFAULT_LEAVE_ALONE_WEIGHT,
  rampWeight: DEFAULT_RAMP_WEIGHT,
  lossWeights: {
    landmark: 0.001,
    identityConsistency: 1000,
    expressionExclusive: 10,
    identityRegularization: 1e-4,
    expressionSparsity: 0,
    syntheticSupervision: 1,
    syntheticIdentity: 0.01,
    teacher: 1,
    labels: 0,
    untargetedSparsity: 0,
  },
  logEvery: 5,
};

export type PersonalizationOverrides = Partial<Omit<PersonalizationSettings, 'lossWeights'>> & {
  lossWeights?: Partial<LossWeights>;
};

/**
 * The settings with `overrides` applied; throws INVALID_ARGUMENT for a real fraction outside (0, 1], a target
 * weight outside [0, 1] or a member count that is not a positive integer.
 */
export function personalizationSettings(overrides: PersonalizationOverrides = {}): PersonalizationSettings {
  const s = {
    ...PERSONALIZATION_DEFAULTS,
    ...overrides,
    lossWeights: { ...PERSONALIZATION_DEFAULTS.lossWeights, ...overrides.lossWeights },
  };
  if (!(s.realFraction > 0 && s.realFraction <= 1))
    throw new CpemError(
      'INVALID_ARGUMENT',
      `The share of the person's batches must be in (0, 1]; got ${s.realFraction}.`,
    );
  if (!(Number.isInteger(s.members) && s.members >= 1))
    throw new CpemError('INVALID_ARGUMENT', `members must be a positive integer; got ${s.members}.`);
  for (const key of ['leaveAloneWeight', 'rampWeight'] as const) {
    if (!(s[key] >= 0 && s[key] <= 1))
      throw new CpemError('INVALID_ARGUMENT', `${key} must be in [0, 1]; got ${s[key]}.`);
  }
  return s;
}

/**
 * The trainer's config for fine-tuning a network of shape `net` (its PeNetConfig): the settings, the network's own
 * shape and feature set, and the expression-exclusive term on from the start (the network is trained already).
 * Checked by the trainer's validator.
 */
export function personalizationConfig(net: PeNetConfig, settings: PersonalizationSettings): TrainingConfig {
  return resolveTrainingConfig({
    seed: settings.seed,
    steps: settings.steps,
    learningRate: settings.learningRate,
    persons: settings.persons,
    framesPerPerson: settings.framesPerPerson,
    lossWeights: settings.lossWeights,
    expressionExclusiveFrom: 0,
    features: net.features?.set ?? 'face-box',
    hidden: [...net.hidden],
    detachIdentity: net.detachIdentity ?? false,
    checkpointEvery: 0,
    logEvery: settings.logEvery,
  });
}

/**
 * The run's batches, positioned at batch `position`: the person's clip (one person) at `realFraction`, synthetic
 * faces otherwise. Batch k depends only on the seed and k, so a run resumed from a checkpoint continues exactly.
 */
export function personalizationSource(
  model: FaceModelTensors,
  clip: TrackedClip,
  seed: number,
  realFraction: number,
  position = 0,
): BatchSource {
  const source = new RunBatchSource(
    model,
    seed,
    {},
    { source: new RealTrackSource([clip], seed), fraction: realFraction },
  );
  source.position = position;
  return source;
}

/** An independent copy of a network (its own variables), e.g. the shipped one before fine-tuning it. */
export async function copyNetwork(net: PeNet): Promise<PeNet> {
  return PeNet.fromArtifacts(await net.toArtifacts(), 'network copy');
}

/**
 * Fine-tunes a copy of `base` on the person's clip for settings.steps steps on the active backend (Node: wasm or
 * cpu; the sandbox page drives the same trainer through its TrainingSession), `settings.members` times with seeds
 * seed, seed + 1, …, and averages the members' weights into the first one's network. `onRow` sees each logged loss
 * row, tagged with its member. Returns the first member's trainer, holding the result (its log is that member's;
 * dispose it when done).
 */
export async function personalize(
  base: PeNet,
  model: FaceModelTensors,
  clip: TrackedClip,
  settings: PersonalizationSettings,
  onRow?: (row: LossLogRow, member: number) => void,
): Promise<CpemTrainer> {
  const train = async (member: number): Promise<CpemTrainer> => {
    const net = await copyNetwork(base);
    const config = personalizationConfig(net.config, { ...settings, seed: settings.seed + member });
    const trainer = CpemTrainer.fineTune(
      config,
      net,
      model,
      personalizationSource(model, clip, config.seed, settings.realFraction),
    );
    try {
      while (trainer.step < config.steps) {
        const row = await trainer.trainStep();
        if (row) onRow?.(row, member);
      }
    } catch (e) {
      trainer.dispose();
      throw e;
    }
    return trainer;
  };
  const first = await train(0);
  try {
    const mean = first.net.trainableVariables;
    for (let member = 1; member < settings.members; member++) {
      const other = await train(member);
      // Running mean: after member k (0-based), mean = mean + (member k − mean) / (k + 1).
      other.net.trainableVariables.forEach((v, i) =>
        tf.tidy(() => {
          mean[i].assign(tf.add(mean[i], tf.div(tf.sub(v, mean[i]), member + 1)));
        }),
      );
      other.dispose();
    }
  } catch (e) {
    first.dispose();
    throw e;
  }
  return first;
}
