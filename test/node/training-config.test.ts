import { faceMeshLandmarkWeights } from '../../plugin/estimator/landmark-features.js';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_TRAINING_CONFIG,
  lossWeightsAt,
  resolveTrainingConfig,
} from '../../training/lib/trainer/training-config.js';
import { CpemError } from '../../plugin/errors/cpem-error.js';

describe('training config', () => {
  it('defaults follow the paper: λ_idc 1000, λ_exp 10 from the last third, Adam 1e-4, T = 4', () => {
    const c = resolveTrainingConfig();
    assert.equal(c.lossWeights.identityConsistency, 1000);
    assert.equal(c.lossWeights.expressionExclusive, 10);
    assert.equal(c.learningRate, 1e-4);
    assert.equal(c.framesPerPerson, 4);
    assert.deepEqual(c, DEFAULT_TRAINING_CONFIG);
  });

  it('switches the expression-exclusive term on for the last third only', () => {
    const c = resolveTrainingConfig({ steps: 300 });
    assert.equal(lossWeightsAt(c, 0).expressionExclusive, 0);
    assert.equal(lossWeightsAt(c, 199).expressionExclusive, 0);
    assert.equal(lossWeightsAt(c, 200).expressionExclusive, 10);
    assert.equal(lossWeightsAt(c, 299).identityConsistency, 1000);
  });

  it('merges partial settings and reports every bad field at once', () => {
    const c = resolveTrainingConfig({ steps: 10, lossWeights: { identityConsistency: 0 } });
    assert.equal(c.lossWeights.identityConsistency, 0);
    assert.equal(c.lossWeights.landmark, 0.1);
    assert.throws(
      () =>
        resolveTrainingConfig({
          steps: 0,
          learningRate: 2,
          lossWeights: { landmark: -1, bogus: 1 } as never,
          hidden: [],
        }),
      (e: unknown) =>
        e instanceof CpemError &&
        ['steps', 'learningRate', 'lossWeights.landmark', 'unknown loss weight bogus', 'hidden'].every((w) =>
          e.message.includes(w),
        ),
    );
  });

  it('weighs eyelid, brow and lip points apart when asked, on top of contour 1 / inner 10', () => {
    const c = resolveTrainingConfig({ landmarkRegionWeights: { eyelids: 3 } });
    assert.deepEqual(c.landmarkRegionWeights, { eyelids: 3, brows: 1, lips: 1 });
    const w = faceMeshLandmarkWeights(1, 10, c.landmarkRegionWeights);
    assert.equal(w[159], 30); // upper lid of the right eye
    assert.equal(w[13], 10); // inner upper lip, unchanged
    assert.equal(w[10], 1); // forehead, on the face oval
    assert.equal(w[1], 10); // nose tip
    assert.throws(
      () => resolveTrainingConfig({ landmarkRegionWeights: { eyelids: -1, ears: 2 } as never }),
      (e: unknown) =>
        e instanceof CpemError &&
        e.message.includes('landmarkRegionWeights.eyelids') &&
        e.message.includes('unknown landmark region ears'),
    );
  });
});
