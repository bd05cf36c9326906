#!/usr/bin/env node
// Copies the runtime files that come from pinned npm packages into weights/, where the package ships them:
// the tracker's three TF.js graph models from @vladmandic/human (models/{blazeface,facemesh,iris}.{json,bin}) into
// weights/tracker/, and the tfjs wasm binaries from @tensorflow/tfjs-backend-wasm (dist/*.wasm) into
// weights/tfjs-wasm/. The copies are not committed (package-lock.json pins their sources); `npm run build` (and so
// `npm pack`), `npm test`, `npm start`, `npm run bench` and tools/run-node.mjs make them when they are missing or
// differ. Sources and licences: weights/NOTICE.md.
//   node tools/copy-runtime-assets.mjs
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(ROOT, 'package.json'));
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

/** Folder of an installed package, checked against the version package.json pins. */
function packageDir(name) {
  let dir;
  try {
    dir = path.dirname(require.resolve(`${name}/package.json`));
  } catch {
    // Packages whose "exports" hide package.json: look in node_modules directly.
    dir = path.join(ROOT, 'node_modules', ...name.split('/'));
  }
  const file = path.join(dir, 'package.json');
  if (!fs.existsSync(file)) throw new Error(`${name} is not installed: run npm ci`);
  const version = JSON.parse(fs.readFileSync(file, 'utf8')).version;
  const pinned = pkg.devDependencies?.[name];
  if (pinned && pinned !== version)
    throw new Error(`${name} ${version} is installed but package.json pins ${pinned}: run npm ci`);
  return dir;
}

/** Copies what is missing or different; returns how many files are in place and how many were copied. */
export function copyRuntimeAssets() {
  const copies = [
    ...['blazeface', 'facemesh', 'iris'].flatMap((m) =>
      ['json', 'bin'].map((ext) => [
        path.join(packageDir('@vladmandic/human'), 'models', `${m}.${ext}`),
        path.join('tracker', `${m}.${ext}`),
      ]),
    ),
    // The converted models' licence (MIT) travels with them.
    [path.join(packageDir('@vladmandic/human'), 'LICENSE'), path.join('tracker', 'LICENSE')],
    ...['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'].map((f) => [
      path.join(packageDir('@tensorflow/tfjs-backend-wasm'), 'dist', f),
      path.join('tfjs-wasm', f),
    ]),
  ];

  let copied = 0;
  for (const [from, to] of copies) {
    const target = path.join(ROOT, 'weights', to);
    const bytes = fs.readFileSync(from);
    if (fs.existsSync(target) && Buffer.compare(fs.readFileSync(target), bytes) === 0) continue;
    fs.mkdirSync(path.dirname(target), { recursive: true });
    // Written aside, then renamed: a process reading the file meanwhile sees the old one or the new one, whole.
    fs.writeFileSync(`${target}.${process.pid}.part`, bytes);
    fs.renameSync(`${target}.${process.pid}.part`, target);
    copied++;
  }
  return { files: copies.length, copied };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { files, copied } = copyRuntimeAssets();
  // On stderr: npm pack --json runs this through prepack and prints its JSON on stdout.
  console.error(`weights/: ${files} runtime files from npm packages in place (${copied} copied)`);
}
