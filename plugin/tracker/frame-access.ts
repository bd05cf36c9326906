/**
 * How a CPU backend (wasm, cpu) gets a video's pixels, and the choice between the two ways when left to 'auto'.
 *
 * Both read only the rectangles the tracker's crops need (the whole frame only when the detector runs):
 * - 'copy': WebCodecs' VideoFrame.copyTo of the rectangle, converted to RGB in JS;
 * - 'canvas': the rectangle drawn into a 2D canvas (willReadFrequently) and read back with getImageData.
 *
 * Which is cheaper depends on where the decoded frame lives and on how busy the GPU process is. Chrome keeps a playing
 * video's frames in GPU memory, so both read back through that process. On a software renderer copyTo is far cheaper
 * with nothing else rendering, and the canvas slightly cheaper while a WebGL canvas renders every animation frame
 * (figures: docs/tracking.md and docs/behavior.md; bench/browser/frame-acquisition.bench.ts measures them). So 'auto'
 * measures: it uses the cheaper way by its recent read times, and every PROBE_EVERY frames reads one frame the other
 * way to see whether that changed.
 */

/** How the wasm and cpu backends read a video's pixels: 'auto' (the cheaper of the two, measured), 'copy' or 'canvas'. */
export type FrameAccess = 'auto' | 'copy' | 'canvas';

export type FrameReadPath = 'copy' | 'canvas';

/** Frames between two reads the other way (so that a change in which is cheaper is seen within a few seconds). */
export const PROBE_EVERY = 40;
/** Weight of a new read time in the running estimate of a path's cost. */
const SMOOTHING = 0.3;

export function isFrameAccess(x: unknown): x is FrameAccess {
  return x === 'auto' || x === 'copy' || x === 'canvas';
}

/** Picks the path for each frame and learns from the time its reads took. */
export class FrameAccessChooser {
  /** Running estimate of one rectangle's read time per path, in ms (NaN: not measured yet). */
  private readonly cost: Record<FrameReadPath, number> = { copy: NaN, canvas: NaN };
  private frames = 0;

  constructor(readonly access: FrameAccess = 'auto') {}

  /** The path for the next frame; `copyable` says whether this frame can be read through copyTo at all. */
  next(copyable: boolean): FrameReadPath {
    if (!copyable || this.access === 'canvas') return 'canvas';
    if (this.access === 'copy') return 'copy';
    this.frames++;
    if (Number.isNaN(this.cost.copy)) return 'copy';
    // The canvas is tried once copyTo has had a few frames (its first reads include warming up).
    if (Number.isNaN(this.cost.canvas)) return this.frames > 3 ? 'canvas' : 'copy';
    const best: FrameReadPath = this.cost.copy <= this.cost.canvas ? 'copy' : 'canvas';
    return this.frames % PROBE_EVERY === 0 ? (best === 'copy' ? 'canvas' : 'copy') : best;
  }

  /** Records that one rectangle read along `path` took `ms`. */
  record(path: FrameReadPath, ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) return;
    const c = this.cost[path];
    this.cost[path] = Number.isNaN(c) ? ms : c + SMOOTHING * (ms - c);
  }

  /** The running estimates, for stats and tests. */
  get estimates(): Readonly<Record<FrameReadPath, number>> {
    return { ...this.cost };
  }
}
