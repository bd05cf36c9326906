import type { EstimatedFaceMotion } from '../estimator/face-estimator.js';

/** Latency and rate figures, updated as frames are processed. */
export interface FaceRetargetStats {
  /** Milliseconds, last frame: tracker, estimator (PE-Net), filter (calibration + One Euro), apply (retarget, per rendered frame). */
  tracker: number;
  estimator: number;
  filter: number;
  apply: number;
  /** Frames estimated per second over the last second. */
  estimatesPerSecond: number;
  /** Frames estimated since start. */
  frames: number;
}

/** Keeps a behavior's FaceRetargetStats: per-stage times of the last frame and the estimate rate over the last second. */
export class FrameStats {
  readonly current: FaceRetargetStats = { tracker: 0, estimator: 0, filter: 0, apply: 0, estimatesPerSecond: 0, frames: 0 };
  private readonly recent: number[] = [];

  /** Records an estimated frame that finished at `now` (ms). */
  estimated(motion: EstimatedFaceMotion, now: number): void {
    this.recent.push(now);
    while (this.recent.length > 0 && this.recent[0] < now - 1000) this.recent.shift();
    const s = this.current;
    s.tracker = motion.timings.tracker;
    s.estimator = motion.timings.estimator;
    s.filter = motion.timings.filter;
    s.estimatesPerSecond = this.recent.length;
    s.frames++;
  }

  /** Records how long applying the motion to the character took. */
  applied(ms: number): void {
    this.current.apply = ms;
  }
}
