import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { quantile, quantileSorted, summarize } from '../../training/lib/eval/quantile.js';

describe('quantile', () => {
  it('interpolates linearly between ranks, in any order, and gives NaN for none', () => {
    assert.equal(quantile([3, 1, 2, 4], 0.5), 2.5);
    assert.equal(quantile([10, 0], 0.25), 2.5);
    assert.equal(quantile([7], 0.9), 7);
    assert.equal(quantile([5, 1, 3], 0), 1);
    assert.equal(quantile([5, 1, 3], 1), 5);
    assert.ok(Number.isNaN(quantile([], 0.5)));
    assert.equal(quantileSorted(Float32Array.from([1, 2, 3, 4, 5]), 0.75), 4);
  });

  it('summarizes samples: mean, p50, p95 and count', () => {
    const samples = Array.from({ length: 21 }, (_, i) => 20 - i);
    assert.deepEqual(summarize(samples), { mean: 10, p50: 10, p95: 19, n: 21 });
    const none = summarize([]);
    assert.equal(none.n, 0);
    assert.ok(Number.isNaN(none.p50));
  });
});
