import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { FaceModel } from '../../plugin/face-model/face-model.js';
import { EXPRESSION_UNITS, MIRRORED_UNIT_INDEX, type ExpressionUnitName } from '../../plugin/units/expression-units.js';
import { IBUG68_FROM_FACE_MESH } from '../../plugin/landmarks/ibug68-from-face-mesh.js';
import { ICT_UNIT_RECIPES, formatRecipe } from '../../training/lib/face-model-build/ict-unit-mapping.js';
import { NUM_MESH_POINTS } from '../../plugin/constants.js';
import { sharedPath } from '../../training/node/shared-data.js';

let model: FaceModel;
before(async () => {
  model = await FaceModel.load('weights/face-model.bin');
});

type Region = 'eyeL' | 'eyeR' | 'browL' | 'browR' | 'nose' | 'mouth' | 'chin' | 'cheekL' | 'cheekR';
// Region centres from the mean face's iBUG landmarks (iBUG 36-41 is the subject's right eye, 42-47 the left).
const REGION_LANDMARKS: Record<Region, number[]> = {
  eyeL: [42, 43, 44, 45, 46, 47],
  eyeR: [36, 37, 38, 39, 40, 41],
  browL: [22, 23, 24, 25, 26],
  browR: [17, 18, 19, 20, 21],
  nose: [27, 28, 29, 30, 31, 32, 33, 34, 35],
  mouth: [48, 51, 54, 57, 62, 66],
  chin: [7, 8, 9],
  cheekL: [46, 54, 13],
  cheekR: [41, 48, 3],
};
/** L/R: the subject's side; C: centred; D: a sideways motion (jawLeft, mouthLeft), checked by its direction. */
type Side = 'L' | 'R' | 'C' | 'D';
/** Where each unit must move the face: allowed regions (nearest to the moving vertices), side, and a direction check. */
const EXPECT: Record<ExpressionUnitName, { regions: Region[]; side: Side; moves?: [Region, 0 | 1 | 2, 1 | -1] }> = {
  eyeClose_L: { regions: ['eyeL'], side: 'L', moves: ['eyeL', 1, -1] },
  eyeClose_R: { regions: ['eyeR'], side: 'R', moves: ['eyeR', 1, -1] },
  eyeSquint_L: { regions: ['eyeL', 'cheekL'], side: 'L' },
  eyeSquint_R: { regions: ['eyeR', 'cheekR'], side: 'R' },
  eyeLookDown_L: { regions: ['eyeL'], side: 'L' },
  eyeLookDown_R: { regions: ['eyeR'], side: 'R' },
  eyeLookIn_L: { regions: ['eyeL'], side: 'L' },
  eyeLookIn_R: { regions: ['eyeR'], side: 'R' },
  eyeWide_L: { regions: ['eyeL'], side: 'L', moves: ['eyeL', 1, 1] },
  eyeWide_R: { regions: ['eyeR'], side: 'R', moves: ['eyeR', 1, 1] },
  eyeLookOut_L: { regions: ['eyeL'], side: 'L' },
  eyeLookOut_R: { regions: ['eyeR'], side: 'R' },
  eyeLookUp_L: { regions: ['eyeL'], side: 'L' },
  eyeLookUp_R: { regions: ['eyeR'], side: 'R' },
  browDown_L: { regions: ['browL'], side: 'L', moves: ['browL', 1, -1] },
  browDown_R: { regions: ['browR'], side: 'R', moves: ['browR', 1, -1] },
  browInnerUp: { regions: ['browL', 'browR'], side: 'C' },
  browOuterUp_L: { regions: ['browL'], side: 'L', moves: ['browL', 1, 1] },
  browOuterUp_R: { regions: ['browR'], side: 'R', moves: ['browR', 1, 1] },
  jawForward: { regions: ['chin', 'mouth'], side: 'C', moves: ['chin', 2, 1] },
  jawLeft: { regions: ['chin', 'mouth'], side: 'D', moves: ['chin', 0, 1] },
  jawOpen: { regions: ['chin', 'mouth'], side: 'C', moves: ['chin', 1, -1] },
  jawRight: { regions: ['chin', 'mouth'], side: 'D', moves: ['chin', 0, -1] },
  mouthLeft: { regions: ['mouth'], side: 'D', moves: ['mouth', 0, 1] },
  mouthRight: { regions: ['mouth'], side: 'D', moves: ['mouth', 0, -1] },
  mouthFrown_L: { regions: ['mouth', 'chin', 'cheekL'], side: 'L' },
  mouthFrown_R: { regions: ['mouth', 'chin', 'cheekR'], side: 'R' },
  mouthSmile_L: { regions: ['mouth', 'cheekL'], side: 'L' },
  mouthSmile_R: { regions: ['mouth', 'cheekR'], side: 'R' },
  mouthPress_L: { regions: ['mouth', 'cheekL'], side: 'L' },
  mouthPress_R: { regions: ['mouth', 'cheekR'], side: 'R' },
  mouthDimple_L: { regions: ['mouth', 'cheekL'], side: 'L' },
  mouthDimple_R: { regions: ['mouth', 'cheekR'], side: 'R' },
  mouthRollUpper: { regions: ['mouth'], side: 'C' },
  mouthRollLower: { regions: ['mouth', 'chin'], side: 'C' },
  mouthUpperUp: { regions: ['mouth', 'nose'], side: 'C' },
  mouthLowerDown: { regions: ['mouth', 'chin'], side: 'C' },
  lipLowerDown: { regions: ['mouth', 'chin'], side: 'C' },
  mouthFunnel: { regions: ['mouth'], side: 'C' },
  mouthPucker: { regions: ['mouth'], side: 'C' },
  mouthShrug: { regions: ['mouth', 'chin'], side: 'C' },
  lipUpperUp: { regions: ['mouth', 'nose'], side: 'C' }, // The sneer lifts the nose wings and, with them, the upper lip: its strongest motion sits between nose and mouth.
  noseWrinkle: { regions: ['nose', 'mouth'], side: 'C', moves: ['nose', 1, 1] },
  cheekPuff: { regions: ['mouth', 'cheekL', 'cheekR', 'chin'], side: 'C' },
  cheekUp_L: { regions: ['cheekL', 'eyeL'], side: 'L' },
  cheekUp_R: { regions: ['cheekR', 'eyeR'], side: 'R' },
};

function displacement(u: number, v: number): [number, number, number] {
  const o = u * model.vertexCount * 3 + v * 3;
  return [model.expressionBasis[o], model.expressionBasis[o + 1], model.expressionBasis[o + 2]];
}

describe('face model expression units', () => {
  it('each of the 46 units moves the region its name says, on its side', () => {
    const lm = model.landmarks68Of(model.mean);
    const centre = (r: Region) =>
      [0, 1, 2].map((d) => REGION_LANDMARKS[r].reduce((s, i) => s + lm[i * 3 + d], 0) / REGION_LANDMARKS[r].length);
    const regionVertices = (r: Region, radius: number) => {
      const c = centre(r);
      const out: number[] = [];
      for (let v = 0; v < model.regions.face[1]; v++)
        if (Math.hypot(model.mean[v * 3] - c[0], model.mean[v * 3 + 1] - c[1], model.mean[v * 3 + 2] - c[2]) < radius)
          out.push(v);
      return out;
    };
    const problems: string[] = [];
    EXPRESSION_UNITS.forEach((name, u) => {
      const exp = EXPECT[name];
      let max = 0;
      for (let v = 0; v < model.vertexCount; v++) max = Math.max(max, Math.hypot(...displacement(u, v)));
      // Centroid of the strongly moving vertices.
      const c = [0, 0, 0];
      let w = 0,
        maxOpposite = 0;
      for (let v = 0; v < model.vertexCount; v++) {
        const d = Math.hypot(...displacement(u, v));
        if (d >= 0.5 * max) {
          for (let k = 0; k < 3; k++) c[k] += d * model.mean[v * 3 + k];
          w += d;
        }
        const x = model.mean[v * 3];
        if ((exp.side === 'L' && x < -15) || (exp.side === 'R' && x > 15)) maxOpposite = Math.max(maxOpposite, d);
      }
      for (let k = 0; k < 3; k++) c[k] /= w;
      const nearest = (Object.keys(REGION_LANDMARKS) as Region[]).reduce((b, r) => {
        const rc = centre(r),
          bc = centre(b);
        return Math.hypot(rc[0] - c[0], rc[1] - c[1], rc[2] - c[2]) <
          Math.hypot(bc[0] - c[0], bc[1] - c[1], bc[2] - c[2])
          ? r
          : b;
      });
      if (max < 2) problems.push(`${name}: moves at most ${max.toFixed(2)} mm`);
      if (!exp.regions.includes(nearest))
        problems.push(`${name}: moves ${nearest} (centroid ${c.map((x) => x.toFixed(0))}), expected ${exp.regions}`);
      if (exp.side === 'L' && !(c[0] > 5))
        problems.push(`${name}: centroid x ${c[0].toFixed(1)} is not on the left (+x)`);
      if (exp.side === 'R' && !(c[0] < -5))
        problems.push(`${name}: centroid x ${c[0].toFixed(1)} is not on the right (-x)`);
      if (exp.side === 'C' && Math.abs(c[0]) > 3)
        problems.push(`${name}: centroid x ${c[0].toFixed(1)} is off the midline`);
      if ((exp.side === 'L' || exp.side === 'R') && maxOpposite > 0.1 * max)
        problems.push(`${name}: the other side moves ${maxOpposite.toFixed(2)} of ${max.toFixed(2)} mm`);
      if (exp.moves) {
        const [r, axis, sign] = exp.moves;
        const vs = regionVertices(r, 12);
        const mean = vs.reduce((s, v) => s + displacement(u, v)[axis], 0) / vs.length;
        if (!(mean * sign > 0.3))
          problems.push(`${name}: ${r} moves ${mean.toFixed(2)} mm along axis ${axis}, expected sign ${sign}`);
      }
    });
    assert.deepEqual(problems, []);
  });

  it('turns the eyeball of the named eye towards the named gaze direction, and only that eyeball', () => {
    const fm0 = model.faceMeshLandmarksOf(model.mean);
    const gaze: Record<string, [number, 0 | 1, 1 | -1]> = {
      eyeLookUp_L: [473, 1, 1],
      eyeLookDown_L: [473, 1, -1],
      eyeLookIn_L: [473, 0, -1],
      eyeLookOut_L: [473, 0, 1],
      eyeLookUp_R: [468, 1, 1],
      eyeLookDown_R: [468, 1, -1],
      eyeLookIn_R: [468, 0, 1],
      eyeLookOut_R: [468, 0, -1],
    };
    for (const [name, [iris, axis, sign]] of Object.entries(gaze)) {
      const beta = new Float32Array(46);
      beta[EXPRESSION_UNITS.indexOf(name as ExpressionUnitName)] = 1;
      const fm = model.faceMeshLandmarksOf(model.decode(undefined, beta));
      const moved = fm[iris * 3 + axis] - fm0[iris * 3 + axis];
      assert.ok(moved * sign > 4, `${name}: iris centre moves ${moved.toFixed(2)} mm along axis ${axis}`);
      const other = iris === 473 ? 468 : 473;
      assert.ok(Math.abs(fm[other * 3 + axis] - fm0[other * 3 + axis]) < 1e-4, `${name} moves the other iris`);
    }
  });

  it('mirror pairs are mirror images within 1 % of their displacement', () => {
    // Mirror vertex: the vertex nearest to (−x, y, z) of the mean face.
    const V = model.vertexCount,
      m = model.mean;
    const mirror = new Int32Array(V);
    let worstMatch = 0;
    for (let v = 0; v < V; v++) {
      let best = Infinity;
      for (let w = 0; w < V; w++) {
        const d = (m[w * 3] + m[v * 3]) ** 2 + (m[w * 3 + 1] - m[v * 3 + 1]) ** 2 + (m[w * 3 + 2] - m[v * 3 + 2]) ** 2;
        if (d < best) {
          best = d;
          mirror[v] = w;
        }
      }
      worstMatch = Math.max(worstMatch, Math.sqrt(best));
    }
    assert.ok(worstMatch < 0.1, `the vertex set is mirror-symmetric (worst ${worstMatch} mm)`);
    const report: string[] = [];
    EXPRESSION_UNITS.forEach((name, u) => {
      const mu = MIRRORED_UNIT_INDEX[u];
      let max = 0,
        diff = 0;
      for (let v = 0; v < V; v++) {
        const a = displacement(u, v),
          b = displacement(mu, mirror[v]);
        max = Math.max(max, Math.hypot(...a));
        diff = Math.max(diff, Math.hypot(a[0] + b[0], a[1] - b[1], a[2] - b[2]));
      }
      if (diff > 0.01 * max) report.push(`${name} vs ${EXPRESSION_UNITS[mu]}: ${((100 * diff) / max).toFixed(2)} %`);
    });
    assert.deepEqual(report, []);
  });
});

describe('face model documentation', () => {
  it('docs/face-model.md lists the 53 → 46 recipes exactly as the build uses them', () => {
    const doc = fs.readFileSync('docs/face-model.md', 'utf8');
    const missing = EXPRESSION_UNITS.filter(
      (u, i) => !doc.includes(`| ${i} | ${u} | ${formatRecipe(ICT_UNIT_RECIPES[u])} |`),
    );
    assert.deepEqual(missing, []);
  });
});

describe('face model correspondences', () => {
  it('reports a mean face-mesh residual under 3 mm, and the iBUG map uses face-mesh points', () => {
    const reg = model.header.build?.registration as { residualMeanMm: number; residualMaxMm: number };
    assert.ok(reg.residualMeanMm < 3, `mean ${reg.residualMeanMm} mm`);
    assert.equal(IBUG68_FROM_FACE_MESH.length, 68);
  });

  const canonicalPath = sharedPath('face-data', 'mediapipe-canonical', 'canonical_face_model.obj');
  it('recomputes the residual against the canonical mesh: mean < 3 mm', {
    skip: !fs.existsSync(canonicalPath) && 'needs ../shared/face-data',
  }, () => {
    const reg = model.header.build?.registration as {
      scale: number;
      rotation: number[];
      translationMm: number[];
      alpha: number[];
      residualMeanMm: number;
    };
    const canon = fs
      .readFileSync(canonicalPath, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('v '))
      .map((l) =>
        l
          .trim()
          .split(/\s+/)
          .slice(1, 4)
          .map((x) => Number(x) * 10),
      );
    assert.equal(canon.length, NUM_MESH_POINTS);
    const shape = model.decode(reg.alpha);
    const fm = model.faceMeshLandmarksOf(shape);
    const { scale: s, rotation: R, translationMm: t } = reg;
    const res = canon.map((p, k) => {
      const q = [0, 1, 2].map((i) => s * (R[i * 3] * p[0] + R[i * 3 + 1] * p[1] + R[i * 3 + 2] * p[2]) + t[i]);
      return Math.hypot(q[0] - fm[k * 3], q[1] - fm[k * 3 + 1], q[2] - fm[k * 3 + 2]);
    });
    const mean = res.reduce((a, b) => a + b, 0) / res.length;
    console.log(`face-mesh correspondence residual: mean ${mean.toFixed(2)} mm, max ${Math.max(...res).toFixed(2)} mm`);
    assert.ok(Math.abs(mean - reg.residualMeanMm) < 0.01);
    assert.ok(mean < 3);
  });
});
