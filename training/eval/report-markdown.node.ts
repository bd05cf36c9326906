import { EXPRESSION_UNITS } from '../../plugin/units/expression-units.js';
import type { EvaluationReport } from './evaluate-estimator.node.js';
import type { RealFrameReport } from './real-frame-eval.js';

const f3 = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : '–');
const f2 = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : '–');

function table(header: string[], rows: Array<Array<string | number>>): string {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => ' --- ').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

/** The real-frame section for one split: every category with raw, calibrated and zero-baseline figures. */
export function realFrameTable(raw: RealFrameReport, calibrated: RealFrameReport, zero: RealFrameReport): string {
  const rows = Object.keys(raw.categoryMae).map((k) => [
    k,
    f3(raw.categoryMae[k]), f3(calibrated.categoryMae[k]), f3(zero.categoryMae[k]),
    `${f3(raw.activeMae[k].mae)} / ${f3(calibrated.activeMae[k].mae)} (${raw.activeMae[k].frames})`,
    `${f2(raw.correlation[k])} / ${f2(calibrated.correlation[k])}`,
  ]);
  rows.push(['**average**', `**${f3(raw.categoryAverage)}**`, `**${f3(calibrated.categoryAverage)}**`, f3(zero.categoryAverage), `**${f3(raw.activeAverage)} / ${f3(calibrated.activeAverage)}** (reading 0: ${f3(zero.activeAverage)})`, '']);
  const neutral = [
    `Neutral frames (${raw.neutral.frames}): mean unit activation raw ${f3(raw.neutral.meanActivation)}, calibrated `
    + `**${f3(calibrated.neutral.meanActivation)}**; maximum raw ${f3(raw.neutral.maxActivation)}, calibrated ${f3(calibrated.neutral.maxActivation)}.`,
    `${raw.frames} frames scored, ${raw.missing} without a tracked face (scored as all units 0).`,
  ].join(' ');
  return `${table(['category', 'MAE raw', 'MAE calibrated', 'MAE of reading 0', 'MAE where shown, raw / calibrated (frames)', 'correlation raw / calibrated'], rows)}\n\n${neutral}`;
}

export function evaluationMarkdown(report: EvaluationReport, context: { weights: string; manifest: Record<string, unknown> | null; command: string }): string {
  const out: string[] = [];
  const m = context.manifest as { run?: { name?: string; command?: string }; trained?: { steps?: number; seconds?: number; backend?: string } } | null;
  out.push('# Estimator evaluation', '');
  out.push(`Weights: \`${context.weights}\`${m?.run ? ` (run \`${m.run.name}\`: \`${m.run.command}\`, ${m.trained?.steps} steps in ${m.trained?.seconds} s on ${m.trained?.backend})` : ''}. `
    + `Regenerate this page with \`${context.command}\`.`, '');

  const s = report.synthetic;
  out.push('## 1. Synthetic held-out faces', '');
  out.push(`${s.samples} faces drawn with a seed never used in training (random identity, sparse expression, head pose, tracker-like `
    + `landmark noise). Mean absolute error of the 46 units **${f3(s.meanUnitMae)}** (reading 0 everywhere: `
    + `${f3(s.zeroUnitMae)}); mean correlation of predicted and true units **${f2(s.meanCorrelation)}**; α ${f3(s.identityMae)} per coefficient; `
    + `head rotation ${f2(s.rotationMaeDeg)}°.`, '');
  out.push('Ten categories over our units (the regions of the paper\'s Table 1; its FEAFA columns are not reproduced one to one):', '');
  out.push(table(['category', 'MAE'], [...Object.entries(s.categoryMae).map(([k, v]) => [k, f3(v)]), ['**average**', `**${f3(s.meanCategoryMae)}**`]]), '');
  const unitRows: string[][] = [];
  for (let i = 0; i < EXPRESSION_UNITS.length; i += 2) {
    const cell = (k: number) => (k < EXPRESSION_UNITS.length ? [EXPRESSION_UNITS[k], f3(s.unitMae[k]), f2(s.unitCorrelation[k])] : ['', '', '']);
    unitRows.push([...cell(i), ...cell(i + 1)]);
  }
  out.push('<details><summary>MAE and correlation per unit</summary>', '', table(['unit', 'MAE', 'correlation', 'unit', 'MAE', 'correlation'], unitRows), '', '</details>', '');

  if (report.realFrames) {
    const { report: rep, tune } = report.realFrames;
    out.push('## 2. Labelled real frames', '');
    out.push('Frames of `../shared/videos` labelled by eye (`test/data/real-frame-labels.json`, `docs/real-frame-labels.md`). Each clip is '
      + 'tracked at its own frame rate and run through the runtime chain in order (landmarks → PE-Net → identity lock and per-user '
      + 'neutral over the first 2 s; no temporal filter). *Raw* is PE-Net\'s output, *calibrated* what a character gets. '
      + 'A category\'s value is the mean of its units. The labels are sparse, so a reader that always says 0 already scores low on '
      + 'the all-frame error (column *MAE of reading 0*); the error on the frames that show a category (label ≥ 0.3) and the '
      + 'correlation say whether expressions are read at all.', '');
    out.push('### Report half (never used for training or tuning)', '', realFrameTable(rep.raw, rep.calibrated, rep.zero), '');
    out.push('### Tune half (its clips are in the shipped training data)', '', realFrameTable(tune.raw, tune.calibrated, tune.zero), '');
  }
  if (report.identity) {
    out.push('## 3. Identity consistency on real clips', '');
    out.push('Mean |α_t − α_first| per coefficient over each clip (the paper\'s Figure 5; lower is steadier). '
      + `Report clips **${f3(report.identity.report)}**, tune clips ${f3(report.identity.tune)}.`, '');
    out.push(table(['clip', 'α drift'], Object.entries(report.identity.perClip).map(([c, v]) => [c, f3(v)])), '');
  }
  if (report.reconstruction) {
    out.push('## 4. Reconstructed landmarks on annotated images', '');
    out.push('The face model\'s own 68 landmark vertices, decoded with PE-Net\'s α and β and placed by its pose, against the '
      + 'annotations in `../shared/landmark-images` (NME by the bounding box of the truth, in %). The inner 51 points are the '
      + 'semantic ones; the model\'s jaw landmarks lie on its own jaw line, which the annotated contour does not follow exactly. '
      + `Mean **${f2(100 * report.reconstruction.mean)} %**.`, '');
    out.push(table(['set', 'image', 'NME 68 (%)', 'NME inner 51 (%)'], report.reconstruction.rows.map((r) => [r.set, r.image, f2(100 * r.nme), f2(100 * r.inner)])), '');
  }
  return `${out.join('\n')}\n`;
}
