import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { expressionUnitIndex } from '../../plugin/units/expression-units.js';
import {
  parseLabelSet,
  scoreRealFrames,
  categoryValues,
  type LabelSet,
} from '../../training/lib/eval/real-frame-eval.js';
import { fitCategoryGains } from '../../training/lib/eval/unit-gain.js';
import { NUM_EXPRESSION_UNITS } from '../../plugin/constants.js';

const set: LabelSet = {
  categories: { smile: ['mouthSmile_L', 'mouthSmile_R'], jawOpen: ['jawOpen'] },
  clips: { 'a.mp4': { fps: 25, split: 'tune' }, 'b.mp4': { fps: 25, split: 'report' } },
  frames: [
    { clip: 'a.mp4', frame: 0, time: 0, neutral: false, labels: { smile: 1, jawOpen: 0 } },
    { clip: 'b.mp4', frame: 0, time: 0, neutral: false, labels: { smile: 0.8, jawOpen: 0.5 } },
    { clip: 'b.mp4', frame: 5, time: 0.2, neutral: true, labels: { smile: 0, jawOpen: 0 } },
    { clip: 'b.mp4', frame: 9, time: 0.36, neutral: false, labels: { smile: 0, jawOpen: 0.2 } },
  ],
};

function units(values: Record<string, number>): Float32Array {
  const u = new Float32Array(NUM_EXPRESSION_UNITS);
  for (const [k, v] of Object.entries(values)) u[expressionUnitIndex(k)] = v;
  return u;
}

describe('real-frame scoring', () => {
  it('averages a category over its units', () => {
    const v = categoryValues(set, units({ mouthSmile_L: 0.2, mouthSmile_R: 0.6, jawOpen: 0.3 }));
    assert.deepEqual(Object.keys(v), ['smile', 'jawOpen']);
    assert.ok(Math.abs(v.smile - 0.4) < 1e-6 && Math.abs(v.jawOpen - 0.3) < 1e-6, JSON.stringify(v));
  });

  it('scores one split: all-frame MAE, active-frame MAE, neutral activation, and counts a missed face as zeros', () => {
    const predictions: Record<string, Float32Array | null> = {
      'b.mp4#0': units({ mouthSmile_L: 0.6, mouthSmile_R: 0.6, jawOpen: 0.5 }),
      'b.mp4#5': units({ browDown_L: 0.1, jawOpen: 0.05 }),
      'b.mp4#9': null,
    };
    const r = scoreRealFrames(set, 'report', (f) => predictions[`${f.clip}#${f.frame}`]);
    assert.equal(r.frames, 3);
    assert.equal(r.missing, 1);
    // smile: |0.6-0.8| + 0 + 0 over 3; jawOpen: 0 + 0.05 + 0.2 over 3.
    assert.ok(Math.abs(r.categoryMae.smile - 0.2 / 3) < 1e-6);
    assert.ok(Math.abs(r.categoryMae.jawOpen - 0.25 / 3) < 1e-6);
    assert.ok(Math.abs(r.categoryAverage - 0.45 / 6) < 1e-6);
    // Active frames (label ≥ 0.3): smile on frame 0 only, jawOpen on frame 0 only.
    assert.equal(r.activeMae.smile.frames, 1);
    assert.ok(Math.abs(r.activeMae.smile.mae - 0.2) < 1e-6);
    assert.equal(r.activeMae.jawOpen.mae, 0);
    assert.equal(r.neutral.frames, 1);
    assert.ok(Math.abs(r.neutral.meanActivation - 0.15 / NUM_EXPRESSION_UNITS) < 1e-7);
    assert.ok(Math.abs(r.neutral.maxActivation - 0.1) < 1e-6);
    assert.ok(r.correlation.smile > 0.9);
    // The top of the range: smile is labelled 0.8 on frame 0 (≥ 0.7) and read 0.6 there; jaw is never strong.
    assert.equal(r.strong.smile.frames, 1);
    assert.ok(Math.abs(r.strong.smile.meanLabel - 0.8) < 1e-6 && Math.abs(r.strong.smile.meanReading - 0.6) < 1e-6);
    assert.equal(r.strong.jawOpen.frames, 0);
    // At rest, the unit with the highest mean is browDown_L (0.1 on the one neutral frame).
    assert.equal(r.neutral.maxMeanUnit, 'browDown_L');
    assert.ok(Math.abs(r.neutral.maxUnitMean - 0.1) < 1e-6);
    // Largest readings: over every frame with a face, and on frames that show the unit's category.
    assert.ok(Math.abs(r.unitMax[expressionUnitIndex('jawOpen')] - 0.5) < 1e-6);
    assert.ok(Math.abs(r.unitMaxShown[expressionUnitIndex('mouthSmile_R')]! - 0.6) < 1e-6);
    assert.ok(Math.abs(r.unitMax[expressionUnitIndex('browDown_L')] - 0.1) < 1e-6);
    assert.equal(r.unitMaxShown[expressionUnitIndex('browDown_L')], null, 'in no category of this set');
  });

  it('the shipped label file parses, and a reader of nothing scores what the labels weigh', () => {
    const labels = parseLabelSet(JSON.parse(fs.readFileSync('test/data/real-frame-labels.json', 'utf8')));
    const zero = scoreRealFrames(labels, 'report', () => new Float32Array(NUM_EXPRESSION_UNITS));
    assert.ok(zero.categoryAverage > 0.05 && zero.categoryAverage < 0.12, `${zero.categoryAverage}`);
    assert.ok(zero.activeAverage > 0.4, `${zero.activeAverage}`);
    assert.throws(() => parseLabelSet({ categories: {}, clips: {}, frames: [{ clip: 'x', frame: 0 }] }), /not listed/);
  });
});

describe('category gains fitted on the tune half', () => {
  it('scales a category read too weakly, leaves one read right, and never looks at the report half', async () => {
    const tuneSet: LabelSet = {
      categories: { smile: ['mouthSmile_L', 'mouthSmile_R'], jawOpen: ['jawOpen'] },
      clips: { 't.mp4': { fps: 25, split: 'tune' }, 'r.mp4': { fps: 25, split: 'report' } },
      frames: [
        { clip: 't.mp4', frame: 0, time: 0, neutral: false, labels: { smile: 0.8, jawOpen: 0.6 } },
        { clip: 't.mp4', frame: 1, time: 0.04, neutral: true, labels: { smile: 0, jawOpen: 0 } },
        { clip: 'r.mp4', frame: 0, time: 0, neutral: false, labels: { smile: 0, jawOpen: 1 } },
      ],
    };
    const seen = new Set<string>();
    // The "network" reads smile at 0.4 (half the label) and jawOpen right, scaled by the gain under test.
    const fit = await fitCategoryGains(tuneSet, async (gain) => (f) => {
      seen.add(f.clip);
      const shown = f.frame === 0 ? 1 : 0;
      return units({
        mouthSmile_L: Math.min(1, gain * 0.4 * shown),
        mouthSmile_R: Math.min(1, gain * 0.4 * shown),
        jawOpen: Math.min(1, gain * 0.6 * shown),
      });
    });
    assert.equal(fit.categories.smile.gain, 2);
    assert.equal(fit.categories.jawOpen.gain, 1);
    assert.ok(fit.categories.smile.objective < fit.categories.smile.objectiveAtOne);
    assert.equal(fit.unitGain[expressionUnitIndex('mouthSmile_R')], 2);
    assert.equal(fit.unitGain[expressionUnitIndex('browDown_L')], 1);
    assert.deepEqual([...seen], ['t.mp4']);
  });
});
