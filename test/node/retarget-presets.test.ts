import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { EXPRESSION_UNITS } from '../../plugin/units/expression-units.js';
import { isCpemError } from '../../plugin/errors/cpem-error.js';
import type { RetargetTable } from '../../plugin/retarget/retarget-table.js';
import { validateRetargetTable } from '../../plugin/retarget/validate.js';
import {
  ARKIT_BLENDSHAPES,
  ARKIT_UNSOURCED,
  arkitRetargetTable,
  arkitSuffixName,
} from '../../plugin/retarget/presets/arkit.js';
import { VRM_EXPRESSIONS, vrmRetargetTable } from '../../plugin/retarget/presets/vrm.js';
import { OCULUS_VISEMES_UNMAPPED, oculusVisemeRetargetTable } from '../../plugin/retarget/presets/oculus-visemes.js';
import { cpemUnitsRetargetTable } from '../../plugin/retarget/presets/cpem-units.js';
import { autoMap, normalizeTargetName } from '../../plugin/retarget/auto-map.js';
import { sharedPath } from '../../training/node/shared-data.js';

const unitsOf = (t: RetargetTable, target: string) => t.targets.find((r) => r.target === target)?.units;

// Apple's list of ARKit blend shapes (ARFaceAnchor.BlendShapeLocation), written out independently of the preset.
const APPLE_ARKIT = `eyeBlinkLeft eyeLookDownLeft eyeLookInLeft eyeLookOutLeft eyeLookUpLeft eyeSquintLeft eyeWideLeft
eyeBlinkRight eyeLookDownRight eyeLookInRight eyeLookOutRight eyeLookUpRight eyeSquintRight eyeWideRight
jawForward jawLeft jawRight jawOpen mouthClose mouthFunnel mouthPucker mouthLeft mouthRight mouthSmileLeft
mouthSmileRight mouthFrownLeft mouthFrownRight mouthDimpleLeft mouthDimpleRight mouthStretchLeft mouthStretchRight
mouthRollLower mouthRollUpper mouthShrugLower mouthShrugUpper mouthPressLeft mouthPressRight mouthLowerDownLeft
mouthLowerDownRight mouthUpperUpLeft mouthUpperUpRight browDownLeft browDownRight browInnerUp browOuterUpLeft
browOuterUpRight cheekPuff cheekSquintLeft cheekSquintRight noseSneerLeft noseSneerRight tongueOut`.split(/\s+/);

describe('retarget presets', () => {
  it('ARKit: the 52 Apple blendshapes, valid, under both spellings', () => {
    assert.equal(APPLE_ARKIT.length, 52);
    assert.deepEqual([...ARKIT_BLENDSHAPES].sort(), [...APPLE_ARKIT].sort());
    const apple = arkitRetargetTable('apple');
    const suffix = arkitRetargetTable('suffix');
    assert.deepEqual(validateRetargetTable(apple, { targetNames: APPLE_ARKIT }), []);
    assert.deepEqual(validateRetargetTable(suffix), []);
    const suffixNames = suffix.targets.map((r) => r.target);
    for (const n of [
      'eyeBlink_L',
      'eyeBlink_R',
      'cheekSquint_L',
      'mouthUpperUp_R',
      'jawLeft',
      'mouthRight',
      'browInnerUp',
    ])
      assert.ok(suffixNames.includes(n), n);
    assert.equal(arkitSuffixName('mouthLeft'), 'mouthLeft');
    assert.equal(arkitSuffixName('noseSneerRight'), 'noseSneer_R');
    assert.deepEqual(unitsOf(suffix, 'eyeBlink_L'), unitsOf(apple, 'eyeBlinkLeft'));
  });

  it('ARKit: sides follow the subject, the renamed FaceWarehouse units land where they belong, every unit drives something', () => {
    const t = arkitRetargetTable();
    assert.deepEqual(unitsOf(t, 'eyeBlinkLeft'), { eyeClose_L: 1 });
    assert.deepEqual(unitsOf(t, 'eyeBlinkRight'), { eyeClose_R: 1 });
    assert.deepEqual(unitsOf(t, 'mouthDimpleLeft'), { mouthPress_L: 1 });
    assert.deepEqual(unitsOf(t, 'mouthStretchRight'), { mouthDimple_R: 1 });
    assert.deepEqual(unitsOf(t, 'mouthPressLeft'), {});
    assert.deepEqual(unitsOf(t, 'cheekSquintLeft'), { cheekUp_L: 1, mouthSmile_L: 0.4 });
    const used = new Set(t.targets.flatMap((r) => Object.keys(r.units)));
    assert.deepEqual(
      EXPRESSION_UNITS.filter((u) => !used.has(u)),
      [],
    );
    assert.deepEqual(
      t.targets
        .filter((r) => Object.keys(r.units).length === 0)
        .map((r) => r.target)
        .sort(),
      [...ARKIT_UNSOURCED].sort(),
    );
  });

  it('VRM 1.0 and Oculus visemes are valid and cover their names', () => {
    assert.deepEqual(validateRetargetTable(vrmRetargetTable()), []);
    assert.deepEqual(
      [...VRM_EXPRESSIONS].sort(),
      [
        'aa',
        'angry',
        'blink',
        'blinkLeft',
        'blinkRight',
        'ee',
        'happy',
        'ih',
        'lookDown',
        'lookLeft',
        'lookRight',
        'lookUp',
        'oh',
        'ou',
        'relaxed',
        'sad',
        'surprised',
      ].sort(),
    );
    assert.deepEqual(unitsOf(vrmRetargetTable(), 'lookLeft'), { eyeLookOut_L: 0.5, eyeLookIn_R: 0.5 });
    const visemes = oculusVisemeRetargetTable();
    assert.deepEqual(validateRetargetTable(visemes), []);
    assert.equal(visemes.targets.length + OCULUS_VISEMES_UNMAPPED.length, 15);
    assert.deepEqual(validateRetargetTable(cpemUnitsRetargetTable()), []);
  });
});

describe('autoMap over morph target names', () => {
  it('normalises spellings of sides and prefixes', () => {
    for (const n of [
      'eyeBlinkLeft',
      'eyeBlink_L',
      'EyeBlink_Left',
      'eye_blink_left',
      'blendShape1.eyeBlinkLeft',
      'eyeBlink.L',
      'eyeBlinkL',
    ]) {
      assert.equal(normalizeTargetName(n), 'eyeblinkleft', n);
    }
    assert.equal(normalizeTargetName('mouthFunnel'), 'mouthfunnel');
    assert.equal(normalizeTargetName('viseme_RR'), 'visemerr');
  });

  it("picks the ARKit preset for _L/_R names, under the character's own names", () => {
    const names = [
      'EyeBlink_L',
      'EyeBlink_R',
      'JawOpen',
      'MouthSmile_L',
      'MouthSmile_R',
      'MouthPress_L',
      'TongueOut',
      'Hat_Wobble',
    ];
    const r = autoMap(names);
    assert.equal(r.preset, 'arkit');
    assert.deepEqual(
      r.table.targets.map((t) => t.target),
      names.slice(0, 7),
    );
    assert.deepEqual(r.table.targets[0].units, { eyeClose_L: 1 });
    // ARKit's mouthPress is a lip press: not CPEM's mouthPress (a corner pull) although the names match.
    assert.deepEqual(r.table.targets[5].units, {});
    assert.deepEqual(r.unmapped, ['Hat_Wobble']);
    assert.deepEqual(r.unsourced, ['MouthPress_L', 'TongueOut']);
    assert.equal(r.missing.length, 52 - 7);
    assert.ok(r.scores['cpem-units'] < r.scores.arkit);
  });

  it('picks the identity preset for a face-model double and VRM for expression names', () => {
    const cpem = autoMap([...EXPRESSION_UNITS]);
    assert.equal(cpem.preset, 'cpem-units');
    assert.equal(cpem.mapped.length, 46);
    assert.deepEqual(cpem.table.targets.find((t) => t.target === 'mouthPress_L')?.units, { mouthPress_L: 1 });
    const vrm = autoMap(['Blink', 'Blink_L', 'Blink_R', 'Happy', 'A', 'Joy']);
    assert.equal(vrm.preset, 'vrm');
    assert.deepEqual(
      vrm.mapped.map((m) => m.presetTarget),
      ['blink', 'blinkLeft', 'blinkRight', 'happy'],
    );
    assert.deepEqual(vrm.unmapped, ['A', 'Joy']);
  });

  it('reports characters it cannot map', () => {
    assert.throws(
      () => autoMap([]),
      (e) => isCpemError(e, 'NO_MORPH_TARGETS'),
    );
    assert.throws(
      () => autoMap(['Key 1', 'Key 2']),
      (e) => isCpemError(e, 'RETARGET_TABLE_INVALID') && /Key 1, Key 2/.test(e.message),
    );
  });

  const rpm = path.resolve(sharedPath('avatars', 'rpm_brunette-t.glb'));
  it('maps all 52 ARKit targets of the Ready Player Me avatar and leaves its visemes alone', {
    skip: !fs.existsSync(rpm) && 'no ../shared/avatars/rpm_brunette-t.glb',
  }, () => {
    const glb = fs.readFileSync(rpm);
    const json = JSON.parse(glb.subarray(20, 20 + glb.readUInt32LE(12)).toString('utf8'));
    const names: string[] = [
      ...new Set<string>(
        json.meshes.flatMap((m: { extras?: { targetNames?: string[] } }) => m.extras?.targetNames ?? []),
      ),
    ];
    assert.equal(names.length, 67);
    const r = autoMap(names);
    assert.equal(r.preset, 'arkit');
    assert.equal(r.mapped.length, 52);
    assert.deepEqual(r.missing, []);
    assert.deepEqual(
      r.unmapped.every((n) => n.startsWith('viseme_')),
      true,
    );
    assert.equal(r.unmapped.length, 15);
  });
});
