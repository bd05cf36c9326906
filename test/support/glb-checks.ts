// Checks a baked or recorded take's GLB the way a game pipeline would meet it: the Khronos validator, Babylon's glTF
// loader (NullEngine) and three.js' GLTFLoader. Used by the bake spec and the sample scene's recording spec.
import { NullEngine } from '@babylonjs/core/Engines/nullEngine.js';
import { Scene } from '@babylonjs/core/scene.js';
import { Logger } from '@babylonjs/core/Misc/logger.js';
import { LoadAssetContainerAsync } from '@babylonjs/core/Loading/sceneLoader.js';
import { MorphTarget } from '@babylonjs/core/Morph/morphTarget.js';
import type { Animation } from '@babylonjs/core/Animations/animation';
import type { AnimationGroup } from '@babylonjs/core/Animations/animationGroup';
import { Bone } from '@babylonjs/core/Bones/bone.pure.js';
import '@babylonjs/loaders/glTF/2.0/index.js';
import * as validator from 'gltf-validator';
import { GLTFLoader } from 'three/examples/jsm/loaders/GLTFLoader.js';
import { autoMap } from '../../plugin/retarget/auto-map.js';
import { RetargetApplier } from '../../plugin/retarget/morph-target-applier.js';
import type { TakeUnitsJson } from '../../plugin/recording/take-formats.js';

/** The validator's error count and its first messages. */
export async function validateGlb(bytes: Uint8Array): Promise<{ errors: number; messages: string[] }> {
  const report = await validator.validateBytes(bytes, { maxIssues: 50 });
  return {
    errors: report.issues.numErrors,
    messages: report.issues.messages
      .filter((m: { severity: number }) => m.severity === 0)
      .map((m: { code: string; pointer?: string }) => `${m.code} ${m.pointer ?? ''}`),
  };
}

/** A morph-target track as Babylon loads it back: the mesh, the target, its animation. */
export interface LoadedMorphTrack {
  mesh: string;
  target: MorphTarget;
  animation: Animation;
}

/** Loads a GLB in Babylon (NullEngine); the caller disposes `engine`. */
export async function loadGlbInBabylon(bytes: Uint8Array) {
  // Named here so that bundlers that wrap Babylon's modules lazily (esbuild) initialise the class the loader builds skins with.
  if (typeof Bone !== 'function') throw new Error('Babylon Bone did not load');
  Logger.LogLevels = Logger.ErrorLogLevel;
  const engine = new NullEngine();
  const scene = new Scene(engine);
  const container = await LoadAssetContainerAsync(bytes, scene, { pluginExtension: '.glb' });
  container.addAllToScene();
  const groups: AnimationGroup[] = scene.animationGroups;
  const morphTracks: LoadedMorphTrack[] = [];
  for (const group of groups) {
    for (const ta of group.targetedAnimations) {
      if (!(ta.target instanceof MorphTarget)) continue;
      const mesh = scene.meshes.find(
        (m) =>
          m.morphTargetManager &&
          Array.from({ length: m.morphTargetManager.numTargets }, (_, i) =>
            m.morphTargetManager!.getTarget(i),
          ).includes(ta.target),
      );
      morphTracks.push({ mesh: mesh?.name ?? '', target: ta.target, animation: ta.animation });
    }
  }
  const morphMeshes = new Set(morphTracks.map((t) => t.mesh));
  return { engine, scene, root: container.rootNodes[0], groups, morphTracks, morphMeshes };
}

/** A loaded track's value at `ms` from the clip's start. */
export function trackAt(track: { animation: Animation }, ms: number): number {
  return track.animation.evaluate((ms / 1000) * track.animation.framePerSecond) as number;
}

/**
 * Largest |track − recorded influence| over the recorded frames, for every morph-target track: the recorded influence
 * is the autoMap table evaluated on the frame's units (what the behavior applied).
 */
export function largestTrackError(
  loaded: Awaited<ReturnType<typeof loadGlbInBabylon>>,
  take: TakeUnitsJson,
): { error: number; tracks: number } {
  const applier = new RetargetApplier(loaded.root, autoMap(loaded.root).table, { onWarning: () => {} });
  const row = new Map(applier.rowNames.map((n, i) => [n, i]));
  const values = new Float32Array(applier.rowNames.length);
  let error = 0;
  let tracks = 0;
  const expected = take.frames.map((f) => Float32Array.from(applier.evaluate(f.units, values)));
  for (const track of loaded.morphTracks) {
    const r = row.get(track.target.name);
    if (r === undefined) continue;
    tracks++;
    take.frames.forEach((f, k) => {
      error = Math.max(error, Math.abs(trackAt(track, f.timeMs) - expected[k][r]));
    });
  }
  applier.dispose();
  return { error, tracks };
}

/** three.js' view of the GLB: its animations and, per morph-target track, the mesh's target count. */
export async function loadGlbInThree(
  bytes: Uint8Array,
): Promise<{ animations: number; morphTracks: Array<{ name: string; targets: number }> }> {
  // GLTFLoader reads self.URL for embedded images; textures it cannot decode without a DOM are skipped, the rest loads.
  (globalThis as { self?: unknown }).self ??= globalThis;
  const quiet = console.error;
  console.error = () => {};
  try {
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    const gltf = await new Promise<{
      animations: Array<{ tracks: Array<{ name: string; times: ArrayLike<number>; values: ArrayLike<number> }> }>;
    }>((resolve, reject) => new GLTFLoader().parse(buffer, '', resolve, reject));
    const tracks = gltf.animations.flatMap((a) => a.tracks).filter((t) => t.name.endsWith('.morphTargetInfluences'));
    return {
      animations: gltf.animations.length,
      morphTracks: tracks.map((t) => ({ name: t.name, targets: t.values.length / t.times.length })),
    };
  } finally {
    console.error = quiet;
  }
}

/** Pearson correlation of two equally long series. */
export function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let ma = 0,
    mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i] / n;
    mb += b[i] / n;
  }
  let sab = 0,
    saa = 0,
    sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}
