// The personalisation's evaluation on people of ../shared/videos: for each prompt file in docs/personalize/ (a clip
// and, written by eye, the first occurrence of each expression the person shows in it), fine-tune the network
// under weights/pe-net on those spans only, then score the shipped and the personalised network on the frames of
// the same person labelled by eye after the last span (test/data/real-frame-labels.json), through the runtime chain
// (identity lock and per-user neutral, as a character gets it). Node only.
import fs from 'node:fs';
import path from 'node:path';
import { CpemError } from '../../../plugin/errors/cpem-error.js';
import type { PeNet } from '../../../plugin/estimator/pe-net.js';
import type { FaceModelTensors } from '../../../plugin/face-model/face-model-tensors.js';
import type { RangeFitOptions } from '../../../plugin/calibration/range-profile-fit.js';
import type { CalibrationProfile } from '../../../plugin/calibration/range-profile.js';
import type { LandmarkTrack } from '../../lib/data/landmark-track.js';
import { estimateTrack } from '../../lib/eval/clip-estimates.js';
import { oracleCorrections, type OracleCorrections } from '../../lib/eval/oracle-correction.js';
import {
  categoryRows,
  scoreRealFrames,
  type CategoryErrors,
  type LabelSet,
  type RealFrameReport,
} from '../../lib/eval/real-frame-eval.js';
import { loadTrack } from '../track-cache.js';
import { analyseCapture, type CaptureAnalysis, type PromptCapture } from '../../lib/personalize/capture-analysis.js';
import { capturesFromTrack } from '../../lib/personalize/clip-capture.js';
import type { PersonalizationSettings } from '../../lib/personalize/fine-tune.js';
import { captureAlignment, personalizeFromClip } from './personalize-clip.js';
import type { PromptFile } from '../../lib/personalize/prompt-file.js';
import { unitsAfterNeutral, withProfile } from '../../lib/personalize/profile-readings.js';
import { rangeProfileFromCapture } from '../../lib/personalize/range-profile.js';

/** One network's scores on a person's test frames. */
export interface PersonScores {
  /** What a character gets (identity lock and per-user neutral) and PE-Net's raw output. */
  calibrated: RealFrameReport;
  raw: RealFrameReport;
}

export interface PersonResult {
  person: string;
  video: string;
  split: 'tune' | 'report';
  /** The prompt file (under docs/personalize/). */
  promptFile: string;
  /** Expressions trained (span labels) and the time the last span ends. */
  spans: string[];
  trainedUntil: number;
  /** Frames the fine-tuning saw (with a target), test frames scored. */
  trainedFrames: number;
  targetedFrames: number;
  testFrames: number;
  shipped: PersonScores;
  /** The fine-tuned network (the mean of its scores over the seeds run); null when fine-tuning was not run. */
  personalised: PersonScores | null;
  /** The shipped network with the range profile fitted on the spans (npm run calibrate), and the profile. */
  profiled: RealFrameReport;
  profile: CalibrationProfile;
  /** The fine-tuned network with a range profile fitted on its own readings of the spans (mean over the seeds); null without fine-tuning. */
  both: RealFrameReport | null;
  /** Fine-tunings run (seeds settings.seed, settings.seed + 1, …). */
  seeds: number;
  /**
   * The shipped network's calibrated readings on the test frames after a per-category correction fitted on those
   * same frames (oracle-correction.ts): how far a per-person calibration of its category values could go, at best.
   */
  oracle: OracleCorrections;
  /** Fine-tuning time in seconds. */
  seconds: number;
}

/**
 * The figure the evaluation's bar is on: the mean of the all-frame category error and the error where a category
 * is shown (the objective `npm run calibrate` fits), over the person's test frames; the where-shown half is left
 * out when no category is shown there.
 */
export function headlineError(r: Pick<CategoryErrors, 'categoryAverage' | 'activeAverage'>): number {
  return Number.isFinite(r.activeAverage) ? (r.categoryAverage + r.activeAverage) / 2 : r.categoryAverage;
}

/** Relative change of the headline error from the shipped to the personalised network (negative: lower); NaN without one. */
export function relativeChange(result: PersonResult, which: keyof PersonScores = 'calibrated'): number {
  if (!result.personalised) return NaN;
  const before = headlineError(result.shipped[which]);
  return (headlineError(result.personalised[which]) - before) / before;
}

/** Relative change of the headline error from the shipped network to one of the other readings (NaN where not run). */
export function changeOf(result: PersonResult, which: 'profiled' | 'both' | 'personalised'): number {
  const before = headlineError(result.shipped.calibrated);
  const after = which === 'personalised' ? result.personalised?.calibrated : result[which];
  return after ? (headlineError(after) - before) / before : NaN;
}

/** The mean of reports of the same frames (errors averaged, per category too): fine-tunings of several seeds. */
export function meanReport(reports: readonly RealFrameReport[]): RealFrameReport {
  const n = reports.length;
  const avg = (f: (r: RealFrameReport) => number) => reports.reduce((s, r) => s + f(r), 0) / n;
  const first = reports[0];
  return {
    ...first,
    categoryMae: Object.fromEntries(Object.keys(first.categoryMae).map((k) => [k, avg((r) => r.categoryMae[k])])),
    categoryAverage: avg((r) => r.categoryAverage),
    activeMae: Object.fromEntries(
      Object.entries(first.activeMae).map(([k, a]) => [k, { frames: a.frames, mae: avg((r) => r.activeMae[k].mae) }]),
    ),
    activeAverage: avg((r) => r.activeAverage),
  };
}

/** The prompts' spans of a clip, analysed as the fine-tuning and the range profile use them (every frame usable). */
function spansOf(
  track: LandmarkTrack,
  prompts: PromptFile,
  video: string,
  model: FaceModelTensors,
): { captures: PromptCapture[]; analysis: CaptureAnalysis } {
  const captures = capturesFromTrack(track, prompts, path.basename(video));
  return { captures, analysis: analyseCapture(captures, { alignment: captureAlignment(model), holdout: 'none' }) };
}

/** The label set restricted to `clip`'s labelled frames after frame `after`. */
export function testLabels(labels: LabelSet, clip: string, after: number): LabelSet {
  const info = labels.clips[clip];
  if (!info)
    throw new CpemError(
      'INVALID_ARGUMENT',
      `${clip} has no labelled frames in test/data/real-frame-labels.json: the evaluation needs labels after the prompts' spans.`,
    );
  return {
    ...labels,
    clips: { [clip]: info },
    frames: labels.frames.filter((f) => f.clip === clip && f.frame > after),
  };
}

/**
 * Scores, on the person's labelled frames after the last span: the shipped network; the shipped network with a range
 * profile fitted on the spans; and (with `fineTune`) copies fine-tuned on the spans, alone and with a range profile
 * fitted on their own readings of the spans, each averaged over `seeds` fine-tunings (seeds settings.seed, +1, …).
 */
export async function evaluatePerson(init: {
  promptFile: string;
  prompts: PromptFile;
  labels: LabelSet;
  videoDir: string;
  base: PeNet;
  model: FaceModelTensors;
  settings: PersonalizationSettings;
  /** Fine-tune too (default true); without, only the shipped network and its range profile are scored. */
  fineTune?: boolean;
  seeds?: number;
  profileOptions?: RangeFitOptions;
  log?: (message: string) => void;
}): Promise<PersonResult> {
  const { prompts, labels } = init;
  if (!prompts.video)
    throw new CpemError('INVALID_ARGUMENT', `${init.promptFile} names no "video": the evaluation needs the clip.`);
  const video = path.join(init.videoDir, prompts.video);
  const info = labels.clips[prompts.video];
  if (!info)
    throw new CpemError(
      'INVALID_ARGUMENT',
      `${prompts.video} (${init.promptFile}) has no labelled frames in test/data/real-frame-labels.json.`,
    );
  const track = loadTrack(video, { log: init.log });
  const { captures, analysis } = spansOf(track, prompts, video, init.model);
  for (const p of analysis.prompts) if (p.message) init.log?.(p.message);
  const lastFrame = Math.max(...captures.flatMap((c) => c.frames.map((f) => f.index ?? -1)));
  const trainedUntil = prompts.spans.at(-1)!.to;
  const test = testLabels(labels, prompts.video, lastFrame);
  if (test.frames.length === 0)
    throw new CpemError(
      'INVALID_ARGUMENT',
      `${init.promptFile}: no labelled frame of ${prompts.video} comes after the last span (${trainedUntil} s).`,
    );
  const times = new Map(track.frames.map((f) => [f.index, f.time]));
  /** A network's readings over the whole clip: PE-Net's raw units, the calibrated ones, and those with a range profile fitted on the spans. */
  const readings = async (net: PeNet) => {
    const estimates = await estimateTrack(net, track);
    const units = unitsAfterNeutral(estimates, (i) => times.get(i) ?? 0);
    const profile = rangeProfileFromCapture(
      captures,
      analysis,
      (p, k) => units.get(captures[p].frames[k].index ?? -1) ?? null,
      {
        ...init.profileOptions,
        source: `${prompts.video} spans of ${path.basename(init.promptFile)}`,
        createdAt: 'evaluation',
      },
    );
    const profiled = withProfile(units, profile);
    const pick = (which: 'raw' | 'units' | 'profiled') => (f: { frame: number }) =>
      (which === 'profiled'
        ? profiled.get(f.frame)
        : estimates.get(f.frame)?.[which === 'raw' ? 'rawUnits' : 'units']) ?? null;
    return { pick, profile };
  };
  const scores = (pick: (which: 'raw' | 'units') => (f: { frame: number }) => Float32Array | null): PersonScores => ({
    calibrated: scoreRealFrames(test, 'all', pick('units')),
    raw: scoreRealFrames(test, 'all', pick('raw')),
  });
  const shipped = await readings(init.base);
  const tuned: Array<{
    scores: PersonScores;
    both: RealFrameReport;
    seconds: number;
    trainedFrames: number;
    targetedFrames: number;
  }> = [];
  const seeds = init.fineTune === false ? 0 : Math.max(1, init.seeds ?? 1);
  for (let s = 0; s < seeds; s++) {
    const settings = { ...init.settings, seed: init.settings.seed + s };
    const result = await personalizeFromClip({
      video,
      prompts,
      base: init.base,
      model: init.model,
      holdout: 'none',
      settings,
      log: init.log,
    });
    try {
      const r = await readings(result.trainer.net);
      tuned.push({
        scores: scores(r.pick),
        both: scoreRealFrames(test, 'all', r.pick('profiled')),
        seconds: result.seconds,
        trainedFrames: result.clip.clip.frames.length,
        targetedFrames: result.clip.targeted,
      });
    } finally {
      result.trainer.dispose();
    }
  }
  const usable = analysis.prompts.filter((p) => p.status === 'ok');
  return {
    person: prompts.person ?? info.person ?? prompts.video,
    video: prompts.video,
    split: info.split,
    promptFile: init.promptFile,
    spans: analysis.prompts.map((p) => `${p.label}${p.status === 'ok' ? '' : ` (${p.status})`}`),
    trainedUntil,
    trainedFrames: tuned[0]?.trainedFrames ?? usable.reduce((s, p) => s + p.withFace, 0),
    targetedFrames:
      tuned[0]?.targetedFrames ??
      usable.reduce((s, p) => s + p.frames.filter((f) => f.role === 'plateau' || f.role === 'ramp').length, 0),
    testFrames: test.frames.length,
    shipped: scores(shipped.pick),
    personalised: tuned.length
      ? {
          calibrated: meanReport(tuned.map((t) => t.scores.calibrated)),
          raw: meanReport(tuned.map((t) => t.scores.raw)),
        }
      : null,
    profiled: scoreRealFrames(test, 'all', shipped.pick('profiled')),
    profile: shipped.profile,
    both: tuned.length ? meanReport(tuned.map((t) => t.both)) : null,
    seeds,
    oracle: oracleCorrections(Object.keys(test.categories), categoryRows(test, test.frames, shipped.pick('units'))),
    seconds: tuned.length ? tuned.reduce((s, t) => s + t.seconds, 0) / tuned.length : 0,
  };
}

/** The prompt files of the evaluation: every docs/personalize/*.json, by name. */
export function evaluationPromptFiles(dir = path.join('docs', 'personalize')): string[] {
  if (!fs.existsSync(dir)) throw new CpemError('INVALID_ARGUMENT', `No prompt files: ${dir} is missing.`);
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => path.join(dir, f));
}
