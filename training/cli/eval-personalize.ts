// `npm run eval:personalize -- [--weights weights/pe-net/model.json] [--out docs/personalization-eval.md] [--only NAME]`
// For every prompt file in docs/personalize/: fine-tunes the network on the person's first occurrences of their
// expressions and scores it against the shipped one on that person's later frames labelled by eye. Writes the table
// (docs/personalization-eval.md); docs/personalization.md says how to read it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CpemError } from '../../plugin/errors/cpem-error.js';
import { selectBackend } from '../../plugin/tracker/backend.js';
import type { RealFrameReport } from '../eval/real-frame-eval.js';
import { personalizationSettings } from '../personalize/fine-tune.js';
import { baseRunName, loadBaseNetwork, loadFaceModelTensors, loadPromptFile } from '../personalize/personalize-clip.node.js';
import { evaluatePerson, evaluationPromptFiles, headlineError, relativeChange, type PersonResult } from '../personalize/personalize-eval.node.js';
import { readCliArgs, readLabelSet, runCli, sharedDirOrNull } from '../node/cli-support.js';

const USAGE = 'usage: npm run eval:personalize -- [--weights weights/pe-net/model.json] [--out docs/personalization-eval.md] [--only NAME,...] '
  + '[--steps N] [--seed N] [--members N] [--learning-rate X] [--real-fraction X] [--leave-alone X] (the settings default to the sandbox\'s: training/personalize/fine-tune.ts)';

const f3 = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : '–');
const pct = (v: number) => (Number.isFinite(v) ? `${v > 0 ? '+' : ''}${(100 * v).toFixed(0)} %` : '–');
const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / Math.max(1, v.length);

/** Relative change of the shipped network's headline error under an oracle correction (fitted on the test frames). */
function oracleChange(r: PersonResult, which: 'offset' | 'affine'): number {
  const before = headlineError(r.oracle.none);
  return (headlineError(r.oracle[which]) - before) / before;
}

function errorCell(r: RealFrameReport): string {
  return `${f3(r.categoryAverage)} / ${f3(r.activeAverage)} → **${f3(headlineError(r))}**`;
}

function peopleTable(results: PersonResult[]): string[] {
  const lines = [
    '| person (clip) | expressions trained (spans) | trained until | frames trained (with targets) | test frames | shipped: all-frame / where shown → error | personalised: all-frame / where shown → error | change | change, raw PE-Net | oracle correction: shift / line | fine-tuning |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of results) {
    lines.push(`| ${r.person} (\`${r.video}\`) | ${r.spans.join(', ')} | ${r.trainedUntil.toFixed(2)} s | ${r.trainedFrames} (${r.targetedFrames}) | ${r.testFrames} | ${errorCell(r.shipped.calibrated)} | ${errorCell(r.personalised.calibrated)} | **${pct(relativeChange(r))}** | ${pct(relativeChange(r, 'raw'))} | ${pct(oracleChange(r, 'offset'))} / ${pct(oracleChange(r, 'affine'))} | ${r.seconds.toFixed(0)} s |`);
  }
  return lines;
}

function summary(results: PersonResult[]): string[] {
  if (results.length === 0) return [];
  const changes = results.map((r) => relativeChange(r));
  const before = mean(results.map((r) => headlineError(r.shipped.calibrated)));
  const after = mean(results.map((r) => headlineError(r.personalised.calibrated)));
  return [
    `Mean change per person **${pct(mean(changes))}**; mean error ${f3(before)} → ${f3(after)} (${pct((after - before) / before)}); `
    + `${changes.filter((c) => c <= -0.1).length} of ${results.length} people at −10 % or better, ${changes.filter((c) => c > 0).length} worse. `
    + `The oracle corrections of the shipped readings: mean ${pct(mean(results.map((r) => oracleChange(r, 'offset'))))} (shift), ${pct(mean(results.map((r) => oracleChange(r, 'affine'))))} (line). `
    + `The issue's bar (a mean change of −20 % or better, and −10 % or better for at least 5 of 6 people): **${mean(changes) <= -0.2 && changes.filter((c) => c <= -0.1).length >= Math.ceil((5 / 6) * results.length) ? 'met' : 'not met'}**.`,
  ];
}

function categoryDetail(results: PersonResult[]): string[] {
  const lines: string[] = ['<details><summary>Per category, where shown on the test frames (frames): shipped → personalised</summary>', ''];
  for (const r of results) {
    const cells = Object.entries(r.shipped.calibrated.activeMae).filter(([, a]) => a.frames > 0)
      .map(([k, a]) => `${k} (${a.frames}) ${f3(a.mae)} → ${f3(r.personalised.calibrated.activeMae[k].mae)}`);
    lines.push(`- ${r.person}: ${cells.join('; ') || 'no category shown'}; neutral frames ${r.shipped.calibrated.neutral.frames}`);
  }
  lines.push('', '</details>');
  return lines;
}

/** One half's section of the page: heading, optional intro lines, the people, the summary and the per-category detail. */
function halfSection(heading: string, intro: string[], results: PersonResult[]): string[] {
  return [heading, '', ...intro, ...peopleTable(results), '', ...summary(results), '', ...categoryDetail(results), ''];
}

async function main(): Promise<void> {
  const args = readCliArgs({ weights: 'string', out: 'string', only: 'string', steps: 'string', seed: 'string', members: 'string', 'learning-rate': 'string', 'real-fraction': 'string', 'leave-alone': 'string' }, { usage: USAGE });
  const sharedDir = sharedDirOrNull();
  if (!sharedDir) throw new CpemError('INVALID_ARGUMENT', 'The evaluation reads the clips from ../shared/videos: place the checkout beside ../shared.');
  const weights = args.weights ?? path.join('weights', 'pe-net', 'model.json');
  const out = args.out ?? path.join('docs', 'personalization-eval.md');
  const only = args.only?.split(',') ?? null;
  const files = evaluationPromptFiles().filter((f) => !only || only.some((o) => path.basename(f).includes(o)));
  if (files.length === 0) throw new CpemError('INVALID_ARGUMENT', `No prompt file in docs/personalize/ matches ${args.only}.`);
  await selectBackend('wasm');
  const labels = readLabelSet();
  const { tensors: model } = await loadFaceModelTensors();
  const base = await loadBaseNetwork(weights);
  const number = (name: string, v: string | undefined) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new CpemError('INVALID_ARGUMENT', `--${name} must be a positive number (got ${v}).`);
    return n;
  };
  const settings = personalizationSettings({
    ...(args.steps ? { steps: Math.round(number('steps', args.steps)!) } : {}),
    ...(args.seed ? { seed: Math.round(number('seed', args.seed)!) } : {}),
    ...(args.members ? { members: Math.round(number('members', args.members)!) } : {}),
    ...(args['learning-rate'] ? { learningRate: number('learning-rate', args['learning-rate']) } : {}),
    ...(args['real-fraction'] ? { realFraction: number('real-fraction', args['real-fraction']) } : {}),
    ...(args['leave-alone'] !== undefined ? { leaveAloneWeight: Number(args['leave-alone']) } : {}),
  });
  const results: PersonResult[] = [];
  try {
    for (const file of files) {
      const prompts = loadPromptFile(file);
      console.error(`${path.basename(file)}: ${prompts.video}`);
      const r = await evaluatePerson({ promptFile: file, prompts, labels, videoDir: path.join(sharedDir, 'videos'), base, model, settings, log: (m) => console.error(`  ${m}`) });
      console.error(`  ${r.testFrames} test frames: error ${f3(headlineError(r.shipped.calibrated))} → ${f3(headlineError(r.personalised.calibrated))} (${pct(relativeChange(r))}), fine-tuning ${r.seconds.toFixed(0)} s`);
      results.push(r);
    }
  } finally {
    base.dispose();
    model.dispose();
  }
  const report = results.filter((r) => r.split === 'report');
  const tune = results.filter((r) => r.split === 'tune');
  const manifest = JSON.parse(fs.readFileSync(path.join(path.dirname(weights), 'manifest.json'), 'utf8'));
  const s = settings;
  const md = [
    '# Personalisation: evaluation on people of ../shared/videos',
    '',
    `Base network: \`${weights}\` (run \`${baseRunName(weights)}\`${manifest.trained ? `, ${manifest.trained.steps} steps` : ''}). Regenerate this page with \`npm run eval:personalize${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}\`; `
    + '[personalization.md](personalization.md) says how it is made and how to read it.',
    '',
    `For each prompt file in \`docs/personalize/\` (a clip, and the first occurrence of each expression the person shows in it, written by eye), a copy of the base network is fine-tuned on those spans only (${s.steps} steps, P ${s.persons} × T ${s.framesPerPerson}, learning rate ${s.learningRate}, seed ${s.seed}${s.members > 1 ? ` (the mean of ${s.members} fine-tunings, seeds ${s.seed} to ${s.seed + s.members - 1})` : ''}, ${Math.round(100 * s.realFraction)} % of batches from the person, the rest synthetic, units a prompt leaves alone pulled to 0 at weight ${s.leaveAloneWeight}, ramp frames at ${s.rampWeight}; the settings the sandbox uses unless flags say otherwise). `
    + 'Both networks then run the runtime chain over the whole clip (identity lock and per-user neutral over its first 2 s, as a character gets it), and are scored on the frames of that clip labelled by eye (`test/data/real-frame-labels.json`) that come after the last span: never trained on.',
    '',
    '*Error* is the mean of the all-frame category error (mean absolute error over the eleven categories, averaged) and the error where a category is shown (label ≥ 0.3, averaged over the categories shown), the objective `npm run calibrate` fits; *change* is its relative change from the shipped to the personalised network. *Change, raw PE-Net* is the same without the per-user neutral. '
    + '*Oracle correction* is the change of the shipped network\'s error when each category of its readings is corrected on the test frames by what fits those very frames best (a shift by the median residual, or a least-squares line; training/eval/oracle-correction.ts): no method can fit on the frames it is scored on, so it shows how much of the error a per-person calibration of the readings could remove at best.',
    '',
    ...halfSection('## People of the report half (never trained on by the base network)', [], report),
    ...(tune.length ? halfSection('## People of the tune half', ['The base network trained on these clips (teacher targets and labels of the tune half); the fine-tuning settings were chosen on these people, never on the report half.', ''], tune) : []),
    `Measured on ${os.cpus().length} CPU cores, TF.js wasm in Node; fine-tuning times include computing the aligned features of every batch.`,
    '',
  ].join('\n');
  fs.writeFileSync(out, md);
  console.error(`wrote ${out}`);
}

runCli(main);
