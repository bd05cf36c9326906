/**
 * The iris model's part of the tracker: from 64 px crops around each eye, the 71 eye-contour points that replace
 * the face mesh's lid and eye-socket points, and the 5 iris points (centre, rim) that complete MediaPipe's 478.
 * A refinement is kept in the eye crop's own frame so that it can be carried to a later frame (refineIris
 * 'alternate' runs one eye per frame). Model and graph: MediaPipe's iris landmark network via @vladmandic/human.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GraphModel } from '@tensorflow/tfjs-converter';
import { cropToImage, fromRoiFrame, roiFromEyeCorners, toRoiFrame } from './face-geometry.js';
import { execute } from './model-io.js';
import type { TrackerFrame } from './tracker-frame.js';

/** Side of the iris model's eye crop, in pixels. */
export const IRIS_CROP = 64;

/** Eye corners (outer, inner) of the eye whose iris is 468 (subject's right) and of the one whose iris is 473. */
const EYE_A = [33, 133] as const;
const EYE_B = [362, 263] as const;

/**
 * Face-mesh indices of the iris model's 71 eye-contour outputs, for the eye around 33..133 (its crop is not
 * mirrored) and the eye around 263..362 (mirrored, so its outer corner is on the crop's left as well).
 * From MediaPipe's iris graph via human's facemeshcoords.ts (irisIndices × meshAnnotations).
 */
const IRIS_CONTOUR_EYE_A = new Int32Array(71);
const IRIS_CONTOUR_EYE_B = new Int32Array(71);
{
  const groups: [number[], number[], number[]][] = [
    // iris-model indices, mesh indices of eye A, of eye B
    [
      [9, 10, 11, 12, 13, 14, 15],
      [246, 161, 160, 159, 158, 157, 173],
      [466, 388, 387, 386, 385, 384, 398],
    ],
    [
      [25, 26, 27, 28, 29, 30, 31],
      [247, 30, 29, 27, 28, 56, 190],
      [467, 260, 259, 257, 258, 286, 414],
    ],
    [
      [41, 42, 43, 44, 45, 46, 47],
      [113, 225, 224, 223, 222, 221, 189],
      [342, 445, 444, 443, 442, 441, 413],
    ],
    [
      [0, 1, 2, 3, 4, 5, 6, 7, 8],
      [33, 7, 163, 144, 145, 153, 154, 155, 133],
      [263, 249, 390, 373, 374, 380, 381, 382, 362],
    ],
    [
      [16, 17, 18, 19, 20, 21, 22, 23, 24],
      [130, 25, 110, 24, 23, 22, 26, 112, 243],
      [359, 255, 339, 254, 253, 252, 256, 341, 463],
    ],
    [
      [32, 33, 34, 35, 36, 37, 38, 39, 40],
      [226, 31, 228, 229, 230, 231, 232, 233, 244],
      [446, 261, 448, 449, 450, 451, 452, 453, 464],
    ],
    [
      [54, 55, 56, 57, 58, 59, 60, 61, 62],
      [143, 111, 117, 118, 119, 120, 121, 128, 245],
      [372, 340, 346, 347, 348, 349, 350, 357, 465],
    ],
    // The brow rows are left to the face mesh: the iris model's brows sit measurably worse on real faces.
    [
      [63, 64, 65, 66, 67, 68, 69, 70],
      [156, 70, 63, 105, 66, 107, 55, 193],
      [383, 300, 293, 334, 296, 336, 285, 417],
    ],
    [
      [48, 49, 50, 51, 52, 53],
      [35, 124, 46, 53, 52, 65],
      [265, 353, 276, 283, 282, 295],
    ],
  ];
  IRIS_CONTOUR_EYE_A.fill(-1);
  IRIS_CONTOUR_EYE_B.fill(-1);
  for (const [iris, a, b] of groups.slice(0, 7))
    iris.forEach((k, j) => {
      IRIS_CONTOUR_EYE_A[k] = a[j];
      IRIS_CONTOUR_EYE_B[k] = b[j];
    });
}

/** The two eyes: corners, whether the iris model sees the eye mirrored, its contour map and first iris point. */
export const EYES = [
  { corners: EYE_A, flip: false, contour: IRIS_CONTOUR_EYE_A, first: 468 },
  { corners: EYE_B, flip: true, contour: IRIS_CONTOUR_EYE_B, first: 473 },
] as const;

/**
 * What the iris model added to one eye, in the eye crop's own frame (rotated with the eye, in units of the crop
 * side) so that it can be carried to a later frame: per contour row, the offset from the face mesh's point; per
 * iris point (centre, then rim), the position from the crop centre.
 */
export interface EyeRefinement {
  contour: Float32Array /* 71 × 2 */;
  iris: Float32Array /* 5 × 2 */;
}

/**
 * Iris model on the eyes listed (0: around 33..133, 1: around 263..362, mirrored as the model expects), measured
 * against the face mesh's current points. Entry e is null for an eye not run, or whose output is not finite.
 */
export async function irisRefinements(
  iris: GraphModel,
  frame: TrackerFrame,
  points: Float32Array,
  run: readonly number[],
): Promise<(EyeRefinement | null)[]> {
  const eyes = run.map((e) => ({
    e,
    ...EYES[e],
    roi: roiFromEyeCorners(points, EYES[e].corners[0], EYES[e].corners[1]),
  }));
  const list = execute(iris, await frame.crops(eyes, IRIS_CROP, 1 / 255, 0));
  const outT = list.find((t) => t.size === eyes.length * 76 * 3) ?? list.reduce((a, b) => (a.size > b.size ? a : b));
  let data: Float32Array;
  try {
    data = (await outT.data()) as Float32Array;
  } finally {
    tf.dispose(list);
  }
  const per = data.length / eyes.length;
  const refinements: (EyeRefinement | null)[] = [null, null];
  eyes.forEach((eye, i) => {
    const o = i * per;
    const xy = (k: number) => cropToImage(eye.roi, IRIS_CROP, data[o + 3 * k], data[o + 3 * k + 1], eye.flip);
    const contour = new Float32Array(71 * 2);
    for (let k = 0; k < 71; k++) {
      const m = eye.contour[k];
      if (m < 0) continue;
      const [x, y] = xy(k);
      [contour[2 * k], contour[2 * k + 1]] = toRoiFrame(eye.roi, x - points[3 * m], y - points[3 * m + 1]);
    }
    // Model order: centre, then rim towards crop +x, −y, −x, +y; in a mirrored crop +x is image left.
    const order = eye.flip ? [71, 74, 73, 72, 75] : [71, 72, 73, 74, 75];
    const iris = new Float32Array(5 * 2);
    order.forEach((k, j) => {
      const [x, y] = xy(k);
      [iris[2 * j], iris[2 * j + 1]] = toRoiFrame(eye.roi, x - eye.roi.cx, y - eye.roi.cy);
    });
    if (contour.every(Number.isFinite) && iris.every(Number.isFinite)) refinements[eye.e] = { contour, iris };
  });
  return refinements;
}

/**
 * Writes an iris refinement over eye `e` of the face mesh: the mapped contour rows (x, y; z kept from the mesh)
 * and the 5 iris points (centre, rim towards image right, top, left, bottom), in the eye crop of the current points.
 */
export function applyIrisRefinement(points: Float32Array, e: number, r: EyeRefinement): void {
  const { corners, contour, first } = EYES[e];
  const roi = roiFromEyeCorners(points, corners[0], corners[1]);
  // Iris depth: the model's own z is unreliable; use the lid centres' mean depth, as MediaPipe's graph does.
  const z = (points[3 * contour[12] + 2] + points[3 * contour[4] + 2]) / 2;
  for (let k = 0; k < 71; k++) {
    const m = contour[k];
    if (m < 0) continue;
    const [dx, dy] = fromRoiFrame(roi, r.contour[2 * k], r.contour[2 * k + 1]);
    points[3 * m] += dx;
    points[3 * m + 1] += dy;
  }
  for (let j = 0; j < 5; j++) {
    const [dx, dy] = fromRoiFrame(roi, r.iris[2 * j], r.iris[2 * j + 1]);
    const p = first + j;
    points[3 * p] = roi.cx + dx;
    points[3 * p + 1] = roi.cy + dy;
    points[3 * p + 2] = z;
  }
}

/** Iris points of eye `e` without the iris model: centre of its lid contour, rim at 0.2 × its corner distance. */
export function irisFromMesh(points: Float32Array, e: number): void {
  const { contour, corners, first } = EYES[e];
  let cx = 0,
    cy = 0,
    cz = 0;
  for (let k = 0; k < 16; k++) {
    // iris-model rows 0-15: the lower and upper lid margins
    const m = contour[k];
    cx += points[3 * m] / 16;
    cy += points[3 * m + 1] / 16;
    cz += points[3 * m + 2] / 16;
  }
  const [a, b] = corners;
  const dx = points[3 * b] - points[3 * a],
    dy = points[3 * b + 1] - points[3 * a + 1];
  const r = 0.2 * Math.hypot(dx, dy);
  const angle = Math.atan2(dy, dx);
  const c = Math.cos(angle),
    s = Math.sin(angle);
  // centre, then image right, top, left, bottom (rotated with the eye)
  [
    [0, 0],
    [r, 0],
    [0, -r],
    [-r, 0],
    [0, r],
  ].forEach(([u, v], j) => {
    const p = first + j;
    points[3 * p] = cx + c * u - s * v;
    points[3 * p + 1] = cy + s * u + c * v;
    points[3 * p + 2] = cz;
  });
}
