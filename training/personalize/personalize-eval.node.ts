// The personalisation's evaluation on people of ../shared/videos: for each prompt file in docs/personalize/ (a clip
// and, written by eye, the first occurrence of each expression the person shows in it), fine-tune the network
// under weights/pe-net on those spans only, then score the shipped and the personalised network on the frames of
// the same person labelled by eye after the last span (test/data/real-frame-labels.json), through the runtime chain
// (identity lock and per-user neutral, as a character gets it). Node only.
import fs from 'node:fs';
import path from 'node:path';
import { CpemError } from '../../plugin/errors/cpem-error.js';
import type { PeNet } from '../../plugin/estimator/pe-net.js';
import type { FaceModelTensors } from '../../plugin/face-model/face-model-tensors.js';
import { estimateTrack } from '../eval/clip-estimates.js';
import { oracleCorrections, type OracleCorrections } from '../eval/oracle-correction.js';
import { categoryRows, scoreRealFrames, type CategoryErrors, type LabelSet, type RealFrameReport } from '../eval/real-frame-eval.js';
import type { PersonalizationSettings } from './fine-tune.js';
import { personalizeFromClip } from './personalize-clip.node.js';
import type { PromptFile } from './prompt-file.js';

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
  personalised: PersonScores;
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

/** Relative change of the headline error from the shipped to the personalised network (negative: lower). */
export function relativeChange(result: PersonResult, which: keyof PersonScores = 'calibrated'): number {
  const before = headlineError(result.shipped[which]);
  return (headlineError(result.personalised[which]) - before) / before;
}

/** The label set restricted to `clip`'s labelled frames after frame `after`. */
export function testLabels(labels: LabelSet, clip: string, after: number): LabelSet {
  const info = labels.clips[clip];
  if (!info) throw new CpemError('INVALID_ARGUMENT', `${clip} has no labelled frames in test/data/real-frame-labels.json: the evaluation needs labels after the prompts' spans.`);
  return { ...labels, clips: { [clip]: info }, frames: labels.frames.filter((f) => f.clip === clip && f.frame > after) };
}

/** Personalises `base` for one prompt file and scores both networks on the person's later labelled frames. */
export async function evaluatePerson(init: {
  promptFile: string;
  prompts: PromptFile;
  labels: LabelSet;
  videoDir: string;
  base: PeNet;
  model: FaceModelTensors;
  settings: PersonalizationSettings;
  log?: (message: string) => void;
}): Promise<PersonResult> {
  const { prompts, labels } = init;
  if (!prompts.video) throw new CpemError('INVALID_ARGUMENT', `${init.promptFile} names no "video": the evaluation needs the clip.`);
  const video = path.join(init.videoDir, prompts.video);
  const info = labels.clips[prompts.video];
  if (!info) throw new CpemError('INVALID_ARGUMENT', `${prompts.video} (${init.promptFile}) has no labelled frames in test/data/real-frame-labels.json.`);
  const result = await personalizeFromClip({ video, prompts, base: init.base, model: init.model, holdout: 'none', settings: init.settings, log: init.log });
  try {
    const lastFrame = Math.max(...result.captures.flatMap((c) => c.frames.map((f) => f.index ?? -1)));
    const trainedUntil = prompts.spans.at(-1)!.to;
    const test = testLabels(labels, prompts.video, lastFrame);
    if (test.frames.length === 0) throw new CpemError('INVALID_ARGUMENT', `${init.promptFile}: no labelled frame of ${prompts.video} comes after the last span (${trainedUntil} s).`);
    /** A network's readings of a labelled frame over the whole clip: PE-Net's raw units or the calibrated ones. */
    const readings = async (net: PeNet) => {
      const estimates = await estimateTrack(net, result.track);
      return (which: 'raw' | 'units') => (f: { frame: number }) => estimates.get(f.frame)?.[which === 'raw' ? 'rawUnits' : 'units'] ?? null;
    };
    const scores = (pick: Awaited<ReturnType<typeof readings>>): PersonScores => ({ calibrated: scoreRealFrames(test, 'all', pick('units')), raw: scoreRealFrames(test, 'all', pick('raw')) });
    const shipped = await readings(init.base);
    return {
      person: prompts.person ?? info.person ?? prompts.video,
      video: prompts.video,
      split: info.split,
      promptFile: init.promptFile,
      spans: result.analysis.prompts.map((p) => `${p.label}${p.status === 'ok' ? '' : ` (${p.status})`}`),
      trainedUntil,
      trainedFrames: result.clip.clip.frames.length,
      targetedFrames: result.clip.targeted,
      testFrames: test.frames.length,
      shipped: scores(shipped),
      personalised: scores(await readings(result.trainer.net)),
      oracle: oracleCorrections(Object.keys(test.categories), categoryRows(test, test.frames, shipped('units'))),
      seconds: result.seconds,
    };
  } finally {
    result.trainer.dispose();
  }
}

/** The prompt files of the evaluation: every docs/personalize/*.json, by name. */
export function evaluationPromptFiles(dir = path.join('docs', 'personalize')): string[] {
  if (!fs.existsSync(dir)) throw new CpemError('INVALID_ARGUMENT', `No prompt files: ${dir} is missing.`);
  return fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((f) => path.join(dir, f));
}
