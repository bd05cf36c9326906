import { CpemError } from '../errors/cpem-error.js';
import { NUM_EXPRESSION_UNITS } from '../constants.js';

/**
 * One frame of facial motion: what the estimator produces and what a retarget table consumes.
 * Only `units`, `rotation` and `translation` drive a character; the rest is for overlays and diagnostics.
 */
export interface FaceMotion {
  /** The 46 expression units in {@link EXPRESSION_UNITS} order, each in [0, 1]. */
  readonly units: Float32Array;
  /** Head rotation as Euler angles in radians: [pitch (x), yaw (y), roll (z)], camera-facing frame. */
  readonly rotation: Float32Array;
  /** Head translation in the camera frame (model units, millimetres for the shipped face model). */
  readonly translation: Float32Array;
  /** Identity coefficients α of the face model (empty when not estimated). */
  readonly identity: Float32Array;
  /** Tracked landmarks as [x0, y0, z0, x1, ...] in image pixels (empty when not tracked). */
  readonly landmarks: Float32Array;
  /** Confidence of the face track in [0, 1]. */
  readonly confidence: number;
  /** Capture time of the source frame in milliseconds (performance.now() clock). */
  readonly timestamp: number;
}

/** A FaceMotion with every unit at zero, head facing the camera: the neutral face. */
export function createNeutralFaceMotion(timestamp = 0): FaceMotion {
  return {
    units: new Float32Array(NUM_EXPRESSION_UNITS),
    rotation: new Float32Array(3),
    translation: new Float32Array(3),
    identity: new Float32Array(0),
    landmarks: new Float32Array(0),
    confidence: 1,
    timestamp,
  };
}

/**
 * Checks the shape of a FaceMotion and throws a {@link CpemError} (`INVALID_FACE_MOTION`) naming the field
 * that is wrong. Values are not range-checked here: consumers clamp them.
 */
export function assertFaceMotionShape(m: FaceMotion): void {
  const bad = (what: string): never => {
    throw new CpemError(
      'INVALID_FACE_MOTION',
      `FaceMotion.${what}. Build one with createNeutralFaceMotion() and fill it in.`,
    );
  };
  if (!(m.units instanceof Float32Array) || m.units.length !== NUM_EXPRESSION_UNITS) {
    bad(`units must be a Float32Array of ${NUM_EXPRESSION_UNITS} values`);
  }
  if (!(m.rotation instanceof Float32Array) || m.rotation.length !== 3)
    bad('rotation must be a Float32Array of 3 values');
  if (!(m.translation instanceof Float32Array) || m.translation.length !== 3)
    bad('translation must be a Float32Array of 3 values');
}
