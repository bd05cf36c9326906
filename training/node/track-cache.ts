// Landmark tracks of videos, made once with `npm run track` and kept in .cache/tracks/ (never in the repository:
// they are derived from ../shared clips). Training and evaluation name videos; this finds or makes their tracks.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { CpemError } from '../../plugin/errors/cpem-error.js';
import { decodeLandmarkTrack, type LandmarkTrack } from '../lib/data/landmark-track.js';
import { probeVideo } from '../../plugin/node/ffmpeg-frames.js';
import type { TrackedClip } from '../lib/data/real-track-source.js';
import { contentKeyedFile, TRACK_CACHE_VARIANT } from './content-key.mjs';

export const TRACK_CACHE_DIR = path.join('.cache', 'tracks');

/** The cached track file of a video, keyed by the video's content: `<stem>.<key>.lmtrack`. */
export function trackFileFor(video: string, cacheDir = TRACK_CACHE_DIR): string {
  return contentKeyedFile(video, cacheDir, 'lmtrack', TRACK_CACHE_VARIANT);
}

/**
 * A folder of still frames of one person (e.g. ../shared/cpem-demo/voxceleb2/data/id00025, its clips in
 * sub-folders) as one video in the cache, frames in file-name order at 25 fps, so the track CLI can read it.
 */
export function framesFolderVideo(folder: string, cacheDir = TRACK_CACHE_DIR): string {
  const video = path.join(cacheDir, `${path.basename(folder)}.frames.mp4`);
  if (fs.existsSync(video)) return video;
  const images = (fs.readdirSync(folder, { recursive: true }) as string[])
    .filter((f) => /\.(jpe?g|png|ppm)$/i.test(f))
    .sort()
    .map((f) => path.resolve(folder, f));
  if (images.length === 0) throw new CpemError('INVALID_ARGUMENT', `${folder} holds no .jpg, .png or .ppm frames.`);
  fs.mkdirSync(cacheDir, { recursive: true });
  const list = `${video}.txt`;
  fs.writeFileSync(list, images.map((f) => `file '${f.replace(/'/g, "'\\''")}'\nduration 0.04\n`).join(''));
  const r = spawnSync(
    'ffmpeg',
    [
      '-v',
      'error',
      '-y',
      '-f',
      'concat',
      '-safe',
      '0',
      '-i',
      list,
      '-vf',
      'scale=trunc(iw/2)*2:trunc(ih/2)*2,fps=25',
      '-pix_fmt',
      'yuv420p',
      '-crf',
      '12',
      video,
    ],
    { encoding: 'utf8' },
  );
  fs.rmSync(list, { force: true });
  if (r.error || r.status !== 0)
    throw new CpemError(
      'INVALID_ARGUMENT',
      `ffmpeg could not join the frames of ${folder}: ${r.error?.message ?? r.stderr.trim()}`,
    );
  return video;
}

/**
 * The track of `source`: a landmark-track file itself, a video whose cached track is read (or made first with
 * the track CLI, every frame at the video's own rate), or a folder of one person's frames (see framesFolderVideo).
 */
export function loadTrack(
  source: string,
  options: { cacheDir?: string; log?: (m: string) => void } = {},
): LandmarkTrack {
  let file = source;
  if (fs.existsSync(source) && fs.statSync(source).isDirectory()) source = framesFolderVideo(source, options.cacheDir);
  if (!source.endsWith('.lmtrack')) {
    if (!fs.existsSync(source)) throw new CpemError('INVALID_ARGUMENT', `No such video: ${source}.`);
    file = trackFileFor(source, options.cacheDir);
    if (!fs.existsSync(file)) {
      // A file ffprobe cannot read is said to be one (a failed tracking run used to read as NO_FACE).
      probeVideo(source);
      options.log?.(`tracking ${source} → ${file}`);
      const r = spawnSync(
        process.execPath,
        ['tools/run-node.mjs', 'training/cli/track.ts', '--', source, '--out', file],
        { stdio: ['ignore', 'inherit', 'inherit'] },
      );
      if (r.status !== 0)
        throw new CpemError(
          'INVALID_ARGUMENT',
          `Tracking ${source} failed (exit ${r.status}): the video could not be read to its end. Run npm run track -- ${source} to see why.`,
        );
    }
  }
  if (!fs.existsSync(file)) throw new CpemError('INVALID_ARGUMENT', `No such landmark track: ${file}.`);
  const bytes = fs.readFileSync(file);
  try {
    return decodeLandmarkTrack(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (e) {
    const remake =
      file === source ? 'make it again with npm run track' : `it is made again from ${source} on the next run`;
    throw new CpemError(
      'INVALID_ARGUMENT',
      `The landmark track ${file} is damaged (${(e as Error).message}). Delete it; ${remake}.`,
      { cause: e },
    );
  }
}

/** A track's frames with a face (478 × x, y, z in pixels, as tracked): one clip, one person. */
export function trackedClip(name: string, track: LandmarkTrack): TrackedClip {
  return { name, frames: track.frames.filter((f) => f.status === 'ok').map((f) => Float32Array.from(f.landmarks)) };
}
