import type { MorphTarget } from '@babylonjs/core/Morph/morphTarget';
import type { MorphTargetManager } from '@babylonjs/core/Morph/morphTargetManager';
import type { AbstractMesh } from '@babylonjs/core/Meshes/abstractMesh';
import { CpemError } from '../errors/cpem-error.js';
import type { FaceMotion } from '../motion/face-motion.js';
import { EXPRESSION_UNITS } from '../units/expression-units.js';
import { collectMorphTargetNames, collectNodeNames, findMorphTargetManagers, type Character } from './character.js';
import { HeadRotationDriver } from './head-rotation.js';
import type { RetargetTable } from './retarget-table.js';
import {
  UNIT_NAN,
  UNIT_OUT_OF_RANGE,
  compileRetargetTable,
  evaluateRetargetTable,
  sanitizeUnits,
  type CompiledRetargetTable,
} from './shaping.js';
import { assertValidRetargetTable } from './validate.js';
import { NUM_EXPRESSION_UNITS } from '../constants.js';

/** Something wrong with the input at run time; each kind is reported once per applier. */
export interface RetargetWarning {
  code: 'UNIT_NAN' | 'UNIT_OUT_OF_RANGE' | 'ROTATION_NAN' | 'TARGETS_CHANGED' | 'TARGET_LOST';
  message: string;
}

export interface RetargetApplierOptions {
  /** Accept rows naming targets the character lacks (they are skipped). Default false: such a table is an error. */
  allowMissingTargets?: boolean;
  /** Receives each kind of run-time problem once. Default: console.warn. */
  onWarning?: (warning: RetargetWarning) => void;
  /**
   * Influence written instead of exactly 0 to driven targets on managers that store targets in a texture.
   * Babylon treats a target crossing 0 as a change of the active set (re-checks the materials of every mesh
   * using the manager and reallocates its influence array); holding driven targets at a tiny positive value
   * keeps the set constant. The shader then morphs them at that weight, which is invisible at 1e-5. Set 0 to
   * write exact zeros. Ignored in vertex-attribute mode, where only 8 targets can be active. Default 1e-5.
   */
  restInfluence?: number;
}

interface ManagerBinding {
  readonly mesh: AbstractMesh;
  readonly manager: MorphTargetManager;
  readonly numTargets: number;
  readonly previousMaxInfluencers: number;
}

/**
 * Applies a retarget table to a character: every MorphTargetManager under `character` (glTF gives one per
 * primitive) and, when the table has `head`, a bone or TransformNode. The table is compiled once into flat
 * arrays and bound to MorphTarget references, so `apply()` does no string lookups and allocates nothing.
 * Targets the table does not name are never touched.
 *
 * Call `apply(motion)` once per frame (e.g. from `scene.onBeforeRenderObservable`); each bound target is written
 * once. `numMaxInfluencers` is set on each driven manager so that the number of active targets never changes
 * the material's shader.
 */
export class RetargetApplier {
  readonly table: RetargetTable;
  private readonly compiled: CompiledRetargetTable;
  private readonly rowByName: Map<string, number>;
  private readonly values: Float32Array;
  private readonly units = new Float32Array(NUM_EXPRESSION_UNITS);
  private readonly firstBad = new Int32Array(2);
  private readonly warned = new Set<RetargetWarning['code']>();
  private readonly onWarning: (w: RetargetWarning) => void;
  private readonly restInfluence: number;
  private readonly head: HeadRotationDriver | null;
  private readonly original = new Map<MorphTarget, number>();
  private managers: ManagerBinding[] = [];
  private slotTarget: MorphTarget[] = [];
  private slotRow = new Int32Array(0);
  private slotRest = new Float32Array(0);
  private disposed = false;

  /**
   * Validates `table` against the character and binds it. Throws CpemError `RETARGET_TABLE_INVALID` listing every
   * problem (unknown units, bad numbers, targets or head node the character lacks), or `NO_MORPH_TARGETS` when the
   * table drives morph targets and the character has none.
   */
  constructor(
    readonly character: Character,
    table: RetargetTable | unknown,
    options: RetargetApplierOptions = {},
  ) {
    this.onWarning = options.onWarning ?? ((w) => console.warn(`babylon-cpem retarget: ${w.message}`));
    this.restInfluence = options.restInfluence ?? 1e-5;
    const targetNames = collectMorphTargetNames(character);
    const rows = (table as Partial<RetargetTable> | null)?.targets;
    if (targetNames.length === 0 && Array.isArray(rows) && rows.length > 0) {
      throw new CpemError(
        'NO_MORPH_TARGETS',
        `"${character.name}" has no mesh with morph targets under it, so the table's ${rows.length} rows ` +
          'have nothing to drive. Pass the root of a character exported with its blend shapes (for glTF, the __root__ node).',
      );
    }
    const hasHead = (table as Partial<RetargetTable> | null)?.head !== undefined;
    this.table = assertValidRetargetTable(
      table,
      { targetNames, nodeNames: hasHead ? collectNodeNames(character) : undefined },
      options.allowMissingTargets ? ['missing-target'] : [],
    );
    this.compiled = compileRetargetTable(this.table);
    this.rowByName = new Map(this.compiled.targetNames.map((n, r) => [n, r]));
    this.values = new Float32Array(this.compiled.targetNames.length);
    this.head = this.table.head ? new HeadRotationDriver(character, this.table.head, this.table.mirror === true) : null;
    this.bind();
  }

  /** Number of MorphTarget objects driven (a target name found on four primitives counts four times). */
  get boundTargetCount(): number {
    return this.slotTarget.length;
  }

  /** The managers driven, with their meshes. */
  get boundManagers(): ReadonlyArray<{ mesh: AbstractMesh; manager: MorphTargetManager }> {
    return this.managers;
  }

  /** What drives the head (null when the table has no `head`): recorders read the rotation it would write. */
  get headDriver(): HeadRotationDriver | null {
    return this.head;
  }

  /** The table's target names, in row order (the order of `lastValues`). */
  get rowNames(): readonly string[] {
    return this.compiled.targetNames;
  }

  /** The influence each table row got on the last apply(), in row order. Read-only view. */
  get lastValues(): Float32Array {
    return this.values;
  }

  /**
   * Writes one frame. Units are clamped to [0, 1] (NaN counts as 0) and head angles that are not finite count as
   * 0; each kind of bad value is reported once through `onWarning`. If targets were added to or removed from a
   * driven manager since the last frame, the table is bound again first.
   */
  apply(motion: FaceMotion): void {
    if (this.disposed)
      throw new CpemError('INVALID_ARGUMENT', 'RetargetApplier.apply() after dispose(); create a new applier.');
    if (this.isStale()) this.rebind();
    const flags = sanitizeUnits(motion.units, this.units, this.firstBad);
    if (flags !== 0) this.reportUnits(flags, motion.units);
    evaluateRetargetTable(this.compiled, this.units, this.values);
    const { slotTarget, slotRow, slotRest, values } = this;
    for (let s = 0; s < slotTarget.length; s++) {
      const v = values[slotRow[s]];
      slotTarget[s].influence = v === 0 ? slotRest[s] : v;
    }
    if (this.head && !this.head.apply(motion.rotation)) {
      this.warnOnce(
        'ROTATION_NAN',
        `FaceMotion.rotation has a non-finite angle (${Array.from(motion.rotation).join(', ')}); it was treated as 0.`,
      );
    }
  }

  /**
   * The influence `apply()` would write to each row's targets for these units (clamped to [0, 1], NaN as 0), in
   * row order, into `out` (length `rowNames.length`), without touching the character or reporting warnings.
   */
  evaluate(units: ArrayLike<number>, out: Float32Array): Float32Array {
    const clean = new Float32Array(NUM_EXPRESSION_UNITS);
    sanitizeUnits(units, clean, new Int32Array(2));
    evaluateRetargetTable(this.compiled, clean, out);
    return out;
  }

  /** Binds the table again, e.g. after targets or meshes were added to the character. */
  rebind(): void {
    this.bind();
  }

  /** Puts every driven target back to its influence before this applier, the head to its rest, and releases them. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const [target, influence] of this.original) target.influence = influence;
    for (const m of this.managers) if (!m.mesh.isDisposed()) m.manager.numMaxInfluencers = m.previousMaxInfluencers;
    this.head?.restore();
    this.original.clear();
    this.managers = [];
    this.slotTarget = [];
  }

  private bind(): void {
    const managers: ManagerBinding[] = [];
    const targets: MorphTarget[] = [];
    const rows: number[] = [];
    const rest: number[] = [];
    const found = new Set<string>();
    for (const { mesh, manager } of findMorphTargetManagers(this.character)) {
      let driven = 0;
      const textureMode = manager.isUsingTextureForTargets;
      for (let i = 0; i < manager.numTargets; i++) {
        const target = manager.getTarget(i);
        const row = this.rowByName.get(target.name);
        if (row === undefined) continue;
        found.add(target.name);
        targets.push(target);
        rows.push(row);
        rest.push(textureMode ? this.restInfluence : 0);
        if (!this.original.has(target)) this.original.set(target, target.influence);
        driven++;
      }
      if (driven === 0) continue;
      const known = this.managers.find((m) => m.manager === manager);
      const previousMaxInfluencers = known ? known.previousMaxInfluencers : manager.numMaxInfluencers;
      // In texture mode every target may be active at once; a fixed count keeps one shader for all frames.
      if (textureMode && manager.numMaxInfluencers < manager.numTargets) manager.numMaxInfluencers = manager.numTargets;
      managers.push({ mesh, manager, numTargets: manager.numTargets, previousMaxInfluencers });
    }
    if (this.slotTarget.length > 0) {
      const lost = this.compiled.targetNames.filter((n) => this.slotTarget.some((t) => t.name === n) && !found.has(n));
      if (lost.length > 0) {
        this.warnOnce(
          'TARGET_LOST',
          `morph target${lost.length > 1 ? 's' : ''} ${lost.join(', ')} no longer exist${lost.length > 1 ? '' : 's'} on the character; ` +
            'their rows are skipped until they come back (call rebind() after adding them).',
        );
      }
    }
    this.managers = managers;
    this.slotTarget = targets;
    this.slotRow = Int32Array.from(rows);
    this.slotRest = Float32Array.from(rest);
  }

  private isStale(): boolean {
    for (const m of this.managers) {
      if (m.mesh.isDisposed() || m.mesh.morphTargetManager !== m.manager || m.manager.numTargets !== m.numTargets) {
        this.warnOnce(
          'TARGETS_CHANGED',
          `the morph targets of "${m.mesh.name}" changed while driven; the table was bound again.`,
        );
        return true;
      }
    }
    return false;
  }

  private reportUnits(flags: number, raw: ArrayLike<number>): void {
    if (flags & UNIT_NAN) {
      const i = this.firstBad[0];
      this.warnOnce(
        'UNIT_NAN',
        `FaceMotion unit ${EXPRESSION_UNITS[i]} is ${raw[i]}; non-finite units are treated as 0 (reported once).`,
      );
    }
    if (flags & UNIT_OUT_OF_RANGE) {
      const i = this.firstBad[1];
      this.warnOnce(
        'UNIT_OUT_OF_RANGE',
        `FaceMotion unit ${EXPRESSION_UNITS[i]} is ${raw[i]}, outside [0, 1]; units are clamped (reported once).`,
      );
    }
  }

  private warnOnce(code: RetargetWarning['code'], message: string): void {
    if (this.warned.has(code)) return;
    this.warned.add(code);
    this.onWarning({ code, message });
  }
}
