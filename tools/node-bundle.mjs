// Bundles TypeScript for Node with esbuild, resolving packages' ES module builds ("module" field) first.
// Why: @tensorflow/tfjs-core's CommonJS build for Node leaves out the gradient functions that training needs,
// and they can only be registered from its ES module build; one bundle keeps one copy of TF.js.
import { build } from 'esbuild';
import path from 'node:path';
import assetUrls from './esbuild-asset-urls.cjs';

export const NODE_BUNDLE_OPTIONS = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  mainFields: ['module', 'main'],
  sourcemap: 'inline',
  logLevel: 'warning',
  plugins: [assetUrls.nodeAssetUrls()],
  // Packages that must stay real Node modules: a browser driver, the bundler itself, native helpers.
  external: ['playwright-core', 'esbuild', 'rollup', 'chromium-bidi*'],
  banner: {
    // CommonJS code inside the bundle (e.g. the tfjs wasm loader) expects require, __filename and __dirname.
    js: [
      "import { createRequire as __cpemCreateRequire } from 'node:module';",
      "import { fileURLToPath as __cpemFileURLToPath } from 'node:url';",
      'const require = __cpemCreateRequire(import.meta.url);',
      'const __filename = __cpemFileURLToPath(import.meta.url);',
      "const __dirname = __cpemFileURLToPath(new globalThis.URL('.', import.meta.url));",
    ].join(' '),
  },
};

/** Bundles each entry to `outdir/<name>.mjs` and returns the output paths. */
export async function bundleForNode(entryPoints, outdir) {
  await build({ ...NODE_BUNDLE_OPTIONS, entryPoints, outdir, outbase: '.', outExtension: { '.js': '.mjs' } });
  return entryPoints.map((e) => path.join(outdir, e.replace(/\.ts$/, '.mjs')));
}
