#!/usr/bin/env node
// Renders the labelled real frames of test/data/real-frame-labels.json as contact sheets, each tile captioned
// with its frame index and non-zero labels, so the labels can be checked by eye. Needs ../shared and ffmpeg.
//   node tools/label-sheet.mjs [CLIP.mp4 ...]   → .cache/label-sheets/<clip>.png
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { readCliArgs } from '../training/node/cli-args.mjs';
import { sharedPath } from '../training/node/shared-path.mjs';

const requested = readCliArgs(
  {},
  { usage: 'usage: node tools/label-sheet.mjs [CLIP.mp4 ...]', positionals: [0, Infinity] },
)._;
const labels = JSON.parse(fs.readFileSync('test/data/real-frame-labels.json', 'utf8'));
const videos = path.resolve(sharedPath('videos'));
if (!fs.existsSync(videos)) {
  console.error('../shared/videos is absent: nothing to render.');
  process.exit(1);
}
const short = {
  eyesClosed: 'E',
  browsRaised: 'BR',
  browInnerUp: 'BI',
  browsLowered: 'BL',
  jawOpen: 'J',
  pucker: 'P',
  smile: 'S',
  frown: 'F',
  noseWrinkle: 'N',
  cheekPuff: 'C',
  chinRaise: 'CR',
};
const clips = requested.length ? requested : Object.keys(labels.clips);
const out = path.join('.cache', 'label-sheets');
fs.mkdirSync(out, { recursive: true });
for (const clip of clips) {
  const frames = labels.frames.filter((f) => f.clip === clip);
  if (frames.length === 0) continue;
  const caption = (f) =>
    `${f.frame} ${
      f.neutral
        ? 'neutral'
        : Object.entries(f.labels)
            .filter(([, v]) => v > 0)
            .map(([k, v]) => `${short[k]}${v}`)
            .join(' ')
    }`;
  const select = frames.map((f) => `eq(n\\,${f.frame})`).join('+');
  const texts = frames
    .map(
      (f, i) =>
        `drawtext=text='${caption(f)}':enable='eq(n\\,${i})':x=4:y=4:fontsize=16:fontcolor=yellow:box=1:boxcolor=black@0.7`,
    )
    .join(',');
  const cols = 6;
  const rows = Math.ceil(frames.length / cols);
  const file = path.join(out, `${clip.replace(/\.mp4$/, '')}.png`);
  execFileSync('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-i',
    path.join(videos, clip),
    '-vf',
    `select='${select}',scale=240:240:force_original_aspect_ratio=decrease,pad=240:240:(ow-iw)/2:(oh-ih)/2,setpts=N/TB,${texts},tile=${cols}x${rows}`,
    '-frames:v',
    '1',
    '-fps_mode',
    'vfr',
    file,
  ]);
  console.log(`${file} (${frames.length} frames, split: ${labels.clips[clip].split})`);
}
