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
