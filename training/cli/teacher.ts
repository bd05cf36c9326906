// `npm run teacher -- [VIDEO ...] [--force] [--max-frames N] [--out-dir DIR] [--teacher FILE]`: runs MediaPipe Face
// Landmarker v2 (../shared/teachers, a development-time teacher, never shipped) over every frame of each clip in
// headless Chromium and caches its blendshapes, landmarks and facial transformation matrix per frame in
// .cache/teacher/<clip>.teacher (training/lib/data/teacher-track.ts, docs/teacher.md). Without VIDEO: every clip in
// ../shared/videos. Clips already cached completely with the same teacher are skipped unless --force.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { CpemError } from '../../plugin/errors/cpem-error.js';
import { quantileSorted } from '../lib/eval/quantile.js';
import {
  encodeTeacherTrack,
  decodeTeacherHeader,
  makeTeacherHeader,
  MEDIAPIPE_BLENDSHAPES,
  type TeacherTrackHeader,
} from '../lib/data/teacher-track.js';
import { LANDMARK_TRACK_MAGIC } from '../lib/data/landmark-track.js';
import { probeVideo } from '../../plugin/node/ffmpeg-frames.js';
import { readCliArgs, runCli } from '../node/cli-support.js';
import { sharedDirOrNull } from '../node/shared-data.js';
import { outputDir } from '../node/output-folders.js';
import { trackFileFor } from '../node/track-cache.js';
import { TEACHER_CACHE_DIR, teacherFileFor } from '../node/real-clips.js';
import { ProgressBar } from '../../plugin/node/progress-bar.js';
import { TeacherSession, tasksVisionVersion } from '../teacher/teacher-runner.js';

const USAGE =
  'usage: npm run teacher -- [VIDEO ...] [--force] [--max-frames N] [--max-side PX] [--out-dir DIR] [--teacher FILE]';
const TEACHER_FILE = 'face_landmarker_v2_with_blendshapes.task';
/** Default for --max-side. */
const DEFAULT_MAX_SIDE = 960;

/** The header of a cached teacher track, or null when there is none or it does not read. */
function cachedHeader(file: string): TeacherTrackHeader | null {
  if (!fs.existsSync(file)) return null;
  try {
    return decodeTeacherHeader(readPrefix(file, 1 << 16)).header;
  } catch {
    return null;
  }
}

function readPrefix(file: string, bytes: number): Uint8Array {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(Math.min(bytes, fs.fstatSync(fd).size));
    fs.readSync(fd, buf, 0, buf.length, 0);
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
  } finally {
    fs.closeSync(fd);
  }
}

/** Frame count of the clip's landmark track (.cache/tracks, npm run track), or a reason there is none. */
function trackFrames(video: string): number | string {
  const file = trackFileFor(video);
  if (!fs.existsSync(file)) return 'no landmark track yet';
  try {
    const b = readPrefix(file, 1 << 16);
    if (Buffer.from(b.subarray(0, 8)).toString() !== LANDMARK_TRACK_MAGIC) return `${file} is not a landmark track`;
    const n = Buffer.from(b).readUInt32LE(8);
    return (JSON.parse(Buffer.from(b.subarray(12, 12 + n)).toString()) as { frameCount: number }).frameCount;
  } catch (e) {
    return `${file} does not read (${(e as Error).message})`;
  }
}

function sha256(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

async function main(): Promise<void> {
  const opts = readCliArgs(
    { force: 'boolean', 'max-frames': 'string', 'out-dir': 'string', teacher: 'string', 'max-side': 'string' },
    { usage: USAGE, positionals: [0, Infinity] },
  );
  // Frames larger than this are scaled down before they go to the page (landmarks come back in video pixels): moving
  // 1080p frames into the page cost far more than detection, and the detector and landmark model work at 128-256 px.
  const maxSide = Number(opts['max-side'] ?? DEFAULT_MAX_SIDE);
  if (!(Number.isInteger(maxSide) && maxSide >= 256))
    throw new CpemError(
      'INVALID_ARGUMENT',
      `--max-side must be a whole number of pixels ≥ 256; got ${opts['max-side']}.`,
    );
  const maxFrames = opts['max-frames'] === undefined ? undefined : Number(opts['max-frames']);
  if (maxFrames !== undefined && !(Number.isInteger(maxFrames) && maxFrames > 0))
    throw new CpemError('INVALID_ARGUMENT', `--max-frames must be a positive integer; got ${opts['max-frames']}.`);
  const shared = sharedDirOrNull();
  const teacherFile = opts.teacher ?? (shared ? path.join(shared, 'teachers', TEACHER_FILE) : null);
  if (!teacherFile) {
    throw new CpemError(
      'INVALID_ARGUMENT',
      `../shared is absent beside the checkout: the teacher model (../shared/teachers/${TEACHER_FILE}) and the clips (../shared/videos) live there. Put the development data folder there, or pass --teacher FILE and VIDEO paths.`,
    );
  }
  if (!fs.existsSync(teacherFile)) {
    throw new CpemError(
      'INVALID_ARGUMENT',
      `The teacher model ${teacherFile} is missing. It is MediaPipe Face Landmarker v2 (${TEACHER_FILE}, see ../shared/teachers/README.md); it is never fetched or kept in the repository.`,
    );
  }
  let videos = opts._;
  if (videos.length === 0) {
    const dir = shared ? path.join(shared, 'videos') : null;
    if (!dir || !fs.existsSync(dir))
      throw new CpemError(
        'INVALID_ARGUMENT',
        'No VIDEO given and ../shared/videos is absent: name the clips to run, or put the development data folder beside the checkout.',
      );
    videos = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.mp4'))
      .sort()
      .map((f) => path.join(dir, f));
  }
  for (const v of videos) if (!fs.existsSync(v)) throw new CpemError('INVALID_ARGUMENT', `No such video: ${v}.`);
  const outDir = outputDir(opts['out-dir'] ?? TEACHER_CACHE_DIR, '--out-dir');
  const teacherSha = sha256(teacherFile);

  const todo = videos.filter((v) => {
    if (opts.force || maxFrames !== undefined) return true;
    const h = cachedHeader(teacherFileFor(v, outDir));
    return !(h?.complete && h.teacher.sha256 === teacherSha);
  });
  if (todo.length < videos.length)
    console.log(
      `${videos.length - todo.length} of ${videos.length} clips already cached in ${outDir} (--force runs them again)`,
    );
  if (todo.length === 0) return;

  const t0 = performance.now();
  const session = await TeacherSession.start(teacherFile);
  console.log(
    `teacher ${path.basename(teacherFile)} (sha256 ${teacherSha.slice(0, 12)}…) loaded in Chromium in ${(session.loadMs / 1000).toFixed(1)} s; tasks-vision ${tasksVisionVersion()}, CPU delegate, VIDEO mode`,
  );
  const allDetect: number[] = [];
  let allFrames = 0,
    allWall = 0;
  const mismatches: string[] = [];
  try {
    for (const [i, video] of todo.entries()) {
      const name = path.basename(video);
      const probed = probeVideo(video);
      const total = Math.max(1, Math.min(maxFrames ?? Infinity, probed.frames));
      const bar = new ProgressBar(total, `teacher [${i + 1}/${todo.length}] ${name}`, process.stderr);
      const r = await session.runClip(video, {
        maxFrames,
        maxSide,
        onProgress: (done, faces) => bar.update(Math.min(done, total), `frame ${done - 1}, ${faces} with a face`),
      });
      if (r.frames.length < total)
        bar.update(total, `${r.faces} with a face (clip ended at ${r.frames.length} frames)`);
      const complete = maxFrames === undefined || r.frames.length < maxFrames;
      const header = makeTeacherHeader(
        {
          video: {
            file: name,
            bytes: fs.statSync(video).size,
            width: r.info.width,
            height: r.info.height,
            fps: r.info.fps,
            frames: r.info.frames,
          },
          complete,
          blendshapes: MEDIAPIPE_BLENDSHAPES,
          teacher: {
            file: path.basename(teacherFile),
            sha256: teacherSha,
            runtime: `@mediapipe/tasks-vision ${tasksVisionVersion()} in headless Chromium, frames scaled to at most ${maxSide} px`,
            delegate: 'CPU',
            runningMode: 'VIDEO',
            numFaces: 1,
          },
        },
        r.frames,
      );
      const bytes = encodeTeacherTrack(header, r.frames);
      const out = teacherFileFor(video, outDir);
      const tmp = `${out}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, bytes);
      fs.renameSync(tmp, out);
      const track = trackFrames(video);
      let agree: string;
      if (typeof track === 'string') agree = track;
      else if (!complete) agree = `first ${r.frames.length} frames only (--max-frames); landmark track has ${track}`;
      else if (track === r.frames.length) agree = `landmark track agrees (${track} frames)`;
      else {
        agree = `MISMATCH: landmark track ${trackFileFor(video)} has ${track} frames`;
        mismatches.push(`${name}: teacher ${r.frames.length}, track ${track}`);
      }
      const sorted = [...r.detectMs].sort((a, b) => a - b);
      console.log(
        `${out}: ${r.frames.length} frames, face on ${r.faces} (${((100 * r.faces) / Math.max(1, r.frames.length)).toFixed(1)} %), ${r.info.width}×${r.info.height}; detect p50 ${quantileSorted(sorted, 0.5).toFixed(1)} ms, frame wait p50 ${quantileSorted(
          [...r.waitMs].sort((a, b) => a - b),
          0.5,
        ).toFixed(
          1,
        )} ms, set-up ${r.createMs.toFixed(0)} ms, ${(r.wallMs / Math.max(1, r.frames.length)).toFixed(1)} ms/frame overall; ${agree}`,
      );
      allDetect.push(...r.detectMs);
      allFrames += r.frames.length;
      allWall += r.wallMs;
    }
  } finally {
    await session.close();
  }
  const sorted = allDetect.sort((a, b) => a - b);
  const mean = sorted.reduce((s, x) => s + x, 0) / Math.max(1, sorted.length);
  console.log(
    `${todo.length} clips, ${allFrames} frames in ${((performance.now() - t0) / 1000).toFixed(1)} s: detectForVideo p50 ${quantileSorted(sorted, 0.5).toFixed(1)} ms, mean ${mean.toFixed(1)} ms, p90 ${quantileSorted(sorted, 0.9).toFixed(1)} ms; ${(allWall / Math.max(1, allFrames)).toFixed(1)} ms/frame overall (decode, transfer, detection)`,
  );
  console.log(
    session.blocked.size
      ? `aborted requests to: ${[...session.blocked].sort().join(', ')}`
      : 'no request left the loopback server',
  );
  if (mismatches.length)
    console.log(
      `frame counts that disagree with the landmark tracks (re-run npm run track for them):\n  ${mismatches.join('\n  ')}`,
    );
}

runCli(main);
