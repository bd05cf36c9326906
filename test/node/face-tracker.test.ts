// FaceTracker in Node on the wasm and cpu backends: real frames from ../shared/videos (skipped when absent), the
// bad inputs the issue lists, model-file errors, tensor counts over many frames, and the landmark-track file.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs-core';
import { FaceTracker, type FaceTrackingResult, type RawImage } from '../../plugin/tracker/face-tracker.js';
import { isCpemError } from '../../plugin/errors/cpem-error.js';
import { decodeVideo } from '../../plugin/node/ffmpeg-frames.js';
import {
  decodeLandmarkTrack,
  encodeLandmarkTrack,
  makeTrackHeader,
  RECORD_FLOATS,
  type LandmarkTrackFrame,
} from '../../training/lib/data/landmark-track.js';
import { NUM_FACE_LANDMARKS, NUM_MESH_POINTS } from '../../plugin/constants.js';
import { sharedPath } from '../../training/node/shared-data.js';

const VIDEOS = path.resolve(sharedPath('videos'));
const CLIP = path.join(VIDEOS, 'fomm_00.mp4'); // 256 px, one face throughout
const WIDE_CLIP = path.join(VIDEOS, 'liveportrait_d0.mp4'); // 512 px
const hasClips = fs.existsSync(CLIP) && fs.existsSync(WIDE_CLIP);
const MODELS = path.resolve('node_modules', '@vladmandic', 'human', 'models');

async function frames(file: string, count: number, fps?: number): Promise<RawImage[]> {
  const out: RawImage[] = [];
  for await (const f of decodeVideo(file, { maxFrames: count, fps }))
    out.push({ data: f.data, width: f.width, height: f.height, channels: 3 });
  return out;
}

/** `img` pasted at (x, y) into a black canvas of w × h, optionally scaled down by an integer factor. */
function paste(img: RawImage, w: number, h: number, x: number, y: number, shrink = 1): RawImage {
  const data = new Uint8Array(w * h * 3);
  const sw = Math.floor(img.width / shrink),
    sh = Math.floor(img.height / shrink);
  for (let r = 0; r < sh; r++) {
    for (let c = 0; c < sw; c++) {
      const src = 3 * (r * shrink * img.width + c * shrink),
        dst = 3 * ((y + r) * w + x + c);
      data[dst] = img.data[src];
      data[dst + 1] = img.data[src + 1];
      data[dst + 2] = img.data[src + 2];
    }
  }
  return { data, width: w, height: h, channels: 3 };
}

function assertCpem(e: unknown, code: string, ...words: string[]): true {
  assert.ok(isCpemError(e), `expected a CpemError, got ${String(e)}`);
  assert.equal(e.code, code, e.message);
  for (const w of words) assert.ok(e.message.includes(w), `message lacks "${w}": ${e.message}`);
  return true;
}

function faceOf(r: FaceTrackingResult) {
  assert.equal(r.status, 'ok');
  return r.faces[0];
}

let tracker: FaceTracker;
before(async () => {
  tracker = await FaceTracker.create({ backend: 'wasm' });
});
after(() => tracker?.dispose());

describe('FaceTracker on real frames (wasm)', { skip: !hasClips && 'needs ../shared/videos' }, () => {
  let clip: RawImage[];
  before(async () => {
    clip = await frames(CLIP, 30);
  });

  it('detects on the first frame, then tracks without the detector, with 478 points inside the frame', async () => {
    tracker.reset();
    const first = await tracker.track(clip[0]);
    assert.equal(first.detected, true);
    assert.ok(
      first.timings.detect > 0 &&
        first.timings.landmarks > 0 &&
        first.timings.total >= first.timings.detect + first.timings.landmarks - 1e-6,
    );
    const second = await tracker.track(clip[1]);
    assert.equal(second.detected, false);
    assert.equal(second.timings.detect, 0);
    for (const r of [first, second]) {
      const f = faceOf(r);
      assert.equal(f.landmarks.length, NUM_FACE_LANDMARKS * 3);
      assert.ok(f.confidence > 0.9 && f.confidence <= 1, `confidence ${f.confidence}`);
      assert.ok(f.box.width > 60 && f.box.height > 60 && f.box.width < 256, JSON.stringify(f.box));
      for (let k = 0; k < NUM_FACE_LANDMARKS; k++) {
        const x = f.landmarks[3 * k],
          y = f.landmarks[3 * k + 1];
        assert.ok(Number.isFinite(f.landmarks[3 * k + 2]));
        assert.ok(x > -5 && x < 261 && y > -5 && y < 261, `point ${k} at ${x}, ${y}`);
      }
    }
    // Consecutive frames of a talking head: the mesh moves by a few pixels, not tens.
    const a = faceOf(first).landmarks,
      b = faceOf(second).landmarks;
    let moved = 0;
    for (let k = 0; k < NUM_MESH_POINTS; k++)
      moved += Math.hypot(a[3 * k] - b[3 * k], a[3 * k + 1] - b[3 * k + 1]) / NUM_MESH_POINTS;
    assert.ok(moved < 4, `mean movement ${moved.toFixed(2)} px between frames`);
  });

  it('puts the iris points in MediaPipe order: 468-472 at the 33/133 eye, 473-477 at the 263/362 eye, rim right, top, left, bottom', async () => {
    tracker.reset();
    const L = faceOf(await tracker.track(clip[5])).landmarks;
    const x = (k: number) => L[3 * k],
      y = (k: number) => L[3 * k + 1];
    for (const [centre, a, b] of [
      [468, 33, 133],
      [473, 362, 263],
    ]) {
      assert.ok(
        x(centre) > Math.min(x(a), x(b)) && x(centre) < Math.max(x(a), x(b)),
        `iris ${centre} between eye corners ${a}, ${b}`,
      );
      const r = Math.hypot(x(centre + 1) - x(centre), y(centre + 1) - y(centre));
      assert.ok(r > 1 && r < Math.hypot(x(a) - x(b), y(a) - y(b)) / 2, `iris radius ${r}`);
      assert.ok(
        x(centre + 1) > x(centre) &&
          y(centre + 2) < y(centre) &&
          x(centre + 3) < x(centre) &&
          y(centre + 4) > y(centre),
        `rim order of ${centre}`,
      );
    }
    assert.ok(x(468) < x(473), 'the 33/133 eye is on the image left in an unmirrored video');
  });

  it("places the iris from the mesh when refineIris is false: same order, near the iris model's centres", async () => {
    tracker.reset();
    const withModel = faceOf(await tracker.track(clip[5])).landmarks;
    const plain = await FaceTracker.create({ backend: 'wasm', refineIris: false });
    try {
      const L = faceOf(await plain.track(clip[5])).landmarks;
      const x = (k: number) => L[3 * k],
        y = (k: number) => L[3 * k + 1];
      for (const [centre, a, b] of [
        [468, 33, 133],
        [473, 362, 263],
      ]) {
        const eyeWidth = Math.hypot(x(a) - x(b), y(a) - y(b));
        const off = Math.hypot(x(centre) - withModel[3 * centre], y(centre) - withModel[3 * centre + 1]);
        assert.ok(
          off < 0.25 * eyeWidth,
          `iris ${centre} ${off.toFixed(1)} px from the iris model's (eye ${eyeWidth.toFixed(1)} px)`,
        );
        assert.ok(
          x(centre + 1) > x(centre) &&
            y(centre + 2) < y(centre) &&
            x(centre + 3) < x(centre) &&
            y(centre + 4) > y(centre),
          `rim order of ${centre}`,
        );
      }
      // The mesh away from the eyes is the same with or without the iris model.
      for (const k of [1, 13, 14, 61, 291, 152, 10])
        assert.ok(Math.abs(L[3 * k] - withModel[3 * k]) < 0.01, `point ${k}`);
    } finally {
      plain.dispose();
    }
  });

  it("with refineIris 'alternate' keeps the eyes within 1 % of the eye distance of running the iris model on both eyes every frame, with flat tensor counts", async () => {
    const both = await FaceTracker.create({ backend: 'wasm', refineIris: true });
    const alternate = await FaceTracker.create({ backend: 'wasm', refineIris: 'alternate' });
    const eyePoints = [
      33, 133, 159, 145, 160, 144, 158, 153, 263, 362, 386, 374, 385, 380, 387, 373, 468, 469, 470, 471, 472, 473, 474,
      475, 476, 477,
    ];
    const before = tf.memory().numTensors;
    try {
      let sum = 0,
        worst = 0,
        n = 0;
      for (const [f, frame] of clip.entries()) {
        const a = faceOf(await both.track(frame)).landmarks,
          b = faceOf(await alternate.track(frame)).landmarks;
        const iod = Math.hypot(a[3 * 33] - a[3 * 263], a[3 * 33 + 1] - a[3 * 263 + 1]);
        const d =
          eyePoints.reduce((s, k) => s + Math.hypot(a[3 * k] - b[3 * k], a[3 * k + 1] - b[3 * k + 1]), 0) /
          eyePoints.length /
          iod;
        if (f === 0) assert.ok(d < 1e-6, 'a fresh detection runs the iris model on both eyes');
        sum += d;
        worst = Math.max(worst, d);
        n++;
      }
      assert.ok(
        sum / n < 0.01 && worst < 0.03,
        `eye points differ by ${((100 * sum) / n).toFixed(2)} % of the eye distance on average, ${(100 * worst).toFixed(2)} % at worst, over ${n} frames`,
      );
      assert.equal(tf.memory().numTensors, before);
    } finally {
      both.dispose();
      alternate.dispose();
    }
    await assert.rejects(FaceTracker.create({ backend: 'wasm', refineIris: 'sometimes' as never }), (e) =>
      assertCpem(e, 'INVALID_ARGUMENT', 'refineIris'),
    );
  });

  it('reads RGB, RGBA, int32 and float32 tensors alike', async () => {
    const rgb = clip[3];
    const rgba = new Uint8ClampedArray(rgb.width * rgb.height * 4);
    for (let p = 0; p < rgb.width * rgb.height; p++) {
      rgba.set(rgb.data.subarray(3 * p, 3 * p + 3), 4 * p);
      rgba[4 * p + 3] = 255;
    }
    const ti = tf.tensor3d(Int32Array.from(rgb.data), [rgb.height, rgb.width, 3], 'int32');
    const tfloat = tf.tensor3d(Float32Array.from(rgba), [rgb.height, rgb.width, 4]);
    const results: Float32Array[] = [];
    for (const input of [rgb, { data: rgba, width: rgb.width, height: rgb.height, channels: 4 as const }, ti, tfloat]) {
      tracker.reset();
      results.push(faceOf(await tracker.track(input)).landmarks);
    }
    tf.dispose([ti, tfloat]);
    for (const r of results.slice(1)) {
      let worst = 0;
      for (let i = 0; i < r.length; i++) worst = Math.max(worst, Math.abs(r[i] - results[0][i]));
      assert.ok(worst < 0.01, `landmarks differ by ${worst} px between input kinds`);
    }
  });

  it('finds two faces side by side with maxFaces 2, and only one with the default', async () => {
    const two = paste(clip[0], 512, 256, 0, 0);
    const right = paste(clip[10], 512, 256, 256, 0);
    for (let i = 0; i < two.data.length; i++) two.data[i] = Math.max(two.data[i], right.data[i]);
    const multi = await FaceTracker.create({ backend: 'wasm', maxFaces: 2 });
    try {
      const r = await multi.track(two);
      assert.equal(r.faces.length, 2);
      const centres = r.faces.map((f) => f.box.x + f.box.width / 2).sort((a, b) => a - b);
      assert.ok(centres[0] < 256 && centres[1] > 256, `face centres ${centres}`);
      const again = await multi.track(two); // both tracked: no detector needed
      assert.equal(again.faces.length, 2);
      assert.equal(again.detected, false);
    } finally {
      multi.dispose();
    }
    tracker.reset();
    assert.equal((await tracker.track(two)).faces.length, 1);
  });

  it('handles a tiny face: a 32 px face in a 640×480 frame is found near where it is, or reported as no face', async () => {
    const small = paste(clip[0], 640, 480, 400, 300, 8); // the 256 px frame shrunk 8× (face ~20 px wide)
    tracker.reset();
    const r = await tracker.track(small);
    if (r.status === 'ok') {
      const f = r.faces[0];
      assert.ok(
        Math.abs(f.box.x + f.box.width / 2 - 416) < 16 && Math.abs(f.box.y + f.box.height / 2 - 316) < 16,
        JSON.stringify(f.box),
      );
    } else assert.deepEqual(r.faces, []);
    const medium = paste(clip[0], 640, 480, 300, 100, 2); // 128 px: must be found
    tracker.reset();
    const m = faceOf(await tracker.track(medium));
    assert.ok(Math.abs(m.box.x + m.box.width / 2 - 364) < 20, JSON.stringify(m.box));
  });

  it('loses a face to a black or NaN frame with a no-face result, then finds it again', async () => {
    tracker.reset();
    faceOf(await tracker.track(clip[0]));
    const nan = tf.fill([256, 256, 3], NaN) as tf.Tensor3D;
    const r1 = await tracker.track(nan);
    nan.dispose();
    assert.equal(r1.status, 'no-face');
    assert.deepEqual(r1.faces, []);
    assert.equal(r1.detected, true, 'the lost face sends the same frame to the detector');
    const black = await tracker.track({ data: new Uint8Array(256 * 256 * 3), width: 256, height: 256, channels: 3 });
    assert.equal(black.status, 'no-face');
    assert.equal((await tracker.track(clip[1])).status, 'ok');
  });

  it('keeps tf.memory().numTensors flat over 300 tracked frames with resets and lost faces', async () => {
    const long = await frames(WIDE_CLIP, 100);
    tracker.reset();
    await tracker.track(long[0]);
    const before = tf.memory().numTensors;
    let ok = 0;
    for (let i = 0; i < 300; i++) {
      if (i % 97 === 0) tracker.reset();
      const input =
        i % 50 === 25
          ? { data: new Uint8Array(512 * 512 * 3), width: 512, height: 512, channels: 3 as const }
          : long[i % long.length];
      if ((await tracker.track(input)).status === 'ok') ok++;
    }
    assert.equal(tf.memory().numTensors, before);
    assert.ok(ok >= 290, `${ok} of 300 frames with a face`);
  });

  it('gives landmarks on cpu within 0.5 px of wasm', async () => {
    tracker.reset();
    const w = faceOf(await tracker.track(clip[7])).landmarks;
    const cpu = await FaceTracker.create({ backend: 'cpu' });
    try {
      assert.equal(cpu.backend, 'cpu');
      const c = faceOf(await cpu.track(clip[7])).landmarks;
      let worst = 0;
      for (let i = 0; i < NUM_FACE_LANDMARKS * 3; i++) if (i % 3 !== 2) worst = Math.max(worst, Math.abs(w[i] - c[i]));
      assert.ok(worst < 0.5, `cpu vs wasm ${worst} px`);
    } finally {
      cpu.dispose();
      await tf.setBackend('wasm');
    }
  });
});

describe('FaceTracker bad input', () => {
  it('returns no-face for a black frame and a grey noise frame, without throwing', async () => {
    tracker.reset();
    const black = await tracker.track({ data: new Uint8Array(320 * 240 * 3), width: 320, height: 240, channels: 3 });
    assert.equal(black.status, 'no-face');
    assert.deepEqual(black.faces, []);
    assert.equal(black.width, 320);
    assert.equal(black.height, 240);
    assert.equal(black.detected, true);
    assert.ok(black.timings.detect > 0);
    let s = 7;
    const noise = new Uint8Array(320 * 240 * 3).map(() => {
      s = (s * 1103515245 + 12345) & 0x7fffffff;
      return 96 + (s >> 24);
    });
    assert.equal((await tracker.track({ data: noise, width: 320, height: 240, channels: 3 })).status, 'no-face');
  });

  it('returns no-face for a NaN or infinite frame', async () => {
    const nan = tf.fill([120, 160, 3], NaN) as tf.Tensor3D;
    const inf = tf.fill([120, 160, 3], Infinity) as tf.Tensor3D;
    tracker.reset();
    assert.equal((await tracker.track(nan)).status, 'no-face');
    assert.equal((await tracker.track(inf)).status, 'no-face');
    tf.dispose([nan, inf]);
  });

  it('rejects frames of the wrong shape or type with INVALID_ARGUMENT and a message that says what to pass', async () => {
    const gray = tf.zeros([64, 64, 1]) as tf.Tensor3D;
    const batch = tf.zeros([1, 64, 64, 3]) as unknown as tf.Tensor3D;
    const bools = tf.zeros([64, 64, 3], 'bool') as tf.Tensor3D;
    const empty = tf.zeros([0, 64, 3]) as tf.Tensor3D;
    const disposed = tf.zeros([8, 8, 3]) as tf.Tensor3D;
    disposed.dispose();
    const cases: [unknown, string[]][] = [
      [gray, ['[64, 64, 1]', 'RGB']],
      [batch, ['[1, 64, 64, 3]']],
      [bools, ['bool']],
      [empty, ['64×0']],
      [disposed, ['disposed']],
      [{ data: new Uint8Array(10), width: 4, height: 4, channels: 3 }, ['needs 48 bytes', 'got 10']],
      [{ data: new Uint8Array(32), width: 4, height: 4, channels: 2 }, ['channels 3']],
      [{ data: new Float32Array(48), width: 4, height: 4, channels: 3 }, ['Uint8Array']],
      [{ data: new Uint8Array(0), width: 0, height: 4, channels: 3 }, ['0×4']],
      [null, ['null']],
      ['frame.png', ['string']],
      [42, ['number']],
      [{ width: 4 }, ['Object', 'HTMLVideoElement']],
    ];
    for (const [input, words] of cases) {
      await assert.rejects(tracker.track(input as never), (e) => assertCpem(e, 'INVALID_ARGUMENT', ...words));
    }
    tf.dispose([gray, batch, bools, empty]);
  });

  it('rejects bad options with INVALID_ARGUMENT, and a backend Node lacks with BACKEND_UNAVAILABLE', async () => {
    await assert.rejects(FaceTracker.create({ maxFaces: 0 }), (e) => assertCpem(e, 'INVALID_ARGUMENT', 'maxFaces'));
    await assert.rejects(FaceTracker.create({ minConfidence: 1.5 }), (e) =>
      assertCpem(e, 'INVALID_ARGUMENT', 'minConfidence'),
    );
    await assert.rejects(FaceTracker.create({ cropSize: 7 }), (e) => assertCpem(e, 'INVALID_ARGUMENT', 'cropSize'));
    await assert.rejects(FaceTracker.create({ backend: 'webgl' }), (e) =>
      assertCpem(e, 'BACKEND_UNAVAILABLE', 'webgl', 'Node'),
    );
    await assert.rejects(FaceTracker.create({ backend: 'tpu' as never }), (e) =>
      assertCpem(e, 'INVALID_ARGUMENT', 'tpu'),
    );
    await tf.setBackend('wasm');
  });

  it('names a missing or corrupt model file', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cpem-models-'));
    try {
      for (const f of ['blazeface.json', 'blazeface.bin', 'iris.json', 'iris.bin', 'facemesh.json'])
        fs.copyFileSync(path.join(MODELS, f), path.join(dir, f));
      await assert.rejects(FaceTracker.create({ backend: 'wasm', modelBaseUrl: dir }), (e) =>
        assertCpem(e, 'WEIGHTS_MISSING', path.join(dir, 'facemesh.bin')),
      );
      const bin = fs.readFileSync(path.join(MODELS, 'facemesh.bin'));
      fs.writeFileSync(path.join(dir, 'facemesh.bin'), bin.subarray(0, bin.length - 1000));
      await assert.rejects(FaceTracker.create({ backend: 'wasm', modelBaseUrl: dir }), (e) =>
        assertCpem(e, 'WEIGHTS_CORRUPT', path.join(dir, 'facemesh.bin'), 'truncated'),
      );
      fs.writeFileSync(path.join(dir, 'facemesh.bin'), bin);
      fs.writeFileSync(path.join(dir, 'iris.json'), '{"modelTopology": {"node": [');
      await assert.rejects(FaceTracker.create({ backend: 'wasm', modelBaseUrl: dir }), (e) =>
        assertCpem(e, 'WEIGHTS_CORRUPT', path.join(dir, 'iris.json'), 'JSON'),
      );
      fs.writeFileSync(path.join(dir, 'iris.json'), '{"format": "graph-model"}');
      await assert.rejects(FaceTracker.create({ backend: 'wasm', modelBaseUrl: dir }), (e) =>
        assertCpem(e, 'WEIGHTS_CORRUPT', path.join(dir, 'iris.json'), 'modelTopology'),
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('throws after dispose', async () => {
    const t = await FaceTracker.create({ backend: 'wasm' });
    t.dispose();
    await assert.rejects(t.track({ data: new Uint8Array(12), width: 2, height: 2, channels: 3 }), (e) =>
      assertCpem(e, 'INVALID_ARGUMENT', 'disposed'),
    );
    assert.throws(
      () => t.reset(),
      (e) => assertCpem(e, 'INVALID_ARGUMENT', 'disposed'),
    );
  });
});

describe('landmark-track file', () => {
  it('round-trips frames, header and the no-face status, and refuses a truncated file', () => {
    const frames: LandmarkTrackFrame[] = [0, 1, 2].map((i) => ({
      index: i,
      time: i / 30,
      status: i === 1 ? 'no-face' : 'ok',
      confidence: i === 1 ? 0 : 0.9 + i / 100,
      box: { x: i, y: 2 * i, width: 100 + i, height: 110 },
      landmarks: Float32Array.from({ length: NUM_FACE_LANDMARKS * 3 }, (_, k) => (i === 1 ? 0 : k * 0.5 + i)),
    }));
    const header = makeTrackHeader(
      {
        video: { file: 'x.mp4', width: 640, height: 480, fps: 30, frames: 3 },
        sampledFps: 30,
        tracker: { backend: 'wasm', models: 'm', minConfidence: 0.5 },
      },
      frames,
    );
    const bytes = encodeLandmarkTrack(header, frames);
    assert.equal(bytes.length % 4, 0);
    const back = decodeLandmarkTrack(bytes);
    assert.equal(back.header.frameCount, 3);
    assert.equal(back.header.video.width, 640);
    assert.equal(back.header.faceRate, 2 / 3);
    assert.equal(back.frames[1].status, 'no-face');
    assert.equal(back.frames[2].box.width, 102);
    assert.ok(Math.abs(back.frames[2].confidence - 0.92) < 1e-6);
    assert.deepEqual(Array.from(back.frames[2].landmarks), Array.from(frames[2].landmarks));
    assert.equal(bytes.length - (bytes.length - 3 * RECORD_FLOATS * 4), 3 * RECORD_FLOATS * 4);
    assert.throws(
      () => decodeLandmarkTrack(bytes.subarray(0, bytes.length - 4)),
      (e) => assertCpem(e, 'INVALID_ARGUMENT', 'truncated'),
    );
    assert.throws(
      () => decodeLandmarkTrack(new Uint8Array(64)),
      (e) => assertCpem(e, 'INVALID_ARGUMENT', 'magic'),
    );
  });

  it('is what `npm run track` writes for a clip: every frame, video size and rate, landmarks inside the frame', {
    skip: !hasClips && 'needs ../shared/videos',
  }, () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cpem-track-')), 'clip.lmtrack');
    try {
      const r = spawnSync(
        process.execPath,
        ['tools/run-node.mjs', 'training/cli/track.ts', '--', CLIP, '--out', out, '--fps', '10', '--max-frames', '12'],
        { encoding: 'utf8' },
      );
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /12 frames \(12 with a face\).*tensors grew by 0/);
      assert.match(r.stderr, /100%/); // the progress bar reached the end
      const track = decodeLandmarkTrack(new Uint8Array(fs.readFileSync(out)));
      assert.equal(track.header.video.width, 256);
      assert.equal(track.header.video.height, 256);
      assert.equal(track.header.sampledFps, 10);
      assert.equal(track.frames.length, 12);
      track.frames.forEach((f, i) => {
        assert.equal(f.index, i);
        assert.ok(Math.abs(f.time - i / 10) < 1e-6);
        assert.equal(f.status, 'ok');
        for (let k = 0; k < NUM_FACE_LANDMARKS; k++)
          assert.ok(f.landmarks[3 * k] > -5 && f.landmarks[3 * k] < 261, `frame ${i} point ${k}`);
      });
      const bad = spawnSync(
        process.execPath,
        ['tools/run-node.mjs', 'training/cli/track.ts', '--', CLIP, '--fps', 'fast'],
        { encoding: 'utf8' },
      );
      assert.notEqual(bad.status, 0);
      assert.match(bad.stderr, /--fps must be a positive number/);
    } finally {
      fs.rmSync(path.dirname(out), { recursive: true, force: true });
    }
  });
});
