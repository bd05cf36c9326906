// TF.js backends for the sandbox page: the same order of preference as the tracker (webgpu → webgl → wasm → cpu),
// an explicit choice from the page, and a watch on the WebGPU device so that a lost device surfaces as DEVICE_LOST.
import * as tf from '@tensorflow/tfjs-core';
import { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { CpemError } from '../../plugin/errors/cpem-error.js';
import {
  BACKEND_ORDER,
  selectBackend as selectTrackerBackend,
  type TrackerBackend,
} from '../../plugin/tracker/backend.js';

export const SANDBOX_BACKENDS: readonly TrackerBackend[] = BACKEND_ORDER;
export type SandboxBackend = TrackerBackend;
export type BackendChoice = SandboxBackend | 'auto';

/**
 * Switches TF.js to `choice` with the tracker's selection ('auto': the first of webgpu, webgl, wasm, cpu that
 * starts, GPU backends on a software renderer passed over; a named backend must start or this throws
 * BACKEND_UNAVAILABLE). Returns the backend in use and, for 'auto', the ones before it that were not used.
 */
export async function selectBackend(
  choice: BackendChoice,
): Promise<{ backend: SandboxBackend; skipped: SandboxBackend[] }> {
  if (webGpuLost && (choice === 'auto' || choice === 'webgpu')) renewWebGpuBackend();
  const backend = await selectTrackerBackend(choice);
  const skipped = choice === 'auto' ? SANDBOX_BACKENDS.slice(0, SANDBOX_BACKENDS.indexOf(backend)) : [];
  return { backend, skipped };
}

/** The backends after `backend` in the order of preference: where to go when it fails. */
export function fallbacksAfter(backend: SandboxBackend): SandboxBackend[] {
  return SANDBOX_BACKENDS.slice(SANDBOX_BACKENDS.indexOf(backend) + 1);
}

/** Set when a device under TF.js' WebGPU backend was lost: the next selection of webgpu asks for a new one. */
let webGpuLost = false;

/**
 * Replaces TF.js' WebGPU backend (whose device is gone) with one that asks the adapter for a new device, with
 * the limits and features tfjs-backend-webgpu asks for.
 */
function renewWebGpuBackend(): void {
  webGpuLost = false;
  try {
    tf.removeBackend('webgpu');
  } catch {
    // a lost device may fail to release its buffers; they went with it
  }
  tf.registerBackend(
    'webgpu',
    async () => {
      const adapter = await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' });
      if (!adapter) throw new CpemError('BACKEND_UNAVAILABLE', 'No WebGPU adapter after the device was lost.');
      const features = (['timestamp-query', 'bgra8unorm-storage'] as GPUFeatureName[]).filter((f) =>
        adapter.features.has(f),
      );
      const limits = adapter.limits;
      const device = await adapter.requestDevice({
        requiredFeatures: features,
        requiredLimits: {
          maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
          maxComputeWorkgroupsPerDimension: limits.maxComputeWorkgroupsPerDimension,
          maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
          maxBufferSize: limits.maxBufferSize,
          maxComputeWorkgroupSizeX: limits.maxComputeWorkgroupSizeX,
          maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
        },
      });
      // GPUAdapter.info in current browsers (the bundled WebGPU typings predate it).
      return new WebGPUBackend(device, (adapter as GPUAdapter & { info?: GPUAdapterInfo }).info);
    },
    3,
  );
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
      webGpuLost = true;
      this.error = new CpemError(
        'DEVICE_LOST',
        `The WebGPU device was lost (${info.reason}${info.message ? `: ${info.message}` : ''}). ` +
          'Training stopped at the last checkpoint: resume it on a new WebGPU device or on another backend.',
      );
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
