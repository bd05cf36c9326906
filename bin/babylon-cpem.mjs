#!/usr/bin/env node
// npx babylon-cpem bake VIDEO... --character CHAR.glb --out DIR [--table TABLE.json] [--fps N] [--csv] ...
//   Turns each video into a GLB of the character with the performance as an animation clip (Node, ffmpeg, no
//   browser): docs/recording.md. `npx babylon-cpem bake --help` lists the options.
// npx babylon-cpem copy-assets DIR
//   Copies the package's runtime files (weights/: PE-Net, the face model, the tracker's models, the tfjs wasm
//   binaries, and NOTICE.md with their sources and licences) into DIR, for apps whose bundler does not follow
//   new URL('…', import.meta.url) (esbuild, Parcel, Rollup without a plugin). Serve DIR and pass its URL as
//   assetBaseUrl, e.g. new FaceRetargetBehavior({ assetBaseUrl: '/cpem/' }).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { OutputPathError, prepareOutputDir } from './output-dir.mjs';

if (process.argv[2] === 'bake') {
  let bake;
  try {
    bake = await import('../dist/bake.js');
  } catch (e) {
    // The bake loads the character with @babylonjs/loaders and writes GLB with @babylonjs/serializers (optional peers).
    const missing = e && e.code === 'ERR_MODULE_NOT_FOUND' ? String(e.message).match(/'(@[^/']+\/[^/']+)/)?.[1] : null;
    console.error(
      missing
        ? `DEPENDENCY_MISSING: the bake needs ${missing}: npm install @babylonjs/loaders @babylonjs/serializers (the version of @babylonjs/core)`
        : `cannot load the bake (${e.message}); in a checkout of babylon-cpem, run npm run build first.`,
    );
    process.exit(1);
  }
  const { runBakeCli, BAKE_USAGE } = bake;
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    console.log(BAKE_USAGE);
    process.exit(0);
  }
  process.exit(await runBakeCli(process.argv.slice(3)));
}

const USAGE =
  'usage: npx babylon-cpem copy-assets DIR\n       npx babylon-cpem bake VIDEO... --character CHAR.glb --out DIR [options]';
let args;
try {
  args = parseArgs({ options: { help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
} catch (e) {
  console.error(`${e.message}\n${USAGE}`);
  process.exit(2);
}
if (args.values.help) {
  console.log(USAGE);
  process.exit(0);
}
const [command, dir, ...extra] = args.positionals;
if (command !== 'copy-assets' || !dir || extra.length > 0) {
  console.error(command && command !== 'copy-assets' ? `unknown command ${JSON.stringify(command)}\n${USAGE}` : USAGE);
  process.exit(2);
}

const from = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'weights');
if (!fs.existsSync(path.join(from, 'tracker')) || !fs.existsSync(path.join(from, 'tfjs-wasm'))) {
  console.error(`${from} lacks tracker/ or tfjs-wasm/: in a checkout of babylon-cpem, run npm run build first.`);
  process.exit(1);
}
let files = 0;
let bytes = 0;
try {
  // The folder is checked (made, written to) before anything is copied; a file, a dangling link or a read-only place
  // is named with what to do.
  prepareOutputDir(dir, 'copy-assets DIR');
  for (const entry of fs.readdirSync(from, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const source = path.join(entry.parentPath ?? entry.path, entry.name);
    const target = path.join(dir, path.relative(from, source));
    prepareOutputDir(path.dirname(target), 'copy-assets DIR');
    try {
      fs.copyFileSync(source, target);
    } catch (e) {
      throw new OutputPathError(
        `copy-assets DIR ${dir}: ${target} cannot be written (${e.code ?? e}). Pick a folder you can write to.`,
        e,
      );
    }
    files++;
    bytes += fs.statSync(source).size;
  }
} catch (e) {
  if (!(e instanceof OutputPathError)) throw e;
  console.error(`${e.code}: ${e.message}`);
  process.exit(1);
}
console.log(`Copied ${files} files (${(bytes / 1e6).toFixed(1)} MB) to ${dir}.`);
console.log(
  "Serve that folder and pass its URL as assetBaseUrl, e.g. new FaceRetargetBehavior({ assetBaseUrl: '/cpem/' }).",
);
