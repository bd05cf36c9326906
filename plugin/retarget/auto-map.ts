import { CpemError } from '../errors/cpem-error.js';
import { collectMorphTargetNames, findHeadNodeName, type Character } from './character.js';
import { arkitRetargetTable } from './presets/arkit.js';
import { cpemUnitsRetargetTable } from './presets/cpem-units.js';
import { oculusVisemeRetargetTable } from './presets/oculus-visemes.js';
import { vrmRetargetTable } from './presets/vrm.js';
import type { RetargetTable, RetargetTargetRow } from './retarget-table.js';

/**
 * Normalises a morph target name for matching: drops a `blendShape1.`-style prefix, spells sides as
 * `left`/`right` (`_L`, `.L`, `-R`, `Left`, `_right` alike), lower-cases and drops separators.
 * `eyeBlink_L`, `EyeBlinkLeft` and `blendShape1.eyeBlinkLeft` all become `eyeblinkleft`.
 */
export function normalizeTargetName(name: string): string {
  let n = name.includes('.') && !/\.[LR]$/i.test(name) ? name.slice(name.lastIndexOf('.') + 1) : name;
  n = n
    .replace(/[_.\- ]L$/i, 'left')
    .replace(/[_.\- ]R$/i, 'right')
    .replace(/([a-z])L$/, '$1left')
    .replace(/([a-z])R$/, '$1right');
  return n.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** The presets autoMap tries, in priority order (earlier wins a tie). */
export function defaultAutoMapPresets(): RetargetTable[] {
  return [cpemUnitsRetargetTable(), arkitRetargetTable('apple'), vrmRetargetTable(), oculusVisemeRetargetTable()];
}

/** What autoMap made of a character. */
export interface AutoMapResult {
  /** The table: one row per character target that matched the chosen preset, under the character's own name. */
  table: RetargetTable;
  /** Name of the preset the table came from (the one that matched most targets). */
  preset: string;
  /** Character target → the preset row it matched. */
  mapped: Array<{ target: string; presetTarget: string }>;
  /** Character targets the chosen preset does not cover: left alone. */
  unmapped: string[];
  /** Preset rows the character has no target for. */
  missing: string[];
  /** Mapped targets that no unit drives (held at 0), e.g. ARKit tongueOut. */
  unsourced: string[];
  /** Matched-row count per preset tried, to see how close the choice was. */
  scores: Record<string, number>;
  /** The node the table's `head` drives (see findHeadNodeName), or null when none was found or names were given. */
  head: string | null;
}

/**
 * Builds a retarget table for a character from its morph target names, by normalised name matching against
 * the presets (CPEM unit names, ARKit, VRM 1.0, Oculus visemes), and drives its head node when it has one
 * named like `Head` (see findHeadNodeName). The preset matching the most targets is used
 * whole; presets are not mixed, because the same name can mean different shapes in two of them (CPEM's
 * mouthPress is a lip-corner pull, ARKit's a lip press) and visemes would double the mouth.
 *
 * Throws CpemError `NO_MORPH_TARGETS` when the character has no morph targets, and `RETARGET_TABLE_INVALID`
 * when none of its targets matches any preset (write a table by hand then).
 */
export function autoMap(
  character: Character | readonly string[],
  presets: readonly RetargetTable[] = defaultAutoMapPresets(),
): AutoMapResult {
  const names = isNameList(character) ? [...new Set(character)] : collectMorphTargetNames(character);
  if (names.length === 0) {
    const what = isNameList(character)
      ? 'The list of morph target names is empty'
      : `"${character.name}" has no mesh with morph targets under it`;
    throw new CpemError(
      'NO_MORPH_TARGETS',
      `${what}: there is nothing to retarget onto. Pass the character's root node (for glTF, the __root__ node or the head mesh).`,
    );
  }
  let best: {
    preset: RetargetTable;
    rows: RetargetTargetRow[];
    mapped: AutoMapResult['mapped'];
    matched: Set<string>;
  } | null = null;
  const scores: Record<string, number> = {};
  for (const preset of presets) {
    const byNorm = new Map(preset.targets.map((row) => [normalizeTargetName(row.target), row]));
    const rows: RetargetTargetRow[] = [];
    const mapped: AutoMapResult['mapped'] = [];
    const matched = new Set<string>();
    for (const name of names) {
      const row = byNorm.get(normalizeTargetName(name));
      if (!row) continue;
      rows.push({ ...row, target: name, units: { ...row.units } });
      mapped.push({ target: name, presetTarget: row.target });
      matched.add(row.target);
    }
    const label = preset.name ?? `preset ${presets.indexOf(preset)}`;
    scores[label] = matched.size;
    if (matched.size > 0 && (!best || matched.size > best.matched.size)) best = { preset, rows, mapped, matched };
  }
  if (!best) {
    throw new CpemError(
      'RETARGET_TABLE_INVALID',
      `None of the character's ${names.length} morph targets (${names.slice(0, 8).join(', ')}${names.length > 8 ? ', ...' : ''}) ` +
        'matches a preset (CPEM unit names, ARKit, VRM 1.0, Oculus visemes). Write a retarget table for it (docs/retargeting.md).',
    );
  }
  const mappedNames = new Set(best.mapped.map((m) => m.target));
  const head = isNameList(character) ? null : findHeadNodeName(character);
  const table: RetargetTable = { version: 1, name: `auto:${best.preset.name ?? 'preset'}`, targets: best.rows };
  // Default axes and signs: right for glTF rigs whose head bone follows glTF's axes (x left, y up, z forward),
  // as Ready Player Me's does (a browser spec checks all three angles on it).
  if (head) table.head = { node: head };
  return {
    table,
    head,
    preset: best.preset.name ?? 'preset',
    mapped: best.mapped,
    unmapped: names.filter((n) => !mappedNames.has(n)),
    missing: best.preset.targets.map((r) => r.target).filter((t) => !best.matched.has(t)),
    unsourced: best.rows.filter((r) => Object.keys(r.units).length === 0).map((r) => r.target),
    scores,
  };
}

function isNameList(c: Character | readonly string[]): c is readonly string[] {
  return Array.isArray(c);
}
