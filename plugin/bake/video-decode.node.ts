// Video in for the offline bake (Node): ffmpeg's presence, a clip's size and rate, and its frames as RGB, each failure
// as a CpemError that names the fix.
import { spawnSync } from 'node:child_process';
import { CpemError, isCpemError } from '../errors/cpem-error.js';
import { decodeVideo, probeVideo, type VideoInfo } from '../node/ffmpeg-frames.js';

export type ClipInfo = VideoInfo;

/** Throws DEPENDENCY_MISSING unless both ffmpeg and ffprobe run from the PATH. */
export function assertFfmpeg(): void {
  for (const tool of ['ffmpeg', 'ffprobe']) {
    const r = spawnSync(tool, ['-version'], { stdio: 'ignore' });
    if (r.error || r.status !== 0) {
      throw new CpemError(
        'DEPENDENCY_MISSING',
        `${tool} is not on the PATH (${r.error?.message ?? `exit ${r.status}`}); the bake decodes videos with it. ` +
          'Install ffmpeg (Debian/Ubuntu: apt-get install -y ffmpeg; macOS: brew install ffmpeg) or add its folder to PATH.',
        { cause: r.error },
      );
    }
  }
}

/** Size, rate and length of `file`'s video stream; VIDEO_UNREADABLE when it is not a video ffmpeg reads. */
export function probeClip(file: string): ClipInfo {
  let info: ClipInfo;
  try {
    info = probeVideo(file);
  } catch (e) {
    throw new CpemError(
      'VIDEO_UNREADABLE',
      `${file} is not a video ffmpeg can read: ${(e as Error).message.replace(/\s+/g, ' ').slice(0, 300)}`,
      { cause: e },
    );
  }
  if (!(info.width > 0 && info.height > 0) || !(info.frames > 1 || info.duration > 0)) {
    throw new CpemError(
      'VIDEO_UNREADABLE',
      `${file} has no moving video stream (${info.width}×${info.height}, ${info.frames} frames): pass a video file.`,
    );
  }
  return info;
}

/** The frames of `file` as RGB (3 bytes a pixel), with their time in seconds. */
export async function* decodeFrames(
  file: string,
  info: ClipInfo,
  options: { fps?: number; maxFrames?: number },
): AsyncGenerator<{ time: number; data: Uint8Array; width: number; height: number }> {
  try {
    for await (const frame of decodeVideo(file, { fps: options.fps, maxFrames: options.maxFrames })) {
      if (frame.width !== info.width || frame.height !== info.height)
        throw new CpemError('VIDEO_UNREADABLE', `${file}: frame size changed mid-stream.`);
      yield frame;
    }
  } catch (e) {
    if (isCpemError(e) && e.code !== 'INVALID_ARGUMENT') throw e;
    throw new CpemError('VIDEO_UNREADABLE', `${file} could not be decoded: ${(e as Error).message}`, { cause: e });
  }
}
