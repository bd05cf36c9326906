// Browser half of the attention-mesh probe (training/research/probe-attention.ts --step browser loads it into headless
// Chromium): per-frame time of the mesh stage for the tracker's facemesh + iris (refineIris true, 'alternate', false)
// and for the attention mesh on the same crops, on wasm and on WebGL (SwiftShader, software, on the development
// machine), and how far WebGL's attention-mesh points are from wasm's on the same crop.
import * as tf from '@tensorflow/tfjs-core';
import { FaceTracker } from '../../plugin/tracker/face-tracker.js';
import { roiFromLandmarks, type Roi } from '../../plugin/tracker/face-geometry.js';
import { PixelReader, readTrackerFrame } from '../../plugin/tracker/tracker-frame.js';
import { selectBackend } from '../../plugin/tracker/backend.js';
import { AttentionMesh, loadAttentionGraph, type ModelJson } from './attention-mesh.js';
import { summarize } from '../lib/eval/quantile.js';
import { NUM_FACE_LANDMARKS, NUM_MESH_POINTS } from '../../plugin/constants.js';
import { videoFramesInBrowser } from '../lib/data/video-frames-browser.js';

export interface BrowserProbeOptions {
  /** The package's weights/ folder as served (FaceTracker's assetBaseUrl; the wasm binaries from its tfjs-wasm/). */
  assetBaseUrl: string;
  clipUrl: string;
  /** URL of models/facemesh-attention.json; its .bin beside it. */
  modelUrl: string;
  /** Distinct frames decoded from the clip, then looped. */
  distinct: number;
  plan: { backend: 'wasm' | 'webgl'; frames: number }[];
}

export interface BrowserProbeRow {
  backend: string;
  model: string;
  p50: number;
  p95: number;
  mean: number;
  n: number;
  note?: string;
}

async function loadAttention(modelUrl: string): Promise<AttentionMesh> {
  const json = (await (await fetch(modelUrl)).json()) as ModelJson;
  const binUrl = new URL(json.weightsManifest[0].paths[0], new URL(modelUrl, location.href)).href;
  const bin = await (await fetch(binUrl)).arrayBuffer();
  const { model, patched } = await loadAttentionGraph(json, bin);
  const mesh = new AttentionMesh(model, patched);
  await mesh.warmUp();
  return mesh;
}

export default async function run(
  options: BrowserProbeOptions,
  log: (m: string) => void = console.log,
): Promise<{ rows: BrowserProbeRow[]; webglVsWasmPx: number | null; renderer: string }> {
  const frames = await videoFramesInBrowser(options.clipUrl, options.distinct);
  const rows: BrowserProbeRow[] = [];
  const gl = document.createElement('canvas').getContext('webgl2');
  const ext = gl?.getExtension('WEBGL_debug_renderer_info');
  const renderer = gl ? String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER)) : 'no WebGL2';
  /** Attention points per backend on the crops of the first frames, to compare WebGL's with wasm's. */
  const pointsBy: Record<string, Float32Array[]> = {};
  const rois: Roi[] = [];
  for (const { backend, frames: count } of options.plan) {
    log(`attention probe: ${backend}, ${count} frames`);
    await selectBackend(backend, `${options.assetBaseUrl}tfjs-wasm/`);
    const modes = [true, 'alternate', false] as const;
    const trackers: FaceTracker[] = [];
    for (const refineIris of modes)
      trackers.push(await FaceTracker.create({ backend, refineIris, assetBaseUrl: options.assetBaseUrl }));
    const attention = await loadAttention(options.modelUrl);
    const inJs = backend === 'wasm';
    const reader = new PixelReader();
    const ms: number[][] = [[], [], [], []];
    pointsBy[backend] = [];
    for (const t of trackers) await t.track(frames[0]);
    let previous: Float32Array | null = null;
    const tensors = tf.memory().numTensors;
    for (let i = 1; i <= count; i++) {
      const image = frames[i % frames.length];
      for (let m = 0; m < trackers.length; m++) {
        const r = await trackers[m].track(image);
        if (!r.detected) ms[m].push(r.timings.landmarks);
        if (m !== 0) continue;
        const face = r.faces[0];
        if (face && previous && !r.detected) {
          // The crop the facemesh + iris tracker took on this frame; on WebGL the wasm run's crops, so both compare.
          const roi =
            backend === 'wasm' || rois.length < i
              ? roiFromLandmarks(previous, NUM_MESH_POINTS, 33, 263, 1.5)
              : rois[i - 1];
          if (backend === 'wasm') rois[i - 1] = roi;
          const t0 = performance.now();
          const frame = await readTrackerFrame(image, inJs, reader);
          const a = await attention.run(frame, roi);
          frame.dispose();
          ms[3].push(performance.now() - t0);
          if (a) pointsBy[backend][i - 1] = a.points;
        }
        previous = face ? face.landmarks : null;
      }
    }
    const grown = tf.memory().numTensors - tensors;
    trackers.forEach((t) => t.dispose());
    attention.dispose();
    const note = `${count} frames of ${options.distinct} looped; tensors grew by ${grown}${backend === 'webgl' ? `; ${renderer}` : ''}`;
    const names = [
      'facemesh + iris (refineIris true)',
      "facemesh + iris (refineIris 'alternate')",
      'facemesh only (refineIris false)',
      'attention mesh (lips, eyes, irises)',
    ];
    names.forEach((model, k) => rows.push({ backend, model, ...summarize(ms[k]), note }));
  }
  let webglVsWasmPx: number | null = null;
  if (pointsBy.webgl && pointsBy.wasm) {
    let s = 0,
      n = 0;
    pointsBy.webgl.forEach((p, i) => {
      const q = pointsBy.wasm[i];
      if (!p || !q) return;
      for (let k = 0; k < NUM_FACE_LANDMARKS; k++) {
        s += Math.hypot(p[3 * k] - q[3 * k], p[3 * k + 1] - q[3 * k + 1]);
        n++;
      }
    });
    webglVsWasmPx = n ? s / n : null;
  }
  return { rows, webglVsWasmPx, renderer };
}
