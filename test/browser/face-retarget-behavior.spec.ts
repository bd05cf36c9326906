// FaceRetargetBehavior on a real Babylon engine (WebGL2), with the real tracker, the shipped PE-Net weights and a
// clip from ../shared/videos: attach/detach, start/pause/stop, observables, the error paths, the face model loaded
// only when asked for, and dispose freeing every tensor while leaving the caller's media alone. The models and wasm
// binaries come from the package's default locations (assets.ts; karma serves weights/ at /base/weights/). The webcam paths (a denied camera, tracks stopped on
// dispose) need Chromium's fake camera flags: test/node/sample-scene-e2e.test.ts covers them.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { MathBackendWebGL } from '@tensorflow/tfjs-backend-webgl';
import { Engine } from '@babylonjs/core/Engines/engine';
import { Scene } from '@babylonjs/core/scene';
import { FreeCamera } from '@babylonjs/core/Cameras/freeCamera';
import { HemisphericLight } from '@babylonjs/core/Lights/hemisphericLight';
import { Vector3 } from '@babylonjs/core/Maths/math.vector';
import { CreateSphere } from '@babylonjs/core/Meshes/Builders/sphereBuilder';
import { MorphTarget } from '@babylonjs/core/Morph/morphTarget';
import { MorphTargetManager } from '@babylonjs/core/Morph/morphTargetManager';
import { VertexBuffer } from '@babylonjs/core/Buffers/buffer';
import type { Mesh } from '@babylonjs/core/Meshes/mesh';
import { TransformNode } from '@babylonjs/core/Meshes/transformNode';
import { FaceRetargetBehavior } from '../../plugin/behavior/face-retarget-behavior.js';
import type { EstimatedFaceMotion } from '../../plugin/estimator/face-estimator.js';
import { type CpemError, isCpemError } from '../../plugin/errors/cpem-error.js';
import { packagedFaceModelUrl } from '../../plugin/face-model-asset.js';

const TARGETS = ['jawOpen', 'eyeClose_L', 'eyeClose_R', 'mouthSmile_L', 'browInnerUp'];

function sharedFileUrl(suffix: string): string | null {
  const files = (window as unknown as { __karma__?: { files?: Record<string, string> } }).__karma__?.files ?? {};
  return Object.keys(files).find((f) => f.endsWith(suffix)) ?? null;
}

async function until(what: string, test: () => boolean, timeoutMs = 60_000): Promise<void> {
  const t0 = performance.now();
  while (!test()) {
    if (performance.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A sphere with morph targets named by CPEM units (each moves a different cap of vertices). */
function morphHead(scene: Scene, name: string): Mesh {
  const mesh = CreateSphere(name, { diameter: 1, segments: 16, updatable: true }, scene);
  const base = mesh.getVerticesData(VertexBuffer.PositionKind)!;
  const manager = new MorphTargetManager(scene);
  TARGETS.forEach((t, k) => {
    const moved = Float32Array.from(base, (v, i) => (i % 3 === k % 3 ? v * 1.2 : v));
    const target = new MorphTarget(t, 0, scene);
    target.setPositions(moved);
    manager.addTarget(target);
  });
  mesh.morphTargetManager = manager;
  return mesh;
}

async function playingVideo(url: string): Promise<HTMLVideoElement> {
  const video = document.createElement('video');
  video.muted = true;
  video.loop = true;
  video.playsInline = true;
  video.src = url;
  await video.play();
  return video;
}

describe('FaceRetargetBehavior', () => {
  let canvas: HTMLCanvasElement;
  let engine: Engine;
  let scene: Scene;

  beforeAll(async () => {
    canvas = document.createElement('canvas');
    canvas.width = 128;
    canvas.height = 128;
    document.body.appendChild(canvas);
    engine = new Engine(canvas, false);
    scene = new Scene(engine);
    new FreeCamera('camera', new Vector3(0, 0, -3), scene);
    new HemisphericLight('light', new Vector3(0, 1, 0), scene);
    engine.runRenderLoop(() => scene.render());
  });
  afterAll(() => {
    engine.stopRenderLoop();
    scene.dispose();
    engine.dispose();
    canvas.remove();
  });

  it('attaches through addBehavior with an auto-mapped table and restores the character on detach', () => {
    const head = morphHead(scene, 'attachHead');
    head.morphTargetManager!.getTarget(0).influence = 0.3;
    const behavior = new FaceRetargetBehavior({ autoStart: false });
    const states: string[] = [];
    behavior.onStateChangedObservable.add((s) => states.push(s));
    head.addBehavior(behavior);
    expect(head.getBehaviorByName('FaceRetarget')).toBe(behavior);
    expect(behavior.attachedNode).toBe(head);
    expect(behavior.applier!.table.targets.map((r) => r.target)).toEqual(TARGETS);
    expect(behavior.state).toBe('idle');
    head.removeBehavior(behavior);
    expect(behavior.attachedNode).toBeNull();
    expect(head.morphTargetManager!.getTarget(0).influence).toBe(0.3);
    behavior.dispose();
    expect(behavior.state).toBe('disposed');
    expect(states).toEqual(['disposed']);
    head.dispose();
  });

  it('attaches to a TransformNode above the meshes (a glTF root), typed without casts', () => {
    const holder = new TransformNode('holder', scene);
    const head = morphHead(scene, 'heldHead');
    head.parent = holder;
    const behavior = new FaceRetargetBehavior({ autoStart: false });
    holder.addBehavior(behavior);
    const attached: TransformNode | null = behavior.attachedNode;
    expect(attached).toBe(holder);
    expect(behavior.applier!.table.targets.length).toBe(TARGETS.length);
    behavior.dispose();
    expect(holder.getBehaviorByName('FaceRetarget')).toBeNull();
    holder.dispose();
  });

  it('loads the face model only when asked; a missing one is WEIGHTS_MISSING on onErrorObservable, once', async () => {
    const behavior = new FaceRetargetBehavior({
      autoStart: false,
      faceModelUrl: '/base/weights/no-such-face-model.bin',
    });
    const errors: CpemError[] = [];
    behavior.onErrorObservable.add((e) => errors.push(e));
    expect(behavior.faceModel).toBeNull();
    const motion = {} as EstimatedFaceMotion; // not read before the face model is there
    expect(behavior.reconstruct(motion)).toBeNull();
    await until('the failed load', () => errors.length > 0, 10_000);
    expect(behavior.reconstruct(motion)).toBeNull();
    await new Promise((r) => setTimeout(r, 200));
    expect(errors.map((e) => e.code)).toEqual(['WEIGHTS_MISSING']);
    expect(errors[0].message).toContain('no-such-face-model.bin');
    await expectAsync(behavior.loadFaceModel()).toBeRejectedWith(jasmine.objectContaining({ code: 'WEIGHTS_MISSING' }));
    expect(behavior.state).toBe('idle');
    behavior.dispose();
    // Without faceModelUrl or assetBaseUrl the package's face model is not assumed (pages without overlays do not carry
    // it): the error says what to pass.
    const bare = new FaceRetargetBehavior({ autoStart: false });
    const e = await bare.loadFaceModel().then(
      () => null,
      (x: unknown) => x,
    );
    expect(isCpemError(e, 'WEIGHTS_MISSING')).withContext(String(e)).toBeTrue();
    expect((e as Error).message).toContain('packagedFaceModelUrl');
    bare.dispose();
  });

  it('refuses a mesh without morph targets with NO_MORPH_TARGETS, through onError too', () => {
    const plain = CreateSphere('plain', { diameter: 1 }, scene);
    const behavior = new FaceRetargetBehavior({ autoStart: false });
    const errors: CpemError[] = [];
    behavior.onErrorObservable.add((e) => errors.push(e));
    expect(() => plain.addBehavior(behavior)).toThrowMatching((e) => isCpemError(e, 'NO_MORPH_TARGETS'));
    expect(errors.map((e) => e.code)).toEqual(['NO_MORPH_TARGETS']);
    expect(plain.getBehaviorByName('FaceRetarget')).toBeNull();
    behavior.dispose();
    plain.dispose();
  });

  describe('on a clip from ../shared/videos (wasm backend)', () => {
    let clip: string | null;
    beforeAll(async () => {
      // tf.memory() needs a started backend; whichever specs ran before, start the CPU one (the behavior picks its own).
      await tf.setBackend('cpu');
      clip = sharedFileUrl('/videos/liveportrait_d3.mp4');
      if (clip && !(await fetch(clip, { method: 'HEAD' })).ok) clip = null;
    });
    const needClip = () => {
      if (!clip) pending('../shared/videos/liveportrait_d3.mp4 is not present');
      return clip!;
    };

    it('reports missing weights as WEIGHTS_MISSING', async () => {
      const video = await playingVideo(needClip());
      const head = morphHead(scene, 'noWeightsHead');
      const behavior = new FaceRetargetBehavior({
        autoStart: false,
        source: video,
        backend: 'wasm',
        weights: '/base/weights/no-such-pe-net/model.json',
      });
      head.addBehavior(behavior);
      const errors: string[] = [];
      behavior.onErrorObservable.add((e) => errors.push(e.code));
      const numTensors = tf.memory().numTensors;
      await expectAsync(behavior.start()).toBeRejectedWith(jasmine.objectContaining({ code: 'WEIGHTS_MISSING' }));
      expect(errors).toEqual(['WEIGHTS_MISSING']);
      expect(tf.memory().numTensors).toBe(numTensors, 'the tracker loaded for nothing is freed');
      behavior.dispose();
      head.dispose();
      video.pause();
    });

    it('drives the character: found, motion, pause, resume, lost, stop, dispose (tensors freed, caller tracks live)', async () => {
      const video = await playingVideo(needClip());
      const stream = (video as HTMLVideoElement & { captureStream(): MediaStream }).captureStream();
      const head = morphHead(scene, 'drivenHead');
      const baseline = tf.memory().numTensors;
      const behavior = new FaceRetargetBehavior({
        source: stream,
        backend: 'wasm',
        calibration: { durationMs: 300, minFrames: 3 },
        faceModelUrl: packagedFaceModelUrl(),
      });
      const motions: EstimatedFaceMotion[] = [];
      let found = 0;
      behavior.onFaceFoundObservable.add(() => found++);
      behavior.onFaceMotionObservable.add((m) => motions.push(m));
      const errors: CpemError[] = [];
      behavior.onErrorObservable.add((e) => errors.push(e));
      head.addBehavior(behavior); // starts
      await until('30 estimated frames', () => motions.length >= 30 || errors.length > 0, 90_000);
      expect(errors).toEqual([]);
      expect(found).toBe(1);
      expect(behavior.state).toBe('running');
      expect(behavior.video).not.toBe(video);
      const m = motions[motions.length - 1];
      expect(m.landmarks.length).toBe(478 * 3);
      expect(m.timings.tracker).toBeGreaterThan(0);
      expect(m.timings.estimator).toBeGreaterThan(0);
      expect(m.calibration).toBe('locked');
      // Running did not need the face model; reconstruct() is null until it has loaded, then lies on the tracked face
      // (mean distance under 15% of the face's width).
      expect(behavior.faceModel).toBeNull();
      expect(behavior.reconstruct(m)).toBeNull();
      await behavior.loadFaceModel();
      const projected = behavior.reconstruct(m)!;
      let err = 0,
        minX = Infinity,
        maxX = -Infinity;
      for (let i = 0; i < 468; i++) {
        err += Math.hypot(projected[i * 2] - m.landmarks[i * 3], projected[i * 2 + 1] - m.landmarks[i * 3 + 1]) / 468;
        minX = Math.min(minX, m.landmarks[i * 3]);
        maxX = Math.max(maxX, m.landmarks[i * 3]);
      }
      expect(err / (maxX - minX)).toBeLessThan(0.15);
      // The latest motion is on the character after a render.
      await new Promise((r) => scene.onAfterRenderObservable.addOnce(r));
      const manager = head.morphTargetManager!;
      const applied = behavior.applier!.lastValues;
      TARGETS.forEach((_t, k) =>
        expect(manager.getTarget(k).influence).toBeCloseTo(applied[k] === 0 ? 1e-5 : applied[k], 6),
      );
      // Tensors stay flat while running.
      const running = tf.memory().numTensors;
      const count = motions.length;
      await until('10 more frames', () => motions.length >= count + 10, 30_000);
      expect(tf.memory().numTensors).toBe(running);
      expect(behavior.stats.estimatesPerSecond).toBeGreaterThan(0);

      behavior.pause();
      expect(behavior.state).toBe('paused');
      await new Promise((r) => setTimeout(r, 300)); // a frame in flight may still land
      const paused = motions.length;
      await new Promise((r) => setTimeout(r, 700));
      expect(motions.length).toBe(paused);
      await behavior.start();
      await until('frames after resume', () => motions.length > paused + 3, 30_000);

      // A source without a face: onFaceLost fires once, and the character goes back to neutral.
      let lost = 0;
      behavior.onFaceLostObservable.add(() => lost++);
      const blank = document.createElement('canvas');
      blank.width = 320;
      blank.height = 240;
      const paint = setInterval(() => {
        const g = blank.getContext('2d')!;
        g.fillStyle = `rgb(120, 120, ${120 + Math.round(Math.random() * 4)})`;
        g.fillRect(0, 0, 320, 240);
      }, 50);
      await behavior.setSource(blank.captureStream(20));
      await until('onFaceLost', () => lost > 0, 30_000);
      await new Promise((r) => setTimeout(r, 500));
      expect(lost).toBe(1);
      expect(Array.from(behavior.latestMotion!.units).every((u) => u === 0)).toBeTrue();
      expect(behavior.state).toBe('running');
      clearInterval(paint);

      behavior.stop();
      expect(behavior.state).toBe('stopped');
      await new Promise((r) => setTimeout(r, 300));
      const stopped = motions.length;
      await new Promise((r) => setTimeout(r, 500));
      expect(motions.length).toBe(stopped);

      behavior.dispose();
      await new Promise((r) => setTimeout(r, 300));
      expect(tf.memory().numTensors).toBe(baseline, 'every tensor of tracker and PE-Net is freed');
      expect(stream.getVideoTracks().every((t) => t.readyState === 'live')).toBeTrue();
      expect(head.morphTargetManager!.getTarget(0).influence).toBe(0, 'the character is restored');
      expect(head.getBehaviorByName('FaceRetarget')).toBeNull();
      head.dispose();
      video.pause();
    });

    it('stops with DEVICE_LOST when the WebGL context of the TF.js backend is lost', async () => {
      const video = await playingVideo(needClip());
      const head = morphHead(scene, 'lostHead');
      const behavior = new FaceRetargetBehavior({
        autoStart: false,
        source: video,
        backend: 'webgl',
      });
      head.addBehavior(behavior);
      const errors: string[] = [];
      behavior.onErrorObservable.add((e) => errors.push(e.code));
      await behavior.start();
      expect(tf.getBackend()).toBe('webgl');
      const gl = (tf.backend() as unknown as { gpgpu: { gl: WebGL2RenderingContext } }).gpgpu.gl;
      gl.getExtension('WEBGL_lose_context')!.loseContext();
      await until('DEVICE_LOST', () => errors.length > 0, 30_000);
      expect(errors[0]).toBe('DEVICE_LOST');
      expect(behavior.state).toBe('stopped');
      behavior.dispose();
      head.dispose();
      video.pause();
      // The lost backend goes; a fresh one takes its name (on a new context) for the specs that follow.
      tf.removeBackend('webgl');
      tf.registerBackend('webgl', () => new MathBackendWebGL(), 2);
    });
  });
});
