import { expressionUnitIndex } from '../../../plugin/units/expression-units.js';
import { scoreRealFrames, type LabelSet, type LabelledFrame } from './real-frame-eval.js';
import { NUM_EXPRESSION_UNITS } from '../../../plugin/constants.js';

/**
 * Gains tried for each category. None is below 1: β = min(1, gain · σ(z)) with a gain under 1 would cap a unit
 * below 1, and a character could never show that expression fully.
 */
export const GAIN_GRID = [1, 1.25, 1.5, 2, 2.5, 3, 4] as const;

export interface GainFit {
  /** Chosen gain per category and the tune-half objective it reached (and the objective at gain 1). */
  categories: Record<string, { gain: number; objective: number; objectiveAtOne: number }>;
  /** Gain per unit (1 for units in no category). */
  unitGain: Float32Array;
}

/**
 * Per-category output gains fitted on the `tune` half of the labelled frames only. `predictAt(gain)` gives the
 * runtime's units for a labelled frame with every unit's gain set to `gain` (units are independent, so one pass
 * per grid value scores every category). The objective per category is the mean of its all-frame error and its
 * error where shown: the first alone rewards reading nothing, the second alone rewards reading everything.
 */
export async function fitCategoryGains(
  set: LabelSet,
  predictAt: (gain: number) => Promise<(frame: LabelledFrame) => Float32Array | null>,
): Promise<GainFit> {
  const scores = new Map<number, ReturnType<typeof scoreRealFrames>>();
  for (const g of GAIN_GRID) scores.set(g, scoreRealFrames(set, 'tune', await predictAt(g)));
  const categories: GainFit['categories'] = {};
  const unitGain = new Float32Array(NUM_EXPRESSION_UNITS).fill(1);
  for (const name of Object.keys(set.categories)) {
    const objective = (g: number) => {
      const r = scores.get(g)!;
      const active = r.activeMae[name];
      return active.frames > 0 ? (r.categoryMae[name] + active.mae) / 2 : r.categoryMae[name];
    };
    const best = GAIN_GRID.reduce((a, b) => (objective(b) < objective(a) ? b : a), 1 as number);
    categories[name] = { gain: best, objective: objective(best), objectiveAtOne: objective(1) };
    for (const unit of set.categories[name]) unitGain[expressionUnitIndex(unit)] = best;
  }
  return { categories, unitGain };
}
