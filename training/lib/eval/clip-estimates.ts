import { FaceEstimator } from '../../../plugin/estimator/face-estimator.js';
import type { PeNet } from '../../../plugin/estimator/pe-net.js';
import type { IdentityCalibrationOptions } from '../../../plugin/motion/identity-calibration.js';
import type { LandmarkTrack } from '../data/landmark-track.js';

/** One tracked frame of a clip: 478 × 3 landmarks in image pixels, or null where no face was found. */
export interface ClipFrame {
  index: number;
  /** Seconds from the clip's start. */
  time: number;
  landmarks: Float32Array | null;
  confidence: number;
}

/** What the runtime makes of one frame: PE-Net's raw units and α, and the calibrated units a character gets. */
export interface FrameEstimate {
  index: number;
  rawUnits: Float32Array;
  /** After the identity lock and per-user neutral (equal to rawUnits while calibration is still collecting). */
  units: Float32Array;
  identity: Float32Array;
  rotation: Float32Array;
}

/**
 * Runs the runtime's estimator chain (landmark features → PE-Net → identity lock and per-user neutral; no
 * temporal filter, which only delays) over a clip's tracked frames in order, as the behavior would live.
 */
export async function estimateClip(
  net: PeNet,
  frames: ClipFrame[],
  width: number,
  height: number,
  calibration: IdentityCalibrationOptions | false = {},
): Promise<Map<number, FrameEstimate>> {
  const estimator = await FaceEstimator.create({
    tracker: null,
    weights: net,
    calibration,
    smoothing: false,
    minConfidence: 0,
  });
  const out = new Map<number, FrameEstimate>();
  try {
    for (const frame of frames) {
      if (!frame.landmarks) continue;
      const m = await estimator.estimateFromLandmarks(
        { landmarks: frame.landmarks, confidence: frame.confidence },
        width,
        height,
        frame.time * 1000,
      );
      if (m)
        out.set(frame.index, {
          index: frame.index,
          rawUnits: m.rawUnits,
          units: m.units,
          identity: m.frameIdentity,
          rotation: m.frameRotation,
        });
    }
  } finally {
    estimator.dispose();
  }
  return out;
}

/** {@link estimateClip} over a landmark track (`npm run track`): its frames with a face, at the video's size. */
export function estimateTrack(
  net: PeNet,
  track: LandmarkTrack,
  calibration: IdentityCalibrationOptions | false = {},
): Promise<Map<number, FrameEstimate>> {
  const frames = track.frames.map((f) => ({
    index: f.index,
    time: f.time,
    confidence: f.confidence,
    landmarks: f.status === 'ok' ? f.landmarks : null,
  }));
  return estimateClip(net, frames, track.header.video.width, track.header.video.height, calibration);
}

/**
 * Identity consistency over a clip (the paper's Figure 5): mean absolute difference of α between each frame
 * and the clip's first estimated frame, averaged over frames and coefficients.
 */
export function identityDrift(estimates: Map<number, FrameEstimate>): number {
  const list = [...estimates.values()].sort((a, b) => a.index - b.index);
  if (list.length < 2) return NaN;
  const first = list[0].identity;
  let sum = 0;
  for (const e of list.slice(1)) for (let i = 0; i < first.length; i++) sum += Math.abs(e.identity[i] - first[i]);
  return sum / ((list.length - 1) * first.length);
}
