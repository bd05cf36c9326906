// A person's range profile: per expression unit, a monotone map from what the estimator reads on their face (after the
// per-user neutral) to what a character gets: u' = clamp((u − offset) · gain, 0, 1). It takes their resting level to 0
// and the level they reach when asked for an expression to a stated level, measured from a short capture they make on
// purpose (range-profile-fit.ts). Plain, versioned JSON; validated like a retarget table (every problem at once).
import { CpemError } from '../errors/cpem-error.js';
import { quote } from '../errors/quote.js';
import {
  EXPRESSION_UNITS,
  expressionUnitIndex,
  isExpressionUnitName,
  type ExpressionUnitName,
} from '../units/expression-units.js';
import { NUM_EXPRESSION_UNITS } from '../constants.js';

export const CALIBRATION_PROFILE_FORMAT = 'babylon-cpem/calibration-profile';
export const CALIBRATION_PROFILE_VERSION = 1;
/** Bounds every profile's gains must keep (a fit keeps tighter ones: range-profile-fit.ts). */
export const PROFILE_GAIN_LIMITS = [0.25, 4] as const;
/** Offsets lie in [0, PROFILE_MAX_OFFSET]: a resting level above it is an expression, not a rest. */
export const PROFILE_MAX_OFFSET = 0.6;

/** One unit's map: u' = clamp((u − offset) · gain, 0, 1). Units a profile does not list are passed through. */
export interface UnitRange {
  offset: number;
  gain: number;
}

/** What one unit's map was measured from (for people reading the file; not used to apply it). */
export interface UnitMeasurement {
  /** The unit's resting level (median over the capture's frames at rest). */
  rest: number;
  /** The level reached when prompted (a high percentile of the held frames), when the capture prompted it. */
  peak?: number;
  /** The level the peak is mapped to. */
  target?: number;
  /** Held frames the peak comes from, frames at rest the rest level comes from. */
  heldFrames?: number;
  restFrames: number;
  /** Why the unit was left at its offset alone or passed through, when it was. */
  note?: string;
}

export interface CalibrationProfile {
  format: typeof CALIBRATION_PROFILE_FORMAT;
  version: typeof CALIBRATION_PROFILE_VERSION;
  /** Units of the estimator the profile was measured with (46): a profile for another count is refused. */
  unitCount: number;
  /** Per unit name, its map; units not listed are passed through. */
  units: Partial<Record<ExpressionUnitName, UnitRange>>;
  /** What it was measured from: free-form, for people and tools (never read to apply the profile). */
  measured?: {
    /** ISO time of the capture. */
    createdAt?: string;
    /** "guided capture", a clip and its prompt file, … */
    source?: string;
    /** The PE-Net weights the readings came from (a URL, file or run name). */
    weights?: string;
    person?: string;
    /** The prompts captured, with their status and held frames. */
    prompts?: Array<{ prompt: string; status: string; heldFrames: number; restFrames: number }>;
    /** The settings the map was fitted with. */
    settings?: Record<string, number>;
    units?: Partial<Record<ExpressionUnitName, UnitMeasurement>>;
  };
}

/** One problem of a profile; `path` points into the JSON, e.g. `units.jawOpen.gain`. */
export interface CalibrationProfileIssue {
  path: string;
  kind: 'structure' | 'version' | 'unit-count' | 'unknown-unit' | 'bad-number';
  message: string;
}

const PROFILE_KEYS = new Set(['$schema', 'format', 'version', 'unitCount', 'units', 'measured']);
const RANGE_KEYS = new Set(['offset', 'gain']);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const show = (v: unknown) => quote(v, 60);
const key = (k: string): string => (k.length <= 40 && /^[\w$-]*$/.test(k) ? k : quote(k, 40));
const MAX_LISTED = 50;

/**
 * Checks a calibration profile (parsed JSON) and returns every problem at once (empty: valid). `unitCount` is the
 * number of units of the estimator it is to be used with (default 46): a profile measured for another count is
 * reported ('unit-count'), as is another format version ('version').
 */
export function validateCalibrationProfile(
  profile: unknown,
  context: { unitCount?: number } = {},
): CalibrationProfileIssue[] {
  const issues: CalibrationProfileIssue[] = [];
  const add = (path: string, kind: CalibrationProfileIssue['kind'], message: string) =>
    issues.push({ path, kind, message });
  try {
    if (!isObject(profile)) {
      add(
        '',
        'structure',
        `a calibration profile must be an object with "format": "${CALIBRATION_PROFILE_FORMAT}", "version": ${CALIBRATION_PROFILE_VERSION} and "units": {...}, not ${show(profile)}`,
      );
      return issues;
    }
    for (const k of Object.keys(profile)) {
      if (!PROFILE_KEYS.has(k))
        add(key(k), 'structure', `unknown property ${quote(k, 40)} (allowed: ${[...PROFILE_KEYS].join(', ')})`);
    }
    if (profile.format !== CALIBRATION_PROFILE_FORMAT)
      add('format', 'structure', `format is ${show(profile.format)}; it must be "${CALIBRATION_PROFILE_FORMAT}"`);
    if (profile.version !== CALIBRATION_PROFILE_VERSION) {
      add(
        'version',
        'version',
        `version is ${show(profile.version)}; this package reads version ${CALIBRATION_PROFILE_VERSION}: calibrate again`,
      );
    }
    const expected = context.unitCount ?? NUM_EXPRESSION_UNITS;
    if (profile.unitCount !== expected) {
      add(
        'unitCount',
        'unit-count',
        `the profile was measured for ${show(profile.unitCount)} expression units; the estimator gives ${expected}: calibrate again with these weights`,
      );
    }
    if (!isObject(profile.units)) {
      add('units', 'structure', 'units must be an object of unit name → { "offset": o, "gain": g }');
    } else {
      for (const [unit, range] of Object.entries(profile.units)) {
        const at = `units.${key(unit)}`;
        if (!isExpressionUnitName(unit))
          add(at, 'unknown-unit', `${quote(unit, 40)} is not one of the 46 expression units (see EXPRESSION_UNITS)`);
        if (!isObject(range)) {
          add(at, 'structure', `${at} must be { "offset": o, "gain": g }, not ${show(range)}`);
          continue;
        }
        for (const k of Object.keys(range))
          if (!RANGE_KEYS.has(k))
            add(`${at}.${key(k)}`, 'structure', `unknown property ${quote(k, 40)} (allowed: offset, gain)`);
        if (!isFiniteNumber(range.offset) || range.offset < 0 || range.offset > PROFILE_MAX_OFFSET) {
          add(
            `${at}.offset`,
            'bad-number',
            `${at}.offset is ${show(range.offset)}; it must be a number in [0, ${PROFILE_MAX_OFFSET}]`,
          );
        }
        if (!isFiniteNumber(range.gain) || range.gain < PROFILE_GAIN_LIMITS[0] || range.gain > PROFILE_GAIN_LIMITS[1]) {
          add(
            `${at}.gain`,
            'bad-number',
            `${at}.gain is ${show(range.gain)}; it must be a number in [${PROFILE_GAIN_LIMITS[0]}, ${PROFILE_GAIN_LIMITS[1]}] (a larger gain amplifies the reading's noise)`,
          );
        }
      }
    }
    if (profile.measured !== undefined && !isObject(profile.measured))
      add('measured', 'structure', 'measured must be an object (what the profile was measured from)');
  } catch (e) {
    add(
      '',
      'structure',
      `the profile could not be read (${quote(e instanceof Error ? e.message : e, 80)}); pass plain JSON data`,
    );
  }
  return issues;
}

/** Issues as one line each (the first 50, then how many more). */
export function formatCalibrationProfileIssues(issues: readonly CalibrationProfileIssue[]): string {
  const lines = issues.slice(0, MAX_LISTED).map((i) => `  - ${i.path || '(profile)'}: ${i.message}`);
  if (issues.length > MAX_LISTED) lines.push(`  - ... and ${issues.length - MAX_LISTED} more`);
  return lines.join('\n');
}

/**
 * Returns the profile typed, or throws CpemError CALIBRATION_PROFILE_INVALID listing every problem (another format
 * version, a unit count other than the estimator's, unknown units, offsets or gains out of bounds).
 */
export function assertValidCalibrationProfile(
  profile: unknown,
  context: { unitCount?: number } = {},
): CalibrationProfile {
  const issues = validateCalibrationProfile(profile, context);
  if (issues.length > 0) {
    throw new CpemError(
      'CALIBRATION_PROFILE_INVALID',
      `The calibration profile has ${issues.length} problem${issues.length === 1 ? '' : 's'}:\n${formatCalibrationProfileIssues(issues)}\n` +
        'Calibrate again (the sample scene\'s "Calibrate", or npm run calibrate), or leave the profile out.',
    );
  }
  return profile as CalibrationProfile;
}

/** A checked profile as two arrays over the 46 units (offset 0 and gain 1 where it lists none), ready to apply. */
export interface CompiledRangeProfile {
  readonly offset: Float32Array;
  readonly gain: Float32Array;
}

/** Validates (throws CALIBRATION_PROFILE_INVALID) and compiles a profile for `applyRangeProfile`. */
export function compileRangeProfile(profile: unknown, context: { unitCount?: number } = {}): CompiledRangeProfile {
  const p = assertValidCalibrationProfile(profile, context);
  const offset = new Float32Array(NUM_EXPRESSION_UNITS);
  const gain = new Float32Array(NUM_EXPRESSION_UNITS).fill(1);
  for (const [unit, range] of Object.entries(p.units)) {
    const i = expressionUnitIndex(unit);
    offset[i] = range!.offset;
    gain[i] = range!.gain;
  }
  return { offset, gain };
}

/** Applies a compiled profile to 46 units: out[i] = clamp((units[i] − offset[i]) · gain[i], 0, 1). `out` may be `units`. */
export function applyRangeProfile(
  profile: CompiledRangeProfile,
  units: ArrayLike<number>,
  out = new Float32Array(NUM_EXPRESSION_UNITS),
): Float32Array {
  const { offset, gain } = profile;
  for (let i = 0; i < NUM_EXPRESSION_UNITS; i++) {
    const v = (units[i] - offset[i]) * gain[i];
    // NaN stays NaN (the applier warns about it).
    out[i] = v > 0 ? Math.min(v, 1) : Math.max(v, 0);
  }
  return out;
}

/** The units a profile changes, in CPEM order. */
export function profiledUnits(profile: CalibrationProfile): ExpressionUnitName[] {
  return EXPRESSION_UNITS.filter((u) => profile.units[u] !== undefined);
}
