/**
 * A video frame as the face tracker reads it, and the rotated square crops its models take.
 *
 * On GPU backends (webgpu, webgl) the frame is uploaded once as a tensor and cropped there (tf.image.transform).
 * On CPU backends (wasm, cpu) the frame stays in JS memory and each crop is sampled there, with the same bilinear
 * rule and zero fill as tf.image.transform, into a small tensor: wasm's transform kernel costs about three times as
 * much, and the whole frame never has to be copied into a tensor.
 */
import * as tf from '@tensorflow/tfjs-core';
import { CpemError } from '../errors/cpem-error.js';
import { cropTransform, type Roi } from './face-geometry.js';

/** A raw RGB or RGBA pixel buffer (Node, or any environment): rows top to bottom, 8 bits per channel. */
export interface RawImage { data: Uint8Array | Uint8ClampedArray; width: number; height: number; channels: 3 | 4 }

export type TrackerInput = HTMLVideoElement | HTMLCanvasElement | ImageBitmap | ImageData | tf.Tensor3D | RawImage;

/** One crop: the region, and whether to mirror it horizontally. */
export interface CropRequest { roi: Roi; flip?: boolean }

/** A frame, read once per track() call. */
export interface TrackerFrame {
  readonly width: number;
  readonly height: number;
  /** The crops as one [n, size, size, 3] float tensor with values pixel × mul + add (caller disposes). */
  crops(requests: readonly CropRequest[], size: number, mul: number, add: number): tf.Tensor4D;
  dispose(): void;
}

/** Pixels in JS memory: rows top to bottom, `channels` values per pixel, R, G, B first. */
interface Pixels { data: ArrayLike<number>; width: number; height: number; channels: number }

/**
 * Bilinear samples of `pixels` through the projective-free transform `t` (tf.image.transform's first 6
 * coefficients: output (x, y) reads input (t0 x + t1 y + t2, t3 x + t4 y + t5)) into `out` from `offset`: size × size
 * × 3 values pixel × mul + add. Neighbours outside the image read as 0, as tf.image.transform's 'constant' fill.
 */
export function sampleCrop(pixels: Pixels, t: readonly number[], size: number, mul: number, add: number, out: Float32Array, offset = 0): void {
  const { data, width: W, height: H, channels: C } = pixels;
  const read = (y: number, x: number, c: number) => (x >= 0 && y >= 0 && x < W && y < H ? data[(y * W + x) * C + c] : 0);
  let o = offset;
  for (let y = 0; y < size; y++) {
    let sx = t[1] * y + t[2], sy = t[4] * y + t[5];
    for (let x = 0; x < size; x++, sx += t[0], sy += t[3]) {
      const x0 = Math.floor(sx), y0 = Math.floor(sy);
      const fx = sx - x0, fy = sy - y0;
      if (x0 >= 0 && y0 >= 0 && x0 + 1 < W && y0 + 1 < H) {
        const p = (y0 * W + x0) * C, q = p + W * C;
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
  constructor(private readonly pixels: Pixels) {
    this.width = pixels.width;
    this.height = pixels.height;
  }

  crops(requests: readonly CropRequest[], size: number, mul: number, add: number): tf.Tensor4D {
    const out = new Float32Array(requests.length * size * size * 3);
    requests.forEach((r, i) => sampleCrop(this.pixels, cropTransform(r.roi, size, r.flip), size, mul, add, out, i * size * size * 3));
    return tf.tensor4d(out, [requests.length, size, size, 3]);
  }

  dispose(): void {}
}

class TensorFrame implements TrackerFrame {
  constructor(private readonly frame: tf.Tensor4D, readonly width: number, readonly height: number) {}

  crops(requests: readonly CropRequest[], size: number, mul: number, add: number): tf.Tensor4D {
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
    throw new CpemError('INVALID_ARGUMENT', `FaceTracker.track: ${what} is ${width}×${height}; pass a frame at least 1×1 pixel with integer width and height.`);
  }
}

const DOM_TYPES = ['HTMLVideoElement', 'HTMLCanvasElement', 'OffscreenCanvas', 'ImageBitmap', 'ImageData', 'HTMLImageElement'] as const;

function domTypeOf(input: unknown): (typeof DOM_TYPES)[number] | null {
  for (const name of DOM_TYPES) {
    const ctor = (globalThis as Record<string, unknown>)[name];
    if (typeof ctor === 'function' && input instanceof (ctor as abstract new (...args: never[]) => unknown)) return name;
  }
  return null;
}

/** A 2D canvas kept between frames to read DOM images' pixels on CPU backends. */
export class PixelReader {
  private canvas: HTMLCanvasElement | OffscreenCanvas | null = null;
  private context: CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D | null = null;

  read(source: CanvasImageSource, width: number, height: number): Uint8ClampedArray {
    if (!this.canvas) {
      this.canvas = typeof OffscreenCanvas !== 'undefined' ? new OffscreenCanvas(width, height) : document.createElement('canvas');
      this.context = this.canvas.getContext('2d', { willReadFrequently: true }) as CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D | null;
      if (!this.context) throw new CpemError('BACKEND_UNAVAILABLE', 'FaceTracker: no 2D canvas to read video frames from; use a GPU backend or pass ImageData.');
    }
    if (this.canvas.width !== width || this.canvas.height !== height) {
      this.canvas.width = width;
      this.canvas.height = height;
    }
    this.context!.drawImage(source, 0, 0, width, height);
    return this.context!.getImageData(0, 0, width, height).data;
  }
}

/**
 * Checks `input` and reads it as a frame: in JS memory when `inJs` (CPU backends; DOM images through `reader`),
 * else as a tensor. Throws INVALID_ARGUMENT saying what to pass.
 */
export async function readTrackerFrame(input: TrackerInput, inJs: boolean, reader: PixelReader): Promise<TrackerFrame> {
  if (input instanceof tf.Tensor) {
    if (input.isDisposed) throw new CpemError('INVALID_ARGUMENT', 'FaceTracker.track: the tensor was disposed; pass a live [height, width, 3|4] tensor.');
    const [h, w, c] = input.shape;
    if (input.rank !== 3 || (c !== 3 && c !== 4)) {
      throw new CpemError('INVALID_ARGUMENT', `FaceTracker.track: a tensor frame must have shape [height, width, 3] or [height, width, 4] (RGB or RGBA, values 0-255); got [${input.shape.join(', ')}].`);
    }
    if (input.dtype !== 'float32' && input.dtype !== 'int32') {
      throw new CpemError('INVALID_ARGUMENT', `FaceTracker.track: a tensor frame must be int32 or float32 with values 0-255; got ${input.dtype}.`);
    }
    checkSize(w, h, 'the tensor frame');
    if (inJs) return new PixelFrame({ data: (await input.data()) as Float32Array | Int32Array, width: w, height: h, channels: c });
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
      width = v.videoWidth; height = v.videoHeight;
      if (v.readyState < 2 || width === 0 || height === 0) {
        throw new CpemError('INVALID_ARGUMENT', 'FaceTracker.track: the video has no frame yet (readyState < HAVE_CURRENT_DATA); wait for its loadeddata event before tracking.');
      }
    } else {
      ({ width, height } = input as HTMLCanvasElement | ImageBitmap | ImageData);
      checkSize(width, height, `the ${dom}`);
    }
    if (inJs) {
      const data = dom === 'ImageData' ? (input as ImageData).data : reader.read(input as CanvasImageSource, width, height);
      return new PixelFrame({ data, width, height, channels: 4 });
    }
    const frame = tf.tidy(() => tf.expandDims(tf.cast(tf.browser.fromPixels(input as HTMLCanvasElement), 'float32'), 0) as tf.Tensor4D);
    return new TensorFrame(frame, width, height);
  }
  if (isRawImage(input)) {
    const { data, width, height } = input;
    const channels = input.channels ?? (data instanceof Uint8ClampedArray ? 4 : undefined); // ImageData-like
    if (!(data instanceof Uint8Array || data instanceof Uint8ClampedArray)) {
      throw new CpemError('INVALID_ARGUMENT', 'FaceTracker.track: a raw frame needs data as a Uint8Array or Uint8ClampedArray (8-bit RGB or RGBA).');
    }
    if (channels !== 3 && channels !== 4) {
      throw new CpemError('INVALID_ARGUMENT', `FaceTracker.track: a raw frame needs channels 3 (RGB) or 4 (RGBA); got ${String(channels)}.`);
    }
    checkSize(width as number, height as number, 'the raw frame');
    const w = width as number, h = height as number;
    if (data.length !== w * h * channels) {
      throw new CpemError('INVALID_ARGUMENT', `FaceTracker.track: a ${w}×${h} frame with ${channels} channels needs ${w * h * channels} bytes; got ${data.length}. Check width, height and channels.`);
    }
    if (inJs) return new PixelFrame({ data, width: w, height: h, channels });
    const rgb = new Float32Array(w * h * 3);
    if (channels === 3) {
      for (let i = 0; i < rgb.length; i++) rgb[i] = data[i];
    } else {
      for (let p = 0, q = 0; p < rgb.length; p += 3, q += 4) { rgb[p] = data[q]; rgb[p + 1] = data[q + 1]; rgb[p + 2] = data[q + 2]; }
    }
    return new TensorFrame(tf.tensor4d(rgb, [1, h, w, 3]), w, h);
  }
  const what = input === null ? 'null' : typeof input === 'object' ? (input as object).constructor?.name ?? 'an object' : typeof input;
  throw new CpemError('INVALID_ARGUMENT', `FaceTracker.track: cannot read a frame from ${what}. Pass an HTMLVideoElement, HTMLCanvasElement, ImageBitmap, ImageData, a [height, width, 3|4] tf.Tensor3D, or { data, width, height, channels }.`);
}
