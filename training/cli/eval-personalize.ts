// `npm run eval:personalize -- [--weights weights/pe-net/model.json] [--out docs/personalization-eval.md] [--only NAME]`
// For every prompt file in docs/personalize/: fine-tunes the network on the person's first occurrences of their
// expressions and scores it against the shipped one on that person's later frames labelled by eye. Writes the table
// (docs/personalization-eval.md); docs/personalization.md says how to read it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CpemError } from '../../plugin/errors/cpem-error.js';
import { selectBackend } from '../../plugin/tracker/backend.js';
import type { RealFrameReport } from '../lib/eval/real-frame-eval.js';
import { personalizationSettings } from '../lib/personalize/fine-tune.js';
import {
  baseRunName,
  loadBaseNetwork,
  loadFaceModelTensors,
  loadPromptFile,
} from '../node/personalize/personalize-clip.js';
import {
  changeOf,
  evaluatePerson,
  evaluationPromptFiles,
  headlineError,
  relativeChange,
  type PersonResult,
} from '../node/personalize/personalize-eval.js';
import { RANGE_FIT_DEFAULTS, type RangeFitOptions } from '../../plugin/calibration/range-profile-fit.js';
import { readCliArgs, readLabelSet, runCli } from '../node/cli-support.js';
import { sharedDir as requireSharedDir } from '../node/shared-data.js';
import { outputFile } from '../node/output-folders.js';

const USAGE =
  'usage: npm run eval:personalize -- [--weights weights/pe-net/model.json] [--out docs/personalization-eval.md] [--only NAME,...] [--profile-only] [--seeds N] ' +
  "[--steps N] [--seed N] [--members N] [--learning-rate X] [--real-fraction X] [--leave-alone X] (the settings default to the sandbox's: training/lib/personalize/fine-tune.ts) " +
  "[--peak-quantile Q] [--max-gain G] [--min-gain G] [--unprompted offset|pass] [--shrink-frames N] (the range profile's fit: plugin/calibration/range-profile-fit.ts)";

const f3 = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : '–');
const pct = (v: number) => (Number.isFinite(v) ? `${v > 0 ? '+' : ''}${(100 * v).toFixed(0)} %` : '–');
const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / Math.max(1, v.length);

/** Relative change of the shipped network's headline error under an oracle correction (fitted on the test frames). */
function oracleChange(r: PersonResult, which: 'offset' | 'affine'): number {
  const before = headlineError(r.oracle.none);
  return (headlineError(r.oracle[which]) - before) / before;
}

function errorCell(r: RealFrameReport | null | undefined): string {
  return r ? `${f3(r.categoryAverage)} / ${f3(r.activeAverage)} → **${f3(headlineError(r))}**` : '–';
}

const changeCell = (r: PersonResult, which: 'profiled' | 'personalised' | 'both') =>
  Number.isFinite(changeOf(r, which))
    ? `${f3(headlineError(which === 'personalised' ? r.personalised!.calibrated : r[which]!))} (**${pct(changeOf(r, which))}**)`
    : '–';

function peopleTable(results: PersonResult[]): string[] {
  const lines = [
    '| person (clip) | expressions in the spans | spans until | frames in the spans (held or ramp) | test frames | shipped: all-frame / where shown → error | range profile | fine-tuning | both | fine-tuning, raw PE-Net | oracle correction: shift / line | fine-tuning time |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of results) {
    lines.push(
      `| ${r.person} (\`${r.video}\`) | ${r.spans.join(', ')} | ${r.trainedUntil.toFixed(2)} s | ${r.trainedFrames} (${r.targetedFrames}) | ${r.testFrames} | ${errorCell(r.shipped.calibrated)} | ${changeCell(r, 'profiled')} | ${changeCell(r, 'personalised')} | ${changeCell(r, 'both')} | ${pct(relativeChange(r, 'raw'))} | ${pct(oracleChange(r, 'offset'))} / ${pct(oracleChange(r, 'affine'))} | ${r.personalised ? `${r.seconds.toFixed(0)} s` : '–'} |`,
    );
  }
  return lines;
}

function summary(results: PersonResult[]): string[] {
  if (results.length === 0) return [];
  const line = (which: 'profiled' | 'personalised' | 'both', name: string) => {
    const changes = results.map((r) => changeOf(r, which));
    if (!changes.every(Number.isFinite)) return null;
    return `- ${name}: mean change per person **${pct(mean(changes))}** (${changes.filter((c) => c <= -0.1).length} of ${results.length} people at −10 % or better, ${changes.filter((c) => c > 0.05).length} worse by more than 5 %, the largest rise ${pct(Math.max(...changes))}).`;
  };
  const profile = results.map((r) => changeOf(r, 'profiled'));
  return [
    line('profiled', 'Range profile alone') ?? '',
    ...[
      line('personalised', 'Fine-tuning alone'),
      line('both', 'Both (the fine-tuned network with a range profile fitted on its readings)'),
    ].filter((l): l is string => l !== null),
    `- Oracle corrections of the shipped readings: mean ${pct(mean(results.map((r) => oracleChange(r, 'offset'))))} (shift), ${pct(mean(results.map((r) => oracleChange(r, 'affine'))))} (line).`,
    '',
    `The range profile's bar (the mean change per person −15 % or better, and no person worse by more than 5 %): **${mean(profile) <= -0.15 && profile.every((c) => c <= 0.05) ? 'met' : 'not met'}**.`,
  ];
}

function categoryDetail(results: PersonResult[]): string[] {
  const lines: string[] = [
    '<details><summary>Per category, where shown on the test frames (frames): shipped → range profile → fine-tuning → both</summary>',
    '',
  ];
  for (const r of results) {
    const cells = Object.entries(r.shipped.calibrated.activeMae)
      .filter(([, a]) => a.frames > 0)
      .map(
        ([k, a]) =>
          `${k} (${a.frames}) ${f3(a.mae)} → ${f3(r.profiled.activeMae[k].mae)} → ${f3(r.personalised?.calibrated.activeMae[k].mae ?? NaN)} → ${f3(r.both?.activeMae[k].mae ?? NaN)}`,
      );
    lines.push(
      `- ${r.person}: ${cells.join('; ') || 'no category shown'}; neutral frames ${r.shipped.calibrated.neutral.frames}`,
    );
  }
  lines.push(
    '',
    '</details>',
    '',
    '<details><summary>The range profiles fitted on the spans (shipped network): offset, gain per prompted unit</summary>',
    '',
  );
  for (const r of results) {
    const m = r.profile.measured?.units ?? {};
    const cells = Object.entries(r.profile.units)
      .filter(([u]) => m[u as keyof typeof m]?.peak !== undefined)
      .map(
        ([u, v]) =>
          `${u} ${v!.offset.toFixed(2)} / ×${v!.gain.toFixed(2)}${m[u as keyof typeof m]?.note ? ' (no response)' : ''}`,
      );
    lines.push(`- ${r.person}: ${cells.join('; ') || 'no prompted unit held'}`);
  }
  lines.push('', '</details>');
  return lines;
}

/** One half's section of the page: heading, optional intro lines, the people, the summary and the per-category detail. */
function halfSection(heading: string, intro: string[], results: PersonResult[]): string[] {
  return [heading, '', ...intro, ...peopleTable(results), '', ...summary(results), '', ...categoryDetail(results), ''];
}

async function main(): Promise<void> {
  const args = readCliArgs(
    {
      weights: 'string',
      out: 'string',
      only: 'string',
      steps: 'string',
      seed: 'string',
      members: 'string',
      'learning-rate': 'string',
      'real-fraction': 'string',
      'leave-alone': 'string',
      'profile-only': 'boolean',
      seeds: 'string',
      'peak-quantile': 'string',
      'max-gain': 'string',
      'min-gain': 'string',
      unprompted: 'string',
      'shrink-frames': 'string',
    },
    { usage: USAGE },
  );
  const sharedDir = requireSharedDir('The evaluation (it reads the clips of ../shared/videos)');
  const weights = args.weights ?? path.join('weights', 'pe-net', 'model.json');
  // Checked before the evaluation (many fine-tunings): a missing or unwritable folder failed only at the end.
  const out = outputFile(args.out ?? path.join('docs', 'personalization-eval.md'));
  const only = args.only?.split(',') ?? null;
  const files = evaluationPromptFiles().filter((f) => !only || only.some((o) => path.basename(f).includes(o)));
  if (files.length === 0)
    throw new CpemError('INVALID_ARGUMENT', `No prompt file in docs/personalize/ matches ${args.only}.`);
  await selectBackend('wasm');
  const labels = readLabelSet();
  const { tensors: model } = await loadFaceModelTensors();
  const base = await loadBaseNetwork(weights);
  const number = (name: string, v: string | undefined) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0)
      throw new CpemError('INVALID_ARGUMENT', `--${name} must be a positive number (got ${v}).`);
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
  if (args.unprompted !== undefined && args.unprompted !== 'offset' && args.unprompted !== 'pass')
    throw new CpemError('INVALID_ARGUMENT', `--unprompted must be offset or pass (got ${args.unprompted}).`);
  const profileOptions: RangeFitOptions = {
    ...(args['peak-quantile'] ? { peakQuantile: number('peak-quantile', args['peak-quantile']) } : {}),
    ...(args['max-gain'] || args['min-gain']
      ? {
          gainBounds: [
            number('min-gain', args['min-gain']) ?? RANGE_FIT_DEFAULTS.gainBounds[0],
            number('max-gain', args['max-gain']) ?? RANGE_FIT_DEFAULTS.gainBounds[1],
          ] as const,
        }
      : {}),
    ...(args['shrink-frames'] !== undefined ? { shrinkFrames: Number(args['shrink-frames']) } : {}),
    ...(args.unprompted ? { unprompted: args.unprompted as 'offset' | 'pass' } : {}),
  };
  const fineTune = !args['profile-only'];
  const seeds = args.seeds ? Math.round(number('seeds', args.seeds)!) : 1;
  const results: PersonResult[] = [];
  try {
    for (const file of files) {
      const prompts = loadPromptFile(file);
      console.error(`${path.basename(file)}: ${prompts.video}`);
      const r = await evaluatePerson({
        promptFile: file,
        prompts,
        labels,
        videoDir: path.join(sharedDir, 'videos'),
        base,
        model,
        settings,
        fineTune,
        seeds,
        profileOptions,
        log: (m) => console.error(`  ${m}`),
      });
      console.error(
        `  ${r.testFrames} test frames: error ${f3(headlineError(r.shipped.calibrated))}; range profile ${pct(changeOf(r, 'profiled'))}, fine-tuning ${pct(changeOf(r, 'personalised'))}, both ${pct(changeOf(r, 'both'))}${fineTune ? `, fine-tuning ${r.seconds.toFixed(0)} s` : ''}`,
      );
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
    `Base network: \`${weights}\` (run \`${baseRunName(weights)}\`${manifest.trained ? `, ${manifest.trained.steps} steps` : ''}). Regenerate this page with \`npm run eval:personalize${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}\`; ` +
      '[personalization.md](personalization.md) says how it is made and how to read it.',
    '',
    `For each prompt file in \`docs/personalize/\` (a clip, and the first occurrence of each expression the person shows in it, written by eye), the shipped network runs the runtime chain over the whole clip (identity lock and per-user neutral over its first 2 s, as a character gets it), and everything is scored on the frames of that clip labelled by eye (\`test/data/real-frame-labels.json\`) that come after the last span: never fitted or trained on. ` +
      'Fitted on the spans only: *range profile*, a per-unit offset and gain measured from the spans by the capture analysis (the rest from the neutral span\'s frames, none without one; the peak from the held frames; `npm run calibrate` and the sample scene\'s "Calibrate" do the same; plugin/calibration/range-profile-fit.ts, ' +
      `peak quantile ${profileOptions.peakQuantile ?? RANGE_FIT_DEFAULTS.peakQuantile}, gains within [${(profileOptions.gainBounds ?? RANGE_FIT_DEFAULTS.gainBounds).join(', ')}] and pulled half way back to 1 at ${profileOptions.shrinkFrames ?? RANGE_FIT_DEFAULTS.shrinkFrames} held frames, units no span prompts: ${(profileOptions.unprompted ?? RANGE_FIT_DEFAULTS.unprompted) === 'offset' ? 'their resting level (at most 0.1) taken off' : 'passed through'}), applied after the per-user neutral` +
      (fineTune
        ? `; *fine-tuning*, a copy of the base network fine-tuned on those spans (${s.steps} steps, P ${s.persons} × T ${s.framesPerPerson}, learning rate ${s.learningRate}, ${Math.round(100 * s.realFraction)} % of batches from the person, the rest synthetic, units a prompt leaves alone pulled to 0 at weight ${s.leaveAloneWeight}, ramp frames at ${s.rampWeight}${s.members > 1 ? `, the mean of ${s.members} fine-tunings` : ''}; the settings the sandbox uses unless flags say otherwise), its scores the mean over ${seeds} fine-tuning${seeds === 1 ? '' : 's'} (seed${seeds === 1 ? ` ${s.seed}` : `s ${s.seed} to ${s.seed + seeds - 1}`}); *both*, each fine-tuned copy with a range profile fitted on its own readings of the spans.`
        : '. Fine-tuning was not run (`--profile-only`).'),
    '',
    "*Error* is the mean of the all-frame category error (mean absolute error over the eleven categories, averaged) and the error where a category is shown (label ≥ 0.3, averaged over the categories shown), the objective `npm run calibrate:gains` fits; each column gives it with its relative change from the shipped network. *Fine-tuning, raw PE-Net* is the fine-tuning's change without the per-user neutral. " +
      "*Oracle correction* is the change of the shipped network's error when each category of its readings is corrected on the test frames by what fits those very frames best (a shift by the median residual, or a least-squares line; training/lib/eval/oracle-correction.ts): no method can fit on the frames it is scored on, so it shows how much of the error a per-person calibration of the readings could remove at best.",
    '',
    ...halfSection('## People of the report half (never trained on by the base network)', [], report),
    ...(tune.length
      ? halfSection(
          '## People of the tune half',
          [
            "The base network trained on these clips (teacher targets and labels of the tune half); the fine-tuning settings and the range profile's fit were chosen on these people, never on the report half.",
            '',
          ],
          tune,
        )
      : []),
    `Measured on ${os.cpus().length} CPU cores, TF.js wasm in Node; fine-tuning times include computing the aligned features of every batch.`,
    '',
  ].join('\n');
  fs.writeFileSync(out, md);
  console.error(`wrote ${out}`);
}

runCli(main);
