/**
 * TF.js backend choice for the tracker (and anything else in the runtime that needs one): registers the backend
 * packages on demand and picks the first that starts, webgpu → webgl → wasm → cpu, unless one is named. 'auto'
 * passes over a GPU backend that the browser runs in software (SwiftShader, llvmpipe, a fallback adapter): on such
 * machines wasm is one to two orders of magnitude faster for the tracker (docs/tracking.md, "Speed", has the figures).
 */
import * as tf from '@tensorflow/tfjs-core';
import { wasmBinaryUrls } from '../assets.js';
import { CpemError } from '../errors/cpem-error.js';
import { isNode, nodeImport } from '../util/runtime.js';

export type TrackerBackend = 'webgpu' | 'webgl' | 'wasm' | 'cpu';
export const BACKEND_ORDER: readonly TrackerBackend[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

/**
 * Where the tfjs wasm binaries are read from: a folder (URL prefix ending in '/'), or a URL per binary file name as
 * tfjs-backend-wasm's setWasmPaths takes it.
 */
export type WasmPaths = string | Record<string, string>;

/** The few node:path members used here (the package's declarations build without Node's types). */
export interface NodePath {
  sep: string;
  join(...parts: string[]): string;
  dirname(p: string): string;
}

/** Folder (Node) of an installed package, found by resolving one of its files from here and then from the cwd. */
export async function nodePackageFolder(pkg: string, fileInPackage: string): Promise<string | null> {
  const { createRequire } = await nodeImport<{ createRequire(from: string): { resolve(id: string): string } }>(
    'node:module',
  );
  const path = await nodeImport<NodePath>('node:path');
  const fs = await nodeImport<{ existsSync(p: string): boolean }>('node:fs');
  const proc = (globalThis as unknown as { process: { cwd(): string } }).process;
  // Resolved from the working directory (no import.meta here: browser bundles of this module would warn about it).
  for (const from of [path.join(proc.cwd(), 'noop.js')]) {
    try {
      const resolved = createRequire(from).resolve(`${pkg}/${fileInPackage}`);
      return resolved.slice(0, resolved.lastIndexOf(`${pkg.split('/').join(path.sep)}`) + pkg.length) + path.sep;
    } catch {
      /* try the next way */
    }
  }
  // Packages whose "exports" hide their files: walk up from the cwd looking for node_modules/<pkg>.
  for (let dir = proc.cwd(); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', ...pkg.split('/'));
    if (fs.existsSync(candidate)) return candidate + path.sep;
    if (path.dirname(dir) === dir) return null;
  }
}

/** True when `name` has started (unlike tf.findBackend, this does not start it). */
function initialized(name: string): boolean {
  return !!(tf.engine() as unknown as { registry: Record<string, unknown> }).registry[name];
}

function activeBackend(): string | null {
  try {
    const name = tf.engine().backendName;
    return name && initialized(name) ? name : null;
  } catch {
    return null; // nothing registered yet
  }
}

async function registerBackend(
  name: TrackerBackend,
  wasmPaths: WasmPaths | undefined,
  wasmThreads?: number,
): Promise<boolean> {
  try {
    if (name === 'webgpu') {
      // Probed first: tfjs' webgpu backend, started where no adapter exists, logs a failed initialisation and a
      // TypeError stack to the console before it gives up.
      if (isNode() || !(await webGpuAdapter())) return false;
      await import('@tensorflow/tfjs-backend-webgpu');
    } else if (name === 'webgl') {
      if (isNode()) return false;
      await import('@tensorflow/tfjs-backend-webgl');
    } else if (name === 'wasm') {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      // Only before the backend first starts: once it runs, its binaries are loaded and the paths are moot.
      if (!initialized('wasm')) {
        let paths = wasmPaths;
        if (paths === undefined && isNode()) {
          // Node: the installed tfjs-backend-wasm's own binaries (always the version of its JavaScript).
          const dir = await nodePackageFolder('@tensorflow/tfjs-backend-wasm', 'package.json');
          if (dir) paths = `${dir}dist/`.replace(/\\/g, '/');
        }
        wasm.setWasmPaths(paths ?? wasmBinaryUrls());
        if (wasmThreads !== undefined) wasm.setThreadsCount(wasmThreads);
      }
    } else {
      await import('@tensorflow/tfjs-backend-cpu');
    }
    return true;
  } catch {
    return false;
  }
}

let adapterProbe: Promise<GPUAdapter | null> | null = null;

/** This page's (or worker's) WebGPU adapter, asked for once: null where there is none (no navigator.gpu, or no adapter). */
function webGpuAdapter(): Promise<GPUAdapter | null> {
  adapterProbe ??= (async () => {
    const gpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
    return (await gpu?.requestAdapter().catch(() => null)) ?? null;
  })();
  return adapterProbe;
}

/** The WebGPU adapter's description and whether it is a software one (SwiftShader or a fallback adapter). */
export async function webGpuAdapterInfo(): Promise<{ text: string; software: boolean } | null> {
  const adapter = await webGpuAdapter();
  if (!adapter) return null;
  // GPUAdapter.info and isFallbackAdapter in current browsers (the bundled WebGPU typings predate them).
  const info = (adapter as GPUAdapter & { info?: GPUAdapterInfo & { isFallbackAdapter?: boolean } }).info;
  const software =
    info?.architecture === 'swiftshader' ||
    info?.isFallbackAdapter === true ||
    (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter === true;
  return { text: [info?.vendor, info?.architecture].filter(Boolean).join(' ') || 'unknown adapter', software };
}

/** WebGL's renderer string and whether it is a software rasteriser (SwiftShader, llvmpipe, softpipe). */
export function webGlRendererInfo(): { text: string; software: boolean } | null {
  // A page's canvas, or in a worker an OffscreenCanvas.
  const canvas =
    typeof document !== 'undefined'
      ? document.createElement('canvas')
      : typeof OffscreenCanvas !== 'undefined'
        ? new OffscreenCanvas(1, 1)
        : null;
  const gl = canvas?.getContext('webgl2') as WebGL2RenderingContext | null | undefined;
  if (!gl) return null;
  const ext = gl.getExtension('WEBGL_debug_renderer_info');
  const text = String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER) ?? '');
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  return { text, software: /swiftshader|llvmpipe|softpipe|software/i.test(text) };
}

let glProbe: { text: string; software: boolean } | null | undefined;

/**
 * True when `name` is a GPU backend that would run on a software renderer here. WebGL's renderer is read first (a
 * context, milliseconds): where WebGL runs in software there is no hardware GPU for WebGPU either, and the WebGPU
 * adapter is not asked for (on SwiftShader that request alone took seconds of a page's start).
 */
async function runsInSoftware(name: TrackerBackend): Promise<boolean> {
  if (isNode()) return false;
  if (glProbe === undefined) glProbe = webGlRendererInfo();
  if (name === 'webgpu') return glProbe?.software || ((await webGpuAdapterInfo())?.software ?? false);
  if (name === 'webgl') return glProbe?.software ?? false;
  return false;
}

async function tryBackend(
  name: TrackerBackend,
  wasmPaths: WasmPaths | undefined,
  wasmThreads?: number,
): Promise<boolean> {
  if (!(await registerBackend(name, wasmPaths, wasmThreads))) return false;
  try {
    const ok = await tf.setBackend(name);
    await tf.ready();
    return ok && tf.getBackend() === name;
  } catch {
    return false;
  }
}

/**
 * Makes `preference` the active TF.js backend and returns its name. `wasmThreads`: threads of tfjs' threaded wasm
 * build, which it uses only where the page (or worker) is cross-origin isolated; set before wasm first starts. 'auto': the first of webgpu, webgl, wasm, cpu
 * that starts here, passing over webgpu and webgl where they run on a software renderer. A named backend is used
 * even in software; one that cannot start raises BACKEND_UNAVAILABLE.
 */
export async function selectBackend(
  preference: TrackerBackend | 'auto' = 'auto',
  wasmPaths?: WasmPaths,
  wasmThreads?: number,
): Promise<TrackerBackend> {
  if (wasmThreads !== undefined && !(Number.isInteger(wasmThreads) && wasmThreads >= 1 && wasmThreads <= 64)) {
    throw new CpemError(
      'INVALID_ARGUMENT',
      `wasmThreads must be a whole number from 1 to 64; got ${JSON.stringify(wasmThreads)}.`,
    );
  }
  if (preference !== 'auto' && !BACKEND_ORDER.includes(preference)) {
    throw new CpemError(
      'INVALID_ARGUMENT',
      `Unknown backend ${JSON.stringify(preference)}: use 'auto', ${BACKEND_ORDER.map((b) => `'${b}'`).join(', ')}.`,
    );
  }
  const candidates = preference === 'auto' ? BACKEND_ORDER : [preference];
  for (const name of candidates) {
    if (preference === 'auto' && (name === 'webgpu' || name === 'webgl') && (await runsInSoftware(name))) continue;
    if (activeBackend() === name) return name;
    if (await tryBackend(name, wasmPaths, wasmThreads)) return name;
  }
  throw new CpemError(
    'BACKEND_UNAVAILABLE',
    preference === 'auto'
      ? 'No TF.js backend started (tried webgpu, webgl, wasm, cpu). Install @tensorflow/tfjs-backend-cpu at least.'
      : `TF.js backend ${preference} did not start here${isNode() && (preference === 'webgpu' || preference === 'webgl') ? ' (Node has no WebGPU or WebGL: use wasm or cpu)' : ''}. Pick another backend or 'auto'.`,
  );
}
