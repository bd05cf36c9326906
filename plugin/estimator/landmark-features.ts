import * as tf from '@tensorflow/tfjs-core';
import { CpemError } from '../errors/cpem-error.js';
import { FACE_MESH_REGIONS, type FaceMeshRegion } from '../landmarks/face-mesh-regions.js';
import { alignLandmarks } from './face-alignment.js';
import { NUM_FACE_LANDMARKS, NUM_MESH_POINTS } from '../constants.js';

/** PE-Net input features of the 'face-box' set: x and y of each of the 478 landmarks, in face-box units. */
export const LANDMARK_FEATURE_SIZE = NUM_FACE_LANDMARKS * 2;

/**
 * Which numbers PE-Net reads from a frame's landmarks (stored in the network's config, so weights and features
 * always travel together):
 * - `face-box`: x and y of the 478 landmarks relative to the face box (centre, larger side): {@link landmarkFeatures}.
 *   Head pose and expression are mixed in every coordinate.
 * - `aligned`: the 478 landmarks in 3D (x, y and the tracker's depth), rigidly aligned onto a reference face at the
 *   `points` (scale, rotation and offset removed: see face-alignment.ts), then the alignment itself (its rotation
 *   matrix, and the offset and log scale relative to the face box), so that expression and pose arrive apart:
 *   {@link alignedLandmarkFeatures}.
 */
export type LandmarkFeatureSpec =
  | { set: 'face-box' }
  | {
      set: 'aligned';
      /** Landmark indices the alignment is fitted on. */
      points: number[];
      /** The reference face at those points: [x, y, z] per point (y up, z towards the viewer), e.g. millimetres. */
      reference: number[];
    };

/** Features of the 'aligned' set: 478 × 3 aligned coordinates, a 3 × 3 rotation, offset x and y, log scale. */
export const ALIGNED_FEATURE_SIZE = NUM_FACE_LANDMARKS * 3 + 9 + 3;

/** How many numbers a feature set gives per frame. */
export function featureSize(spec: LandmarkFeatureSpec): number {
  return spec.set === 'aligned' ? ALIGNED_FEATURE_SIZE : LANDMARK_FEATURE_SIZE;
}

/** Checks a feature spec read from a file; returns a message naming the problem, or null when it is usable. */
export function featureSpecProblem(spec: unknown): string | null {
  const s = spec as LandmarkFeatureSpec;
  if (!s || typeof s !== 'object') return 'features must be an object with a set';
  if (s.set === 'face-box') return null;
  if (s.set !== 'aligned')
    return `unknown feature set ${JSON.stringify((s as { set?: unknown }).set)} (known: face-box, aligned)`;
  if (
    !Array.isArray(s.points) ||
    s.points.length < 4 ||
    !s.points.every((i) => Number.isInteger(i) && i >= 0 && i < NUM_FACE_LANDMARKS)
  ) {
    return `aligned features need at least 4 landmark indices in [0, ${NUM_FACE_LANDMARKS}) as points`;
  }
  if (new Set(s.points).size !== s.points.length) return 'aligned features list a point twice';
  if (
    !Array.isArray(s.reference) ||
    s.reference.length !== s.points.length * 3 ||
    !s.reference.every(Number.isFinite)
  ) {
    return `aligned features need ${s.points.length * 3} finite reference coordinates (x, y, z per point)`;
  }
  return null;
}

/**
 * PE-Net's input for one frame under `spec`: landmarks are flat [x, y, z?, ...] in image pixels (`stride` values per
 * point; the 'aligned' set needs z, stride 3). Returns the features and the face box (to map the estimated
 * translation back to pixels).
 */
export function frameFeatures(
  spec: LandmarkFeatureSpec,
  landmarks: ArrayLike<number>,
  stride = 3,
): { features: Float32Array; box: FaceBoxFrame } {
  return spec.set === 'aligned'
    ? alignedLandmarkFeatures(landmarks, stride, spec)
    : landmarkFeatures(landmarks, stride);
}

/**
 * MediaPipe's face-oval loop (36 mesh points around the face's outline). These sit on the silhouette, which
 * moves with head pose more than with the face's shape, so the landmark loss weighs them 1 and the rest 10.
 */
export const FACE_OVAL: readonly number[] = [
  10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377, 152, 148, 176, 149, 150, 136,
  172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109,
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
export function landmarkFeatures(
  landmarks: ArrayLike<number>,
  stride = 3,
): { features: Float32Array; box: FaceBoxFrame } {
  if (landmarks.length !== NUM_FACE_LANDMARKS * stride) {
    throw new CpemError(
      'INVALID_ARGUMENT',
      `Expected ${NUM_FACE_LANDMARKS} landmarks × ${stride} values, got ${landmarks.length} values.`,
    );
  }
  let minX = Infinity,
    minY = Infinity,
    maxX = -Infinity,
    maxY = -Infinity;
  for (let i = 0; i < NUM_MESH_POINTS; i++) {
    const x = landmarks[i * stride],
      y = landmarks[i * stride + 1];
    if (!Number.isFinite(x) || !Number.isFinite(y))
      throw new CpemError('INVALID_ARGUMENT', `Landmark ${i} is not finite (${x}, ${y}).`);
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  const box = {
    centerX: (minX + maxX) / 2,
    centerY: (minY + maxY) / 2,
    size: Math.max(maxX - minX, maxY - minY, 1e-6),
  };
  const features = new Float32Array(LANDMARK_FEATURE_SIZE);
  for (let i = 0; i < NUM_FACE_LANDMARKS; i++) {
    features[i * 2] = (landmarks[i * stride] - box.centerX) / box.size;
    features[i * 2 + 1] = (landmarks[i * stride + 1] - box.centerY) / box.size;
  }
  return { features, box };
}

/**
 * The 'aligned' features of one frame (see {@link LandmarkFeatureSpec}): every landmark aligned onto the reference,
 * then the alignment's rotation (row-major), the alignment points' centroid relative to the face box (x, y in box
 * units, y down) and log(reference units per box side).
 */
export function alignedLandmarkFeatures(
  landmarks: ArrayLike<number>,
  stride: number,
  spec: { points: readonly number[]; reference: ArrayLike<number> },
): { features: Float32Array; box: FaceBoxFrame } {
  if (stride < 3)
    throw new CpemError(
      'INVALID_ARGUMENT',
      `Aligned landmark features need x, y and z per landmark (stride 3); got stride ${stride}.`,
    );
  // The face box, and the finiteness check of every mesh point, as for the face-box features.
  const { box } = landmarkFeatures(landmarks, stride);
  const features = new Float32Array(ALIGNED_FEATURE_SIZE);
  const aligned = features.subarray(0, NUM_FACE_LANDMARKS * 3);
  const a = alignLandmarks(landmarks, stride, spec.points, spec.reference, aligned);
  let o = NUM_FACE_LANDMARKS * 3;
  for (let k = 0; k < 9; k++) features[o++] = a.rotation[k];
  features[o++] = (a.centre[0] - box.centerX) / box.size;
  features[o++] = (-a.centre[1] - box.centerY) / box.size;
  features[o] = Math.log(a.scale * box.size);
  return { features, box };
}

/**
 * The head rotation [pitch, yaw, roll] (radians, the convention of rotationMatrix: R = Rz·Ry·Rx) that the rigid
 * alignment of 'aligned' features measured, batched: [N, ALIGNED_FEATURE_SIZE] raw features → [N, 3]. The alignment
 * maps the image onto the reference, so the head's rotation is its transpose.
 */
export function alignedHeadRotation(features: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const r = (k: number) => tf.slice(features, [0, NUM_FACE_LANDMARKS * 3 + k], [-1, 1]);
    const yaw = tf.neg(tf.asin(tf.clipByValue(r(2), -1, 1)));
    const pitch = tf.atan2(r(5), r(8));
    const roll = tf.atan2(r(1), r(0));
    return tf.concat([pitch, yaw, roll], 1) as tf.Tensor2D;
  });
}

/**
 * The batched TF.js counterpart of {@link landmarkFeatures}: image points [N, 478, 2] → features [N, 956] in
 * face-box units, with each frame's box centre [N, 2] and size [N, 1]. Not meant to carry gradients.
 */
export function landmarkFeaturesBatch(points: tf.Tensor3D): {
  features: tf.Tensor2D;
  center: tf.Tensor2D;
  size: tf.Tensor2D;
} {
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
export function faceMeshLandmarkWeights(
  contourWeight = 1,
  innerWeight = 10,
  regions: Partial<Record<FaceMeshRegion, number>> = {},
): Float32Array {
  const w = new Float32Array(NUM_FACE_LANDMARKS).fill(innerWeight);
  for (const i of FACE_OVAL) w[i] = contourWeight;
  for (const [region, factor] of Object.entries(regions) as Array<[FaceMeshRegion, number]>) {
    for (const i of FACE_MESH_REGIONS[region]) w[i] *= factor;
  }
  return w;
}
