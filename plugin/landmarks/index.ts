// babylon-cpem/landmarks: the 68 iBUG landmarks (dlib / 300-W layout) from a tracked face's 478 points.
export {
  ibug68Landmarks,
  validateIbug68Regressor,
  nearestVertexRegressor,
  IBUG68_REGRESSOR_FORMAT,
} from './ibug68-regressor.js';
export type { Ibug68RegressorFile } from './ibug68-regressor.js';
export { IBUG68_FROM_FACE_MESH, IBUG68_MIRROR } from './ibug68-from-face-mesh.js';
export { FACE_MESH_MIRROR, mirrorFaceLandmarks } from './face-mesh-mirror.js';
