#!/usr/bin/env node
// Renders chosen frames of a clip as a contact sheet cropped to the face, each tile captioned with its 0-based
// decoded frame index and time, for labelling frames by eye. Needs ../shared, ffmpeg and the clip's landmark
// track (.cache/tracks/<clip>.<content key>.lmtrack, made by `npm run track`), whose face boxes give the crop.
//   node tools/frame-sheet.mjs CLIP.mp4 (--frames 0,12,40 | --every SECONDS [--from S] [--to S])
//        [--size 256] [--cols 6] [--out FILE.png]
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { readCliArgs } from '../training/node/cli-args.mjs';
import { prepareOutputFile } from '../bin/output-dir.mjs';
import { contentKeyedFile, TRACK_CACHE_VARIANT } from '../training/node/content-key.mjs';
import { sharedPath } from '../training/node/shared-path.mjs';

const USAGE =
  'usage: node tools/frame-sheet.mjs CLIP.mp4 (--frames 0,12,40 | --every SECONDS [--from S] [--to S]) [--size 256] [--cols 6] [--out FILE.png]';
const args = readCliArgs(
  { frames: 'string', every: 'string', from: 'string', to: 'string', size: 'string', cols: 'string', out: 'string' },
  { usage: USAGE, positionals: 1 },
);
const opt = (name, fallback) => args[name] ?? fallback;
const clip = args._[0];
const name = path.basename(clip);
const video = fs.existsSync(clip) ? clip : path.resolve(sharedPath('videos', name));
if (!fs.existsSync(video)) throw new Error(`no such clip: ${video}`);
const trackFile = contentKeyedFile(video, path.join('.cache', 'tracks'), 'lmtrack', TRACK_CACHE_VARIANT);
if (!fs.existsSync(trackFile))
  throw new Error(`no landmark track ${trackFile}: run npm run track -- ${video} --out ${trackFile}`);

// The track's header and per-frame records (training/lib/data/landmark-track.ts): time and face box per frame.
const bytes = fs.readFileSync(trackFile);
const jsonLength = bytes.readUInt32LE(8);
const header = JSON.parse(bytes.subarray(12, 12 + jsonLength).toString('utf8'));
const records = new Float32Array(
  bytes.buffer.slice(bytes.byteOffset + 12 + jsonLength, bytes.byteOffset + bytes.length),
);
const recordAt = (i) => records.subarray(i * header.recordFloats, (i + 1) * header.recordFloats);
const count = header.frameCount;

let frames;
if (opt('frames')) {
  frames = opt('frames').split(',').map(Number);
} else if (opt('every')) {
  const every = Number(opt('every'));
  const from = Number(opt('from', 0));
  const to = Number(opt('to', Infinity));
  frames = [];
  let next = from;
  for (let i = 0; i < count; i++) {
    const t = recordAt(i)[1];
    if (t + 1e-6 >= next && t <= to) {
      frames.push(i);
      next = t + every;
    }
  }
} else {
  console.error(USAGE);
  process.exit(2);
}
frames = frames.filter((f) => Number.isInteger(f) && f >= 0 && f < count).sort((a, b) => a - b);
if (frames.length === 0) throw new Error('no frames selected');

// One square crop for the sheet: the median face-box centre, 1.6 × the largest box side among the frames.
const boxes = frames
  .map((f) => recordAt(f))
  .filter((r) => r[2] === 1)
  .map((r) => ({ cx: r[4] + r[6] / 2, cy: r[5] + r[7] / 2, s: Math.max(r[6], r[7]) }));
const { width, height } = header.video;
const median = (v) => v.sort((a, b) => a - b)[Math.floor(v.length / 2)];
let crop = `crop=${width}:${height}:0:0`;
if (boxes.length) {
  const side = Math.min(width, height, Math.round(1.6 * Math.max(...boxes.map((b) => b.s))));
  const x = Math.round(Math.min(Math.max(median(boxes.map((b) => b.cx)) - side / 2, 0), width - side));
  const y = Math.round(Math.min(Math.max(median(boxes.map((b) => b.cy)) - side / 2, 0), height - side));
  crop = `crop=${side}:${side}:${x}:${y}`;
}
const size = Number(opt('size', 256));
const cols = Number(opt('cols', 6));
const rows = Math.ceil(frames.length / cols);
const select = frames.map((f) => `eq(n\\,${f})`).join('+');
const captions = frames
  .map(
    (f, i) =>
      `drawtext=text='${f}  ${recordAt(f)[1].toFixed(2)}s':enable='eq(n\\,${i})':x=4:y=4:fontsize=${Math.round(size / 14)}:fontcolor=yellow:box=1:boxcolor=black@0.7`,
  )
  .join(',');
const out = opt(
  'out',
  path.join('.cache', 'frame-sheets', `${name.replace(/\.mp4$/, '')}-${frames[0]}-${frames.at(-1)}.png`),
);
try {
  prepareOutputFile(out, '--out');
} catch (e) {
  console.error(`${e.code}: ${e.message}`);
  process.exit(1);
}
execFileSync('ffmpeg', [
  '-v',
  'error',
  '-y',
  '-i',
  video,
  '-vf',
  `select='${select}',${crop},scale=${size}:${size},setpts=N/TB,${captions},tile=${cols}x${rows}`,
  '-frames:v',
  '1',
  '-fps_mode',
  'vfr',
  out,
]);
console.log(`${out}: ${frames.length} frames of ${name} (${frames.join(',')})`);
