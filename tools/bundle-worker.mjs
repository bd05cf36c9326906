#!/usr/bin/env node
// Part of `npm run build`, after rollup: makes dist/inference-worker.js self-contained, TF.js included. Bundlers
// start it as a worker entry (new Worker(new URL('./inference-worker.js', import.meta.url))) and do not pre-bundle
// what a worker in a dependency imports: Vite's dev server then served tfjs' CommonJS dependency `long` as it is,
// and the worker failed with "module is not defined". With nothing left to resolve, the file runs as served, by the
// dev server and in a production build alike. The weights' URLs (new URL('../weights/…', import.meta.url)) stay.
import fs from 'node:fs';
import * as esbuild from 'esbuild';

const file = 'dist/inference-worker.js';
await esbuild.build({
  entryPoints: [file],
  outfile: file,
  allowOverwrite: true,
  bundle: true,
  format: 'esm',
  target: 'es2022',
  platform: 'browser',
  minify: true,
  legalComments: 'eof',
  logLevel: 'warning',
  // rollup's chunks import one another for their side effects; the package marks them as having none.
  logOverride: { 'ignored-bare-import': 'silent' },
  // tfjs-backend-wasm names Node modules on a path a browser never takes.
  external: ['fs', 'path', 'crypto', 'worker_threads', 'os', 'perf_hooks', 'util'],
});
fs.rmSync(`${file}.map`, { force: true });
