// The offline bake (npx babylon-cpem bake) in Node, wasm: a 512 px clip from ../shared/videos baked onto the
// ../shared avatar, three times with one estimator. Frames a second over decoding, tracking, estimating and recording
// (the first run warms the models up and is left out), against the clip's own frame rate: the real-time factor. Also
// the whole file's time (character load and GLB export included), the keys the reduction kept and the tensor count
// after the runs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { NullEngine } from '@babylonjs/core/Engines/nullEngine.js';
import { Logger } from '@babylonjs/core/Misc/logger.js';
import { FaceTracker, type RawImage } from '../plugin/tracker/face-tracker.js';
import { FaceEstimator } from '../plugin/estimator/face-estimator.js';
import { bakeVideo } from '../plugin/bake/bake-video.node.js';
import type { BenchFunction, BenchRow } from './support/bench-types.js';

export const BAKE_BENCH_CLIP = 'liveportrait_d0.mp4';
const RUNS = 3;

const run: BenchFunction = async ({ sharedDir, log }) => {
  const clip = sharedDir ? path.join(sharedDir, 'videos', BAKE_BENCH_CLIP) : null;
  const avatar = sharedDir ? path.join(sharedDir, 'avatars', 'rpm_brunette-t.glb') : null;
  if (!clip || !avatar || !fs.existsSync(clip) || !fs.existsSync(avatar)) {
    return [
      {
        bench: 'bake',
        case: 'video → GLB',
        unit: 'fps',
        note: `skipped: needs ../shared/videos/${BAKE_BENCH_CLIP} and ../shared/avatars/rpm_brunette-t.glb`,
      },
    ];
  }
  Logger.LogLevels = Logger.ErrorLogLevel;
  const engine = new NullEngine();
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'cpem-bake-bench-'));
  const tracker = await FaceTracker.create({ backend: 'wasm' });
  const estimator = await FaceEstimator.create<RawImage>({ tracker });
  const character = { engine, bytes: new Uint8Array(fs.readFileSync(avatar)), name: 'rpm_brunette-t.glb' };
  const fps: number[] = [];
  const cpuFps: number[] = [];
  const whole: number[] = [];
  const tensors: number[] = [];
  let last: Awaited<ReturnType<typeof bakeVideo>> | null = null;
  try {
    for (let r = 0; r < RUNS; r++) {
      const t0 = performance.now();
      last = await bakeVideo(clip, character, estimator, out);
      whole.push((performance.now() - t0) / 1000);
      fps.push(last.frames / last.processSeconds);
      cpuFps.push(last.frames / last.processCpuSeconds);
      tensors.push(tf.memory().numTensors);
      log(
        `  bake run ${r + 1}: ${last.frames} frames, ${fps[r].toFixed(1)} frames/s (${cpuFps[r].toFixed(1)} a CPU second), ${whole[r].toFixed(1)} s in all, ${tensors[r]} tensors after`,
      );
    }
  } finally {
    estimator.dispose();
    engine.dispose();
    fs.rmSync(out, { recursive: true, force: true });
  }
  const info = last!.info;
  const steady = fps.slice(1);
  const mean = steady.reduce((a, b) => a + b, 0) / steady.length;
  const cpuMean = cpuFps.slice(1).reduce((a, b) => a + b, 0) / steady.length;
  const load = os.loadavg()[0];
  const report = last!.recorded.clip.report;
  const note =
    `${BAKE_BENCH_CLIP} ${info.width}×${info.height} at ${info.fps} fps, ${last!.frames} frames; runs 2-${RUNS} (run 1 warms up); ` +
    `${os.cpus().length} cores, load average ${load.toFixed(1)}`;
  const rows: BenchRow[] = [
    {
      bench: 'bake',
      case: 'decode + track + estimate + record',
      backend: 'wasm',
      unit: 'fps',
      mean,
      value: mean,
      n: steady.length,
      note,
    },
    {
      bench: 'bake',
      case: 'real-time factor (fps / clip fps)',
      backend: 'wasm',
      unit: 'x',
      value: mean / info.fps,
      n: steady.length,
      note,
    },
    {
      bench: 'bake',
      case: 'frames per CPU second (user + system)',
      backend: 'wasm',
      unit: 'fps',
      value: cpuMean,
      n: steady.length,
      note: `this process only (ffmpeg decodes in its own); real-time factor on an otherwise idle core: ${(cpuMean / info.fps).toFixed(2)}`,
    },
    {
      bench: 'bake',
      case: 'whole file (load character, bake, export GLB)',
      backend: 'wasm',
      unit: 's',
      mean: whole.slice(1).reduce((a, b) => a + b, 0) / steady.length,
      n: steady.length,
      note,
    },
    {
      bench: 'bake',
      case: 'keys kept by the reduction',
      unit: 'keys',
      value: report.keysAfter,
      note: `of ${report.keysBefore}; largest error influence ${report.maxInfluenceError.toFixed(4)}, rotation ${((report.maxRotationError * 180) / Math.PI).toFixed(3)}°`,
    },
    {
      bench: 'bake',
      case: 'tensors gained between bakes',
      unit: 'tensors',
      value: Math.max(...tensors.slice(2).map((n, i) => n - tensors[i + 1])),
      note: `after each run: ${tensors.join(', ')}`,
    },
  ];
  return rows;
};
export default run;
