import { CpemError } from '../errors/cpem-error.js';
import { assertFaceMotionShape, type FaceMotion } from './face-motion.js';
import { NUM_EXPRESSION_UNITS } from '../constants.js';

/** How the per-user calibration collects and applies its reference. */
export interface IdentityCalibrationOptions {
  /** How long to collect frames, in milliseconds of frame time (FaceMotion.timestamp). Default 2000. */
  durationMs?: number;
  /** Fewest frames needed before the reference is taken. Default 15. */
  minFrames?: number;
  /**
   * Most frames collected: the reference is taken at this many frames even when the timestamps have not covered
   * `durationMs` (a clock that does not advance, or one counting seconds instead of milliseconds). It also bounds
   * what calibration holds in memory. At least `minFrames`. Default 90.
   */
  maxFrames?: number;
  /**
   * Fraction of the collected frames, the calmest ones, that the neutral is taken from: frames are ranked by their
   * summed unit activity and each unit's neutral level is its median over the calmest `calmFraction` of them, so a
   * smile, blink or open mouth while calibrating does not become the user's neutral. In (0, 1]. Default 0.25.
   */
  calmFraction?: number;
  /**
   * Highest neutral level a unit may take. A face at rest holds its units low; a level above this is an expression
   * the user happened to hold while calibrating (a smile throughout the first seconds), and subtracting it would hide
   * that expression from then on. In [0, 1]. Default 0.1.
   */
  maxNeutralLevel?: number;
}

/** What calibration learnt about the user. */
export interface CalibrationReference {
  /** Mean identity α over the calibration frames. */
  identity: Float32Array;
  /** Each unit's level on this user's neutral face. */
  neutralUnits: Float32Array;
  /** Frames collected. */
  frames: number;
}

export type CalibrationState = 'collecting' | 'locked';

/**
 * Identity lock and per-user neutral. While collecting (the first seconds of face, or after `recalibrate()`),
 * frames pass through unchanged and their α and β are kept. Collection ends once there are `minFrames` frames and
 * either their timestamps span `durationMs` or there are `maxFrames` of them.
 *
 * The reference then taken: the mean α over the collected frames is held as the user's identity (reported in every
 * FaceMotion). For the neutral, the frames are ranked by activity (the sum of their 46 units) and only the calmest
 * `calmFraction` of them count: each unit's neutral level b is its median over those frames, at most
 * `maxNeutralLevel`. An expressive start (the user smiles or talks for the first second) therefore does not become
 * the neutral as long as a quarter of the collected frames (by default) show the resting face, and one held
 * throughout is capped. Each unit is then measured against b:
 * u' = clamp((u − b) / (1 − b), 0, 1), so a face whose resting shape reads as a slight expression is neutral.
 */
export class IdentityCalibration {
  private readonly durationMs: number;
  private readonly minFrames: number;
  private readonly maxFrames: number;
  private readonly calmFraction: number;
  private readonly maxNeutralLevel: number;
  private identities: Float32Array[] = [];
  private units: Float32Array[] = [];
  private startTime = NaN;
  private reference: CalibrationReference | null = null;

  constructor(options: IdentityCalibrationOptions = {}) {
    const { durationMs = 2000, minFrames = 15, calmFraction = 0.25, maxNeutralLevel = 0.1 } = options;
    const maxFrames = options.maxFrames ?? Math.max(90, minFrames);
    if (
      !(durationMs >= 0) ||
      !Number.isInteger(minFrames) ||
      minFrames < 1 ||
      !Number.isInteger(maxFrames) ||
      maxFrames < minFrames ||
      !(calmFraction > 0 && calmFraction <= 1) ||
      !(maxNeutralLevel >= 0 && maxNeutralLevel <= 1)
    ) {
      throw new CpemError(
        'INVALID_ARGUMENT',
        'IdentityCalibration needs durationMs ≥ 0, whole numbers 1 ≤ minFrames ≤ maxFrames, calmFraction in (0, 1] and maxNeutralLevel in [0, 1]; ' +
          `got durationMs ${durationMs}, minFrames ${minFrames}, maxFrames ${maxFrames}, calmFraction ${calmFraction}, maxNeutralLevel ${maxNeutralLevel}.`,
      );
    }
    this.maxNeutralLevel = maxNeutralLevel;
    this.durationMs = durationMs;
    this.minFrames = minFrames;
    this.maxFrames = maxFrames;
    this.calmFraction = calmFraction;
  }

  get state(): CalibrationState {
    return this.reference ? 'locked' : 'collecting';
  }

  /** The locked reference, or null while collecting. */
  get locked(): CalibrationReference | null {
    return this.reference;
  }

  /** Frames collected so far towards the reference (0 once locked). */
  get collected(): number {
    return this.units.length;
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
      throw new CpemError(
        'INVALID_ARGUMENT',
        `A calibration reference needs ${NUM_EXPRESSION_UNITS} neutral unit levels, got ${reference.neutralUnits.length}.`,
      );
    }
    if (
      !Array.from(reference.neutralUnits).every((b) => b >= 0 && b <= 1) ||
      !Array.from(reference.identity).every(Number.isFinite)
    ) {
      throw new CpemError(
        'INVALID_ARGUMENT',
        'A calibration reference needs neutral unit levels in [0, 1] and a finite identity.',
      );
    }
    this.reference = {
      identity: Float32Array.from(reference.identity),
      neutralUnits: Float32Array.from(reference.neutralUnits),
      frames: reference.frames,
    };
  }

  /**
   * Feeds one frame; returns it calibrated (or unchanged while collecting). Frames whose units are not all finite
   * are passed through and not collected. Throws INVALID_ARGUMENT for a timestamp that is not a finite number.
   */
  apply(motion: FaceMotion): FaceMotion {
    assertFaceMotionShape(motion);
    if (!Number.isFinite(motion.timestamp)) {
      throw new CpemError(
        'INVALID_ARGUMENT',
        `FaceMotion.timestamp is ${motion.timestamp}; calibration needs a finite time in milliseconds (e.g. performance.now()).`,
      );
    }
    if (!this.reference) {
      if (motion.units.every(Number.isFinite)) {
        if (Number.isNaN(this.startTime)) this.startTime = motion.timestamp;
        this.identities.push(Float32Array.from(motion.identity));
        this.units.push(Float32Array.from(motion.units));
      }
      const n = this.units.length;
      if (n >= this.minFrames && (motion.timestamp - this.startTime >= this.durationMs || n >= this.maxFrames))
        this.reference = this.buildReference();
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
    // The calmest frames: least summed activity first (ties in arrival order).
    const activity = this.units.map((u) => u.reduce((s, v) => s + v, 0));
    const calm = activity
      .map((_, f) => f)
      .sort((a, b) => activity[a] - activity[b] || a - b)
      .slice(0, Math.max(1, Math.round(this.calmFraction * n)));
    const neutralUnits = new Float32Array(NUM_EXPRESSION_UNITS);
    const column = new Float32Array(calm.length);
    for (let u = 0; u < NUM_EXPRESSION_UNITS; u++) {
      calm.forEach((f, j) => {
        column[j] = this.units[f][u];
      });
      column.sort();
      const m = column.length;
      neutralUnits[u] = Math.min(
        this.maxNeutralLevel,
        m % 2 === 1 ? column[(m - 1) / 2] : (column[m / 2 - 1] + column[m / 2]) / 2,
      );
    }
    this.identities = [];
    this.units = [];
    return { identity, neutralUnits, frames: n };
  }
}
