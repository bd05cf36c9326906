import { CpemError } from '../errors/cpem-error.js';

/**
 * One Euro filter settings (Casiez, Roussel and Vogel, CHI 2012). Lower `minCutoff` removes more jitter when
 * the signal is still; higher `beta` lets fast motion through with less lag.
 */
export interface OneEuroOptions {
  /** Cutoff frequency in Hz at zero speed. Default 1.5. */
  minCutoff?: number;
  /** Speed coefficient: how much the cutoff rises with speed. Default 0.05. */
  beta?: number;
  /** Cutoff frequency in Hz for the speed estimate. Default 1. */
  derivativeCutoff?: number;
}

const DEFAULTS: Required<OneEuroOptions> = { minCutoff: 1.5, beta: 0.05, derivativeCutoff: 1 };

function smoothingFactor(cutoffHz: number, dtSeconds: number): number {
  const tau = 1 / (2 * Math.PI * cutoffHz);
  return 1 / (1 + tau / dtSeconds);
}

/** Checks One Euro settings and fills in defaults; throws a CpemError naming a bad value. */
export function resolveOneEuroOptions(options: OneEuroOptions = {}): Required<OneEuroOptions> {
  const resolved = { ...DEFAULTS, ...options };
  for (const [key, value] of Object.entries(resolved)) {
    const min = key === 'beta' ? 0 : Number.MIN_VALUE;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
      throw new CpemError(
        'INVALID_ARGUMENT',
        `One Euro filter option ${key} must be a finite number ${key === 'beta' ? '≥ 0' : '> 0'}, got ${value}.`,
      );
    }
  }
  return resolved;
}

/**
 * A One Euro filter over a fixed-size vector of channels, filtered independently. Allocation-free per call:
 * `filter()` writes into and returns its own output buffer.
 */
export class OneEuroFilter {
  private readonly options: Required<OneEuroOptions>;
  private readonly value: Float64Array;
  private readonly speed: Float64Array;
  private readonly out: Float32Array;
  private lastTime = NaN;

  constructor(
    readonly size: number,
    options: OneEuroOptions = {},
  ) {
    this.options = resolveOneEuroOptions(options);
    this.value = new Float64Array(size);
    this.speed = new Float64Array(size);
    this.out = new Float32Array(size);
  }

  /** Forgets the history: the next sample passes through unfiltered. */
  reset(): void {
    this.lastTime = NaN;
  }

  /**
   * Filters one sample taken at `timeMs` (milliseconds, increasing). A channel whose input is not finite
   * keeps its previous filtered value. A time that does not increase is treated as a 1 ms step.
   */
  filter(sample: ArrayLike<number>, timeMs: number): Float32Array {
    if (sample.length !== this.size) {
      throw new CpemError(
        'INVALID_ARGUMENT',
        `OneEuroFilter expects ${this.size} values per sample, got ${sample.length}.`,
      );
    }
    const { minCutoff, beta, derivativeCutoff } = this.options;
    if (Number.isNaN(this.lastTime)) {
      for (let i = 0; i < this.size; i++) {
        const x = sample[i];
        this.value[i] = Number.isFinite(x) ? x : 0;
        this.speed[i] = 0;
        this.out[i] = this.value[i];
      }
      this.lastTime = timeMs;
      return this.out;
    }
    const dt = Math.max((timeMs - this.lastTime) / 1000, 1e-3);
    this.lastTime = Math.max(timeMs, this.lastTime + 1);
    const aSpeed = smoothingFactor(derivativeCutoff, dt);
    for (let i = 0; i < this.size; i++) {
      const x = sample[i];
      if (Number.isFinite(x)) {
        const rawSpeed = (x - this.value[i]) / dt;
        this.speed[i] += aSpeed * (rawSpeed - this.speed[i]);
        const a = smoothingFactor(minCutoff + beta * Math.abs(this.speed[i]), dt);
        this.value[i] += a * (x - this.value[i]);
      }
      this.out[i] = this.value[i];
    }
    return this.out;
  }
}
