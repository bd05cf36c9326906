// The evaluation's oracle corrections (training/lib/eval/oracle-correction.ts): per-category shift and line fitted on
// the frames scored, and the category errors they share with the real-frame scoring.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isCpemError } from '../../plugin/errors/cpem-error.js';
import { oracleCorrections } from '../../training/lib/eval/oracle-correction.js';
import { categoryErrors } from '../../training/lib/eval/real-frame-eval.js';

const names = ['smile', 'jawOpen'];
const smiles = [0, 0.2, 0.4, 0.6, 0.8, 0];
const jaws = [0.5, 0, 0, 0.3, 0, 0.9];

describe('oracle corrections', () => {
  it('a reading that is a line of the labels is corrected to them by the line, not by a shift', () => {
    // smile read at half strength plus 0.1; jaw read exactly.
    const rows = smiles.map((s, i) => ({
      labels: { smile: s, jawOpen: jaws[i] },
      values: { smile: 0.1 + 0.5 * s, jawOpen: jaws[i] },
    }));
    const r = oracleCorrections(names, rows);
    assert.deepEqual(r.none, categoryErrors(names, rows));
    assert.ok(r.none.categoryMae.smile > 0.1, `${r.none.categoryMae.smile}`);
    assert.ok(
      r.affine.categoryMae.smile < 1e-6 && r.affine.activeMae.smile.mae < 1e-6,
      JSON.stringify(r.affine.activeMae),
    );
    // Residuals 0.5·label − 0.1: no shift brings every frame back (the median one, +0.05, leaves 0.133 on average).
    assert.ok(
      r.offset.categoryMae.smile > 0.1 && r.offset.categoryMae.smile <= r.none.categoryMae.smile + 1e-9,
      `${r.offset.categoryMae.smile}`,
    );
    assert.ok(
      r.offset.categoryMae.jawOpen < 1e-9 && r.affine.categoryMae.jawOpen < 1e-9,
      'a category read right stays right',
    );
    assert.equal(r.none.activeMae.smile.frames, 3, 'frames that show smile: labels 0.4, 0.6, 0.8');
  });

  it('a constant shift is undone by the shift, clamped to [0, 1]', () => {
    const rows = smiles.map((s, i) => ({
      labels: { smile: s, jawOpen: jaws[i] },
      values: { smile: s + 0.3, jawOpen: Math.max(0, jaws[i] - 0.2) },
    }));
    const r = oracleCorrections(names, rows);
    assert.ok(r.offset.categoryMae.smile < 1e-6, `${r.offset.categoryMae.smile}`);
    // jaw read 0.2 low but clamped at 0 where the label is 0: the median residual is 0 (four of six frames)...
    assert.ok(Math.abs(r.offset.categoryMae.jawOpen - r.none.categoryMae.jawOpen) < 1e-9);
    // ...and the line through the readings recovers part of it.
    assert.ok(
      r.affine.categoryMae.jawOpen < 0.8 * r.none.categoryMae.jawOpen,
      `${r.affine.categoryMae.jawOpen} vs ${r.none.categoryMae.jawOpen}`,
    );
    for (const row of [r.offset, r.affine]) assert.ok(Object.values(row.categoryMae).every(Number.isFinite));
  });

  it("a reading that never varies gets a constant: the labels' mean", () => {
    const rows = smiles.map((s) => ({ labels: { smile: s }, values: { smile: 0.5 } }));
    const r = oracleCorrections(['smile'], rows);
    const mean = smiles.reduce((a, b) => a + b, 0) / smiles.length;
    const expected = smiles.reduce((a, s) => a + Math.abs(s - mean), 0) / smiles.length;
    assert.ok(Math.abs(r.affine.categoryMae.smile - expected) < 1e-9, `${r.affine.categoryMae.smile} vs ${expected}`);
  });

  it('says so when there is nothing to fit', () => {
    assert.throws(
      () => oracleCorrections(names, []),
      (e: unknown) => isCpemError(e) && e.code === 'INVALID_ARGUMENT' && /at least one labelled frame/.test(e.message),
    );
  });
});
