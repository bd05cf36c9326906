// What a person's captured prompts are worth for training: per prompt, whether it had a face and whether it moved
// away from the person's neutral face at all, and per frame how far into the expression it is, measured from the
// person's own landmark motion (the ramp into and out of an expression is found there, not assumed). Pure
// computation over landmarks: the sandbox page and the Node command line share it.
import { CpemError } from '../../../plugin/errors/cpem-error.js';
import { alignLandmarks } from '../../../plugin/estimator/face-alignment.js';
import { quantile } from '../eval/quantile.js';
import { promptLabel, regionPoints, type MotionRegion, type PromptSpec } from './prompts.js';
import { NUM_FACE_LANDMARKS } from '../../../plugin/constants.js';

/** One captured frame: the tracker's 478 landmarks (x, y, z in image pixels), or null where no face was found. */
export interface CapturedFrame {
  /** Seconds from the start of the capture (or of the clip). */
  time: number;
  landmarks: Float32Array | null;
  /** The video's frame index, where known (clips). */
  index?: number;
}

/** The frames captured while one prompt was shown, in time order. */
export interface PromptCapture {
  spec: PromptSpec;
  frames: CapturedFrame[];
}

/** What a frame is, relative to its prompt's expression. */
export type FrameRole =
  /** Held at (near) its full extent: trained towards the prompt's values. */
  | 'plateau'
  /** Part of the way in or out: trained towards a share of the values, at a lower weight. */
  | 'ramp'
  /** Still at (or back at) the neutral face: no expression target. */
  | 'rest'
  /** A neutral-prompt frame far from the person's neutral (a blink, a word): left out. */
  | 'outlier'
  /** No face. */
  | 'no-face';

export interface FrameAnalysis {
  role: FrameRole;
  /** 0 at the neutral face's level of motion, 1 at the prompt's plateau (clamped). NaN without a face. */
  level: number;
  /** Motion of the prompt's regions away from the neutral face: RMS over their points, in reference units (mm). */
  motion: number;
  /** Kept out of training, for the before/after scores. */
  heldOut: boolean;
}

export type PromptStatus = 'ok' | 'no-face' | 'no-change';

export interface PromptAnalysis {
  spec: PromptSpec;
  label: string;
  status: PromptStatus;
  /** Why a prompt is not used, and what to do (null when it is). */
  message: string | null;
  frames: FrameAnalysis[];
  /** Frames captured, and those with a face. */
  captured: number;
  withFace: number;
  /** The prompt's typical held motion (80th percentile) and the neutral face's own jitter in the same regions (mm). */
  plateauMotion: number;
  restMotion: number;
}

export interface CaptureAnalysis {
  prompts: PromptAnalysis[];
  /** Where the neutral face came from: the neutral prompt, or (without a usable one) the calmest captured frames. */
  reference: 'neutral' | 'calmest';
  /** Per landmark the neutral face, aligned (478 × 3, reference units). */
  neutral: Float32Array;
}

/** Where the alignment of landmarks onto a reference face comes from (e.g. the face model's neutral face). */
export interface AlignmentReference {
  points: readonly number[];
  /** x, y, z per point, y up, z towards the viewer. */
  reference: ArrayLike<number>;
}

export interface AnalysisOptions {
  alignment: AlignmentReference;
  /**
   * Which frames are kept out of training for the before/after scores: the last third of each prompt's frames
   * ('last-third', the default), every capture of a prompt after its first ('second-pass'), or none ('none').
   */
  holdout?: 'last-third' | 'second-pass' | 'none';
  /** Fewest frames with a face a prompt needs (default 4, or all of a shorter one), and the least share of its frames (default 0.5). */
  minFaceFrames?: number;
  minFaceShare?: number;
}

/** Level from which a frame counts as holding the expression. */
export const PLATEAU_LEVEL = 0.7;
/** Level below which a frame counts as still at rest. */
export const REST_LEVEL = 0.3;
/**
 * A prompt "moved" when its plateau motion exceeds the neutral face's jitter in the same regions by this factor
 * and by MIN_CHANGE_MM: a tracker's landmarks jitter well below it on a still face, and the smallest prompted
 * movements (the gaze, a wink) move their points well beyond it.
 */
export const CHANGE_FACTOR = 2;
export const MIN_CHANGE_MM = 0.6;
/** Share of captured frames taken as the neutral face when there is no usable neutral prompt. */
export const CALM_SHARE = 0.25;

/** Per coordinate, the median over `frames` (aligned, 478 × 3 each). */
function medianFace(frames: Float32Array[]): Float32Array {
  const out = new Float32Array(NUM_FACE_LANDMARKS * 3);
  const column = new Array<number>(frames.length);
  for (let k = 0; k < out.length; k++) {
    for (let f = 0; f < frames.length; f++) column[f] = frames[f][k];
    out[k] = quantile(column, 0.5);
  }
  return out;
}

/** RMS distance of `points` between an aligned frame and the neutral face. */
function regionMotion(aligned: Float32Array, neutral: Float32Array, points: readonly number[]): number {
  let sum = 0;
  for (const p of points) {
    const dx = aligned[p * 3] - neutral[p * 3],
      dy = aligned[p * 3 + 1] - neutral[p * 3 + 1],
      dz = aligned[p * 3 + 2] - neutral[p * 3 + 2];
    sum += dx * dx + dy * dy + dz * dz;
  }
  return Math.sqrt(sum / points.length);
}

const isNeutral = (spec: PromptSpec) => spec.prompts.length === 1 && spec.prompts[0] === 'neutral';

/**
 * Analyses captured prompts. Each frame's landmarks are aligned onto `options.alignment` (head pose and distance
 * removed); the neutral face is the per-coordinate median of the neutral prompt's frames (or, without a usable
 * neutral prompt, of the calmest quarter of all frames). For each prompt, the motion of its regions away from
 * that face gives every frame a level between the neutral face's own jitter (0) and the prompt's plateau (1):
 * frames from PLATEAU_LEVEL on hold the expression, those below REST_LEVEL are still at rest, those between are
 * the ramp. A prompt whose plateau does not clear the neutral jitter (CHANGE_FACTOR, MIN_CHANGE_MM) is marked
 * 'no-change', one with too few faces 'no-face'; neither is trained on.
 */
export function analyseCapture(captures: readonly PromptCapture[], options: AnalysisOptions): CaptureAnalysis {
  if (captures.length === 0)
    throw new CpemError(
      'INVALID_ARGUMENT',
      'Nothing was captured: run the guided capture (or give a prompt file with spans) first.',
    );
  const minFaceFrames = options.minFaceFrames ?? 4;
  const minFaceShare = options.minFaceShare ?? 0.5;
  const holdout = options.holdout ?? 'last-third';
  const { points, reference } = options.alignment;
  const scratch = new Float32Array(NUM_FACE_LANDMARKS * 3);
  const aligned: Array<Array<Float32Array | null>> = captures.map((c) =>
    c.frames.map((f) => {
      if (!f.landmarks) return null;
      if (f.landmarks.length !== NUM_FACE_LANDMARKS * 3) {
        throw new CpemError(
          'INVALID_ARGUMENT',
          `A captured frame of ${promptLabel(c.spec)} has ${f.landmarks.length} landmark values; the tracker gives ${NUM_FACE_LANDMARKS} × 3.`,
        );
      }
      alignLandmarks(f.landmarks, 3, points, reference, scratch);
      return Float32Array.from(scratch);
    }),
  );
  const faceCounts = aligned.map((frames) => frames.filter((f) => f !== null).length);
  // Enough faces: minFaceFrames (or every frame of a shorter span) and at least minFaceShare of the frames.
  const hasFaces = (i: number) => {
    const n = captures[i].frames.length;
    return n > 0 && faceCounts[i] >= Math.min(minFaceFrames, n) && faceCounts[i] >= minFaceShare * n;
  };

  // The neutral face: the neutral prompts' frames, or the calmest frames of everything captured.
  const neutralIdx = captures.map((c, i) => (isNeutral(c.spec) && hasFaces(i) ? i : -1)).filter((i) => i >= 0);
  const all = aligned.flatMap((frames, i) => (hasFaces(i) ? frames.filter((f): f is Float32Array => f !== null) : []));
  if (all.length === 0) {
    const frames = captures.reduce((s, c) => s + c.frames.length, 0);
    throw new CpemError(
      'NO_FACE',
      `No face was found in the capture (${faceCounts.reduce((a, b) => a + b, 0)} of ${frames} frames): face the camera in good light and capture again.`,
    );
  }
  const expressive = regionPoints(['leftEye', 'rightEye', 'brows', 'lips', 'nose', 'cheeks']);
  let neutral: Float32Array;
  let restFrames: Float32Array[];
  let referenceKind: CaptureAnalysis['reference'];
  if (neutralIdx.length > 0) {
    restFrames = neutralIdx.flatMap((i) => aligned[i].filter((f): f is Float32Array => f !== null));
    neutral = medianFace(restFrames);
    referenceKind = 'neutral';
  } else {
    const centre = medianFace(all);
    const ranked = all.map((f) => ({ f, d: regionMotion(f, centre, expressive) })).sort((a, b) => a.d - b.d);
    restFrames = ranked.slice(0, Math.max(1, Math.ceil(CALM_SHARE * ranked.length))).map((r) => r.f);
    neutral = medianFace(restFrames);
    referenceKind = 'calmest';
  }
  // The neutral face's own jitter in a set of regions: the 90th percentile of its frames' motion.
  const restCache = new Map<string, number>();
  const restMotionOf = (regions: readonly MotionRegion[]) => {
    const key = regions.join();
    if (!restCache.has(key))
      restCache.set(
        key,
        quantile(
          restFrames.map((f) => regionMotion(f, neutral, regionPoints(regions))),
          0.9,
        ),
      );
    return restCache.get(key)!;
  };

  const seen = new Set<string>();
  const prompts = captures.map((capture, i): PromptAnalysis => {
    const spec = capture.spec;
    const label = promptLabel(spec);
    const key = spec.prompts.join('+');
    const secondPass = seen.has(key);
    seen.add(key);
    const pts = regionPoints(spec.regions);
    const rest = restMotionOf(spec.regions);
    const motions = aligned[i].map((f) => (f ? regionMotion(f, neutral, pts) : NaN));
    const withFace = faceCounts[i];
    const faceFrames = aligned[i].map((f, k) => (f ? k : -1)).filter((k) => k >= 0);
    // Held out: the last third of the frames with a face, or the whole capture on a second pass.
    const firstHeldOut =
      holdout === 'last-third' ? (faceFrames[Math.ceil((faceFrames.length * 2) / 3)] ?? Infinity) : Infinity;
    const heldOut = (k: number) => (holdout === 'second-pass' && secondPass) || k >= firstHeldOut;
    const base = { spec, label, captured: capture.frames.length, withFace, restMotion: rest };
    if (!hasFaces(i)) {
      return {
        ...base,
        status: 'no-face',
        plateauMotion: NaN,
        message: `No face in ${withFace} of ${capture.frames.length} frames of "${label}": keep your whole face in the picture, facing the camera in good light, and retake it.`,
        frames: motions.map((m, k) => ({ role: 'no-face' as const, level: NaN, motion: m, heldOut: heldOut(k) })),
      };
    }
    const faceMotions = motions.filter((m) => Number.isFinite(m));
    if (isNeutral(spec)) {
      // Frames far from the neutral face (a blink, a word) are left out.
      const limit = Math.max(CHANGE_FACTOR * rest, rest + MIN_CHANGE_MM);
      return {
        ...base,
        status: 'ok',
        message: null,
        plateauMotion: quantile(faceMotions, 0.8),
        frames: motions.map((m, k) =>
          Number.isFinite(m)
            ? {
                role: m > limit ? ('outlier' as const) : ('plateau' as const),
                level: 1,
                motion: m,
                heldOut: heldOut(k),
              }
            : { role: 'no-face' as const, level: NaN, motion: m, heldOut: heldOut(k) },
        ),
      };
    }
    const plateau = quantile(faceMotions, 0.8);
    if (!(plateau > Math.max(CHANGE_FACTOR * rest, rest + MIN_CHANGE_MM))) {
      return {
        ...base,
        status: 'no-change',
        plateauMotion: plateau,
        message: `"${label}" looks like your neutral face (its landmarks moved ${plateau.toFixed(2)} mm, against ${rest.toFixed(2)} mm of jitter at rest): make the expression more clearly and retake it.`,
        frames: motions.map((m, k) => ({
          role: Number.isFinite(m) ? ('rest' as const) : ('no-face' as const),
          level: Number.isFinite(m) ? 0 : NaN,
          motion: m,
          heldOut: heldOut(k),
        })),
      };
    }
    return {
      ...base,
      status: 'ok',
      message: null,
      plateauMotion: plateau,
      frames: motions.map((m, k) => {
        if (!Number.isFinite(m)) return { role: 'no-face' as const, level: NaN, motion: m, heldOut: heldOut(k) };
        const level = Math.min(1, Math.max(0, (m - rest) / (plateau - rest)));
        const role =
          level >= PLATEAU_LEVEL ? ('plateau' as const) : level >= REST_LEVEL ? ('ramp' as const) : ('rest' as const);
        return { role, level, motion: m, heldOut: heldOut(k) };
      }),
    };
  });
  return { prompts, reference: referenceKind, neutral };
}
