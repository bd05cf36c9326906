import * as tf from '@tensorflow/tfjs-core';
import { CpemError } from '../errors/cpem-error.js';
import { FACE_MESH_REGIONS, type FaceMeshRegion } from '../landmarks/face-mesh-regions.js';

/** Face-mesh landmarks the tracker gives: 468 mesh points and 10 iris points. */
export const NUM_LANDMARKS = 478;
/** Mesh points (without the iris) that define the face box. */
export const NUM_MESH_POINTS = 468;
/** PE-Net input features: x and y of each of the 478 landmarks, in face-box units. */
export const LANDMARK_FEATURE_SIZE = NUM_LANDMARKS * 2;

/**
 * MediaPipe's face-oval loop (36 mesh points around the face's outline). These sit on the silhouette, which
 * moves with head pose more than with the face's shape, so the landmark loss weighs them 1 and the rest 10.
 */
export const FACE_OVAL: readonly number[] = [
  10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377,
  152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109,
];

/** Where the face box of one frame is, in image pixels: what {@link landmarkFeatures} divides by. */
export interface FaceBoxFrame {
  /** Centre of the mesh points' bounding box. */
  centerX: number;
  centerY: number;
  /** The larger side of that box. */
  size: number;
}

/**
 * PE-Net input for one frame: landmarks (flat [x, y, z?, ...] in image pixels, `stride` values per point)
 * → [x, y] per landmark relative to the mesh points' bounding-box centre, divided by its larger side.
 * Returns the features and the box (to map the estimated translation back to pixels).
 */
export function landmarkFeatures(landmarks: ArrayLike<number>, stride = 3): { features: Float32Array; box: FaceBoxFrame } {
  if (landmarks.length !== NUM_LANDMARKS * stride) {
    throw new CpemError('INVALID_ARGUMENT', `Expected ${NUM_LANDMARKS} landmarks × ${stride} values, got ${landmarks.length} values.`);
  }
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (let i = 0; i < NUM_MESH_POINTS; i++) {
    const x = landmarks[i * stride], y = landmarks[i * stride + 1];
    if (!Number.isFinite(x) || !Number.isFinite(y)) throw new CpemError('INVALID_ARGUMENT', `Landmark ${i} is not finite (${x}, ${y}).`);
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  const box = { centerX: (minX + maxX) / 2, centerY: (minY + maxY) / 2, size: Math.max(maxX - minX, maxY - minY, 1e-6) };
  const features = new Float32Array(LANDMARK_FEATURE_SIZE);
  for (let i = 0; i < NUM_LANDMARKS; i++) {
    features[i * 2] = (landmarks[i * stride] - box.centerX) / box.size;
    features[i * 2 + 1] = (landmarks[i * stride + 1] - box.centerY) / box.size;
  }
  return { features, box };
}

/**
 * The batched TF.js counterpart of {@link landmarkFeatures}: image points [N, 478, 2] → features [N, 956] in
 * face-box units, with each frame's box centre [N, 2] and size [N, 1]. Not meant to carry gradients.
 */
export function landmarkFeaturesBatch(points: tf.Tensor3D): { features: tf.Tensor2D; center: tf.Tensor2D; size: tf.Tensor2D } {
  return tf.tidy(() => {
    const mesh = tf.slice(points, [0, 0, 0], [-1, NUM_MESH_POINTS, 2]);
    const lo = tf.min(mesh, 1);
    const hi = tf.max(mesh, 1);
    const center = tf.div(tf.add(lo, hi), 2) as tf.Tensor2D;
    const size = tf.maximum(tf.max(tf.sub(hi, lo), 1, true), 1e-6) as tf.Tensor2D;
    const normalized = tf.div(tf.sub(points, tf.expandDims(center, 1)), tf.expandDims(size, 1));
    const features = tf.reshape(normalized, [points.shape[0], LANDMARK_FEATURE_SIZE]) as tf.Tensor2D;
    return { features, center, size };
  });
}

/**
 * Landmark-loss weights over the 478 points: 1 on the face oval, 10 elsewhere (CPEM's contour/inner split), with
 * optional multipliers for the eyelid, brow and lip points (FACE_MESH_REGIONS).
 */
export function faceMeshLandmarkWeights(contourWeight = 1, innerWeight = 10, regions: Partial<Record<FaceMeshRegion, number>> = {}): Float32Array {
  const w = new Float32Array(NUM_LANDMARKS).fill(innerWeight);
  for (const i of FACE_OVAL) w[i] = contourWeight;
  for (const [region, factor] of Object.entries(regions) as Array<[FaceMeshRegion, number]>) {
    for (const i of FACE_MESH_REGIONS[region]) w[i] *= factor;
  }
  return w;
}
