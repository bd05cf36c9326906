// The tracker's frame reading: crops sampled in JS (CPU backends) match tf.image.transform's (GPU backends) crops,
// borders, rotation and mirroring included, for RGB and RGBA pixels and tensor frames.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { PixelReader, readTrackerFrame, type RawImage } from '../../plugin/tracker/tracker-frame.js';
import type { Roi } from '../../plugin/tracker/face-geometry.js';

function noiseImage(width: number, height: number, channels: 3 | 4): RawImage {
  let s = 12345;
  const data = new Uint8Array(width * height * channels).map(() => {
    s = (s * 1103515245 + 12345) >>> 0;
    return s >>> 24;
  });
  return { data, width, height, channels };
}

async function maxDiff(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  const [x, y] = await Promise.all([a.data(), b.data()]);
  assert.deepEqual(a.shape, b.shape);
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]));
  return m;
}

describe('tracker frame crops', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  // Inside, rotated, mirrored, half outside the image (zero fill), and larger than the image.
  const requests: { roi: Roi; flip?: boolean }[] = [
    { roi: { cx: 40.3, cy: 30.7, size: 30, angle: 0 } },
    { roi: { cx: 50, cy: 35, size: 41.5, angle: 0.6 } },
    { roi: { cx: 44, cy: 28, size: 25, angle: -0.3 }, flip: true },
    { roi: { cx: 2, cy: 60, size: 50, angle: 1.2 } },
    { roi: { cx: 40, cy: 32, size: 140, angle: 0 } },
  ];

  for (const channels of [3, 4] as const) {
    it(`samples ${channels}-channel pixels like tf.image.transform, within 1e-3`, async () => {
      const image = noiseImage(83, 64, channels);
      const reader = new PixelReader();
      const inJs = await readTrackerFrame(image, true, reader);
      const asTensor = await readTrackerFrame(image, false, reader);
      for (const [size, mul, add] of [
        [32, 1 / 255, 0],
        [17, 1 / 127.5, -1],
      ] as const) {
        const a = await inJs.crops(requests, size, mul, add),
          b = await asTensor.crops(requests, size, mul, add);
        const d = await maxDiff(a, b);
        assert.ok(d < 1e-3, `crops differ by ${d} (size ${size})`);
        tf.dispose([a, b]);
      }
      inJs.dispose();
      asTensor.dispose();
    });
  }

  it('reads a float tensor frame into JS with the same crops, and leaves no tensor behind', async () => {
    const image = noiseImage(40, 30, 3);
    const t = tf.tensor3d(Float32Array.from(image.data), [30, 40, 3]);
    const before = tf.memory().numTensors;
    const reader = new PixelReader();
    const inJs = await readTrackerFrame(t, true, reader),
      asTensor = await readTrackerFrame(t, false, reader);
    const a = await inJs.crops(requests.slice(0, 2), 24, 1, 0),
      b = await asTensor.crops(requests.slice(0, 2), 24, 1, 0);
    assert.ok((await maxDiff(a, b)) < 1e-3);
    tf.dispose([a, b]);
    inJs.dispose();
    asTensor.dispose();
    assert.equal(tf.memory().numTensors, before);
    t.dispose();
  });
});
