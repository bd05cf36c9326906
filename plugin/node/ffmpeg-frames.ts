// Decodes images and videos to raw RGB frames with Debian's ffmpeg (Node only): one rgb24 frame after another
// over a pipe, so a long clip never sits in memory whole.
import { spawn, spawnSync } from 'node:child_process';
import { CpemError } from '../errors/cpem-error.js';

export interface VideoInfo {
  /** As displayed, which is how ffmpeg decodes it: a clip stored with a 90° rotation (a phone held upright) has its stored sides swapped. */
  width: number;
  height: number;
  fps: number;
  frames: number;
  duration: number;
  /** Degrees the player turns the stored frames (display matrix or rotate tag), 0 when none. */
  rotation: number;
}

function ffmpegMissing(e: unknown): CpemError {
  return new CpemError(
    'INVALID_ARGUMENT',
    `ffmpeg/ffprobe could not run (${(e as Error).message}). Install Debian's ffmpeg: apt-get install -y ffmpeg.`,
    { cause: e },
  );
}

/** Width and height as displayed, frame rate, frame count (estimated from duration when the container has none). */
export function probeVideo(file: string): VideoInfo {
  const r = spawnSync(
    'ffprobe',
    [
      '-v',
      'error',
      '-select_streams',
      'v:0',
      '-show_entries',
      'stream=width,height,avg_frame_rate,r_frame_rate,nb_frames,duration:stream_tags=rotate:stream_side_data=rotation:format=duration',
      '-of',
      'json',
      file,
    ],
    { encoding: 'utf8' },
  );
  if (r.error) throw ffmpegMissing(r.error);
  if (r.status !== 0)
    throw new CpemError(
      'INVALID_ARGUMENT',
      `ffprobe cannot read ${file}: ${r.stderr.trim() || `exit ${r.status}`}. Pass a readable video file.`,
    );
  const j = JSON.parse(r.stdout) as {
    streams?: (Record<string, string | number> & {
      tags?: { rotate?: string };
      side_data_list?: { rotation?: number }[];
    })[];
    format?: { duration?: string };
  };
  const s = j.streams?.[0];
  if (!s) throw new CpemError('INVALID_ARGUMENT', `${file} has no video stream.`);
  const rate = (v: unknown) => {
    const [a, b] = String(v ?? '0/1')
      .split('/')
      .map(Number);
    return b ? a / b : a;
  };
  const fps = rate(s.avg_frame_rate) || rate(s.r_frame_rate) || 25;
  const duration = Number(s.duration ?? j.format?.duration ?? 0);
  const frames = Number(s.nb_frames) || Math.round(duration * fps);
  // ffmpeg turns rotated frames upright while decoding (autorotate): a quarter turn swaps the sides it delivers.
  const turn = Number(s.side_data_list?.find((d) => d.rotation !== undefined)?.rotation ?? s.tags?.rotate ?? 0) || 0;
  const rotation = ((Math.round(turn) % 360) + 360) % 360;
  const quarter = rotation === 90 || rotation === 270;
  return {
    width: Number(quarter ? s.height : s.width),
    height: Number(quarter ? s.width : s.height),
    fps,
    frames,
    duration,
    rotation,
  };
}

/** Decodes a still image (any format ffmpeg reads: jpg, png, ppm...) to RGB. */
export function decodeImage(file: string): { data: Uint8Array; width: number; height: number; channels: 3 } {
  const info = probeVideo(file);
  const r = spawnSync(
    'ffmpeg',
    ['-v', 'error', '-i', file, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'],
    { maxBuffer: 1 << 30 },
  );
  if (r.error) throw ffmpegMissing(r.error);
  if (r.status !== 0)
    throw new CpemError('INVALID_ARGUMENT', `ffmpeg cannot decode ${file}: ${r.stderr.toString().trim()}`);
  const data = new Uint8Array(r.stdout.buffer, r.stdout.byteOffset, r.stdout.byteLength);
  if (data.length !== info.width * info.height * 3)
    throw new CpemError(
      'INVALID_ARGUMENT',
      `ffmpeg returned ${data.length} bytes for a ${info.width}×${info.height} image ${file}.`,
    );
  return { data, width: info.width, height: info.height, channels: 3 };
}

/**
 * Yields the frames of `file` as RGB buffers with their index and time (seconds). `fps` resamples the clip
 * (ffmpeg's fps filter); omitted, every frame is decoded at the clip's own rate. `pixelFormat: 'rgba'` gives 4 bytes a
 * pixel (alpha 255), the same RGB values, for consumers that need RGBA (ImageData) without a per-pixel copy in JS.
 */
export async function* decodeVideo(
  file: string,
  options: { fps?: number; maxFrames?: number; pixelFormat?: 'rgb24' | 'rgba'; maxSide?: number } = {},
): AsyncGenerator<{ index: number; time: number; data: Uint8Array; width: number; height: number }> {
  const info = probeVideo(file);
  // `maxSide` scales frames down (never up) so that their larger side is at most that many pixels, sizes kept even.
  const shrink =
    options.maxSide && Math.max(info.width, info.height) > options.maxSide
      ? options.maxSide / Math.max(info.width, info.height)
      : 1;
  const width = shrink < 1 ? 2 * Math.round((info.width * shrink) / 2) : info.width;
  const height = shrink < 1 ? 2 * Math.round((info.height * shrink) / 2) : info.height;
  const fps = options.fps ?? info.fps;
  // showinfo, last in the chain, logs each frame's own presentation time (seconds from the clip's start) as it goes
  // out: a variable-frame-rate clip's frames are not at index / fps (they can be most of a second away from it).
  const filters = [
    ...(options.fps ? [`fps=${options.fps}`] : []),
    ...(shrink < 1 ? [`scale=${width}:${height}`] : []),
    'showinfo=checksum=0',
  ];
  // Without resampling, every decoded frame comes out once (passthrough): frame k is the decoder's k-th frame, as
  // ffmpeg's select=eq(n,k) counts them, even in variable-frame-rate files, where ffmpeg would otherwise duplicate
  // frames up to the container's nominal rate.
  const args = [
    '-hide_banner',
    '-nostats',
    '-v',
    'info',
    '-i',
    file,
    '-vf',
    filters.join(','),
    ...(options.fps ? [] : ['-fps_mode', 'passthrough']),
    ...(options.maxFrames ? ['-frames:v', String(options.maxFrames)] : []),
    '-f',
    'rawvideo',
    '-pix_fmt',
    options.pixelFormat ?? 'rgb24',
    'pipe:1',
  ];
  const child = spawn('ffmpeg', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const times: number[] = [];
  const messages: string[] = [];
  let partial = '';
  let stderrDone = false;
  let wake: (() => void) | null = null;
  const readLines = (text: string) => {
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      const m = /Parsed_showinfo.*\bn:\s*\d+\s+pts:\s*\S+\s+pts_time:\s*(\S+)/.exec(line);
      if (m) times.push(Number(m[1]));
      else if (!line.includes('Parsed_showinfo') && line.trim()) messages.push(line.trim());
      if (messages.length > 40) messages.shift();
    }
    wake?.();
  };
  child.stderr.on('data', (d: Buffer) => readLines(d.toString()));
  child.stderr.on('close', () => {
    readLines('\n');
    stderrDone = true;
    wake?.();
  });
  /** Frame k's time: ffmpeg logs it before it writes the frame, so it is in stderr or about to be. */
  const timeOf = async (k: number): Promise<number> => {
    while (times.length <= k && !stderrDone)
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    wake = null;
    return Number.isFinite(times[k]) ? times[k] : k / fps;
  };
  const exited = new Promise<number>((resolve, reject) => {
    child.on('error', (e) => reject(ffmpegMissing(e)));
    child.on('close', (code) => resolve(code ?? 1));
  });
  const frameBytes = width * height * (options.pixelFormat === 'rgba' ? 4 : 3);
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let index = 0;
  try {
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      pending.push(chunk);
      pendingBytes += chunk.length;
      while (pendingBytes >= frameBytes) {
        const all = Buffer.concat(pending);
        const data = new Uint8Array(frameBytes);
        data.set(all.subarray(0, frameBytes));
        const rest = all.subarray(frameBytes);
        pending = rest.length ? [Buffer.from(rest)] : [];
        pendingBytes = rest.length;
        yield { index, time: await timeOf(index), data, width, height };
        index++;
      }
    }
  } finally {
    if (child.exitCode === null) child.kill('SIGTERM');
  }
  const code = await exited;
  if (code !== 0 && index === 0)
    throw new CpemError('INVALID_ARGUMENT', `ffmpeg cannot decode ${file}: ${messages.join('\n') || `exit ${code}`}`);
}
