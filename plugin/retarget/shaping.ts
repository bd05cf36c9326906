import { MIRRORED_UNIT_INDEX, expressionUnitIndex } from '../units/expression-units.js';
import { ROW_DEFAULTS, type RetargetTable } from './retarget-table.js';
import { NUM_EXPRESSION_UNITS } from '../constants.js';

/**
 * A retarget table compiled once into flat typed arrays, so that a frame is evaluated without string lookups
 * or allocations. Row r reads terms `termStart[r] .. termStart[r + 1] − 1` of `termUnit`/`termWeight`.
 * Mirroring is resolved here: `termUnit` already holds the mirrored unit indices.
 */
export interface CompiledRetargetTable {
  readonly targetNames: readonly string[];
  readonly termStart: Int32Array;
  readonly termUnit: Int32Array;
  readonly termWeight: Float32Array;
  readonly gain: Float32Array;
  readonly offset: Float32Array;
  readonly deadZone: Float32Array;
  readonly exponent: Float32Array;
  readonly min: Float32Array;
  readonly max: Float32Array;
  readonly mirror: boolean;
}

/** Compiles a (valid) table. Validate first: unknown unit names here are skipped silently. */
export function compileRetargetTable(table: RetargetTable): CompiledRetargetTable {
  const rows = table.targets;
  const n = rows.length;
  const mirror = table.mirror === true;
  const termStart = new Int32Array(n + 1);
  const units: number[] = [];
  const weights: number[] = [];
  const gain = new Float32Array(n);
  const offset = new Float32Array(n);
  const deadZone = new Float32Array(n);
  const exponent = new Float32Array(n);
  const min = new Float32Array(n);
  const max = new Float32Array(n);
  rows.forEach((row, r) => {
    termStart[r] = units.length;
    for (const [name, weight] of Object.entries(row.units)) {
      const u = expressionUnitIndex(name);
      if (u < 0 || weight === undefined || weight === 0) continue;
      units.push(mirror ? MIRRORED_UNIT_INDEX[u] : u);
      weights.push(weight);
    }
    gain[r] = row.gain ?? ROW_DEFAULTS.gain;
    offset[r] = row.offset ?? ROW_DEFAULTS.offset;
    deadZone[r] = row.deadZone ?? ROW_DEFAULTS.deadZone;
    exponent[r] = row.exponent ?? ROW_DEFAULTS.exponent;
    [min[r], max[r]] = row.clamp ?? ROW_DEFAULTS.clamp;
  });
  termStart[n] = units.length;
  return {
    targetNames: rows.map((r) => r.target),
    termStart,
    termUnit: Int32Array.from(units),
    termWeight: Float32Array.from(weights),
    gain,
    offset,
    deadZone,
    exponent,
    min,
    max,
    mirror,
  };
}

/**
 * Shapes one weighted sum: dead zone, exponent curve, gain, offset, clamp (see RetargetTargetRow). Extreme but
 * valid settings can overflow on the way (a huge exponent, then a gain of 0): such a value counts as the offset, so
 * the result is always a number within the clamp.
 */
export function shapeValue(
  s: number,
  gain: number,
  offset: number,
  deadZone: number,
  exponent: number,
  min: number,
  max: number,
): number {
  const mag = Math.abs(s);
  let x = mag <= deadZone ? 0 : (mag - deadZone) / (1 - deadZone);
  if (exponent !== 1 && x > 0) x = x ** exponent;
  let y = gain * (s < 0 ? -x : x) + offset;
  if (Number.isNaN(y)) y = offset;
  return y < min ? min : Math.min(y, max);
}

/** What {@link sanitizeUnits} found wrong in a frame's units. */
export const UNIT_NAN = 1;
export const UNIT_OUT_OF_RANGE = 2;

/**
 * Copies `units` into `out`, NaN and ±Infinity to 0 and everything else clamped to [0, 1]. Returns a bit set of
 * {@link UNIT_NAN} / {@link UNIT_OUT_OF_RANGE}, and the first offending index in `firstBad[0]`/`firstBad[1]`.
 */
export function sanitizeUnits(units: ArrayLike<number>, out: Float32Array, firstBad?: Int32Array): number {
  let flags = 0;
  for (let i = 0; i < NUM_EXPRESSION_UNITS; i++) {
    const v = units[i];
    if (!(v >= 0 && v <= 1)) {
      if (Number.isNaN(v) || !Number.isFinite(v)) {
        if (!(flags & UNIT_NAN) && firstBad) firstBad[0] = i;
        flags |= UNIT_NAN;
        out[i] = v === Infinity ? 1 : 0;
      } else {
        if (!(flags & UNIT_OUT_OF_RANGE) && firstBad) firstBad[1] = i;
        flags |= UNIT_OUT_OF_RANGE;
        out[i] = v < 0 ? 0 : 1;
      }
    } else {
      out[i] = v;
    }
  }
  return flags;
}

/**
 * Evaluates every row of a compiled table for sanitised units (see {@link sanitizeUnits}) into `out`
 * (length = number of rows). Allocation-free.
 */
export function evaluateRetargetTable(table: CompiledRetargetTable, units: Float32Array, out: Float32Array): void {
  const { termStart, termUnit, termWeight, gain, offset, deadZone, exponent, min, max } = table;
  const n = table.targetNames.length;
  for (let r = 0; r < n; r++) {
    let s = 0;
    for (let t = termStart[r], end = termStart[r + 1]; t < end; t++) s += termWeight[t] * units[termUnit[t]];
    out[r] = shapeValue(s, gain[r], offset[r], deadZone[r], exponent[r], min[r], max[r]);
  }
}
