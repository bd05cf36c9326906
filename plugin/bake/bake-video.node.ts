// One video → one GLB (Node): decode with ffmpeg, track and estimate as the behavior does, apply the retarget table
// to the character in a NullEngine scene, record the take and export it. The GLB is written whole or not at all.
import fs from 'node:fs';
import path from 'node:path';
import type { NullEngine } from '@babylonjs/core/Engines/nullEngine';
import { Scene } from '@babylonjs/core/scene.js';
import { LoadAssetContainerAsync } from '@babylonjs/core/Loading/sceneLoader.js';
import '@babylonjs/loaders/glTF/2.0/index.js';
import { CpemError } from '../errors/cpem-error.js';
import type { FaceEstimator } from '../estimator/face-estimator.js';
import type { RawImage } from '../tracker/face-tracker.js';
import { bakeTable } from './bake-table.js';
import { RetargetApplier } from '../retarget/morph-target-applier.js';
import type { RetargetTable } from '../retarget/retarget-table.js';
import type { Character } from '../retarget/character.js';
import { TakeRecording, type RecordedTake } from '../recording/take-recording.js';
import type { KeyTolerance } from '../recording/reduce-keys.js';
import { exportTakeGlb } from '../recording/take-glb.js';
import { takeToLiveLinkCsv, takeToUnitsJson } from '../recording/take-formats.js';
import { decodeFrames, probeClip, type ClipInfo } from './video-decode.node.js';

export interface BakeVideoOptions {
  /** Resample the video to this many frames a second (ffmpeg's fps filter). Default: every frame at its own rate. */
  fps?: number;
  /** Stop after this many frames. */
  maxFrames?: number;
  /** The retarget table. Default: autoMap of the character. */
  table?: RetargetTable;
  tolerance?: KeyTolerance;
  /** Also write NAME.csv (Live Link Face layout) and NAME.units.json beside the GLB. */
  csv?: boolean;
  /** Called after each frame with the frames done and the frames expected. */
  onProgress?(done: number, total: number): void;
}

/** What one bake wrote and measured. */
export interface BakeVideoResult {
  readonly video: string;
  readonly files: readonly string[];
  readonly info: ClipInfo;
  readonly frames: number;
  readonly facesFound: number;
  readonly recorded: RecordedTake;
  /** Seconds spent decoding, tracking and estimating the frames (not loading or exporting). */
  readonly processSeconds: number;
  /** CPU seconds (user + system) this process spent on the same, which other load on the machine does not inflate. */
  readonly processCpuSeconds: number;
}

/** Loads a GLB's bytes into a new scene on `engine` and returns the scene and the character's root node. */
export async function loadCharacter(
  engine: NullEngine,
  bytes: Uint8Array,
  name: string,
): Promise<{ scene: Scene; character: Character }> {
  const scene = new Scene(engine);
  try {
    const container = await LoadAssetContainerAsync(bytes, scene, { pluginExtension: '.glb', name });
    container.addAllToScene();
    const root = container.rootNodes[0];
    if (!root) throw new Error('it has no node');
    return { scene, character: root };
  } catch (e) {
    scene.dispose();
    throw new CpemError(
      'INVALID_ARGUMENT',
      `${name} is not a glTF binary (GLB) character Babylon can load (${(e as Error).message}). Pass a .glb file.`,
      { cause: e },
    );
  }
}

/** Writes `bytes` to `file` through a temporary file and a rename, so that a failure leaves no partial file. */
export function writeWhole(file: string, bytes: Uint8Array | string): void {
  const part = `${file}.${process.pid}.part`;
  try {
    fs.writeFileSync(part, bytes);
    fs.renameSync(part, file);
  } catch (e) {
    fs.rmSync(part, { force: true });
    throw new CpemError(
      'OUTPUT_UNWRITABLE',
      `cannot write ${file}: ${(e as Error).message}. Pass an --out folder you can write to.`,
      { cause: e },
    );
  }
}

/**
 * Bakes one video onto a freshly loaded copy of the character and writes OUT/NAME.glb (and, with `csv`, NAME.csv and
 * NAME.units.json). The estimator is reset and recalibrated first, so every video gets its own identity and neutral.
 * Throws NO_FACE (nothing written) when no frame has a face, VIDEO_UNREADABLE when ffmpeg cannot read the file.
 */
export async function bakeVideo(
  video: string,
  character: { engine: NullEngine; bytes: Uint8Array; name: string },
  estimator: FaceEstimator<RawImage>,
  outDir: string,
  options: BakeVideoOptions = {},
): Promise<BakeVideoResult> {
  const info = probeClip(video);
  const { scene, character: root } = await loadCharacter(character.engine, character.bytes, character.name);
  try {
    const { table } = bakeTable(root, options.table);
    const applier = new RetargetApplier(root, table, {
      allowMissingTargets: options.table !== undefined,
      onWarning: () => {},
    });
    const name = path.basename(video, path.extname(video));
    const recording = new TakeRecording(root, applier, { name, tolerance: options.tolerance });
    estimator.reset();
    estimator.recalibrate();
    const expected = Math.max(
      1,
      Math.min(options.maxFrames ?? Infinity, Math.round(options.fps ? info.duration * options.fps : info.frames)),
    );
    let frames = 0;
    let faces = 0;
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    for await (const frame of decodeFrames(video, info, { fps: options.fps, maxFrames: options.maxFrames })) {
      const ms = frame.time * 1000;
      const motion = await estimator.estimate(
        { data: frame.data, width: frame.width, height: frame.height, channels: 3 },
        ms,
      );
      if (motion) {
        faces++;
        applier.apply(motion);
        recording.add(motion, ms);
      } else {
        recording.lost(ms);
      }
      frames++;
      options.onProgress?.(frames, Math.max(expected, frames));
    }
    const processSeconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const processCpuSeconds = (cpu.user + cpu.system) / 1e6;
    if (faces === 0)
      throw new CpemError('NO_FACE', `${video}: no face in any of its ${frames} frames; nothing was written for it.`);
    const recorded = recording.finish();
    const glb = await exportTakeGlb(recorded, { name });
    const files = [path.join(outDir, `${name}.glb`)];
    if (options.csv) files.push(path.join(outDir, `${name}.csv`), path.join(outDir, `${name}.units.json`));
    const contents: Array<Uint8Array | string> = [glb];
    if (options.csv) contents.push(takeToLiveLinkCsv(recorded.take), JSON.stringify(takeToUnitsJson(recorded.take)));
    // All of a video's files or none: a failure on the second removes the first.
    const written: string[] = [];
    try {
      files.forEach((f, i) => {
        writeWhole(f, contents[i]);
        written.push(f);
      });
    } catch (e) {
      for (const f of written) fs.rmSync(f, { force: true });
      throw e;
    }
    applier.dispose();
    return { video, files, info, frames, facesFound: faces, recorded, processSeconds, processCpuSeconds };
  } finally {
    scene.dispose();
  }
}
