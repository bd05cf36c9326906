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
