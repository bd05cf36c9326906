import { CpemError } from '../errors/cpem-error.js';
import { NUM_EXPRESSION_UNITS } from '../constants.js';

/** A stretch of a take without a face: from the last frame with one to the next (ms from the take's first frame). */
export interface TakeGap {
  readonly startMs: number;
  /** The first frame after the gap; the take's end when the face never came back. */
  readonly endMs: number;
}

export interface TakeBufferOptions {
  /**
   * The most frames a take holds; past it `push()` refuses frames (the take ends where it was). Default 36,000:
   * 20 minutes at 30 estimates a second. Each frame costs {@link takeBytesPerFrame} bytes.
   */
  maxFrames?: number;
}

/** Bytes one recorded frame occupies: its time, one influence per channel, the head quaternion, 46 units, 3 angles. */
export function takeBytesPerFrame(channels: number): number {
  return 8 + 4 * (channels + 4 + NUM_EXPRESSION_UNITS + 3);
}

export const DEFAULT_MAX_TAKE_FRAMES = 36_000;

/**
 * The frames of one take, in typed arrays that grow by doubling up to `maxFrames`: per frame its time (ms from the
 * first frame), the influence of each channel (a retarget-table row), the head node's local rotation as a quaternion
 * (x, y, z, w), the 46 units and the head angles [pitch, yaw, roll] they came from. Frames without a face are not
 * stored; `markLost()` and the next `push()` record the gap between them.
 */
export class TakeBuffer {
  readonly maxFrames: number;
  private times = new Float64Array(64);
  private influences: Float32Array;
  private rotations = new Float32Array(64 * 4);
  private unitRows = new Float32Array(64 * NUM_EXPRESSION_UNITS);
  private angleRows = new Float32Array(64 * 3);
  private count = 0;
  private origin = NaN;
  private lostAt: number | null = null;
  private readonly gapList: TakeGap[] = [];

  constructor(
    readonly channelNames: readonly string[],
    readonly hasHead: boolean,
    options: TakeBufferOptions = {},
  ) {
    this.maxFrames = options.maxFrames ?? DEFAULT_MAX_TAKE_FRAMES;
    if (!Number.isInteger(this.maxFrames) || this.maxFrames < 2) {
      throw new CpemError('INVALID_ARGUMENT', `maxFrames must be an integer of at least 2; got ${options.maxFrames}.`);
    }
    this.influences = new Float32Array(64 * channelNames.length);
  }

  get frameCount(): number {
    return this.count;
  }

  /** True once `maxFrames` frames are held: further frames are refused. */
  get full(): boolean {
    return this.count >= this.maxFrames;
  }

  /** The clock time (ms) of the first frame: frame times are measured from it. NaN before the first frame. */
  get startTime(): number {
    return this.origin;
  }

  /** Milliseconds from the first frame to the last (to the end of a trailing gap). */
  get durationMs(): number {
    if (this.count === 0) return 0;
    const last = this.times[this.count - 1];
    return this.lostAt !== null ? Math.max(last, this.lostAt - this.origin) : last;
  }

  /** Gaps without a face, in order; a face still missing counts as a gap to `durationMs`. */
  get gaps(): readonly TakeGap[] {
    if (this.lostAt === null || this.count === 0) return this.gapList;
    return [...this.gapList, { startMs: this.times[this.count - 1], endMs: this.durationMs }];
  }

  /** Bytes held now (the arrays' capacity, not just the frames used). */
  get bytesAllocated(): number {
    return (
      this.times.byteLength +
      this.influences.byteLength +
      this.rotations.byteLength +
      this.unitRows.byteLength +
      this.angleRows.byteLength
    );
  }

  /**
   * Adds a frame at `timeMs` (any clock, in ms; times must not go back). `rotation` is the head quaternion (x, y, z, w;
   * ignored without a head). Returns false, storing nothing, when the take is full or the time went back.
   */
  push(
    timeMs: number,
    influences: ArrayLike<number>,
    rotation: ArrayLike<number> | null,
    units: ArrayLike<number>,
    angles: ArrayLike<number>,
  ): boolean {
    if (this.full || !Number.isFinite(timeMs)) return false;
    if (this.count === 0) this.origin = timeMs;
    const t = timeMs - this.origin;
    if (this.count > 0 && t <= this.times[this.count - 1]) return false;
    if (this.count === this.times.length) this.grow();
    const n = this.count;
    if (this.lostAt !== null) {
      if (n > 0) this.gapList.push({ startMs: this.times[n - 1], endMs: t });
      this.lostAt = null;
    }
    this.times[n] = t;
    const c = this.channelNames.length;
    for (let i = 0; i < c; i++) this.influences[n * c + i] = influences[i];
    for (let i = 0; i < 4; i++) this.rotations[n * 4 + i] = rotation ? rotation[i] : i === 3 ? 1 : 0;
    for (let i = 0; i < NUM_EXPRESSION_UNITS; i++) this.unitRows[n * NUM_EXPRESSION_UNITS + i] = units[i];
    for (let i = 0; i < 3; i++) this.angleRows[n * 3 + i] = angles[i];
    this.count++;
    return true;
  }

  /** The face was lost at `timeMs`: the next frame closes a gap (a take that ends first ends in one). */
  markLost(timeMs: number): void {
    if (this.count > 0 && this.lostAt === null) this.lostAt = timeMs;
  }

  /** Times of the frames (ms from the first), a view. */
  frameTimes(): Float64Array {
    return this.times.subarray(0, this.count);
  }

  /** One channel's influence over the take (a copy). */
  channel(c: number): Float32Array {
    const n = this.count;
    const stride = this.channelNames.length;
    const out = new Float32Array(n);
    for (let f = 0; f < n; f++) out[f] = this.influences[f * stride + c];
    return out;
  }

  /** Head quaternions, 4 numbers a frame (x, y, z, w), a view. */
  headRotations(): Float32Array {
    return this.rotations.subarray(0, this.count * 4);
  }

  /** Frame `f`'s 46 units, a view. */
  unitsAt(f: number): Float32Array {
    return this.unitRows.subarray(f * NUM_EXPRESSION_UNITS, (f + 1) * NUM_EXPRESSION_UNITS);
  }

  /** Frame `f`'s head angles [pitch, yaw, roll] (radians), a view. */
  anglesAt(f: number): Float32Array {
    return this.angleRows.subarray(f * 3, f * 3 + 3);
  }

  /** Indices of frames that border a gap (the last before and the first after): reduction keeps them. */
  gapBorderFrames(): number[] {
    const times = this.frameTimes();
    const out: number[] = [];
    for (const g of this.gapList) {
      const after = times.indexOf(g.endMs);
      if (after > 0) out.push(after - 1, after);
    }
    return out;
  }

  private grow(): void {
    const size = Math.min(this.times.length * 2, this.maxFrames);
    const grown = <T extends Float32Array | Float64Array>(a: T, per: number): T => {
      const b = new (a.constructor as { new (n: number): T })(size * per);
      b.set(a);
      return b;
    };
    this.times = grown(this.times, 1);
    this.influences = grown(this.influences, this.channelNames.length);
    this.rotations = grown(this.rotations, 4);
    this.unitRows = grown(this.unitRows, NUM_EXPRESSION_UNITS);
    this.angleRows = grown(this.angleRows, 3);
  }
}
