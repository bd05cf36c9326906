// `npm run ablation -- [--config training/configs/shipped.json] [--steps N]`
// The constraints' ablation (docs/ablation.md): the same run (seed, data, budget) trained three times, without
// L_idc and L_exp, with L_idc only, and with both, each then evaluated like the shipped weights.
import fs from 'node:fs';
import path from 'node:path';
import { FaceModel } from '../../plugin/face-model/face-model.js';
import { FaceModelTensors } from '../../plugin/face-model/face-model-tensors.js';
import { PeNet } from '../../plugin/estimator/pe-net.js';
import { selectBackend } from '../../plugin/tracker/backend.js';
import { modelFilesHandler } from '../node/model-files.js';
import { resolveRunConfig } from '../trainer/run-config.js';
import { runTraining } from '../node/run-training.js';
import { evaluateEstimator, type EvaluationReport } from '../eval/evaluate-estimator.node.js';
import { readCliArgs, runCli, sharedDirOrNull, readLabelSet } from '../node/cli-support.js';

const VARIANTS = [
  { key: 'none', label: 'without L_idc and L_exp', weights: { identityConsistency: 0, expressionExclusive: 0 } },
  { key: 'idc', label: 'with L_idc', weights: { expressionExclusive: 0 } },
  { key: 'both', label: 'with L_idc and L_exp', weights: {} },
] as const;

const f3 = (v: number | undefined) => (v !== undefined && Number.isFinite(v) ? v.toFixed(3) : '–');

async function main(): Promise<void> {
  const args = readCliArgs({ config: 'string', steps: 'string' }, { usage: 'usage: npm run ablation -- [--config FILE] [--steps N]' });
  const configFile = args.config ?? path.join('training', 'configs', 'shipped.json');
  const sharedDir = sharedDirOrNull();
  if (!sharedDir) throw new Error('The ablation reads real clips from ../shared: place the checkout beside it.');
  const base = JSON.parse(fs.readFileSync(configFile, 'utf8'));
  if (args.steps) base.training = { ...base.training, steps: Number(args.steps) };
  await selectBackend('wasm');
  const model = await FaceModel.load(path.join('weights', 'face-model.bin'));
  const tensors = new FaceModelTensors(model);
  const labels = readLabelSet();
  const results: Array<{ label: string; seconds: number; report: EvaluationReport }> = [];
  for (const v of VARIANTS) {
    const run = resolveRunConfig({ ...base, name: `${base.name}-ablation-${v.key}`, training: { ...base.training, lossWeights: { ...base.training?.lossWeights, ...v.weights } } }, configFile);
    const outDir = path.join('.cache', 'ablation', v.key);
    const manifest = await runTraining(run, { outDir, command: `npm run ablation -- --config ${configFile}` });
    const net = await PeNet.load(modelFilesHandler(path.join(outDir, 'model.json')));
    const report = await evaluateEstimator(net, model, tensors, { labels, sharedDir, log: (m) => console.error(m) });
    net.dispose();
    results.push({ label: v.label, seconds: manifest.trained.seconds, report });
  }
  tensors.dispose();
  const steps = resolveRunConfig(base).training.steps;
  const flags = [args.config ? `--config ${configFile}` : '', args.steps ? `--steps ${args.steps}` : ''].filter(Boolean).join(' ');
  const regenerateArgs = flags ? ` -- ${flags}` : '';
  const lines = [
    '# Ablation: the identity-consistent and expression-exclusive constraints', '',
    `The run \`${configFile}\` (${steps} steps, seed ${resolveRunConfig(base).training.seed}, the same batches) trained three times; `
    + 'each network then evaluated as in [evaluation.md](evaluation.md). α drift: mean |α_t − α_first| per coefficient over each '
    + 'real clip (lower is steadier). Real-frame figures are on the report half, after the per-user neutral (these networks have no fitted unit gains); *where shown* is the error on '
    + `frames whose label is ≥ 0.3. Regenerate with \`npm run ablation${regenerateArgs}\`.`, '',
    '| variant | α drift, report clips | α drift, tune clips | synthetic β MAE | synthetic α MAE | real frames: category MAE | real frames: MAE where shown | neutral mean activation | landmark NME (%) | train time (s) |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...results.map(({ label, seconds, report: r }) => `| ${label} | ${f3(r.identity?.report)} | ${f3(r.identity?.tune)} | ${f3(r.synthetic.meanUnitMae)} | ${f3(r.synthetic.identityMae)} | `
      + `${f3(r.realFrames?.report.calibrated.categoryAverage)} | ${f3(r.realFrames?.report.calibrated.activeAverage)} | ${f3(r.realFrames?.report.calibrated.neutral.meanActivation)} | `
      + `${r.reconstruction ? (100 * r.reconstruction.mean).toFixed(2) : '–'} | ${seconds} |`),
    '',
  ];
  fs.writeFileSync(path.join('docs', 'ablation.md'), lines.join('\n'));
  console.error(lines.slice(-5).join('\n'));
}

runCli(main);
