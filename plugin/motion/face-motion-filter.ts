import { assertFaceMotionShape, type FaceMotion } from './face-motion.js';
import { OneEuroFilter, type OneEuroOptions } from './one-euro-filter.js';
import { NUM_EXPRESSION_UNITS } from '../constants.js';

/** Smoothing for each part of a FaceMotion; expression and head pose usually want different settings. */
export interface FaceMotionFilterOptions {
  /** Filter for the 46 expression units. Default: minCutoff 2 Hz, beta 1 (blinks must stay fast). */
  units?: OneEuroOptions;
  /** Filter for head rotation (radians). Default: minCutoff 1 Hz, beta 0.5. */
  rotation?: OneEuroOptions;
  /** Filter for head translation (mm). Default: minCutoff 1 Hz, beta 0.01. */
  translation?: OneEuroOptions;
}

/**
 * Temporal filter for FaceMotion: One Euro filters on units, rotation and translation. Units stay in
 * [0, 1]; non-finite inputs keep the previous value. Call `reset()` when the face is lost.
 */
export class FaceMotionFilter {
  private readonly units: OneEuroFilter;
  private readonly rotation: OneEuroFilter;
  private readonly translation: OneEuroFilter;

  constructor(options: FaceMotionFilterOptions = {}) {
    this.units = new OneEuroFilter(NUM_EXPRESSION_UNITS, { minCutoff: 2, beta: 1, ...options.units });
    this.rotation = new OneEuroFilter(3, { minCutoff: 1, beta: 0.5, ...options.rotation });
    this.translation = new OneEuroFilter(3, { minCutoff: 1, beta: 0.01, ...options.translation });
  }

  reset(): void {
    this.units.reset();
    this.rotation.reset();
    this.translation.reset();
  }

  /** Returns a new FaceMotion with filtered units and pose; the other fields are passed through. */
  apply(motion: FaceMotion): FaceMotion {
    assertFaceMotionShape(motion);
    const units = Float32Array.from(this.units.filter(motion.units, motion.timestamp), (u) =>
      Math.min(1, Math.max(0, u)),
    );
    return {
      ...motion,
      units,
      rotation: Float32Array.from(this.rotation.filter(motion.rotation, motion.timestamp)),
      translation: Float32Array.from(this.translation.filter(motion.translation, motion.timestamp)),
    };
  }
}
