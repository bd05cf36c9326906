import esbuild from 'rollup-plugin-esbuild';
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import { tfjsGradients } from './tools/rollup-tfjs-gradients.mjs';

// Every build starts from an empty dist/, so that chunks of earlier builds never reach the package.
fs.rmSync('dist', { recursive: true, force: true });

// Peer dependencies and Node built-ins stay external: the package ships only its own code.
// TF.js' gradient functions are the exception: compiled in, bound to the app's tfjs-core (tools/rollup-tfjs-gradients.mjs).
const external = (id) =>
  (/^@babylonjs\//.test(id) || /^@tensorflow\//.test(id) || id.startsWith('node:') || builtinModules.includes(id)) &&
  !id.startsWith('@tensorflow/tfjs-core/dist/register_all_gradients');

export default {
  // The entry points of package.json "exports": the app's API and the subpaths for building blocks and training.
  input: {
    'babylon-cpem': 'plugin/index.ts',
    retarget: 'plugin/retarget/index.ts',
    motion: 'plugin/motion/index.ts',
    'face-model': 'plugin/face-model/index.ts',
    landmarks: 'plugin/landmarks/index.ts',
    training: 'training/lib/index.ts',
    // Recording takes into animation clips (browser and Node), and the offline bake (Node only: ffmpeg, NullEngine).
    recording: 'plugin/recording/index.ts',
    bake: 'plugin/bake/index.ts',
    // The behavior's inference worker (inference: 'worker'), and the entry that starts it from beside itself
    // (babylon-cpem/worker): apps that import that entry bundle the worker, others do not.
    'inference-worker': 'plugin/behavior/inference-worker.ts',
    worker: 'plugin/worker/index.ts',
  },
  external,
  output: {
    dir: 'dist',
    format: 'es',
    sourcemap: true,
    entryFileNames: '[name].js',
    // Shared chunks sit beside the entries: plugin/assets.ts finds weights/ at '../weights/' from its module, so every
    // file that may hold it must be one folder below the package root.
    chunkFileNames: '[name]-[hash].js',
  },
  // JSON (the iBUG-68 regressor in weights/) is bundled as a module.
  plugins: [tfjsGradients(), esbuild({ target: 'es2022', tsconfig: 'tsconfig.json', loaders: { '.json': 'json' } })],
};
