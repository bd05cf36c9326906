import * as tf from '@tensorflow/tfjs-core';
import { CpemError } from '../../plugin/errors/cpem-error.js';
import { landmarkFeaturesBatch, NUM_LANDMARKS } from '../../plugin/estimator/landmark-features.js';
import { seededRandom, type SeededRandom } from '../../plugin/util/seeded-random.js';
import type { BatchSource } from '../trainer/cpem-trainer.js';
import type { FaceBatch } from './synthetic-batch.js';

/** The tracked frames of one clip: one person. Each entry holds 478 × 2 landmark values (x, y in image pixels). */
export interface TrackedClip {
  name: string;
  frames: Float32Array[];
}

/**
 * Real batches for CPEM's self-supervision: each of the P persons is one clip, and its T frames are drawn from
 * that clip, spread over its length so that the identity-consistent term sees different expressions and poses
 * of one face. No ground truth: only the landmark loss, L_idc, L_exp and the regularisers apply.
 */
export class RealTrackSource implements BatchSource {
  private random: SeededRandom;

  constructor(readonly clips: TrackedClip[], seed = 1) {
    const usable = clips.filter((c) => c.frames.length > 0);
    if (usable.length === 0) throw new CpemError('INVALID_ARGUMENT', 'Real training data has no tracked frames: track videos with npm run track first.');
    for (const clip of usable) {
      for (const f of clip.frames) {
        if (f.length !== NUM_LANDMARKS * 2) throw new CpemError('INVALID_ARGUMENT', `Clip ${clip.name}: a frame has ${f.length} values, expected ${NUM_LANDMARKS * 2}.`);
      }
    }
    this.clips = usable;
    this.random = seededRandom(seed);
  }

  /** Restarts the draws from `seed` (the run's batch source does this per batch, for exact resumes). */
  reseed(seed: number): void {
    this.random = seededRandom(seed);
  }

  describe(): string {
    return `${this.clips.length} clips, ${this.clips.reduce((s, c) => s + c.frames.length, 0)} frames`;
  }

  next(persons: number, frames: number): FaceBatch {
    const n = persons * frames;
    const points = new Float32Array(n * NUM_LANDMARKS * 2);
    for (let p = 0; p < persons; p++) {
      const clip = this.clips[this.random.int(this.clips.length)];
      const count = clip.frames.length;
      // T frames from T equal stretches of the clip (with replacement when the clip is shorter than T).
      for (let t = 0; t < frames; t++) {
        const lo = Math.floor((t * count) / frames);
        const hi = Math.max(lo + 1, Math.floor(((t + 1) * count) / frames));
        points.set(clip.frames[Math.min(count - 1, lo + this.random.int(hi - lo))], (p * frames + t) * NUM_LANDMARKS * 2);
      }
    }
    return tf.tidy(() => {
      const image = tf.tensor3d(points, [n, NUM_LANDMARKS, 2]);
      const { features } = landmarkFeaturesBatch(image);
      // The same face-box coordinates as points, for the landmark loss.
      const landmarks = tf.reshape(features, [n, NUM_LANDMARKS, 2]) as tf.Tensor3D;
      return { persons, frames, features, landmarks } as unknown as tf.TensorContainerObject;
    }) as unknown as FaceBatch;
  }
}
