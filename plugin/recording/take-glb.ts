import { Animation } from '@babylonjs/core/Animations/animation.js';
import { AnimationGroup } from '@babylonjs/core/Animations/animationGroup.js';
import type { MorphTarget } from '@babylonjs/core/Morph/morphTarget';
import type { Node } from '@babylonjs/core/node';
import { CpemError } from '../errors/cpem-error.js';
import { findMorphTargetManagers } from '../retarget/character.js';
import { sampleScalar } from './reduce-keys.js';
import { CLIP_FRAME_RATE } from './take-clip.js';
import type { RecordedTake } from './take-recording.js';

interface SerializerModule {
  GLTF2Export: {
    GLBAsync(
      scene: unknown,
      fileName: string,
      options?: {
        shouldExportNode?(node: Node): boolean;
        shouldExportAnimation?(animation: Animation): boolean;
      },
    ): Promise<{ files: Record<string, Blob | string> }>;
  };
}

/** @babylonjs/serializers' glTF exporter, an optional peer dependency that only the export needs. */
export async function loadSerializer(): Promise<SerializerModule> {
  try {
    return (await import('@babylonjs/serializers/glTF/2.0/index.js')) as unknown as SerializerModule;
  } catch (e) {
    throw new CpemError(
      'DEPENDENCY_MISSING',
      'exporting a take as GLB needs @babylonjs/serializers (the version of @babylonjs/core): ' +
        'npm install @babylonjs/serializers',
      { cause: e },
    );
  }
}

/**
 * glTF animates a mesh's morph targets with one `weights` sampler that gives every target a value at each key time,
 * and Babylon's exporter builds it from one animation per target with the same keys. This makes, for each mesh the
 * take drives, one animation per target of its manager, keyed at the union of its driven channels' reduced key
 * times (sampled from the reduced curves, so the exported curve is the clip's curve); its targets the take does not
 * drive hold their current influence. The head animation is the clip's own.
 */
function exportGroup(recorded: RecordedTake): AnimationGroup {
  const { clip, bindings } = recorded;
  const group = new AnimationGroup(clip.group.name, clip.group.getScene());
  const channelOf = new Map<MorphTarget, number>();
  bindings.channels.forEach((c, i) => c.targets.forEach((t) => channelOf.set(t, i)));
  // The character's meshes with at least one target the take drives.
  const meshes = findMorphTargetManagers(bindings.character)
    .filter(({ manager }) =>
      Array.from({ length: manager.numTargets }, (_, i) => manager.getTarget(i)).some((t) => channelOf.has(t)),
    )
    .map(({ mesh }) => mesh);
  for (const mesh of meshes) {
    const manager = mesh.morphTargetManager!;
    const times = new Set<number>();
    for (let i = 0; i < manager.numTargets; i++) {
      const c = channelOf.get(manager.getTarget(i));
      if (c !== undefined) for (const t of clip.channels[c].times) times.add(t);
    }
    const keyTimes = [...times].sort((a, b) => a - b);
    for (let i = 0; i < manager.numTargets; i++) {
      const target = manager.getTarget(i);
      const c = channelOf.get(target);
      const animation = new Animation(
        `${mesh.name}.${target.name}`,
        'influence',
        CLIP_FRAME_RATE,
        Animation.ANIMATIONTYPE_FLOAT,
        Animation.ANIMATIONLOOPMODE_CYCLE,
      );
      animation.setKeys(
        keyTimes.map((t) => ({
          frame: (t * CLIP_FRAME_RATE) / 1000,
          value: c === undefined ? target.influence : sampleScalar(clip.channels[c].times, clip.channels[c].values, t),
        })),
      );
      group.addTargetedAnimation(animation, target);
    }
  }
  // A copy: the exporter picks animations by object, and the clip's own group must not be exported beside this one.
  for (const ta of clip.group.targetedAnimations)
    if (ta.animation.targetProperty === 'rotationQuaternion')
      group.addTargetedAnimation(ta.animation.clone(), ta.target);
  return group;
}

/**
 * The character with the take's clip as one binary glTF (GLB): only the character's own nodes (not the rest of its
 * scene) and one animation, this take's. Needs @babylonjs/serializers (DEPENDENCY_MISSING otherwise).
 */
export async function exportTakeGlb(recorded: RecordedTake, options: { name?: string } = {}): Promise<Uint8Array> {
  const { GLTF2Export } = await loadSerializer();
  const root = recorded.bindings.character;
  const group = exportGroup(recorded);
  const animations = new Set(group.targetedAnimations.map((ta) => ta.animation));
  const inCharacter = (node: Node): boolean => {
    for (let n: Node | null = node; n; n = n.parent) if (n === root) return true;
    return false;
  };
  try {
    const name = options.name ?? group.name;
    const data = await GLTF2Export.GLBAsync(root.getScene(), name, {
      shouldExportNode: inCharacter,
      shouldExportAnimation: (a) => animations.has(a),
    });
    const file = Object.values(data.files)[0];
    if (!(file instanceof Blob)) throw new CpemError('ESTIMATION_FAILED', 'the glTF exporter returned no binary file.');
    return new Uint8Array(await file.arrayBuffer());
  } finally {
    group.dispose();
  }
}
