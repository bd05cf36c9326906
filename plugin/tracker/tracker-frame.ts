/**
 * A video frame as the face tracker reads it, and the rotated square crops its models take.
 *
 * On GPU backends (webgpu, webgl) the frame is uploaded once as a tensor and cropped there (tf.image.transform).
 * On CPU backends (wasm, cpu) the frame stays in JS memory and each crop is sampled there, with the same bilinear
 * rule and zero fill as tf.image.transform, into a small tensor: wasm's transform kernel costs about three times as
 * much, and the whole frame never has to be copied into a tensor.
 *
 * A playing video (or a VideoFrame) on a CPU backend is read only where a crop needs it: while a face is tracked,
 * the rectangle around its crops (the whole frame only when the detector runs), either through WebCodecs'
 * VideoFrame.copyTo in the frame's own pixel format (NV12, I420 or RGBA/BGRA, converted to RGB in JS) or by drawing
 * the rectangle into a 2D canvas and reading it back; frame-access.ts chooses between the two by measuring them.
 * Frames that copyTo cannot give (a GPU texture: format null) take the canvas.
 */
import * as tf from '@tensorflow/tfjs-core';
import { CpemError } from '../errors/cpem-error.js';
import { cropTransform, type Roi } from './face-geometry.js';
import { FrameAccessChooser, type FrameReadPath } from './frame-access.js';

/** A raw RGB or RGBA pixel buffer (Node, or any environment): rows top to bottom, 8 bits per channel. */
export interface RawImage {
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
  channels: 3 | 4;
}

export type TrackerInput =
  | HTMLVideoElement
  | VideoFrame
  | HTMLCanvasElement
  | ImageBitmap
  | ImageData
  | tf.Tensor3D
  | RawImage;

/** One crop: the region, and whether to mirror it horizontally. */
export interface CropRequest {
  roi: Roi;
  flip?: boolean;
}

/** A frame, read once per track() call. */
export interface TrackerFrame {
  readonly width: number;
  readonly height: number;
  /** The crops as one [n, size, size, 3] float tensor with values pixel × mul + add (caller disposes). */
  crops(requests: readonly CropRequest[], size: number, mul: number, add: number): Promise<tf.Tensor4D>;
  /** Milliseconds spent getting the frame's pixels so far (reading, copying, converting), wherever it was spent. */
  readonly readMs: number;
  dispose(): void;
}

/** Pixels in JS memory: rows top to bottom, `channels` values per pixel, R, G, B first. */
interface Pixels {
  data: ArrayLike<number>;
  width: number;
  height: number;
  channels: number;
}

/**
 * Bilinear samples of `pixels` through the projective-free transform `t` (tf.image.transform's first 6
 * coefficients: output (x, y) reads input (t0 x + t1 y + t2, t3 x + t4 y + t5)) into `out` from `offset`: size × size
 * × 3 values pixel × mul + add. Neighbours outside the image read as 0, as tf.image.transform's 'constant' fill.
 */
export function sampleCrop(
  pixels: Pixels,
  t: readonly number[],
  size: number,
  mul: number,
  add: number,
  out: Float32Array,
  offset = 0,
): void {
  const { data, width: W, height: H, channels: C } = pixels;
  const read = (y: number, x: number, c: number) =>
    x >= 0 && y >= 0 && x < W && y < H ? data[(y * W + x) * C + c] : 0;
  let o = offset;
  for (let y = 0; y < size; y++) {
    let sx = t[1] * y + t[2],
      sy = t[4] * y + t[5];
    for (let x = 0; x < size; x++, sx += t[0], sy += t[3]) {
      const x0 = Math.floor(sx),
        y0 = Math.floor(sy);
      const fx = sx - x0,
        fy = sy - y0;
      if (x0 >= 0 && y0 >= 0 && x0 + 1 < W && y0 + 1 < H) {
        const p = (y0 * W + x0) * C,
          q = p + W * C;
        for (let c = 0; c < 3; c++) {
          const top = data[p + c] * (1 - fx) + data[p + C + c] * fx;
          const bottom = data[q + c] * (1 - fx) + data[q + C + c] * fx;
          out[o++] = (top * (1 - fy) + bottom * fy) * mul + add;
        }
      } else {
        for (let c = 0; c < 3; c++) {
          const top = read(y0, x0, c) * (1 - fx) + read(y0, x0 + 1, c) * fx;
          const bottom = read(y0 + 1, x0, c) * (1 - fx) + read(y0 + 1, x0 + 1, c) * fx;
          out[o++] = (top * (1 - fy) + bottom * fy) * mul + add;
        }
      }
    }
  }
}

class PixelFrame implements TrackerFrame {
  readonly width: number;
  readonly height: number;
  constructor(
    private readonly pixels: Pixels,
    readonly readMs = 0,
  ) {
    this.width = pixels.width;
    this.height = pixels.height;
  }

  async crops(requests: readonly CropRequest[], size: number, mul: number, add: number): Promise<tf.Tensor4D> {
    const out = new Float32Array(requests.length * size * size * 3);
    requests.forEach((r, i) =>
      sampleCrop(this.pixels, cropTransform(r.roi, size, r.flip), size, mul, add, out, i * size * size * 3),
    );
    return tf.tensor4d(out, [requests.length, size, size, 3]);
  }

  dispose(): void {}
}

class TensorFrame implements TrackerFrame {
  constructor(
    private readonly frame: tf.Tensor4D,
    readonly width: number,
    readonly height: number,
    readonly readMs = 0,
  ) {}

  async crops(requests: readonly CropRequest[], size: number, mul: number, add: number): Promise<tf.Tensor4D> {
    return tf.tidy(() => {
      const each = requests.map((r) => {
        const t = tf.tensor2d([cropTransform(r.roi, size, r.flip)], [1, 8]);
        return tf.image.transform(this.frame, t, 'bilinear', 'constant', 0, [size, size]);
      });
      const c = each.length === 1 ? each[0] : tf.concat(each, 0);
      return tf.add(tf.mul(c, mul), add) as tf.Tensor4D;
    });
  }

  dispose(): void {
    this.frame.dispose();
  }
}

function isRawImage(x: unknown): x is { data: unknown; width: unknown; height: unknown; channels?: unknown } {
  return typeof x === 'object' && x !== null && 'data' in x && 'width' in x && 'height' in x;
}

function checkSize(width: number, height: number, what: string): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new CpemError(
      'INVALID_ARGUMENT',
      `FaceTracker.track: ${what} is ${width}×${height}; pass a frame at least 1×1 pixel with integer width and height.`,
    );
  }
}

const DOM_TYPES = [
  'HTMLVideoElement',
  'VideoFrame',
  'HTMLCanvasElement',
  'OffscreenCanvas',
  'ImageBitmap',
  'ImageData',
  'HTMLImageElement',
] as const;

function domTypeOf(input: unknown): (typeof DOM_TYPES)[number] | null {
  for (const name of DOM_TYPES) {
    const ctor = (globalThis as Record<string, unknown>)[name];
    if (typeof ctor === 'function' && input instanceof (ctor as abstract new (...args: never[]) => unknown))
      return name;
  }
  return null;
}

/** A 2D canvas kept between frames to read DOM images' pixels on CPU backends. */
export class PixelReader {
  private canvas: HTMLCanvasElement | OffscreenCanvas | null = null;
  private context: CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D | null = null;

  /** The whole of `source`, drawn at width × height, as RGBA bytes. */
  read(source: CanvasImageSource, width: number, height: number): Uint8ClampedArray {
    const ctx = this.contextFor(width, height, true);
    ctx.drawImage(source, 0, 0, width, height);
    return ctx.getImageData(0, 0, width, height).data;
  }

  /** The rectangle (x, y, width, height) of `source`, in its own pixels, as RGBA bytes. */
  readRect(source: CanvasImageSource, x: number, y: number, width: number, height: number): Uint8ClampedArray {
    const ctx = this.contextFor(width, height, false);
    ctx.drawImage(source, x, y, width, height, 0, 0, width, height);
    return ctx.getImageData(0, 0, width, height).data;
  }

  /** The canvas' context, the canvas at least width × height (exactly, when `exact`); it only grows otherwise. */
  private contextFor(
    width: number,
    height: number,
    exact: boolean,
  ): CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D {
    if (!this.canvas) {
      this.canvas =
        typeof OffscreenCanvas !== 'undefined' ? new OffscreenCanvas(width, height) : document.createElement('canvas');
      this.context = this.canvas.getContext('2d', { willReadFrequently: true }) as
        | CanvasRenderingContext2D
        | OffscreenCanvasRenderingContext2D
        | null;
      if (!this.context)
        throw new CpemError(
          'BACKEND_UNAVAILABLE',
          'FaceTracker: no 2D canvas to read video frames from; use a GPU backend or pass ImageData.',
        );
    }
    const w = exact ? width : Math.max(width, this.canvas.width),
      h = exact ? height : Math.max(height, this.canvas.height);
    if (this.canvas.width !== w || this.canvas.height !== h) {
      this.canvas.width = w;
      this.canvas.height = h;
    }
    return this.context!;
  }
}

/** VideoFrame pixel formats read by copyTo and converted here. */
const COPY_FORMATS = new Set(['NV12', 'I420', 'I420A', 'RGBA', 'RGBX', 'BGRA', 'BGRX']);

/** Y'CbCr → R'G'B' coefficients (Cr → R, Cb → G, Cr → G, Cb → B) of the frame's matrix. */
function yuvCoefficients(matrix: string | null | undefined): [number, number, number, number] {
  // BT.709 for 'bt709' (and HD video that says nothing); BT.601 for 'bt470bg' / 'smpte170m' (SD video, webcams).
  if (matrix === 'bt470bg' || matrix === 'smpte170m') return [1.402, 0.344136, 0.714136, 1.772];
  return [1.5748, 0.187324, 0.468124, 1.8556];
}

/** A rectangle of the frame as RGB (3 channels) or RGBA (4) bytes, origin (x, y) in frame pixels. */
interface Region {
  x: number;
  y: number;
  width: number;
  height: number;
  data: Uint8ClampedArray;
  channels: 3 | 4;
}

/** Reads the rectangle (x, y, width, height) of a frame; x and y even. */
type RegionReader = (x: number, y: number, width: number, height: number) => Promise<Region>;

/**
 * A video frame read a rectangle at a time: each crop reads the smallest rectangle around its rotated square that no
 * earlier read of this frame covers (most crops of a tracked face fall in one). Each read's time goes to `onRead`.
 */
class RegionFrame implements TrackerFrame {
  readMs = 0;
  private readonly regions: Region[] = [];

  constructor(
    readonly width: number,
    readonly height: number,
    private readonly readRegion: RegionReader,
    private readonly onRead: (ms: number) => void,
    private readonly release: () => void,
  ) {}

  async crops(requests: readonly CropRequest[], size: number, mul: number, add: number): Promise<tf.Tensor4D> {
    const out = new Float32Array(requests.length * size * size * 3);
    for (let i = 0; i < requests.length; i++) {
      const t = cropTransform(requests[i].roi, size, requests[i].flip);
      const region = await this.regionFor(requests[i].roi);
      const local = [t[0], t[1], t[2] - region.x, t[3], t[4], t[5] - region.y];
      sampleCrop(region, local, size, mul, add, out, i * size * size * 3);
    }
    return tf.tensor4d(out, [requests.length, size, size, 3]);
  }

  /** A region holding every pixel that the bilinear samples of `roi`'s crop can read. */
  private async regionFor(roi: Roi): Promise<Region> {
    const c = Math.abs(Math.cos(roi.angle)),
      s = Math.abs(Math.sin(roi.angle));
    const half = (roi.size / 2) * (c + s) + 2;
    // Even bounds: the chroma planes of NV12 and I420 hold one sample per 2 × 2 pixels.
    let x0 = Math.max(0, Math.floor(roi.cx - half)),
      y0 = Math.max(0, Math.floor(roi.cy - half));
    let x1 = Math.min(this.width, Math.ceil(roi.cx + half) + 1),
      y1 = Math.min(this.height, Math.ceil(roi.cy + half) + 1);
    if (!(x1 > x0 && y1 > y0)) {
      x0 = 0;
      y0 = 0;
      x1 = Math.min(2, this.width);
      y1 = Math.min(2, this.height);
    }
    const found = this.regions.find((r) => r.x <= x0 && r.y <= y0 && r.x + r.width >= x1 && r.y + r.height >= y1);
    if (found) return found;
    x0 &= ~1;
    y0 &= ~1;
    x1 = Math.min(this.width, x1 + (x1 & 1));
    y1 = Math.min(this.height, y1 + (y1 & 1));
    const t0 = performance.now();
    const region = await this.readRegion(x0, y0, x1 - x0, y1 - y0);
    const ms = performance.now() - t0;
    this.readMs += ms;
    this.onRead(ms);
    this.regions.push(region);
    return region;
  }

  dispose(): void {
    this.regions.length = 0;
    this.release();
  }
}

/** Copies a rectangle of `frame` (even x, y; in its visible area) out of it and converts it to RGB bytes. */
export async function copyRegion(
  frame: VideoFrame,
  x: number,
  y: number,
  width: number,
  height: number,
): Promise<Region> {
  const format = frame.format as string;
  const vx = frame.visibleRect?.x ?? 0,
    vy = frame.visibleRect?.y ?? 0;
  const rect = { x: vx + x, y: vy + y, width, height };
  const buffer = new Uint8Array(frame.allocationSize({ rect }));
  const layout = await frame.copyTo(buffer, { rect });
  const rgb = new Uint8ClampedArray(width * height * 3);
  const region = { x, y, width, height, data: rgb, channels: 3 as const };
  if (format === 'RGBA' || format === 'RGBX' || format === 'BGRA' || format === 'BGRX') {
    const { offset, stride } = layout[0];
    const [r, b] = format.startsWith('B') ? [2, 0] : [0, 2];
    for (let j = 0, o = 0; j < height; j++) {
      for (let i = 0, p = offset + j * stride; i < width; i++, p += 4) {
        rgb[o++] = buffer[p + r];
        rgb[o++] = buffer[p + 1];
        rgb[o++] = buffer[p + b];
      }
    }
    return region;
  }
  const [kr, kgb, kgr, kb] = yuvCoefficients(frame.colorSpace?.matrix);
  const full = frame.colorSpace?.fullRange === true;
  const ys = full ? 1 : 255 / 219,
    yo = full ? 0 : 16,
    cs = full ? 1 : 255 / 224;
  const Y = layout[0];
  const nv12 = format === 'NV12';
  const U = layout[1];
  const V = nv12 ? layout[1] : layout[2];
  const step = nv12 ? 2 : 1,
    vOff = nv12 ? 1 : 0;
  for (let j = 0, o = 0; j < height; j++) {
    const yRow = Y.offset + j * Y.stride,
      uRow = U.offset + (j >> 1) * U.stride,
      vRow = V.offset + (j >> 1) * V.stride;
    for (let i = 0; i < width; i++) {
      const l = (buffer[yRow + i] - yo) * ys;
      const cb = (buffer[uRow + (i >> 1) * step] - 128) * cs;
      const cr = (buffer[vRow + (i >> 1) * step + vOff] - 128) * cs;
      rgb[o++] = l + kr * cr;
      rgb[o++] = l - kgb * cb - kgr * cr;
      rgb[o++] = l + kb * cb;
    }
  }
  return region;
}

/** True when `frame` can be read through copyTo here (a CPU-side pixel format this file converts). */
function copyable(frame: VideoFrame): boolean {
  return typeof frame.copyTo === 'function' && frame.format !== null && COPY_FORMATS.has(frame.format as string);
}

/** Reading options for readTrackerFrame: how a video's pixels are read on CPU backends (default: 'auto', measured afresh). */
export interface ReadOptions {
  access?: FrameAccessChooser;
}

/** A video (element or VideoFrame) read a rectangle at a time, along the path `chooser` picks for it. */
function videoRegionFrame(
  input: HTMLVideoElement | VideoFrame,
  width: number,
  height: number,
  reader: PixelReader,
  chooser: FrameAccessChooser,
): TrackerFrame {
  let frame: VideoFrame | null = null;
  const owned = !(typeof VideoFrame === 'function' && input instanceof VideoFrame);
  if (typeof VideoFrame === 'function') {
    try {
      frame = owned ? new VideoFrame(input as HTMLVideoElement) : (input as VideoFrame);
    } catch {
      /* no frame to wrap (e.g. a cross-origin video): the canvas says why */
    }
  }
  const path: FrameReadPath = chooser.next(frame !== null && copyable(frame));
  const onRead = (ms: number) => chooser.record(path, ms);
  const release = () => {
    if (owned) frame?.close();
  };
  if (path === 'copy')
    return new RegionFrame(width, height, (x, y, w, h) => copyRegion(frame!, x, y, w, h), onRead, release);
  // Drawn from the VideoFrame where there is one, so that every rectangle of this frame comes from the same picture.
  const source = (frame ?? input) as CanvasImageSource;
  return new RegionFrame(
    width,
    height,
    async (x, y, w, h) => ({ x, y, width: w, height: h, data: reader.readRect(source, x, y, w, h), channels: 4 }),
    onRead,
    release,
  );
}

/**
 * Checks `input` and reads it as a frame: in JS memory when `inJs` (CPU backends; DOM images through `reader`),
 * else as a tensor. Throws INVALID_ARGUMENT saying what to pass.
 */
export async function readTrackerFrame(
  input: TrackerInput,
  inJs: boolean,
  reader: PixelReader,
  options: ReadOptions = {},
): Promise<TrackerFrame> {
  if (input instanceof tf.Tensor) {
    if (input.isDisposed)
      throw new CpemError(
        'INVALID_ARGUMENT',
        'FaceTracker.track: the tensor was disposed; pass a live [height, width, 3|4] tensor.',
      );
    const [h, w, c] = input.shape;
    if (input.rank !== 3 || (c !== 3 && c !== 4)) {
      throw new CpemError(
        'INVALID_ARGUMENT',
        `FaceTracker.track: a tensor frame must have shape [height, width, 3] or [height, width, 4] (RGB or RGBA, values 0-255); got [${input.shape.join(', ')}].`,
      );
    }
    if (input.dtype !== 'float32' && input.dtype !== 'int32') {
      throw new CpemError(
        'INVALID_ARGUMENT',
        `FaceTracker.track: a tensor frame must be int32 or float32 with values 0-255; got ${input.dtype}.`,
      );
    }
    checkSize(w, h, 'the tensor frame');
    if (inJs) {
      const t0 = performance.now();
      const data = (await input.data()) as Float32Array | Int32Array;
      return new PixelFrame({ data, width: w, height: h, channels: c }, performance.now() - t0);
    }
    const frame = tf.tidy(() => {
      const rgb = c === 4 ? tf.slice(input, [0, 0, 0], [h, w, 3]) : input;
      return tf.expandDims(tf.cast(rgb, 'float32'), 0) as tf.Tensor4D;
    });
    return new TensorFrame(frame, w, h);
  }
  const dom = domTypeOf(input);
  if (dom) {
    let width: number, height: number;
    if (dom === 'HTMLVideoElement') {
      const v = input as HTMLVideoElement;
      width = v.videoWidth;
      height = v.videoHeight;
      if (v.readyState < 2 || width === 0 || height === 0) {
        throw new CpemError(
          'INVALID_ARGUMENT',
          'FaceTracker.track: the video has no frame yet (readyState < HAVE_CURRENT_DATA); wait for its loadeddata event before tracking.',
        );
      }
    } else if (dom === 'VideoFrame') {
      const f = input as unknown as VideoFrame;
      if (f.format === null && f.codedWidth === 0)
        throw new CpemError(
          'INVALID_ARGUMENT',
          'FaceTracker.track: the VideoFrame was closed; pass an open frame (close it after track() resolves).',
        );
      width = f.displayWidth;
      height = f.displayHeight;
      checkSize(width, height, 'the VideoFrame');
    } else {
      ({ width, height } = input as HTMLCanvasElement | ImageBitmap | ImageData);
      checkSize(width, height, `the ${dom}`);
    }
    const t0 = performance.now();
    if (inJs) {
      if (dom === 'HTMLVideoElement' || dom === 'VideoFrame')
        return videoRegionFrame(
          input as HTMLVideoElement | VideoFrame,
          width,
          height,
          reader,
          options.access ?? new FrameAccessChooser(),
        );
      const data =
        dom === 'ImageData' ? (input as ImageData).data : reader.read(input as CanvasImageSource, width, height);
      return new PixelFrame({ data, width, height, channels: 4 }, performance.now() - t0);
    }
    // tf.browser.fromPixels takes no VideoFrame: through an ImageBitmap, which stays on the GPU where the frame is.
    const bitmap = dom === 'VideoFrame' ? await createImageBitmap(input as unknown as VideoFrame) : null;
    try {
      const frame = tf.tidy(
        () =>
          tf.expandDims(
            tf.cast(tf.browser.fromPixels((bitmap ?? input) as HTMLCanvasElement), 'float32'),
            0,
          ) as tf.Tensor4D,
      );
      return new TensorFrame(frame, width, height, performance.now() - t0);
    } finally {
      bitmap?.close();
    }
  }
  if (isRawImage(input)) {
    const { data, width, height } = input;
    const channels = input.channels ?? (data instanceof Uint8ClampedArray ? 4 : undefined); // ImageData-like
    if (!(data instanceof Uint8Array || data instanceof Uint8ClampedArray)) {
      throw new CpemError(
        'INVALID_ARGUMENT',
        'FaceTracker.track: a raw frame needs data as a Uint8Array or Uint8ClampedArray (8-bit RGB or RGBA).',
      );
    }
    if (channels !== 3 && channels !== 4) {
      throw new CpemError(
        'INVALID_ARGUMENT',
        `FaceTracker.track: a raw frame needs channels 3 (RGB) or 4 (RGBA); got ${String(channels)}.`,
      );
    }
    checkSize(width as number, height as number, 'the raw frame');
    const w = width as number,
      h = height as number;
    if (data.length !== w * h * channels) {
      throw new CpemError(
        'INVALID_ARGUMENT',
        `FaceTracker.track: a ${w}×${h} frame with ${channels} channels needs ${w * h * channels} bytes; got ${data.length}. Check width, height and channels.`,
      );
    }
    if (inJs) return new PixelFrame({ data, width: w, height: h, channels });
    const rgb = new Float32Array(w * h * 3);
    if (channels === 3) {
      for (let i = 0; i < rgb.length; i++) rgb[i] = data[i];
    } else {
      for (let p = 0, q = 0; p < rgb.length; p += 3, q += 4) {
        rgb[p] = data[q];
        rgb[p + 1] = data[q + 1];
        rgb[p + 2] = data[q + 2];
      }
    }
    return new TensorFrame(tf.tensor4d(rgb, [1, h, w, 3]), w, h);
  }
  const what =
    input === null
      ? 'null'
      : typeof input === 'object'
        ? ((input as object).constructor?.name ?? 'an object')
        : typeof input;
  throw new CpemError(
    'INVALID_ARGUMENT',
    `FaceTracker.track: cannot read a frame from ${what}. Pass an HTMLVideoElement, HTMLCanvasElement, ImageBitmap, ImageData, a [height, width, 3|4] tf.Tensor3D, or { data, width, height, channels }.`,
  );
}
