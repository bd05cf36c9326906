// The estimator's readings of a recorded clip as the range profile sees them, and a profile's readings of it: the
// per-user neutral is locked over the clip's first seconds as the runtime does, and applied to every frame (also to
// the frames read while it was still being collected, which the runtime passes through unchanged), so a capture's
// frames and the later ones are read against the same neutral.
import {
  applyRangeProfile,
  compileRangeProfile,
  type CalibrationProfile,
} from '../../../plugin/calibration/range-profile.js';
import { IdentityCalibration, type IdentityCalibrationOptions } from '../../../plugin/motion/identity-calibration.js';
import type { FrameEstimate } from '../eval/clip-estimates.js';

/**
 * Per frame index, the units after the per-user neutral that the runtime locks over the clip (IdentityCalibration
 * replayed over `estimates` in frame order, `timeOf` giving each frame's time in seconds). Null when the clip is too
 * short for it to lock: the raw units then.
 */
export function unitsAfterNeutral(
  estimates: Map<number, FrameEstimate>,
  timeOf: (index: number) => number,
  options: IdentityCalibrationOptions = {},
): Map<number, Float32Array> {
  const calibration = new IdentityCalibration(options);
  const ordered = [...estimates.values()].sort((a, b) => a.index - b.index);
  for (const e of ordered) {
    if (calibration.locked) break;
    calibration.apply({
      units: e.rawUnits,
      rotation: e.rotation,
      translation: new Float32Array(3),
      identity: e.identity,
      landmarks: new Float32Array(0),
      confidence: 1,
      timestamp: timeOf(e.index) * 1000,
    });
  }
  const neutral = calibration.locked?.neutralUnits;
  const out = new Map<number, Float32Array>();
  for (const e of ordered) {
    if (!neutral) {
      out.set(e.index, e.rawUnits);
      continue;
    }
    const u = new Float32Array(e.rawUnits.length);
    for (let i = 0; i < u.length; i++)
      u[i] = Math.min(1, Math.max(0, (e.rawUnits[i] - neutral[i]) / Math.max(1 - neutral[i], 1e-3)));
    out.set(e.index, u);
  }
  return out;
}

/** The readings with a profile applied. */
export function withProfile(units: Map<number, Float32Array>, profile: CalibrationProfile): Map<number, Float32Array> {
  const compiled = compileRangeProfile(profile);
  return new Map([...units].map(([k, u]) => [k, applyRangeProfile(compiled, u)]));
}
