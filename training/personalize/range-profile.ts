// The guided capture (or a clip cut by a prompt file) as the range profile's input: the capture analysis says which
// frames hold each prompt's expression and which are at rest; the estimator's readings of those frames (after the
// per-user neutral) give the levels. Shared by the sample scene's "Calibrate", the sandbox and `npm run calibrate`.
import { fitRangeProfile, type CalibrationFrameRole, type CalibrationSpan, type RangeFitOptions } from '../../plugin/calibration/range-profile-fit.js';
import type { CalibrationProfile } from '../../plugin/calibration/range-profile.js';
import type { CaptureAnalysis, FrameRole, PromptCapture } from './capture-analysis.js';
import { promptLabel } from './prompts.js';

const isNeutral = (c: PromptCapture) => c.spec.prompts.length === 1 && c.spec.prompts[0] === 'neutral';

/** A frame's role in the fit, from its role in the capture analysis. */
function fitRole(capture: PromptCapture, role: FrameRole, usable: boolean): CalibrationFrameRole {
  if (!usable) return 'skip';
  if (isNeutral(capture)) return role === 'plateau' ? 'rest' : 'skip';
  // A prompt's own frames at rest are measured against the analysis' neutral face, which without a neutral prompt is
  // the calmest frames of the capture (a smile, on a laughing clip): the resting levels come from the neutral prompt only.
  return role === 'plateau' ? 'held' : role === 'ramp' ? 'ramp' : 'skip';
}

/**
 * The capture's prompts as the fit's spans. `unitsOf(p, k)` is the estimator's reading (46 units, after the per-user
 * neutral) of frame k of prompt p, or null. Prompts the analysis did not accept ('no-face', 'no-change': not clearly
 * made) are skipped whole; with `skipHeldOut`, so are the frames it holds out for the before/after.
 */
export function calibrationSpans(
  captures: readonly PromptCapture[],
  analysis: CaptureAnalysis,
  unitsOf: (prompt: number, frame: number) => ArrayLike<number> | null,
  options: { skipHeldOut?: boolean } = {},
): CalibrationSpan[] {
  return captures.map((capture, p) => {
    const a = analysis.prompts[p];
    return {
      label: promptLabel(capture.spec),
      targets: isNeutral(capture) ? {} : { ...capture.spec.units },
      status: a.status,
      frames: a.frames.map((f, k) => ({
        units: unitsOf(p, k),
        role: fitRole(capture, f.role, a.status === 'ok' && !(options.skipHeldOut && f.heldOut)),
      })),
    };
  });
}

/** Fits a range profile from an analysed capture and the estimator's readings of its frames. */
export function rangeProfileFromCapture(
  captures: readonly PromptCapture[],
  analysis: CaptureAnalysis,
  unitsOf: (prompt: number, frame: number) => ArrayLike<number> | null,
  options: RangeFitOptions & { skipHeldOut?: boolean } = {},
): CalibrationProfile {
  return fitRangeProfile(calibrationSpans(captures, analysis, unitsOf, options), options);
}
