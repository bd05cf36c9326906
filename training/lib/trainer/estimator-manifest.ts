import type * as tf from '@tensorflow/tfjs-core';
import { peNetModelJson } from '../../../plugin/estimator/pe-net-files.js';
import type { SyntheticReport } from '../eval/synthetic-eval.js';
import type { TrainingConfig } from './training-config.js';

/** What travels beside shipped estimator weights (weights/pe-net/manifest.json). */
export interface EstimatorManifest {
  /** Manifest format. */
  format: 'babylon-cpem/pe-net-manifest';
  version: 1;
  /** Package version that trained the weights. */
  packageVersion: string;
  /** SHA-256 of the face-model file the network was trained against; the estimator's outputs are its α and β. */
  faceModelSha256: string;
  /** The run: its name, the command that reproduces it, the resolved training config and data settings. */
  run: { name: string; command: string; training: TrainingConfig; data: unknown };
  /** Steps trained, wall-clock seconds, the backend and the machine's CPU count. */
  trained: { steps: number; seconds: number; backend: string; cpus: number };
  /** Figures measured right after training (see docs/evaluation.md for the full report). */
  metrics: Record<string, number>;
}

/** The weights shard's name, as in weights/pe-net/. */
export const WEIGHTS_SHARD = 'weights.bin';

/**
 * model.json for `artifacts` with one shard named {@link WEIGHTS_SHARD} and the SHA-256 of its bytes, which
 * PeNet.load checks: what every export (the Node trainer, calibration, the sandbox's download) writes.
 */
export function modelJsonOf(artifacts: tf.io.ModelArtifacts): Record<string, unknown> {
  return peNetModelJson(artifacts, WEIGHTS_SHARD);
}

/** A manifest for a finished run, its metrics from the held-out synthetic report. */
export function estimatorManifest(init: {
  packageVersion: string;
  faceModelSha256: string;
  run: EstimatorManifest['run'];
  trained: EstimatorManifest['trained'];
  finalLoss: number;
  report: SyntheticReport;
}): EstimatorManifest {
  const { report } = init;
  return {
    format: 'babylon-cpem/pe-net-manifest',
    version: 1,
    packageVersion: init.packageVersion,
    faceModelSha256: init.faceModelSha256,
    run: init.run,
    trained: init.trained,
    metrics: {
      finalLoss: init.finalLoss,
      syntheticUnitMae: report.meanUnitMae,
      syntheticCategoryMae: report.meanCategoryMae,
      syntheticUnitCorrelation: report.meanCorrelation,
      syntheticIdentityMae: report.identityMae,
      ...(report.neutralVertexError
        ? { syntheticNeutralVertexRatio: report.neutralVertexError.all / report.neutralVertexError.meanFaceAll }
        : {}),
      syntheticRotationMaeDeg: report.rotationMaeDeg,
    },
  };
}
