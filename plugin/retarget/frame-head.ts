import { ArcRotateCamera } from '@babylonjs/core/Cameras/arcRotateCamera.js';
import { HemisphericLight } from '@babylonjs/core/Lights/hemisphericLight.js';
import { Vector3 } from '@babylonjs/core/Maths/math.vector.js';
import type { Scene } from '@babylonjs/core/scene';
import type { AbstractMesh } from '@babylonjs/core/Meshes/abstractMesh';
import { findMorphTargetManagers, type Character } from './character.js';

export interface FrameHeadOptions {
  /** Share of the view's height the head takes (0-1). Default 0.5. */
  fill?: number;
  /** Attach the camera to the canvas for orbiting and zooming. Default true. */
  attachControl?: boolean;
}

/** The world-space box of `meshes` (their current world matrices). */
function worldBox(meshes: AbstractMesh[]): { min: Vector3; max: Vector3 } | null {
  let min: Vector3 | null = null;
  let max: Vector3 | null = null;
  for (const mesh of meshes) {
    if (mesh.getTotalVertices() === 0) continue;
    mesh.computeWorldMatrix(true);
    const box = mesh.getBoundingInfo().boundingBox;
    min = min ? Vector3.Minimize(min, box.minimumWorld) : box.minimumWorld.clone();
    max = max ? Vector3.Maximize(max, box.maximumWorld) : box.maximumWorld.clone();
  }
  return min && max ? { min, max } : null;
}

/**
 * The box of a character's head: its meshes with morph targets (the face, eyes, teeth), or, for a character without
 * any, the top eighth of the whole character.
 */
export function headBox(root: Character): { min: Vector3; max: Vector3 } | null {
  const face = worldBox(findMorphTargetManagers(root).map((b) => b.mesh));
  if (face) return face;
  const all = worldBox(root.getChildMeshes(false));
  if (!all) return null;
  const top = all.max.y - (all.max.y - all.min.y) / 8;
  return { min: new Vector3(all.min.x, top, all.min.z), max: all.max };
}

/**
 * Where the face looks, in the horizontal plane (world): from the head's centre towards the part of its meshes that
 * the morph targets move (the face moves, the back of the head does not). Null when nothing moves.
 */
function faceDirection(root: Character, center: Vector3): Vector3 | null {
  let sum = Vector3.Zero();
  let weight = 0;
  for (const { mesh, manager } of findMorphTargetManagers(root)) {
    const base = mesh.getVerticesData('position');
    if (!base) continue;
    const world = mesh.computeWorldMatrix(true);
    const moved = new Float32Array(base.length / 3);
    for (let t = 0; t < Math.min(manager.numTargets, 16); t++) {
      const shape = manager.getTarget(t).getPositions();
      if (!shape || shape.length !== base.length) continue;
      for (let v = 0; v < moved.length; v++) {
        moved[v] += Math.hypot(
          shape[3 * v] - base[3 * v],
          shape[3 * v + 1] - base[3 * v + 1],
          shape[3 * v + 2] - base[3 * v + 2],
        );
      }
    }
    for (let v = 0; v < moved.length; v++) {
      if (moved[v] === 0) continue;
      sum = sum.add(
        Vector3.TransformCoordinates(new Vector3(base[3 * v], base[3 * v + 1], base[3 * v + 2]), world).scale(moved[v]),
      );
      weight += moved[v];
    }
  }
  if (weight === 0) return null;
  const direction = sum.scale(1 / weight).subtract(center);
  direction.y = 0;
  return direction.length() > 1e-6 ? direction.normalize() : null;
}

/**
 * Puts the scene's camera on a character's face: an ArcRotateCamera in front of the head (on the side its morph
 * targets move), level with it and close enough that the head fills `fill` of the view, made the active camera; and a
 * hemispheric light when the scene has none. Returns the camera.
 */
export function frameHead(scene: Scene, root: Character, options: FrameHeadOptions = {}): ArcRotateCamera {
  const fill = Math.min(Math.max(options.fill ?? 0.5, 0.05), 1);
  const box = headBox(root);
  const center = box ? box.min.add(box.max).scale(0.5) : Vector3.Zero();
  const size = box ? Math.max(box.max.y - box.min.y, box.max.x - box.min.x, 1e-3) : 1;
  // In front of the face; a character without morph targets is taken to face +Z, as glTF characters do in Babylon.
  const facing = (box && faceDirection(root, center)) ?? new Vector3(0, 0, 1);
  const camera = new ArcRotateCamera('cpem-face-camera', Math.atan2(facing.z, facing.x), Math.PI / 2, 1, center, scene);
  camera.fov = 0.6;
  camera.radius =
    size / fill / (2 * Math.tan(camera.fov / 2)) +
    (box ? Math.max(box.max.z - box.min.z, box.max.x - box.min.x) / 2 : 0);
  camera.minZ = camera.radius / 100;
  camera.lowerRadiusLimit = camera.radius / 4;
  camera.upperRadiusLimit = camera.radius * 10;
  camera.wheelDeltaPercentage = 0.01;
  scene.activeCamera = camera;
  if (options.attachControl ?? true) camera.attachControl(true);
  if (scene.lights.length === 0) new HemisphericLight('cpem-face-light', new Vector3(0, 1, -1), scene);
  return camera;
}
