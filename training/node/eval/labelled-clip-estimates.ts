import path from 'node:path';
import type { PeNet } from '../../../plugin/estimator/pe-net.js';
import type { IdentityCalibrationOptions } from '../../../plugin/motion/identity-calibration.js';
import { estimateTrack, type FrameEstimate } from '../../lib/eval/clip-estimates.js';
import type { LabelSet } from '../../lib/eval/real-frame-eval.js';
import { loadTrack } from '../track-cache.js';

/**
 * PE-Net's estimates for every clip of a label set, read from the clips' landmark tracks in `<sharedDir>/videos`
 * (tracked once into the cache, or read from `trackDir`): clip → frame index → estimate. `calibration` as
 * estimateTrack's (false: no per-user neutral).
 */
export async function estimateLabelledClips(
  net: PeNet,
  labels: LabelSet,
  sharedDir: string,
  options: { log?: (m: string) => void; trackDir?: string; calibration?: IdentityCalibrationOptions | false } = {},
): Promise<Map<string, Map<number, FrameEstimate>>> {
  const estimates = new Map<string, Map<number, FrameEstimate>>();
  for (const clip of Object.keys(labels.clips)) {
    const track = loadTrack(path.join(sharedDir, 'videos', clip), { log: options.log, cacheDir: options.trackDir });
    estimates.set(clip, await estimateTrack(net, track, options.calibration));
  }
  return estimates;
}
