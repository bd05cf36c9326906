import type * as tf from '@tensorflow/tfjs-core';
import type { CalibrationProfile } from '../calibration/range-profile.js';
import type { FaceEstimator } from '../estimator/face-estimator.js';
import type { PeNet } from '../estimator/pe-net.js';
import type { FaceMotionFilterOptions } from '../motion/face-motion-filter.js';
import type { IdentityCalibrationOptions } from '../motion/identity-calibration.js';
import type { RetargetWarning } from '../retarget/morph-target-applier.js';
import type { RetargetTable } from '../retarget/retarget-table.js';
import type { TrackerBackend } from '../tracker/backend.js';
import type { FrameAccess } from '../tracker/frame-access.js';
import type { FaceSource } from './frame-source.js';

export interface FaceRetargetBehaviorOptions {
  /** Default 'webcam'. A video element or stream you pass stays yours: stop() and dispose() leave its tracks alone. */
  source?: FaceSource;
  /** Video constraints for the webcam. Default { width: 640, height: 480, facingMode: 'user' }. */
  videoConstraints?: MediaTrackConstraints;
  /** Where getUserMedia is called. Default navigator.mediaDevices. */
  mediaDevices?: MediaDevices;
  /**
   * Folder (URL ending in '/') laid out as the package's weights/ (`npx babylon-cpem copy-assets DIR` writes one),
   * from which PE-Net, the face model, the tracker's models and the tfjs wasm binaries are read. Default: the
   * package's own files, which Vite and webpack 5 bundle (assets.ts).
   */
  assetBaseUrl?: string;
  /** PE-Net weights: a model.json URL, a TF.js IOHandler or a loaded PeNet (not disposed). Default: the package's own. */
  weights?: string | URL | tf.io.IOHandler | PeNet;
  /**
   * The face model for `reconstruct()` and `loadFaceModel()` (overlays), loaded only when one of them asks: the package's is
   * `packagedFaceModelUrl()` from 'babylon-cpem/face-model'. Default: `face-model.bin` under `assetBaseUrl`; without
   * either, those calls fail with WEIGHTS_MISSING saying so (a page without overlays carries no face model).
   */
  faceModelUrl?: string | URL;
  /** The retarget table. Default: autoMap(character).table. */
  table?: RetargetTable;
  /** TF.js backend of the tracker and PE-Net. Default 'auto' (webgpu → webgl → wasm → cpu; GPU backends only in hardware). */
  backend?: TrackerBackend | 'auto';
  /**
   * The tracker's iris model (FaceTrackerOptions.refineIris). Default 'alternate': one eye per frame, in turn,
   * which saves part of the tracker's landmark time for eye points close to those of running both eyes on every
   * frame (docs/tracking.md has both figures).
   */
  refineIris?: boolean | 'alternate';
  /**
   * How the tracker reads a video's pixels on the wasm and cpu backends (FaceTrackerOptions.frameAccess): 'copy'
   * (VideoFrame.copyTo), 'canvas' (a 2D canvas), or 'auto' (default: the cheaper of the two, measured as it runs).
   */
  frameAccess?: FrameAccess;
  /**
   * Threads of tfjs' threaded SIMD wasm build, used only where the page is cross-origin isolated (the COOP/COEP
   * headers in docs/behavior.md); elsewhere wasm runs on one thread. Default: tfjs' choice, which depends on the machine's cores.
   * tfjs 4.22 never runs more than half the logical cores, so a larger number gets that cap.
   */
  wasmThreads?: number;
  /** Temporal filter settings, or false for none. Default: FaceMotionFilter's defaults. */
  smoothing?: FaceMotionFilterOptions | false;
  /** Identity lock and per-user neutral, or false for none. Default: IdentityCalibration's (docs/behavior.md). */
  calibration?: IdentityCalibrationOptions | false;
  /**
   * The user's range profile (a `CalibrationProfile`: per unit an offset and gain from a thirty-second guided
   * capture; docs/personalization.md), applied after the per-user neutral. A malformed one, or one of another format
   * version or unit count, throws CALIBRATION_PROFILE_INVALID from the constructor. `setCalibrationProfile()` changes
   * it while running. Default none.
   */
  calibrationProfile?: CalibrationProfile | null;
  /** Start when attached. Default true. */
  autoStart?: boolean;
  /** A ready estimator to use (shared between behaviors, or built with your own tracker options); not disposed. Main thread only. */
  estimator?: FaceEstimator<HTMLVideoElement>;
  /**
   * Where the tracker and PE-Net run. 'main' (default): on the page's main thread. 'worker': in a dedicated Web Worker
   * (the package's `inference-worker.js`), which gets each frame as a transferred VideoFrame, so the main thread only
   * wraps the frame and reads the answer while the scene renders. Errors from the worker arrive as the same
   * CpemErrors; a worker that dies stops the behavior with ESTIMATION_FAILED, and start() builds a new one.
   * 'worker' takes `weights` as a URL only and no `estimator`, and needs `worker` (or `workerUrl`).
   */
  inference?: 'main' | 'worker';
  /**
   * Starts the worker for inference: 'worker': `inferenceWorker` from 'babylon-cpem/worker'. Importing it is what puts
   * the worker script into an app's build (Vite, webpack 5), so pages on the main thread carry none.
   */
  worker?: () => Worker;
  /** Instead of `worker`: the URL where the app serves a copy of the package's `dist/inference-worker.js`. */
  workerUrl?: string | URL;
  /** Retarget warnings (NaN units, targets that changed). Default console.warn. */
  onWarning?: (warning: RetargetWarning) => void;
}
