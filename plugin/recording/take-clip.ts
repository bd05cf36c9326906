import { Animation } from '@babylonjs/core/Animations/animation.js';
import { AnimationGroup } from '@babylonjs/core/Animations/animationGroup.js';
import type { Bone } from '@babylonjs/core/Bones/bone';
import { Quaternion } from '@babylonjs/core/Maths/math.vector.js';
import type { TransformNode } from '@babylonjs/core/Meshes/transformNode';
import type { MorphTarget } from '@babylonjs/core/Morph/morphTarget';
import type { Scene } from '@babylonjs/core/scene';
import { findMorphTargetManagers, type Character } from '../retarget/character.js';
import type { RetargetApplier } from '../retarget/morph-target-applier.js';
import {
  DEFAULT_KEY_TOLERANCE,
  reduceRotationChannel,
  reduceScalarChannel,
  type KeyTolerance,
  type ReducedChannel,
} from './reduce-keys.js';
import type { TakeBuffer, TakeGap } from './take-buffer.js';

/** Frames per second of the clip's Babylon animations (keys sit at fractional frames: this only sets the unit). */
export const CLIP_FRAME_RATE = 60;

/** What a take drives on a character: the morph targets of each channel (every manager's) and the head node. */
export interface TakeBindings {
  readonly character: Character;
  readonly channels: ReadonlyArray<{ readonly name: string; readonly targets: readonly MorphTarget[] }>;
  readonly head: TransformNode | Bone | null;
}

/** Binds an applier's rows (by target name, on every manager under the character) and head node. */
export function bindTake(character: Character, applier: RetargetApplier): TakeBindings {
  const byName = new Map<string, MorphTarget[]>(applier.rowNames.map((n) => [n, []]));
  for (const { manager } of findMorphTargetManagers(character)) {
    for (let i = 0; i < manager.numTargets; i++) byName.get(manager.getTarget(i).name)?.push(manager.getTarget(i));
  }
  return {
    character,
    channels: applier.rowNames.map((name) => ({ name, targets: byName.get(name)! })),
    head: applier.headDriver?.node ?? null,
  };
}

/** Keys before and after reduction, and the largest error the reduction allowed, per kind of channel. */
export interface ReductionReport {
  readonly keysBefore: number;
  readonly keysAfter: number;
  /** Largest |recorded − clip| influence over every frame and morph-target channel. */
  readonly maxInfluenceError: number;
  /** Largest angle (radians) between the recorded and the clip's head rotation over every frame. */
  readonly maxRotationError: number;
  readonly tolerance: Required<KeyTolerance>;
}

/** A take turned into a Babylon clip. */
export interface TakeClip {
  /** Targets the character's own morph targets (`influence`) and head node (`rotationQuaternion`). */
  readonly group: AnimationGroup;
  /** The reduced keys of each channel, in the take's channel order (times in ms from the take's start). */
  readonly channels: readonly ReducedChannel[];
  readonly head: ReducedChannel | null;
  readonly report: ReductionReport;
  readonly gaps: readonly TakeGap[];
  readonly durationMs: number;
}

const toFrame = (ms: number) => (ms * CLIP_FRAME_RATE) / 1000;

/**
 * Reduces each channel of `take` (Ramer-Douglas-Peucker within `tolerance`; the frames on either side of a gap are
 * always kept) and builds an AnimationGroup on the bound targets, ready to play, blend or export. Through a gap the
 * clip goes in a straight line from the last pose before it to the first after; the gaps are in
 * `group.metadata.cpem.gaps` (ms).
 */
export function buildTakeClip(
  take: TakeBuffer,
  bindings: TakeBindings,
  scene: Scene,
  options: { name?: string; tolerance?: KeyTolerance } = {},
): TakeClip {
  const tolerance = { ...DEFAULT_KEY_TOLERANCE, ...options.tolerance };
  const times = take.frameTimes().slice();
  const forced = take.gapBorderFrames();
  const group = new AnimationGroup(options.name ?? 'take', scene);
  const channels: ReducedChannel[] = [];
  let keysBefore = 0;
  let keysAfter = 0;
  let maxInfluenceError = 0;
  take.channelNames.forEach((name, c) => {
    const reduced = reduceScalarChannel(times, take.channel(c), tolerance.influence, forced);
    channels.push(reduced);
    const targets = bindings.channels[c]?.targets ?? [];
    if (targets.length === 0 || times.length === 0) return;
    keysBefore += times.length;
    keysAfter += reduced.times.length;
    maxInfluenceError = Math.max(maxInfluenceError, reduced.maxError);
    const animation = new Animation(
      `${name}`,
      'influence',
      CLIP_FRAME_RATE,
      Animation.ANIMATIONTYPE_FLOAT,
      Animation.ANIMATIONLOOPMODE_CYCLE,
    );
    animation.setKeys(Array.from(reduced.times, (t, k) => ({ frame: toFrame(t), value: reduced.values[k] })));
    for (const target of targets) group.addTargetedAnimation(animation, target);
  });
  let head: ReducedChannel | null = null;
  let maxRotationError = 0;
  if (bindings.head && take.hasHead && times.length > 0) {
    head = reduceRotationChannel(times, take.headRotations().slice(), tolerance.rotation, forced);
    keysBefore += times.length;
    keysAfter += head.times.length;
    maxRotationError = head.maxError;
    const animation = new Animation(
      `${bindings.head.name}.rotation`,
      'rotationQuaternion',
      CLIP_FRAME_RATE,
      Animation.ANIMATIONTYPE_QUATERNION,
      Animation.ANIMATIONLOOPMODE_CYCLE,
    );
    const values = head.values;
    animation.setKeys(Array.from(head.times, (t, k) => ({ frame: toFrame(t), value: quaternionAt(values, k) })));
    group.addTargetedAnimation(animation, bindings.head);
  }
  const gaps = take.gaps;
  group.metadata = { cpem: { gaps, durationMs: take.durationMs } };
  return {
    group,
    channels,
    head,
    gaps,
    durationMs: take.durationMs,
    report: { keysBefore, keysAfter, maxInfluenceError, maxRotationError, tolerance },
  };
}

/** Key k of a 4-a-key quaternion array as a Babylon Quaternion. */
function quaternionAt(values: Float32Array, k: number): Quaternion {
  return new Quaternion(values[k * 4], values[k * 4 + 1], values[k * 4 + 2], values[k * 4 + 3]);
}
