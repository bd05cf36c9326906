import { Quaternion } from '@babylonjs/core/Maths/math.vector.js';
import type { FaceMotion } from '../motion/face-motion.js';
import type { Character } from '../retarget/character.js';
import type { RetargetApplier } from '../retarget/morph-target-applier.js';
import type { KeyTolerance } from './reduce-keys.js';
import { buildTakeClip, bindTake, type TakeBindings, type TakeClip } from './take-clip.js';
import { TakeBuffer, type TakeBufferOptions } from './take-buffer.js';

export interface TakeRecordingOptions extends TakeBufferOptions {
  /** Name of the clip's AnimationGroup (and of the GLB's animation). Default 'take'. */
  name?: string;
  /** Keyframe reduction tolerance. Default influence 0.01, rotation 0.5°. */
  tolerance?: KeyTolerance;
}

/** A finished take: its frames, the clip made of them, and what the character could not carry. */
export interface RecordedTake {
  readonly take: TakeBuffer;
  readonly clip: TakeClip;
  readonly bindings: TakeBindings;
  /** One line per thing the clip leaves out (no morph targets, no head node, a table row without a target). */
  readonly skipped: readonly string[];
}

/**
 * Records, frame by frame, what a RetargetApplier writes to a character for each FaceMotion: the influence of every
 * table row and the head node's rotation (computed as the applier computes them, without writing), with the frame's
 * time. `finish()` reduces the keys and builds the clip. The live recorder and the offline bake both record through it.
 */
export class TakeRecording {
  readonly take: TakeBuffer;
  readonly bindings: TakeBindings;
  private readonly values: Float32Array;
  private readonly quaternion = new Quaternion();
  private readonly quat = new Float32Array(4);

  constructor(
    readonly character: Character,
    readonly applier: RetargetApplier,
    private readonly options: TakeRecordingOptions = {},
  ) {
    this.bindings = bindTake(character, applier);
    this.take = new TakeBuffer(applier.rowNames, applier.headDriver !== null, options);
    this.values = new Float32Array(applier.rowNames.length);
  }

  /** Adds a frame with a face at `timeMs` (default the motion's timestamp). False when the take is full. */
  add(motion: FaceMotion, timeMs = motion.timestamp): boolean {
    this.applier.evaluate(motion.units, this.values);
    const head = this.applier.headDriver;
    if (head) {
      head.compute(motion.rotation, this.quaternion);
      this.quat[0] = this.quaternion.x;
      this.quat[1] = this.quaternion.y;
      this.quat[2] = this.quaternion.z;
      this.quat[3] = this.quaternion.w;
    }
    return this.take.push(timeMs, this.values, head ? this.quat : null, motion.units, motion.rotation);
  }

  /** The face was lost at `timeMs` (same clock as the frames). */
  lost(timeMs: number): void {
    this.take.markLost(timeMs);
  }

  /** Reduces the keys and builds the clip in the character's scene. */
  finish(): RecordedTake {
    const clip = buildTakeClip(this.take, this.bindings, this.character.getScene(), {
      name: this.options.name,
      tolerance: this.options.tolerance,
    });
    return { take: this.take, clip, bindings: this.bindings, skipped: skippedChannels(this.bindings, this.applier) };
  }
}

function skippedChannels(bindings: TakeBindings, applier: RetargetApplier): string[] {
  const skipped: string[] = [];
  if (bindings.channels.length === 0)
    skipped.push(
      `morph targets: "${bindings.character.name}" has none the table drives; the clip carries no expression.`,
    );
  const unbound = bindings.channels.filter((c) => c.targets.length === 0).map((c) => c.name);
  if (unbound.length > 0)
    skipped.push(`morph targets ${unbound.join(', ')}: not on the character; their rows are left out.`);
  if (!applier.headDriver)
    skipped.push(
      `head rotation: no head node under "${bindings.character.name}" (a bone or node named Head, *:Head or *_Head); the clip carries no head motion.`,
    );
  return skipped;
}
