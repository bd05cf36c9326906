import type { FaceModelTensors } from '../../../plugin/face-model/face-model-tensors.js';
import { seededRandom } from '../../../plugin/util/seeded-random.js';
import type { BatchSource } from '../trainer/cpem-trainer.js';
import { SyntheticFaceSource, type FaceBatch, type SyntheticOptions } from './synthetic-batch.js';

/**
 * The batches of a training run. Batch k depends only on (seed, k), so a resumed run continues exactly: set
 * {@link RunBatchSource.position} to the checkpoint's step. With real tracks, a fraction of the batches are
 * real (P clips × T frames, self-supervised), the others synthetic (with ground truth).
 */
export class RunBatchSource implements BatchSource {
  /** Index of the next batch. */
  position = 0;

  constructor(
    private readonly model: FaceModelTensors,
    private readonly seed: number,
    private readonly synthetic: SyntheticOptions = {},
    private readonly real: { source: BatchSource & { reseed(seed: number): void }; fraction: number } | null = null,
  ) {}

  next(persons: number, frames: number): FaceBatch {
    const k = this.position++;
    const batchSeed = (Math.imul(this.seed + 1, 0x9e3779b1) ^ Math.imul(k + 1, 0x85ebca6b)) >>> 0;
    const useReal = this.real !== null && this.real.fraction > 0 && seededRandom(batchSeed).next() < this.real.fraction;
    if (useReal) {
      this.real!.source.reseed(batchSeed);
      return this.real!.source.next(persons, frames);
    }
    return new SyntheticFaceSource(this.model, batchSeed, this.synthetic).next(persons, frames);
  }
}
