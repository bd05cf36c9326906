import * as tf from '@tensorflow/tfjs-core';
import type { Behavior } from '@babylonjs/core/Behaviors/behavior';
import type { AbstractMesh } from '@babylonjs/core/Meshes/abstractMesh';
import type { Nullable } from '@babylonjs/core/types';
import type { Observer } from '@babylonjs/core/Misc/observable';
import type { Scene } from '@babylonjs/core/scene';
import { Observable } from '@babylonjs/core/Misc/observable.js';
import { CpemError, isCpemError } from '../errors/cpem-error.js';
import { DEFAULT_PE_NET_URL, FaceEstimator, type EstimatedFaceMotion } from '../estimator/face-estimator.js';
import type { PeNet } from '../estimator/pe-net.js';
import { FaceModel } from '../face-model/face-model.js';
import { projectPoints } from '../geometry/head-pose.js';
import { createNeutralFaceMotion, type FaceMotion } from '../motion/face-motion.js';
import type { FaceMotionFilterOptions } from '../motion/face-motion-filter.js';
import type { IdentityCalibrationOptions } from '../motion/identity-calibration.js';
import { autoMap } from '../retarget/auto-map.js';
import { RetargetApplier, type RetargetWarning } from '../retarget/morph-target-applier.js';
import type { RetargetTable } from '../retarget/retarget-table.js';
import type { TrackerBackend } from '../tracker/backend.js';
import { FaceTracker } from '../tracker/face-tracker.js';

/** The shipped face model, as served next to the page. */
export const DEFAULT_FACE_MODEL_URL = '/weights/face-model.bin';

/** Where the face comes from: the user's webcam (getUserMedia), a video element, or a MediaStream. */
export type FaceSource = 'webcam' | HTMLVideoElement | MediaStream;

export type FaceRetargetState = 'idle' | 'starting' | 'running' | 'paused' | 'stopped' | 'disposed';

export interface FaceRetargetBehaviorOptions {
  /** Default 'webcam'. A video element or stream you pass stays yours: stop() and dispose() leave its tracks alone. */
  source?: FaceSource;
  /** Video constraints for the webcam. Default { width: 640, height: 480, facingMode: 'user' }. */
  videoConstraints?: MediaTrackConstraints;
  /** Where getUserMedia is called. Default navigator.mediaDevices. */
  mediaDevices?: MediaDevices;
  /** PE-Net weights: a model.json URL, a TF.js IOHandler or a loaded PeNet. Default DEFAULT_PE_NET_URL (the shipped ones). */
  weights?: string | tf.io.IOHandler | PeNet;
  /** The face model, for `reconstruct()` (overlays). Default DEFAULT_FACE_MODEL_URL; null to skip loading it. */
  faceModelUrl?: string | null;
  /** The retarget table. Default: autoMap(character).table. */
  table?: RetargetTable;
  /** TF.js backend of the tracker and PE-Net. Default 'auto' (webgpu → webgl → wasm → cpu; GPU backends only in hardware). */
  backend?: TrackerBackend | 'auto';
  /** Folder of the tracker's models (blazeface, facemesh, iris). Default: the tracker's own ('/models/human/'). */
  trackerModelBaseUrl?: string;
  /** Folder of the tfjs wasm binaries, for the wasm backend. Default '/tfjs-wasm/'. */
  wasmPaths?: string;
  /**
   * The tracker's iris model (FaceTrackerOptions.refineIris). Default 'alternate': one eye per frame, in turn,
   * which takes about a quarter off the tracker's landmark time for eye points within 0.3 % of the eye distance of running
   * both eyes on every frame (docs/tracking.md).
   */
  refineIris?: boolean | 'alternate';
  /** Temporal filter settings, or false for none. Default: FaceMotionFilter's defaults. */
  smoothing?: FaceMotionFilterOptions | false;
  /** Identity lock and per-user neutral, or false for none. Default: the first 2 s of face. */
  calibration?: IdentityCalibrationOptions | false;
  /** Start when attached. Default true. */
  autoStart?: boolean;
  /** A ready estimator to use (shared between behaviors); the behavior does not dispose it. */
  estimator?: FaceEstimator<HTMLVideoElement>;
  /** Retarget warnings (NaN units, targets that changed). Default console.warn. */
  onWarning?: (warning: RetargetWarning) => void;
}

/** Latency and rate figures, updated as frames are processed. */
export interface FaceRetargetStats {
  /** Milliseconds, last frame: tracker, estimator (PE-Net), filter (calibration + One Euro), apply (retarget, per rendered frame). */
  tracker: number;
  estimator: number;
  filter: number;
  apply: number;
  /** Frames estimated per second over the last second. */
  estimatesPerSecond: number;
  /** Frames estimated since start. */
  frames: number;
}

type VideoWithFrameCallback = HTMLVideoElement & {
  requestVideoFrameCallback?(cb: (now: number, meta: { mediaTime: number }) => void): number;
  cancelVideoFrameCallback?(handle: number): void;
};

const now = (): number => performance.now();
/** Longest wait for a video frame callback before polling instead (hidden or detached videos may not get them). */
const FRAME_WATCHDOG_MS = 250;

/**
 * Drives a character's morph targets (and head, when the table has `head`) from a face on video.
 *
 * ```ts
 * const behavior = new FaceRetargetBehavior({ source: 'webcam' });
 * character.addBehavior(behavior); // auto-maps the targets and starts the webcam
 * ```
 *
 * Tracking and estimation run in their own loop, one frame at a time, paced by the video
 * (requestVideoFrameCallback); rendering never waits for them. Each rendered frame applies the latest motion.
 * Errors (CpemError: CAMERA_DENIED, CAMERA_UNAVAILABLE, WEIGHTS_MISSING, WEIGHTS_CORRUPT, NO_MORPH_TARGETS,
 * DEVICE_LOST, ESTIMATION_FAILED) go to `onError`; `start()` also rejects with them.
 */
export class FaceRetargetBehavior implements Behavior<AbstractMesh> {
  /** Observers get each estimated frame (after calibration and filtering). */
  readonly onFaceMotion = new Observable<EstimatedFaceMotion>();
  /** A face was visible and is not any more. */
  readonly onFaceLost = new Observable<void>();
  /** A face appears (first frame with one, or after a loss). */
  readonly onFaceFound = new Observable<EstimatedFaceMotion>();
  readonly onError = new Observable<CpemError>();

  attachedNode: Nullable<AbstractMesh> = null;
  /** The face model once loaded (see `faceModelUrl`), for overlays. */
  faceModel: FaceModel | null = null;

  private readonly options: FaceRetargetBehaviorOptions;
  private source: FaceSource;
  private _state: FaceRetargetState = 'idle';
  private _estimator: FaceEstimator<HTMLVideoElement> | null = null;
  private _applier: RetargetApplier | null = null;
  private _video: HTMLVideoElement | null = null;
  private ownedStream: MediaStream | null = null;
  private ownsVideo = false;
  private observer: Nullable<Observer<Scene>> = null;
  private latest: FaceMotion | null = null;
  private faceVisible = false;
  private generation = 0;
  private inFlight: Promise<unknown> | null = null;
  private frameHandle: number | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private starting: Promise<void> | null = null;
  private deviceWatch: (() => void) | null = null;
  private rateWindow: number[] = [];
  private readonly _stats: FaceRetargetStats = { tracker: 0, estimator: 0, filter: 0, apply: 0, estimatesPerSecond: 0, frames: 0 };

  constructor(options: FaceRetargetBehaviorOptions = {}) {
    this.options = { ...options };
    this.source = options.source ?? 'webcam';
  }

  /** Babylon's behavior name: `mesh.getBehaviorByName('FaceRetarget')`. */
  get name(): string {
    return 'FaceRetarget';
  }

  get state(): FaceRetargetState {
    return this._state;
  }

  private get isDisposed(): boolean {
    return this._state === 'disposed';
  }

  /** The video element frames are read from (created for a webcam or stream), or null before start. */
  get video(): HTMLVideoElement | null {
    return this._video;
  }

  get estimator(): FaceEstimator<HTMLVideoElement> | null {
    return this._estimator;
  }

  get applier(): RetargetApplier | null {
    return this._applier;
  }

  /** The last motion applied (null before the first face). */
  get latestMotion(): FaceMotion | null {
    return this.latest;
  }

  get stats(): Readonly<FaceRetargetStats> {
    return this._stats;
  }

  init(): void {}

  /**
   * Binds the retarget table (the given one, or autoMap's) to `target` and applies the latest motion before each
   * render; starts unless `autoStart` is false. Throws (and reports on onError) NO_MORPH_TARGETS or
   * RETARGET_TABLE_INVALID.
   */
  attach(target: AbstractMesh): void {
    if (this._state === 'disposed') throw new CpemError('INVALID_ARGUMENT', 'FaceRetargetBehavior was disposed; create a new one.');
    if (this.attachedNode) this.detach();
    try {
      const table = this.options.table ?? autoMap(target).table;
      this._applier = new RetargetApplier(target, table, { onWarning: this.options.onWarning });
    } catch (e) {
      const error = this.report(e);
      throw error;
    }
    this.attachedNode = target;
    this.observer = target.getScene().onBeforeRenderObservable.add(() => this.applyLatest());
    if (this.options.autoStart !== false) this.start().catch(() => { /* reported through onError */ });
  }

  /** Stops, puts the character's morph targets and head back as they were, and unbinds. */
  detach(): void {
    this.stop();
    this.observer?.remove();
    this.observer = null;
    this._applier?.dispose();
    this._applier = null;
    this.attachedNode = null;
  }

  /**
   * Replaces the retarget table (validated against the character first: throws RETARGET_TABLE_INVALID listing
   * every problem, and the old table stays).
   */
  setTable(table: RetargetTable): void {
    if (!this.attachedNode) {
      this.options.table = table;
      return;
    }
    const next = new RetargetApplier(this.attachedNode, table, { onWarning: this.options.onWarning });
    this._applier?.dispose();
    this._applier = next;
    this.options.table = table;
  }

  /** Switches the video source; restarts when running. */
  async setSource(source: FaceSource): Promise<void> {
    const wasRunning = this._state === 'running' || this._state === 'starting';
    // A face seen on the old source counts as visible until the new one shows none (then onFaceLost fires).
    const visible = this.faceVisible;
    this.stop();
    this.faceVisible = visible;
    this.source = source;
    this._estimator?.reset();
    if (wasRunning) await this.start();
  }

  /**
   * Opens the source and loads the models (first time), then runs. Resolves once frames are being estimated;
   * rejects with the CpemError also sent to onError. From 'paused' it resumes.
   */
  start(): Promise<void> {
    if (this._state === 'disposed') return Promise.reject(new CpemError('INVALID_ARGUMENT', 'FaceRetargetBehavior was disposed; create a new one.'));
    if (this._state === 'running') return Promise.resolve();
    if (this._state === 'paused' && this._video) {
      this._state = 'running';
      this.scheduleFrame(this.generation);
      return Promise.resolve();
    }
    if (this.starting) return this.starting;
    const gen = ++this.generation;
    this._state = 'starting';
    this.starting = this.open(gen).then(
      () => {
        this.starting = null;
        if (gen !== this.generation) return;
        this._state = 'running';
        this.scheduleFrame(gen);
      },
      (e) => {
        this.starting = null;
        if (gen === this.generation) {
          this.releaseMedia();
          this._state = 'stopped';
        }
        throw this.report(e);
      },
    );
    return this.starting;
  }

  /** Stops estimating; the video (and webcam) keep running, the character holds its last expression. */
  pause(): void {
    if (this._state !== 'running') return;
    this._state = 'paused';
    this.cancelFrame();
  }

  /** Stops estimating and releases the webcam it opened; models stay loaded for the next start(). */
  stop(): void {
    if (this._state === 'disposed' || this._state === 'idle' || this._state === 'stopped') return;
    this.generation++;
    this.starting = null;
    this.cancelFrame();
    this.releaseMedia();
    this.faceVisible = false;
    this._estimator?.reset();
    this._state = 'stopped';
  }

  /** Starts collecting the user's identity and neutral face again. */
  recalibrate(): void {
    this._estimator?.recalibrate();
  }

  /**
   * Reconstructed face for a motion from this behavior: the face model's 478 face-mesh points with the frame's
   * identity, units and pose, projected into video pixels ([x0, y0, x1, ...]). Null without the face model.
   */
  reconstruct(motion: EstimatedFaceMotion): Float32Array | null {
    if (!this.faceModel) return null;
    const points = this.faceModel.faceMeshLandmarksOf(this.faceModel.decode(motion.frameIdentity, motion.rawUnits));
    return projectPoints(points, motion.frameRotation, [motion.projection.x, motion.projection.y, Math.log(motion.projection.scale)]);
  }

  /** Stops, restores the character, frees every tensor (estimator, tracker) and the media tracks it opened. */
  dispose(): void {
    if (this._state === 'disposed') return;
    // Through the node, so that it forgets this behavior too (removeBehavior calls detach()).
    if (this.attachedNode && this.attachedNode.behaviors.includes(this)) this.attachedNode.removeBehavior(this);
    this.detach();
    this.stop();
    this._state = 'disposed';
    const estimator = this._estimator;
    this._estimator = null;
    if (estimator && !this.options.estimator) {
      // A frame still running holds the estimator's tensors: free them once it settles.
      if (this.inFlight) this.inFlight.finally(() => estimator.dispose()).catch(() => {});
      else estimator.dispose();
    }
    this.deviceWatch?.();
    this.deviceWatch = null;
    this.onFaceMotion.clear();
    this.onFaceLost.clear();
    this.onFaceFound.clear();
    this.onError.clear();
  }

  private async open(gen: number): Promise<void> {
    const video = await this.openVideo(gen);
    if (gen !== this.generation) return;
    if (!this._estimator) {
      const loading: [Promise<FaceEstimator<HTMLVideoElement>>, Promise<FaceModel | null>] = [
        this.options.estimator ? Promise.resolve(this.options.estimator) : this.createEstimator(),
        this.faceModel || this.options.faceModelUrl === null ? Promise.resolve(this.faceModel) : FaceModel.load(this.options.faceModelUrl ?? DEFAULT_FACE_MODEL_URL),
      ];
      const [estimator, faceModel] = await Promise.allSettled(loading);
      if (estimator.status === 'rejected') {
        if (faceModel.status === 'fulfilled') this.faceModel = faceModel.value;
        throw estimator.reason;
      }
      if (this._state === 'disposed') {
        if (!this.options.estimator) estimator.value.dispose();
        return;
      }
      this._estimator = estimator.value;
      if (faceModel.status === 'rejected') {
        throw faceModel.reason;
      }
      this.faceModel = faceModel.value;
      this.watchDevice();
    }
    if (video.readyState < 2) {
      await new Promise<void>((resolve, reject) => {
        const done = () => { video.removeEventListener('loadeddata', done); video.removeEventListener('error', fail); resolve(); };
        const fail = () => { video.removeEventListener('loadeddata', done); video.removeEventListener('error', fail); reject(new CpemError('CAMERA_UNAVAILABLE', `The video could not be played (${video.error?.message ?? 'media error'}). Check the file or stream.`)); };
        video.addEventListener('loadeddata', done);
        video.addEventListener('error', fail);
      });
    }
  }

  private async createEstimator(): Promise<FaceEstimator<HTMLVideoElement>> {
    const tracker = await FaceTracker.create({
      backend: this.options.backend ?? 'auto',
      refineIris: this.options.refineIris ?? 'alternate',
      ...(this.options.trackerModelBaseUrl ? { modelBaseUrl: this.options.trackerModelBaseUrl } : {}),
      ...(this.options.wasmPaths ? { wasmPaths: this.options.wasmPaths } : {}),
    });
    try {
      return await FaceEstimator.create<HTMLVideoElement>({
        tracker,
        weights: this.options.weights ?? DEFAULT_PE_NET_URL,
        calibration: this.options.calibration,
        smoothing: this.options.smoothing,
      });
    } catch (e) {
      tracker.dispose();
      throw e;
    }
  }

  private async openVideo(gen: number): Promise<HTMLVideoElement> {
    const source = this.source;
    let video: HTMLVideoElement;
    if (source instanceof HTMLVideoElement) {
      video = source;
      this.ownsVideo = false;
    } else {
      let stream: MediaStream;
      if (source === 'webcam') {
        stream = await this.openWebcam();
        if (gen !== this.generation) {
          // Stopped or disposed while the camera was opening: close it at once.
          for (const track of stream.getTracks()) track.stop();
          return document.createElement('video');
        }
        this.ownedStream = stream;
      } else if (typeof MediaStream !== 'undefined' && source instanceof MediaStream) {
        stream = source;
      } else {
        throw new CpemError('INVALID_ARGUMENT', `source must be 'webcam', an HTMLVideoElement or a MediaStream; got ${String(source)}.`);
      }
      video = document.createElement('video');
      video.muted = true;
      video.playsInline = true;
      video.srcObject = stream;
      this.ownsVideo = true;
    }
    this._video = video;
    if (video.paused) {
      try {
        await video.play();
      } catch (e) {
        if ((e as Error).name !== 'AbortError') {
          throw new CpemError('CAMERA_UNAVAILABLE', `The video would not play (${(e as Error).message}). Mute it or start from a user gesture.`, { cause: e });
        }
      }
    }
    return video;
  }

  private async openWebcam(): Promise<MediaStream> {
    const devices = this.options.mediaDevices ?? (typeof navigator !== 'undefined' ? navigator.mediaDevices : undefined);
    if (!devices?.getUserMedia) {
      throw new CpemError('CAMERA_UNAVAILABLE', 'This page has no camera access (navigator.mediaDevices is missing: serve the page over https or from localhost), or pass a video element as source.');
    }
    try {
      return await devices.getUserMedia({ video: this.options.videoConstraints ?? { width: 640, height: 480, facingMode: 'user' }, audio: false });
    } catch (e) {
      const name = (e as Error)?.name;
      if (name === 'NotAllowedError' || name === 'SecurityError' || name === 'PermissionDeniedError') {
        throw new CpemError('CAMERA_DENIED', `Camera access was denied (${name}: ${(e as Error).message}). Allow the camera for this page in the browser, or use a video file as source.`, { cause: e });
      }
      throw new CpemError('CAMERA_UNAVAILABLE', `No camera could be opened (${name}: ${(e as Error)?.message}). Plug one in or close the app using it, or use a video file as source.`, { cause: e });
    }
  }

  private releaseMedia(): void {
    if (this.ownedStream) for (const track of this.ownedStream.getTracks()) track.stop();
    this.ownedStream = null;
    if (this._video && this.ownsVideo) {
      this._video.pause();
      this._video.srcObject = null;
    }
    this._video = null;
    this.ownsVideo = false;
  }

  private scheduleFrame(gen: number): void {
    const video = this._video as VideoWithFrameCallback | null;
    if (!video || gen !== this.generation || this._state !== 'running') return;
    const run = () => {
      this.cancelFrame();
      void this.processFrame(gen);
    };
    const paced = typeof (video as Partial<VideoWithFrameCallback>).requestVideoFrameCallback === 'function';
    if (paced) this.frameHandle = video.requestVideoFrameCallback!(run);
    // Without frame callbacks (or when a hidden video gets none), poll.
    this.timer = setTimeout(run, paced ? FRAME_WATCHDOG_MS : 1000 / 30);
  }

  private cancelFrame(): void {
    const video = this._video as VideoWithFrameCallback | null;
    if (this.frameHandle !== null) video?.cancelVideoFrameCallback?.(this.frameHandle);
    if (this.timer !== null) clearTimeout(this.timer);
    this.frameHandle = null;
    this.timer = null;
  }

  private async processFrame(gen: number): Promise<void> {
    const estimator = this._estimator;
    const video = this._video;
    if (!estimator || !video || gen !== this.generation || this._state !== 'running') return;
    if (video.readyState < 2 || video.videoWidth === 0) {
      this.scheduleFrame(gen);
      return;
    }
    let motion: EstimatedFaceMotion | null;
    const run = estimator.estimate(video, now());
    this.inFlight = run;
    try {
      motion = await run;
    } catch (e) {
      if (gen !== this.generation || this.isDisposed) return;
      this.fail(e);
      return;
    } finally {
      if (this.inFlight === run) this.inFlight = null;
    }
    if (gen !== this.generation || this.isDisposed) return;
    this.handle(motion);
    this.scheduleFrame(gen);
  }

  private handle(motion: EstimatedFaceMotion | null): void {
    if (!motion) {
      if (this.faceVisible) {
        this.faceVisible = false;
        this.latest = createNeutralFaceMotion(now());
        this.onFaceLost.notifyObservers();
      }
      return;
    }
    const t = now();
    this.rateWindow.push(t);
    while (this.rateWindow.length > 0 && this.rateWindow[0] < t - 1000) this.rateWindow.shift();
    Object.assign(this._stats, {
      tracker: motion.timings.tracker,
      estimator: motion.timings.estimator,
      filter: motion.timings.filter,
      estimatesPerSecond: this.rateWindow.length,
      frames: this._stats.frames + 1,
    });
    this.latest = motion;
    if (!this.faceVisible) {
      this.faceVisible = true;
      this.onFaceFound.notifyObservers(motion);
    }
    this.onFaceMotion.notifyObservers(motion);
  }

  private applyLatest(): void {
    if (!this.latest || !this._applier) return;
    const t = now();
    this._applier.apply(this.latest);
    this._stats.apply = now() - t;
  }

  private fail(e: unknown): void {
    this.report(e);
    this.stop();
  }

  /** Sends `e` (as a CpemError) to onError and returns it. */
  private report(e: unknown): CpemError {
    const error = toCpemError(e);
    this.onError.notifyObservers(error);
    return error;
  }

  /** Watches the TF.js backend's GPU device (WebGPU) or context (WebGL): losing it stops with DEVICE_LOST. */
  private watchDevice(): void {
    this.deviceWatch?.();
    this.deviceWatch = null;
    const backend = tf.backend() as unknown as { device?: GPUDevice; gpgpu?: { gl?: WebGLRenderingContext } };
    const lost = (why: string) => {
      if (this._state === 'disposed') return;
      this.fail(new CpemError('DEVICE_LOST', `The GPU ${why} (TF.js backend ${tf.getBackend()}). Reload the page, or pick the wasm backend (backend: 'wasm').`));
    };
    let active = true;
    if (backend.device) {
      void backend.device.lost.then((info) => { if (active) lost(`device was lost: ${info.reason} ${info.message}`); });
    }
    const canvas = backend.gpgpu?.gl?.canvas as HTMLCanvasElement | OffscreenCanvas | undefined;
    const onContextLost = () => lost('context was lost');
    canvas?.addEventListener('webglcontextlost', onContextLost as EventListener);
    this.deviceWatch = () => {
      active = false;
      canvas?.removeEventListener('webglcontextlost', onContextLost as EventListener);
    };
  }
}

/** Any failure as a CpemError; GPU loss by its message becomes DEVICE_LOST. */
function toCpemError(e: unknown): CpemError {
  if (isCpemError(e)) return e;
  const message = e instanceof Error ? e.message : String(e);
  if (/device (is |was )?lost|context (is |was )?lost|CONTEXT_LOST/i.test(message)) {
    return new CpemError('DEVICE_LOST', `The GPU was lost (${message}). Reload the page, or pick the wasm backend (backend: 'wasm').`, { cause: e });
  }
  return new CpemError('ESTIMATION_FAILED', `Face tracking or estimation failed: ${message}`, { cause: e });
}
