import { Quaternion, Vector3 } from '@babylonjs/core/Maths/math.vector.js';
import { Space } from '@babylonjs/core/Maths/math.axis.js';
import type { Bone } from '@babylonjs/core/Bones/bone';
import type { TransformNode } from '@babylonjs/core/Meshes/transformNode';
import { CpemError } from '../errors/cpem-error.js';
import { collectBones, collectTransformNodes, type Character } from './character.js';
import { HEAD_DEFAULTS, type HeadRotationMapping } from './retarget-table.js';

const AXIS_INDEX = { x: 0, y: 1, z: 2 } as const;
const UNIT_AXES = [new Vector3(1, 0, 0), new Vector3(0, 1, 0), new Vector3(0, 0, 1)];

/**
 * Turns a FaceMotion's head rotation ([pitch, yaw, roll], radians) into a rotation of one bone or TransformNode,
 * as a delta on top of the node's rest rotation. Allocation-free per frame.
 */
export class HeadRotationDriver {
  /** The driven node: a TransformNode (glTF bones are driven through theirs) or a bone without one. */
  readonly node: TransformNode | Bone;
  private readonly rest: Quaternion;
  private readonly axisOf: Int32Array;
  private readonly factor: Float32Array;
  private readonly order: Int32Array;
  private readonly angles = new Float32Array(3);
  private readonly parts = [new Quaternion(), new Quaternion(), new Quaternion()];
  private readonly delta = new Quaternion();
  private readonly result = new Quaternion();

  /** Finds `mapping.node` under `root`; throws CpemError `RETARGET_TABLE_INVALID` when there is none. */
  constructor(root: Character, mapping: HeadRotationMapping, mirror: boolean) {
    const node = findHeadNode(root, mapping.node);
    if (!node) {
      throw new CpemError(
        'RETARGET_TABLE_INVALID',
        `head.node "${mapping.node}" is neither a TransformNode nor a bone under "${root.name}". ` +
          'Name the head bone of the character (e.g. "Head"), or remove "head" from the table.',
      );
    }
    this.node = node;
    const axes = mapping.axes ?? HEAD_DEFAULTS.axes;
    const signs = mapping.signs ?? HEAD_DEFAULTS.signs;
    const scale = mapping.scale ?? HEAD_DEFAULTS.scale;
    this.axisOf = Int32Array.from(axes.map((a) => AXIS_INDEX[a]));
    // A selfie view mirrors left and right: yaw and roll change sign, pitch does not.
    this.factor = Float32Array.from([0, 1, 2].map((k) => signs[k] * scale * (mirror && k > 0 ? -1 : 1)));
    this.order = Int32Array.from(
      [...(mapping.order ?? HEAD_DEFAULTS.order)].map((c) => AXIS_INDEX[c.toLowerCase() as 'x' | 'y' | 'z']),
    );
    this.rest = restRotation(node);
  }

  /** Applies `rotation` = [pitch, yaw, roll]; non-finite angles count as 0. Returns false if any was non-finite. */
  apply(rotation: ArrayLike<number>): boolean {
    const finite = this.compute(rotation, this.result);
    this.write(this.result);
    return finite;
  }

  /**
   * The node's local rotation that `apply(rotation)` would write, into `out`, without writing it (recorders use it).
   * Returns false if any angle was non-finite (counted as 0).
   */
  compute(rotation: ArrayLike<number>, out: Quaternion): boolean {
    let finite = true;
    this.angles.fill(0);
    for (let k = 0; k < 3; k++) {
      let a = rotation[k];
      if (!Number.isFinite(a)) {
        a = 0;
        finite = false;
      }
      this.angles[this.axisOf[k]] += a * this.factor[k];
    }
    const [p0, p1, p2] = this.parts;
    Quaternion.RotationAxisToRef(UNIT_AXES[this.order[0]], this.angles[this.order[0]], p0);
    Quaternion.RotationAxisToRef(UNIT_AXES[this.order[1]], this.angles[this.order[1]], p1);
    Quaternion.RotationAxisToRef(UNIT_AXES[this.order[2]], this.angles[this.order[2]], p2);
    p0.multiplyToRef(p1, this.delta);
    this.delta.multiplyToRef(p2, p0);
    this.rest.multiplyToRef(p0, out);
    return finite;
  }

  /** The node's rotation at rest (before any motion was applied). */
  get restRotation(): Quaternion {
    return this.rest;
  }

  /** Puts the node back at its rest rotation. */
  restore(): void {
    this.write(this.rest);
  }

  private write(q: Quaternion): void {
    const node = this.node;
    if (isBone(node)) {
      node.setRotationQuaternion(q, Space.LOCAL);
    } else if (node.rotationQuaternion) {
      node.rotationQuaternion.copyFrom(q);
    } else {
      node.rotationQuaternion = q.clone();
    }
  }
}

function isBone(n: TransformNode | Bone): n is Bone {
  return typeof (n as Bone).getSkeleton === 'function';
}

function restRotation(node: TransformNode | Bone): Quaternion {
  if (isBone(node)) return node.getRotationQuaternion(Space.LOCAL).clone();
  return node.rotationQuaternion?.clone() ?? Quaternion.FromEulerVector(node.rotation);
}

/** A TransformNode named `name` under `root`, else a bone (through its linked TransformNode when it has one). */
export function findHeadNode(root: Character, name: string): TransformNode | Bone | null {
  const node = collectTransformNodes(root).find((n) => n.name === name);
  if (node) return node;
  const bone = collectBones(root).find((b) => b.name === name);
  return bone ? (bone.getTransformNode() ?? bone) : null;
}
