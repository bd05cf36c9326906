// The behavior's frame loop: one step at a time, paced by the video's frame callbacks; with `eager`, the next step
// starts as soon as the last settles when the playing video has moved on, without waiting for a frame callback.
// The video here is a plain object with what FrameLoop reads (currentTime, paused, requestVideoFrameCallback): its
// frame callbacks fire only when the test says so.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FrameLoop } from '../../plugin/behavior/frame-loop.js';

class ClipClock {
  currentTime = 0;
  paused = false;
  callbacks = new Map<number, () => void>();
  requested = 0;
  private next = 1;
  requestVideoFrameCallback(cb: () => void): number {
    this.requested++;
    this.callbacks.set(this.next, cb);
    return this.next++;
  }
  cancelVideoFrameCallback(handle: number): void {
    this.callbacks.delete(handle);
  }
  /** Presents a new frame: fires the pending frame callbacks. */
  present(): void {
    const cbs = [...this.callbacks.values()];
    this.callbacks.clear();
    for (const cb of cbs) cb();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A loop whose step takes 5 ms and advances the clip by a frame (the video plays on meanwhile). */
function loopOn(clip: ClipClock, eager: boolean) {
  let steps = 0;
  const loop = new FrameLoop(
    async () => {
      steps++;
      await sleep(5);
      clip.currentTime += 1 / 30;
    },
    { eager },
  );
  loop.start(clip as unknown as HTMLVideoElement);
  return { loop, steps: () => steps };
}

async function until(cond: () => boolean, ms: number): Promise<void> {
  const t0 = Date.now();
  while (!cond() && Date.now() - t0 < ms) await sleep(5);
}

describe('frame loop', () => {
  it('waits for the next frame callback after a step unless eager', async () => {
    const clip = new ClipClock();
    const { loop, steps } = loopOn(clip, false);
    await until(() => steps() >= 1, 2000);
    try {
      await sleep(100); // less than the 250 ms watchdog: timers never fire early
      assert.equal(steps(), 1, 'one step, then it waits for a frame');
      clip.present();
      await until(() => steps() >= 2, 2000);
      assert.equal(steps(), 2);
    } finally {
      loop.stop();
    }
  });

  it('eager: steps back to back while the video plays, with no frame callback needed', async () => {
    const clip = new ClipClock();
    const { loop, steps } = loopOn(clip, true);
    try {
      await until(() => steps() >= 6, 5000);
      assert.ok(steps() >= 6, `${steps()} steps`);
      assert.equal(clip.requested, 0, 'no frame callback was waited for');
    } finally {
      loop.stop();
    }
    const stopped = steps();
    await sleep(50);
    assert.equal(steps(), stopped, 'nothing after stop()');
  });

  it('eager: a paused video, or one that has not moved on, waits for a frame callback', async () => {
    const clip = new ClipClock();
    clip.paused = true;
    const { loop, steps } = loopOn(clip, true);
    await until(() => steps() >= 1, 2000);
    await sleep(100);
    try {
      assert.equal(steps(), 1);
      assert.equal(clip.callbacks.size, 1, 'waiting on a frame callback');
      clip.present();
      await until(() => steps() >= 2, 2000);
      assert.equal(steps(), 2);
    } finally {
      loop.stop();
    }

    // Playing, but the step leaves currentTime where it was (a stalled clip): it waits too.
    const stalled = new ClipClock();
    let n = 0;
    const still = new FrameLoop(
      async () => {
        n++;
        await sleep(5);
      },
      { eager: true },
    );
    still.start(stalled as unknown as HTMLVideoElement);
    try {
      await until(() => n >= 1, 2000);
      await sleep(100);
      assert.equal(n, 1);
    } finally {
      still.stop();
    }
  });
});
