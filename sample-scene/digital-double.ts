// The digital double: the face model's mean face as a Babylon mesh, with its 46 expression units as morph
// targets named by unit (eyeClose_L, jawOpen, ...), so the cpem-units preset drives it one to one.
import { Mesh } from '@babylonjs/core/Meshes/mesh';
import { VertexData } from '@babylonjs/core/Meshes/mesh.vertexData';
import { MorphTarget } from '@babylonjs/core/Morph/morphTarget';
import { MorphTargetManager } from '@babylonjs/core/Morph/morphTargetManager';
import { StandardMaterial } from '@babylonjs/core/Materials/standardMaterial';
import { Color3 } from '@babylonjs/core/Maths/math.color';
import type { Scene } from '@babylonjs/core/scene';
import { EXPRESSION_UNITS } from '../plugin/index.js';
import type { FaceModel } from '../plugin/face-model/index.js';

/** Millimetres → scene units. */
const SCALE = 0.01;

/**
 * Model frame (x to the subject's left, y up, z towards the camera, mm) → Babylon's left-handed frame with the
 * face looking down −z at a camera on −z: x stays (the subject's left is on the viewer's right), z flips.
 */
function toScene(src: Float32Array, out = new Float32Array(src.length)): Float32Array {
  for (let i = 0; i < src.length; i += 3) {
    out[i] = src[i] * SCALE;
    out[i + 1] = src[i + 1] * SCALE;
    out[i + 2] = -src[i + 2] * SCALE;
  }
  return out;
}

export function createDigitalDouble(model: FaceModel, scene: Scene): Mesh {
  const mesh = new Mesh('digitalDouble', scene);
  const positions = toScene(model.mean);
  // Flipping z mirrors the mesh, which also turns the model's counter-clockwise front faces into Babylon's
  // clockwise ones: the triangles are used as they are.
  const indices = Uint32Array.from(model.triangles);
  const normals = new Float32Array(positions.length);
  VertexData.ComputeNormals(positions, indices, normals);
  const data = new VertexData();
  data.positions = positions;
  data.indices = indices;
  data.normals = normals;
  data.applyToMesh(mesh, true);

  const manager = new MorphTargetManager(scene);
  const n = model.vertexCount * 3;
  const shape = new Float32Array(n);
  const targetNormals = new Float32Array(n);
  EXPRESSION_UNITS.forEach((unit, u) => {
    for (let i = 0; i < n; i++) shape[i] = model.mean[i] + model.expressionBasis[u * n + i];
    const targetPositions = toScene(shape);
    VertexData.ComputeNormals(targetPositions, indices, targetNormals);
    const target = new MorphTarget(unit, 0, scene);
    target.setPositions(targetPositions);
    target.setNormals(targetNormals.slice());
    manager.addTarget(target);
  });
  mesh.morphTargetManager = manager;

  const skin = new StandardMaterial('doubleSkin', scene);
  skin.diffuseColor = new Color3(0.8, 0.62, 0.52);
  skin.specularColor = new Color3(0.12, 0.1, 0.1);
  mesh.material = skin;
  return mesh;
}
