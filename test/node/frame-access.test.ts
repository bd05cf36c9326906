// How the tracker reads a video's pixels on CPU backends: 'auto' takes the cheaper of copyTo and the 2D canvas by
// their measured read times, looks at the other every PROBE_EVERY frames, and follows a change in which is cheaper.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  FrameAccessChooser,
  PROBE_EVERY,
  isFrameAccess,
  type FrameReadPath,
} from '../../plugin/tracker/frame-access.js';

/** Runs `frames` frames through the chooser, each read taking cost(path, frame) ms; returns the paths taken. */
function run(
  chooser: FrameAccessChooser,
  frames: number,
  cost: (path: FrameReadPath, frame: number) => number,
  copyable = true,
): FrameReadPath[] {
  const taken: FrameReadPath[] = [];
  for (let f = 0; f < frames; f++) {
    const path = chooser.next(copyable);
    chooser.record(path, cost(path, f));
    taken.push(path);
  }
  return taken;
}

describe('frame access', () => {
  it("'auto' settles on the cheaper path and reads the other way once every PROBE_EVERY frames", () => {
    // copyTo cheap (no scene on the GPU): almost every frame by copy.
    const cheapCopy = run(new FrameAccessChooser('auto'), 400, (p) => (p === 'copy' ? 4 : 21));
    const late = cheapCopy.slice(40);
    assert.ok(
      late.filter((p) => p === 'canvas').length <= Math.ceil(late.length / PROBE_EVERY),
      `canvas ${late.filter((p) => p === 'canvas').length} of ${late.length}`,
    );
    assert.ok(late.includes('canvas'), 'the other path is still looked at');
    // The canvas cheap (readbacks waiting behind a busy renderer): almost every frame by canvas.
    const cheapCanvas = run(new FrameAccessChooser('auto'), 400, (p) => (p === 'copy' ? 250 : 60)).slice(40);
    assert.ok(cheapCanvas.filter((p) => p === 'copy').length <= Math.ceil(cheapCanvas.length / PROBE_EVERY));
    assert.ok(cheapCanvas.includes('copy'));
  });

  it("'auto' follows a change in which path is cheaper within a few probes", () => {
    const chooser = new FrameAccessChooser('auto');
    // 200 frames with copyTo cheap, then the scene starts rendering and copyTo waits 250 ms.
    const taken = run(chooser, 600, (p, f) => (p === 'copy' ? (f < 200 ? 4 : 250) : f < 200 ? 21 : 60));
    const before = taken.slice(100, 200),
      after = taken.slice(200 + 3 * PROBE_EVERY);
    assert.ok(
      before.filter((p) => p === 'copy').length >= before.length - Math.ceil(before.length / PROBE_EVERY),
      'copy before the change',
    );
    assert.ok(
      after.filter((p) => p === 'canvas').length >= after.length - Math.ceil(after.length / PROBE_EVERY),
      'canvas after it, copy only as a probe',
    );
    const { copy, canvas } = chooser.estimates;
    assert.ok(copy > canvas, `estimates copy ${copy}, canvas ${canvas}`);
  });

  it("'copy' and 'canvas' are followed as set; a frame copyTo cannot read goes by canvas", () => {
    assert.ok(run(new FrameAccessChooser('copy'), 100, (p) => (p === 'copy' ? 500 : 1)).every((p) => p === 'copy'));
    assert.ok(
      run(new FrameAccessChooser('canvas'), 100, (p) => (p === 'canvas' ? 500 : 1)).every((p) => p === 'canvas'),
    );
    assert.ok(run(new FrameAccessChooser('auto'), 100, () => 1, false).every((p) => p === 'canvas'));
    assert.ok(run(new FrameAccessChooser('copy'), 10, () => 1, false).every((p) => p === 'canvas'));
  });

  it('ignores read times that are not finite, and knows its option values', () => {
    const chooser = new FrameAccessChooser('auto');
    chooser.record('copy', Number.NaN);
    chooser.record('canvas', -1);
    assert.ok(Number.isNaN(chooser.estimates.copy) && Number.isNaN(chooser.estimates.canvas));
    for (const ok of ['auto', 'copy', 'canvas']) assert.ok(isFrameAccess(ok));
    for (const bad of ['webgl', '', null, undefined, 1]) assert.ok(!isFrameAccess(bad));
  });
});
