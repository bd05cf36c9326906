import type { Behavior } from '@babylonjs/core/Behaviors/behavior';
import type { TransformNode } from '@babylonjs/core/Meshes/transformNode';
import type { Nullable } from '@babylonjs/core/types';
import type { Observer } from '@babylonjs/core/Misc/observable';
import type { Scene } from '@babylonjs/core/scene';
import { Observable } from '@babylonjs/core/Misc/observable.js';
import { assertValidCalibrationProfile, type CalibrationProfile } from '../calibration/range-profile.js';
import { CpemError } from '../errors/cpem-error.js';
import type { EstimatedFaceMotion, FaceEstimator } from '../estimator/face-estimator.js';
import type { FaceModel } from '../face-model/face-model.js';
import { createNeutralFaceMotion, type FaceMotion } from '../motion/face-motion.js';
import { autoMap } from '../retarget/auto-map.js';
import { RetargetApplier } from '../retarget/morph-target-applier.js';
import type { RetargetTable } from '../retarget/retarget-table.js';
import type { FaceRetargetBehaviorOptions } from './behavior-options.js';
import { toCpemError, watchDevice } from './device-watch.js';
import { FaceOverlay } from './face-overlay.js';
import { FrameStats, type FaceRetargetStats } from './face-stats.js';
import { FrameLoop } from './frame-loop.js';
import { FrameSource, type FaceSource } from './frame-source.js';
import { InferenceStage } from './inference-stage.js';
import { WorkerInference } from './worker-inference.js';
import { RunState, type FaceRetargetState } from './run-state.js';
import { markStage } from '../util/marks.js';

const now = (): number => performance.now();
const disposedError = () => new CpemError('INVALID_ARGUMENT', 'FaceRetargetBehavior was disposed; create a new one.');

/**
 * Drives a character's morph targets (and head, when the table has `head`) from a face on video.
 *
 * ```ts
 * const behavior = new FaceRetargetBehavior({ source: 'webcam' });
 * character.addBehavior(behavior); // auto-maps the targets and starts the webcam
 * ```
 *
 * A `Behavior<TransformNode>`, like Babylon's own behaviors that move what a node holds (FollowBehavior): attach it
 * to the node above the character's meshes (for glTF, the `__root__` mesh). Its parts, each in a file of its own:
 * the frame source (webcam, video or stream: frame-source.ts), the frame loop (one frame at a time, paced by the
 * video: frame-loop.ts), the inference stage (tracker and PE-Net: inference-stage.ts), the state machine
 * (run-state.ts), the GPU watch (device-watch.ts), the stats (face-stats.ts) and the overlay's face model
 * (face-overlay.ts). Rendering never waits for a frame: each rendered frame applies the latest motion.
 *
 * Errors (CpemError: CAMERA_DENIED, CAMERA_UNAVAILABLE, WEIGHTS_MISSING, WEIGHTS_CORRUPT, BACKEND_UNAVAILABLE,
 * NO_MORPH_TARGETS, RETARGET_TABLE_INVALID, DEVICE_LOST, ESTIMATION_FAILED) go to `onErrorObservable`; `start()`
 * also rejects with them. A calibration profile that does not fit (CALIBRATION_PROFILE_INVALID) is thrown by the
 * constructor and by `setCalibrationProfile()`.
 */
export class FaceRetargetBehavior implements Behavior<TransformNode> {
  /** Each estimated frame (after calibration and filtering). */
  readonly onFaceMotionObservable = new Observable<EstimatedFaceMotion>();
  /** A face appears (first frame with one, or after a loss). */
  readonly onFaceFoundObservable = new Observable<EstimatedFaceMotion>();
  /** A face was visible and is not any more; the character returns to neutral. */
  readonly onFaceLostObservable = new Observable<void>();
  /** Every failure, as a CpemError. */
  readonly onErrorObservable = new Observable<CpemError>();
  /** Each change of `state`. */
  readonly onStateChangedObservable = new Observable<FaceRetargetState>();

  attachedNode: Nullable<TransformNode> = null;

  /**
   * False: the behavior goes on estimating (its observables keep firing, a recorder keeps recording) but leaves the
   * character alone, e.g. while a recorded clip plays on it. Default true.
   */
  drivesCharacter = true;

  private readonly options: FaceRetargetBehaviorOptions;
  private source: FaceSource;
  private readonly run = new RunState(this.onStateChangedObservable);
  private readonly frames: FrameSource;
  private readonly loop: FrameLoop;
  private readonly inference: InferenceStage | WorkerInference;
  private readonly overlay: FaceOverlay;
  private readonly frameStats = new FrameStats();
  private _applier: RetargetApplier | null = null;
  private renderObserver: Nullable<Observer<Scene>> = null;
  private latest: FaceMotion | null = null;
  private faceVisible = false;
  private starting: Promise<void> | null = null;
  private unwatchDevice: (() => void) | null = null;

  constructor(options: FaceRetargetBehaviorOptions = {}) {
    this.options = { ...options };
    this.source = options.source ?? 'webcam';
    this.frames = new FrameSource(options);
    if (options.inference !== undefined && options.inference !== 'main' && options.inference !== 'worker') {
      throw new CpemError(
        'INVALID_ARGUMENT',
        `inference must be 'main' or 'worker'; got ${JSON.stringify(options.inference)}.`,
      );
    }
    const hasWorker = options.worker !== undefined || options.workerUrl !== undefined;
    if (options.inference === 'main' && hasWorker) {
      throw new CpemError(
        'INVALID_ARGUMENT',
        "inference: 'main' with a worker or workerUrl: pass inference: 'worker' to run in the worker, or leave the worker out.",
      );
    }
    if (options.calibrationProfile) assertValidCalibrationProfile(options.calibrationProfile);
    // A worker given without `inference` means inference in it.
    const inWorker = options.inference === 'worker' || (options.inference === undefined && hasWorker);
    this.inference = inWorker ? new WorkerInference(options) : new InferenceStage(options);
    // In a worker a frame costs the main thread little: the next one goes as soon as the video has one.
    this.loop = new FrameLoop((video) => this.processFrame(video), { eager: inWorker });
    this.overlay = new FaceOverlay(options.faceModelUrl ?? null, options.assetBaseUrl, (e) => this.report(e));
  }

  /** Babylon's behavior name: `node.getBehaviorByName('FaceRetarget')`. */
  get name(): string {
    return 'FaceRetarget';
  }

  get state(): FaceRetargetState {
    return this.run.state;
  }

  /** The video frames are read from (created for a webcam or stream), or null while none is open. */
  get video(): HTMLVideoElement | null {
    return this.frames.video;
  }

  /** The tracker and PE-Net chain once loaded (null with inference: 'worker', where it lives in the worker). */
  get estimator(): FaceEstimator<HTMLVideoElement> | null {
    return this.inference instanceof InferenceStage ? this.inference.estimator : null;
  }

  /** Where inference runs: 'main' or 'worker'. */
  get inferenceThread(): 'main' | 'worker' {
    return this.inference instanceof WorkerInference ? 'worker' : 'main';
  }

  /** True once the tracker and PE-Net have loaded (on the main thread or in the worker). */
  get modelsLoaded(): boolean {
    return this.inference instanceof InferenceStage ? this.inference.ready : this.inference.loadedInWorker;
  }

  /** What writes the table's influences onto the character. */
  get applier(): RetargetApplier | null {
    return this._applier;
  }

  /** The last motion applied (null before the first face). */
  get latestMotion(): FaceMotion | null {
    return this.latest;
  }

  get stats(): Readonly<FaceRetargetStats> {
    return this.frameStats.current;
  }

  /** The face model, once `loadFaceModel()` or `reconstruct()` has loaded it. */
  get faceModel(): FaceModel | null {
    return this.overlay.faceModel;
  }

  init(): void {}

  /**
   * Binds the retarget table (the given one, or autoMap's) to `target` and applies the latest motion before each
   * render; starts unless `autoStart` is false. Throws (and reports) NO_MORPH_TARGETS or RETARGET_TABLE_INVALID.
   */
  attach(target: TransformNode): void {
    if (this.run.state === 'disposed') throw disposedError();
    if (this.attachedNode) this.detach();
    try {
      this._applier = new RetargetApplier(target, this.options.table ?? autoMap(target).table, {
        onWarning: this.options.onWarning,
      });
    } catch (e) {
      throw this.report(e);
    }
    this.attachedNode = target;
    this.renderObserver = target.getScene().onBeforeRenderObservable.add(() => this.applyLatest());
    if (this.options.autoStart !== false)
      this.start().catch(() => {
        /* reported through onErrorObservable */
      });
  }

  /** Stops, puts the character's morph targets and head back as they were, and unbinds. */
  detach(): void {
    this.stop();
    this.renderObserver?.remove();
    this.renderObserver = null;
    this._applier?.dispose();
    this._applier = null;
    this.attachedNode = null;
  }

  /**
   * Replaces the retarget table (validated against the character first: throws RETARGET_TABLE_INVALID listing
   * every problem, and the old table stays).
   */
  setTable(table: RetargetTable): void {
    if (this.attachedNode) {
      const next = new RetargetApplier(this.attachedNode, table, { onWarning: this.options.onWarning });
      this._applier?.dispose();
      this._applier = next;
    }
    this.options.table = table;
  }

  /** The range profile applied after the per-user neutral, or null. */
  get calibrationProfile(): CalibrationProfile | null {
    return this.options.calibrationProfile ?? null;
  }

  /**
   * Applies the user's range profile from the next frame on (null: none), on the main thread or in the worker.
   * Throws CALIBRATION_PROFILE_INVALID, listing every problem, for a malformed profile or one that does not fit the
   * weights (another format version or unit count); the profile in use then stays.
   */
  setCalibrationProfile(profile: CalibrationProfile | null): void {
    if (this.run.state === 'disposed') throw disposedError();
    if (profile !== null)
      assertValidCalibrationProfile(profile, { unitCount: this.estimator?.peNet.config.numExpression });
    this.inference.setCalibrationProfile(profile);
    this.options.calibrationProfile = profile;
  }

  /** Switches the video source; restarts when running. */
  async setSource(source: FaceSource): Promise<void> {
    const wasRunning = this.run.state === 'running' || this.run.state === 'starting';
    // A face seen on the old source counts as visible until the new one shows none (then onFaceLost fires).
    const visible = this.faceVisible;
    this.stop();
    this.faceVisible = visible;
    this.source = source;
    this.inference.reset();
    if (wasRunning) await this.start();
  }

  /**
   * Opens the source and loads the tracker and PE-Net (the first time), then runs. Resolves once frames are being
   * estimated; rejects with the CpemError also sent to onErrorObservable. From 'paused' it resumes.
   */
  start(): Promise<void> {
    const state = this.run.state;
    if (state === 'disposed') return Promise.reject(disposedError());
    if (state === 'running') return Promise.resolve();
    if (state === 'paused' && this.frames.video) {
      this.run.move('running');
      this.loop.start(this.frames.video);
      return Promise.resolve();
    }
    if (this.starting) return this.starting;
    const id = this.run.begin();
    this.starting = this.open(id).then(
      () => {
        this.starting = null;
        if (!this.run.isCurrent(id) || !this.frames.video) return;
        this.run.move('running');
        this.loop.start(this.frames.video);
      },
      (e) => {
        this.starting = null;
        if (this.run.isCurrent(id)) {
          this.frames.release();
          this.run.end('stopped');
        }
        throw this.report(e);
      },
    );
    return this.starting;
  }

  /** Stops estimating; the video (and webcam) keep running, the character holds its last expression. */
  pause(): void {
    if (this.run.state !== 'running') return;
    this.run.move('paused');
    this.loop.stop();
  }

  /** Stops estimating and releases the webcam it opened; models stay loaded for the next start(). */
  stop(): void {
    const state = this.run.state;
    if (state === 'disposed' || state === 'idle' || state === 'stopped') return;
    this.starting = null;
    this.loop.stop();
    this.frames.release();
    this.faceVisible = false;
    this.inference.reset();
    this.run.end('stopped');
  }

  /** Starts collecting the user's identity and neutral face again. */
  recalibrate(): void {
    this.inference.recalibrate();
  }

  /** Loads the face model that `reconstruct()` uses (once); rejects with WEIGHTS_MISSING or FACE_MODEL_INVALID. */
  loadFaceModel(): Promise<FaceModel> {
    return this.overlay.load();
  }

  /**
   * The face model's 478 face-mesh points for a motion from this behavior (its identity, units and pose), projected
   * into video pixels ([x0, y0, x1, ...]), for overlays. Null until the face model has loaded: the first call starts
   * loading it (a failure is reported on onErrorObservable once; tracking goes on).
   */
  reconstruct(motion: EstimatedFaceMotion): Float32Array | null {
    return this.overlay.reconstruct(motion);
  }

  /** Stops, restores the character, frees every tensor (estimator, tracker) and the media tracks it opened. */
  dispose(): void {
    if (this.run.state === 'disposed') return;
    // Through the node, so that it forgets this behavior too (removeBehavior calls detach()).
    if (this.attachedNode?.behaviors.includes(this)) this.attachedNode.removeBehavior(this);
    this.detach();
    this.stop();
    this.run.end('disposed');
    this.inference.dispose();
    this.unwatchDevice?.();
    this.unwatchDevice = null;
    for (const o of [
      this.onFaceMotionObservable,
      this.onFaceFoundObservable,
      this.onFaceLostObservable,
      this.onErrorObservable,
      this.onStateChangedObservable,
    ])
      o.clear();
  }

  private async open(id: number): Promise<void> {
    // The source opens (a webcam asks for permission) while the tracker and PE-Net load: both wait for the other to
    // settle, so that a failure of one never leaves the other running behind a stopped behavior.
    const loadsModels = !this.modelsLoaded;
    const [opened, loaded] = await Promise.allSettled([
      this.frames
        .open(this.source, () => this.run.isCurrent(id))
        .then((v) => {
          markStage('source');
          return v;
        }),
      loadsModels ? this.inference.load().then(() => markStage('models')) : Promise.resolve(),
    ]);
    if (opened.status === 'rejected') throw opened.reason;
    if (loaded.status === 'rejected') throw loaded.reason;
    const video = opened.value;
    if (!video || !this.run.isCurrent(id)) return;
    if (loadsModels) {
      // A worker's GPU is the worker's: its losses come back as DEVICE_LOST errors of the frame.
      if (this.inference instanceof InferenceStage) {
        this.unwatchDevice?.();
        this.unwatchDevice = watchDevice((error) => this.fail(error));
      }
    }
    await this.frames.whenReady(video);
  }

  /** One step of the frame loop: estimate the frame and hand the motion on. Failures stop the behavior. */
  private async processFrame(video: HTMLVideoElement): Promise<void> {
    const id = this.run.id;
    if (this.run.state !== 'running' || video.readyState < 2 || video.videoWidth === 0) return;
    let motion: EstimatedFaceMotion | null;
    const t0 = now();
    try {
      motion = await this.inference.run(video, t0);
    } catch (e) {
      if (this.run.isCurrent(id)) this.fail(e);
      return;
    }
    const mainThreadMs = this.inference instanceof WorkerInference ? this.inference.mainThreadMs : now() - t0;
    if (this.run.isCurrent(id)) this.handle(motion, mainThreadMs);
  }

  private handle(motion: EstimatedFaceMotion | null, mainThreadMs = 0): void {
    if (!motion) {
      if (this.faceVisible) {
        this.faceVisible = false;
        this.latest = createNeutralFaceMotion(now());
        this.onFaceLostObservable.notifyObservers();
      }
      return;
    }
    this.frameStats.estimated(motion, now(), mainThreadMs);
    this.latest = motion;
    if (!this.faceVisible) {
      this.faceVisible = true;
      this.onFaceFoundObservable.notifyObservers(motion);
    }
    if (!this.firstMotionMarked) {
      this.firstMotionMarked = true;
      markStage('first-motion');
    }
    this.onFaceMotionObservable.notifyObservers(motion);
  }

  private firstMotionMarked = false;

  private applyLatest(): void {
    if (!this.latest || !this._applier || !this.drivesCharacter) return;
    const t = now();
    this._applier.apply(this.latest);
    this.frameStats.applied(now() - t);
  }

  private fail(e: unknown): void {
    if (this.run.state === 'disposed') return;
    this.report(e);
    this.stop();
  }

  /** Sends `e` (as a CpemError) to onErrorObservable and returns it. */
  private report(e: unknown): CpemError {
    const error = toCpemError(e);
    this.onErrorObservable.notifyObservers(error);
    return error;
  }
}
