// `npm run train -- --config FILE [--out DIR] [--backend wasm|cpu] [--resume] [--steps N]`
// Trains PE-Net with the CPEM objective in Node and exports it as a TF.js model (model.json + weights.bin) with
// a manifest.json and the loss log. The run's checkpoint lives in .cache/train/NAME/; --resume continues it.
import path from 'node:path';
import { selectBackend, type TrackerBackend } from '../../plugin/tracker/backend.js';
import { resolveRunConfig } from '../lib/trainer/run-config.js';
import { runTraining } from '../node/run-training.js';
import { readCliArgs, readJsonFile, runCli } from '../node/cli-support.js';
import { CpemError } from '../../plugin/errors/cpem-error.js';

async function main(): Promise<void> {
  const usage =
    'usage: npm run train -- --config FILE [--out DIR] [--backend wasm|cpu] [--resume] [--steps N] [--face-model FILE]';
  const args = readCliArgs(
    { config: 'string', out: 'string', backend: 'string', resume: 'boolean', steps: 'string', 'face-model': 'string' },
    { usage },
  );
  const configFile = args.config;
  if (!configFile) {
    console.error(usage);
    process.exit(2);
  }
  const raw = readJsonFile(configFile, '--config') as { training?: object };
  if (args.steps) {
    if (typeof raw !== 'object' || raw === null)
      throw new CpemError(
        'INVALID_ARGUMENT',
        `--config ${configFile}: expected a JSON object with name, training and data.`,
      );
    raw.training = { ...raw.training, steps: Number(args.steps) };
  }
  const run = resolveRunConfig(raw, configFile);
  await selectBackend((args.backend ?? 'wasm') as TrackerBackend);
  await runTraining(run, {
    outDir: args.out ?? path.join('weights', 'pe-net'),
    command: `npm run train -- ${process.argv.slice(2).join(' ')}`,
    faceModelFile: args['face-model'],
    resume: args.resume === true,
  });
}

runCli(main);
