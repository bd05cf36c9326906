// TF.js backends for the sandbox page: the same order of preference as the tracker (webgpu → webgl → wasm → cpu),
// an explicit choice from the page, and a watch on the WebGPU device so that a lost device surfaces as DEVICE_LOST.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { CpemError } from '../../plugin/errors/cpem-error.js';

export const SANDBOX_BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type SandboxBackend = (typeof SANDBOX_BACKENDS)[number];
export type BackendChoice = SandboxBackend | 'auto';

// `npm start` serves the wasm binaries from node_modules at /tfjs-wasm/ (tools/server.mjs MOUNTS).
setWasmPaths('/tfjs-wasm/');

/**
 * Switches TF.js to `choice`: 'auto' takes the first of webgpu, webgl, wasm, cpu that starts; a named backend
 * must start or this throws BACKEND_UNAVAILABLE. Returns the backend in use and the ones that failed on the way.
 */
export async function selectBackend(choice: BackendChoice): Promise<{ backend: SandboxBackend; skipped: SandboxBackend[] }> {
  const order: readonly SandboxBackend[] = choice === 'auto' ? SANDBOX_BACKENDS : [choice];
  const skipped: SandboxBackend[] = [];
  for (const name of order) {
    let ok = false;
    try {
      ok = await tf.setBackend(name);
      await tf.ready();
    } catch {
      ok = false;
    }
    if (ok && tf.getBackend() === name) return { backend: name, skipped };
    skipped.push(name);
  }
  throw new CpemError('BACKEND_UNAVAILABLE', choice === 'auto'
    ? 'No TF.js backend could start in this browser (tried webgpu, webgl, wasm, cpu).'
    : `The ${choice} backend could not start in this browser. Choose "auto" or another backend.`);
}

/** The backends after `backend` in the order of preference: where to go when it fails. */
export function fallbacksAfter(backend: SandboxBackend): SandboxBackend[] {
  return SANDBOX_BACKENDS.slice(SANDBOX_BACKENDS.indexOf(backend) + 1);
}

/** The GPUDevice under TF.js' WebGPU backend when that backend is active, else null. */
export function activeWebGpuDevice(): GPUDevice | null {
  if (tf.getBackend() !== 'webgpu') return null;
  return (tf.backend() as unknown as WebGPUBackend).device ?? null;
}

/**
 * Watches the active WebGPU device. `lost` turns true once the device is gone; `error` is the DEVICE_LOST
 * error to show. On other backends nothing is ever lost.
 */
export class DeviceWatch {
  lost = false;
  error: CpemError | null = null;
  private listeners: Array<(e: CpemError) => void> = [];
  private readonly settled: Promise<unknown>;

  constructor(readonly backend: SandboxBackend) {
    const device = activeWebGpuDevice();
    if (!device) {
      this.settled = new Promise(() => {});
      return;
    }
    this.settled = device.lost.then((info) => {
      this.lost = true;
      this.error = new CpemError('DEVICE_LOST', `The WebGPU device was lost (${info.reason}${info.message ? `: ${info.message}` : ''}). `
        + 'Training stopped at the last checkpoint; resume it on another backend, or reload the page to get a new device.');
      for (const l of this.listeners) l(this.error);
    });
  }

  /**
   * Whether the device is lost, or is reported lost within `ms`: a failed read often comes before the lost
   * promise settles.
   */
  async lostWithin(ms: number): Promise<boolean> {
    if (this.lost) return true;
    await Promise.race([this.settled, new Promise((resolve) => setTimeout(resolve, ms))]);
    return this.lost;
  }

  onLost(listener: (e: CpemError) => void): void {
    this.listeners.push(listener);
  }
}
