/**
 * The inference worker: the tracker and PE-Net (FaceTracker + FaceEstimator) in a dedicated Web Worker, for
 * FaceRetargetBehavior's `inference: 'worker'`. It takes frames as transferred VideoFrames (or ImageBitmaps), closes
 * each once estimated, and answers with the EstimatedFaceMotion. Built as its own entry (`inference-worker.js`
 * beside the package's modules); worker-inference.ts is the main thread's side. The protocol: worker-protocol.ts.
 */
import * as tf from '@tensorflow/tfjs-core';
import { CpemError, isCpemError } from '../errors/cpem-error.js';
import { FaceEstimator } from '../estimator/face-estimator.js';
import { FaceTracker } from '../tracker/face-tracker.js';
import type { CalibrationProfile } from '../calibration/range-profile.js';
import type { FromWorker, ToWorker, WorkerError } from './worker-protocol.js';

interface WorkerScope {
  onmessage: ((e: MessageEvent<ToWorker>) => void) | null;
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
  close(): void;
}
const scope = globalThis as unknown as WorkerScope;

let estimator: FaceEstimator<unknown> | null = null;
// biome-ignore lint/correctness/noUnusedVariables: read by `??=` below: a load message while one is loading starts nothing.
let loading: Promise<void> | null = null;
/** A profile sent while the models were loading. */
let profile: CalibrationProfile | null | undefined;

function asWorkerError(e: unknown): WorkerError {
  if (isCpemError(e)) return { code: e.code, message: e.message };
  const message = e instanceof Error ? e.message : String(e);
  return {
    code: /device (is |was )?lost|context (is |was )?lost|CONTEXT_LOST/i.test(message)
      ? 'DEVICE_LOST'
      : 'ESTIMATION_FAILED',
    message,
  };
}

async function threadsCount(backend: string): Promise<number> {
  if (backend !== 'wasm') return 1;
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  return wasm.getThreadsCount();
}

scope.onmessage = (event) => {
  const m = event.data;
  if (m.type === 'load') {
    loading ??= (async () => {
      try {
        const tracker = await FaceTracker.create({
          backend: m.options.backend,
          refineIris: m.options.refineIris,
          frameAccess: m.options.frameAccess,
          wasmThreads: m.options.wasmThreads,
          assetBaseUrl: m.options.assetBaseUrl,
        });
        try {
          estimator = await FaceEstimator.create<unknown>({
            tracker,
            weights: m.options.weights,
            assetBaseUrl: m.options.assetBaseUrl,
            calibration: m.options.calibration,
            smoothing: m.options.smoothing,
            calibrationProfile: profile ?? m.options.calibrationProfile ?? null,
          });
        } catch (e) {
          tracker.dispose();
          throw e;
        }
        scope.postMessage({ type: 'loaded', backend: tracker.backend, threads: await threadsCount(tracker.backend) });
      } catch (e) {
        loading = null;
        scope.postMessage({ type: 'load-failed', error: asWorkerError(e) });
      }
    })();
  } else if (m.type === 'frame') {
    void (async () => {
      const t0 = performance.now();
      try {
        if (!estimator)
          throw new CpemError('INVALID_ARGUMENT', 'The inference worker got a frame before its models loaded.');
        const motion = await estimator.estimate(m.frame, m.timestamp);
        scope.postMessage({
          type: 'result',
          id: m.id,
          motion,
          numTensors: tf.memory().numTensors,
          workerMs: performance.now() - t0,
        });
      } catch (e) {
        scope.postMessage({ type: 'frame-failed', id: m.id, error: asWorkerError(e) });
      } finally {
        m.frame.close();
      }
    })();
  } else if (m.type === 'reset') {
    estimator?.reset();
  } else if (m.type === 'recalibrate') {
    estimator?.recalibrate();
  } else if (m.type === 'profile') {
    // Checked on the main thread against the same unit count: this does not throw for a profile that got here.
    profile = m.profile;
    estimator?.setCalibrationProfile(m.profile);
  } else if (m.type === 'dispose') {
    estimator?.dispose();
    estimator = null;
    scope.close();
  }
};
