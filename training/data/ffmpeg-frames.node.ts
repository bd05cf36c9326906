// Decodes images and videos to raw RGB frames with Debian's ffmpeg (Node only): one rgb24 frame after another
// over a pipe, so a long clip never sits in memory whole.
import { spawn, spawnSync } from 'node:child_process';
import { CpemError } from '../../plugin/errors/cpem-error.js';

export interface VideoInfo { width: number; height: number; fps: number; frames: number; duration: number }

function ffmpegMissing(e: unknown): CpemError {
  return new CpemError('INVALID_ARGUMENT', `ffmpeg/ffprobe could not run (${(e as Error).message}). Install Debian's ffmpeg: apt-get install -y ffmpeg.`, { cause: e });
}

/** Width, height, frame rate, frame count (estimated from duration when the container has none). */
export function probeVideo(file: string): VideoInfo {
  const r = spawnSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries',
    'stream=width,height,avg_frame_rate,r_frame_rate,nb_frames,duration:format=duration', '-of', 'json', file], { encoding: 'utf8' });
  if (r.error) throw ffmpegMissing(r.error);
  if (r.status !== 0) throw new CpemError('INVALID_ARGUMENT', `ffprobe cannot read ${file}: ${r.stderr.trim() || `exit ${r.status}`}. Pass a readable video file.`);
  const j = JSON.parse(r.stdout) as { streams?: Record<string, string | number>[]; format?: { duration?: string } };
  const s = j.streams?.[0];
  if (!s) throw new CpemError('INVALID_ARGUMENT', `${file} has no video stream.`);
  const rate = (v: unknown) => { const [a, b] = String(v ?? '0/1').split('/').map(Number); return b ? a / b : a; };
  const fps = rate(s.avg_frame_rate) || rate(s.r_frame_rate) || 25;
  const duration = Number(s.duration ?? j.format?.duration ?? 0);
  const frames = Number(s.nb_frames) || Math.round(duration * fps);
  return { width: Number(s.width), height: Number(s.height), fps, frames, duration };
}

/** Decodes a still image (any format ffmpeg reads: jpg, png, ppm...) to RGB. */
export function decodeImage(file: string): { data: Uint8Array; width: number; height: number; channels: 3 } {
  const info = probeVideo(file);
  const r = spawnSync('ffmpeg', ['-v', 'error', '-i', file, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'], { maxBuffer: 1 << 30 });
  if (r.error) throw ffmpegMissing(r.error);
  if (r.status !== 0) throw new CpemError('INVALID_ARGUMENT', `ffmpeg cannot decode ${file}: ${r.stderr.toString().trim()}`);
  const data = new Uint8Array(r.stdout.buffer, r.stdout.byteOffset, r.stdout.byteLength);
  if (data.length !== info.width * info.height * 3) throw new CpemError('INVALID_ARGUMENT', `ffmpeg returned ${data.length} bytes for a ${info.width}×${info.height} image ${file}.`);
  return { data, width: info.width, height: info.height, channels: 3 };
}

/**
 * Yields the frames of `file` as RGB buffers with their index and time (seconds). `fps` resamples the clip
 * (ffmpeg's fps filter); omitted, every frame is decoded at the clip's own rate. `pixelFormat: 'rgba'` gives 4 bytes a
 * pixel (alpha 255), the same RGB values, for consumers that need RGBA (ImageData) without a per-pixel copy in JS.
 */
export async function* decodeVideo(file: string, options: { fps?: number; maxFrames?: number; pixelFormat?: 'rgb24' | 'rgba'; maxSide?: number } = {}): AsyncGenerator<{ index: number; time: number; data: Uint8Array; width: number; height: number }> {
  const info = probeVideo(file);
  // `maxSide` scales frames down (never up) so that their larger side is at most that many pixels, sizes kept even.
  const shrink = options.maxSide && Math.max(info.width, info.height) > options.maxSide ? options.maxSide / Math.max(info.width, info.height) : 1;
  const width = shrink < 1 ? 2 * Math.round((info.width * shrink) / 2) : info.width;
  const height = shrink < 1 ? 2 * Math.round((info.height * shrink) / 2) : info.height;
  const fps = options.fps ?? info.fps;
  const filters = [...(options.fps ? [`fps=${options.fps}`] : []), ...(shrink < 1 ? [`scale=${width}:${height}`] : [])];
  // Without resampling, every decoded frame comes out once (passthrough): frame k is the decoder's k-th frame, as
  // ffmpeg's select=eq(n,k) counts them, even in variable-frame-rate files, where ffmpeg would otherwise duplicate
  // frames up to the container's nominal rate.
  const args = ['-v', 'error', '-i', file, ...(filters.length ? ['-vf', filters.join(',')] : []), ...(options.fps ? [] : ['-fps_mode', 'passthrough']),
    ...(options.maxFrames ? ['-frames:v', String(options.maxFrames)] : []), '-f', 'rawvideo', '-pix_fmt', options.pixelFormat ?? 'rgb24', 'pipe:1'];
  const child = spawn('ffmpeg', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const exited = new Promise<number>((resolve, reject) => { child.on('error', (e) => reject(ffmpegMissing(e))); child.on('close', (code) => resolve(code ?? 1)); });
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
        yield { index, time: index / fps, data, width, height };
        index++;
      }
    }
  } finally {
    if (child.exitCode === null) child.kill('SIGTERM');
  }
  const code = await exited;
  if (code !== 0 && index === 0) throw new CpemError('INVALID_ARGUMENT', `ffmpeg cannot decode ${file}: ${stderr.trim() || `exit ${code}`}`);
}
