// TF.js backends for Node without native add-ons: the wasm backend (binaries read from node_modules) or cpu.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import path from 'node:path';
import { CpemError } from '../../plugin/errors/cpem-error.js';

export type NodeBackend = 'wasm' | 'cpu';

/** Folder of the installed @tensorflow/tfjs-backend-wasm binaries, with a trailing separator. */
export function wasmBinaryFolder(): string {
  const require = createRequire(import.meta.url);
  return path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')) + path.sep + 'dist' + path.sep;
}

/** Switches TF.js to `name` and waits until it is ready; throws BACKEND_UNAVAILABLE if it cannot start. */
export async function useNodeBackend(name: NodeBackend): Promise<void> {
  if (name !== 'wasm' && name !== 'cpu') {
    throw new CpemError('INVALID_ARGUMENT', `Unknown Node backend ${JSON.stringify(name)}: use 'wasm' or 'cpu'.`);
  }
  if (name === 'wasm') setWasmPaths(wasmBinaryFolder());
  let ok = false;
  try {
    ok = await tf.setBackend(name);
    await tf.ready();
  } catch (e) {
    throw new CpemError('BACKEND_UNAVAILABLE', `TF.js backend ${name} did not start (${(e as Error).message}).`, { cause: e });
  }
  if (!ok || tf.getBackend() !== name) throw new CpemError('BACKEND_UNAVAILABLE', `TF.js backend ${name} did not start (active: ${tf.getBackend()}).`);
}
