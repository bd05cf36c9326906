import * as tf from '@tensorflow/tfjs-core';
import { CpemError } from '../../../plugin/errors/cpem-error.js';
import { landmarkFeaturesBatch } from '../../../plugin/estimator/landmark-features.js';
import { FACE_MESH_MIRROR } from '../../../plugin/landmarks/face-mesh-mirror.js';
import { MIRRORED_UNIT_INDEX } from '../../../plugin/units/expression-units.js';
import { seededRandom, type SeededRandom } from '../../../plugin/util/seeded-random.js';
import type { BatchSource } from '../trainer/cpem-trainer.js';
import type { FaceBatch } from './synthetic-batch.js';
import { NUM_EXPRESSION_UNITS, NUM_FACE_LANDMARKS } from '../../../plugin/constants.js';

/** Values per tracked frame: 478 landmarks × (x, y, z) in image pixels, as the tracker gives them. */
export const TRACKED_FRAME_VALUES = NUM_FACE_LANDMARKS * 3;

/**
 * Targets of a clip's frames, aligned with `TrackedClip.frames` (entry k belongs to frame k). Each value array
 * comes with a mask of the same size: 1 where the value is a target, 0 where there is none.
 */
export interface TrackedClipTargets {
  /** 46 unit values per frame (e.g. a teacher's scores mapped onto the units). */
  units?: { values: Float32Array[]; masks: Float32Array[] };
  /** One value per category per frame (e.g. labels by eye); categories are named in the source's `categories`. */
  categories?: { values: Float32Array[]; masks: Float32Array[] };
}

/** The tracked frames of one clip: one person. */
export interface TrackedClip {
  name: string;
  /** Per frame, 478 × 3 values: x, y in image pixels, z the tracker's depth in pixels. */
  frames: Float32Array[];
  targets?: TrackedClipTargets;
}

export interface RealTrackSourceOptions {
  /**
   * Category name → the units whose mean is the category's value (as in test/data/real-frame-labels.json).
   * Needed when clips carry category targets.
   */
  categories?: Record<string, readonly number[]>;
  /**
   * Share of drawn frames taken among a clip's frames with category targets (when it has any), so that the
   * sparse labels are seen often. Default 0.25.
   */
  labelledShare?: number;
  /**
   * Draw each person's frames mirrored with probability ½ (all T frames of a person alike): x negated and every
   * landmark moved to its mirror index, unit targets and masks moved to the mirror unit. Category targets (means of
   * both sides) stay. Default false.
   */
  mirror?: boolean;
}

/** A tracked frame's mirror image (x → −x; the features are invariant to where the face is in the image). */
export function mirrorTrackedFrame(frame: Float32Array, out: Float32Array, offset: number): void {
  for (let i = 0; i < NUM_FACE_LANDMARKS; i++) {
    const j = FACE_MESH_MIRROR[i];
    out[offset + j * 3] = -frame[i * 3];
    out[offset + j * 3 + 1] = frame[i * 3 + 1];
    out[offset + j * 3 + 2] = frame[i * 3 + 2];
  }
}

/** 46 unit values with each unit moved to its mirror unit. */
function mirrorUnits(values: Float32Array, out: Float32Array, offset: number): void {
  for (let u = 0; u < NUM_EXPRESSION_UNITS; u++) out[offset + MIRRORED_UNIT_INDEX[u]] = values[u];
}

/**
 * Real batches: each of the P persons is one clip, and its T frames are drawn from that clip, spread over its
 * length so that the identity-consistent term sees different expressions and poses of one face. Batches carry the
 * clips' targets where they have them (a teacher's unit values, categories labelled by eye), and are otherwise
 * self-supervised (landmark loss, L_idc, L_exp, regularisers).
 */
export class RealTrackSource implements BatchSource {
  readonly clips: TrackedClip[];
  private random: SeededRandom;
  private readonly categoryNames: string[];
  private readonly categoryUnits: Float32Array;
  private readonly labelled: number[][];
  private readonly labelledShare: number;
  private readonly mirror: boolean;

  constructor(clips: TrackedClip[], seed = 1, options: RealTrackSourceOptions = {}) {
    const usable = clips.filter((c) => c.frames.length > 0);
    if (usable.length === 0)
      throw new CpemError(
        'INVALID_ARGUMENT',
        'Real training data has no tracked frames: track videos with npm run track first.',
      );
    this.categoryNames = Object.keys(options.categories ?? {});
    const C = this.categoryNames.length;
    for (const clip of usable) {
      for (const f of clip.frames) {
        if (f.length !== TRACKED_FRAME_VALUES)
          throw new CpemError(
            'INVALID_ARGUMENT',
            `Clip ${clip.name}: a frame has ${f.length} values, expected ${TRACKED_FRAME_VALUES} (478 landmarks × x, y, z).`,
          );
      }
      const check = (what: string, t: { values: Float32Array[]; masks: Float32Array[] } | undefined, width: number) => {
        if (!t) return;
        if (
          t.values.length !== clip.frames.length ||
          t.masks.length !== clip.frames.length ||
          t.values.some((v, k) => v.length !== width || t.masks[k].length !== width)
        ) {
          throw new CpemError(
            'INVALID_ARGUMENT',
            `Clip ${clip.name}: ${what} targets need ${width} values and mask entries for each of its ${clip.frames.length} frames.`,
          );
        }
      };
      check('unit', clip.targets?.units, NUM_EXPRESSION_UNITS);
      if (clip.targets?.categories && C === 0)
        throw new CpemError(
          'INVALID_ARGUMENT',
          `Clip ${clip.name} has category targets, but the source was given no categories.`,
        );
      check('category', clip.targets?.categories, C);
    }
    this.clips = usable;
    this.random = seededRandom(seed);
    this.categoryUnits = new Float32Array(NUM_EXPRESSION_UNITS * Math.max(C, 1));
    this.categoryNames.forEach((name, c) => {
      const units = options.categories![name];
      if (units.length === 0 || units.some((u) => !(Number.isInteger(u) && u >= 0 && u < NUM_EXPRESSION_UNITS))) {
        throw new CpemError(
          'INVALID_ARGUMENT',
          `Category ${name} must name unit indices in [0, ${NUM_EXPRESSION_UNITS}).`,
        );
      }
      for (const u of units) this.categoryUnits[u * C + c] = 1 / units.length;
    });
    this.labelled = usable.map((clip) => {
      const masks = clip.targets?.categories?.masks;
      return masks ? masks.flatMap((m, k) => (m.some((v) => v > 0) ? [k] : [])) : [];
    });
    this.labelledShare = options.labelledShare ?? 0.25;
    this.mirror = options.mirror ?? false;
    if (!(this.labelledShare >= 0 && this.labelledShare <= 1))
      throw new CpemError('INVALID_ARGUMENT', `labelledShare must be in [0, 1]; got ${this.labelledShare}.`);
  }

  /** Restarts the draws from `seed` (the run's batch source does this per batch, for exact resumes). */
  reseed(seed: number): void {
    this.random = seededRandom(seed);
  }

  describe(): string {
    const frames = this.clips.reduce((s, c) => s + c.frames.length, 0);
    const withUnits = this.clips.filter((c) => c.targets?.units).length;
    const labelled = this.labelled.reduce((s, l) => s + l.length, 0);
    return `${this.clips.length} clips, ${frames} frames${withUnits ? `, unit targets on ${withUnits} clips` : ''}${labelled ? `, ${labelled} frames with category targets` : ''}`;
  }

  next(persons: number, frames: number): FaceBatch {
    const n = persons * frames;
    const C = this.categoryNames.length;
    const points = new Float32Array(n * TRACKED_FRAME_VALUES);
    const anyUnits = this.clips.some((c) => c.targets?.units);
    const units = new Float32Array(n * NUM_EXPRESSION_UNITS);
    const unitMask = new Float32Array(n * NUM_EXPRESSION_UNITS);
    const categories = new Float32Array(n * Math.max(C, 1));
    const categoryMask = new Float32Array(n * Math.max(C, 1));
    for (let p = 0; p < persons; p++) {
      const c = this.random.int(this.clips.length);
      const clip = this.clips[c];
      const count = clip.frames.length;
      const labelled = this.labelled[c];
      const mirrored = this.mirror && this.random.next() < 0.5;
      for (let t = 0; t < frames; t++) {
        // A labelled frame (at the asked share), or one from T equal stretches of the clip (with replacement when
        // the clip is shorter than T).
        let k: number;
        if (labelled.length > 0 && this.random.next() < this.labelledShare) {
          k = labelled[this.random.int(labelled.length)];
        } else {
          const lo = Math.floor((t * count) / frames);
          const hi = Math.max(lo + 1, Math.floor(((t + 1) * count) / frames));
          k = Math.min(count - 1, lo + this.random.int(hi - lo));
        }
        const row = p * frames + t;
        if (mirrored) mirrorTrackedFrame(clip.frames[k], points, row * TRACKED_FRAME_VALUES);
        else points.set(clip.frames[k], row * TRACKED_FRAME_VALUES);
        const u = clip.targets?.units;
        if (u && mirrored) {
          mirrorUnits(u.values[k], units, row * NUM_EXPRESSION_UNITS);
          mirrorUnits(u.masks[k], unitMask, row * NUM_EXPRESSION_UNITS);
        } else if (u) {
          units.set(u.values[k], row * NUM_EXPRESSION_UNITS);
          unitMask.set(u.masks[k], row * NUM_EXPRESSION_UNITS);
        }
        const cat = clip.targets?.categories;
        if (cat) {
          categories.set(cat.values[k], row * C);
          categoryMask.set(cat.masks[k], row * C);
        }
      }
    }
    const hasTargets = anyUnits || (C > 0 && categoryMask.some((v) => v > 0));
    return tf.tidy(() => {
      const points3d = tf.tensor3d(points, [n, NUM_FACE_LANDMARKS, 3]);
      const { features } = landmarkFeaturesBatch(tf.slice(points3d, [0, 0, 0], [-1, -1, 2]) as tf.Tensor3D);
      // The same face-box coordinates as points, for the landmark loss.
      const landmarks = tf.reshape(features, [n, NUM_FACE_LANDMARKS, 2]) as tf.Tensor3D;
      const width = Math.max(C, 1);
      const targets = hasTargets
        ? {
            units: tf.tensor2d(units, [n, NUM_EXPRESSION_UNITS]),
            unitMask: tf.tensor2d(unitMask, [n, NUM_EXPRESSION_UNITS]),
            categories: tf.tensor2d(categories, [n, width]),
            categoryMask: tf.tensor2d(categoryMask, [n, width]),
            categoryUnits: tf.tensor2d(this.categoryUnits, [NUM_EXPRESSION_UNITS, width]),
          }
        : undefined;
      return {
        persons,
        frames,
        features,
        landmarks,
        points3d,
        ...(targets ? { targets } : {}),
      } as unknown as tf.TensorContainerObject;
    }) as unknown as FaceBatch;
  }
}
