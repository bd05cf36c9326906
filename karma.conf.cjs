// Browser specs (test/browser/**/*.spec.ts), bundled by esbuild, run in Debian's headless Chromium with
// WebGPU and WebGL2 on SwiftShader. Flags: training/node/chromium.cjs. Summary line: tools/karma-summary-reporter.cjs.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { CHROMIUM_PATH, CHROMIUM_FLAGS } = require('./training/node/chromium.cjs');
const { servedAssetUrls } = require('./tools/esbuild-asset-urls.cjs');

// karma-esbuild writes its entry file into the system temp dir and imports each spec by its path relative to that
// folder, without a leading './' ("tmp.X/main/test/browser/a.spec.ts" when the checkout is itself under the temp
// dir), which esbuild then reads as a package name. This resolves such imports from that entry file as the files
// they name, so that the specs run wherever the checkout is.
const specsFromTempEntry = {
  name: 'specs-from-temp-entry',
  setup(build) {
    const tempDir = fs.realpathSync(os.tmpdir());
    build.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (path.dirname(args.importer) !== tempDir || !fs.existsSync(path.resolve(tempDir, path.dirname(args.path))))
        return undefined;
      const resolved = await build.resolve(`./${args.path}`, { resolveDir: tempDir, kind: args.kind });
      return resolved.errors.length === 0 ? { path: resolved.path } : undefined;
    });
  },
};

process.env.CHROME_BIN = CHROMIUM_PATH;

// The behavior's inference worker (inference: 'worker') as its own bundle, served at /base/ like the specs' files;
// test/browser/inference-worker.spec.ts points workerUrl at it (and assetBaseUrl at /base/weights/: esbuild's
// synchronous API takes no plugins, so the bundle's assets.ts does not know where weights/ is served).
const WORKER_BUNDLE = '.cache/karma-worker/inference-worker.js';
require('esbuild').buildSync({
  entryPoints: ['plugin/behavior/inference-worker.ts'],
  outfile: WORKER_BUNDLE,
  bundle: true,
  format: 'esm',
  target: 'es2022',
  logLevel: 'warning',
  external: ['fs', 'path', 'crypto', 'worker_threads', 'node-fetch', 'util', 'os', 'perf_hooks'],
});

module.exports = (config) => {
  config.set({
    frameworks: ['jasmine'],
    plugins: ['karma-jasmine', 'karma-chrome-launcher', 'karma-esbuild', require('./tools/karma-summary-reporter.cjs')],
    files: [
      { pattern: process.env.KARMA_SPECS || 'test/browser/**/*.spec.ts', watched: false },
      // Served, not included: the package's runtime files (weights/: PE-Net, face model, tracker models, wasm binaries).
      { pattern: 'weights/**/*', included: false, served: true, watched: false, nocache: true },
      { pattern: '../shared/avatars/*.glb', included: false, served: true, watched: false, nocache: true },
      { pattern: '../shared/videos/liveportrait_d3.mp4', included: false, served: true, watched: false, nocache: true },
      { pattern: WORKER_BUNDLE, included: false, served: true, watched: false, nocache: true },
    ],
    proxies: { '/weights/': '/base/weights/' },
    preprocessors: { 'test/browser/**/*.ts': ['esbuild'] },
    esbuild: {
      target: 'es2022',
      sourcemap: true,
      singleBundle: true,
      external: ['fs', 'path', 'crypto', 'worker_threads', 'node-fetch', 'util', 'os', 'perf_hooks'],
      // Karma serves the repository at /base/: the package's default asset URLs resolve to /base/weights/.
      plugins: [specsFromTempEntry, servedAssetUrls('/base/')],
    },
    mime: { 'application/wasm': ['wasm'], 'text/x-typescript': ['ts'] },
    reporters: ['cpem-summary'],
    browsers: ['ChromiumWebGPU'],
    customLaunchers: {
      // Based on `Chrome`, not `ChromeHeadless`, which would add --disable-gpu and break WebGPU's canvas path.
      ChromiumWebGPU: { base: 'Chrome', flags: CHROMIUM_FLAGS },
    },
    // Generous per-spec time: a spec that tracks a whole clip can take minutes on a slow or busy machine; specs assert
    // what the code does, and speed is the bench's business.
    client: { jasmine: { random: false, timeoutInterval: 300000 } },
    // CPU-bound specs can hold the page for a long time; keep karma from giving up on the browser.
    captureTimeout: 120000,
    pingTimeout: 600000,
    browserNoActivityTimeout: 600000,
    browserDisconnectTimeout: 60000,
    browserDisconnectTolerance: 0,
    singleRun: true,
    autoWatch: false,
    concurrency: 1,
    logLevel: config.LOG_WARN,
  });
};
