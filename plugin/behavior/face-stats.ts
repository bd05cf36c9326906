import type { EstimatedFaceMotion } from '../estimator/face-estimator.js';

/** Latency and rate figures, updated as frames are processed. */
export interface FaceRetargetStats {
  /** Milliseconds, last frame: tracker, estimator (PE-Net), filter (calibration + One Euro), apply (retarget, per rendered frame). */
  tracker: number;
  /** Milliseconds, last frame: the part of `tracker` spent getting the frame's pixels (0 on GPU backends' uploads). */
  read: number;
  estimator: number;
  filter: number;
  apply: number;
  /**
   * Milliseconds of the main thread's time the last frame took: with inference on the main thread, the whole
   * estimate (an upper bound: the frame copy it awaits is included); in a worker, wrapping and posting the frame and
   * reading the answer.
   */
  mainThread: number;
  /** Frames estimated per second over the last second. */
  estimatesPerSecond: number;
  /** Frames estimated since start. */
  frames: number;
}

/** Keeps a behavior's FaceRetargetStats: per-stage times of the last frame and the estimate rate over the last second. */
export class FrameStats {
  readonly current: FaceRetargetStats = {
    tracker: 0,
    read: 0,
    estimator: 0,
    filter: 0,
    apply: 0,
    mainThread: 0,
    estimatesPerSecond: 0,
    frames: 0,
  };
  private readonly recent: number[] = [];

  /** Records an estimated frame that finished at `now` (ms), having taken `mainThreadMs` of the main thread. */
  estimated(motion: EstimatedFaceMotion, now: number, mainThreadMs: number): void {
    this.recent.push(now);
    while (this.recent.length > 0 && this.recent[0] < now - 1000) this.recent.shift();
    const s = this.current;
    s.tracker = motion.timings.tracker;
    s.read = motion.timings.read;
    s.estimator = motion.timings.estimator;
    s.filter = motion.timings.filter;
    s.mainThread = mainThreadMs;
    s.estimatesPerSecond = this.recent.length;
    s.frames++;
  }

  /** Records how long applying the motion to the character took. */
  applied(ms: number): void {
    this.current.apply = ms;
  }
}
