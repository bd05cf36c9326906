import * as tf from '@tensorflow/tfjs-core';
import { CpemError, isCpemError } from '../errors/cpem-error.js';

/**
 * Watches the active TF.js backend's GPU: the WebGPU device, or the WebGL context. Calls `onLost` with DEVICE_LOST
 * when it goes. Returns a function that ends the watch. (The CPU backends have nothing to lose.)
 */
export function watchDevice(onLost: (error: CpemError) => void): () => void {
  const backend = tf.backend() as unknown as { device?: GPUDevice; gpgpu?: { gl?: WebGLRenderingContext } };
  let active = true;
  const lost = (why: string) => {
    if (active)
      onLost(
        new CpemError(
          'DEVICE_LOST',
          `The GPU ${why} (TF.js backend ${tf.getBackend()}). Reload the page, or pick the wasm backend (backend: 'wasm').`,
        ),
      );
  };
  if (backend.device) {
    void backend.device.lost.then((info) => lost(`device was lost: ${info.reason} ${info.message}`));
  }
  const canvas = backend.gpgpu?.gl?.canvas as HTMLCanvasElement | OffscreenCanvas | undefined;
  const onContextLost = () => lost('context was lost');
  canvas?.addEventListener('webglcontextlost', onContextLost as EventListener);
  return () => {
    active = false;
    canvas?.removeEventListener('webglcontextlost', onContextLost as EventListener);
  };
}

/** Any failure as a CpemError: GPU loss (recognised by its message) becomes DEVICE_LOST, the rest ESTIMATION_FAILED. */
export function toCpemError(e: unknown): CpemError {
  if (isCpemError(e)) return e;
  const message = e instanceof Error ? e.message : String(e);
  if (/device (is |was )?lost|context (is |was )?lost|CONTEXT_LOST/i.test(message)) {
    return new CpemError(
      'DEVICE_LOST',
      `The GPU was lost (${message}). Reload the page, or pick the wasm backend (backend: 'wasm').`,
      { cause: e },
    );
  }
  return new CpemError('ESTIMATION_FAILED', `Face tracking or estimation failed: ${message}`, { cause: e });
}
