import { EXPRESSION_UNITS } from '../../units/expression-units.js';
import type { RetargetTable } from '../retarget-table.js';

/** The identity preset: one morph target per unit, named after it (`eyeClose_L`), as on a face-model double. */
export function cpemUnitsRetargetTable(): RetargetTable {
  return { version: 1, name: 'cpem-units', targets: EXPRESSION_UNITS.map((u) => ({ target: u, units: { [u]: 1 } })) };
}
