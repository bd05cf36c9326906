// `npm run track -- VIDEO [--out FILE] [--fps N] [--backend wasm|cpu] [--max-frames N]`: tracks the face in a video
// (decoded by Debian's ffmpeg) and writes a landmark-track file (training/lib/data/landmark-track.ts, docs/tracking.md).
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { FaceTracker } from '../../plugin/tracker/face-tracker.js';
import type { TrackerBackend } from '../../plugin/tracker/backend.js';
import { CpemError } from '../../plugin/errors/cpem-error.js';
import { decodeVideo, probeVideo } from '../../plugin/node/ffmpeg-frames.js';
import { encodeLandmarkTrack, makeTrackHeader, type LandmarkTrackFrame } from '../lib/data/landmark-track.js';
import { ProgressBar } from '../../plugin/node/progress-bar.js';
import { readCliArgs, runCli } from '../node/cli-support.js';
import { outputFile } from '../node/output-folders.js';
import { NUM_FACE_LANDMARKS } from '../../plugin/constants.js';

const USAGE = 'usage: npm run track -- VIDEO [--out FILE] [--fps N] [--backend wasm|cpu] [--max-frames N]';

function parseArgs(): { video: string; out: string; fps?: number; backend: TrackerBackend; maxFrames?: number } {
  const opts = readCliArgs(
    { out: 'string', fps: 'string', backend: 'string', 'max-frames': 'string' },
    { usage: USAGE, positionals: 1 },
  );
  const num = (k: 'fps' | 'max-frames') => {
    if (opts[k] === undefined) return undefined;
    const n = Number(opts[k]);
    if (!(n > 0)) throw new CpemError('INVALID_ARGUMENT', `--${k} must be a positive number; got ${opts[k]}.`);
    return n;
  };
  const video = opts._[0];
  const backend = (opts.backend ?? 'wasm') as TrackerBackend;
  if (backend !== 'wasm' && backend !== 'cpu')
    throw new CpemError('INVALID_ARGUMENT', `--backend must be wasm or cpu in Node; got ${backend}.`);
  return {
    video,
    out: opts.out ?? `${path.basename(video, path.extname(video))}.lmtrack`,
    fps: num('fps'),
    backend,
    maxFrames: num('max-frames'),
  };
}

async function main(): Promise<void> {
  const args = parseArgs();
  if (!fs.existsSync(args.video))
    throw new CpemError('INVALID_ARGUMENT', `No such video: ${args.video}. Name an existing video file.`);
  const info = probeVideo(args.video);
  outputFile(args.out);
  const sampledFps = args.fps ?? info.fps;
  const expected = Math.min(
    args.maxFrames ?? Infinity,
    Math.max(1, Math.round(args.fps ? info.duration * args.fps : info.frames)),
  );
  const tracker = await FaceTracker.create({ backend: args.backend });
  const bar = new ProgressBar(expected, `track ${path.basename(args.video)}`, process.stderr);
  const frames: LandmarkTrackFrame[] = [];
  let faces = 0,
    ms = 0;
  const tensorsBefore = tf.memory().numTensors;
  for await (const frame of decodeVideo(args.video, { fps: args.fps, maxFrames: args.maxFrames })) {
    const r = await tracker.track({ data: frame.data, width: frame.width, height: frame.height, channels: 3 });
    ms += r.timings.total;
    const face = r.faces[0];
    if (face) faces++;
    frames.push({
      index: frame.index,
      time: frame.time,
      status: face ? 'ok' : 'no-face',
      confidence: face?.confidence ?? 0,
      box: face ? face.box : { x: 0, y: 0, width: 0, height: 0 },
      landmarks: face ? face.landmarks : new Float32Array(NUM_FACE_LANDMARKS * 3),
    });
    bar.update(Math.min(frames.length, expected), `${faces} with a face, ${(ms / frames.length).toFixed(1)} ms/frame`);
  }
  if (frames.length < expected) bar.update(expected, `${faces} with a face (clip ended at ${frames.length} frames)`);
  const grown = tf.memory().numTensors - tensorsBefore;
  tracker.dispose();
  const header = makeTrackHeader(
    {
      video: {
        file: path.basename(args.video),
        width: info.width,
        height: info.height,
        fps: info.fps,
        frames: info.frames,
      },
      sampledFps,
      tracker: {
        backend: tracker.backend,
        models: '@vladmandic/human models/{blazeface,facemesh,iris}',
        minConfidence: 0.5,
      },
    },
    frames,
  );
  const bytes = encodeLandmarkTrack(header, frames);
  fs.writeFileSync(args.out, bytes);
  console.log(
    `${args.out}: ${frames.length} frames (${faces} with a face), ${info.width}×${info.height} at ${sampledFps.toFixed(2)} fps, ${(bytes.length / 1e6).toFixed(1)} MB; ${(ms / Math.max(1, frames.length)).toFixed(1)} ms/frame on ${tracker.backend}; tensors grew by ${grown}`,
  );
}

runCli(main);
