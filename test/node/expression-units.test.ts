import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CONTRADICTORY_GROUPS,
  EXPRESSION_UNITS,
  MIRRORED_UNIT_INDEX,
  expressionUnitIndex,
  mirroredUnit,
} from '../../plugin/units/expression-units.js';
import { NUM_MESH_POINTS } from '../../plugin/constants.js';

describe('expression units', () => {
  it('lists the 46 units in CPEM order', () => {
    assert.equal(EXPRESSION_UNITS.length, 46);
    assert.equal(new Set(EXPRESSION_UNITS).size, 46);
    assert.equal(expressionUnitIndex('eyeClose_L'), 0);
    assert.equal(expressionUnitIndex('jawOpen'), 21);
    assert.equal(expressionUnitIndex('mouthPucker'), 39);
    assert.equal(expressionUnitIndex('cheekUp_R'), 45);
    assert.equal(expressionUnitIndex('notAUnit'), -1);
  });

  it('mirrors sided units and keeps centre units', () => {
    assert.equal(mirroredUnit('eyeClose_L'), 'eyeClose_R');
    assert.equal(mirroredUnit('mouthSmile_R'), 'mouthSmile_L');
    assert.equal(mirroredUnit('jawLeft'), 'jawRight');
    assert.equal(mirroredUnit('mouthRight'), 'mouthLeft');
    assert.equal(mirroredUnit('jawOpen'), 'jawOpen');
    assert.equal(mirroredUnit('browInnerUp'), 'browInnerUp');
    // Mirroring twice is the identity, and it is a permutation.
    MIRRORED_UNIT_INDEX.forEach((j, i) => assert.equal(MIRRORED_UNIT_INDEX[j], i));
    assert.equal(MIRRORED_UNIT_INDEX.filter((j, i) => j !== i).length, 32);
  });

  it('has 14 contradictory pairs over valid, disjoint unit indices', () => {
    assert.equal(CONTRADICTORY_GROUPS.length, 14);
    for (const [a, b] of CONTRADICTORY_GROUPS) {
      for (const i of [...a, ...b]) assert.ok(i >= 0 && i < 46);
      assert.equal(a.filter((i) => b.includes(i)).length, 0);
    }
    // The authors' pairs are mirror-consistent: mirroring a pair gives another pair (sides in either order).
    const key = (a: readonly number[], b: readonly number[]) =>
      [`${[...a].sort()}`, `${[...b].sort()}`].sort().join('|');
    const keys = new Set(CONTRADICTORY_GROUPS.map(([a, b]) => key(a, b)));
    for (const [a, b] of CONTRADICTORY_GROUPS) {
      assert.ok(
        keys.has(
          key(
            a.map((i) => MIRRORED_UNIT_INDEX[i]),
            b.map((i) => MIRRORED_UNIT_INDEX[i]),
          ),
        ),
      );
    }
  });
});

describe('iBUG 68 from face mesh', async () => {
  const { IBUG68_FROM_FACE_MESH } = await import('../../plugin/landmarks/ibug68-from-face-mesh.js');
  it('maps 68 distinct face-mesh points', () => {
    assert.equal(IBUG68_FROM_FACE_MESH.length, 68);
    // Only the nose-tip column may repeat in published maps; ours is injective.
    assert.equal(new Set(IBUG68_FROM_FACE_MESH).size, 68);
    for (const i of IBUG68_FROM_FACE_MESH) assert.ok(Number.isInteger(i) && i >= 0 && i < NUM_MESH_POINTS);
  });
});
