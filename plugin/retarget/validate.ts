import { CpemError } from '../errors/cpem-error.js';
import { quote } from '../errors/quote.js';
import { isExpressionUnitName } from '../units/expression-units.js';
import { EULER_ORDERS, type RetargetTable } from './retarget-table.js';

/** One problem found in a retarget table. `path` points into the JSON, e.g. `targets[3].units.eyeBlink_X`. */
export interface RetargetTableIssue {
  path: string;
  /** What kind of problem: lets callers treat targets missing from a character differently. */
  kind: 'structure' | 'unknown-unit' | 'bad-number' | 'duplicate-target' | 'missing-target' | 'missing-head-node';
  message: string;
}

/** What the validator may check the table against. */
export interface RetargetValidationContext {
  /** Morph target names the character has (see `collectMorphTargetNames`). Rows naming others are reported. */
  targetNames?: Iterable<string>;
  /** Bone and TransformNode names of the character; a `head.node` not among them is reported. */
  nodeNames?: Iterable<string>;
}

const ROW_KEYS = new Set(['target', 'units', 'gain', 'offset', 'deadZone', 'exponent', 'clamp']);
const TABLE_KEYS = new Set(['$schema', 'version', 'name', 'mirror', 'targets', 'head']);
const HEAD_KEYS = new Set(['node', 'axes', 'signs', 'scale', 'order']);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
/** A number the compiled table can hold: finite as a float32 (so not beyond ±3.4e38), as influences are computed. */
const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(Math.fround(v));
/** A value as messages quote it: a short prefix at most. */
const show = (v: unknown): string => quote(v, 60);
/** A property name as paths and messages quote it: as is when short and plain, else a short quoted prefix. */
const key = (k: string): string => (k.length <= 40 && /^[\w$-]*$/.test(k) ? k : quote(k, 40));
/** At most this many problems are spelled out in an error message; the rest are counted. */
const MAX_LISTED = 100;

/**
 * Checks a retarget table (parsed JSON or an object literal) and returns every problem at once; an empty list
 * means the table is valid. Given a context, also reports rows whose target the character lacks and a head
 * node it lacks.
 */
export function validateRetargetTable(table: unknown, context: RetargetValidationContext = {}): RetargetTableIssue[] {
  const issues: RetargetTableIssue[] = [];
  try {
    checkTable(table, context, issues);
  } catch (e) {
    // A table no JSON could make (a getter or proxy that throws) is reported, not thrown.
    issues.push({
      path: '',
      kind: 'structure',
      message: `the table could not be read (${quote(e instanceof Error ? e.message : e, 80)}); pass plain JSON data`,
    });
  }
  return issues;
}

function checkTable(table: unknown, context: RetargetValidationContext, issues: RetargetTableIssue[]): void {
  const add = (path: string, kind: RetargetTableIssue['kind'], message: string) => issues.push({ path, kind, message });
  const number = (path: string, v: unknown, check: (n: number) => boolean, rule: string) => {
    if (v === undefined) return;
    if (!isFiniteNumber(v) || !check(v)) add(path, 'bad-number', `${path} is ${show(v)}; it must be ${rule}`);
  };

  if (!isObject(table)) {
    add(
      '',
      'structure',
      `a retarget table must be an object with "version": 1 and "targets": [...], not ${show(table)}`,
    );
    return;
  }
  for (const k of Object.keys(table)) {
    if (!TABLE_KEYS.has(k))
      add(key(k), 'structure', `unknown property ${quote(k, 40)} (allowed: ${[...TABLE_KEYS].join(', ')})`);
  }
  if (table.version !== 1) add('version', 'structure', `version is ${show(table.version)}; it must be 1`);
  if (table.name !== undefined && typeof table.name !== 'string') add('name', 'structure', 'name must be a string');
  if (table.mirror !== undefined && typeof table.mirror !== 'boolean')
    add('mirror', 'structure', 'mirror must be true or false');

  const available = context.targetNames ? new Set(context.targetNames) : null;
  if (!Array.isArray(table.targets)) {
    add(
      'targets',
      'structure',
      'targets must be an array of rows like { "target": "eyeBlinkLeft", "units": { "eyeClose_L": 1 } }',
    );
  } else {
    const seen = new Map<string, number>();
    table.targets.forEach((row: unknown, i: number) => {
      const at = `targets[${i}]`;
      if (!isObject(row)) {
        add(at, 'structure', `${at} must be an object with "target" and "units"`);
        return;
      }
      for (const k of Object.keys(row)) {
        if (!ROW_KEYS.has(k))
          add(
            `${at}.${key(k)}`,
            'structure',
            `unknown property ${quote(k, 40)} (allowed: ${[...ROW_KEYS].join(', ')})`,
          );
      }
      if (typeof row.target !== 'string' || row.target.length === 0) {
        add(`${at}.target`, 'structure', `${at}.target must be a non-empty morph target name, not ${show(row.target)}`);
      } else {
        const first = seen.get(row.target);
        if (first !== undefined) {
          add(
            `${at}.target`,
            'duplicate-target',
            `target ${show(row.target)} is already driven by targets[${first}]; merge the two rows`,
          );
        } else {
          seen.set(row.target, i);
        }
        if (available && !available.has(row.target)) {
          add(`${at}.target`, 'missing-target', `the character has no morph target ${show(row.target)}`);
        }
      }
      if (!isObject(row.units)) {
        add(`${at}.units`, 'structure', `${at}.units must be an object of unit name → weight, e.g. { "jawOpen": 1 }`);
      } else {
        for (const [unit, weight] of Object.entries(row.units)) {
          const path = `${at}.units.${key(unit)}`;
          if (!isExpressionUnitName(unit)) {
            add(
              path,
              'unknown-unit',
              `${quote(unit, 40)} is not one of the 46 expression units (see EXPRESSION_UNITS)`,
            );
          }
          number(path, weight, () => true, 'a finite number (within ±3.4e38)');
          if (weight === undefined) add(path, 'bad-number', `${path} has no weight`);
        }
      }
      number(`${at}.gain`, row.gain, () => true, 'a finite number (within ±3.4e38)');
      number(`${at}.offset`, row.offset, () => true, 'a finite number (within ±3.4e38)');
      number(`${at}.deadZone`, row.deadZone, (n) => n >= 0 && n < 1, 'in [0, 1)');
      number(`${at}.exponent`, row.exponent, (n) => n > 0, 'a finite number > 0');
      if (row.clamp !== undefined) {
        if (!Array.isArray(row.clamp) || row.clamp.length !== 2) {
          add(`${at}.clamp`, 'structure', `${at}.clamp must be [min, max]`);
        } else {
          number(`${at}.clamp[0]`, row.clamp[0], () => true, 'a finite number (within ±3.4e38)');
          number(`${at}.clamp[1]`, row.clamp[1], () => true, 'a finite number (within ±3.4e38)');
          if (isFiniteNumber(row.clamp[0]) && isFiniteNumber(row.clamp[1]) && row.clamp[0] > row.clamp[1]) {
            add(
              `${at}.clamp`,
              'bad-number',
              `${at}.clamp is [${row.clamp[0]}, ${row.clamp[1]}]; min must not exceed max`,
            );
          }
        }
      }
    });
  }

  if (table.head !== undefined) {
    const head = table.head;
    if (!isObject(head)) {
      add('head', 'structure', 'head must be an object like { "node": "Head" }');
    } else {
      for (const k of Object.keys(head)) {
        if (!HEAD_KEYS.has(k))
          add(
            `head.${key(k)}`,
            'structure',
            `unknown property ${quote(k, 40)} (allowed: ${[...HEAD_KEYS].join(', ')})`,
          );
      }
      if (typeof head.node !== 'string' || head.node.length === 0) {
        add('head.node', 'structure', 'head.node must name a bone or TransformNode of the character');
      } else if (context.nodeNames && !new Set(context.nodeNames).has(head.node)) {
        add('head.node', 'missing-head-node', `the character has no bone or TransformNode named ${show(head.node)}`);
      }
      if (head.axes !== undefined) {
        const ok =
          Array.isArray(head.axes) &&
          head.axes.length === 3 &&
          head.axes.every((a) => a === 'x' || a === 'y' || a === 'z') &&
          new Set(head.axes).size === 3;
        if (!ok)
          add(
            'head.axes',
            'structure',
            `head.axes is ${show(head.axes)}; it must list 'x', 'y', 'z' once each, in [pitch, yaw, roll] order`,
          );
      }
      if (head.signs !== undefined) {
        if (!Array.isArray(head.signs) || head.signs.length !== 3) {
          add('head.signs', 'structure', 'head.signs must be three values, 1 or -1');
        } else {
          head.signs.forEach((s: unknown, k: number) =>
            number(`head.signs[${k}]`, s, (n) => n === 1 || n === -1, '1 or -1'),
          );
        }
      }
      number('head.scale', head.scale, () => true, 'a finite number (within ±3.4e38)');
      if (head.order !== undefined && !(EULER_ORDERS as readonly unknown[]).includes(head.order)) {
        add(
          'head.order',
          'structure',
          `head.order is ${show(head.order)}; it must be one of ${EULER_ORDERS.join(', ')}`,
        );
      }
    }
  }
}

/** Formats issues as one line each (the first 100, then how many more), for error messages and logs. */
export function formatRetargetIssues(issues: readonly RetargetTableIssue[]): string {
  const lines = issues.slice(0, MAX_LISTED).map((i) => `  - ${i.path || '(table)'}: ${i.message}`);
  if (issues.length > MAX_LISTED) lines.push(`  - ... and ${issues.length - MAX_LISTED} more`);
  return lines.join('\n');
}

/**
 * Throws a CpemError `RETARGET_TABLE_INVALID` listing every problem when the table is invalid; otherwise
 * returns it typed. Issues of the kinds in `ignore` (e.g. 'missing-target') do not count.
 */
export function assertValidRetargetTable(
  table: unknown,
  context: RetargetValidationContext = {},
  ignore: readonly RetargetTableIssue['kind'][] = [],
): RetargetTable {
  const issues = validateRetargetTable(table, context).filter((i) => !ignore.includes(i.kind));
  if (issues.length > 0) {
    throw new CpemError(
      'RETARGET_TABLE_INVALID',
      `The retarget table has ${issues.length} problem${issues.length === 1 ? '' : 's'}:\n${formatRetargetIssues(issues)}\n` +
        'Fix these rows (the schema is in docs/retarget-table.schema.json), or build a table with autoMap(character).',
    );
  }
  return table as RetargetTable;
}
