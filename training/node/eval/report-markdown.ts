import { EXPRESSION_UNITS } from '../../../plugin/units/expression-units.js';
import { STRONG_LABEL } from '../../lib/eval/real-frame-eval.js';
import type { MirrorCheck } from './mirror-check.js';
import type { EvaluationReport, RealFrameScores } from './evaluate-estimator.js';

const f3 = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : '–');
const f2 = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : '–');

function table(header: string[], rows: Array<Array<string | number>>): string {
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => ' --- ').join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

/** The bars a report half is held to (issue of record: the estimator must read real faces). */
export const REAL_FRAME_BARS = {
  categoryAverage: 0.3,
  teacherRatio: 0.85,
  correlation: 0.6,
  correlationMinFrames: 5,
  neutralMean: 0.03,
  // The full range: on strong frames the reading reaches this share of the label; no unit rests above unitRest.
  strongRatio: 0.8,
  strongMinFrames: 5,
  neutralUnitMean: 0.1,
  unitReach: 0.5,
  mirrored: 0.02,
} as const;

/**
 * The top of the range for one half: per category, on the frames labelled ≥ STRONG_LABEL, the mean label and the
 * mean reading of ours, PE-Net raw and the teacher, with the reading over the label.
 */
export function rangeTable(scores: RealFrameScores): string {
  const { raw, calibrated: ours, teacher } = scores;
  const cell = (r: { meanLabel: number; meanReading: number }) =>
    `${f2(r.meanReading)} (${f2(r.meanReading / r.meanLabel)})`;
  const rows = Object.entries(ours.strong)
    .filter(([, r]) => r.frames > 0)
    .map(([k, r]) => [
      k,
      String(r.frames),
      f2(r.meanLabel),
      `**${cell(r)}**`,
      cell(raw.strong[k]),
      teacher ? cell(teacher.strong[k]) : '–',
    ]);
  const none = Object.entries(ours.strong)
    .filter(([, r]) => r.frames === 0)
    .map(([k]) => k);
  return (
    `${table(['category', `frames ≥ ${STRONG_LABEL}`, 'mean label', 'ours: mean reading (÷ label)', 'ours raw', 'teacher'], rows)}

` +
    `No frame labelled ≥ ${STRONG_LABEL}: ${none.join(', ') || 'none'}. At rest (${ours.neutral.frames} neutral frames) the unit with the highest mean is ` +
    `${ours.neutral.maxMeanUnit} at ${f3(ours.neutral.maxUnitMean)} (raw ${raw.neutral.maxMeanUnit} ${f3(raw.neutral.maxUnitMean)}` +
    `${teacher ? `, teacher ${teacher.neutral.maxMeanUnit} ${f3(teacher.neutral.maxUnitMean)}` : ''}).`
  );
}

/** Per unit, the largest reading on the half (on frames that show the unit's category, and on any frame). */
export function unitReachTable(scores: RealFrameScores): string {
  const { calibrated: ours, teacher } = scores;
  const rows: string[][] = [];
  const cell = (u: number) =>
    u < EXPRESSION_UNITS.length
      ? [
          EXPRESSION_UNITS[u],
          ours.unitMaxShown[u] === null ? '–' : f2(ours.unitMaxShown[u]!),
          f2(ours.unitMax[u]),
          teacher ? f2(teacher.unitMax[u]) : '–',
        ]
      : ['', '', '', ''];
  for (let u = 0; u < EXPRESSION_UNITS.length; u += 2) rows.push([...cell(u), ...cell(u + 1)]);
  const header = ['unit', 'ours: max where shown', 'ours: max', 'teacher: max'];
  return table([...header, ...header], rows);
}

/** The mirrored check's line and per-pair table. */
export function mirrorMarkdown(m: MirrorCheck): string {
  const rows = Object.entries(m.perPair).map(([k, v]) => [k, f3(v), f3(m.onePass.perPair[k])]);
  return (
    `On ${m.frames} labelled frames of the report half, each tracked as it is and flipped left to right: mean |u_L(frame) − u_R(mirrored frame)| ` +
    `over the ${rows.length} paired units **${f3(m.mean)}** (the estimator's default, reading each frame and its mirror image; one pass: ${f3(m.onePass.mean)}; ` +
    `bar ≤ ${REAL_FRAME_BARS.mirrored}: ${m.mean <= REAL_FRAME_BARS.mirrored ? 'met' : '**missed**'}).\n\n` +
    `<details><summary>Per paired unit</summary>\n\n${table(['unit', 'symmetric (default)', 'one pass'], rows)}\n\n</details>`
  );
}

/**
 * The real-frame section for one half: per category, the error on the frames that show it (label ≥ 0.3) and the
 * correlation with the labels over all frames, for what a character gets (calibrated), PE-Net's raw output and the
 * teacher on the same frames; then the category averages, neutral-frame activation and the all-frame error.
 */
export function realFrameTable(scores: RealFrameScores): string {
  const { raw, calibrated: ours, teacher, zero } = scores;
  const names = Object.keys(ours.categoryMae);
  const rows = names.map((k) => [
    k,
    String(ours.activeMae[k].frames),
    `**${f3(ours.activeMae[k].mae)}**`,
    teacher ? f3(teacher.activeMae[k].mae) : '–',
    f3(raw.activeMae[k].mae),
    f3(zero.activeMae[k].mae),
    f2(ours.correlation[k]),
    teacher ? f2(teacher.correlation[k]) : '–',
    f2(raw.correlation[k]),
  ]);
  rows.push([
    '**category average**',
    '',
    `**${f3(ours.activeAverage)}**`,
    teacher ? `**${f3(teacher.activeAverage)}**` : '–',
    f3(raw.activeAverage),
    f3(zero.activeAverage),
    '',
    '',
    '',
  ]);
  const header = [
    'category',
    'frames shown',
    'ours: error where shown',
    'teacher: error where shown',
    'ours raw: error where shown',
    'reading 0',
    'ours: correlation',
    'teacher: correlation',
    'ours raw: correlation',
  ];
  const lines = [table(header, rows), ''];
  lines.push(
    `Neutral frames (${ours.neutral.frames}): mean unit activation ours **${f3(ours.neutral.meanActivation)}** (raw ${f3(raw.neutral.meanActivation)}` +
      `${teacher ? `, teacher ${f3(teacher.neutral.meanActivation)}` : ''}); maximum ours ${f3(ours.neutral.maxActivation)} (raw ${f3(raw.neutral.maxActivation)}` +
      `${teacher ? `, teacher ${f3(teacher.neutral.maxActivation)}` : ''}; ours in ${ours.neutral.maxUnit}). Gaze up (eyeLookUp_L/R above 0.5) fires on ` +
      `${pct(ours.gazeUpFires.neutral)} of neutral frames and ${pct(ours.gazeUpFires.jawOpen)} of jaw-open frames` +
      `${teacher ? ` (teacher ${pct(teacher.gazeUpFires.neutral)}, ${pct(teacher.gazeUpFires.jawOpen)})` : ''}. Mean error over all ${ours.frames} frames and categories: ours ${f3(ours.categoryAverage)}, ` +
      `raw ${f3(raw.categoryAverage)}${teacher ? `, teacher ${f3(teacher.categoryAverage)}` : ''}, reading 0 ${f3(zero.categoryAverage)}. ` +
      `${ours.missing} frames without a tracked face (scored as all units 0).`,
  );
  return lines.join('\n');
}

const pct = (v: number) => (Number.isFinite(v) ? `${(100 * v).toFixed(0)} %` : '–');

/** Whether a report half meets the bars, one line each, for the page and the command's output. */
export function realFrameBars(scores: RealFrameScores): string[] {
  const { calibrated: ours, teacher } = scores;
  const b = REAL_FRAME_BARS;
  const mark = (ok: boolean) => (ok ? 'met' : '**missed**');
  const out = [
    `- category average ${f3(ours.activeAverage)} ≤ ${b.categoryAverage}: ${mark(ours.activeAverage <= b.categoryAverage)}`,
  ];
  if (teacher) {
    const ratio = ours.activeAverage / teacher.activeAverage;
    out.push(
      `- at most ${b.teacherRatio} × the teacher's ${f3(teacher.activeAverage)} (${f3(b.teacherRatio * teacher.activeAverage)}): ours/teacher ${f2(ratio)}, ${mark(ratio <= b.teacherRatio)}`,
    );
  }
  const low = Object.entries(ours.activeMae).filter(
    ([k, a]) => a.frames >= b.correlationMinFrames && !(ours.correlation[k] >= b.correlation),
  );
  out.push(
    `- correlation ≥ ${b.correlation} for every category with ≥ ${b.correlationMinFrames} frames shown: ${low.length === 0 ? 'met' : `**missed** by ${low.map(([k]) => `${k} (${f2(ours.correlation[k])})`).join(', ')}`}`,
  );
  out.push(
    `- neutral frames' mean activation ${f3(ours.neutral.meanActivation)} ≤ ${b.neutralMean}: ${mark(ours.neutral.meanActivation <= b.neutralMean)}`,
  );
  out.push(
    `- no unit's mean above ${b.neutralUnitMean} on neutral frames (highest: ${ours.neutral.maxMeanUnit} ${f3(ours.neutral.maxUnitMean)}): ${mark(ours.neutral.maxUnitMean <= b.neutralUnitMean)}`,
  );
  const strong = Object.entries(ours.strong).filter(([, r]) => r.frames >= b.strongMinFrames);
  const short = strong.filter(([, r]) => !(r.meanReading >= b.strongRatio * r.meanLabel));
  out.push(
    `- on frames labelled ≥ ${STRONG_LABEL}, the mean reading at least ${b.strongRatio} × the mean label for every category with ≥ ${b.strongMinFrames} such frames ` +
      `(${strong.map(([k]) => k).join(', ') || 'none'}): ${short.length === 0 ? 'met' : `**missed** by ${short.map(([k, r]) => `${k} (${f2(r.meanReading / r.meanLabel)})`).join(', ')}`}`,
  );
  const unreached = ours.unitMaxShown
    .map((v, u) => [u, v] as const)
    .filter(([, v]) => v !== null && v < b.unitReach)
    .map(([u]) => EXPRESSION_UNITS[u]);
  const unshown = ours.unitMaxShown.filter((v) => v === null).length;
  out.push(
    `- every unit of a labelled category reaches ${b.unitReach} on a frame that shows it: ${unreached.length === 0 ? 'met' : `**missed** by ${unreached.join(', ')}`} ` +
      `(${unshown} units belong to no labelled category: their largest readings are in the table below)`,
  );
  return out;
}

export function evaluationMarkdown(
  report: EvaluationReport,
  context: { weights: string; manifest: Record<string, unknown> | null; command: string },
): string {
  const out: string[] = [];
  const m = context.manifest as {
    run?: { name?: string; command?: string };
    trained?: { steps?: number; seconds?: number; backend?: string };
  } | null;
  out.push('# Estimator evaluation', '');
  out.push(
    `Weights: \`${context.weights}\`${m?.run ? ` (run \`${m.run.name}\`: \`${m.run.command}\`, ${m.trained?.steps} steps in ${m.trained?.seconds} s on ${m.trained?.backend})` : ''}. ` +
      `Regenerate this page with \`${context.command}\`.`,
    '',
  );

  const s = report.synthetic;
  const v = s.neutralVertexError;
  out.push('## 1. Synthetic held-out faces', '');
  out.push(
    `${s.samples} faces drawn with a seed never used in training (random identity, sparse expression, head pose, tracker-like ` +
      `landmark noise). Mean absolute error of the 46 units **${f3(s.meanUnitMae)}** (reading 0 everywhere: ` +
      `${f3(s.zeroUnitMae)}); mean correlation of predicted and true units **${f2(s.meanCorrelation)}**; α ${f3(s.identityMae)} per coefficient; ` +
      `head rotation ${f2(s.rotationMaeDeg)}°.${
        v
          ? ` Identity as the neutral face's shape (α only, no expression): mean vertex error ` +
            `**${f2(v.all)}** against ${f2(v.meanFaceAll)} for the mean face (${f2(v.all / v.meanFaceAll)}×; bar ≤ 0.7×), on the 478 landmark points ` +
            `${f2(v.landmarks)} against ${f2(v.meanFaceLandmarks)}; α ${f3(s.identityMae)} per coefficient against ${f3(s.zeroIdentityMae)} for the mean face.`
          : ''
      }`,
    '',
  );
  out.push(
    "Ten categories over our units (the regions of the paper's Table 1; its FEAFA columns are not reproduced one to one):",
    '',
  );
  out.push(
    table(
      ['category', 'MAE'],
      [...Object.entries(s.categoryMae).map(([k, v]) => [k, f3(v)]), ['**average**', `**${f3(s.meanCategoryMae)}**`]],
    ),
    '',
  );
  const unitRows: string[][] = [];
  for (let i = 0; i < EXPRESSION_UNITS.length; i += 2) {
    const cell = (k: number) =>
      k < EXPRESSION_UNITS.length ? [EXPRESSION_UNITS[k], f3(s.unitMae[k]), f2(s.unitCorrelation[k])] : ['', '', ''];
    unitRows.push([...cell(i), ...cell(i + 1)]);
  }
  out.push(
    '<details><summary>MAE and correlation per unit</summary>',
    '',
    table(['unit', 'MAE', 'correlation', 'unit', 'MAE', 'correlation'], unitRows),
    '',
    '</details>',
    '',
  );

  if (report.realFrames) {
    const { report: rep, tune } = report.realFrames;
    out.push('## 2. Labelled real frames', '');
    out.push(
      'Frames of `../shared/videos` labelled by eye (`test/data/real-frame-labels.json`, [real-frame-labels.md](real-frame-labels.md)), ' +
        "split in two halves by person. Each clip is run through the runtime chain in order at its own frame rate (our tracker's landmarks → " +
        "PE-Net → identity lock and per-user neutral; no temporal filter): *ours* is what a character gets, *ours raw* PE-Net's output " +
        "before the per-user neutral. The *teacher* is MediaPipe Face Landmarker v2's blendshapes on the same frames (docs/teacher.md), " +
        "mapped onto our units by name and meaning, as a developer using it directly would get them. A category's value is the mean of " +
        'its units. The labels are sparse, so the error is taken on the frames that show a category (label ≥ 0.3); the correlation is over all ' +
        'frames of the half.',
      '',
    );
    out.push(
      '### Report half (people never used for training or tuning)',
      '',
      realFrameTable(rep),
      '',
      'Against the bars:',
      '',
      ...realFrameBars(rep),
      '',
    );
    out.push('#### The top of the range (report half)', '', rangeTable(rep), '');
    if (report.mirror) out.push('#### Mirrored check (report half)', '', mirrorMarkdown(report.mirror), '');
    out.push('#### The largest reading of every unit (report half)', '', unitReachTable(rep), '');
    out.push('### Tune half (its people are in the training data)', '', realFrameTable(tune), '', rangeTable(tune), '');
  }
  if (report.identity) {
    out.push('## 3. Identity consistency on real clips', '');
    out.push(
      "Mean |α_t − α_first| per coefficient over each clip (the paper's Figure 5; lower is steadier). " +
        `Report clips **${f3(report.identity.report)}**, tune clips ${f3(report.identity.tune)}.`,
      '',
    );
    out.push(
      table(
        ['clip', 'α drift'],
        Object.entries(report.identity.perClip).map(([c, v]) => [c, f3(v)]),
      ),
      '',
    );
  }
  if (report.reconstruction) {
    out.push('## 4. Reconstructed landmarks on annotated images', '');
    out.push(
      "The face model's own 68 landmark vertices, decoded with PE-Net's α and β and placed by its pose, against the " +
        'annotations in `../shared/landmark-images` (NME by the bounding box of the truth, in %). The inner 51 points are the ' +
        "semantic ones; the model's jaw landmarks lie on its own jaw line, which the annotated contour does not follow exactly. " +
        `Mean **${f2(100 * report.reconstruction.mean)} %**.`,
      '',
    );
    out.push(
      table(
        ['set', 'image', 'NME 68 (%)', 'NME inner 51 (%)'],
        report.reconstruction.rows.map((r) => [r.set, r.image, f2(100 * r.nme), f2(100 * r.inner)]),
      ),
      '',
    );
  }
  return `${out.join('\n')}\n`;
}
