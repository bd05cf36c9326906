import esbuild from 'rollup-plugin-esbuild';
import { builtinModules } from 'node:module';

// Peer dependencies and Node built-ins stay external: the package ships only its own code.
const external = (id) =>
  /^@babylonjs\//.test(id) || /^@tensorflow\//.test(id) || id.startsWith('node:') || builtinModules.includes(id);

export default {
  input: {
    'babylon-cpem': 'plugin/index.ts',
    training: 'training/index.ts',
  },
  external,
  output: {
    dir: 'dist',
    format: 'es',
    sourcemap: true,
    entryFileNames: '[name].js',
    chunkFileNames: 'chunks/[name]-[hash].js',
  },
  // JSON (the iBUG-68 regressor in weights/) is bundled as a module.
  plugins: [esbuild({ target: 'es2022', tsconfig: 'tsconfig.json', loaders: { '.json': 'json' } })],
};
