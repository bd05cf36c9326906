type VideoWithFrameCallback = HTMLVideoElement & {
  requestVideoFrameCallback?(cb: (now: number, meta: { mediaTime: number }) => void): number;
  cancelVideoFrameCallback?(handle: number): void;
};

/** Longest wait for a video frame callback before running anyway (hidden or detached videos may get none). */
const FRAME_WATCHDOG_MS = 250;
/** Polling period where the browser has no video frame callbacks. */
const POLL_MS = 1000 / 30;

/** FrameLoop options. */
export interface FrameLoopOptions {
  /**
   * Start the next step as soon as the last has settled when the playing video has moved on since it began, instead
   * of waiting for the next frame callback. Frame callbacks come with the page's rendering, so on a page that renders
   * slowly they cap the steps at its frame rate; a step that costs the main thread little (inference in a worker)
   * need not wait for them. Default false.
   */
  eager?: boolean;
}

/**
 * The frame loop: runs `step` once per new frame of a video, one at a time (the next is scheduled only when the
 * last has settled), paced by requestVideoFrameCallback, with a timer as a watchdog (or, without frame callbacks, a
 * 30 Hz poll); `eager` starts at once when the video has moved on. Rendering never waits for it. `step` handles its
 * own errors.
 */
export class FrameLoop {
  private video: VideoWithFrameCallback | null = null;
  private handle: number | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** Counts starts and stops: a step that settles after a stop or restart does not schedule another. */
  private run = 0;
  /** The video's currentTime when the last step began. */
  private lastTime = NaN;

  constructor(
    private readonly step: (video: HTMLVideoElement) => Promise<void>,
    private readonly options: FrameLoopOptions = {},
  ) {}

  get running(): boolean {
    return this.video !== null;
  }

  /** Starts (or restarts) stepping through `video`'s frames. */
  start(video: HTMLVideoElement): void {
    this.stop();
    this.video = video;
    this.lastTime = NaN;
    this.schedule(this.run);
  }

  /** Stops scheduling; a step already running finishes but schedules no other. */
  stop(): void {
    this.run++;
    this.cancel();
    this.video = null;
  }

  private schedule(run: number): void {
    const video = this.video;
    if (!video || run !== this.run) return;
    const fire = () => {
      this.cancel();
      void this.stepOnce(video, run);
    };
    if (this.options.eager && !video.paused && video.currentTime !== this.lastTime) {
      this.timer = setTimeout(fire, 0);
      return;
    }
    const paced = typeof video.requestVideoFrameCallback === 'function';
    if (paced) this.handle = video.requestVideoFrameCallback!(fire);
    this.timer = setTimeout(fire, paced ? FRAME_WATCHDOG_MS : POLL_MS);
  }

  private async stepOnce(video: HTMLVideoElement, run: number): Promise<void> {
    this.lastTime = video.currentTime;
    try {
      await this.step(video);
    } finally {
      this.schedule(run);
    }
  }

  private cancel(): void {
    if (this.handle !== null) this.video?.cancelVideoFrameCallback?.(this.handle);
    if (this.timer !== null) clearTimeout(this.timer);
    this.handle = null;
    this.timer = null;
  }
}
