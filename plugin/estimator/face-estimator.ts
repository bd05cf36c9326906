import * as tf from '@tensorflow/tfjs-core';
import { assetUrl } from '../assets.js';
import {
  applyRangeProfile,
  compileRangeProfile,
  type CalibrationProfile,
  type CompiledRangeProfile,
} from '../calibration/range-profile.js';
import { CpemError } from '../errors/cpem-error.js';
import type { FaceMotion } from '../motion/face-motion.js';
import { FaceMotionFilter, type FaceMotionFilterOptions } from '../motion/face-motion-filter.js';
import {
  IdentityCalibration,
  type CalibrationState,
  type IdentityCalibrationOptions,
} from '../motion/identity-calibration.js';
import { mirrorFaceLandmarks } from '../landmarks/face-mesh-mirror.js';
import { MIRRORED_UNIT_INDEX } from '../units/expression-units.js';
import { featureSize, frameFeatures } from './landmark-features.js';
import { PeNet } from './pe-net.js';
import { NUM_EXPRESSION_UNITS, NUM_FACE_LANDMARKS } from '../constants.js';

/** One face found by a landmark tracker: 478 face-mesh points as [x, y, z, ...] in image pixels. */
export interface TrackedFaceLike {
  landmarks: Float32Array;
  confidence: number;
}

/** What the estimator needs of a tracker (FaceTracker in plugin/tracker fits it). */
export interface LandmarkTracker<Input = unknown> {
  readonly backend: string;
  track(input: Input): Promise<{
    status: 'ok' | 'no-face';
    faces: TrackedFaceLike[];
    width: number;
    height: number;
    timings: { total: number; read?: number };
  }>;
  reset(): void;
  dispose(): void;
}

/** Milliseconds spent in each stage for one frame. */
export interface EstimatorTimings {
  /** Face detection and landmarks (the tracker), reading the frame's pixels included. */
  tracker: number;
  /** Of `tracker`: getting the frame's pixels (0 when the tracker does not say). */
  read: number;
  /** Landmark features, PE-Net and reading its outputs back. */
  estimator: number;
  /** Identity lock and temporal filter. */
  filter: number;
  /** The three together. */
  total: number;
}

/** Where the reconstructed face lies in the image: image = scale · (R·p)_xy (y flipped) + (x, y), in pixels. */
export interface ImageProjection {
  x: number;
  y: number;
  /** Pixels per model unit (millimetre). */
  scale: number;
}

/** A FaceMotion from the estimator, with what overlays and diagnostics need. */
export interface EstimatedFaceMotion extends FaceMotion {
  /** The 46 units as PE-Net read them, before calibration and filtering. */
  readonly rawUnits: Float32Array;
  /** The identity α of this frame (FaceMotion.identity holds the locked one once calibrated). */
  readonly frameIdentity: Float32Array;
  /** This frame's head rotation before the temporal filter (matches `projection`). */
  readonly frameRotation: Float32Array;
  /** Weak-perspective placement of the face model in the image, for this frame's (unfiltered) pose. */
  readonly projection: ImageProjection;
  /** Image size in pixels. */
  readonly imageWidth: number;
  readonly imageHeight: number;
  /** Calibration state after this frame. */
  readonly calibration: CalibrationState | 'off';
  /** Whether a range profile (calibrationProfile) was applied to this frame's units. */
  readonly rangeProfile: boolean;
  readonly timings: EstimatorTimings;
}

export interface FaceEstimatorOptions<Input = unknown> {
  /**
   * The landmark tracker (e.g. `await FaceTracker.create()`); the estimator disposes it unless `ownsTracker` is
   * false. Null for an estimator fed with landmarks from elsewhere through `estimateFromLandmarks()`.
   */
  tracker: LandmarkTracker<Input> | null;
  /** Dispose the tracker with the estimator. Default true. */
  ownsTracker?: boolean;
  /**
   * PE-Net: a model.json URL (or path, in Node), a TF.js IOHandler, or a loaded network (not disposed by the
   * estimator). Default: the package's own (`pe-net/` under `assetBaseUrl`, or the packaged copy).
   */
  weights?: string | URL | tf.io.IOHandler | PeNet;
  /** Folder laid out as the package's weights/ to read the default PE-Net from (see assets.ts). Default: the packaged files. */
  assetBaseUrl?: string;
  /** Identity lock and per-user neutral; false to pass units through. Default: IdentityCalibration's (2 s or 90 frames, neutral from the calmest quarter). */
  calibration?: IdentityCalibrationOptions | false;
  /**
   * The user's range profile (plugin/calibration): per unit an offset and gain measured from a short guided capture,
   * applied after the per-user neutral (once it is locked; from the first frame with `calibration: false`). A profile of
   * another format version or unit count than this network's is refused with CALIBRATION_PROFILE_INVALID. Default none;
   * `setCalibrationProfile()` changes it while running.
   */
  calibrationProfile?: CalibrationProfile | null;
  /** Temporal filter (One Euro per channel); false for none. Default: FaceMotionFilter's defaults. */
  smoothing?: FaceMotionFilterOptions | false;
  /** Faces below this tracker confidence count as lost. Default 0.5. */
  minConfidence?: number;
  /** Focal length of the assumed pinhole camera, as a multiple of the image's larger side (for translation in mm). Default 1.2. */
  focalLength?: number;
  /**
   * Read each frame twice, as it is and mirrored (landmarks flipped, left and right swapped), and average the two
   * readings of every unit with its mirror unit's, so that a face and its mirror image get mirror-image units
   * (a wink reads the same on either side). Costs a second row in PE-Net's batch. Default true.
   */
  symmetric?: boolean;
}

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/**
 * Refuses what would read as NaN or as finite wrong numbers without an error: landmarks that are not 478 points ×
 * (x, y, z) of finite numbers (a NaN iris point made every unit, the pose and the identity NaN; a NaN z gave wrong
 * units), an image size that is not positive, a confidence outside [0, 1] (NaN passed the confidence gate).
 */
function checkLandmarkInput(face: unknown, width: number, height: number): asserts face is TrackedFaceLike {
  const f = face as { landmarks?: unknown; confidence?: unknown } | null | undefined;
  if (!f || typeof f !== 'object')
    throw new CpemError(
      'INVALID_ARGUMENT',
      `estimateFromLandmarks() needs a face { landmarks, confidence }; got ${f === null ? 'null' : typeof f}.`,
    );
  const lm = f.landmarks as ArrayLike<number> | undefined;
  const n = NUM_FACE_LANDMARKS * 3;
  if (!lm || typeof lm !== 'object' || lm.length !== n) {
    throw new CpemError(
      'INVALID_ARGUMENT',
      `face.landmarks must hold ${NUM_FACE_LANDMARKS} points × (x, y, z), ${n} numbers; got ${lm && typeof lm === 'object' && typeof lm.length === 'number' ? `${lm.length} values` : typeof lm}.`,
    );
  }
  for (let i = 0; i < n; i++) {
    if (typeof lm[i] !== 'number' || !Number.isFinite(lm[i])) {
      throw new CpemError(
        'INVALID_ARGUMENT',
        `Landmark ${Math.floor(i / 3)} has ${'xyz'[i % 3]} = ${lm[i]}: every coordinate must be a finite number. Skip this frame (or pass a confidence of 0).`,
      );
    }
  }
  if (typeof f.confidence !== 'number' || !(f.confidence >= 0 && f.confidence <= 1))
    throw new CpemError('INVALID_ARGUMENT', `face.confidence must be a number in [0, 1]; got ${String(f.confidence)}.`);
  if (!(Number.isFinite(width) && width > 0 && Number.isFinite(height) && height > 0)) {
    throw new CpemError(
      'INVALID_ARGUMENT',
      `estimateFromLandmarks() needs the image's width and height in pixels (> 0); got ${width} × ${height}.`,
    );
  }
}

/**
 * The runtime chain from a video frame to a FaceMotion: tracker (478 landmarks) → landmark features → PE-Net
 * (α, β, pose) → identity lock and per-user neutral → temporal filter. Reads every tensor asynchronously and
 * disposes it within the frame.
 *
 * `estimate(frame)` resolves to null when no face is found (the filter then starts afresh on the next face).
 * Calls must not overlap: await each before the next (the behavior's loop does).
 */
export class FaceEstimator<Input = unknown> {
  readonly calibration: IdentityCalibration | null;
  private readonly filter: FaceMotionFilter | null;
  private readonly minConfidence: number;
  private readonly focal: number;
  private readonly symmetric: boolean;
  private disposed = false;
  private busy = false;
  private profile: CalibrationProfile | null = null;
  private compiledProfile: CompiledRangeProfile | null = null;

  private constructor(
    readonly tracker: LandmarkTracker<Input> | null,
    readonly peNet: PeNet,
    private readonly ownsTracker: boolean,
    private readonly ownsNet: boolean,
    options: FaceEstimatorOptions<Input>,
  ) {
    this.calibration = options.calibration === false ? null : new IdentityCalibration(options.calibration ?? {});
    this.filter = options.smoothing === false ? null : new FaceMotionFilter(options.smoothing ?? {});
    this.minConfidence = options.minConfidence ?? 0.5;
    this.focal = options.focalLength ?? 1.2;
    this.symmetric = options.symmetric ?? true;
    if (!(this.minConfidence >= 0 && this.minConfidence <= 1) || !(this.focal > 0)) {
      throw new CpemError(
        'INVALID_ARGUMENT',
        `FaceEstimator needs minConfidence in [0, 1] and focalLength > 0; got ${this.minConfidence} and ${this.focal}.`,
      );
    }
    if (options.calibrationProfile) this.setCalibrationProfile(options.calibrationProfile);
  }

  /** The range profile applied after the per-user neutral, or null. */
  get calibrationProfile(): CalibrationProfile | null {
    return this.profile;
  }

  /**
   * Applies a range profile from the next frame on (null: none). Throws CALIBRATION_PROFILE_INVALID, listing every
   * problem, for a profile that is malformed or does not fit this network (another format version, another unit
   * count); the profile in use then stays.
   */
  setCalibrationProfile(profile: CalibrationProfile | null): void {
    if (profile === null) {
      this.profile = null;
      this.compiledProfile = null;
      return;
    }
    const compiled = compileRangeProfile(profile, { unitCount: this.peNet.config.numExpression });
    this.profile = profile;
    this.compiledProfile = compiled;
  }

  /**
   * Loads the network (unless one is given) and builds the chain. Throws CpemError WEIGHTS_MISSING when the
   * weights cannot be read, WEIGHTS_CORRUPT when they are not a PE-Net for 478 landmarks.
   */
  static async create<Input>(options: FaceEstimatorOptions<Input>): Promise<FaceEstimator<Input>> {
    if (!options || (options.tracker !== null && typeof options.tracker?.track !== 'function')) {
      throw new CpemError(
        'INVALID_ARGUMENT',
        'FaceEstimator.create needs `tracker`: a FaceTracker (await FaceTracker.create()), or null to feed landmarks yourself.',
      );
    }
    const given = options.weights instanceof PeNet ? options.weights : null;
    const net =
      given ??
      (await (options.weights === undefined
        ? PeNet.load(assetUrl('pe-net/model.json', options.assetBaseUrl), {
            shardUrls: { 'weights.bin': assetUrl('pe-net/weights.bin', options.assetBaseUrl) },
          })
        : PeNet.load(options.weights as string | URL | tf.io.IOHandler)));
    const spec = net.config.features ?? { set: 'face-box' };
    if (net.config.inputSize !== featureSize(spec) || net.config.numExpression !== NUM_EXPRESSION_UNITS) {
      if (!given) net.dispose();
      throw new CpemError(
        'WEIGHTS_CORRUPT',
        `PE-Net takes ${net.config.inputSize} features and gives ${net.config.numExpression} units; the estimator needs ` +
          `${featureSize(spec)} (${spec.set} features of ${NUM_FACE_LANDMARKS} landmarks) and ${NUM_EXPRESSION_UNITS}. Use the shipped weights or retrain.`,
      );
    }
    try {
      return new FaceEstimator(options.tracker, net, options.ownsTracker !== false, !given, options);
    } catch (e) {
      if (!given) net.dispose();
      throw e;
    }
  }

  /** Tracks one frame and estimates its motion; null when there is no face. `timestamp` in ms defaults to now. */
  async estimate(frame: Input, timestamp = now()): Promise<EstimatedFaceMotion | null> {
    this.assertUsable(timestamp);
    const tracker = this.tracker;
    if (!tracker)
      throw new CpemError(
        'INVALID_ARGUMENT',
        'This FaceEstimator has no tracker: use estimateFromLandmarks(), or create it with one.',
      );
    this.busy = true;
    try {
      const t0 = now();
      const result = await tracker.track(frame);
      // dispose() while the tracker ran: the network may be freed, so the frame is dropped with a CpemError.
      if (this.disposed)
        throw new CpemError(
          'INVALID_ARGUMENT',
          'FaceEstimator was disposed while a frame was running; the frame is discarded.',
        );
      const trackerMs = now() - t0;
      const face = result.status === 'ok' ? result.faces[0] : undefined;
      if (!face || face.confidence < this.minConfidence) {
        this.lose();
        return null;
      }
      return await this.run(face, result.width, result.height, timestamp, trackerMs, result.timings.read ?? 0);
    } finally {
      this.busy = false;
    }
  }

  /**
   * Estimates motion from landmarks found elsewhere (478 points, [x, y, z, ...] in pixels of a width × height
   * image), skipping the tracker.
   */
  async estimateFromLandmarks(
    face: TrackedFaceLike,
    width: number,
    height: number,
    timestamp = now(),
  ): Promise<EstimatedFaceMotion | null> {
    this.assertUsable(timestamp);
    checkLandmarkInput(face, width, height);
    if (face.confidence < this.minConfidence) {
      this.lose();
      return null;
    }
    this.busy = true;
    try {
      return await this.run(face, width, height, timestamp, 0);
    } finally {
      this.busy = false;
    }
  }

  /** Starts collecting the user's identity and neutral face again (a new person, or on demand). */
  recalibrate(): void {
    this.calibration?.recalibrate();
    this.filter?.reset();
  }

  /** Forgets the temporal state (filter, tracker's last box), e.g. when the video source changes. */
  reset(): void {
    this.filter?.reset();
    this.tracker?.reset();
  }

  /** Frees the network's tensors (unless it was given) and the tracker (unless `ownsTracker` is false). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.ownsNet) this.peNet.dispose();
    if (this.ownsTracker) this.tracker?.dispose();
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  private assertUsable(timestamp: number): void {
    if (!Number.isFinite(timestamp))
      throw new CpemError(
        'INVALID_ARGUMENT',
        `FaceEstimator: timestamp is ${timestamp}; pass the frame's time in milliseconds (e.g. performance.now()), or leave it out.`,
      );
    if (this.disposed)
      throw new CpemError('INVALID_ARGUMENT', 'FaceEstimator.estimate() after dispose(); create a new estimator.');
    if (this.busy)
      throw new CpemError(
        'INVALID_ARGUMENT',
        'FaceEstimator.estimate() called while the previous frame is still running; await each call.',
      );
  }

  private lose(): void {
    this.filter?.reset();
  }

  private async run(
    face: TrackedFaceLike,
    width: number,
    height: number,
    timestamp: number,
    trackerMs: number,
    readMs = 0,
  ): Promise<EstimatedFaceMotion> {
    const t1 = now();
    const spec = this.peNet.config.features ?? { set: 'face-box' };
    const stride = face.landmarks.length / NUM_FACE_LANDMARKS;
    const { features, box } = frameFeatures(spec, face.landmarks, stride);
    const rows = this.symmetric ? 2 : 1;
    const batch = new Float32Array(rows * features.length);
    batch.set(features);
    if (this.symmetric)
      batch.set(
        frameFeatures(spec, mirrorFaceLandmarks(face.landmarks, width, stride), stride).features,
        features.length,
      );
    const { numIdentity, numExpression } = this.peNet.config;
    const packed = tf.tidy(() => {
      const out = this.peNet.predict(tf.tensor2d(batch, [rows, features.length]));
      return tf.concat([out.identity, out.expression, out.rotation, out.translation], 1);
    });
    let values: Float32Array;
    try {
      values = (await packed.data()) as Float32Array;
    } finally {
      packed.dispose();
    }
    if (this.disposed) throw new CpemError('INVALID_ARGUMENT', 'FaceEstimator was disposed while a frame was running.');
    const frameIdentity = values.slice(0, numIdentity);
    const rawUnits = values.slice(numIdentity, numIdentity + numExpression);
    if (this.symmetric) {
      // Row 1 read the mirrored face: its unit u is this face's mirror unit.
      const mirrored = values.subarray(
        values.length / 2 + numIdentity,
        values.length / 2 + numIdentity + numExpression,
      );
      for (let u = 0; u < numExpression; u++) rawUnits[u] = (rawUnits[u] + mirrored[MIRRORED_UNIT_INDEX[u]]) / 2;
    }
    const rotation = values.slice(numIdentity + numExpression, numIdentity + numExpression + 3);
    const [tx, ty, logScale] = values.subarray(numIdentity + numExpression + 3, numIdentity + numExpression + 6);
    // Face-box units → pixels: the box's centre and larger side define the PE-Net's frame.
    const projection: ImageProjection = {
      x: box.centerX + tx * box.size,
      y: box.centerY + ty * box.size,
      scale: Math.exp(logScale) * box.size,
    };
    // A pinhole camera with focal f (px) at the image centre turns weak perspective into a 3D position (mm):
    // x right, y up, z towards the viewer (the face is at negative z).
    const f = this.focal * Math.max(width, height);
    const s = Math.max(projection.scale, 1e-6);
    const translation = Float32Array.of((projection.x - width / 2) / s, -(projection.y - height / 2) / s, -f / s);
    const t2 = now();

    let motion: FaceMotion = {
      units: rawUnits.slice(),
      rotation: rotation.slice(),
      translation,
      identity: frameIdentity,
      landmarks: face.landmarks,
      confidence: face.confidence,
      timestamp,
    };
    // The range profile is measured against the per-user neutral: it waits for the neutral to be locked (the frame that
    // locks it still passes through unchanged).
    const profiled = this.compiledProfile !== null && (!this.calibration || this.calibration.state === 'locked');
    if (this.calibration) motion = this.calibration.apply(motion);
    if (profiled) motion = { ...motion, units: applyRangeProfile(this.compiledProfile!, motion.units) };
    if (this.filter) motion = this.filter.apply(motion);
    const t3 = now();
    return {
      ...motion,
      rawUnits,
      frameIdentity,
      frameRotation: rotation,
      projection,
      imageWidth: width,
      imageHeight: height,
      calibration: this.calibration ? this.calibration.state : 'off',
      rangeProfile: profiled,
      timings: { tracker: trackerMs, read: readMs, estimator: t2 - t1, filter: t3 - t2, total: trackerMs + (t3 - t1) },
    };
  }
}
