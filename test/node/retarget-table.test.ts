import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { EXPRESSION_UNITS, expressionUnitIndex } from '../../plugin/units/expression-units.js';
import { isCpemError } from '../../plugin/errors/cpem-error.js';
import { RETARGET_TABLE_SCHEMA, type RetargetTable } from '../../plugin/retarget/retarget-table.js';
import { assertValidRetargetTable, validateRetargetTable } from '../../plugin/retarget/validate.js';
import {
  compileRetargetTable,
  evaluateRetargetTable,
  sanitizeUnits,
  shapeValue,
  UNIT_NAN,
  UNIT_OUT_OF_RANGE,
} from '../../plugin/retarget/shaping.js';

const units = (set: Record<string, number>): Float32Array => {
  const u = new Float32Array(46);
  for (const [name, v] of Object.entries(set)) u[expressionUnitIndex(name)] = v;
  return u;
};

describe('retarget table validation', () => {
  const bad = {
    version: 1,
    mirrored: true,
    targets: [
      { target: 'jawOpen', units: { jawOpen: 1 } },
      { target: 'eyeBlinkLeft', units: { eyeClose_L: 1 }, gain: Number.NaN },
      { target: 'eyeBlinkRight', units: { eyeClose_R: 1 }, deadZone: 1, exponent: 0, clamp: [1, 0] },
      { target: 'eyeSquintLeft', units: { eyeBlink_X: 1, eyeSquint_L: 'much' } },
      { target: 'jawOpen', units: { jawOpen: 0.5 } },
      { target: 'tongueOut', units: {} },
      { target: '', units: [] },
    ],
    head: { node: 'Head', axes: ['x', 'x', 'z'], signs: [1, 2, -1], order: 'XYY' },
  };

  it('reports every problem at once, with a path for each', () => {
    const issues = validateRetargetTable(bad, {
      targetNames: ['jawOpen', 'eyeBlinkLeft', 'eyeBlinkRight', 'eyeSquintLeft'],
    });
    const paths = issues.map((i) => i.path).sort();
    assert.deepEqual(
      paths,
      [
        'head.axes',
        'head.order',
        'head.signs[1]',
        'mirrored',
        'targets[1].gain',
        'targets[2].clamp',
        'targets[2].deadZone',
        'targets[2].exponent',
        'targets[3].units.eyeBlink_X',
        'targets[3].units.eyeSquint_L',
        'targets[4].target',
        'targets[5].target',
        'targets[6].target',
        'targets[6].units',
      ].sort(),
    );
    const kind = (p: string) => issues.filter((i) => i.path === p).map((i) => i.kind);
    assert.deepEqual(kind('targets[3].units.eyeBlink_X'), ['unknown-unit']);
    assert.deepEqual(kind('targets[4].target'), ['duplicate-target']);
    assert.deepEqual(kind('targets[5].target'), ['missing-target']);
    assert.deepEqual(kind('targets[1].gain'), ['bad-number']);
  });

  it('throws one CpemError RETARGET_TABLE_INVALID naming every problem', () => {
    try {
      assertValidRetargetTable(bad);
      assert.fail('no error');
    } catch (e) {
      assert.ok(isCpemError(e, 'RETARGET_TABLE_INVALID'));
      for (const p of ['targets[3].units.eyeBlink_X', 'targets[2].deadZone', 'targets[1].gain', 'head.axes'])
        assert.match(e.message, new RegExp(p.replace(/[[\].]/g, '\\$&')));
      assert.match(e.message, /13 problems/);
    }
    assert.throws(
      () => assertValidRetargetTable('jawOpen'),
      (e) => isCpemError(e, 'RETARGET_TABLE_INVALID') && /must be an object/.test(e.message),
    );
  });

  it('can ignore targets a character lacks, and reports a missing head node', () => {
    const table = { version: 1, targets: [{ target: 'jawOpen', units: { jawOpen: 1 } }], head: { node: 'Neck' } };
    assert.deepEqual(validateRetargetTable(table), []);
    const ctx = { targetNames: ['mouthOpen'], nodeNames: ['Head'] };
    assert.deepEqual(
      validateRetargetTable(table, ctx).map((i) => i.kind),
      ['missing-target', 'missing-head-node'],
    );
    assert.throws(
      () => assertValidRetargetTable(table, ctx, ['missing-target']),
      /no bone or TransformNode named "Neck"/,
    );
  });

  it('rejects numbers that are not finite as float32 (beyond ±3.4e38), which would make NaN influences', () => {
    const row = (extra: Record<string, unknown>) => ({
      version: 1,
      targets: [{ target: 'jawOpen', units: { jawOpen: 1 }, ...extra }],
    });
    for (const [extra, path] of [
      [{ gain: 1e39 }, 'targets[0].gain'],
      [{ gain: -1e39 }, 'targets[0].gain'],
      [{ offset: 3.5e38 }, 'targets[0].offset'],
      [{ units: { jawOpen: 1e39 } }, 'targets[0].units.jawOpen'],
      [{ clamp: [0, 1e39] }, 'targets[0].clamp[1]'],
      [{ exponent: 1e39 }, 'targets[0].exponent'],
    ] as const) {
      assert.deepEqual(
        validateRetargetTable(row(extra)).map((i) => [i.path, i.kind]),
        [[path, 'bad-number']],
        JSON.stringify(extra),
      );
    }
    assert.deepEqual(
      validateRetargetTable({ version: 1, targets: [], head: { node: 'Head', scale: 1e39 } }).map((i) => i.path),
      ['head.scale'],
    );
    // The largest float32 values are accepted, and evaluate to numbers within the clamp, never NaN.
    const extreme = {
      version: 1,
      targets: [
        { target: 'a', units: { jawOpen: 3.4e38, mouthSmile_L: 3.4e38 }, gain: 0, exponent: 3.4e38 },
        { target: 'b', units: { jawOpen: -3.4e38 }, gain: 3.4e38, offset: -3.4e38, clamp: [-3.4e38, 3.4e38] },
        { target: 'c', units: { jawOpen: 1 }, gain: 3.4e38, exponent: 1e-30 },
      ],
    };
    assert.deepEqual(validateRetargetTable(extreme), []);
    const out = new Float32Array(3);
    evaluateRetargetTable(compileRetargetTable(extreme as RetargetTable), units({ jawOpen: 1, mouthSmile_L: 1 }), out);
    assert.ok(out.every(Number.isFinite), `influences ${Array.from(out)}`);
    assert.deepEqual(Array.from(out), [0, -3.4e38, 1].map(Math.fround));
  });

  it('reports malformed tables as RETARGET_TABLE_INVALID, never a bare RangeError or TypeError, quoting bad values short', () => {
    let deep: unknown = [];
    for (let i = 0; i < 5000; i++) deep = [deep];
    const circular: Record<string, unknown> = { target: 'jawOpen', units: { jawOpen: 1 } };
    circular.self = circular;
    const huge = 'x'.repeat(10_000_000);
    const throwing = {
      version: 1,
      get targets(): unknown {
        throw new RangeError('no targets here');
      },
    };
    const cases: Array<[string, unknown, RegExp]> = [
      ['a 5,000-deep array as the table', deep, /must be an object/],
      ['a 5,000-deep array as the rows', { version: 1, targets: deep }, /targets\[0\] must be an object/],
      [
        'a 5,000-deep array as a weight',
        { version: 1, targets: [{ target: 'jawOpen', units: { jawOpen: deep } }] },
        /jawOpen is \[\[\[\.\.\.\]\]\]/,
      ],
      ['a circular row', { version: 1, targets: [circular] }, /unknown property "self"/],
      ['a BigInt weight', { version: 1, targets: [{ target: 'jawOpen', units: { jawOpen: 10n } }] }, /jawOpen is 10n/],
      ['a BigInt version', { version: 1n, targets: [] }, /version is 1n/],
      [
        'a 10 MB key',
        { version: 1, targets: [{ target: 'jawOpen', units: { [huge]: 1 } }] },
        /"xxxx[x]*"… \(10000000 characters\) is not one of the 46/,
      ],
      [
        'a 10 MB target name',
        { version: 1, targets: [{ target: huge, units: { jawOpen: 1 } }] },
        /no morph target "xxx[x]*"… \(10000000 characters\)/,
      ],
      [
        'a 10 MB value',
        { version: 1, targets: [{ target: 'jawOpen', units: { jawOpen: huge } }] },
        /jawOpen is "xxx[x]*"… \(10000000 characters\)/,
      ],
      ['a getter that throws', throwing, /could not be read \("no targets here"\)/],
    ];
    for (const [what, table, message] of cases) {
      let error: unknown;
      try {
        assertValidRetargetTable(table, { targetNames: ['jawOpen'] });
      } catch (e) {
        error = e;
      }
      assert.ok(isCpemError(error, 'RETARGET_TABLE_INVALID'), `${what}: ${String(error).slice(0, 200)}`);
      assert.match((error as Error).message, message, what);
      assert.ok(
        (error as Error).message.length < 2000,
        `${what}: a message of ${(error as Error).message.length} characters`,
      );
    }
    // 20,000 bad rows: every one is in the list of issues, the message spells out 100 and counts the rest.
    const many = {
      version: 1,
      targets: Array.from({ length: 20_000 }, () => ({ target: 'jawOpen', units: { nope: 1 } })),
    };
    assert.equal(validateRetargetTable(many).length, 39_999);
    assert.throws(
      () => assertValidRetargetTable(many),
      (e) =>
        isCpemError(e, 'RETARGET_TABLE_INVALID') &&
        /\.\.\. and 39899 more/.test(e.message) &&
        e.message.length < 15_000,
    );
  });
});

describe('retarget shaping', () => {
  it('applies dead zone, curve, gain, offset and clamp in that order', () => {
    assert.equal(shapeValue(0.6, 1, 0, 0, 1, 0, 1), 0.6);
    assert.ok(Math.abs(shapeValue(0.6, 1, 0, 0.2, 1, 0, 1) - 0.5) < 1e-12); // (0.6 − 0.2) / 0.8
    assert.equal(shapeValue(0.15, 1, 0, 0.2, 1, 0, 1), 0);
    assert.ok(Math.abs(shapeValue(0.6, 1, 0, 0.2, 2, 0, 1) - 0.25) < 1e-12);
    assert.ok(Math.abs(shapeValue(0.6, 2, 0.1, 0.2, 2, 0, 1) - 0.6) < 1e-12);
    assert.equal(shapeValue(0.9, 2, 0, 0, 1, 0, 1), 1);
    assert.equal(shapeValue(0.9, 2, 0, 0, 1, 0, 1.5), 1.5);
    assert.equal(shapeValue(0.9, 2, 0, 0, 1, 0, 2), 1.8);
    // Negative sums keep their sign through the dead zone and curve, then the clamp decides.
    assert.ok(Math.abs(shapeValue(-0.6, 1, 0, 0.2, 2, -1, 1) + 0.25) < 1e-12);
    assert.equal(shapeValue(-0.6, 1, 0, 0.2, 2, 0, 1), 0);
  });

  it('evaluates a compiled table from weighted unit sums, with and without mirroring', () => {
    const table: RetargetTable = {
      version: 1,
      targets: [
        { target: 'blinkL', units: { eyeClose_L: 1 } },
        { target: 'smile', units: { mouthSmile_L: 0.5, mouthSmile_R: 0.5 } },
        { target: 'openNoPucker', units: { jawOpen: 1, mouthPucker: -0.5 }, exponent: 0.5 },
        { target: 'lookLeft', units: { eyeLookOut_L: 0.5, eyeLookIn_R: 0.5 } },
        { target: 'held', units: {}, offset: 0.25 },
      ],
    };
    const u = units({
      eyeClose_L: 1,
      mouthSmile_L: 0.8,
      mouthSmile_R: 0.2,
      jawOpen: 0.5,
      mouthPucker: 0.5,
      eyeLookOut_R: 1,
      eyeLookIn_L: 1,
    });
    const out = new Float32Array(5);
    evaluateRetargetTable(compileRetargetTable(table), u, out);
    assert.deepEqual(
      Array.from(out, (v) => +v.toFixed(5)),
      [1, 0.5, 0.5, 0, 0.25],
    );
    evaluateRetargetTable(compileRetargetTable({ ...table, mirror: true }), u, out);
    assert.deepEqual(
      Array.from(out, (v) => +v.toFixed(5)),
      [0, 0.5, 0.5, 1, 0.25],
    );
  });

  it('clamps NaN and out-of-range units and says which', () => {
    const raw = units({ jawOpen: 1.5, eyeClose_R: -0.2 });
    raw[expressionUnitIndex('cheekPuff')] = Number.NaN;
    const out = new Float32Array(46);
    const first = new Int32Array(2);
    const flags = sanitizeUnits(raw, out, first);
    assert.equal(flags, UNIT_NAN | UNIT_OUT_OF_RANGE);
    assert.equal(EXPRESSION_UNITS[first[0]], 'cheekPuff');
    assert.equal(EXPRESSION_UNITS[first[1]], 'eyeClose_R');
    assert.equal(out[expressionUnitIndex('jawOpen')], 1);
    assert.equal(out[expressionUnitIndex('eyeClose_R')], 0);
    assert.equal(out[expressionUnitIndex('cheekPuff')], 0);
    assert.equal(sanitizeUnits(units({ jawOpen: 0.5 }), out), 0);
  });
});

describe('retarget table JSON schema', () => {
  it('the table shown in docs/retargeting.md is valid', () => {
    const doc = fs.readFileSync('docs/retargeting.md', 'utf8');
    const json = doc.match(/```json\n([\s\S]*?)```/);
    assert.ok(json, 'docs/retargeting.md has a json block');
    const table = JSON.parse(json[1]);
    assert.deepEqual(validateRetargetTable(table, { nodeNames: ['Head'] }), []);
    const out = new Float32Array(table.targets.length);
    evaluateRetargetTable(compileRetargetTable(table), units({ eyeClose_R: 1, jawOpen: 0.5, mouthPucker: 0.4 }), out);
    // Mirrored: the subject's right eye drives eyeBlinkLeft.
    assert.deepEqual(
      Array.from(out, (v) => +v.toFixed(4)),
      [1, 0, 0.6, 0, 0.3, 0],
    );
  });

  it('docs/retarget-table.schema.json is the schema in the code (regenerate with npm run schema)', () => {
    const onDisk = JSON.parse(fs.readFileSync('docs/retarget-table.schema.json', 'utf8'));
    assert.deepEqual(onDisk, JSON.parse(JSON.stringify(RETARGET_TABLE_SCHEMA)));
    assert.deepEqual(onDisk.properties.targets.items.properties.units.propertyNames.enum, [...EXPRESSION_UNITS]);
  });
});
