import type { CalibrationProfile } from '../calibration/range-profile.js';
import { CpemError } from '../errors/cpem-error.js';
import type { EstimatedFaceMotion } from '../estimator/face-estimator.js';
import type { TrackerBackend } from '../tracker/backend.js';
import type { InferenceStageOptions } from './inference-stage.js';
import type { FromWorker, ToWorker, WorkerError, WorkerLoadOptions } from './worker-protocol.js';

export interface WorkerInferenceOptions extends InferenceStageOptions {
  /** Starts the package's worker: `inferenceWorker` from babylon-cpem/worker. One of `worker` and `workerUrl` is needed. */
  worker?: () => Worker;
  /** A copy of the package's `inference-worker.js` served at this URL (bundlers that do not follow `new Worker(new URL(…))`). */
  workerUrl?: string | URL;
}

/** What to do when inference: 'worker' is asked for without a worker. */
export const WORKER_NEEDED =
  "inference: 'worker' needs the worker script: import { inferenceWorker } from 'babylon-cpem/worker' and pass " +
  "worker: inferenceWorker (Vite and webpack 5 then bundle it), or pass workerUrl: the URL where you serve a copy of the package's " +
  "dist/inference-worker.js. Or use inference: 'main'.";

/**
 * The inference stage in a Web Worker (inference-worker.ts): each frame goes over as a transferred VideoFrame (an
 * ImageBitmap where WebCodecs is missing) and comes back as an EstimatedFaceMotion, so the main thread only wraps the
 * frame and reads the answer. Errors come back as CpemErrors with the worker's code; a worker that dies (its script
 * fails to load, or it throws outside a frame) rejects what was pending with ESTIMATION_FAILED and is replaced by a
 * new one on the next load().
 */
export class WorkerInference {
  private worker: Worker | null = null;
  private ready = false;
  private loading: Promise<void> | null = null;
  private loadWaiter: { resolve(): void; reject(e: CpemError): void } | null = null;
  private readonly pending = new Map<
    number,
    { resolve(m: EstimatedFaceMotion | null): void; reject(e: CpemError): void }
  >();
  private nextId = 1;
  private disposed = false;
  /** The worker's backend and wasm threads, once loaded. */
  backend: TrackerBackend | null = null;
  threads = 0;
  /** Last frame: milliseconds the main thread spent on it (wrapping and posting the frame, reading the answer). */
  mainThreadMs = 0;
  /** Last frame: milliseconds it took inside the worker, and the worker's tensor count after it. */
  workerMs = 0;
  workerTensors = 0;

  constructor(private readonly options: WorkerInferenceOptions) {
    this.profile = options.calibrationProfile ?? null;
    if (options.estimator)
      throw new CpemError(
        'INVALID_ARGUMENT',
        "inference: 'worker' cannot use a ready `estimator` (it lives on the main thread); leave `estimator` out, or use inference: 'main'.",
      );
    if (options.worker !== undefined && typeof options.worker !== 'function') {
      throw new CpemError(
        'INVALID_ARGUMENT',
        `worker must be a function that starts the worker (inferenceWorker from 'babylon-cpem/worker'); got ${typeof options.worker}.`,
      );
    }
    if (options.worker === undefined && options.workerUrl === undefined)
      throw new CpemError('INVALID_ARGUMENT', WORKER_NEEDED);
    const w = options.weights;
    if (w !== undefined && typeof w !== 'string' && !(w instanceof URL)) {
      throw new CpemError(
        'INVALID_ARGUMENT',
        "inference: 'worker' reads PE-Net from a URL; a loaded PeNet or an IOHandler stays on the main thread. Pass weights as a model.json URL, or use inference: 'main'.",
      );
    }
  }

  /** True once load() has resolved, until the worker fails or is disposed. */
  get loadedInWorker(): boolean {
    return this.ready;
  }

  /** Starts the worker (a new one after a failure) and loads the tracker and PE-Net in it. */
  load(): Promise<void> {
    if (this.disposed) return Promise.reject(new CpemError('INVALID_ARGUMENT', 'The inference worker was disposed.'));
    if (this.ready) return Promise.resolve();
    this.loading ??= new Promise<void>((resolve, reject) => {
      this.loadWaiter = { resolve, reject };
      let worker: Worker;
      try {
        // The package's worker comes from its own module (packaged-worker.ts), so that only apps that ask for it bundle it.
        worker =
          this.options.worker !== undefined
            ? this.options.worker()
            : new Worker(this.options.workerUrl!, { type: 'module', name: 'babylon-cpem inference' });
      } catch (e) {
        this.loadWaiter = null;
        reject(
          new CpemError(
            'ESTIMATION_FAILED',
            `The inference worker could not be started (${(e as Error).message}). Check the worker or workerUrl option, or use inference: 'main'.`,
            { cause: e },
          ),
        );
        return;
      }
      this.worker = worker;
      worker.onmessage = (e: MessageEvent<FromWorker>) => this.receive(e.data);
      worker.onerror = (e: ErrorEvent) => {
        e.preventDefault();
        const script = String(this.options.workerUrl ?? 'inference-worker.js');
        // An ErrorEvent with a message: the script loaded and threw (in itself or in what it imports). Without one:
        // the script could not be fetched or parsed as a module.
        this.die(
          e.message
            ? `The inference worker's script loaded but threw before it could start: ${e.message} (${e.filename || script}${e.lineno ? `:${e.lineno}` : ''}).${/\b(module|require|exports) is not defined/.test(e.message) ? " A CommonJS module reached the worker unbundled: its imports must be bundled (the package's inference-worker.js is; a workerUrl of your own must be too)." : ''} Or use inference: 'main'.`
            : `The inference worker's script did not load (${script}): check that it is served as JavaScript where workerUrl points (with worker: inferenceWorker, that the app's bundler copied the package's inference-worker.js beside its modules), or use inference: 'main'.`,
        );
      };
      worker.onmessageerror = () => this.die('The inference worker sent a message that could not be read.');
      const options: WorkerLoadOptions = {
        backend: this.options.backend ?? 'auto',
        refineIris: this.options.refineIris ?? 'alternate',
        frameAccess: this.options.frameAccess,
        wasmThreads: this.options.wasmThreads,
        assetBaseUrl:
          this.options.assetBaseUrl === undefined ? undefined : new URL(this.options.assetBaseUrl, location.href).href,
        weights:
          this.options.weights === undefined ? undefined : new URL(String(this.options.weights), location.href).href,
        calibration: this.options.calibration,
        calibrationProfile: this.profile,
        smoothing: this.options.smoothing,
      };
      this.post({ type: 'load', options });
    }).finally(() => {
      this.loading = null;
      this.loadWaiter = null;
    });
    return this.loading;
  }

  /** Sends the video's current frame to the worker and resolves with its motion (null: no face). */
  async run(video: HTMLVideoElement, timestamp: number): Promise<EstimatedFaceMotion | null> {
    if (!this.ready || !this.worker) return null;
    const t0 = performance.now();
    let frame: VideoFrame | ImageBitmap;
    let spent = 0;
    if (typeof VideoFrame === 'function') {
      frame = new VideoFrame(video, { timestamp: Math.round(timestamp * 1000) });
    } else {
      spent = performance.now() - t0;
      frame = await createImageBitmap(video);
    }
    const t1 = performance.now();
    const id = this.nextId++;
    const answer = new Promise<EstimatedFaceMotion | null>((resolve, reject) =>
      this.pending.set(id, { resolve, reject }),
    );
    this.post({ type: 'frame', id, frame, timestamp }, [frame]);
    spent += performance.now() - t1 + (spent === 0 ? t1 - t0 : 0);
    try {
      return await answer;
    } finally {
      // The answer's own handling is counted in receive().
      this.mainThreadMs = spent + this.receiveMs;
    }
  }

  private receiveMs = 0;

  reset(): void {
    if (this.ready) this.post({ type: 'reset' });
  }

  recalibrate(): void {
    if (this.ready) this.post({ type: 'recalibrate' });
  }

  private profile: CalibrationProfile | null;

  /** The range profile for the worker's estimator (checked by the caller), now or with the next load. */
  setCalibrationProfile(profile: CalibrationProfile | null): void {
    this.profile = profile;
    if (this.worker) this.post({ type: 'profile', profile });
  }

  /** Ends the worker (its tensors go with it); pending frames reject. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.worker) this.post({ type: 'dispose' });
    this.stop(new CpemError('INVALID_ARGUMENT', 'The inference worker was disposed while a frame was running.'), false);
  }

  private post(message: ToWorker, transfer: Transferable[] = []): void {
    this.worker?.postMessage(message, transfer);
  }

  private receive(m: FromWorker): void {
    const t0 = performance.now();
    if (m.type === 'loaded') {
      this.ready = true;
      this.backend = m.backend;
      this.threads = m.threads;
      this.loadWaiter?.resolve();
    } else if (m.type === 'load-failed') {
      const error = fromWorker(m.error);
      this.stop(error, true);
    } else if (m.type === 'result' || m.type === 'frame-failed') {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (m.type === 'result') {
        this.workerMs = m.workerMs;
        this.workerTensors = m.numTensors;
        this.receiveMs = performance.now() - t0;
        p?.resolve(m.motion);
      } else {
        p?.reject(fromWorker(m.error));
      }
    }
  }

  private die(message: string): void {
    this.stop(new CpemError('ESTIMATION_FAILED', message), true);
  }

  /** Terminates the worker, rejects the load and every pending frame with `error`; a later load() starts anew. */
  private stop(error: CpemError, terminate: boolean): void {
    if (terminate) this.worker?.terminate();
    this.worker = null;
    this.ready = false;
    this.loadWaiter?.reject(error);
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
  }
}

function fromWorker(e: WorkerError): CpemError {
  return new CpemError(e.code, e.message);
}
