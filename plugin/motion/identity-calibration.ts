import { CpemError } from '../errors/cpem-error.js';
import { NUM_EXPRESSION_UNITS } from '../units/expression-units.js';
import { assertFaceMotionShape, type FaceMotion } from './face-motion.js';

/** How the per-user calibration collects and applies its reference. */
export interface IdentityCalibrationOptions {
  /** How long to collect frames, in milliseconds of frame time. Default 2000. */
  durationMs?: number;
  /** Fewest frames needed before the reference is taken. Default 15. */
  minFrames?: number;
  /**
   * Quantile of each unit over the calibration frames taken as that user's neutral level. A low quantile
   * ignores the odd blink or smile during calibration. Default 0.25.
   */
  neutralQuantile?: number;
}

/** What calibration learnt about the user. */
export interface CalibrationReference {
  /** Mean identity α over the calibration frames. */
  identity: Float32Array;
  /** Each unit's level on this user's neutral face. */
  neutralUnits: Float32Array;
  /** Frames used. */
  frames: number;
}

export type CalibrationState = 'collecting' | 'locked';

/**
 * Identity lock and per-user neutral. While collecting (the first seconds, or after `recalibrate()`), frames
 * pass through unchanged and their α and β are gathered. Then the mean α is held as the user's identity
 * (reported in every FaceMotion), and each unit is measured against the user's own neutral level b:
 * u' = clamp((u − b) / (1 − b), 0, 1), so a face whose resting shape reads as a slight expression is neutral.
 */
export class IdentityCalibration {
  private readonly durationMs: number;
  private readonly minFrames: number;
  private readonly quantile: number;
  private identities: Float32Array[] = [];
  private units: Float32Array[] = [];
  private startTime = NaN;
  private reference: CalibrationReference | null = null;

  constructor(options: IdentityCalibrationOptions = {}) {
    const { durationMs = 2000, minFrames = 15, neutralQuantile = 0.25 } = options;
    if (!(durationMs >= 0) || !Number.isInteger(minFrames) || minFrames < 1 || !(neutralQuantile >= 0 && neutralQuantile <= 1)) {
      throw new CpemError('INVALID_ARGUMENT', `IdentityCalibration needs durationMs ≥ 0, an integer minFrames ≥ 1 and neutralQuantile in [0, 1]; got ${JSON.stringify(options)}.`);
    }
    this.durationMs = durationMs;
    this.minFrames = minFrames;
    this.quantile = neutralQuantile;
  }

  get state(): CalibrationState {
    return this.reference ? 'locked' : 'collecting';
  }

  /** The locked reference, or null while collecting. */
  get locked(): CalibrationReference | null {
    return this.reference;
  }

  /** Starts collecting again (e.g. a new user sat down, or on demand). */
  recalibrate(): void {
    this.identities = [];
    this.units = [];
    this.startTime = NaN;
    this.reference = null;
  }

  /** Locks a reference given from elsewhere (a saved calibration). */
  lock(reference: CalibrationReference): void {
    if (reference.neutralUnits.length !== NUM_EXPRESSION_UNITS) {
      throw new CpemError('INVALID_ARGUMENT', `A calibration reference needs ${NUM_EXPRESSION_UNITS} neutral unit levels, got ${reference.neutralUnits.length}.`);
    }
    this.reference = { identity: Float32Array.from(reference.identity), neutralUnits: Float32Array.from(reference.neutralUnits), frames: reference.frames };
  }

  /** Feeds one frame; returns it calibrated (or unchanged while collecting). */
  apply(motion: FaceMotion): FaceMotion {
    assertFaceMotionShape(motion);
    if (!this.reference) {
      if (motion.units.every(Number.isFinite)) {
        if (Number.isNaN(this.startTime)) this.startTime = motion.timestamp;
        this.identities.push(Float32Array.from(motion.identity));
        this.units.push(Float32Array.from(motion.units));
      }
      if (this.units.length >= this.minFrames && motion.timestamp - this.startTime >= this.durationMs) this.reference = this.buildReference();
      return motion;
    }
    const { neutralUnits, identity } = this.reference;
    const units = new Float32Array(NUM_EXPRESSION_UNITS);
    for (let i = 0; i < NUM_EXPRESSION_UNITS; i++) {
      const b = neutralUnits[i];
      units[i] = Math.min(1, Math.max(0, (motion.units[i] - b) / Math.max(1 - b, 1e-3)));
    }
    return { ...motion, units, identity };
  }

  private buildReference(): CalibrationReference {
    const n = this.units.length;
    const k = this.identities[0]?.length ?? 0;
    const identity = new Float32Array(this.identities.every((a) => a.length === k) ? k : 0);
    for (const a of this.identities) for (let i = 0; i < identity.length; i++) identity[i] += a[i] / n;
    const neutralUnits = new Float32Array(NUM_EXPRESSION_UNITS);
    const column = new Float32Array(n);
    for (let u = 0; u < NUM_EXPRESSION_UNITS; u++) {
      for (let f = 0; f < n; f++) column[f] = this.units[f][u];
      column.sort();
      neutralUnits[u] = column[Math.min(n - 1, Math.floor(this.quantile * (n - 1) + 0.5))];
    }
    this.identities = [];
    this.units = [];
    return { identity, neutralUnits, frames: n };
  }
}
