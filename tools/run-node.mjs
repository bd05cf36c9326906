#!/usr/bin/env node
// Runs a TypeScript entry point in Node through the project's bundle settings (see node-bundle.mjs):
//   node tools/run-node.mjs training/cli/train.ts -- --config FILE
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { bundleForNode } from './node-bundle.mjs';
import { copyRuntimeAssets } from './copy-runtime-assets.mjs';

const [entry, ...rest] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node tools/run-node.mjs ENTRY.ts [-- args...]');
  process.exit(2);
}
const args = rest[0] === '--' ? rest.slice(1) : rest;
// The tracker's models and the wasm binaries the runtime reads from weights/ (made from node_modules when missing).
copyRuntimeAssets();
// One folder per run, so that runs started side by side do not overwrite each other's bundles.
const dir = path.join('.cache', `run-node-${process.pid}`);
const [out] = await bundleForNode([entry], dir);
const child = spawn(process.execPath, ['--enable-source-maps', out, ...args], { stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => {
  fs.rmSync(dir, { recursive: true, force: true });
  process.exit(signal ? 1 : (code ?? 1));
});
