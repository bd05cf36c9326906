import * as tf from '@tensorflow/tfjs-core';
import { FaceTracker, type FaceTrackingResult, type TrackerBackend } from '../../plugin/tracker/face-tracker.js';
import { isCpemError } from '../../plugin/errors/cpem-error.js';
import { webGlRendererInfo, webGpuAdapterInfo } from '../../plugin/tracker/backend.js';
import { copyRegion } from '../../plugin/tracker/tracker-frame.js';

// FaceTracker in headless Chromium with the models at their default location (the package's weights/tracker/):
// a clip from ../shared/videos tracked end to end on wasm, a few frames on webgpu, webgl and cpu (software-emulated
// in this environment, so slow) against wasm, every DOM input kind, and tensor counts that stay flat.
const CLIP_SUFFIX = '/videos/liveportrait_d3.mp4';

function sharedFileUrl(suffix: string): string | null {
  const files = (window as unknown as { __karma__?: { files?: Record<string, string> } }).__karma__?.files ?? {};
  return Object.keys(files).find((f) => f.endsWith(suffix)) ?? null;
}

async function openVideo(url: string): Promise<HTMLVideoElement> {
  const video = document.createElement('video');
  video.muted = true;
  video.playsInline = true;
  video.preload = 'auto';
  video.src = url;
  await new Promise<void>((resolve, reject) => {
    video.addEventListener('loadeddata', () => resolve(), { once: true });
    video.addEventListener('error', () => reject(new Error(`cannot load ${url}`)), { once: true });
  });
  return video;
}

async function seek(video: HTMLVideoElement, time: number): Promise<void> {
  if (Math.abs(video.currentTime - time) < 1e-4 && video.readyState >= 2) return;
  await new Promise<void>((resolve) => {
    video.addEventListener('seeked', () => resolve(), { once: true });
    video.currentTime = time;
  });
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) if (i % 3 !== 2) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

function expectFace(r: FaceTrackingResult): Float32Array {
  expect(r.status).toBe('ok');
  expect(r.width).toBe(512);
  expect(r.height).toBe(512);
  const f = r.faces[0];
  expect(f.landmarks.length).toBe(478 * 3);
  expect(f.landmarks.every(Number.isFinite)).toBeTrue();
  expect(f.confidence).toBeGreaterThan(0.8);
  expect(f.box.width).toBeGreaterThan(100);
  return f.landmarks;
}

describe('FaceTracker in the browser', () => {
  let video: HTMLVideoElement;
  let reference: Float32Array; // wasm landmarks of the frame at 1 s

  beforeAll(async () => {
    const url = sharedFileUrl(CLIP_SUFFIX);
    if (url) video = await openVideo(url);
  });

  it('picks a backend by itself, passing over WebGPU and WebGL on a software renderer (SwiftShader here)', async () => {
    const gpu = await webGpuAdapterInfo();
    const gl = webGlRendererInfo();
    expect(gpu?.software).toBe(true);
    expect(gl?.software).toBe(true);
    expect(gl?.text).toMatch(/swiftshader/i);
    const t = await FaceTracker.create();
    expect(t.backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    t.dispose();
    // Named, a software GPU backend is still used.
    const named = await FaceTracker.create({ backend: 'webgpu' });
    expect(named.backend).toBe('webgpu');
    named.dispose();
  });

  it('tracks the clip end to end on wasm with the detector only at the start and flat tensor counts', async () => {
    if (!video) pending(`../shared${CLIP_SUFFIX} is not present`);
    const t = await FaceTracker.create({ backend: 'wasm' });
    const fps = 30;
    const frames = Math.floor(video.duration * fps);
    let ok = 0,
      detections = 0,
      before = 0;
    const ms: number[] = [];
    for (let i = 0; i < frames; i++) {
      await seek(video, (i + 0.5) / fps);
      const r = await t.track(video);
      if (i === 0) before = tf.memory().numTensors;
      if (r.status === 'ok') ok++;
      if (r.detected) detections++;
      if (i > 0 && !r.detected) ms.push(r.timings.landmarks);
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(ok).toBe(frames);
    expect(detections).toBeLessThan(5);
    ms.sort((a, b) => a - b);
    console.log(
      `wasm: ${frames} frames, ${detections} detections, tracking-mode landmarks median ${ms[ms.length >> 1].toFixed(1)} ms`,
    );
    await seek(video, 1);
    t.reset();
    reference = expectFace(await t.track(video));
    t.dispose();
  });

  it('reads a video, canvas, ImageBitmap, ImageData and tensor alike', async () => {
    if (!video) pending(`../shared${CLIP_SUFFIX} is not present`);
    await seek(video, 1);
    const t = await FaceTracker.create({ backend: 'wasm' });
    const canvas = document.createElement('canvas');
    canvas.width = 512;
    canvas.height = 512;
    const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
    ctx.drawImage(video, 0, 0);
    const bitmap = await createImageBitmap(canvas);
    const imageData = ctx.getImageData(0, 0, 512, 512);
    const tensor = tf.browser.fromPixels(canvas);
    const raw = { data: imageData.data, width: 512, height: 512, channels: 4 as const };
    const results: Float32Array[] = [];
    for (const input of [canvas, bitmap, imageData, tensor, raw]) {
      t.reset();
      results.push(expectFace(await t.track(input)));
    }
    t.reset();
    const fromVideo = expectFace(await t.track(video));
    const frame = new VideoFrame(video);
    t.reset();
    const fromVideoFrame = expectFace(await t.track(frame));
    frame.close();
    const viaCanvas = await FaceTracker.create({ backend: 'wasm', frameAccess: 'canvas' });
    const fromVideoViaCanvas = expectFace(await viaCanvas.track(video));
    viaCanvas.reset();
    const canvasFrame = new VideoFrame(video);
    const fromFrameViaCanvas = expectFace(await viaCanvas.track(canvasFrame));
    canvasFrame.close();
    viaCanvas.dispose();
    const viaCopy = await FaceTracker.create({ backend: 'wasm', frameAccess: 'copy' });
    const fromVideoViaCopy = expectFace(await viaCopy.track(video));
    viaCopy.dispose();
    tensor.dispose();
    bitmap.close();
    for (const r of results.slice(1)) expect(maxDiff(r, results[0])).toBeLessThan(0.01);
    // The video element decodes the same frame the canvas copied (colour conversion may differ by a level): read
    // the default way ('auto'), from the element or a VideoFrame, through VideoFrame.copyTo or through a 2D canvas.
    for (const r of [fromVideo, fromVideoFrame, fromVideoViaCanvas, fromFrameViaCanvas, fromVideoViaCopy])
      expect(maxDiff(r, results[0])).toBeLessThan(1);
    t.dispose();
  });

  it("converts a VideoFrame's pixels as a 2D canvas draws them, and reads only the face's rectangle while tracking", async () => {
    if (!video) pending(`../shared${CLIP_SUFFIX} is not present`);
    await seek(video, 1);
    const frame = new VideoFrame(video);
    const format = String(frame.format);
    const canvas = new OffscreenCanvas(512, 512);
    const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
    ctx.drawImage(video, 0, 0);
    const drawn = ctx.getImageData(0, 0, 512, 512).data;
    try {
      if (!['NV12', 'I420', 'RGBA', 'RGBX', 'BGRA', 'BGRX'].includes(format))
        pending(`this Chromium decodes to ${format}, which copyTo does not give`);
      const region = await copyRegion(frame, 120, 80, 200, 240);
      expect(region.data.length).toBe(200 * 240 * 3);
      let sum = 0,
        worst = 0;
      for (let y = 0; y < 240; y++) {
        for (let x = 0; x < 200; x++) {
          for (let c = 0; c < 3; c++) {
            const d = Math.abs(region.data[(y * 200 + x) * 3 + c] - drawn[((y + 80) * 512 + x + 120) * 4 + c]);
            sum += d;
            worst = Math.max(worst, d);
          }
        }
      }
      const mean = sum / (200 * 240 * 3);
      console.log(`VideoFrame ${format} → RGB against drawImage: mean ${mean.toFixed(2)}, max ${worst} levels`);
      expect(mean).toBeLessThan(2);
      expect(worst).toBeLessThan(24);
    } finally {
      frame.close();
    }
    // Tracking: the frame's read time is reported, on the detector's frame and on a tracked one.
    const t = await FaceTracker.create({ backend: 'wasm' });
    const first = await t.track(video);
    expect(first.detected).toBeTrue();
    expect(first.timings.read).toBeGreaterThan(0);
    const second = await t.track(video);
    expect(second.detected).toBeFalse();
    expect(second.timings.read).toBeGreaterThan(0);
    t.dispose();
  });

  for (const backend of ['webgpu', 'webgl', 'cpu'] as TrackerBackend[]) {
    it(`gives the wasm landmarks on ${backend} within 1 px, with flat tensor counts over 6 frames`, async () => {
      if (!video) pending(`../shared${CLIP_SUFFIX} is not present`);
      const t = await FaceTracker.create({ backend });
      expect(t.backend).toBe(backend);
      expect(tf.getBackend()).toBe(backend);
      await seek(video, 1);
      const lm = expectFace(await t.track(video));
      expect(maxDiff(lm, reference)).toBeLessThan(1);
      // A VideoFrame (what the inference worker gets) reads as the video does.
      const frame = new VideoFrame(video);
      t.reset();
      expect(maxDiff(expectFace(await t.track(frame)), reference)).toBeLessThan(1);
      frame.close();
      const before = tf.memory().numTensors;
      for (let i = 1; i <= 6; i++) {
        await seek(video, 1 + i / 30);
        expectFace(await t.track(video));
      }
      expect(tf.memory().numTensors).toBe(before);
      t.dispose();
    });
  }

  it('refuses a video without a frame yet, and names a model URL that answers 404', async () => {
    const t = await FaceTracker.create({ backend: 'cpu' });
    const empty = document.createElement('video');
    await expectAsync(t.track(empty)).toBeRejectedWith(jasmine.objectContaining({ code: 'INVALID_ARGUMENT' }));
    try {
      await t.track(empty);
    } catch (e) {
      expect(isCpemError(e) && e.message.includes('loadeddata')).toBeTrue();
    }
    t.dispose();
    try {
      await FaceTracker.create({ backend: 'cpu', modelBaseUrl: '/no-such-models/' });
      fail('expected an error');
    } catch (e) {
      expect(isCpemError(e, 'WEIGHTS_MISSING')).toBeTrue();
      expect((e as Error).message).toContain('/no-such-models/');
      expect((e as Error).message).toContain('404');
    }
  });
});
