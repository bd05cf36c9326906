// End-to-end latency per frame in headless Chromium, per TF.js backend: tracker (detector + face mesh + iris),
// estimator (landmark features + PE-Net + read-back), filter (identity lock + One Euro) and apply (the digital
// double's 46 morph targets through RetargetApplier), on a clip from ../shared/videos. Then the frame rate the
// sample scene sustains while it tracks that clip (wasm backend, WebGL2 engine). Short runs: WebGL and WebGPU are
// software-emulated (SwiftShader) on machines without a GPU, so their figures there say little about real GPUs.
import * as tf from '@tensorflow/tfjs-core';
import { FaceTracker } from '../../plugin/tracker/face-tracker.js';
import type { TrackerBackend } from '../../plugin/tracker/backend.js';
import { FaceEstimator, type EstimatedFaceMotion } from '../../plugin/estimator/face-estimator.js';
import { summarize } from '../support/stats.js';
import type { BenchFunction, BenchRow } from '../support/bench-types.js';
import { createDoubleApplier } from '../support/double-applier.js';

const CLIP = 'videos/liveportrait_d3.mp4';
const FRAMES: Record<TrackerBackend, number> = { wasm: 40, webgl: 10, webgpu: 10, cpu: 3 };
const APPLY_BATCH = 200; // performance.now() is coarse (100 µs) outside cross-origin isolation: time batches
const PAGE_SECONDS = 8;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function playing(url: string): Promise<HTMLVideoElement> {
  const video = document.createElement('video');
  video.muted = true;
  video.loop = true;
  video.src = url;
  await video.play();
  return video;
}

function rows(backend: string, name: string, samples: number[], note: string): BenchRow {
  return { bench: 'end-to-end', case: name, backend, unit: 'ms', ...summarize(samples), note };
}

/** How a sample-page run's frames were read, when forced (for labels and notes; empty for the default). */
function frameAccessSuffix(frameAccess?: 'copy' | 'canvas'): string {
  return frameAccess ? `, frameAccess '${frameAccess}'` : '';
}

/** A sample-page run's backend column: where inference ran, and how frames were read when forced. */
function pageRunLabel(inference: 'main' | 'worker', frameAccess?: 'copy' | 'canvas'): string {
  return `wasm, ${inference === 'worker' ? 'worker' : 'main thread'}${frameAccessSuffix(frameAccess)}`;
}

/**
 * The sample scene in a same-origin frame, on the clip: render frame rate, estimates per second and the main
 * thread's milliseconds per estimated frame, with inference on the main thread or in a worker.
 */
async function pageRate(
  clipUrl: string,
  inference: 'main' | 'worker',
  log: (m: string) => void,
  frameAccess?: 'copy' | 'canvas',
): Promise<BenchRow[]> {
  const frame = document.createElement('iframe');
  frame.style.cssText = 'width:1280px;height:720px;border:0';
  frame.src = `/?backend=wasm&inference=${inference}${frameAccess ? `&frameAccess=${frameAccess}` : ''}&video=${encodeURIComponent(clipUrl)}`;
  document.body.appendChild(frame);
  try {
    type Sample = {
      behavior: {
        state: string;
        stats: { frames: number; estimatesPerSecond: number; mainThread: number; tracker: number; read: number };
      };
      engine: { getFps(): number };
    };
    const sample = () => (frame.contentWindow as unknown as { cpemSample?: Sample } | null)?.cpemSample;
    const t0 = performance.now();
    while (!(sample()?.behavior.state === 'running' && sample()!.behavior.stats.frames > 5)) {
      if (performance.now() - t0 > 120_000) throw new Error('the sample scene did not start tracking within 2 minutes');
      await sleep(200);
    }
    const fps: number[] = [];
    const eps: number[] = [];
    const main: number[] = [];
    const tracker: number[] = [];
    const read: number[] = [];
    let frames = 0;
    const rafCount = () => {
      frames++;
      frame.contentWindow?.requestAnimationFrame(rafCount);
    };
    frame.contentWindow!.requestAnimationFrame(rafCount);
    const start = performance.now();
    while (performance.now() - start < PAGE_SECONDS * 1000) {
      await sleep(500);
      fps.push(sample()!.engine.getFps());
      eps.push(sample()!.behavior.stats.estimatesPerSecond);
      main.push(sample()!.behavior.stats.mainThread);
      tracker.push(sample()!.behavior.stats.tracker);
      read.push(sample()!.behavior.stats.read);
    }
    const seconds = (performance.now() - start) / 1000;
    const access = frameAccessSuffix(frameAccess);
    log(
      `sample page, inference on the ${inference} thread${access}: ${(frames / seconds).toFixed(1)} frames/s, ${summarize(eps).mean.toFixed(1)} estimates/s`,
    );
    const note = `sample scene, WebGL2 engine, TF.js wasm, tracking the clip, inference: '${inference}'${access}`;
    const b = pageRunLabel(inference, frameAccess);
    return [
      {
        bench: 'end-to-end',
        case: 'sample page: rendered frames per second',
        backend: b,
        unit: 'fps',
        value: frames / seconds,
        n: Math.round(seconds),
        note,
      },
      { bench: 'end-to-end', case: 'sample page: engine.getFps()', backend: b, unit: 'fps', ...summarize(fps), note },
      {
        bench: 'end-to-end',
        case: 'sample page: frames estimated per second',
        backend: b,
        unit: 'fps',
        ...summarize(eps),
        note,
      },
      {
        bench: 'end-to-end',
        case: 'sample page: main-thread ms per estimated frame (behavior.stats.mainThread)',
        backend: b,
        unit: 'ms',
        ...summarize(main),
        note: `${note}; on the main thread an upper bound (the awaited frame copy included)`,
      },
      {
        bench: 'end-to-end',
        case: 'sample page: tracker ms per estimated frame (behavior.stats.tracker)',
        backend: b,
        unit: 'ms',
        ...summarize(tracker),
        note,
      },
      {
        bench: 'end-to-end',
        case: 'sample page: of which reading the frame (behavior.stats.read)',
        backend: b,
        unit: 'ms',
        ...summarize(read),
        note,
      },
    ];
  } finally {
    frame.remove();
  }
}

const run: BenchFunction = async ({ sharedDir, log }) => {
  const clipUrl = sharedDir ? `${sharedDir}/${CLIP}` : null;
  if (!clipUrl || !(await fetch(clipUrl, { method: 'HEAD' })).ok) {
    return [{ bench: 'end-to-end', case: 'latency per frame', unit: 'ms', note: `skipped: no ../shared/${CLIP}` }];
  }
  const out: BenchRow[] = [];
  const video = await playing(clipUrl);
  const double = await createDoubleApplier();
  const { applier } = double;

  for (const backend of ['wasm', 'webgl', 'webgpu', 'cpu'] as const) {
    let estimator: FaceEstimator<HTMLVideoElement> | null = null;
    try {
      // The behavior's tracker: iris model on one eye per frame (FaceRetargetBehavior's refineIris default).
      const tracker = await FaceTracker.create({ backend, refineIris: 'alternate' });
      estimator = await FaceEstimator.create<HTMLVideoElement>({ tracker });
    } catch (e) {
      out.push({
        bench: 'end-to-end',
        case: 'latency per frame',
        backend,
        unit: 'ms',
        note: `skipped: ${(e as Error).message}`,
      });
      continue;
    }
    log(`${backend}: ${FRAMES[backend]} frames`);
    const parts = {
      tracker: [] as number[],
      estimator: [] as number[],
      filter: [] as number[],
      apply: [] as number[],
      total: [] as number[],
    };
    const tensors0 = tf.memory().numTensors;
    let found = 0;
    let last: EstimatedFaceMotion | null = null;
    for (let f = 0; f < FRAMES[backend]; f++) {
      // A looping clip has no current frame for a moment when it wraps; wait for one (slow backends hit this).
      if (video.readyState < 2) await new Promise((r) => video.addEventListener('canplay', r, { once: true }));
      const t0 = performance.now();
      const m = await estimator.estimate(video);
      const wall = performance.now() - t0;
      if (!m) continue;
      found++;
      last = m;
      const a0 = performance.now();
      for (let i = 0; i < APPLY_BATCH; i++) applier.apply(m);
      const apply = (performance.now() - a0) / APPLY_BATCH;
      parts.tracker.push(m.timings.tracker);
      parts.estimator.push(m.timings.estimator);
      parts.filter.push(m.timings.filter);
      parts.apply.push(apply);
      parts.total.push(wall + apply);
      await new Promise((r) =>
        (video as HTMLVideoElement & { requestVideoFrameCallback(cb: () => void): number }).requestVideoFrameCallback(
          r,
        ),
      );
    }
    const leaked = tf.memory().numTensors - tensors0;
    const note = `${found}/${FRAMES[backend]} frames with a face, ${leaked} tensors left, ${last?.imageWidth}×${last?.imageHeight} px`;
    out.push(rows(backend, 'tracker', parts.tracker, note));
    out.push(rows(backend, 'estimator (features + PE-Net + read)', parts.estimator, note));
    out.push(rows(backend, 'filter (identity lock + One Euro)', parts.filter, note));
    out.push(rows(backend, 'apply (46 morph targets)', parts.apply, note));
    out.push(rows(backend, 'end to end per frame', parts.total, note));
    estimator.dispose();
  }
  double.dispose();
  video.pause();
  // Twice each, alternating; then the worker once with frames always read through copyTo (what 'auto' chooses from).
  const runs = [['main'], ['worker'], ['main'], ['worker'], ['worker', 'copy']] as const;
  for (const [inference, access] of runs) {
    try {
      out.push(...(await pageRate(clipUrl, inference, log, access)));
    } catch (e) {
      out.push({
        bench: 'end-to-end',
        case: 'sample page frames per second',
        backend: pageRunLabel(inference, access),
        unit: 'fps',
        note: `failed: ${(e as Error).message}`,
      });
    }
  }
  return out;
};

export default run;
