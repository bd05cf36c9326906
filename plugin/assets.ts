/**
 * Where the runtime's files are: the one place that says so. The package ships them in its `weights/` folder, beside
 * `dist/`: PE-Net, the face model, the tracker's three models and the tfjs wasm binaries (`npm run build` copies the
 * last two from their pinned npm packages; weights/NOTICE.md names every source).
 *
 * By default each file is found relative to this module, written out as `new URL('../weights/…', import.meta.url)`
 * so that Vite and webpack 5 see every file, copy it into the build and rewrite its URL; in Node the same URLs are
 * file: URLs into the installed package. `assetBaseUrl` points everything elsewhere instead: a folder (URL, or a path
 * in Node) laid out as `weights/` is, e.g. the one `npx babylon-cpem copy-assets DIR` writes.
 */

/** The runtime's files, by their path under `weights/` (and under `assetBaseUrl`). */
export const ASSET_FILES = [
  'pe-net/model.json',
  'pe-net/weights.bin',
  'face-model.bin',
  'tracker/blazeface.json',
  'tracker/blazeface.bin',
  'tracker/facemesh.json',
  'tracker/facemesh.bin',
  'tracker/iris.json',
  'tracker/iris.bin',
  'tfjs-wasm/tfjs-backend-wasm.wasm',
  'tfjs-wasm/tfjs-backend-wasm-simd.wasm',
  'tfjs-wasm/tfjs-backend-wasm-threaded-simd.wasm',
] as const;

export type AssetFile = (typeof ASSET_FILES)[number];

/** The files the behavior reads to drive a character; the face model, read only by overlays, is named apart (face-model-asset.ts). */
export type RuntimeAssetFile = Exclude<AssetFile, 'face-model.bin'>;

// One literal `new URL` per file: bundlers only follow a string literal.
const PACKAGED: Record<RuntimeAssetFile, () => URL> = {
  'pe-net/model.json': () => new URL('../weights/pe-net/model.json', import.meta.url),
  'pe-net/weights.bin': () => new URL('../weights/pe-net/weights.bin', import.meta.url),
  'tracker/blazeface.json': () => new URL('../weights/tracker/blazeface.json', import.meta.url),
  'tracker/blazeface.bin': () => new URL('../weights/tracker/blazeface.bin', import.meta.url),
  'tracker/facemesh.json': () => new URL('../weights/tracker/facemesh.json', import.meta.url),
  'tracker/facemesh.bin': () => new URL('../weights/tracker/facemesh.bin', import.meta.url),
  'tracker/iris.json': () => new URL('../weights/tracker/iris.json', import.meta.url),
  'tracker/iris.bin': () => new URL('../weights/tracker/iris.bin', import.meta.url),
  'tfjs-wasm/tfjs-backend-wasm.wasm': () => new URL('../weights/tfjs-wasm/tfjs-backend-wasm.wasm', import.meta.url),
  'tfjs-wasm/tfjs-backend-wasm-simd.wasm': () =>
    new URL('../weights/tfjs-wasm/tfjs-backend-wasm-simd.wasm', import.meta.url),
  'tfjs-wasm/tfjs-backend-wasm-threaded-simd.wasm': () =>
    new URL('../weights/tfjs-wasm/tfjs-backend-wasm-threaded-simd.wasm', import.meta.url),
};

/** Joins a folder and a file name with exactly one separator. */
export function joinAssetPath(base: string, file: string): string {
  return /[/\\]$/.test(base) ? base + file : `${base}/${file}`;
}

/**
 * Where `file` is read from: under `assetBaseUrl` when given, else the package's own copy. A URL string (or, for the
 * packaged copy in Node, a file: URL). The face model's packaged copy is `packagedFaceModelUrl()` (babylon-cpem/face-model).
 */
export function assetUrl(file: RuntimeAssetFile, assetBaseUrl?: string): string {
  if (assetBaseUrl !== undefined) return joinAssetPath(assetBaseUrl, file);
  return PACKAGED[file]().href;
}

/** The tfjs wasm binaries by file name, as `setWasmPaths` takes them. */
export function wasmBinaryUrls(assetBaseUrl?: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const file of ASSET_FILES)
    if (file.startsWith('tfjs-wasm/'))
      out[file.slice('tfjs-wasm/'.length)] = assetUrl(file as RuntimeAssetFile, assetBaseUrl);
  return out;
}
