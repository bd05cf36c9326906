// FaceRetargetBehavior with inference: 'worker': the tracker and PE-Net in a Web Worker (plugin/behavior/
// inference-worker.ts, bundled by karma.conf.cjs), fed transferred VideoFrames of a clip from ../shared/videos.
// Estimates arrive through the same observables, the main thread holds no tensor of the worker's, the worker's
// tensor count stays flat, and failures come back as CpemErrors: a worker script that does not load, weights that
// are missing (the worker's own WEIGHTS_MISSING), and a start() after a failure builds a new worker.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Engine } from '@babylonjs/core/Engines/engine';
import { Scene } from '@babylonjs/core/scene';
import { FreeCamera } from '@babylonjs/core/Cameras/freeCamera';
import { Vector3 } from '@babylonjs/core/Maths/math.vector';
import { CreateSphere } from '@babylonjs/core/Meshes/Builders/sphereBuilder';
import { MorphTarget } from '@babylonjs/core/Morph/morphTarget';
import { MorphTargetManager } from '@babylonjs/core/Morph/morphTargetManager';
import { VertexBuffer } from '@babylonjs/core/Buffers/buffer';
import type { Mesh } from '@babylonjs/core/Meshes/mesh';
import { FaceRetargetBehavior } from '../../plugin/behavior/face-retarget-behavior.js';
import type { FaceRetargetBehaviorOptions } from '../../plugin/behavior/behavior-options.js';
import type { EstimatedFaceMotion } from '../../plugin/estimator/face-estimator.js';
import { type CpemError, isCpemError } from '../../plugin/errors/cpem-error.js';

const WORKER_URL = '/base/.cache/karma-worker/inference-worker.js';
const ASSETS = '/base/weights/';
const TARGETS = ['jawOpen', 'eyeClose_L', 'eyeClose_R', 'mouthSmile_L'];

function sharedFileUrl(suffix: string): string | null {
  const files = (window as unknown as { __karma__?: { files?: Record<string, string> } }).__karma__?.files ?? {};
  return Object.keys(files).find((f) => f.endsWith(suffix)) ?? null;
}

async function until(what: string, test: () => boolean, timeoutMs = 120_000): Promise<void> {
  const t0 = performance.now();
  while (!test()) {
    if (performance.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function morphHead(scene: Scene): Mesh {
  const mesh = CreateSphere('head', { diameter: 1, segments: 8, updatable: true }, scene);
  const base = mesh.getVerticesData(VertexBuffer.PositionKind)!;
  const manager = new MorphTargetManager(scene);
  TARGETS.forEach((t, k) => {
    const target = new MorphTarget(t, 0, scene);
    target.setPositions(Float32Array.from(base, (v, i) => (i % 3 === k % 3 ? v * 1.2 : v)));
    manager.addTarget(target);
  });
  mesh.morphTargetManager = manager;
  return mesh;
}

describe("FaceRetargetBehavior with inference: 'worker'", () => {
  let engine: Engine;
  let scene: Scene;
  let video: HTMLVideoElement | null = null;

  beforeAll(async () => {
    const canvas = document.createElement('canvas');
    canvas.width = 64;
    canvas.height = 64;
    document.body.appendChild(canvas);
    engine = new Engine(canvas, false);
    scene = new Scene(engine);
    new FreeCamera('camera', new Vector3(0, 0, -3), scene);
    engine.runRenderLoop(() => scene.render());
    await tf.setBackend('cpu');
    const url = sharedFileUrl('/videos/liveportrait_d3.mp4');
    if (url) {
      video = document.createElement('video');
      video.muted = true;
      video.loop = true;
      video.src = url;
      await video.play();
    }
  });
  afterAll(() => {
    video?.pause();
    engine.dispose();
  });

  const make = (extra: Partial<FaceRetargetBehaviorOptions> = {}) =>
    new FaceRetargetBehavior({
      source: video!,
      inference: 'worker',
      workerUrl: WORKER_URL,
      assetBaseUrl: ASSETS,
      backend: 'wasm',
      autoStart: false,
      ...extra,
    });

  it("estimates in the worker: motion on the same observables, main-thread time and the worker's tensors recorded, none on the main thread", async () => {
    if (!video) pending('../shared/videos/liveportrait_d3.mp4 is not present');
    const head = morphHead(scene);
    const behavior = make();
    head.addBehavior(behavior);
    const mainTensors = tf.memory().numTensors;
    const motions: EstimatedFaceMotion[] = [];
    let found = 0;
    behavior.onFaceMotionObservable.add((m) => motions.push(m));
    behavior.onFaceFoundObservable.add(() => found++);
    await behavior.start();
    expect(behavior.state).toBe('running');
    expect(behavior.inferenceThread).toBe('worker');
    expect(behavior.estimator).toBeNull();
    expect(behavior.modelsLoaded).toBeTrue();
    await until('40 estimated frames', () => motions.length >= 40, 240_000);
    expect(found).toBe(1);
    const m = motions[motions.length - 1];
    expect(m.units.length).toBe(46);
    expect(m.units.every((u) => u >= 0 && u <= 1)).toBeTrue();
    expect(m.landmarks.length).toBe(478 * 3);
    expect(m.imageWidth).toBe(512);
    expect(behavior.stats.frames).toBeGreaterThanOrEqual(40);
    expect(behavior.stats.mainThread).toBeGreaterThan(0);
    // Influences are set on the main thread from the worker's motion.
    const jaw = head.morphTargetManager!.getTarget(0);
    await until('an influence set', () => Number.isFinite(jaw.influence) && behavior.latestMotion !== null);
    // The worker's tensors: flat from frame 10 to frame 40 and after, the main thread's unchanged.
    const worker = (behavior as unknown as { inference: { workerTensors: number } }).inference;
    const at = worker.workerTensors;
    await until('20 more frames', () => motions.length >= 60, 240_000);
    expect(worker.workerTensors).toBe(at);
    expect(tf.memory().numTensors).toBe(mainTensors);
    behavior.stop();
    expect(behavior.state).toBe('stopped');
    // Models stay loaded in the worker: starting again resumes estimating.
    const n = motions.length;
    await behavior.start();
    await until('frames after a restart', () => motions.length > n + 3, 120_000);
    behavior.dispose();
    head.dispose();
  });

  it('refuses what cannot cross to a worker: a ready estimator or a loaded PE-Net, with INVALID_ARGUMENT', () => {
    expect(() => new FaceRetargetBehavior({ inference: 'worker', estimator: {} as never })).toThrowMatching((e) =>
      isCpemError(e, 'INVALID_ARGUMENT'),
    );
    expect(
      () => new FaceRetargetBehavior({ inference: 'worker', weights: { load: async () => ({}) } as never }),
    ).toThrowMatching((e) => isCpemError(e, 'INVALID_ARGUMENT'));
    expect(() => new FaceRetargetBehavior({ inference: 'gpu' as never })).toThrowMatching((e) =>
      isCpemError(e, 'INVALID_ARGUMENT'),
    );
  });

  it('says how to get the worker when none is given, and refuses a worker that is not a function or beside inference: main', () => {
    let caught: unknown;
    try {
      new FaceRetargetBehavior({ inference: 'worker', autoStart: false });
    } catch (e) {
      caught = e;
    }
    expect(isCpemError(caught, 'INVALID_ARGUMENT')).toBeTrue();
    expect((caught as Error).message).toContain("import { inferenceWorker } from 'babylon-cpem/worker'");
    expect(
      () => new FaceRetargetBehavior({ inference: 'worker', worker: 'inference-worker.js' as never }),
    ).toThrowMatching((e) => isCpemError(e, 'INVALID_ARGUMENT') && /function/.test(e.message));
    expect(() => new FaceRetargetBehavior({ inference: 'main', workerUrl: WORKER_URL })).toThrowMatching(
      (e) => isCpemError(e, 'INVALID_ARGUMENT') && /inference: 'worker'/.test(e.message),
    );
    // A worker given without `inference` runs inference in it.
    const implied = new FaceRetargetBehavior({ workerUrl: WORKER_URL, autoStart: false });
    expect(implied.inferenceThread).toBe('worker');
    implied.dispose();
  });

  it("reports the worker's WEIGHTS_MISSING, and a worker script that does not load as ESTIMATION_FAILED; start() tries a new worker", async () => {
    if (!video) pending('../shared/videos/liveportrait_d3.mp4 is not present');
    const errors: CpemError[] = [];
    const missing = make({ weights: '/base/weights/no-such/model.json' });
    missing.onErrorObservable.add((e) => errors.push(e));
    await expectAsync(missing.start()).toBeRejectedWith(jasmine.objectContaining({ code: 'WEIGHTS_MISSING' }));
    expect(errors.map((e) => e.code)).toEqual(['WEIGHTS_MISSING']);
    expect(missing.state).toBe('stopped');
    missing.dispose();

    const broken = make({ workerUrl: '/base/no-such-worker.js' });
    const brokenErrors: CpemError[] = [];
    broken.onErrorObservable.add((e) => brokenErrors.push(e));
    for (let attempt = 0; attempt < 2; attempt++) {
      const e = await broken.start().then(
        () => null,
        (x: unknown) => x,
      );
      expect(isCpemError(e, 'ESTIMATION_FAILED')).withContext(String(e)).toBeTrue();
      expect((e as Error).message).toContain('worker');
      expect(broken.state).toBe('stopped');
    }
    expect(brokenErrors.length).toBe(2);
    expect(brokenErrors[0].message).toContain('did not load');
    broken.dispose();

    // A script that loads and throws is reported with what it threw, not as a serving problem: here a CommonJS
    // module that reached the worker unbundled (what Vite's dev server once served of tfjs' dependencies).
    const commonJs = URL.createObjectURL(new Blob(['module.exports = {};'], { type: 'text/javascript' }));
    const throwing = make({ workerUrl: commonJs });
    const thrown = await throwing.start().then(
      () => null,
      (x: unknown) => x,
    );
    expect(isCpemError(thrown, 'ESTIMATION_FAILED')).withContext(String(thrown)).toBeTrue();
    expect((thrown as Error).message).toContain('module is not defined');
    expect((thrown as Error).message).toContain('CommonJS');
    expect((thrown as Error).message).not.toContain('served');
    throwing.dispose();
    URL.revokeObjectURL(commonJs);

    // The tracker's options cross to the worker: one it refuses comes back with its own code and message.
    const badAccess = make({ frameAccess: 'webgl' as never });
    const e = await badAccess.start().then(
      () => null,
      (x: unknown) => x,
    );
    expect(isCpemError(e, 'INVALID_ARGUMENT')).withContext(String(e)).toBeTrue();
    expect((e as Error).message).toContain('frameAccess');
    badAccess.dispose();
  });
});
