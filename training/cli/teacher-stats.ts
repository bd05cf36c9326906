// `npm run teacher:stats [-- --dir DIR]`: what the cached teacher tracks (.cache/teacher, npm run teacher) hold, as
// the Markdown tables in docs/teacher.md: per clip, frames, face rate, agreement with the landmark track (frame
// count, and the landmark distance at frame offsets -1, 0, +1, which is smallest at 0 when frame k is frame k);
// per unit, the mean and 99th percentile of its teacher counterpart over every frame with a face; against the by-eye
// labels (test/data/real-frame-labels.json), how well each category's counterpart reads; and which side the
// teacher's Left/Right scores follow.
import fs from 'node:fs';
import path from 'node:path';
import { CpemError } from '../../plugin/errors/cpem-error.js';
import { EXPRESSION_UNITS } from '../../plugin/units/expression-units.js';
import { decodeLandmarkTrack, type LandmarkTrack } from '../lib/data/landmark-track.js';
import { decodeTeacherTrack, MEDIAPIPE_BLENDSHAPES, type TeacherTrack } from '../lib/data/teacher-track.js';
import { TEACHER_UNIT_TABLE } from '../lib/data/teacher-units.js';
import { ACTIVE_LABEL, pearson } from '../lib/eval/real-frame-eval.js';
import { quantileSorted } from '../lib/eval/quantile.js';
import { readCliArgs, readLabelSet, runCli } from '../node/cli-support.js';
import { sharedDirOrNull } from '../node/shared-data.js';
import { trackFileFor } from '../node/track-cache.js';
import { NUM_MESH_POINTS } from '../../plugin/constants.js';

const USAGE = 'usage: npm run teacher:stats [-- --dir DIR]';
/** A unit whose 99th percentile is below this is "always ~0". */
const NEAR_ZERO = 0.05;
/** A counterpart "reads" a labelled category at this share of the label's mean where shown and this correlation. */
const READS_RATIO = 0.5;
const READS_R = 0.3;
/** Frames with the head turned less than this (degrees) count as frontal. */
const FRONTAL_YAW = 6;

const fmt = (v: number, d = 3) => (Number.isFinite(v) ? v.toFixed(d) : '–');

/** Mean distance of the 468 mesh points of two landmark sets, over the distance between the outer eye corners. */
function meshDistance(a: Float32Array, b: Float32Array): number {
  const eye = Math.hypot(a[3 * 263] - a[3 * 33], a[3 * 263 + 1] - a[3 * 33 + 1]);
  let sum = 0;
  for (let i = 0; i < NUM_MESH_POINTS; i++) sum += Math.hypot(a[3 * i] - b[3 * i], a[3 * i + 1] - b[3 * i + 1]);
  return sum / NUM_MESH_POINTS / eye;
}

/**
 * Geometry of a face in the image, in a frame aligned with the eyes: x from the image-left eye's outer corner
 * (mesh 33) to the image-right one's (263), y down, unit = that distance.
 */
function faceGeometry(l: Float32Array) {
  const p = (i: number) => [l[3 * i], l[3 * i + 1]] as const;
  const [ax, ay] = p(33);
  const [bx, by] = p(263);
  const d = Math.hypot(bx - ax, by - ay);
  const ux = (bx - ax) / d,
    uy = (by - ay) / d;
  const cx = (ax + bx) / 2,
    cy = (ay + by) / 2;
  const local = (i: number) => {
    const [x, y] = p(i);
    return { x: ((x - cx) * ux + (y - cy) * uy) / d, y: (-(x - cx) * uy + (y - cy) * ux) / d };
  };
  const gap = (top: number, bottom: number, c1: number, c2: number) => {
    const t = local(top),
      b = local(bottom),
      e1 = local(c1),
      e2 = local(c2);
    return Math.hypot(t.x - b.x, t.y - b.y) / Math.hypot(e1.x - e2.x, e1.y - e2.y);
  };
  return {
    /** Lid gap over eye width: the eye on the image's left (mesh 159/145, corners 33/133) and right (386/374, 263/362). */
    openImageLeft: gap(159, 145, 33, 133),
    openImageRight: gap(386, 374, 263, 362),
    /** Height of the mouth corners above the eye line (61 image-left, 291 image-right). */
    cornerUpImageLeft: -local(61).y,
    cornerUpImageRight: -local(291).y,
    /** Mouth centre (lip midpoints 13/14) and chin (152) to the image's right of the midline between the eyes (168). */
    mouthToImageRight: (local(13).x + local(14).x) / 2 - local(168).x,
    chinToImageRight: local(152).x - local(168).x,
  };
}

function readTrack(file: string): LandmarkTrack | null {
  if (!fs.existsSync(file)) return null;
  try {
    return decodeLandmarkTrack(new Uint8Array(fs.readFileSync(file)));
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  const opts = readCliArgs({ dir: 'string' }, { usage: USAGE });
  const dir = opts.dir ?? path.join('.cache', 'teacher');
  const files = fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .filter((f) => f.endsWith('.teacher'))
        .sort()
    : [];
  if (files.length === 0)
    throw new CpemError('INVALID_ARGUMENT', `No teacher tracks in ${dir}: run npm run teacher first.`);
  const shared = sharedDirOrNull();
  const tracks: TeacherTrack[] = files.map((f) =>
    decodeTeacherTrack(new Uint8Array(fs.readFileSync(path.join(dir, f)))),
  );
  for (const t of tracks) {
    if (t.header.blendshapes.join() !== MEDIAPIPE_BLENDSHAPES.join())
      throw new CpemError('INVALID_ARGUMENT', `${t.header.video.file}: blendshapes in another order than the model's.`);
  }

  // Clips.
  console.log(`## Clips (${tracks.length})\n`);
  console.log('| clip | size | frames | face | landmark track | teacher ↔ tracker landmarks at offset −1 / 0 / +1 |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  let frames = 0,
    faces = 0,
    incomplete = 0;
  for (const t of tracks) {
    const h = t.header;
    frames += t.frames.length;
    const n = t.frames.filter((f) => f.face).length;
    faces += n;
    if (!h.complete) incomplete++;
    const video = shared ? path.join(shared, 'videos', h.video.file) : null;
    const track = video && fs.existsSync(video) ? readTrack(trackFileFor(video)) : null;
    let agree = 'none';
    let lags = '';
    if (track) {
      agree = track.frames.length === t.frames.length ? 'same count' : `**${track.frames.length} frames**`;
      lags = [-1, 0, 1]
        .map((lag) => {
          const d: number[] = [];
          for (const f of t.frames) {
            const g = track.frames[f.index + lag];
            if (f.face && g && g.status === 'ok') d.push(meshDistance(f.landmarks, g.landmarks));
          }
          return fmt(
            quantileSorted(
              d.sort((a, b) => a - b),
              0.5,
            ),
          );
        })
        .join(' / ');
    }
    console.log(
      `| ${h.video.file} | ${h.video.width}×${h.video.height} | ${t.frames.length}${h.complete ? '' : ' (partial)'} | ${((100 * n) / Math.max(1, t.frames.length)).toFixed(1)} % | ${agree} | ${lags} |`,
    );
  }
  console.log(
    `\n${frames} frames, ${faces} with a face (${((100 * faces) / frames).toFixed(1)} %)${incomplete ? `; ${incomplete} partial clips` : ''}. Landmark distances: median over frames of the mean distance of the 468 mesh points, in units of the outer-eye-corner distance.\n`,
  );

  // Per unit: the counterpart's value over every face frame.
  const faceFrames = tracks.flatMap((t) => t.frames.filter((f) => f.face));
  const counterpart = (row: (typeof TEACHER_UNIT_TABLE)[number], scores: Float32Array) => {
    if (!row.counterpart.length) return NaN;
    return (
      row.counterpart.reduce(
        (s, n) => s + scores[MEDIAPIPE_BLENDSHAPES.indexOf(n as (typeof MEDIAPIPE_BLENDSHAPES)[number])],
        0,
      ) / row.counterpart.length
    );
  };
  console.log(`## Units (${faceFrames.length} frames with a face)\n`);
  console.log('| # | unit | teacher | target | mean | p99 | max |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  const nearZero: string[] = [];
  TEACHER_UNIT_TABLE.forEach((row, u) => {
    const v = Float32Array.from(faceFrames, (f) => counterpart(row, f.blendshapes)).sort();
    const mean = v.reduce((s, x) => s + x, 0) / v.length;
    const p99 = quantileSorted(v, 0.99);
    if (row.counterpart.length && p99 < NEAR_ZERO) nearZero.push(row.unit);
    console.log(
      `| ${u} | ${row.unit} | ${row.counterpart.length ? row.counterpart.join(' + ') : 'none'} | ${row.from.length ? 'yes' : '**masked**'} | ${fmt(mean)} | ${fmt(p99)} | ${fmt(v[v.length - 1])} |`,
    );
  });
  console.log(
    `\nUnits whose teacher counterpart stays below ${NEAR_ZERO} on 99 % of frames: ${nearZero.join(', ') || 'none'}.`,
  );
  const rawNearZero = MEDIAPIPE_BLENDSHAPES.filter(
    (_, i) => quantileSorted(Float32Array.from(faceFrames, (f) => f.blendshapes[i]).sort(), 0.99) < NEAR_ZERO,
  );
  console.log(
    `Teacher scores below ${NEAR_ZERO} on 99 % of frames: ${rawNearZero.join(', ')}; largest noseSneer anywhere: ${fmt(Math.max(...faceFrames.map((f) => Math.max(f.blendshapes[MEDIAPIPE_BLENDSHAPES.indexOf('noseSneerLeft')], f.blendshapes[MEDIAPIPE_BLENDSHAPES.indexOf('noseSneerRight')]))), 4)}.\n`,
  );

  // Against the by-eye labels: each category's value is the mean of its units' teacher counterparts.
  const labels = readLabelSet();
  const byClip = new Map(tracks.map((t) => [t.header.video.file, t]));
  const unitIndex = new Map(EXPRESSION_UNITS.map((u, i) => [u as string, i]));
  console.log('## Against the by-eye labels\n');
  const found = labels.frames.filter((f) => byClip.get(f.clip)?.frames[f.frame]?.face);
  console.log(
    `${found.length} of ${labels.frames.length} labelled frames have a teacher face. Category value = mean of its units' teacher counterparts (masked units included, to show why they are masked).\n`,
  );
  console.log(
    `A counterpart reads a category when, on the frames that show it, its mean is at least ${READS_RATIO} of the labels' mean and it correlates with the labels at ${READS_R} or more.\n`,
  );
  console.log(
    `| category | units | target | frames shown (label ≥ ${ACTIVE_LABEL}) | teacher mean where shown | mean label there | teacher mean on neutral frames | correlation | reads |`,
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const [cat, units] of Object.entries(labels.categories)) {
    const rows = units.map((u) => TEACHER_UNIT_TABLE[unitIndex.get(u)!]);
    const value = (scores: Float32Array) => rows.reduce((s, r) => s + counterpart(r, scores), 0) / rows.length;
    const pairs: Array<[number, number]> = [];
    const shown: number[] = [],
      shownLabel: number[] = [],
      neutral: number[] = [];
    for (const f of found) {
      const v = value(byClip.get(f.clip)!.frames[f.frame].blendshapes);
      pairs.push([v, f.labels[cat]]);
      if (f.labels[cat] >= ACTIVE_LABEL) {
        shown.push(v);
        shownLabel.push(f.labels[cat]);
      }
      if (f.neutral) neutral.push(v);
    }
    const mean = (a: number[]) => a.reduce((s, x) => s + x, 0) / a.length;
    const target = rows.every((r) => r.from.length) ? 'yes' : rows.some((r) => r.from.length) ? 'partly' : '**masked**';
    const r = pearson(pairs);
    const reads = shown.length
      ? mean(shown) >= READS_RATIO * mean(shownLabel) && r >= READS_R
        ? 'yes'
        : 'no'
      : 'no labels';
    console.log(
      `| ${cat} | ${units.join(', ')} | ${target} | ${shown.length} | ${fmt(mean(shown))} | ${fmt(mean(shownLabel), 2)} | ${fmt(mean(neutral))} | ${fmt(r, 2)} | ${reads} |`,
    );
  }

  // Sides: does the teacher's …Left follow the face on the image's right (the subject's left, unmirrored video)?
  console.log('\n## Sides\n');
  const idx = (n: string) => MEDIAPIPE_BLENDSHAPES.indexOf(n as (typeof MEDIAPIPE_BLENDSHAPES)[number]);
  // Head yaw from the transformation matrix (column-major rotation), degrees; a turned head moves the mouth and chin
  // across the eye line's midpoint in the image, so those two checks use near-frontal frames only.
  const yaw = (m: Float32Array) => (Math.atan2(m[8], m[10]) * 180) / Math.PI;
  const frontal = faceFrames.filter((f) => Math.abs(yaw(f.matrix)) < FRONTAL_YAW);
  const pairsOf = (
    set: typeof faceFrames,
    fn: (s: Float32Array, g: ReturnType<typeof faceGeometry>) => [number, number],
  ) => set.map((f) => fn(f.blendshapes, faceGeometry(f.landmarks)));
  const checks: Array<[string, Array<[number, number]>]> = [
    [
      `eyeBlinkLeft − eyeBlinkRight vs lid gap of the image-left eye − image-right eye (${faceFrames.length} frames)`,
      pairsOf(faceFrames, (s, g) => [
        s[idx('eyeBlinkLeft')] - s[idx('eyeBlinkRight')],
        g.openImageLeft - g.openImageRight,
      ]),
    ],
    [
      `mouthSmileLeft − mouthSmileRight vs height of the image-right mouth corner − image-left corner (${faceFrames.length} frames)`,
      pairsOf(faceFrames, (s, g) => [
        s[idx('mouthSmileLeft')] - s[idx('mouthSmileRight')],
        g.cornerUpImageRight - g.cornerUpImageLeft,
      ]),
    ],
    [
      `mouthLeft − mouthRight vs mouth centre towards the image's right (${frontal.length} frames with |yaw| < ${FRONTAL_YAW}°)`,
      pairsOf(frontal, (s, g) => [s[idx('mouthLeft')] - s[idx('mouthRight')], g.mouthToImageRight]),
    ],
    [
      `jawLeft − jawRight vs chin towards the image's right (${frontal.length} frames with |yaw| < ${FRONTAL_YAW}°)`,
      pairsOf(frontal, (s, g) => [s[idx('jawLeft')] - s[idx('jawRight')], g.chinToImageRight]),
    ],
  ];
  console.log(
    "Correlations (positive: the teacher's Left is the image's right, the subject's own left in an unmirrored video):\n",
  );
  for (const [what, pairs] of checks) console.log(`- ${what}: ${fmt(pearson(pairs), 2)}`);
  console.log(
    `- jawLeft − jawRight vs head yaw (${faceFrames.length} frames): ${fmt(pearson(faceFrames.map((f) => [f.blendshapes[idx('jawLeft')] - f.blendshapes[idx('jawRight')], yaw(f.matrix)])), 2)}; mouthLeft − mouthRight vs head yaw: ${fmt(pearson(faceFrames.map((f) => [f.blendshapes[idx('mouthLeft')] - f.blendshapes[idx('mouthRight')], yaw(f.matrix)])), 2)}`,
  );
  const clipOf = (f: (typeof faceFrames)[number]) => tracks.find((tr) => tr.frames.includes(f))!.header.video.file;
  const jawMax = faceFrames.reduce((m, f) => (f.blendshapes[idx('jawLeft')] > m.blendshapes[idx('jawLeft')] ? f : m));
  console.log(
    `- largest jawLeft: ${clipOf(jawMax)} frame ${jawMax.index}: ${fmt(jawMax.blendshapes[idx('jawLeft')], 2)} with the head turned ${fmt(yaw(jawMax.matrix), 1)}° (yaw); largest jawRight anywhere ${fmt(Math.max(...faceFrames.map((f) => f.blendshapes[idx('jawRight')])), 3)}`,
  );
  const asym = faceFrames
    .map((f, i) => ({ f, i, d: f.blendshapes[idx('eyeBlinkLeft')] - f.blendshapes[idx('eyeBlinkRight')] }))
    .sort((a, b) => Math.abs(b.d) - Math.abs(a.d))
    .slice(0, 3);
  for (const a of asym) {
    const g = faceGeometry(a.f.landmarks);
    console.log(
      `- most one-sided blink: ${clipOf(a.f)} frame ${a.f.index}: eyeBlinkLeft ${fmt(a.f.blendshapes[idx('eyeBlinkLeft')], 2)}, eyeBlinkRight ${fmt(a.f.blendshapes[idx('eyeBlinkRight')], 2)}; lid gap image-left eye ${fmt(g.openImageLeft, 2)}, image-right eye ${fmt(g.openImageRight, 2)}`,
    );
  }
}

runCli(main);
