// Rollup plugin: bundles TF.js' gradient functions (`@tensorflow/tfjs-core/dist/register_all_gradients`) into the
// package, bound to the app's own tfjs-core through its public API.
//
// Why: tfjs-core's CommonJS build for Node leaves the gradients out, and its ES module build cannot be imported by
// plain Node (its files import each other without the `.js` extension: ERR_MODULE_NOT_FOUND). So the gradient
// modules are compiled into dist/, and every tfjs-core module they import is replaced by a small module that takes
// the same names from `@tensorflow/tfjs-core` (`mul` → tf.mul, `ENGINE` → tf.engine(), `sizeFromShape` →
// tf.util.sizeFromShape, ...). Modules whose names the public API lacks (a few gradient-only ops such as
// conv2DBackpropFilter) are compiled in too, their own imports replaced the same way. The result registers the
// gradients with whichever tfjs-core the app runs (CommonJS in Node, ES modules in a bundler), and no second copy of
// tfjs-core's engine or registries enters the package.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const ENTRY = '@tensorflow/tfjs-core/dist/register_all_gradients';
const SHIM = '\0tfjs-core-public:';
/** Internal names the gradients' imports need, and where the public API has them. */
const ALIASES = { ENGINE: 'tf.engine()', getGlobalTensorClass: '() => tf.Tensor' };

/** The names a tfjs-core ES module exports (following `export * from`). */
function exportedNames(file, seen = new Set()) {
  if (seen.has(file)) return [];
  seen.add(file);
  const code = fs.readFileSync(file, 'utf8');
  const names = [];
  for (const m of code.matchAll(
    /^export (?:declare )?(?:const|let|var|function\*?|async function|class|enum) ([A-Za-z_$][\w$]*)/gm,
  ))
    names.push(m[1]);
  for (const m of code.matchAll(/^export \{([^}]*)\}/gm)) {
    for (const part of m[1]
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean))
      names.push(
        part
          .split(/\s+as\s+/)
          .pop()
          .trim(),
      );
  }
  for (const m of code.matchAll(/^export \* from '([^']+)'/gm))
    names.push(...exportedNames(resolveFile(path.dirname(file), m[1]), seen));
  return names;
}

function resolveFile(dir, spec) {
  const base = path.resolve(dir, spec);
  return fs.existsSync(`${base}.js`) ? `${base}.js` : path.join(base, 'index.js');
}

export function tfjsGradients() {
  const tf = require('@tensorflow/tfjs-core');
  const dist = path.dirname(require.resolve('@tensorflow/tfjs-core/dist/register_all_gradients.js'));
  const namespaces = ['util', 'backend_util', 'broadcast_util', 'slice_util', 'env'];
  /** The public expression for `name`, or null. */
  const publicName = (name) => {
    if (name in ALIASES) return ALIASES[name];
    if (name in tf && name !== 'default') return `tf.${name}`;
    for (const ns of namespaces) if (tf[ns] && typeof tf[ns] === 'object' && name in tf[ns]) return `tf.${ns}.${name}`;
    return null;
  };
  const shimmable = new Map();
  const canShim = (file) => {
    if (!shimmable.has(file))
      shimmable.set(
        file,
        exportedNames(file).every((n) => publicName(n) !== null),
      );
    return shimmable.get(file);
  };
  // Modules that hold tfjs-core's state or classes (the engine, flags, registries, Tensor) are always taken from the
  // app's tfjs-core, with the names its public API has; the gradients import nothing else from them.
  const shared = new Set([
    'engine.js',
    'environment.js',
    'global_util.js',
    'tensor.js',
    'kernel_registry.js',
    'tape.js',
    'profiler.js',
    'backends/backend.js',
  ]);
  const inDist = (file) => file.startsWith(dist + path.sep);
  const compiled = (file) =>
    file.startsWith(path.join(dist, 'gradients') + path.sep) || path.basename(file) === 'register_all_gradients.js';

  return {
    name: 'tfjs-gradients',
    resolveId(source, importer) {
      if (source === ENTRY || source === `${ENTRY}.js`) return path.join(dist, 'register_all_gradients.js');
      if (!importer || !inDist(importer) || !source.startsWith('.')) return null;
      const file = resolveFile(path.dirname(importer), source);
      if (compiled(file) || (!shared.has(path.relative(dist, file).split(path.sep).join('/')) && !canShim(file)))
        return file;
      return SHIM + path.relative(dist, file);
    },
    load(id) {
      if (!id.startsWith(SHIM)) return null;
      const file = path.join(dist, id.slice(SHIM.length));
      const names = [...new Set(exportedNames(file))].filter((n) => publicName(n) !== null);
      return [
        `import * as tf from '@tensorflow/tfjs-core';`,
        ...names.map((n) => `export const ${n} = ${publicName(n)};`),
      ].join('\n');
    },
  };
}
