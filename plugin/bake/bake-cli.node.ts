// `npx babylon-cpem bake VIDEO... --character CHAR.glb [--table TABLE.json] --out DIR [--fps N] [--csv] ...`: one GLB
// of the character with the performance as an animation clip per video. Cheap checks (arguments, ffmpeg, the output
// folder, the character, each video) come before the models load; a video that fails says why and writes nothing.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { NullEngine } from '@babylonjs/core/Engines/nullEngine.js';
import { Logger } from '@babylonjs/core/Misc/logger.js';
import { CpemError, isCpemError } from '../errors/cpem-error.js';
import { FaceEstimator } from '../estimator/face-estimator.js';
import { FaceTracker, type RawImage } from '../tracker/face-tracker.js';
import { assertValidRetargetTable } from '../retarget/validate.js';
import { bakeTable } from './bake-table.js';
import { loadSerializer } from '../recording/take-glb.js';
import type { RetargetTable } from '../retarget/retarget-table.js';
import { ProgressBar } from '../node/progress-bar.js';
import { bakeVideo, loadCharacter, type BakeVideoResult } from './bake-video.node.js';
import { assertFfmpeg, probeClip } from './video-decode.node.js';
import { prepareOutputDir } from '../../bin/output-dir.mjs';

export const BAKE_USAGE = `usage: npx babylon-cpem bake VIDEO... --character CHAR.glb --out DIR [options]
  --table TABLE.json       retarget table (default: autoMap of the character's morph targets and head)
  --fps N                  resample each video to N frames a second (default: its own rate)
  --max-frames N           bake at most N frames of each video
  --csv                    also write NAME.csv (Live Link Face columns) and NAME.units.json (the 46 units)
  --tolerance X            keyframe reduction: largest influence error (default 0.01)
  --rotation-tolerance D   keyframe reduction: largest head rotation error in degrees (default 0.5)
  --no-smoothing           no One Euro filter (default: units 2 Hz / beta 1, pose 1 Hz, as the behavior)
  --no-calibration         no identity lock and per-user neutral (default: the first 2 s, as the behavior)
  --calibration-ms N       how long calibration collects (default 2000)
  --backend wasm|cpu       TF.js backend (default wasm)`;

/** Where the command writes (stdout for results, stderr for progress and problems). */
export interface BakeIo {
  out: { write(s: string): unknown };
  err: { write(s: string): unknown; isTTY?: boolean };
}

interface BakeArgs {
  videos: string[];
  character: string;
  table?: string;
  out: string;
  fps?: number;
  maxFrames?: number;
  csv: boolean;
  tolerance?: number;
  rotationTolerance?: number;
  smoothing: boolean;
  calibration: boolean;
  calibrationMs?: number;
  backend: 'wasm' | 'cpu';
}

class UsageError extends Error {}

/** The bake command's options, parsed strictly (an unknown option or a missing value throws). */
function parseBakeArgs(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      character: { type: 'string' },
      table: { type: 'string' },
      out: { type: 'string' },
      fps: { type: 'string' },
      'max-frames': { type: 'string' },
      csv: { type: 'boolean' },
      tolerance: { type: 'string' },
      'rotation-tolerance': { type: 'string' },
      'no-smoothing': { type: 'boolean' },
      'no-calibration': { type: 'boolean' },
      'calibration-ms': { type: 'string' },
      backend: { type: 'string' },
    },
  });
}

function readArgs(argv: string[]): BakeArgs {
  let parsed: ReturnType<typeof parseBakeArgs>;
  try {
    parsed = parseBakeArgs(argv);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const v = parsed.values;
  const num = (key: string, min: number): number | undefined => {
    const raw = (v as Record<string, string | undefined>)[key];
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min)
      throw new UsageError(`--${key} must be a number >= ${min}; got ${JSON.stringify(raw)}`);
    return n;
  };
  if (parsed.positionals.length === 0) throw new UsageError('name at least one VIDEO');
  if (!v.character) throw new UsageError('--character CHAR.glb is required');
  if (!v.out) throw new UsageError('--out DIR is required');
  const backend = v.backend ?? 'wasm';
  if (backend !== 'wasm' && backend !== 'cpu')
    throw new UsageError(`--backend must be wasm or cpu; got ${JSON.stringify(backend)}`);
  return {
    videos: parsed.positionals,
    character: v.character,
    table: v.table,
    out: v.out,
    fps: num('fps', 1),
    maxFrames: num('max-frames', 1),
    csv: v.csv === true,
    tolerance: num('tolerance', 0),
    rotationTolerance: num('rotation-tolerance', 0),
    smoothing: !v['no-smoothing'],
    calibration: !v['no-calibration'],
    calibrationMs: num('calibration-ms', 0),
    backend,
  };
}

/** Creates `dir` when missing and proves it writable (bin/output-dir.mjs); OUTPUT_UNWRITABLE otherwise. */
export function prepareOutputFolder(dir: string): string {
  try {
    return prepareOutputDir(dir, '--out');
  } catch (e) {
    throw new CpemError('OUTPUT_UNWRITABLE', (e as Error).message, { cause: e });
  }
}

function readTable(file: string): RetargetTable {
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new CpemError('RETARGET_TABLE_INVALID', `cannot read the retarget table ${file}: ${(e as Error).message}.`, {
      cause: e,
    });
  }
  return assertValidRetargetTable(json);
}

const fmt = (n: number, d = 1) => n.toFixed(d);

/**
 * Runs the bake command with `argv` (the arguments after `bake`). Resolves to the exit status: 0 when every video was
 * baked, 1 when any failed (each failure printed as `VIDEO: CODE: message`), 2 for bad arguments.
 */
export async function runBakeCli(
  argv: string[],
  io: BakeIo = { out: process.stdout, err: process.stderr },
): Promise<number> {
  let args: BakeArgs;
  try {
    args = readArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err.write(`${e.message}\n${BAKE_USAGE}\n`);
    return 2;
  }
  const fail = (e: unknown, what = 'bake'): number => {
    io.err.write(`${what}: ${isCpemError(e) ? `${e.code}: ` : ''}${(e as Error).message}\n`);
    return 1;
  };
  Logger.LogLevels = Logger.ErrorLogLevel;
  const engine = new NullEngine();
  let estimator: FaceEstimator<RawImage> | null = null;
  try {
    // Cheap checks first: nothing is loaded or decoded before ffmpeg, the output folder and the character are known good.
    assertFfmpeg();
    await loadSerializer();
    prepareOutputFolder(args.out);
    if (!fs.existsSync(args.character))
      throw new CpemError('INVALID_ARGUMENT', `no such character file: ${args.character}`);
    const bytes = new Uint8Array(fs.readFileSync(args.character));
    const character = { engine, bytes, name: path.basename(args.character) };
    const table = args.table ? readTable(args.table) : undefined;
    const probe = await loadCharacter(engine, bytes, character.name);
    let carried: ReturnType<typeof bakeTable>;
    try {
      carried = bakeTable(probe.character, table);
    } finally {
      probe.scene.dispose();
    }
    if (!carried.morphTargets)
      io.err.write(`${character.name}: no morph targets the table drives; the clips carry head rotation only.\n`);
    if (!carried.head) io.err.write(`${character.name}: no head node; the clips carry morph targets only.\n`);

    const videos: string[] = [];
    let failed = 0;
    for (const video of args.videos) {
      try {
        probeClip(video);
        videos.push(video);
      } catch (e) {
        failed += fail(e, video);
      }
    }
    if (videos.length === 0) return 1;

    const tracker = await FaceTracker.create({ backend: args.backend });
    estimator = await FaceEstimator.create<RawImage>({
      tracker,
      smoothing: args.smoothing ? {} : false,
      calibration: args.calibration
        ? args.calibrationMs !== undefined
          ? { durationMs: args.calibrationMs }
          : {}
        : false,
    });
    const tolerance = {
      influence: args.tolerance,
      rotation: args.rotationTolerance === undefined ? undefined : (args.rotationTolerance * Math.PI) / 180,
    };
    for (const video of videos) {
      let bar: ProgressBar | null = null;
      try {
        const result: BakeVideoResult = await bakeVideo(video, character, estimator, args.out, {
          fps: args.fps,
          maxFrames: args.maxFrames,
          table,
          csv: args.csv,
          tolerance: {
            ...(tolerance.influence !== undefined ? { influence: tolerance.influence } : {}),
            ...(tolerance.rotation !== undefined ? { rotation: tolerance.rotation } : {}),
          },
          onProgress: (done, expected) => {
            bar ??= new ProgressBar(expected, `bake ${path.basename(video)}`, io.err);
            bar.update(done);
          },
        });
        const r = result.recorded.clip.report;
        const fps = result.frames / result.processSeconds;
        const clipFps = args.fps ?? result.info.fps;
        io.out.write(
          `${result.files.join(', ')}: ${result.frames} frames (${result.facesFound} with a face, ${result.recorded.clip.gaps.length} gaps), ` +
            `${fmt(result.recorded.clip.durationMs / 1000, 2)} s; keys ${r.keysBefore} -> ${r.keysAfter} (largest error: influence ${fmt(r.maxInfluenceError, 4)}, ` +
            `rotation ${fmt((r.maxRotationError * 180) / Math.PI, 3)} deg); ${fmt(fps)} frames/s = ${fmt(fps / clipFps, 2)} x real time\n`,
        );
        for (const line of result.recorded.skipped) io.err.write(`${path.basename(video)}: skipped ${line}\n`);
      } catch (e) {
        failed += fail(e, video);
      }
    }
    return failed > 0 ? 1 : 0;
  } catch (e) {
    return fail(e);
  } finally {
    estimator?.dispose();
    engine.dispose();
  }
}
