import { CONTRADICTORY_GROUPS, EXPRESSION_UNITS, MIRRORED_UNIT_INDEX } from '../../../plugin/units/expression-units.js';
import type { SeededRandom } from '../../../plugin/util/seeded-random.js';
import { NUM_EXPRESSION_UNITS } from '../../../plugin/constants.js';

/** How synthetic expressions are drawn. */
export interface ExpressionSamplerOptions {
  /** Probability that a sample is the neutral face (all zero). Default 0.15. */
  neutralProbability?: number;
  /** Mean number of units switched on in a non-neutral sample (Poisson-like, at least 1). Default 2.5. */
  meanActiveUnits?: number;
  /** Probability that a sided unit's mirror switches on with it, at a similar intensity. Default 0.7. */
  symmetricProbability?: number;
}

const SIDED = EXPRESSION_UNITS.map((_, i) => MIRRORED_UNIT_INDEX[i] !== i);
// jawLeft/jawRight and mouthLeft/mouthRight are mirrors but also contradictory: never co-activated.
const CONTRADICTS = EXPRESSION_UNITS.map((_, i) => {
  const others = new Set<number>();
  for (const [a, b] of CONTRADICTORY_GROUPS) {
    if (a.includes(i)) b.forEach((j) => others.add(j));
    if (b.includes(i)) a.forEach((j) => others.add(j));
  }
  return others;
});

/**
 * Draws one sparse expression β (46 units in [0, 1]) that respects the contradictory groups: no unit is
 * active together with a unit it contradicts. Intensities are spread over (0, 1], weighted towards strong
 * expressions so that extremes are learnt, and sided units often come with their mirror (both eyes blink).
 */
export function sampleExpression(random: SeededRandom, options: ExpressionSamplerOptions = {}): Float32Array {
  const { neutralProbability = 0.15, meanActiveUnits = 2.5, symmetricProbability = 0.7 } = options;
  const beta = new Float32Array(NUM_EXPRESSION_UNITS);
  if (random.next() < neutralProbability) return beta;
  // Number of seed units: 1 + Poisson(mean - 1) by inversion.
  let count = 1;
  for (let p = Math.exp(-(meanActiveUnits - 1)), u = random.next(), cdf = p, k = 0; u > cdf && k < 10; ) {
    k++;
    p *= (meanActiveUnits - 1) / k;
    cdf += p;
    count = 1 + k;
  }
  const blocked = new Uint8Array(NUM_EXPRESSION_UNITS);
  const activate = (i: number, value: number) => {
    if (blocked[i] || beta[i] > 0) return;
    beta[i] = value;
    for (const j of CONTRADICTS[i]) blocked[j] = 1;
  };
  for (let n = 0; n < count; n++) {
    const i = random.int(NUM_EXPRESSION_UNITS);
    const value = Math.min(1, 0.15 + 0.85 * Math.sqrt(random.next()));
    activate(i, value);
    if (SIDED[i] && beta[i] > 0 && random.next() < symmetricProbability) {
      activate(MIRRORED_UNIT_INDEX[i], Math.min(1, Math.max(0.05, value + 0.1 * random.normal())));
    }
  }
  return beta;
}
