import * as tf from '@tensorflow/tfjs-core';
import type { PeNet } from '../../../plugin/estimator/pe-net.js';
import type { FaceModel } from '../../../plugin/face-model/face-model.js';
import type { FaceTracker } from '../../../plugin/tracker/face-tracker.js';
import { frameFeatures } from '../../../plugin/estimator/landmark-features.js';
import { projectPoints } from '../../../plugin/geometry/head-pose.js';
import { decodeImage } from '../../../plugin/node/ffmpeg-frames.js';
import { faceNearestTruth, type LandmarkImage } from './tracker-nme.js';
import { normalizedMeanError } from '../../lib/eval/landmark-nme.js';

export interface ReconstructionRow {
  set: string;
  image: string;
  /** NME of the face model's 68 landmarks, placed by PE-Net's α, β and pose, against the annotation; NaN without a face. */
  nme: number;
  /** The same for the inner 51 points (brows, eyes, nose, mouth), where the model's landmarks are semantic. */
  inner: number;
}

/**
 * Reconstruction accuracy: each image is tracked, PE-Net estimates α, β and pose from the landmarks, and the
 * face model's own 68 landmark vertices are decoded, projected and compared with the annotation (NME by the
 * ground truth's bounding box, as for the tracker).
 */
export async function reconstructionNme(
  net: PeNet,
  model: FaceModel,
  tracker: FaceTracker,
  images: readonly LandmarkImage[],
): Promise<ReconstructionRow[]> {
  const rows: ReconstructionRow[] = [];
  for (const img of images) {
    tracker.reset();
    const face = faceNearestTruth((await tracker.track(decodeImage(img.file))).faces, img.truth);
    if (!face) {
      rows.push({ set: img.set, image: img.name, nme: NaN, inner: NaN });
      continue;
    }
    const { features, box } = frameFeatures(net.config.features ?? { set: 'face-box' }, face.landmarks, 3);
    const input = tf.tensor2d(features, [1, features.length]);
    const out = net.predict(input);
    const [alpha, beta, rotation, translation] = await Promise.all(
      [out.identity, out.expression, out.rotation, out.translation].map((t) => t.data()),
    );
    tf.dispose([input, out.identity, out.expression, out.rotation, out.translation]);
    const points = projectPoints(model.landmarks68Of(model.decode(alpha, beta)), rotation, translation);
    const pixels = new Float32Array(68 * 2);
    for (let i = 0; i < 68 * 2; i += 2) {
      pixels[i] = points[i] * box.size + box.centerX;
      pixels[i + 1] = points[i + 1] * box.size + box.centerY;
    }
    const all = normalizedMeanError(pixels, 2, img.truth);
    rows.push({
      set: img.set,
      image: img.name,
      nme: all.nme,
      inner: all.perPoint.slice(17).reduce((s, v) => s + v, 0) / 51,
    });
  }
  return rows;
}
