// babylon-cpem/motion: the steps between PE-Net and the character, for building a pipeline of your own: the per-user
// calibration, the One Euro filters, the FaceMotion shape check, and the unit relations CPEM uses.
export { IdentityCalibration } from './identity-calibration.js';
export type { CalibrationReference } from './identity-calibration.js';
export { FaceMotionFilter } from './face-motion-filter.js';
export { OneEuroFilter } from './one-euro-filter.js';
export type { OneEuroOptions } from './one-euro-filter.js';
export { assertFaceMotionShape } from './face-motion.js';
export { CONTRADICTORY_GROUPS, MIRRORED_UNIT_INDEX, mirroredUnit } from '../units/expression-units.js';
