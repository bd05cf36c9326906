// What personalised weights carry about how they were made: the prompts (what each was trained towards, how many of
// its frames had a face, were held, were on the ramp or held out), the frames, the fine-tuning settings and the
// before/after scores. Goes into manifest.json beside the weights (as `personalization`) and, summarised, into the
// network's own metadata, so a copy in IndexedDB says what it is too.
import type { ModelMetadata } from '../../../plugin/estimator/pe-net-files.js';
import type { BeforeAfter } from './before-after.js';
import type { CaptureAnalysis } from './capture-analysis.js';
import type { PersonClip } from './targets.js';
import type { PersonalizationSettings } from './fine-tune.js';
import type { PromptSpec } from './prompts.js';

export interface PersonalizationPromptRecord {
  label: string;
  prompts: PromptSpec['prompts'];
  units: PromptSpec['units'];
  status: 'ok' | 'no-face' | 'no-change';
  message: string | null;
  captured: number;
  withFace: number;
  /** Frames by role (held expression, ramp, at rest, neutral outlier), and those held out for the scores. */
  plateau: number;
  ramp: number;
  rest: number;
  outliers: number;
  heldOut: number;
  /** Frames of this prompt the fine-tuning saw. */
  trained: number;
  /** Landmark motion of the prompt's regions away from the neutral face (80th percentile), and the neutral's jitter, mm. */
  plateauMotionMm: number;
  restMotionMm: number;
}

export interface PersonalizationRecord {
  format: 'babylon-cpem/personalization';
  version: 1;
  /** How the frames were captured: the sandbox's guided capture, or a clip with a prompt file. */
  source: { kind: 'guided-capture' | 'prompt-file'; video?: string; person?: string };
  /** The network fine-tuned from (its run name and where it was read). */
  base: { run: string; weights: string };
  /** Which frames were held out of training (see AnalysisOptions.holdout). */
  holdout: string;
  reference: CaptureAnalysis['reference'];
  prompts: PersonalizationPromptRecord[];
  frames: { captured: number; withFace: number; trained: number; targeted: number; heldOut: number };
  settings: PersonalizationSettings;
  /** Fine-tuning time in seconds, and the backend. */
  trained: { steps: number; seconds: number; backend: string };
  scores: BeforeAfter | null;
}

const round = (v: number, digits = 3) => (Number.isFinite(v) ? Number(v.toFixed(digits)) : null) as number;

export function personalizationRecord(init: {
  source: PersonalizationRecord['source'];
  base: PersonalizationRecord['base'];
  holdout: string;
  analysis: CaptureAnalysis;
  clip: PersonClip;
  settings: PersonalizationSettings;
  trained: PersonalizationRecord['trained'];
  scores: BeforeAfter | null;
}): PersonalizationRecord {
  const trainedPerPrompt = new Map<number, number>();
  for (const s of init.clip.sources) trainedPerPrompt.set(s.prompt, (trainedPerPrompt.get(s.prompt) ?? 0) + 1);
  const prompts = init.analysis.prompts.map((p, i): PersonalizationPromptRecord => {
    const count = (role: string) => p.frames.filter((f) => f.role === role).length;
    return {
      label: p.label,
      prompts: [...p.spec.prompts],
      units: { ...p.spec.units },
      status: p.status,
      message: p.message,
      captured: p.captured,
      withFace: p.withFace,
      plateau: count('plateau'),
      ramp: count('ramp'),
      rest: count('rest'),
      outliers: count('outlier'),
      heldOut: p.frames.filter((f) => f.heldOut && f.role !== 'no-face').length,
      trained: trainedPerPrompt.get(i) ?? 0,
      plateauMotionMm: round(p.plateauMotion),
      restMotionMm: round(p.restMotion),
    };
  });
  return {
    format: 'babylon-cpem/personalization',
    version: 1,
    source: init.source,
    base: init.base,
    holdout: init.holdout,
    reference: init.analysis.reference,
    prompts,
    frames: {
      captured: prompts.reduce((s, p) => s + p.captured, 0),
      withFace: prompts.reduce((s, p) => s + p.withFace, 0),
      trained: init.clip.clip.frames.length,
      targeted: init.clip.targeted,
      heldOut: prompts.reduce((s, p) => s + p.heldOut, 0),
    },
    settings: init.settings,
    trained: init.trained,
    scores: init.scores,
  };
}

/** The record in a few fields, for the network's own metadata (model.json userDefinedMetadata). */
export function personalizationSummary(record: PersonalizationRecord): ModelMetadata {
  return {
    personalized: {
      source: record.source.kind,
      base: record.base.run,
      prompts: record.prompts.filter((p) => p.status === 'ok').map((p) => p.label),
      trainedFrames: record.frames.trained,
      steps: record.trained.steps,
      ...(record.scores
        ? {
            promptedError: {
              before: round(record.scores.promptedError.before),
              after: round(record.scores.promptedError.after),
            },
          }
        : {}),
    },
  };
}
