import { EXPRESSION_UNITS, type ExpressionUnitName } from '../units/expression-units.js';

/**
 * How one morph target of a character is driven by the 46 expression units.
 *
 * The influence written each frame is
 * ```
 * s = Σ weight_k · unit_k                        (units clamped to [0, 1])
 * x = sign(s) · max(0, |s| − deadZone) / (1 − deadZone)
 * y = gain · sign(x) · |x|^exponent + offset
 * influence = clamp(y, clamp[0], clamp[1])
 * ```
 * With the defaults (gain 1, offset 0, deadZone 0, exponent 1, clamp [0, 1]) a row `{ eyeClose_L: 1 }`
 * copies the unit straight onto the target. An empty `units` object holds the target at `offset`:
 * presets use that for targets that no unit can honestly drive (ARKit's `tongueOut`).
 */
export interface RetargetTargetRow {
  /** Morph target name, matched exactly against every MorphTargetManager under the character. */
  target: string;
  /** Unit name → weight. Weights may be negative (a unit that suppresses the target). */
  units: Partial<Record<ExpressionUnitName, number>>;
  /** Multiplier after the dead zone and curve. Default 1. */
  gain?: number;
  /** Added after the gain. Default 0. */
  offset?: number;
  /** Weighted sums with magnitude below this are zero; the rest is rescaled so 1 stays 1. In [0, 1). Default 0. */
  deadZone?: number;
  /** Response curve exponent (> 0): below 1 lifts small values, above 1 suppresses them. Default 1. */
  exponent?: number;
  /** Final [min, max] of the influence. Default [0, 1]. */
  clamp?: [number, number];
}

/** The three head rotation angles of a FaceMotion, in its `rotation` order. */
export type HeadAngle = 'pitch' | 'yaw' | 'roll';
/** A local axis of the driven node. */
export type HeadAxis = 'x' | 'y' | 'z';

/**
 * Where the head rotation of a FaceMotion goes: a bone or TransformNode of the character, found by name.
 * The rotation is composed as a delta on top of the node's rest rotation (captured when the table is applied).
 */
export interface HeadRotationMapping {
  /** Name of a Bone or TransformNode under the character (e.g. RPM/Mixamo `Head`). */
  node: string;
  /** The node axis each FaceMotion angle turns about, in [pitch, yaw, roll] order. Default ['x', 'y', 'z']. */
  axes?: [HeadAxis, HeadAxis, HeadAxis];
  /** Sign applied to [pitch, yaw, roll]: 1 or −1. Default [1, 1, 1]. */
  signs?: [number, number, number];
  /** Multiplies all three angles; below 1 when a neck bone takes part of the turn. Default 1. */
  scale?: number;
  /**
   * Order in which the three axis rotations are composed, first letter outermost:
   * 'ZYX' is q(z)·q(y)·q(x): pitch first, then yaw, then roll, which is how a FaceMotion's rotation is defined
   * (R = Rz(roll)·Ry(yaw)·Rx(pitch), plugin/geometry/head-pose.ts). 'YXZ' is Babylon's
   * `Quaternion.RotationYawPitchRoll`. Default 'ZYX'.
   */
  order?: EulerOrder;
}

/** Euler composition orders accepted by {@link HeadRotationMapping.order}. */
export const EULER_ORDERS = ['XYZ', 'XZY', 'YXZ', 'YZX', 'ZXY', 'ZYX'] as const;
export type EulerOrder = (typeof EULER_ORDERS)[number];

/**
 * A retarget table: a JSON-serialisable mapping from the 46 expression units to a character's morph targets,
 * plus optional head rotation. Validate with `validateRetargetTable`; the JSON schema is
 * {@link RETARGET_TABLE_SCHEMA} (also in docs/retarget-table.schema.json).
 */
export interface RetargetTable {
  /** Optional pointer to the JSON schema, ignored by the validator. */
  $schema?: string;
  /** Format version; 1. */
  version: 1;
  /** Free-form name, e.g. 'arkit'. */
  name?: string;
  /** Swap `_L`/`_R` units (and `jawLeft`/`jawRight`, `mouthLeft`/`mouthRight`) and mirror the head for a selfie view. */
  mirror?: boolean;
  /** One row per driven morph target; each target name at most once. */
  targets: RetargetTargetRow[];
  /** Head rotation, when the character's head should follow. */
  head?: HeadRotationMapping;
}

/** Shaping defaults for a {@link RetargetTargetRow}. */
export const ROW_DEFAULTS = {
  gain: 1,
  offset: 0,
  deadZone: 0,
  exponent: 1,
  clamp: [0, 1] as [number, number],
} as const;

/** Head mapping defaults for a {@link HeadRotationMapping}. */
export const HEAD_DEFAULTS = {
  axes: ['x', 'y', 'z'] as [HeadAxis, HeadAxis, HeadAxis],
  signs: [1, 1, 1] as [number, number, number],
  scale: 1,
  order: 'ZYX' as EulerOrder,
} as const;

const finite = { type: 'number' } as const;

/**
 * JSON schema (draft 2020-12) of a {@link RetargetTable}. Structural only: `validateRetargetTable` checks the
 * same rules plus what a schema cannot say (duplicate targets, targets missing from a character) and reports
 * every problem at once.
 */
export const RETARGET_TABLE_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'babylon-cpem retarget table',
  description: "Maps the 46 CPEM expression units to a character's morph targets, and the head rotation to a node.",
  type: 'object',
  required: ['version', 'targets'],
  additionalProperties: false,
  properties: {
    $schema: { type: 'string' },
    version: { const: 1 },
    name: { type: 'string' },
    mirror: { type: 'boolean', default: false },
    targets: {
      type: 'array',
      items: {
        type: 'object',
        required: ['target', 'units'],
        additionalProperties: false,
        properties: {
          target: { type: 'string', minLength: 1 },
          units: {
            type: 'object',
            propertyNames: { enum: [...EXPRESSION_UNITS] },
            additionalProperties: finite,
          },
          gain: { ...finite, default: ROW_DEFAULTS.gain },
          offset: { ...finite, default: ROW_DEFAULTS.offset },
          deadZone: { type: 'number', minimum: 0, exclusiveMaximum: 1, default: ROW_DEFAULTS.deadZone },
          exponent: { type: 'number', exclusiveMinimum: 0, default: ROW_DEFAULTS.exponent },
          clamp: { type: 'array', items: finite, minItems: 2, maxItems: 2, default: [0, 1] },
        },
      },
    },
    head: {
      type: 'object',
      required: ['node'],
      additionalProperties: false,
      properties: {
        node: { type: 'string', minLength: 1 },
        axes: {
          type: 'array',
          items: { enum: ['x', 'y', 'z'] },
          minItems: 3,
          maxItems: 3,
          uniqueItems: true,
          default: ['x', 'y', 'z'],
        },
        signs: { type: 'array', items: { enum: [1, -1] }, minItems: 3, maxItems: 3, default: [1, 1, 1] },
        scale: { ...finite, default: 1 },
        order: { enum: [...EULER_ORDERS], default: 'ZYX' },
      },
    },
  },
} as const;
