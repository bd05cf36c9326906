// `npm run train -- --config FILE [--out DIR] [--backend wasm|cpu] [--resume] [--steps N]`
// Trains PE-Net with the CPEM objective in Node and exports it as a TF.js model (model.json + weights.bin) with
// a manifest.json and the loss log. The run's checkpoint lives in .cache/train/NAME/; --resume continues it.
import fs from 'node:fs';
import path from 'node:path';
import { isCpemError } from '../../plugin/errors/cpem-error.js';
import { useNodeBackend, type NodeBackend } from '../node/node-backend.js';
import { resolveRunConfig } from '../trainer/run-config.js';
import { runTraining } from '../node/run-training.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const configFile = arg('config');
  if (!configFile) {
    console.error('usage: npm run train -- --config FILE [--out DIR] [--backend wasm|cpu] [--resume] [--steps N]');
    process.exit(2);
  }
  const raw = JSON.parse(fs.readFileSync(configFile, 'utf8'));
  if (arg('steps')) raw.training = { ...raw.training, steps: Number(arg('steps')) };
  const run = resolveRunConfig(raw, configFile);
  await useNodeBackend((arg('backend') ?? 'wasm') as NodeBackend);
  await runTraining(run, {
    outDir: arg('out') ?? path.join('weights', 'pe-net'),
    command: `npm run train -- ${process.argv.slice(2).join(' ')}`,
    faceModelFile: arg('face-model'),
    resume: process.argv.includes('--resume'),
  });
}

main().catch((e) => {
  console.error(isCpemError(e) ? `${e.code}: ${e.message}` : e);
  process.exit(1);
});
