// `npm run train -- --config FILE [--out DIR] [--backend wasm|cpu] [--resume] [--steps N]`
// Trains PE-Net with the CPEM objective in Node and exports it as a TF.js model (model.json + weights.bin) with
// a manifest.json. The run's checkpoint and loss log live in .cache/train/NAME/; --resume continues from there.
import * as tf from '@tensorflow/tfjs-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { FaceModel } from '../../plugin/face-model/face-model.js';
import { FaceModelTensors } from '../../plugin/face-model/face-model-tensors.js';
import { isCpemError } from '../../plugin/errors/cpem-error.js';
import { useNodeBackend, type NodeBackend } from '../node/node-backend.js';
import { writeModelFiles } from '../node/model-files.js';
import { CpemTrainer, type TrainerCheckpoint } from '../trainer/cpem-trainer.js';
import { resolveRunConfig, type RunConfig } from '../trainer/run-config.js';
import { ProgressBar } from '../trainer/progress.js';
import { RunBatchSource } from '../data/run-batch-source.js';
import { evaluateSynthetic } from '../eval/synthetic-eval.js';
import type { EstimatorManifest } from '../trainer/estimator-manifest.js';
import { saveCheckpoint, loadCheckpoint } from '../node/checkpoint-files.js';

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
  const run: RunConfig = resolveRunConfig(raw, configFile);
  const backend = (arg('backend') ?? 'wasm') as NodeBackend;
  const outDir = arg('out') ?? path.join('weights', 'pe-net');
  const runDir = path.join('.cache', 'train', run.name);
  const faceModelFile = arg('face-model') ?? path.join('weights', 'face-model.bin');
  await useNodeBackend(backend);

  const faceModelBytes = fs.readFileSync(faceModelFile);
  const model = new FaceModelTensors(await FaceModel.load(faceModelBytes.buffer.slice(faceModelBytes.byteOffset, faceModelBytes.byteOffset + faceModelBytes.byteLength) as ArrayBuffer));
  const configDir = path.dirname(path.resolve(configFile));
  const real = null as null | { source: import('../data/real-track-source.js').RealTrackSource; fraction: number };
  void configDir;
  if (real) console.error(`real tracks: ${real.source.describe()}`);
  const source = new RunBatchSource(model, run.training.seed, run.data.synthetic, real);

  let trainer: CpemTrainer;
  if (process.argv.includes('--resume') && fs.existsSync(path.join(runDir, 'checkpoint.json'))) {
    const checkpoint: TrainerCheckpoint = loadCheckpoint(runDir);
    source.position = checkpoint.step;
    trainer = await CpemTrainer.resume(checkpoint, model, source);
    console.error(`resumed ${run.name} at step ${trainer.step}`);
  } else {
    trainer = CpemTrainer.create(run.training, model, source);
  }
  fs.mkdirSync(runDir, { recursive: true });
  console.error(`training ${run.name}: ${run.training.steps} steps of ${run.training.persons}×${run.training.framesPerPerson} on ${tf.getBackend()}, PE-Net ${trainer.net.parameterCount} parameters`);
  const bar = new ProgressBar(run.training.steps, run.name, process.stderr);
  const started = Date.now();
  const stepsBefore = trainer.step;
  while (trainer.step < run.training.steps) {
    const row = await trainer.trainStep();
    if (row) bar.update(trainer.step, `loss ${row.total.toPrecision(4)}`);
    const every = run.training.checkpointEvery;
    if ((every > 0 && trainer.step % every === 0) || trainer.step === run.training.steps) {
      saveCheckpoint(runDir, await trainer.checkpoint());
      fs.writeFileSync(path.join(runDir, 'loss.csv'), trainer.log.toCsv());
    }
  }
  const seconds = (trainer.log.rows.at(-1)?.seconds ?? (Date.now() - started) / 1000);
  const report = await evaluateSynthetic(trainer.net, model, { synthetic: run.data.synthetic });
  const manifest: EstimatorManifest = {
    format: 'babylon-cpem/pe-net-manifest',
    version: 1,
    packageVersion: JSON.parse(fs.readFileSync('package.json', 'utf8')).version,
    faceModelSha256: crypto.createHash('sha256').update(faceModelBytes).digest('hex'),
    run: { name: run.name, command: `npm run train -- --config ${path.relative(process.cwd(), configFile)}`, training: run.training, data: run.data },
    trained: { steps: trainer.step, seconds: Math.round(seconds), backend: tf.getBackend(), cpus: os.cpus().length },
    metrics: {
      finalLoss: trainer.log.rows.at(-1)?.total ?? NaN,
      syntheticUnitMae: report.meanUnitMae,
      syntheticCategoryMae: report.meanCategoryMae,
      syntheticIdentityMae: report.identityMae,
      syntheticRotationMaeDeg: report.rotationMaeDeg,
    },
  };
  writeModelFiles(outDir, await trainer.net.toArtifacts({ run: run.name, steps: trainer.step }));
  fs.writeFileSync(path.join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 1)}\n`);
  fs.writeFileSync(path.join(outDir, 'loss.csv'), trainer.log.toCsv());
  console.error(`${trainer.step - stepsBefore} steps in ${((Date.now() - started) / 1000).toFixed(0)} s; synthetic β MAE ${report.meanUnitMae.toFixed(4)}, category MAE ${report.meanCategoryMae.toFixed(4)}, rotation ${report.rotationMaeDeg.toFixed(2)}°`);
  console.error(`wrote ${outDir}/model.json, weights.bin, manifest.json, loss.csv`);
  trainer.dispose();
  model.dispose();
}

main().catch((e) => {
  console.error(isCpemError(e) ? `${e.code}: ${e.message}` : e);
  process.exit(1);
});
