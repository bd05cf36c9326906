// A person's captured prompts as one training clip in the trainer's own format (RealTrackSource's TrackedClip with
// per-frame unit targets and masks): one clip is one person, so the identity-consistent term runs over their frames.
import { CpemError } from '../../../plugin/errors/cpem-error.js';
import type { TrackedClip } from '../data/real-track-source.js';
import type { CaptureAnalysis, FrameAnalysis, PromptCapture } from './capture-analysis.js';
import { unitRoles } from './prompts.js';
import { NUM_EXPRESSION_UNITS } from '../../../plugin/constants.js';

export interface TargetOptions {
  /**
   * Weight of the "about zero" target on the units a prompt leaves alone (and on every unit of a neutral frame),
   * against 1 for a prompted unit on a plateau frame. Default 0.1 (chosen on the tune half: docs/personalization.md).
   */
  leaveAloneWeight?: number;
  /** Weight of a ramp frame's targets, against 1 on the plateau. Default 0.5. */
  rampWeight?: number;
}

export const DEFAULT_LEAVE_ALONE_WEIGHT = 0.1;
export const DEFAULT_RAMP_WEIGHT = 0.5;

/** The unit targets of one frame (values and their weights, 0 where there is no target), or null for none. */
export function frameTargets(
  capture: PromptCapture,
  frame: FrameAnalysis,
  options: TargetOptions = {},
): { values: Float32Array; weights: Float32Array } | null {
  const leaveAlone = options.leaveAloneWeight ?? DEFAULT_LEAVE_ALONE_WEIGHT;
  const ramp = options.rampWeight ?? DEFAULT_RAMP_WEIGHT;
  if (frame.role !== 'plateau' && frame.role !== 'ramp') return null;
  const { values: prompted, prompted: isPrompted, free } = unitRoles(capture.spec);
  const values = new Float32Array(NUM_EXPRESSION_UNITS);
  const weights = new Float32Array(NUM_EXPRESSION_UNITS);
  // A ramp frame is part of the way into the expression: its prompted units are trained towards that share of the
  // values (landmark motion grows about linearly with a unit in the face model), at a lower weight.
  const share = frame.role === 'plateau' ? 1 : frame.level;
  const weight = frame.role === 'plateau' ? 1 : ramp;
  for (let u = 0; u < NUM_EXPRESSION_UNITS; u++) {
    if (isPrompted[u]) {
      values[u] = prompted[u] * share;
      weights[u] = weight;
    } else if (!free[u]) {
      weights[u] = leaveAlone * weight;
    }
  }
  return { values, weights };
}

/** The training clip of a capture, and which captured frames went into it. */
export interface PersonClip {
  clip: TrackedClip;
  /** For each clip frame, the prompt (index into the captures) and frame it came from. */
  sources: Array<{ prompt: number; frame: number }>;
  /** Frames with a target, and frames of the person without one (still in the clip for the identity term). */
  targeted: number;
  untargeted: number;
}

/**
 * One clip of the person's frames that training may see: every frame with a face of the usable prompts ('ok'),
 * except held-out ones and neutral-prompt outliers. Plateau and ramp frames carry unit targets (`units` with the
 * weights as the mask: the trainer's masked squared error weighs each unit by its mask entry); frames at rest carry
 * none. Throws INVALID_ARGUMENT when no prompt besides the neutral one is usable.
 */
export function personClip(
  name: string,
  captures: readonly PromptCapture[],
  analysis: CaptureAnalysis,
  options: TargetOptions = {},
): PersonClip {
  const usable = analysis.prompts.filter(
    (p) => p.status === 'ok' && !(p.spec.prompts.length === 1 && p.spec.prompts[0] === 'neutral'),
  );
  if (usable.length === 0) {
    const problems = analysis.prompts.filter((p) => p.message).map((p) => `- ${p.message}`);
    throw new CpemError(
      'INVALID_ARGUMENT',
      `No prompt besides the neutral face can be trained on.${problems.length ? `\n${problems.join('\n')}` : ''}`,
    );
  }
  const frames: Float32Array[] = [];
  const values: Float32Array[] = [];
  const masks: Float32Array[] = [];
  const sources: PersonClip['sources'] = [];
  let targeted = 0;
  analysis.prompts.forEach((p, i) => {
    if (p.status !== 'ok') return;
    p.frames.forEach((f, k) => {
      const landmarks = captures[i].frames[k].landmarks;
      if (f.heldOut || !landmarks || f.role === 'outlier' || f.role === 'no-face') return;
      const t = frameTargets(captures[i], f, options);
      frames.push(landmarks);
      values.push(t?.values ?? new Float32Array(NUM_EXPRESSION_UNITS));
      masks.push(t?.weights ?? new Float32Array(NUM_EXPRESSION_UNITS));
      sources.push({ prompt: i, frame: k });
      if (t) targeted++;
    });
  });
  if (targeted === 0)
    throw new CpemError(
      'INVALID_ARGUMENT',
      'The capture has no frame that holds a prompted expression outside the held-out frames: capture longer prompts.',
    );
  return {
    clip: { name, frames, targets: { units: { values, masks } } },
    sources,
    targeted,
    untargeted: frames.length - targeted,
  };
}
