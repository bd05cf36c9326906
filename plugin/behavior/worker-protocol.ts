import type { CalibrationProfile } from '../calibration/range-profile.js';
import type { CpemErrorCode } from '../errors/cpem-error.js';
import type { EstimatedFaceMotion } from '../estimator/face-estimator.js';
import type { FaceMotionFilterOptions } from '../motion/face-motion-filter.js';
import type { IdentityCalibrationOptions } from '../motion/identity-calibration.js';
import type { TrackerBackend } from '../tracker/backend.js';
import type { FrameAccess } from '../tracker/frame-access.js';

/** What the inference worker is built with: the InferenceStageOptions that cross a thread (no live objects). */
export interface WorkerLoadOptions {
  backend: TrackerBackend | 'auto';
  refineIris: boolean | 'alternate';
  frameAccess?: FrameAccess;
  wasmThreads?: number;
  assetBaseUrl?: string;
  /** PE-Net's model.json URL (absolute), when not the package's own. */
  weights?: string;
  calibration?: IdentityCalibrationOptions | false;
  /** The range profile (plain JSON, checked on the main thread first). */
  calibrationProfile?: CalibrationProfile | null;
  smoothing?: FaceMotionFilterOptions | false;
}

/** Main thread → worker. */
export type ToWorker =
  | { type: 'load'; options: WorkerLoadOptions }
  | { type: 'frame'; id: number; frame: VideoFrame | ImageBitmap; timestamp: number }
  | { type: 'reset' }
  | { type: 'recalibrate' }
  | { type: 'profile'; profile: CalibrationProfile | null }
  | { type: 'dispose' };

/** A CpemError as it crosses a thread. */
export interface WorkerError {
  code: CpemErrorCode;
  message: string;
}

/** Worker → main thread. */
export type FromWorker =
  | { type: 'loaded'; backend: TrackerBackend; threads: number }
  | { type: 'load-failed'; error: WorkerError }
  | { type: 'result'; id: number; motion: EstimatedFaceMotion | null; numTensors: number; workerMs: number }
  | { type: 'frame-failed'; id: number; error: WorkerError };
