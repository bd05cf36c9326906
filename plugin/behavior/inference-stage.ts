import type * as tf from '@tensorflow/tfjs-core';
import { FaceEstimator, type EstimatedFaceMotion } from '../estimator/face-estimator.js';
import type { PeNet } from '../estimator/pe-net.js';
import type { CalibrationProfile } from '../calibration/range-profile.js';
import type { FaceMotionFilterOptions } from '../motion/face-motion-filter.js';
import type { IdentityCalibrationOptions } from '../motion/identity-calibration.js';
import type { TrackerBackend } from '../tracker/backend.js';
import { FaceTracker } from '../tracker/face-tracker.js';
import type { FrameAccess } from '../tracker/frame-access.js';

export interface InferenceStageOptions {
  /** A ready estimator to use; the stage never disposes it. */
  estimator?: FaceEstimator<HTMLVideoElement>;
  backend?: TrackerBackend | 'auto';
  refineIris?: boolean | 'alternate';
  frameAccess?: FrameAccess;
  wasmThreads?: number;
  assetBaseUrl?: string;
  weights?: string | URL | tf.io.IOHandler | PeNet;
  calibration?: IdentityCalibrationOptions | false;
  calibrationProfile?: CalibrationProfile | null;
  smoothing?: FaceMotionFilterOptions | false;
}

/**
 * The inference stage: the tracker and estimator that turn a video frame into motion. Loads them on first use (or
 * takes a given estimator), runs one frame at a time, and frees what it built once any frame still running settles.
 */
export class InferenceStage {
  private loaded: FaceEstimator<HTMLVideoElement> | null = null;
  private loading: Promise<FaceEstimator<HTMLVideoElement>> | null = null;
  private inFlight: Promise<unknown> | null = null;
  private disposed = false;

  private profile: CalibrationProfile | null;

  constructor(private readonly options: InferenceStageOptions) {
    this.profile = options.calibrationProfile ?? null;
  }

  /**
   * The range profile for the estimator (now, when loaded; else once it is). Throws CALIBRATION_PROFILE_INVALID for
   * one that does not fit the loaded network; the one in use stays.
   */
  setCalibrationProfile(profile: CalibrationProfile | null): void {
    this.loaded?.setCalibrationProfile(profile);
    this.profile = profile;
  }

  /** The estimator once loaded, else null. */
  get estimator(): FaceEstimator<HTMLVideoElement> | null {
    return this.loaded;
  }

  /** True once load() has resolved (and until dispose()). */
  get ready(): boolean {
    return this.loaded !== null;
  }

  /** Loads the tracker (backend, models, warm-up) and PE-Net, once; rejects with their CpemError. */
  load(): Promise<FaceEstimator<HTMLVideoElement>> {
    if (this.loaded) return Promise.resolve(this.loaded);
    this.loading ??= this.build().then(
      (estimator) => {
        this.loading = null;
        if (this.disposed) {
          if (estimator !== this.options.estimator) estimator.dispose();
          return estimator;
        }
        this.loaded = estimator;
        // A given estimator takes the behavior's profile too (a profile set while loading included).
        if (estimator.calibrationProfile !== this.profile) estimator.setCalibrationProfile(this.profile);
        return estimator;
      },
      (e) => {
        this.loading = null;
        throw e;
      },
    );
    return this.loading;
  }

  /** Tracks and estimates one frame (null: no face). Load first. */
  async run(video: HTMLVideoElement, timestamp: number): Promise<EstimatedFaceMotion | null> {
    const estimator = this.loaded;
    if (!estimator) return null;
    const run = estimator.estimate(video, timestamp);
    this.inFlight = run;
    try {
      return await run;
    } finally {
      if (this.inFlight === run) this.inFlight = null;
    }
  }

  /** Forgets temporal state (filter, tracked face), e.g. when the video source changes. */
  reset(): void {
    this.loaded?.reset();
  }

  recalibrate(): void {
    this.loaded?.recalibrate();
  }

  /** Frees the tracker and PE-Net it built (not a given estimator), after a frame still running settles. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const estimator = this.loaded;
    this.loaded = null;
    if (!estimator || estimator === this.options.estimator) return;
    if (this.inFlight) this.inFlight.finally(() => estimator.dispose()).catch(() => {});
    else estimator.dispose();
  }

  private async build(): Promise<FaceEstimator<HTMLVideoElement>> {
    if (this.options.estimator) return this.options.estimator;
    const tracker = await FaceTracker.create({
      backend: this.options.backend ?? 'auto',
      refineIris: this.options.refineIris ?? 'alternate',
      frameAccess: this.options.frameAccess,
      wasmThreads: this.options.wasmThreads,
      assetBaseUrl: this.options.assetBaseUrl,
    });
    try {
      return await FaceEstimator.create<HTMLVideoElement>({
        tracker,
        weights: this.options.weights,
        assetBaseUrl: this.options.assetBaseUrl,
        calibration: this.options.calibration,
        calibrationProfile: this.profile,
        smoothing: this.options.smoothing,
      });
    } catch (e) {
      tracker.dispose();
      throw e;
    }
  }
}
