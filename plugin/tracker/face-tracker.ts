/**
 * FaceTracker: video frames → faces with MediaPipe's 478 landmarks (468 face-mesh points + 10 iris points).
 *
 * Models: MediaPipe's BlazeFace detector, face mesh and iris landmark networks (Apache-2.0) as the TF.js graph models
 * that @vladmandic/human ships under models/ (MIT). Pre- and post-processing follow MediaPipe's graphs as
 * re-implemented in human's src/face/ (credit: Vladimir Mandic); see face-geometry.ts.
 *
 * Tracking mode, as in MediaPipe: the detector runs only while fewer than `maxFaces` faces are tracked; a tracked
 * face is cropped from its last landmarks, and dropped (then searched for again on the same frame) when the
 * face-mesh confidence falls below `minConfidence`. All tensor reads are asynchronous.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GraphModel } from '@tensorflow/tfjs-converter';
import { CpemError } from '../errors/cpem-error.js';
import { joinAssetPath } from '../assets.js';
import { selectBackend, type TrackerBackend, type WasmPaths } from './backend.js';
import { execute, loadTrackerModel, trackerModelFiles } from './model-io.js';
import {
  applyIrisRefinement,
  IRIS_CROP,
  irisFromMesh,
  irisRefinements,
  type EyeRefinement,
} from './iris-refinement.js';
import {
  blazefaceAnchors,
  cropToImage,
  decodeDetections,
  iou,
  roiFromDetection,
  roiFromLandmarks,
  weightedNms,
  type Detection,
  type Roi,
} from './face-geometry.js';
import { FrameAccessChooser, isFrameAccess, type FrameAccess } from './frame-access.js';
import { PixelReader, readTrackerFrame, type TrackerFrame, type TrackerInput } from './tracker-frame.js';
import { markStage } from '../util/marks.js';
import { NUM_FACE_LANDMARKS, NUM_MESH_POINTS } from '../constants.js';

export type { TrackerBackend } from './backend.js';

export interface FaceTrackerOptions {
  /**
   * Default 'auto': the first of webgpu, webgl, wasm, cpu that starts here, passing over webgpu and webgl where the
   * browser runs them in software (SwiftShader, llvmpipe), as wasm is far faster there. A named backend is used as is.
   */
  backend?: TrackerBackend | 'auto';
  /**
   * Folder laid out as the package's weights/ (`npx babylon-cpem copy-assets DIR` writes one): the models are read
   * from its tracker/ and the wasm binaries from its tfjs-wasm/. Default: the package's own files (assets.ts).
   */
  assetBaseUrl?: string;
  /** Folder (URL prefix, or a path in Node) holding blazeface, facemesh and iris .json/.bin, when not under assetBaseUrl. */
  modelBaseUrl?: string;
  /** Faces to track at once, default 1. */
  maxFaces?: number;
  /** Minimum detector score and face-mesh confidence, default 0.5. */
  minConfidence?: number;
  /** Face-mesh input crop side in pixels, default 192 (the model's). */
  cropSize?: number;
  /**
   * Where the tfjs wasm binaries are (a folder URL ending in '/', or a URL per file name), when not under
   * assetBaseUrl. Default: the package's copies in the browser, the installed @tensorflow/tfjs-backend-wasm in Node.
   */
  wasmPaths?: WasmPaths;
  /**
   * Threads of tfjs' threaded SIMD wasm build, which runs only where the page is cross-origin isolated (COOP/COEP
   * headers; docs/behavior.md, which says what tfjs picks on a small machine). Default: tfjs' own choice. tfjs 4.22
   * never runs more than half the logical cores, so a larger number gets that cap. Takes effect when the wasm backend
   * first starts in this page or worker.
   */
  wasmThreads?: number;
  /**
   * The iris model (iris points and eye contours from 64 px eye crops), which costs about as much as the face mesh
   * for each eye. true (default): both eyes on every frame. 'alternate': both eyes on a fresh detection, then one
   * eye per tracked frame, in turn; the other eye keeps its last refinement, carried along with its corners, over
   * its current mesh points (each eye is refreshed every second frame). false: never; the iris points are placed
   * from the mesh's eye contour (centre of the lid points, rim at 0.2 × the eye's width), which does not follow the
   * gaze.
   */
  refineIris?: boolean | 'alternate';
  /**
   * How the wasm and cpu backends get a video's pixels; either way only the rectangle around the face's crops while
   * it is tracked (the whole frame when the detector runs). 'copy': WebCodecs' VideoFrame.copyTo, where the frame's
   * pixel format allows (else as 'canvas'). 'canvas': drawn into a 2D canvas and read back. 'auto' (default): the
   * cheaper of the two by their measured read times, checked again every few seconds (frame-access.ts).
   * GPU backends upload the frame with tf.browser.fromPixels either way.
   */
  frameAccess?: FrameAccess;
}

/** Image pixels. */
export interface FaceBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface TrackedFace {
  /** 478 × 3: x, y in image pixels, z relative depth in pixels (same scale as x, smaller is nearer the camera). */
  landmarks: Float32Array;
  box: FaceBox;
  /** Face-mesh confidence in [0, 1]. */
  confidence: number;
}

/**
 * Milliseconds; detect is 0 when the detector was skipped. read: getting the frame's pixels (copying, converting or
 * uploading them), part of detect and landmarks where the frame is read a rectangle at a time.
 */
export interface TrackerTimings {
  detect: number;
  landmarks: number;
  read: number;
  total: number;
}

export interface FaceTrackingResult {
  status: 'ok' | 'no-face';
  /** Empty when status is 'no-face'. */
  faces: TrackedFace[];
  /** Input frame size. */
  width: number;
  height: number;
  /** The detector ran on this frame (false while tracking). */
  detected: boolean;
  timings: TrackerTimings;
}

export type { RawImage, TrackerInput } from './tracker-frame.js';
export type { FrameAccess } from './frame-access.js';

/** Face-mesh crop side over the landmarks' extent (MediaPipe's 1.5; 1.35 and 1.65 measured worse, docs/tracking.md). */
const ROI_SCALE = 1.5;
/** Extra face-mesh passes on a fresh detection, each cropped from the previous pass's landmarks (lower NME, docs/tracking.md). */
const REFINE_PASSES = 2;
interface Track {
  roi: Roi;
  /** Last iris refinement of each eye (null: none yet). */
  eyes: (EyeRefinement | null)[];
  /** Frames tracked since the detection. */
  frames: number;
}

function now(): number {
  return performance.now();
}

export class FaceTracker {
  private tracks: Track[] = [];
  private disposed = false;
  /** Frames in flight: dispose() frees the models only once none is left. */
  private running = 0;
  private readonly anchors: Float32Array;
  private readonly detectorSize: number;
  private readonly meshSize: number;
  private readonly maxFaces: number;
  private readonly minConfidence: number;
  private readonly refineIris: boolean | 'alternate';
  /** CPU backends read frames into JS memory and crop them there (tracker-frame.ts). */
  private readonly framesInJs: boolean;
  private readonly pixelReader = new PixelReader();
  private readonly frameAccess: FrameAccessChooser;

  private constructor(
    readonly backend: TrackerBackend,
    private readonly detector: GraphModel,
    private readonly mesh: GraphModel,
    private readonly iris: GraphModel,
    options: Required<
      Pick<FaceTrackerOptions, 'maxFaces' | 'minConfidence' | 'cropSize' | 'refineIris' | 'frameAccess'>
    >,
  ) {
    this.refineIris = options.refineIris;
    this.frameAccess = new FrameAccessChooser(options.frameAccess);
    this.framesInJs = backend === 'wasm' || backend === 'cpu';
    this.detectorSize =
      detector.inputs[0]?.shape?.[1] && detector.inputs[0].shape[1] > 0 ? detector.inputs[0].shape[1] : 256;
    this.anchors = blazefaceAnchors(this.detectorSize);
    this.meshSize = options.cropSize;
    this.maxFaces = options.maxFaces;
    this.minConfidence = options.minConfidence;
  }

  /** Starts a backend, loads the three models and warms them up. */
  static async create(options: FaceTrackerOptions = {}): Promise<FaceTracker> {
    const maxFaces = options.maxFaces ?? 1;
    const minConfidence = options.minConfidence ?? 0.5;
    const cropSize = options.cropSize ?? 192;
    if (!Number.isInteger(maxFaces) || maxFaces < 1)
      throw new CpemError('INVALID_ARGUMENT', `FaceTracker: maxFaces must be a whole number ≥ 1; got ${maxFaces}.`);
    if (!(minConfidence >= 0 && minConfidence <= 1))
      throw new CpemError('INVALID_ARGUMENT', `FaceTracker: minConfidence must be in [0, 1]; got ${minConfidence}.`);
    if (!Number.isInteger(cropSize) || cropSize < 32 || cropSize > 1024)
      throw new CpemError(
        'INVALID_ARGUMENT',
        `FaceTracker: cropSize must be a whole number of pixels in [32, 1024] (the model's is 192); got ${cropSize}.`,
      );
    const wasmPaths =
      options.wasmPaths ??
      (options.assetBaseUrl !== undefined ? joinAssetPath(options.assetBaseUrl, 'tfjs-wasm/') : undefined);
    const backend = await selectBackend(options.backend ?? 'auto', wasmPaths, options.wasmThreads);
    markStage('backend');
    const files = trackerModelFiles(options.modelBaseUrl, options.assetBaseUrl);
    const [detector, mesh, iris] = await Promise.all([
      loadTrackerModel(files, 'blazeface'),
      loadTrackerModel(files, 'facemesh'),
      loadTrackerModel(files, 'iris'),
    ]);
    const refineIris = options.refineIris ?? true;
    if (refineIris !== true && refineIris !== false && refineIris !== 'alternate') {
      throw new CpemError(
        'INVALID_ARGUMENT',
        `FaceTracker: refineIris must be true, false or 'alternate'; got ${JSON.stringify(refineIris)}.`,
      );
    }
    const frameAccess = options.frameAccess ?? 'auto';
    if (!isFrameAccess(frameAccess)) {
      throw new CpemError(
        'INVALID_ARGUMENT',
        `FaceTracker: frameAccess must be 'auto', 'copy' or 'canvas'; got ${JSON.stringify(frameAccess)}.`,
      );
    }
    const tracker = new FaceTracker(backend, detector, mesh, iris, {
      maxFaces,
      minConfidence,
      cropSize,
      refineIris,
      frameAccess,
    });
    await tracker.warmUp();
    return tracker;
  }

  /** Runs each model once on zeros so that the first real frame does not pay for shader or kernel set-up. */
  private async warmUp(): Promise<void> {
    const run = async (model: GraphModel, size: number) => {
      const list = execute(model, tf.zeros([1, size, size, 3]));
      await Promise.all(list.map((t) => t.data()));
      tf.dispose(list);
    };
    await run(this.detector, this.detectorSize);
    await run(this.mesh, this.meshSize);
    await run(this.iris, IRIS_CROP);
  }

  private checkAlive(): void {
    if (this.disposed)
      throw new CpemError(
        'INVALID_ARGUMENT',
        'FaceTracker: this tracker was disposed; create a new one with FaceTracker.create().',
      );
  }

  /** Forgets the tracked faces: the next frame runs the detector. */
  reset(): void {
    this.checkAlive();
    this.tracks = [];
  }

  /**
   * Frees the models; further calls throw. A frame still running ends with a CpemError (its result discarded) and the
   * models are freed when it does: freed under it, TF.js failed inside with a raw TypeError.
   */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.tracks = [];
    if (this.running === 0) this.freeModels();
  }

  private freeModels(): void {
    this.detector.dispose();
    this.mesh.dispose();
    this.iris.dispose();
  }

  /** Throws when dispose() came while this frame ran: the frame stops at its next stage, its tensors freed. */
  private checkStillAlive(): void {
    if (this.disposed)
      throw new CpemError(
        'INVALID_ARGUMENT',
        'FaceTracker was disposed while a frame was running; the frame is discarded.',
      );
  }

  /** Finds (or follows) faces in one frame. No face is a result with status 'no-face', not an error. */
  async track(input: TrackerInput): Promise<FaceTrackingResult> {
    this.checkAlive();
    this.running++;
    try {
      const result = await this.trackFrame(input);
      this.checkStillAlive();
      return result;
    } finally {
      this.running--;
      if (this.disposed && this.running === 0) this.freeModels();
    }
  }

  private async trackFrame(input: TrackerInput): Promise<FaceTrackingResult> {
    const t0 = now();
    const frame = await readTrackerFrame(input, this.framesInJs, this.pixelReader, { access: this.frameAccess });
    const { width, height } = frame;
    const timings: TrackerTimings = { detect: 0, landmarks: 0, read: 0, total: 0 };
    const faces: TrackedFace[] = [];
    let detected = false;
    try {
      this.checkStillAlive();
      const next: Track[] = [];
      // Tracked faces first, each cropped from its last landmarks.
      for (const track of this.tracks) {
        const t1 = now();
        const face = await this.landmarks(frame, track.roi, track);
        timings.landmarks += now() - t1;
        if (face && !next.some((n) => overlaps(n.roi, face.roi))) {
          faces.push(face.face);
          next.push({ roi: face.roi, eyes: face.eyes, frames: track.frames + 1 });
        }
      }
      if (next.length < this.maxFaces) {
        this.checkStillAlive();
        detected = true;
        const t1 = now();
        const detections = await this.detect(frame, width, height);
        timings.detect = now() - t1;
        const t2 = now();
        for (const d of detections) {
          if (next.length >= this.maxFaces) break;
          const roi = roiFromDetection(d);
          if (next.some((n) => overlaps(n.roi, roi))) continue;
          const face = await this.landmarks(frame, roi, null);
          if (face && !next.some((n) => overlaps(n.roi, face.roi))) {
            faces.push(face.face);
            next.push({ roi: face.roi, eyes: face.eyes, frames: 0 });
          }
        }
        timings.landmarks += now() - t2;
      }
      this.tracks = next;
    } finally {
      timings.read = frame.readMs;
      frame.dispose();
    }
    timings.total = now() - t0;
    return { status: faces.length > 0 ? 'ok' : 'no-face', faces, width, height, detected, timings };
  }

  /**
   * Detector on the letterboxed frame → candidate faces, best first. When it finds none in a large frame (a side of
   * 2× the detector input or more), it looks again in four overlapping quarter tiles, where a small face spans
   * more of the detector's input (the detector misses faces under about 20 px of its 256 px input).
   */
  private async detect(frame: TrackerFrame, width: number, height: number): Promise<ReturnType<typeof weightedNms>> {
    const side = Math.max(width, height);
    const found = await this.detectIn(frame, { cx: (width - 1) / 2, cy: (height - 1) / 2, size: side, angle: 0 });
    if (found.length === 0 && side >= 2 * this.detectorSize) {
      const tile = 0.6 * side;
      for (const fy of [0, 1]) {
        for (const fx of [0, 1]) {
          const cx = fx === 0 ? tile / 2 : width - tile / 2,
            cy = fy === 0 ? tile / 2 : height - tile / 2;
          found.push(...(await this.detectIn(frame, { cx: cx - 0.5, cy: cy - 0.5, size: tile, angle: 0 })));
        }
      }
    }
    return weightedNms(found, this.maxFaces + this.tracks.length);
  }

  private async detectIn(frame: TrackerFrame, region: Roi): Promise<Detection[]> {
    const size = this.detectorSize;
    const list = execute(this.detector, await frame.crops([{ roi: region }], size, 1 / 127.5, -1));
    let raw: Float32Array;
    try {
      raw = await joinDetectorOutputs(list);
    } finally {
      tf.dispose(list);
    }
    return decodeDetections(raw, this.anchors, size, region, this.minConfidence);
  }

  /**
   * Face mesh (and iris) in `roi`: `track` is the face tracked so far, or null on a fresh detection. Returns the
   * face, the region to crop next frame and the eyes' iris refinements, or null when the face-mesh confidence is
   * below minConfidence (or not a number). A fresh detection is refined twice: the detector's box is coarser than
   * the landmarks' own.
   */
  private async landmarks(
    frame: TrackerFrame,
    roi: Roi,
    track: Track | null,
  ): Promise<{ face: TrackedFace; roi: Roi; eyes: (EyeRefinement | null)[] } | null> {
    let result = await this.meshIn(frame, roi);
    if (!result) return null;
    for (let p = 0; !track && p < REFINE_PASSES; p++) {
      const again = await this.meshIn(frame, roiFromLandmarks(result.points, NUM_MESH_POINTS, 33, 263, ROI_SCALE));
      if (again) result = again;
    }
    const points = result.points;
    let eyes: (EyeRefinement | null)[] = [null, null];
    if (this.refineIris) {
      const alternate = this.refineIris === 'alternate' && track !== null && track.eyes.every((e) => e !== null);
      const fresh = await irisRefinements(this.iris, frame, points, alternate ? [track.frames % 2] : [0, 1]);
      eyes = fresh.map((r, e) => r ?? track?.eyes[e] ?? null);
    }
    eyes.forEach((r, e) => (r ? applyIrisRefinement(points, e, r) : irisFromMesh(points, e)));
    let x0 = Infinity,
      y0 = Infinity,
      x1 = -Infinity,
      y1 = -Infinity;
    for (let i = 0; i < NUM_MESH_POINTS; i++) {
      const x = points[3 * i],
        y = points[3 * i + 1];
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
    const box = { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
    return {
      face: { landmarks: points, box, confidence: result.confidence },
      roi: roiFromLandmarks(points, NUM_MESH_POINTS, 33, 263, ROI_SCALE),
      eyes,
    };
  }

  private async meshIn(frame: TrackerFrame, roi: Roi): Promise<{ points: Float32Array; confidence: number } | null> {
    if (!(roi.size > 1) || ![roi.cx, roi.cy, roi.angle].every(Number.isFinite)) return null;
    const S = this.meshSize;
    const out = execute(this.mesh, await frame.crops([{ roi }], S, 1 / 255, 0));
    try {
      const flagT = out.find((t) => t.shape[t.shape.length - 1] === 1);
      const meshT = out.find((t) => t.shape[t.shape.length - 1] === NUM_MESH_POINTS * 3);
      if (!flagT || !meshT)
        throw new CpemError(
          'WEIGHTS_CORRUPT',
          'Face tracker: facemesh.json does not produce a 1404-value mesh and a confidence; reinstall @vladmandic/human.',
        );
      const [flag, raw] = await Promise.all([flagT.data(), meshT.data()]);
      const confidence = flag[0];
      if (!(confidence >= this.minConfidence)) return null;
      const points = new Float32Array(NUM_FACE_LANDMARKS * 3);
      const zScale = roi.size / S;
      for (let i = 0; i < NUM_MESH_POINTS; i++) {
        const [x, y] = cropToImage(roi, S, raw[3 * i], raw[3 * i + 1]);
        points[3 * i] = x;
        points[3 * i + 1] = y;
        points[3 * i + 2] = raw[3 * i + 2] * zScale;
      }
      for (let i = 0; i < points.length; i++) if (!Number.isFinite(points[i])) return null;
      return { points, confidence };
    } finally {
      tf.dispose(out);
    }
  }
}

/**
 * The detector's outputs as one [anchors × (1 + 16)] array. Exports differ: one [1, 896, 17] tensor, or scores and
 * boxes apart per anchor layer ([1, 512, 1], [1, 512, 16], [1, 384, 1], [1, 384, 16]); layers with more anchors
 * (the finer grid) come first, as in the anchor list.
 */
async function joinDetectorOutputs(list: tf.Tensor[]): Promise<Float32Array> {
  if (list.length === 1) return (await list[0].data()) as Float32Array;
  const datas = (await Promise.all(list.map((t) => t.data()))) as Float32Array[];
  const parts = list.map((t, i) => ({
    rows: t.shape[t.shape.length - 2] ?? 1,
    cols: t.shape[t.shape.length - 1],
    data: datas[i],
  }));
  const layers = [...new Set(parts.map((p) => p.rows))].sort((a, b) => b - a);
  const width = parts.filter((p) => p.rows === layers[0]).reduce((s, p) => s + p.cols, 0);
  const total = layers.reduce((s, r) => s + r, 0);
  const out = new Float32Array(total * width);
  let row0 = 0;
  for (const rows of layers) {
    const group = parts.filter((p) => p.rows === rows).sort((a, b) => a.cols - b.cols); // scores (1) before boxes (16)
    let col0 = 0;
    for (const g of group) {
      for (let r = 0; r < rows; r++)
        for (let c = 0; c < g.cols; c++) out[(row0 + r) * width + col0 + c] = g.data[r * g.cols + c];
      col0 += g.cols;
    }
    row0 += rows;
  }
  return out;
}

function overlaps(a: Roi, b: Roi): boolean {
  const box = (r: Roi) => ({
    x0: r.cx - r.size / 2,
    y0: r.cy - r.size / 2,
    x1: r.cx + r.size / 2,
    y1: r.cy + r.size / 2,
  });
  return iou(box(a), box(b)) > 0.5;
}
