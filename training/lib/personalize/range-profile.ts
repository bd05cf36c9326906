// The guided capture (or a clip cut by a prompt file) as the range profile's input: the capture analysis says which
// frames hold each prompt's expression and which are at rest; the estimator's readings of those frames (after the
// per-user neutral) give the levels. Shared by the sample scene's "Calibrate", the sandbox and `npm run calibrate`.
import {
  fitRangeProfile,
  type CalibrationFrameRole,
  type CalibrationSpan,
  type RangeFitOptions,
} from '../../../plugin/calibration/range-profile-fit.js';
import {
  applyRangeProfile,
  compileRangeProfile,
  type CalibrationProfile,
} from '../../../plugin/calibration/range-profile.js';
import { FaceEstimator } from '../../../plugin/estimator/face-estimator.js';
import type { PeNet } from '../../../plugin/estimator/pe-net.js';
import type { FrameEstimate } from '../eval/clip-estimates.js';
import { beforeAfterFromUnits, scoredFrames, type BeforeAfter } from './before-after.js';
import type { CaptureAnalysis, FrameRole, PromptCapture } from './capture-analysis.js';
import { unitsAfterNeutral } from './profile-readings.js';
import { promptLabel } from './prompts.js';
import { NUM_EXPRESSION_UNITS } from '../../../plugin/constants.js';

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

/**
 * The estimator's readings of every captured frame as the range profile is measured: `net` through the runtime's
 * estimator (landmark features, PE-Net, the symmetric read) without the temporal filter, then the per-user neutral
 * that the runtime locks over the capture's first seconds (the neutral prompt) applied to every frame. Null where a
 * frame has no face. Frees what it builds.
 */
export async function captureReadings(
  net: PeNet,
  captures: readonly PromptCapture[],
  size: { width: number; height: number } = { width: 640, height: 480 },
): Promise<Array<Array<Float32Array | null>>> {
  const estimator = await FaceEstimator.create({
    tracker: null,
    weights: net,
    calibration: false,
    smoothing: false,
    minConfidence: 0,
  });
  const raw = new Map<number, FrameEstimate>();
  const times = new Map<number, number>();
  const keys: number[][] = [];
  let next = 0;
  try {
    for (const capture of captures) {
      const row: number[] = [];
      for (const frame of capture.frames) {
        const key = next++;
        row.push(key);
        times.set(key, frame.time);
        if (!frame.landmarks) continue;
        const m = await estimator.estimateFromLandmarks(
          { landmarks: frame.landmarks, confidence: 1 },
          size.width,
          size.height,
          frame.time * 1000,
        );
        if (m)
          raw.set(key, {
            index: key,
            rawUnits: m.rawUnits,
            units: m.units,
            identity: m.frameIdentity,
            rotation: m.frameRotation,
          });
      }
      keys.push(row);
    }
  } finally {
    estimator.dispose();
  }
  const units = unitsAfterNeutral(raw, (k) => times.get(k) ?? 0);
  return keys.map((row) => row.map((k) => units.get(k) ?? null));
}

/**
 * Before / after a range profile on the capture's held-out frames (the analysis' last third of each prompt): the
 * prompted units against their target and the largest unit left alone, read without and with the profile.
 */
export function profileBeforeAfter(
  analysis: CaptureAnalysis,
  readings: ReadonlyArray<ReadonlyArray<Float32Array | null>>,
  profile: CalibrationProfile,
): BeforeAfter {
  const compiled = compileRangeProfile(profile);
  const zero = new Float32Array(NUM_EXPRESSION_UNITS);
  const plain = scoredFrames(analysis).flatMap((ks, p) => ks.map((k) => readings[p][k] ?? zero));
  return beforeAfterFromUnits(
    analysis,
    plain,
    plain.map((u) => applyRangeProfile(compiled, u)),
  );
}
