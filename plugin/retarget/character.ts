import type { AbstractMesh } from '@babylonjs/core/Meshes/abstractMesh';
import type { TransformNode } from '@babylonjs/core/Meshes/transformNode';
import type { MorphTargetManager } from '@babylonjs/core/Morph/morphTargetManager';
import type { Bone } from '@babylonjs/core/Bones/bone';
import type { Node } from '@babylonjs/core/node';

/** A character: the root of a mesh hierarchy (a mesh, or a glTF `__root__` node, e.g. `container.rootNodes[0]`). */
export type Character = Node;

/** A mesh and the MorphTargetManager it uses. glTF gives one per primitive, so a head often has several. */
export interface MorphTargetBinding {
  readonly mesh: AbstractMesh;
  readonly manager: MorphTargetManager;
}

function meshesOf(root: Character): AbstractMesh[] {
  const meshes = root.getChildMeshes(false);
  const self = root as unknown as Partial<AbstractMesh>;
  if (typeof self.getTotalVertices === 'function' && 'morphTargetManager' in self) meshes.unshift(root as AbstractMesh);
  return meshes;
}

/** Every mesh under `root` (itself included) that has a MorphTargetManager with at least one target. */
export function findMorphTargetManagers(root: Character): MorphTargetBinding[] {
  const out: MorphTargetBinding[] = [];
  for (const mesh of meshesOf(root)) {
    const manager = mesh.morphTargetManager;
    if (manager && manager.numTargets > 0 && !mesh.isDisposed()) out.push({ mesh, manager });
  }
  return out;
}

/** The distinct morph target names under `root`, in first-seen order. */
export function collectMorphTargetNames(root: Character): string[] {
  const names = new Set<string>();
  for (const { manager } of findMorphTargetManagers(root)) {
    for (let i = 0; i < manager.numTargets; i++) names.add(manager.getTarget(i).name);
  }
  return [...names];
}

/** Bones of the skeletons used under `root`. */
export function collectBones(root: Character): Bone[] {
  const bones = new Set<Bone>();
  for (const mesh of meshesOf(root)) for (const bone of mesh.skeleton?.bones ?? []) bones.add(bone);
  return [...bones];
}

const isTransformNode = (n: Node): n is TransformNode => 'rotationQuaternion' in n && 'position' in n;

/** `root` (when it is one) and every TransformNode under it. */
export function collectTransformNodes(root: Character): TransformNode[] {
  return [root, ...root.getDescendants(false)].filter(isTransformNode);
}

/** Names of the bones and TransformNodes under `root`: what `head.node` may name. */
export function collectNodeNames(root: Character): string[] {
  return [...new Set([...collectTransformNodes(root).map((n) => n.name), ...collectBones(root).map((b) => b.name)])];
}

/**
 * The likely head node of a character: a (non-mesh) TransformNode or bone named `Head`, else one whose name ends
 * in `:Head` or `_Head` (Mixamo `mixamorig:Head`, VRM `J_Bip_C_Head`). Null when there is none.
 */
export function findHeadNodeName(root: Character): string | null {
  const names = [
    ...collectTransformNodes(root)
      .filter((n) => !('getTotalVertices' in n))
      .map((n) => n.name),
    ...collectBones(root).map((b) => b.name),
  ];
  return names.find((n) => /^head$/i.test(n)) ?? names.find((n) => /[:_]head$/i.test(n)) ?? null;
}
