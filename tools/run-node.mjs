#!/usr/bin/env node
// Runs a TypeScript entry point in Node through the project's bundle settings (see node-bundle.mjs):
//   node tools/run-node.mjs training/cli/train.ts -- --config FILE
import { spawn } from 'node:child_process';
import path from 'node:path';
import { bundleForNode } from './node-bundle.mjs';

const [entry, ...rest] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node tools/run-node.mjs ENTRY.ts [-- args...]');
  process.exit(2);
}
const args = rest[0] === '--' ? rest.slice(1) : rest;
const [out] = await bundleForNode([entry], path.join('.cache', 'run-node'));
const child = spawn(process.execPath, ['--enable-source-maps', out, ...args], { stdio: 'inherit' });
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 1)));
