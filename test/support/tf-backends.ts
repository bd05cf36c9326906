// Browser-side: registers TF.js' four backends for specs and switches between them.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { wasmBinaryUrls } from '../../plugin/assets.js';

export const BROWSER_BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type BrowserBackend = (typeof BROWSER_BACKENDS)[number];

// The package's own wasm binaries, where karma serves weights/ (karma.conf.cjs); nothing is fetched from elsewhere.
setWasmPaths(wasmBinaryUrls());

/** Switches TF.js to `name` and waits until it is ready; throws if the backend cannot start here. */
export async function useBackend(name: BrowserBackend): Promise<void> {
  const ok = await tf.setBackend(name);
  await tf.ready();
  if (!ok || tf.getBackend() !== name) throw new Error(`TF.js backend ${name} did not start (got ${tf.getBackend()})`);
}

/** Deterministic values in [-1, 1) from a linear congruential generator, the same on every backend. */
export function lcgValues(count: number, seed: number): Float32Array {
  const out = new Float32Array(count);
  let s = seed >>> 0;
  for (let i = 0; i < count; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}
