export { FaceModel, NUM_FACE_MESH_POINTS, surfacePointsOf } from './face-model.js';
export type { SurfacePoints } from './face-model.js';
export { FaceModelTensors } from './face-model-tensors.js';
export { FACE_MODEL_MAGIC, FACE_MODEL_VERSION, decodeFaceModelFile, encodeFaceModelFile } from './face-model-format.js';
export type { FaceModelHeader, FaceModelFile, SectionEntry, SectionDtype } from './face-model-format.js';
