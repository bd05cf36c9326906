// Ours against a peer, in one Chromium page on one clip: MediaPipe Face Landmarker (@mediapipe/tasks-vision, pinned
// devDependency; VIDEO mode, CPU/XNNPACK, landmarks + 52 blendshapes) with its model from ../shared/teachers/ (never
// copied into the repository, never fetched from elsewhere; the bench skips the peer when it is absent), against the
// behavior's path (tracker + PE-Net + calibration + filter on TF.js wasm, then the 46 morph targets of the digital
// double set through RetargetApplier).
//
// Measured, alternating ours and the peer in blocks of frames so that load on the machine falls on both alike:
// - time to the first estimated frame from nothing loaded (ours: backend, three tracker models, PE-Net; the peer:
//   its wasm, its model) — ours runs first;
// - from a playing video (what a user gets): ours reading the face's rectangle the default way ('auto': copyTo or a
//   2D canvas, whichever its measured read times say is cheaper), always through a 2D canvas ('canvas'), and without
//   the iris model (refineIris false, what the iris model costs), the peer detectForVideo(video);
// - from decoded frames (ImageData already in memory), both;
// - main-thread milliseconds per estimated frame for ours;
// - over LONG_RUN frames: tf.memory().numTensors and the JS heap on the main thread (plain page), and in the worker
//   its tensor count and heap (isolated page: performance.measureUserAgentSpecificMemory needs cross-origin isolation).
// The page runs twice (run-bench.mjs, pageVariants): plain (single-threaded wasm) and cross-origin isolated
// (tfjs' threaded SIMD wasm; tasks-vision's CPU build is the same in both).
import * as tf from '@tensorflow/tfjs-core';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { FaceLandmarker, FilesetResolver } from '@mediapipe/tasks-vision';
import { FaceTracker } from '../../plugin/tracker/face-tracker.js';
import type { FrameAccess } from '../../plugin/tracker/frame-access.js';
import { FaceEstimator, type EstimatedFaceMotion } from '../../plugin/estimator/face-estimator.js';
import { WorkerInference } from '../../plugin/behavior/worker-inference.js';
import { inferenceWorker } from '../../plugin/worker/index.js';
import { summarize } from '../support/stats.js';
import type { BenchFunction, BenchRow } from '../support/bench-types.js';
import { createDoubleApplier } from '../support/double-applier.js';

export const pageVariants = ['plain', 'isolated'];

const CLIP = 'videos/liveportrait_d0.mp4';
const TEACHER = 'teachers/face_landmarker_v2_with_blendshapes.task';
const ROUNDS = 4;
const BLOCK = 20;
const DECODED = 48;
const LONG_RUN = 10_000;

type VideoWithCallback = HTMLVideoElement & { requestVideoFrameCallback(cb: () => void): number };
/** The video's next frame; a looping clip has no current frame for a moment when it wraps, so wait for one. */
async function nextFrame(v: VideoWithCallback): Promise<void> {
  await new Promise<void>((r) => v.requestVideoFrameCallback(() => r()));
  while (v.readyState < 2) await new Promise((r) => v.addEventListener('canplay', r, { once: true }));
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function exists(url: string): Promise<boolean> {
  return (await fetch(url, { method: 'HEAD' })).ok;
}

async function playing(url: string): Promise<VideoWithCallback> {
  const video = document.createElement('video') as VideoWithCallback;
  video.muted = true;
  video.loop = true;
  video.src = url;
  await video.play();
  return video;
}

type MemoryBreakdown = { bytes: number; attribution: { url: string; scope: string }[] };
type MeasuresMemory = Performance & {
  measureUserAgentSpecificMemory?(): Promise<{ bytes: number; breakdown: MemoryBreakdown[] }>;
  memory?: { usedJSHeapSize: number };
};

/** Bytes of the inference worker's JS heap (null where the page cannot measure it: not cross-origin isolated). */
async function workerHeapBytes(): Promise<number | null> {
  const p = performance as MeasuresMemory;
  if (!globalThis.crossOriginIsolated || typeof p.measureUserAgentSpecificMemory !== 'function') return null;
  const m = await p.measureUserAgentSpecificMemory();
  return m.breakdown
    .filter((b) =>
      b.attribution.some((a) => a.scope === 'DedicatedWorkerGlobalScope' && a.url.includes('inference-worker')),
    )
    .reduce((s, b) => s + b.bytes, 0);
}

/** Threads for tfjs' threaded wasm where the page is cross-origin isolated: every logical core. */
const threadsWanted = () => (globalThis.crossOriginIsolated ? navigator.hardwareConcurrency : undefined);

async function ours(
  access: FrameAccess,
  refineIris: 'alternate' | false = 'alternate',
): Promise<FaceEstimator<unknown>> {
  const tracker = await FaceTracker.create({
    backend: 'wasm',
    refineIris,
    frameAccess: access,
    wasmThreads: threadsWanted(),
  });
  return FaceEstimator.create<unknown>({ tracker });
}

async function peer(sharedDir: string): Promise<FaceLandmarker> {
  const fileset = await FilesetResolver.forVisionTasks(new URL('/vendor/tasks-vision', location.href).href);
  const r = await fetch(`${sharedDir}/${TEACHER}`);
  if (!r.ok) throw new Error(`peer model: HTTP ${r.status}`);
  return FaceLandmarker.createFromOptions(fileset, {
    baseOptions: { modelAssetBuffer: new Uint8Array(await r.arrayBuffer()), delegate: 'CPU' },
    runningMode: 'VIDEO',
    numFaces: 1,
    outputFaceBlendshapes: true,
  });
}

/** The peer's result read as a user would: the 52 scores (null: no face). */
function peerScores(result: ReturnType<FaceLandmarker['detectForVideo']>): Float32Array | null {
  const shapes = result.faceBlendshapes[0];
  return shapes ? Float32Array.from(shapes.categories, (c) => c.score) : null;
}

const run: BenchFunction = async ({ sharedDir, log }) => {
  const isolated = globalThis.crossOriginIsolated === true;
  const page = isolated ? 'cross-origin isolated page' : 'plain page';
  const clipUrl = sharedDir ? `${sharedDir}/${CLIP}` : null;
  if (!sharedDir || !clipUrl || !(await exists(clipUrl)))
    return [{ bench: 'peer', case: 'all', unit: 'ms', note: `skipped: no ../shared/${CLIP}` }];
  const withPeer = await exists(`${sharedDir}/${TEACHER}`);
  const out: BenchRow[] = [];
  const video = await playing(clipUrl);
  let ts = 0;
  const stamp = () => (ts = Math.max(ts + 1, performance.now()));

  // Time to the first estimated frame, from nothing loaded in this page: ours, then the peer.
  let t0 = performance.now();
  const mine = await ours('auto');
  const readyMs = performance.now() - t0;
  while (!(await mine.estimate(video, stamp()))) await nextFrame(video);
  const firstMs = performance.now() - t0;
  const threads = tf.getBackend() === 'wasm' ? getThreadsCount() : 1;
  const backend = `wasm, ${threads} thread${threads > 1 ? 's' : ''}`;
  log(`${page}: ours ready ${readyMs.toFixed(0)} ms, first estimate ${firstMs.toFixed(0)} ms; ${backend}`);
  out.push({
    bench: 'peer',
    case: 'ours: time to first estimated frame (cold)',
    backend,
    unit: 'ms',
    value: firstMs,
    note: `${page}; models ready after ${readyMs.toFixed(0)} ms; ours loaded first`,
  });
  let landmarker: FaceLandmarker | null = null;
  if (withPeer) {
    t0 = performance.now();
    landmarker = await peer(sharedDir);
    const peerReady = performance.now() - t0;
    while (!peerScores(landmarker.detectForVideo(video, stamp()))) await nextFrame(video);
    const peerFirst = performance.now() - t0;
    out.push({
      bench: 'peer',
      case: 'peer: time to first estimated frame (cold)',
      backend: 'tasks-vision CPU',
      unit: 'ms',
      value: peerFirst,
      note: `${page}; model ready after ${peerReady.toFixed(0)} ms; ${(firstMs / peerFirst).toFixed(2)}× ours/peer`,
    });
  } else {
    out.push({ bench: 'peer', case: 'peer', unit: 'ms', note: `skipped: no ../shared/${TEACHER}` });
  }

  const double = await createDoubleApplier();
  const { applier } = double;
  const viaCanvas = await ours('canvas');
  // The same path without the iris model (refineIris false: iris points from the lids, no gaze), to show what the
  // iris model costs end to end.
  const noIris = await ours('auto', false);

  type Stages = {
    read: number[];
    tracker: number[];
    estimator: number[];
    filter: number[];
    apply: number[];
    total: number[];
  };
  const stages = (): Stages => ({ read: [], tracker: [], estimator: [], filter: [], apply: [], total: [] });
  const oursOnce = async (
    estimator: FaceEstimator<unknown>,
    input: unknown,
    s: Stages,
  ): Promise<EstimatedFaceMotion | null> => {
    const a = performance.now();
    const m = await estimator.estimate(input, stamp());
    if (!m) return null;
    const b = performance.now();
    applier.apply(m);
    const c = performance.now();
    s.read.push(m.timings.read);
    s.tracker.push(m.timings.tracker - m.timings.read);
    s.estimator.push(m.timings.estimator);
    s.filter.push(m.timings.filter);
    s.apply.push(c - b);
    s.total.push(c - a);
    return m;
  };
  const peerOnce = (input: TexImageSource, samples: number[]) => {
    const a = performance.now();
    const scores = peerScores(landmarker!.detectForVideo(input, stamp()));
    if (scores) samples.push(performance.now() - a);
  };

  // Ours in a worker (the behavior's inference: 'worker'): VideoFrames transferred, motion back, applied here.
  const worker = new WorkerInference({
    worker: inferenceWorker,
    backend: 'wasm',
    refineIris: 'alternate',
    wasmThreads: threadsWanted(),
  });
  let workerNote = '';
  try {
    await worker.load();
  } catch (e) {
    workerNote = `worker failed: ${(e as Error).message}`;
    log(workerNote);
  }
  const inWorker = { total: [] as number[], main: [] as number[], worker: [] as number[], tensors: [] as number[] };
  const workerOnce = async () => {
    const a = performance.now();
    const m = await worker.run(video, stamp());
    if (!m) return;
    const b = performance.now();
    applier.apply(m);
    const c = performance.now();
    inWorker.total.push(c - a);
    inWorker.main.push(worker.mainThreadMs + (c - b));
    inWorker.worker.push(worker.workerMs);
    inWorker.tensors.push(worker.workerTensors);
  };

  // From the playing video: ours ('auto', then 'canvas', then without the iris model, then in a worker), then the
  // peer, in blocks, ROUNDS times.
  const live = { auto: stages(), canvas: stages(), noIris: stages(), peer: [] as number[] };
  for (let r = 0; r < ROUNDS; r++) {
    for (let i = 0; i < BLOCK; i++) {
      await nextFrame(video);
      await oursOnce(mine, video, live.auto);
    }
    for (let i = 0; i < BLOCK; i++) {
      await nextFrame(video);
      await oursOnce(viaCanvas, video, live.canvas);
    }
    for (let i = 0; i < BLOCK; i++) {
      await nextFrame(video);
      await oursOnce(noIris, video, live.noIris);
    }
    if (worker.loadedInWorker)
      for (let i = 0; i < BLOCK; i++) {
        await nextFrame(video);
        await workerOnce();
      }
    if (landmarker)
      for (let i = 0; i < BLOCK; i++) {
        await nextFrame(video);
        peerOnce(video, live.peer);
      }
  }

  // Decoded frames: ImageData of consecutive frames, in memory before timing starts.
  const grab = new OffscreenCanvas(video.videoWidth, video.videoHeight).getContext('2d', { willReadFrequently: true })!;
  const frames: ImageData[] = [];
  for (let i = 0; i < DECODED; i++) {
    await nextFrame(video);
    grab.drawImage(video, 0, 0);
    frames.push(grab.getImageData(0, 0, video.videoWidth, video.videoHeight));
  }
  video.pause();
  const decoded = { ours: stages(), peer: [] as number[] };
  mine.reset();
  for (let r = 0; r < ROUNDS; r++) {
    for (let i = 0; i < DECODED; i++) await oursOnce(mine, frames[i], decoded.ours);
    if (landmarker) for (let i = 0; i < DECODED; i++) peerOnce(frames[i], decoded.peer);
    await sleep(0);
  }

  const note = `${CLIP} ${video.videoWidth}×${video.videoHeight}; ${page}`;
  const row = (c: string, who: string, samples: number[], extra = ''): BenchRow => ({
    bench: 'peer',
    case: c,
    backend: who,
    unit: 'ms',
    ...summarize(samples),
    note: `${note}${extra}`,
  });
  const ratio = (c: string, a: number[], b: number[]): BenchRow[] => {
    if (a.length === 0 || b.length === 0) return [];
    const sa = summarize(a),
      sb = summarize(b);
    return [
      {
        bench: 'peer',
        case: `${c}: p50 ours/peer`,
        backend,
        unit: 'ratio',
        value: sa.p50 / sb.p50,
        note: `${sa.p50.toFixed(1)} / ${sb.p50.toFixed(1)} ms; bar ≤ 0.6`,
      },
      {
        bench: 'peer',
        case: `${c}: p95 ours/peer`,
        backend,
        unit: 'ratio',
        value: sa.p95 / sb.p95,
        note: `${sa.p95.toFixed(1)} / ${sb.p95.toFixed(1)} ms; bar ≤ 0.8`,
      },
    ];
  };
  for (const [name, s, extra] of [
    ['playing video, ours (face rectangle read: auto)', live.auto, ''],
    ['playing video, ours (face rectangle read: 2D canvas)', live.canvas, ''],
    ['playing video, ours without the iris model (refineIris false)', live.noIris, ''],
    ['decoded frames, ours', decoded.ours, ''],
  ] as const) {
    out.push(row(`${name}: read pixels`, backend, s.read, extra));
    out.push(row(`${name}: tracker without read`, backend, s.tracker, extra));
    out.push(row(`${name}: estimator (features + PE-Net)`, backend, s.estimator, extra));
    out.push(row(`${name}: filter`, backend, s.filter, extra));
    out.push(row(`${name}: apply (46 targets)`, backend, s.apply, extra));
    out.push(row(`${name}: end to end`, backend, s.total, extra));
  }
  if (inWorker.total.length > 0) {
    const wb = `${backend} in a worker (${worker.threads} thread${worker.threads > 1 ? 's' : ''})`;
    out.push(row('playing video, ours in a worker: end to end (frame posted → motion applied)', wb, inWorker.total));
    out.push(row('playing video, ours in a worker: inside the worker', wb, inWorker.worker));
    out.push(
      row(
        'playing video, ours in a worker: main-thread ms per estimated frame',
        wb,
        inWorker.main,
        '; new VideoFrame + postMessage + reading the answer + apply',
      ),
    );
    out.push({
      bench: 'peer',
      case: 'playing video, ours in a worker: worker numTensors first → last frame',
      backend: wb,
      unit: 'tensors',
      value: inWorker.tensors[inWorker.tensors.length - 1] - inWorker.tensors[0],
      note: `${inWorker.tensors[0]} → ${inWorker.tensors[inWorker.tensors.length - 1]} over ${inWorker.tensors.length} frames`,
    });
    if (live.peer.length > 0)
      out.push(...ratio('playing video, ours in a worker, end to end', inWorker.total, live.peer));
  } else {
    out.push({
      bench: 'peer',
      case: 'playing video, ours in a worker',
      backend,
      unit: 'ms',
      note: workerNote || 'no frame with a face',
    });
  }
  // On the main thread everything but the awaited copy runs on the main thread: between wall - read and wall.
  out.push({
    bench: 'peer',
    case: 'playing video, ours: main-thread ms per estimated frame (inference on the main thread)',
    backend,
    unit: 'ms',
    ...summarize(live.auto.total),
    note: `${note}; upper bound (wall); lower bound wall - read p50 ${summarize(live.auto.total.map((t, i) => t - live.auto.read[i])).p50.toFixed(1)} ms`,
  });
  if (landmarker) {
    out.push(row('playing video, peer detectForVideo(video)', 'tasks-vision CPU', live.peer));
    out.push(row('decoded frames, peer detectForVideo(ImageData)', 'tasks-vision CPU', decoded.peer));
    out.push(...ratio('playing video, end to end', live.auto.total, live.peer));
    out.push(...ratio('playing video, 2D canvas read, end to end', live.canvas.total, live.peer));
    out.push(...ratio('playing video, without the iris model, end to end', live.noIris.total, live.peer));
    out.push(...ratio('decoded frames, end to end', decoded.ours.total, decoded.peer));
  }

  // Tensors and heap over a long run (bench rows, not timed tests): on the main thread over decoded frames (plain
  // page), in the worker over the playing video's frames (isolated page, where the worker's heap can be measured).
  const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;
  if (!isolated) {
    const t = tf.memory().numTensors;
    const heap = (performance as MeasuresMemory).memory;
    const heap0 = heap?.usedJSHeapSize ?? NaN;
    let found = 0;
    for (let i = 0; i < LONG_RUN; i++) {
      if (await mine.estimate(frames[i % DECODED], stamp())) found++;
      if (i % 200 === 0) await sleep(0);
    }
    const heap1 = (performance as MeasuresMemory).memory?.usedJSHeapSize ?? NaN;
    out.push({
      bench: 'peer',
      case: `ours: numTensors after ${LONG_RUN} frames minus before`,
      backend,
      unit: 'tensors',
      value: tf.memory().numTensors - t,
      note: `${found} frames with a face; ${tf.memory().numTensors} tensors in all; main-thread JS heap (performance.memory) ${mb(heap0)} → ${mb(heap1)}`,
    });
  } else if (worker.loadedInWorker) {
    await video.play();
    const tensors: number[] = [];
    let heap0: number | null = null;
    for (let i = 0; i < LONG_RUN; i++) {
      if (i === 100) heap0 = await workerHeapBytes();
      if (await worker.run(video, stamp())) tensors.push(worker.workerTensors);
      if (video.readyState < 2) await nextFrame(video);
    }
    const heap1 = await workerHeapBytes();
    video.pause();
    const wb = `${backend} in a worker`;
    out.push({
      bench: 'peer',
      case: `ours in a worker: numTensors after ${LONG_RUN} frames minus before`,
      backend: wb,
      unit: 'tensors',
      value: tensors.length > 1 ? tensors[tensors.length - 1] - tensors[0] : NaN,
      note: `${tensors.length} frames with a face; ${tensors[tensors.length - 1]} tensors in the worker`,
    });
    if (heap0 !== null && heap1 !== null) {
      out.push({
        bench: 'peer',
        case: `ours in a worker: JS heap after ${LONG_RUN} frames minus after 100`,
        backend: wb,
        unit: 'MB',
        value: (heap1 - heap0) / 2 ** 20,
        note: `performance.measureUserAgentSpecificMemory, the worker's share: ${mb(heap0)} → ${mb(heap1)}`,
      });
    } else {
      out.push({
        bench: 'peer',
        case: 'ours in a worker: JS heap',
        backend: wb,
        unit: 'MB',
        note: 'not measured: performance.measureUserAgentSpecificMemory is not available here',
      });
    }
  }

  landmarker?.close();
  worker.dispose();
  mine.dispose();
  viaCanvas.dispose();
  noIris.dispose();
  double.dispose();
  return out;
};

export default run;
