export {
  EXPRESSION_UNITS,
  NUM_EXPRESSION_UNITS,
  CONTRADICTORY_GROUPS,
  MIRRORED_UNIT_INDEX,
  expressionUnitIndex,
  isExpressionUnitName,
  mirroredUnit,
} from './units/expression-units.js';
export type { ExpressionUnitName } from './units/expression-units.js';
export { CpemError, isCpemError } from './errors/cpem-error.js';
export type { CpemErrorCode } from './errors/cpem-error.js';
export { createNeutralFaceMotion, assertFaceMotionShape } from './motion/face-motion.js';
export type { FaceMotion } from './motion/face-motion.js';
export { OneEuroFilter, resolveOneEuroOptions } from './motion/one-euro-filter.js';
export type { OneEuroOptions } from './motion/one-euro-filter.js';
export { FaceMotionFilter } from './motion/face-motion-filter.js';
export type { FaceMotionFilterOptions } from './motion/face-motion-filter.js';
export { PeNet, PE_NET_FORMAT } from './estimator/pe-net.js';
export type { PeNetConfig, PeNetOutput } from './estimator/pe-net.js';
export { FaceEstimator, DEFAULT_PE_NET_URL } from './estimator/face-estimator.js';
export type { FaceEstimatorOptions, EstimatedFaceMotion, EstimatorTimings, ImageProjection, LandmarkTracker, TrackedFaceLike } from './estimator/face-estimator.js';
export { FaceRetargetBehavior, DEFAULT_FACE_MODEL_URL } from './behavior/face-retarget-behavior.js';
export type { FaceRetargetBehaviorOptions, FaceRetargetState, FaceRetargetStats, FaceSource } from './behavior/face-retarget-behavior.js';
export { IdentityCalibration } from './motion/identity-calibration.js';
export type { IdentityCalibrationOptions, CalibrationReference, CalibrationState } from './motion/identity-calibration.js';
export { rotationMatrix, projectPoints, projectPointsBatch, rotationMatrices } from './geometry/head-pose.js';
export {
  FaceModel,
  FaceModelTensors,
  NUM_FACE_MESH_POINTS,
  surfacePointsOf,
  FACE_MODEL_MAGIC,
  FACE_MODEL_VERSION,
  decodeFaceModelFile,
  encodeFaceModelFile,
} from './face-model/index.js';
export type { SurfacePoints, FaceModelHeader, FaceModelFile, SectionEntry, SectionDtype } from './face-model/index.js';
// Retarget tables, presets (ARKit, VRM 1.0, Oculus visemes), autoMap and their application to Babylon characters.
export * from './retarget/index.js';
// Face tracker: video frames → 478 face-mesh landmarks with TF.js (blazeface, facemesh, iris).
export { FaceTracker, NUM_TRACKED_LANDMARKS } from './tracker/face-tracker.js';
export type {
  TrackerBackend, FaceTrackerOptions, FaceBox, TrackedFace, TrackerTimings, FaceTrackingResult, TrackerInput, RawImage,
} from './tracker/face-tracker.js';
export { selectBackend, BACKEND_ORDER } from './tracker/backend.js';
// The 68 iBUG landmarks (dlib / 300-W layout) from a tracked face, and the nearest-vertex map they are anchored on.
export { ibug68Landmarks, validateIbug68Regressor, nearestVertexRegressor, IBUG68_REGRESSOR_FORMAT } from './landmarks/ibug68-regressor.js';
export type { Ibug68RegressorFile } from './landmarks/ibug68-regressor.js';
export { IBUG68_FROM_FACE_MESH, IBUG68_MIRROR } from './landmarks/ibug68-from-face-mesh.js';
