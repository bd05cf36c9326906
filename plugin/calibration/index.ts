// Per-user range profiles: what the behavior and the estimator apply after the per-user neutral (range-profile.ts),
// and fitting one from a guided capture (range-profile-fit.ts).
export {
  CALIBRATION_PROFILE_FORMAT,
  CALIBRATION_PROFILE_VERSION,
  PROFILE_GAIN_LIMITS,
  PROFILE_MAX_OFFSET,
  validateCalibrationProfile,
  assertValidCalibrationProfile,
  formatCalibrationProfileIssues,
  compileRangeProfile,
  applyRangeProfile,
  profiledUnits,
} from './range-profile.js';
export type {
  CalibrationProfile,
  CalibrationProfileIssue,
  CompiledRangeProfile,
  UnitRange,
  UnitMeasurement,
} from './range-profile.js';
export { fitRangeProfile, RANGE_FIT_DEFAULTS } from './range-profile-fit.js';
export type { CalibrationSpan, CalibrationFrameRole, RangeFitOptions } from './range-profile-fit.js';
