// babylon-cpem/training: what produces PE-Net's weights. The CPEM losses, the data (synthetic multi-frame batches
// from the face model, real landmark tracks), the trainer, and the export of a trained network with its manifest.
// Registers TF.js' gradient functions on import (tfjs-core's ES module build: use it through a bundler).
import './tf/register-gradients.js';

// Losses.
export { identityConsistencyLoss } from './losses/identity-consistency.js';
export { expressionExclusiveLoss } from './losses/expression-exclusive.js';
export { landmarkLoss, contourWeightedLandmarks } from './losses/landmark.js';
export { identityRegularization, expressionSparsity } from './losses/regularization.js';
export { stopGradient } from './losses/stop-gradient.js';
export { cpemObjective } from './trainer/cpem-objective.js';
export type { ObjectiveTerms } from './trainer/cpem-objective.js';

// Data.
export { SyntheticFaceSource, disposeBatch } from './data/synthetic-batch.js';
export type { FaceBatch, SyntheticOptions } from './data/synthetic-batch.js';
export { RealTrackSource } from './data/real-track-source.js';
export type { TrackedClip } from './data/real-track-source.js';
export { RunBatchSource } from './data/run-batch-source.js';
export { encodeLandmarkTrack, decodeLandmarkTrack, makeTrackHeader } from './data/landmark-track.js';
export type { LandmarkTrack, LandmarkTrackFrame, LandmarkTrackHeader } from './data/landmark-track.js';

// Trainer.
export { CpemTrainer } from './trainer/cpem-trainer.js';
export type { BatchSource, TrainerCheckpoint } from './trainer/cpem-trainer.js';
export { DEFAULT_TRAINING_CONFIG, resolveTrainingConfig } from './trainer/training-config.js';
export type { TrainingConfig, LossWeights } from './trainer/training-config.js';
export { resolveRunConfig } from './trainer/run-config.js';
export type { RunConfig } from './trainer/run-config.js';
export { LossLog } from './trainer/loss-log.js';
export type { LossLogRow } from './trainer/loss-log.js';

// Evaluation and export: score a network on held-out synthetic faces, write model.json (with the weights' SHA-256)
// and the manifest that travels with shipped weights.
export { evaluateSynthetic } from './eval/synthetic-eval.js';
export type { SyntheticReport } from './eval/synthetic-eval.js';
export { modelJsonOf, estimatorManifest, WEIGHTS_SHARD } from './trainer/estimator-manifest.js';
export type { EstimatorManifest } from './trainer/estimator-manifest.js';
