// The mirrored check: a face and its mirror image must read as mirror-image units (a left wink in the frame is a
// right wink in the mirrored frame). Each labelled frame of a half is decoded, flipped left to right in pixels,
// tracked on its own (the detector runs on both, no tracking state between them) and read by the estimator
// without the per-user neutral; the score is the mean |u_L(frame) − u_R(mirrored frame)| over the paired units.
// Node only (frames through ffmpeg).
import path from 'node:path';
import type { PeNet } from '../../../plugin/estimator/pe-net.js';
import { FaceEstimator } from '../../../plugin/estimator/face-estimator.js';
import { FaceTracker } from '../../../plugin/tracker/face-tracker.js';
import { EXPRESSION_UNITS, MIRRORED_UNIT_INDEX } from '../../../plugin/units/expression-units.js';
import { decodeVideo } from '../../../plugin/node/ffmpeg-frames.js';
import type { LabelSet } from '../../lib/eval/real-frame-eval.js';

export interface MirrorCheck {
  /** The same check with the estimator reading each frame once (FaceEstimatorOptions.symmetric false). */
  onePass: { mean: number; perPair: Record<string, number> };
  /** Frames with a face found in the frame and in its mirror image. */
  frames: number;
  /** Mean |u(frame) − u'(mirrored frame)| over the paired units (u' the mirror unit), all frames. */
  mean: number;
  /** The same per paired unit name (its _L side, or jawLeft / mouthLeft). */
  perPair: Record<string, number>;
}

/** The units that have a mirror unit other than themselves, each pair once (the _L / Left side). */
export const PAIRED_UNITS: readonly number[] = EXPRESSION_UNITS.map((_, u) => u).filter(
  (u) => MIRRORED_UNIT_INDEX[u] > u,
);

/** An RGB frame flipped left to right. */
function flipRgb(data: Uint8Array, width: number, height: number): Uint8Array {
  const out = new Uint8Array(data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const a = (y * width + x) * 3,
        b = (y * width + (width - 1 - x)) * 3;
      out[b] = data[a];
      out[b + 1] = data[a + 1];
      out[b + 2] = data[a + 2];
    }
  }
  return out;
}

export async function mirrorCheck(
  net: PeNet,
  labels: LabelSet,
  split: 'report' | 'tune',
  videoDir: string,
  log: (m: string) => void = () => {},
): Promise<MirrorCheck> {
  const tracker = await FaceTracker.create({ backend: 'wasm' });
  const estimators = await Promise.all(
    [true, false].map((symmetric) =>
      FaceEstimator.create({
        tracker: null,
        weights: net,
        calibration: false,
        smoothing: false,
        minConfidence: 0,
        symmetric,
      }),
    ),
  );
  const sums = [new Float64Array(EXPRESSION_UNITS.length), new Float64Array(EXPRESSION_UNITS.length)];
  let frames = 0;
  try {
    for (const [clip, info] of Object.entries(labels.clips)) {
      if (info.split !== split) continue;
      const wanted = new Set(labels.frames.filter((f) => f.clip === clip).map((f) => f.frame));
      if (wanted.size === 0) continue;
      log(`mirrored check: ${clip} (${wanted.size} frames)`);
      const last = Math.max(...wanted);
      for await (const frame of decodeVideo(path.join(videoDir, clip), { maxFrames: last + 1 })) {
        if (!wanted.has(frame.index)) continue;
        const track = async (data: Uint8Array) => {
          tracker.reset();
          return (
            (await tracker.track({ data, width: frame.width, height: frame.height, channels: 3 })).faces[0] ?? null
          );
        };
        const faces = [await track(frame.data), await track(flipRgb(frame.data, frame.width, frame.height))];
        if (!faces[0] || !faces[1]) continue;
        frames++;
        for (const [k, estimator] of estimators.entries()) {
          // One frame at a time: an estimator runs its frames in turn.
          const units: Float32Array[] = [];
          for (const face of faces)
            units.push(
              (await estimator.estimateFromLandmarks(
                { landmarks: face!.landmarks, confidence: face!.confidence },
                frame.width,
                frame.height,
                0,
              ))!.rawUnits,
            );
          const [a, b] = units;
          for (const u of PAIRED_UNITS)
            sums[k][u] += (Math.abs(a[u] - b[MIRRORED_UNIT_INDEX[u]]) + Math.abs(a[MIRRORED_UNIT_INDEX[u]] - b[u])) / 2;
        }
      }
    }
  } finally {
    for (const e of estimators) e.dispose();
    tracker.dispose();
  }
  const summary = (s: Float64Array) => {
    const perPair = Object.fromEntries(PAIRED_UNITS.map((u) => [EXPRESSION_UNITS[u], frames ? s[u] / frames : NaN]));
    const values = Object.values(perPair);
    return { mean: values.reduce((a, v) => a + v, 0) / values.length, perPair };
  };
  return { frames, ...summary(sums[0]), onePass: summary(sums[1]) };
}
