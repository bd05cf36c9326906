// babylon-cpem/face-model: the linear 3D face model the estimator's coefficients belong to (for overlays, digital
// doubles and training), and the head-pose geometry that places it in an image.
export { FaceModel, surfacePointsOf } from './face-model.js';
export { NUM_FACE_LANDMARKS } from '../constants.js';
export type { SurfacePoints } from './face-model.js';
export type { FaceModelHeader } from './face-model-format.js';
export { FaceModelTensors } from './face-model-tensors.js';
// The package's face model file (a URL): importing this is what puts it into an app's build.
export { packagedFaceModelUrl } from '../face-model-asset.js';
export { rotationMatrix, rotationMatrices, projectPoints, projectPointsBatch } from '../geometry/head-pose.js';
