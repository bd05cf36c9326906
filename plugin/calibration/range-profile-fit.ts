// Fitting a person's range profile from a capture they made on purpose: a neutral face, then prompted expressions.
// Per unit, the resting level is the median over the frames at rest, and the level reached when prompted a high
// percentile of the frames that hold the expression (not a single frame). The map takes the rest to 0 and the
// prompted peak to the prompt's stated level, with the gain bounded so that noise is not amplified; a unit the
// capture did not prompt keeps its gain of 1 (only a small resting level is taken off). Pure: the sample scene fits
// a profile in the browser, `npm run calibrate` and the sandbox in their own code, all through this function. Which
// frames hold an expression comes from the capture analysis (training/lib/personalize/capture-analysis.ts).
import { CpemError } from '../errors/cpem-error.js';
import { EXPRESSION_UNITS, expressionUnitIndex, type ExpressionUnitName } from '../units/expression-units.js';
import {
  CALIBRATION_PROFILE_FORMAT,
  CALIBRATION_PROFILE_VERSION,
  PROFILE_GAIN_LIMITS,
  PROFILE_MAX_OFFSET,
  type CalibrationProfile,
  type UnitMeasurement,
  type UnitRange,
} from './range-profile.js';
import { NUM_EXPRESSION_UNITS } from '../constants.js';
import { quantile } from '../util/quantile.js';

/** What a captured frame is to the fit. */
export type CalibrationFrameRole =
  /** Holding the prompted expression: the prompted units' peak comes from these. */
  | 'held'
  /** On the way in or out: not used. */
  | 'ramp'
  /** At rest (a neutral prompt's frames, or a prompt's frames before the face moves): the resting levels come from these. */
  | 'rest'
  /** Not used (no face, a blink during the neutral prompt, a prompt that was not made). */
  | 'skip';

/** One prompt of the capture, with the estimator's readings (after the per-user neutral) of its frames. */
export interface CalibrationSpan {
  /** For the record: the prompt's name(s). */
  label: string;
  /** The prompted units and the level a held expression of this prompt is mapped to (e.g. 0.8 for a broad smile). */
  targets: Partial<Record<ExpressionUnitName, number>>;
  /** Status of the prompt in the capture analysis ('ok', 'no-change', 'no-face'); for the record. */
  status?: string;
  frames: Array<{ units: ArrayLike<number> | null; role: CalibrationFrameRole }>;
}

export interface RangeFitOptions {
  /** Percentile of the held frames' readings taken as the prompted peak. Default 0.9. */
  peakQuantile?: number;
  /** Gains stay within these bounds. Default [0.5, 3]. */
  gainBounds?: readonly [number, number];
  /** A prompted unit whose peak rises less than this above its rest did not respond: only its offset is set. Default 0.05. */
  minResponse?: number;
  /** Fewest held frames a prompt needs to measure a peak. Default 2. */
  minHeldFrames?: number;
  /**
   * Held frames at which a unit's gain moves halfway from 1 to the fitted one: gain = 1 + (fit − 1) · n / (n + this),
   * n the unit's held frames over all prompts. A guided capture holds each prompt for a second or two (30 frames and
   * more: close to the fit); a few frames of a passing expression are not enough to rescale a unit by. Default 10.
   */
  shrinkFrames?: number;
  /**
   * Units no prompt targets: 'offset' takes their resting level (at most `maxUnpromptedOffset`) to 0 and rescales so
   * that 1 stays 1, as the per-user neutral does; 'pass' leaves them alone. Default 'offset'.
   */
  unprompted?: 'offset' | 'pass';
  /** Largest resting level taken off a unit no prompt targets. Default 0.1. */
  maxUnpromptedOffset?: number;
  /** Copied into `measured`. */
  source?: string;
  weights?: string;
  person?: string;
  createdAt?: string;
}

export const RANGE_FIT_DEFAULTS = {
  peakQuantile: 0.9,
  gainBounds: [0.5, 3] as readonly [number, number],
  minResponse: 0.05,
  minHeldFrames: 2,
  shrinkFrames: 10,
  unprompted: 'offset' as 'offset' | 'pass',
  maxUnpromptedOffset: 0.1,
};

/** The q-quantile of `values`, interpolating between the two nearest ranks; NaN for none. */
const round = (v: number) => Math.round(v * 1e4) / 1e4;

/**
 * Fits a range profile from a capture's prompts. Per unit: rest = the median over every 'rest' frame (0 when there is
 * none); for each prompt that targets the unit and has enough 'held' frames, its peak is the `peakQuantile` of their
 * readings. The gain is the least-squares slope through the origin of target against (peak − rest) over those
 * prompts, within `gainBounds`; the offset is the rest. Throws INVALID_ARGUMENT when no frame holds a prompted
 * expression at all.
 */
export function fitRangeProfile(spans: readonly CalibrationSpan[], options: RangeFitOptions = {}): CalibrationProfile {
  const o = {
    ...RANGE_FIT_DEFAULTS,
    ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
  } as typeof RANGE_FIT_DEFAULTS & RangeFitOptions;
  const [gMin, gMax] = o.gainBounds;
  if (
    !(o.peakQuantile > 0 && o.peakQuantile <= 1) ||
    !(gMin >= PROFILE_GAIN_LIMITS[0] && gMin <= 1 && gMax >= 1 && gMax <= PROFILE_GAIN_LIMITS[1]) ||
    !(o.minResponse > 0) ||
    !(o.shrinkFrames >= 0) ||
    !(o.maxUnpromptedOffset >= 0 && o.maxUnpromptedOffset <= PROFILE_MAX_OFFSET)
  ) {
    throw new CpemError(
      'INVALID_ARGUMENT',
      `fitRangeProfile needs peakQuantile in (0, 1], gainBounds within [${PROFILE_GAIN_LIMITS.join(', ')}] around 1, minResponse > 0 and maxUnpromptedOffset in [0, ${PROFILE_MAX_OFFSET}].`,
    );
  }
  const valid = (u: ArrayLike<number> | null): u is ArrayLike<number> =>
    u !== null && u.length === NUM_EXPRESSION_UNITS;
  const restFrames = spans.flatMap((s) =>
    s.frames.filter((f) => f.role === 'rest' && valid(f.units)).map((f) => f.units!),
  );
  const rest = new Float64Array(NUM_EXPRESSION_UNITS);
  if (restFrames.length > 0)
    for (let u = 0; u < NUM_EXPRESSION_UNITS; u++)
      rest[u] = quantile(
        restFrames.map((f) => f[u]),
        0.5,
      );

  // Per prompted unit, one (peak, target, held frames) per prompt that targets it.
  const observed = new Map<number, Array<{ peak: number; target: number; held: number }>>();
  for (const span of spans) {
    const held = span.frames.filter((f) => f.role === 'held' && valid(f.units)).map((f) => f.units!);
    if (held.length < o.minHeldFrames) continue;
    for (const [name, target] of Object.entries(span.targets)) {
      const u = expressionUnitIndex(name);
      if (u < 0 || !(typeof target === 'number' && target > 0 && target <= 1)) {
        throw new CpemError(
          'INVALID_ARGUMENT',
          `Prompt ${span.label}: the target of ${name} must be a unit name with a level in (0, 1]; got ${JSON.stringify(target)}.`,
        );
      }
      const list = observed.get(u) ?? [];
      list.push({
        peak: quantile(
          held.map((f) => f[u]),
          o.peakQuantile,
        ),
        target,
        held: held.length,
      });
      observed.set(u, list);
    }
  }
  if (observed.size === 0) {
    throw new CpemError(
      'INVALID_ARGUMENT',
      `No prompt of the capture has ${o.minHeldFrames} frames that hold its expression: make each expression clearly, hold it, and capture again.`,
    );
  }

  const units: Partial<Record<ExpressionUnitName, UnitRange>> = {};
  const measured: Partial<Record<ExpressionUnitName, UnitMeasurement>> = {};
  for (let u = 0; u < NUM_EXPRESSION_UNITS; u++) {
    const name = EXPRESSION_UNITS[u];
    const r = Math.max(0, rest[u]);
    const obs = observed.get(u);
    if (!obs) {
      const offset = Math.min(r, o.maxUnpromptedOffset);
      measured[name] = { rest: round(r), restFrames: restFrames.length, note: 'not prompted' };
      if (o.unprompted === 'offset' && offset >= 0.005)
        units[name] = { offset: round(offset), gain: round(1 / (1 - offset)) };
      continue;
    }
    const offset = Math.min(r, PROFILE_MAX_OFFSET);
    let sxy = 0;
    let sxx = 0;
    for (const { peak, target } of obs) {
      const rise = peak - offset;
      sxy += target * rise;
      sxx += rise * rise;
    }
    const bestRise = Math.max(...obs.map((x) => x.peak - offset));
    const peak = Math.max(...obs.map((x) => x.peak));
    const target = Math.max(...obs.map((x) => x.target));
    const heldFrames = obs.reduce((s, x) => s + x.held, 0);
    if (!(bestRise >= o.minResponse)) {
      // The capture did not measure this unit's range: it is left as a unit no prompt targets.
      measured[name] = {
        rest: round(r),
        peak: round(peak),
        target,
        heldFrames,
        restFrames: restFrames.length,
        note: `no response (the prompted peak rose ${bestRise.toFixed(3)} above rest): treated as not prompted`,
      };
      const small = Math.min(r, o.maxUnpromptedOffset);
      if (o.unprompted === 'offset' && small >= 0.005)
        units[name] = { offset: round(small), gain: round(1 / (1 - small)) };
      continue;
    }
    const gain = Math.min(gMax, Math.max(gMin, 1 + (sxy / sxx - 1) * (heldFrames / (heldFrames + o.shrinkFrames))));
    units[name] = { offset: round(offset), gain: round(gain) };
    measured[name] = { rest: round(r), peak: round(peak), target, heldFrames, restFrames: restFrames.length };
  }
  return {
    format: CALIBRATION_PROFILE_FORMAT,
    version: CALIBRATION_PROFILE_VERSION,
    unitCount: NUM_EXPRESSION_UNITS,
    units,
    measured: {
      createdAt: o.createdAt ?? new Date().toISOString(),
      ...(o.source ? { source: o.source } : {}),
      ...(o.weights ? { weights: o.weights } : {}),
      ...(o.person ? { person: o.person } : {}),
      prompts: spans.map((s) => ({
        prompt: s.label,
        status: s.status ?? 'ok',
        heldFrames: s.frames.filter((f) => f.role === 'held').length,
        restFrames: s.frames.filter((f) => f.role === 'rest').length,
      })),
      settings: {
        peakQuantile: o.peakQuantile,
        minGain: gMin,
        maxGain: gMax,
        minResponse: o.minResponse,
        minHeldFrames: o.minHeldFrames,
        shrinkFrames: o.shrinkFrames,
        maxUnpromptedOffset: o.unprompted === 'offset' ? o.maxUnpromptedOffset : 0,
      },
      units: measured,
    },
  };
}
