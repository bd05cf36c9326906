// Decoding clips as a player shows them: a clip stored sideways with a rotation (a phone held upright) comes out
// upright with its displayed width and height, and a variable-frame-rate clip's frames carry their own times, not
// index / average rate. Small clips made by ffmpeg in a temp folder.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodeVideo, probeVideo } from '../../plugin/node/ffmpeg-frames.js';
import { sharedPath } from '../../training/node/shared-data.js';

const SHARED_CLIP = sharedPath('videos', 'georgeretsi__dafoe.mp4');

function ffmpeg(args: string[]): void {
  const r = spawnSync('ffmpeg', ['-v', 'error', '-y', ...args], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
}

async function frames(file: string, maxFrames?: number) {
  const out = [];
  for await (const f of decodeVideo(file, { maxFrames })) out.push(f);
  return out;
}

function meanAbsDiff(a: Uint8Array, b: Uint8Array): number {
  assert.equal(a.length, b.length);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
  return sum / a.length;
}

/** `upright` stored turned a quarter clockwise with a 90° rotation in its metadata: how phones record portrait video. */
function phoneCopy(upright: string, out: string): void {
  const sideways = `${out}.sideways.mp4`;
  ffmpeg(['-i', upright, '-vf', 'transpose=1', '-c:v', 'libx264', '-qp', '0', '-pix_fmt', 'yuv420p', sideways]);
  ffmpeg(['-i', sideways, '-c', 'copy', '-metadata:s:v', 'rotate=90', out]);
}

describe('decodeVideo', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cpem-frames-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('probes and decodes a rotated clip upright, with its displayed width and height', async () => {
    const upright = path.join(dir, 'portrait.mp4');
    ffmpeg([
      '-f',
      'lavfi',
      '-i',
      'testsrc=size=48x64:rate=10:duration=0.3',
      '-c:v',
      'libx264',
      '-qp',
      '0',
      '-pix_fmt',
      'yuv420p',
      upright,
    ]);
    const phone = path.join(dir, 'phone.mp4');
    phoneCopy(upright, phone);
    const info = probeVideo(phone);
    assert.deepEqual([info.width, info.height, info.rotation], [48, 64, 90]);
    assert.deepEqual(
      [probeVideo(upright).width, probeVideo(upright).height, probeVideo(upright).rotation],
      [48, 64, 0],
    );
    const [a] = await frames(phone, 1);
    const [b] = await frames(upright, 1);
    assert.deepEqual([a.width, a.height], [48, 64]);
    assert.ok(
      meanAbsDiff(a.data, b.data) < 2,
      `frame differs from the upright clip's by ${meanAbsDiff(a.data, b.data)}`,
    );
  });

  it('decodes a rotated copy of a real portrait clip like the upright one', {
    skip: !fs.existsSync(SHARED_CLIP) && `needs ${SHARED_CLIP}`,
  }, async () => {
    const upright = path.join(dir, 'face.mp4');
    // A portrait crop of the face, half a second.
    ffmpeg([
      '-t',
      '0.5',
      '-i',
      SHARED_CLIP,
      '-vf',
      'crop=404:720,scale=180:320',
      '-an',
      '-c:v',
      'libx264',
      '-qp',
      '0',
      '-pix_fmt',
      'yuv420p',
      upright,
    ]);
    const phone = path.join(dir, 'face-phone.mp4');
    phoneCopy(upright, phone);
    const info = probeVideo(phone);
    assert.deepEqual([info.width, info.height], [180, 320]);
    const a = await frames(phone, 3);
    const b = await frames(upright, 3);
    assert.equal(a.length, 3);
    for (let k = 0; k < 3; k++) {
      assert.deepEqual([a[k].width, a[k].height], [180, 320]);
      assert.ok(meanAbsDiff(a[k].data, b[k].data) < 2, `frame ${k}`);
    }
  });

  it("gives a variable-frame-rate clip's frames their own times", async () => {
    const vfr = path.join(dir, 'vfr.mp4');
    // Five frames 0.2 s apart, then five 0.04 s apart: the average rate (6.6 fps) places the last at 1.37 s, not 1.16 s.
    ffmpeg([
      '-f',
      'lavfi',
      '-i',
      'testsrc=size=64x48:rate=25:duration=0.4',
      '-vf',
      "setpts='if(lt(N,5),N*0.2,1+(N-5)*0.04)/TB'",
      '-fps_mode',
      'vfr',
      '-video_track_timescale',
      '1000',
      vfr,
    ]);
    const expected = [0, 0.2, 0.4, 0.6, 0.8, 1, 1.04, 1.08, 1.12, 1.16];
    const got = await frames(vfr);
    assert.equal(got.length, expected.length);
    got.forEach((f, k) => {
      assert.equal(f.index, k);
      assert.ok(Math.abs(f.time - expected[k]) < 2e-3, `frame ${k} at ${f.time} s, shown at ${expected[k]} s`);
    });
    // Resampled, frames are at k / fps.
    const resampled = [];
    for await (const f of decodeVideo(vfr, { fps: 10, maxFrames: 5 })) resampled.push(f.time);
    assert.deepEqual(
      resampled.map((t) => +t.toFixed(3)),
      [0, 0.1, 0.2, 0.3, 0.4],
    );
  });

  it('a constant-rate clip keeps frame k at k / fps', async () => {
    const cfr = path.join(dir, 'cfr.mp4');
    ffmpeg(['-f', 'lavfi', '-i', 'testsrc=size=64x48:rate=30:duration=0.5', '-pix_fmt', 'yuv420p', cfr]);
    const got = await frames(cfr);
    assert.equal(got.length, 15);
    got.forEach((f, k) => assert.ok(Math.abs(f.time - k / 30) < 1e-3, `frame ${k} at ${f.time}`));
  });
});
