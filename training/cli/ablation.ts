// `npm run ablation -- [--config training/configs/shipped.json] [--steps N]`
// What each part of the training adds (docs/ablation.md): the run trained four times with the same seed and budget —
// synthetic faces only; + real frames with the teacher's and the labels' targets; + CPEM's identity-consistent term;
// + its expression-exclusive term (the full run) — each then evaluated like the shipped weights.
import fs from 'node:fs';
import path from 'node:path';
import { FaceModel } from '../../plugin/face-model/face-model.js';
import { FaceModelTensors } from '../../plugin/face-model/face-model-tensors.js';
import { PeNet } from '../../plugin/estimator/pe-net.js';
import { selectBackend } from '../../plugin/tracker/backend.js';
import { modelFilesHandler } from '../node/model-files.js';
import { resolveRunConfig } from '../lib/trainer/run-config.js';
import { runTraining } from '../node/run-training.js';
import { STRONG_LABEL } from '../lib/eval/real-frame-eval.js';
import { evaluateEstimator, type EvaluationReport } from '../node/eval/evaluate-estimator.js';
import { readCliArgs, readJsonFile, runCli, readLabelSet } from '../node/cli-support.js';
import { sharedDir as requireSharedDir } from '../node/shared-data.js';

const VARIANTS = [
  {
    key: 'synthetic',
    label: 'synthetic faces only',
    data: { realFraction: 0 },
    weights: { identityConsistency: 0, expressionExclusive: 0 },
  },
  {
    key: 'real',
    label: '+ real frames (teacher, labels)',
    data: {},
    weights: { identityConsistency: 0, expressionExclusive: 0 },
  },
  { key: 'idc', label: '+ L_idc', data: {}, weights: { expressionExclusive: 0 } },
  { key: 'both', label: '+ L_idc and L_exp (the full objective)', data: {}, weights: {} },
] as const;

const f3 = (v: number | undefined) => (v !== undefined && Number.isFinite(v) ? v.toFixed(3) : '–');
const f2 = (v: number | undefined) => (v !== undefined && Number.isFinite(v) ? v.toFixed(2) : '–');

async function main(): Promise<void> {
  const args = readCliArgs(
    { config: 'string', steps: 'string' },
    { usage: 'usage: npm run ablation -- [--config FILE] [--steps N]' },
  );
  const configFile = args.config ?? path.join('training', 'configs', 'shipped.json');
  const sharedDir = requireSharedDir('The ablation (it reads real clips)');
  const base = readJsonFile(configFile, '--config') as {
    name?: string;
    training?: Record<string, unknown> & { lossWeights?: Record<string, number> };
    data?: Record<string, unknown>;
  };
  resolveRunConfig(base, configFile);
  if (args.steps) base.training = { ...base.training, steps: Number(args.steps) };
  await selectBackend('wasm');
  const model = await FaceModel.load(path.join('weights', 'face-model.bin'));
  const tensors = new FaceModelTensors(model);
  const labels = readLabelSet();
  const results: Array<{ label: string; seconds: number; report: EvaluationReport }> = [];
  for (const v of VARIANTS) {
    const run = resolveRunConfig(
      {
        ...base,
        name: `${base.name}-ablation-${v.key}`,
        training: { ...base.training, lossWeights: { ...base.training?.lossWeights, ...v.weights } },
        data: { ...base.data, ...v.data },
      },
      configFile,
    );
    const outDir = path.join('.cache', 'ablation', v.key);
    const manifest = await runTraining(run, { outDir, command: `npm run ablation -- --config ${configFile}` });
    const net = await PeNet.load(modelFilesHandler(path.join(outDir, 'model.json')));
    const report = await evaluateEstimator(net, model, tensors, { labels, sharedDir, log: (m) => console.error(m) });
    net.dispose();
    results.push({ label: v.label, seconds: manifest.trained.seconds, report });
  }
  tensors.dispose();
  const resolved = resolveRunConfig(base);
  const flags = [args.config ? `--config ${configFile}` : '', args.steps ? `--steps ${args.steps}` : '']
    .filter(Boolean)
    .join(' ');
  const regenerate = `npm run ablation${flags ? ` -- ${flags}` : ''}`;
  const rep = (r: EvaluationReport) => r.realFrames?.report;
  const categories = Object.keys(labels.categories).filter(
    (k) => (rep(results[0].report)?.calibrated.activeMae[k]?.frames ?? 0) > 0,
  );
  const lines = [
    '# Ablation: real frames and the CPEM constraints',
    '',
    `The run \`${configFile}\` (${resolved.training.steps} steps, seed ${resolved.training.seed}, the same batch schedule) trained four times, ` +
      'each network then evaluated as in [evaluation.md](evaluation.md) on the report half (people never trained or tuned on), ' +
      `through the runtime chain with the per-user neutral. Regenerate with \`${regenerate}\`.`,
    '',
    '## Real frames (report half)',
    '',
    '*Where shown*: the mean error over the frames whose label is ≥ 0.3, per category, then averaged; *r*: correlation with the labels over all frames.',
    '',
    `| variant | category average where shown | ${categories.map((k) => `${k} (r)`).join(' | ')} | neutral mean / max |`,
    `| --- | --- | ${categories.map(() => '---').join(' | ')} | --- |`,
  ];
  for (const { label, report } of results) {
    const r = rep(report)!.calibrated;
    lines.push(
      `| ${label} | **${f3(r.activeAverage)}** | ${categories.map((k) => `${f3(r.activeMae[k].mae)} (${f2(r.correlation[k])})`).join(' | ')} | ${f3(r.neutral.meanActivation)} / ${f2(r.neutral.maxActivation)} |`,
    );
  }
  const teacher = rep(results[0].report)?.teacher;
  if (teacher) {
    lines.push(
      `| *the teacher (MediaPipe), for reference* | *${f3(teacher.activeAverage)}* | ${categories.map((k) => `*${f3(teacher.activeMae[k].mae)} (${f2(teacher.correlation[k])})*`).join(' | ')} | *${f3(teacher.neutral.meanActivation)} / ${f2(teacher.neutral.maxActivation)}* |`,
    );
  }
  const strongCategories = categories.filter((k) => (rep(results[0].report)?.calibrated.strong[k]?.frames ?? 0) > 0);
  lines.push(
    '',
    '## The top of the range (report half)',
    '',
    `Mean reading over mean label on the frames labelled ≥ ${STRONG_LABEL} (frames in brackets), at rest the unit with the highest mean, and the mirrored check (mean |u_L(frame) − u_R(mirrored frame)| over the paired units, evaluation.md).`,
    '',
    `| variant | ${strongCategories.map((k) => `${k} (${rep(results[0].report)!.calibrated.strong[k].frames})`).join(' | ')} | highest unit mean at rest | mirrored check |`,
    `| --- | ${strongCategories.map(() => '---').join(' | ')} | --- | --- |`,
  );
  for (const { label, report } of results) {
    const r = rep(report)!.calibrated;
    lines.push(
      `| ${label} | ${strongCategories.map((k) => f2(r.strong[k].meanReading / r.strong[k].meanLabel)).join(' | ')} | ${r.neutral.maxMeanUnit} ${f3(r.neutral.maxUnitMean)} | ${f3(report.mirror?.mean)} |`,
    );
  }
  if (teacher)
    lines.push(
      `| *the teacher* | ${strongCategories.map((k) => `*${f2(teacher.strong[k].meanReading / teacher.strong[k].meanLabel)}*`).join(' | ')} | *${teacher.neutral.maxMeanUnit} ${f3(teacher.neutral.maxUnitMean)}* | |`,
    );
  lines.push(
    '',
    '## Identity',
    '',
    'Whether identity α is learnt: its error on held-out synthetic faces (random identities with known α) against the error of ' +
      'reading the mean face (α = 0) everywhere, and its drift across the frames of each real clip (mean |α_t − α_first| per ' +
      "coefficient; the paper's Figure 5). A constant α has no drift, so the drift alone cannot tell a consistent identity from none.",
    '',
    '| variant | synthetic α error | reading α = 0 | neutral-face vertex error (mean face) | α drift, report clips | α drift, tune clips | synthetic β error (reading 0) | train time (s) |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const { label, report: r, seconds } of results) {
    lines.push(
      `| ${label} | ${f3(r.synthetic.identityMae)} | ${f3(r.synthetic.zeroIdentityMae)} | ${f2(r.synthetic.neutralVertexError?.all)} (${f2(r.synthetic.neutralVertexError?.meanFaceAll)}) | ${f3(r.identity?.report)} | ${f3(r.identity?.tune)} | ${f3(r.synthetic.meanUnitMae)} (${f3(r.synthetic.zeroUnitMae)}) | ${seconds} |`,
    );
  }
  lines.push('');
  fs.writeFileSync(path.join('docs', 'ablation.md'), lines.join('\n'));
  console.error(lines.join('\n'));
}

runCli(main);
