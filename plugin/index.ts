// babylon-cpem: drive a Babylon.js character's face from a webcam. What an app uses; the building blocks are behind
// the subpaths babylon-cpem/retarget, /motion, /face-model, /landmarks and /training (README, "Using the package").

// The behavior, and the errors everything raises.
export { FaceRetargetBehavior } from './behavior/face-retarget-behavior.js';
export type { FaceRetargetBehaviorOptions } from './behavior/behavior-options.js';
export type { FaceSource } from './behavior/frame-source.js';
export type { FaceRetargetState } from './behavior/run-state.js';
export type { FaceRetargetStats } from './behavior/face-stats.js';
export { CpemError, isCpemError } from './errors/cpem-error.js';
export type { CpemErrorCode } from './errors/cpem-error.js';

// What the estimator produces: the 46 expression units and head pose of one frame.
export { EXPRESSION_UNITS, expressionUnitIndex, isExpressionUnitName } from './units/expression-units.js';
export { NUM_EXPRESSION_UNITS, NUM_FACE_LANDMARKS } from './constants.js';
export type { ExpressionUnitName } from './units/expression-units.js';
export { createNeutralFaceMotion } from './motion/face-motion.js';
export type { FaceMotion } from './motion/face-motion.js';

// Estimator and tracker, for use without the behavior.
export { FaceEstimator } from './estimator/face-estimator.js';
export type {
  FaceEstimatorOptions,
  EstimatedFaceMotion,
  EstimatorTimings,
  ImageProjection,
  LandmarkTracker,
  TrackedFaceLike,
} from './estimator/face-estimator.js';
export { PeNet } from './estimator/pe-net.js';
export type { IdentityCalibrationOptions, CalibrationState } from './motion/identity-calibration.js';
export type { FaceMotionFilterOptions } from './motion/face-motion-filter.js';
export { FaceTracker } from './tracker/face-tracker.js';
export type {
  TrackerBackend,
  FaceTrackerOptions,
  FaceBox,
  TrackedFace,
  TrackerTimings,
  FaceTrackingResult,
  TrackerInput,
  RawImage,
  FrameAccess,
} from './tracker/face-tracker.js';

// Per-user range profiles (calibration from a short guided capture), applied after the per-user neutral.
export {
  CALIBRATION_PROFILE_FORMAT,
  CALIBRATION_PROFILE_VERSION,
  validateCalibrationProfile,
  assertValidCalibrationProfile,
  formatCalibrationProfileIssues,
  compileRangeProfile,
  applyRangeProfile,
  fitRangeProfile,
} from './calibration/index.js';
export type {
  CalibrationProfile,
  CalibrationProfileIssue,
  CompiledRangeProfile,
  UnitRange,
  CalibrationSpan,
  CalibrationFrameRole,
  RangeFitOptions,
} from './calibration/index.js';

// Retarget tables: presets, autoMap, validation, and applying a table to a character.
export { autoMap } from './retarget/auto-map.js';
export type { AutoMapResult } from './retarget/auto-map.js';
export { arkitRetargetTable } from './retarget/presets/arkit.js';
export { vrmRetargetTable } from './retarget/presets/vrm.js';
export { oculusVisemeRetargetTable } from './retarget/presets/oculus-visemes.js';
export { cpemUnitsRetargetTable } from './retarget/presets/cpem-units.js';
export { validateRetargetTable, assertValidRetargetTable, formatRetargetIssues } from './retarget/validate.js';
export type { RetargetTableIssue, RetargetValidationContext } from './retarget/validate.js';
export { RETARGET_TABLE_SCHEMA, ROW_DEFAULTS } from './retarget/retarget-table.js';
export type { RetargetTable, RetargetTargetRow, HeadRotationMapping } from './retarget/retarget-table.js';
export { RetargetApplier } from './retarget/morph-target-applier.js';
export type { RetargetApplierOptions, RetargetWarning } from './retarget/morph-target-applier.js';
// A camera on a character's face, for a first page.
export { frameHead } from './retarget/frame-head.js';
export type { FrameHeadOptions } from './retarget/frame-head.js';

// The package's runtime files (PE-Net, face model, tracker models, wasm binaries) and where they are read from.
export { ASSET_FILES, assetUrl } from './assets.js';
export type { AssetFile } from './assets.js';
