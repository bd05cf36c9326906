// Small characters made in code (a box head): with or without morph targets, with or without a head node, as a
// Babylon scene or as GLB bytes, for specs of what a take carries when a character lacks one of them.
import { NullEngine } from '@babylonjs/core/Engines/nullEngine.js';
import { Scene } from '@babylonjs/core/scene.js';
import { Logger } from '@babylonjs/core/Misc/logger.js';
import { CreateBox } from '@babylonjs/core/Meshes/Builders/boxBuilder.js';
import { TransformNode } from '@babylonjs/core/Meshes/transformNode.js';
import { MorphTarget } from '@babylonjs/core/Morph/morphTarget.js';
import { MorphTargetManager } from '@babylonjs/core/Morph/morphTargetManager.js';
import { VertexBuffer } from '@babylonjs/core/Buffers/buffer.js';
import { GLTF2Export } from '@babylonjs/serializers/glTF/2.0/index.js';

export interface TestCharacterSpec {
  /** Morph target names on the box (each moves the box's vertices a little). */
  morphTargets: string[];
  /** A TransformNode named Head above the box. */
  head: boolean;
}

/** A scene on a NullEngine holding the character; `root` is its top node. */
export function buildCharacter(spec: TestCharacterSpec) {
  Logger.LogLevels = Logger.ErrorLogLevel;
  const engine = new NullEngine();
  const scene = new Scene(engine);
  const root = new TransformNode('character', scene);
  const parent = spec.head ? new TransformNode('Head', scene) : root;
  if (spec.head) parent.parent = root;
  const box = CreateBox('face', { size: 1 }, scene);
  box.parent = parent;
  if (spec.morphTargets.length > 0) {
    const manager = new MorphTargetManager(scene);
    const positions = box.getVerticesData(VertexBuffer.PositionKind)!;
    spec.morphTargets.forEach((name, k) => {
      const target = new MorphTarget(name, 0, scene);
      target.setPositions(positions.map((p, i) => p + (i % 3 === k % 3 ? 0.1 : 0)));
      manager.addTarget(target);
    });
    box.morphTargetManager = manager;
  }
  return { engine, scene, root };
}

/** The character as GLB bytes. */
export async function characterGlb(spec: TestCharacterSpec): Promise<Uint8Array> {
  const { engine, scene } = buildCharacter(spec);
  try {
    const data = await GLTF2Export.GLBAsync(scene, 'character');
    return new Uint8Array(await (Object.values(data.files)[0] as Blob).arrayBuffer());
  } finally {
    engine.dispose();
  }
}
