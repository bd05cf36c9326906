import { CpemError } from '../../../plugin/errors/cpem-error.js';

/** Weights of the CPEM loss terms (DESIGN.md: λ_idc 1000, λ_exp 10; landmark 0.1, α-regulariser 1e-4, sparsity 0.1). */
export interface LossWeights {
  landmark: number;
  identityConsistency: number;
  expressionExclusive: number;
  identityRegularization: number;
  expressionSparsity: number;
  /**
   * Direct supervision of β, α and pose on synthetic samples, where ground truth exists. Beyond the paper
   * (which is self-supervised only); 0 switches it off.
   */
  syntheticSupervision: number;
  /** Weight of α within the synthetic supervision (relative to β and pose). Default 0.01. */
  syntheticIdentity: number;
  /**
   * Real frames: squared error of β against a teacher's unit values where the batch has them (summed over the units
   * with a target, averaged over the frames with any). Beyond the paper; 0 switches it off.
   */
  teacher: number;
  /**
   * Real frames: squared error of each labelled category (the mean of its units) against its label by eye (summed
   * over the categories, averaged over the labelled frames). Beyond the paper; 0 switches it off.
   */
  labels: number;
  /**
   * Real frames: l1 on the units that have neither a teacher target nor a labelled category there (see
   * cpem-objective.ts). Beyond the paper; 0 switches it off.
   */
  untargetedSparsity: number;
}

export interface TrainingConfig {
  /** Seed for initial weights and every sampled batch. */
  seed: number;
  /** Optimiser steps. */
  steps: number;
  /** Adam learning rate (paper: 1e-4). */
  learningRate: number;
  /** Persons per batch (P). */
  persons: number;
  /** Frames per person (T; paper: 4). */
  framesPerPerson: number;
  lossWeights: LossWeights;
  /** Fraction of training after which the expression-exclusive term switches on (paper: the last third). */
  expressionExclusiveFrom: number;
  /**
   * Multipliers of the landmark-loss weight on the eyelid, brow and lip points (1: the paper's contour 1 / inner 10).
   * Real lids and lips carry the expression the rest of the face barely shows.
   */
  landmarkRegionWeights: { eyelids: number; brows: number; lips: number };
  /**
   * What PE-Net reads from a frame's landmarks: `face-box` (x, y in face-box units) or `aligned` (3D landmarks
   * aligned onto the face model's neutral face, then the alignment: LandmarkFeatureSpec).
   */
  features: 'face-box' | 'aligned';
  /** Hidden widths of PE-Net. */
  hidden: number[];
  /** PE-Net's identity head reads the shared layers without training them (see PeNetConfig.detachIdentity). */
  detachIdentity: boolean;
  /** Hidden widths of the identity head's own trunk (PeNetConfig.identityHidden); empty: the identity head reads the shared trunk. */
  identityHidden: number[];
  /** Steps between checkpoints (0: only at the end). */
  checkpointEvery: number;
  /** Steps between loss-log rows. */
  logEvery: number;
}

export const DEFAULT_TRAINING_CONFIG: TrainingConfig = {
  seed: 1,
  steps: 3000,
  learningRate: 1e-4,
  persons: 16,
  framesPerPerson: 4,
  lossWeights: {
    landmark: 0.1,
    identityConsistency: 1000,
    expressionExclusive: 10,
    identityRegularization: 1e-4,
    expressionSparsity: 0.1,
    syntheticSupervision: 0,
    syntheticIdentity: 0.01,
    teacher: 0,
    labels: 0,
    untargetedSparsity: 0,
  },
  expressionExclusiveFrom: 2 / 3,
  landmarkRegionWeights: { eyelids: 1, brows: 1, lips: 1 },
  features: 'face-box',
  hidden: [512, 256],
  detachIdentity: true,
  identityHidden: [],
  checkpointEvery: 500,
  logEvery: 10,
};

/**
 * Merges a partial config over the defaults and checks every number; throws INVALID_ARGUMENT listing all
 * bad fields at once.
 */
export function resolveTrainingConfig(
  partial: Partial<Omit<TrainingConfig, 'lossWeights' | 'landmarkRegionWeights'>> & {
    lossWeights?: Partial<LossWeights>;
    landmarkRegionWeights?: Partial<TrainingConfig['landmarkRegionWeights']>;
  } = {},
): TrainingConfig {
  const config: TrainingConfig = {
    ...DEFAULT_TRAINING_CONFIG,
    ...partial,
    lossWeights: { ...DEFAULT_TRAINING_CONFIG.lossWeights, ...partial.lossWeights },
    landmarkRegionWeights: { ...DEFAULT_TRAINING_CONFIG.landmarkRegionWeights, ...partial.landmarkRegionWeights },
  } as TrainingConfig;
  const problems: string[] = [];
  const positiveInt = (name: string, v: unknown) => {
    if (!Number.isInteger(v) || (v as number) < 1)
      problems.push(`${name} must be a positive integer (got ${JSON.stringify(v)})`);
  };
  const nonNegative = (name: string, v: unknown) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
      problems.push(`${name} must be a finite number ≥ 0 (got ${JSON.stringify(v)})`);
  };
  // A whole number ≥ 0 (checked as seed + 1 ≥ 1 before, -1 was reported as "got 0").
  if (!Number.isInteger(config.seed) || config.seed < 0)
    problems.push(`seed must be a whole number ≥ 0 (got ${JSON.stringify(config.seed)})`);
  positiveInt('steps', config.steps);
  positiveInt('persons', config.persons);
  positiveInt('framesPerPerson', config.framesPerPerson);
  positiveInt('logEvery', config.logEvery);
  nonNegative('checkpointEvery', config.checkpointEvery);
  if (!(config.learningRate > 0 && config.learningRate < 1))
    problems.push(`learningRate must be in (0, 1) (got ${config.learningRate})`);
  if (!(config.expressionExclusiveFrom >= 0 && config.expressionExclusiveFrom <= 1))
    problems.push(`expressionExclusiveFrom must be in [0, 1] (got ${config.expressionExclusiveFrom})`);
  if (!Array.isArray(config.hidden) || config.hidden.length === 0)
    problems.push('hidden must list at least one layer width');
  else config.hidden.forEach((h, i) => positiveInt(`hidden[${i}]`, h));
  if (config.features !== 'face-box' && config.features !== 'aligned')
    problems.push(`features must be face-box or aligned (got ${JSON.stringify(config.features)})`);
  if (!Array.isArray(config.identityHidden)) problems.push('identityHidden must list layer widths (or be empty)');
  else config.identityHidden.forEach((h, i) => positiveInt(`identityHidden[${i}]`, h));
  if (typeof config.detachIdentity !== 'boolean')
    problems.push(`detachIdentity must be true or false (got ${JSON.stringify(config.detachIdentity)})`);
  for (const [k, v] of Object.entries(config.lossWeights)) nonNegative(`lossWeights.${k}`, v);
  for (const [k, v] of Object.entries(config.landmarkRegionWeights)) nonNegative(`landmarkRegionWeights.${k}`, v);
  const knownRegions = new Set(Object.keys(DEFAULT_TRAINING_CONFIG.landmarkRegionWeights));
  for (const k of Object.keys(partial.landmarkRegionWeights ?? {}))
    if (!knownRegions.has(k)) problems.push(`unknown landmark region ${k}`);
  const known = new Set([...Object.keys(DEFAULT_TRAINING_CONFIG)]);
  for (const k of Object.keys(partial)) if (!known.has(k)) problems.push(`unknown field ${k}`);
  const knownWeights = new Set(Object.keys(DEFAULT_TRAINING_CONFIG.lossWeights));
  for (const k of Object.keys(partial.lossWeights ?? {}))
    if (!knownWeights.has(k)) problems.push(`unknown loss weight ${k}`);
  if (problems.length > 0)
    throw new CpemError('INVALID_ARGUMENT', `Invalid training config:\n- ${problems.join('\n- ')}`);
  return config;
}

/** The loss weights in force at `step` (0-based): the expression-exclusive term only from its start fraction on. */
export function lossWeightsAt(config: TrainingConfig, step: number): LossWeights {
  const exclusiveOn = step >= Math.floor(config.expressionExclusiveFrom * config.steps);
  return { ...config.lossWeights, expressionExclusive: exclusiveOn ? config.lossWeights.expressionExclusive : 0 };
}
