// A small test character made here, not a third-party asset: a sphere "head" with a few ARKit-named morph targets
// (and one target no preset knows), exported to GLB with @babylonjs/serializers and loaded back with
// @babylonjs/loaders, so specs and previews exercise the same path as a real glTF character.
import type { Scene } from '@babylonjs/core/scene';
import type { TransformNode } from '@babylonjs/core/Meshes/transformNode';
import { CreateSphere } from '@babylonjs/core/Meshes/Builders/sphereBuilder';
import { MorphTarget } from '@babylonjs/core/Morph/morphTarget';
import { MorphTargetManager } from '@babylonjs/core/Morph/morphTargetManager';
import { VertexBuffer } from '@babylonjs/core/Buffers/buffer';
import { VertexData } from '@babylonjs/core/Meshes/mesh.vertexData';
import { StandardMaterial } from '@babylonjs/core/Materials/standardMaterial';
import { Color3 } from '@babylonjs/core/Maths/math.color';
import { Scene as SceneClass } from '@babylonjs/core/scene';
import { LoadAssetContainerAsync } from '@babylonjs/core/Loading/sceneLoader';
import { GLTF2Export } from '@babylonjs/serializers/glTF/2.0';
import { Bone } from '@babylonjs/core/Bones/bone.pure';
import { Skeleton } from '@babylonjs/core/Bones/skeleton';
import '@babylonjs/loaders/glTF/2.0';

// esbuild initialises Babylon's lazily wrapped modules only where a value is used; the glTF loader's own use of
// Bone (imported through the side-effect-free re-export bone.js) does not trigger it, and skinned characters then
// fail with "Bone is not a constructor". loadGlb() uses both classes first.
function ensureSkinningClasses(): void {
  if (typeof Bone !== 'function' || typeof Skeleton !== 'function')
    throw new Error('Babylon Bone/Skeleton did not initialise');
}

/** The morph targets of the test face: name → which vertices move and where. */
export const TEST_FACE_TARGETS: ReadonlyArray<{
  name: string;
  centre: [number, number];
  radius: number;
  move: [number, number, number];
}> = [
  // The face is on the +z side of the sphere, the way a glTF character (like the Ready Player Me avatar) faces
  // once loaded into Babylon; facing +z, the subject's left is −x. Each target moves the vertices within `radius`
  // of `centre` (x, y on the front) with a smooth falloff.
  { name: 'eyeBlinkLeft', centre: [-0.17, 0.12], radius: 0.12, move: [0, -0.06, -0.1] },
  { name: 'eyeBlinkRight', centre: [0.17, 0.12], radius: 0.12, move: [0, -0.06, -0.1] },
  { name: 'jawOpen', centre: [0, -0.32], radius: 0.25, move: [0, -0.25, 0] },
  { name: 'mouthSmileLeft', centre: [-0.14, -0.16], radius: 0.1, move: [-0.06, 0.1, 0.03] },
  { name: 'mouthSmileRight', centre: [0.14, -0.16], radius: 0.1, move: [0.06, 0.1, 0.03] },
  { name: 'cheekPuff', centre: [0, -0.1], radius: 0.35, move: [0, 0, 0.12] },
  { name: 'customWobble', centre: [0, 0.45], radius: 0.2, move: [0, 0.2, 0] },
];

/** Builds the test face in `scene` (a sphere of diameter 1 with {@link TEST_FACE_TARGETS}). */
export function buildTestFace(scene: Scene, name = 'testFace') {
  const mesh = CreateSphere(name, { diameter: 1, segments: 48, updatable: false }, scene);
  const material = new StandardMaterial(`${name}-skin`, scene);
  material.diffuseColor = new Color3(0.9, 0.7, 0.6);
  material.specularColor = new Color3(0.1, 0.1, 0.1);
  mesh.material = material;
  const base = mesh.getVerticesData(VertexBuffer.PositionKind)!;
  const indices = mesh.getIndices()!;
  const manager = new MorphTargetManager(scene);
  for (const spec of TEST_FACE_TARGETS) {
    const positions = Float32Array.from(base);
    for (let i = 0; i < positions.length; i += 3) {
      if (base[i + 2] < 0) continue; // the back of the head does not move
      const d = Math.hypot(base[i] - spec.centre[0], base[i + 1] - spec.centre[1]) / spec.radius;
      if (d >= 1) continue;
      const w = 0.5 + 0.5 * Math.cos(Math.PI * d);
      positions[i] += w * spec.move[0];
      positions[i + 1] += w * spec.move[1];
      positions[i + 2] += w * spec.move[2];
    }
    const normals = new Float32Array(positions.length);
    VertexData.ComputeNormals(positions, indices, normals);
    const target = new MorphTarget(spec.name, 0, scene);
    target.setPositions(positions);
    target.setNormals(normals);
    manager.addTarget(target);
  }
  mesh.morphTargetManager = manager;
  return mesh;
}

/** Builds the test face in a scratch scene on `scene`'s engine and exports it as GLB bytes. */
export async function exportTestFaceGlb(scene: Scene): Promise<Uint8Array> {
  const scratch = new SceneClass(scene.getEngine());
  try {
    buildTestFace(scratch);
    const data = await GLTF2Export.GLBAsync(scratch, 'test-face');
    const blob = data.files['test-face.glb'] as Blob;
    return new Uint8Array(await blob.arrayBuffer());
  } finally {
    scratch.dispose();
  }
}

/** Loads GLB bytes or a URL into `scene`; returns the glTF root node. */
export async function loadGlb(source: Uint8Array | string, scene: Scene): Promise<TransformNode> {
  ensureSkinningClasses();
  const container = await LoadAssetContainerAsync(source, scene, { pluginExtension: '.glb' });
  container.addAllToScene();
  const root = container.rootNodes[0] as TransformNode;
  return root;
}
