import { CpemError, isCpemError } from '../errors/cpem-error.js';
import { autoMap } from '../retarget/auto-map.js';
import { collectMorphTargetNames, collectNodeNames, findHeadNodeName, type Character } from '../retarget/character.js';
import type { RetargetTable } from '../retarget/retarget-table.js';

/** The table a bake applies and what the character lets it carry. */
export interface BakeTable {
  readonly table: RetargetTable;
  readonly morphTargets: boolean;
  /** The head node driven, or null. */
  readonly head: string | null;
}

/**
 * The given table, or autoMap's; a character without morph targets gets a table that drives its head alone (autoMap
 * refuses such a character). Throws NO_MORPH_TARGETS when the character has neither morph targets nor a head node.
 */
export function bakeTable(character: Character, given?: RetargetTable): BakeTable {
  const hasTargets = collectMorphTargetNames(character).length > 0;
  let table: RetargetTable;
  if (given) {
    table = given;
  } else {
    try {
      table = autoMap(character).table;
    } catch (e) {
      if (!isCpemError(e, 'NO_MORPH_TARGETS')) throw e;
      const head = findHeadNodeName(character);
      table = head ? { version: 1, targets: [], head: { node: head } } : { version: 1, targets: [] };
    }
  }
  const head = table.head && collectNodeNames(character).includes(table.head.node) ? table.head.node : null;
  if (!hasTargets && !head) {
    throw new CpemError(
      'NO_MORPH_TARGETS',
      `"${character.name}" has neither morph targets nor a head node (Head, *:Head, *_Head): a clip would carry nothing. ` +
        'Export the character with its blend shapes, or name its head bone.',
    );
  }
  const { head: _unused, ...withoutHead } = table;
  return {
    table: head || !table.head ? table : withoutHead,
    morphTargets: hasTargets && table.targets.length > 0,
    head,
  };
}
