// The iBUG-68 regressor: the shipped table's layout, its application to a tracked mesh, and the least-squares fit
// that makes it (fitted here on synthetic meshes whose truth is a known combination, so recovery can be checked).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  ibug68Landmarks,
  nearestVertexRegressor,
  validateIbug68Regressor,
  type Ibug68RegressorFile,
} from '../../plugin/landmarks/ibug68-regressor.js';
import { IBUG68_FROM_FACE_MESH, IBUG68_MIRROR } from '../../plugin/landmarks/ibug68-from-face-mesh.js';
import { isCpemError } from '../../plugin/errors/cpem-error.js';
import {
  crossValidate,
  fitIbug68Regressor,
  meanNmeOf,
  meshNeighbours,
  type RegressorSample,
} from '../../training/lib/landmarks/fit-ibug68-regressor.js';
import { NUM_FACE_LANDMARKS, NUM_MESH_POINTS } from '../../plugin/constants.js';

/** A random 478 × 3 mesh. */
function randomMesh(seed: number): Float32Array {
  let s = seed >>> 0;
  const rand = () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  return Float32Array.from({ length: NUM_FACE_LANDMARKS * 3 }, () => 100 + 300 * rand());
}

/**
 * A mirror-symmetric synthetic canonical mesh (x ↦ −x) that pairs the iBUG anchors as the real one does: the anchor
 * of point i mirrors the anchor of IBUG68_MIRROR[i]; other points pair up among themselves.
 */
function symmetricCanonical(): Float32Array {
  const c = new Float32Array(NUM_MESH_POINTS * 3);
  const rand = randomMesh(11).map((v) => (v - 100) / 300);
  let r = 0;
  const placed = new Set<number>();
  const place = (a: number, b: number) => {
    const x = 0.5 + 5 * rand[r++],
      y = 10 * rand[r++],
      z = 3 * rand[r++];
    c.set([a === b ? 0 : x, y, z], 3 * a);
    if (a !== b) c.set([-x, y, z], 3 * b);
    placed.add(a).add(b);
  };
  IBUG68_FROM_FACE_MESH.forEach((v, i) => {
    if (!placed.has(v)) place(v, IBUG68_FROM_FACE_MESH[IBUG68_MIRROR[i]]);
  });
  const rest = Array.from({ length: NUM_MESH_POINTS }, (_, k) => k).filter((k) => !placed.has(k));
  for (let j = 0; j < rest.length; j += 2) place(rest[j], rest[j + 1] ?? rest[j]);
  return c;
}

describe('iBUG-68 regressor', () => {
  const shipped = validateIbug68Regressor(
    JSON.parse(fs.readFileSync(path.join('weights', 'ibug68-regressor.json'), 'utf8')),
  );

  it('ships 68 points whose weights sum to 1, each anchored on its nearest-vertex entry', () => {
    assert.equal(shipped.points.length, 68);
    shipped.points.forEach((p, i) => {
      assert.equal(p.vertices[0], IBUG68_FROM_FACE_MESH[i], `point ${i}`);
      assert.ok(Math.abs(p.weights.reduce((s, w) => s + w, 0) - 1) < 1e-5);
    });
  });

  it('is mirror-symmetric: a point and its mirror partner use equally many points with the same weights', () => {
    shipped.points.forEach((p, i) => {
      const q = shipped.points[IBUG68_MIRROR[i]];
      assert.equal(q.vertices.length, p.vertices.length);
      const sorted = (w: number[]) => [...w].sort((a, b) => a - b);
      sorted(p.weights).forEach((w, k) =>
        assert.ok(Math.abs(w - sorted(q.weights)[k]) < 2e-3, `points ${i} and ${IBUG68_MIRROR[i]}`),
      );
    });
  });

  it('applies the weights to x, y and z, so it commutes with moving the mesh', () => {
    const mesh = randomMesh(7);
    const a = ibug68Landmarks(mesh);
    const moved = mesh.map((v, k) => (k % 3 === 0 ? 2 * v + 10 : k % 3 === 1 ? 2 * v - 5 : 2 * v));
    const b = ibug68Landmarks(moved);
    for (let i = 0; i < 68; i++) {
      assert.ok(Math.abs(b[3 * i] - (2 * a[3 * i] + 10)) < 1e-2);
      assert.ok(Math.abs(b[3 * i + 1] - (2 * a[3 * i + 1] - 5)) < 1e-2);
    }
    const p = shipped.points[30];
    const x = p.vertices.reduce((s, v, k) => s + p.weights[k] * mesh[3 * v], 0);
    assert.ok(Math.abs(a[3 * 30] - x) < 1e-3);
  });

  it('reads the nearest-vertex map back exactly with the unfitted regressor', () => {
    const mesh = randomMesh(3);
    const out = ibug68Landmarks(mesh, undefined, nearestVertexRegressor());
    IBUG68_FROM_FACE_MESH.forEach((v, i) => assert.equal(out[3 * i + 1], mesh[3 * v + 1]));
  });

  it('rejects a short landmark array and a broken table with typed errors', () => {
    assert.throws(
      () => ibug68Landmarks(new Float32Array(100)),
      (e) => isCpemError(e, 'INVALID_ARGUMENT') && /468 × 3/.test(e.message),
    );
    const broken = structuredClone(shipped) as Ibug68RegressorFile;
    broken.points[5].weights[0] += 0.5;
    assert.throws(
      () => validateIbug68Regressor(broken),
      (e) => isCpemError(e, 'WEIGHTS_CORRUPT') && /point 5/.test(e.message) && /fit:ibug68/.test(e.message),
    );
    assert.throws(
      () => validateIbug68Regressor({ format: 'x' }),
      (e) => isCpemError(e, 'WEIGHTS_CORRUPT'),
    );
  });

  describe('fit', () => {
    const canonical = symmetricCanonical();
    // Truth: each sided iBUG point is 0.7 × its anchor + 0.3 × the canonical point nearest to it, which mirrors
    // consistently; a centre point (its own mirror) is its anchor, as its nearest points come in equidistant pairs.
    const truthOf = (mesh: Float32Array) => {
      const t = new Float64Array(136);
      IBUG68_FROM_FACE_MESH.forEach((v, i) => {
        const second = IBUG68_MIRROR[i] === i ? v : meshNeighbours(canonical, v, 2)[1];
        t[2 * i] = 0.7 * mesh[3 * v] + 0.3 * mesh[3 * second];
        t[2 * i + 1] = 0.7 * mesh[3 * v + 1] + 0.3 * mesh[3 * second + 1];
      });
      return t;
    };
    const samples: RegressorSample[] = Array.from({ length: 40 }, (_, n) => {
      const mesh = randomMesh(n + 1);
      return { mesh, stride: 3, truth: truthOf(mesh), group: `p${n % 4}`, weight: 1 };
    });

    it('recovers a known combination of neighbouring points, which the nearest-vertex map misses', () => {
      const fit = fitIbug68Regressor(samples, canonical, 4, 1e-6);
      assert.ok(meanNmeOf(fit, samples) < 1e-3, `fitted NME ${meanNmeOf(fit, samples)}`);
      assert.ok(meanNmeOf(nearestVertexRegressor(), samples) > 0.05);
      fit.points.forEach((p) => assert.ok(Math.abs(p.weights.reduce((s, w) => s + w, 0) - 1) < 1e-9));
    });

    it('cross-validation scores the grid per held-out person and prefers the combination over a single point', () => {
      const rows = crossValidate(samples, canonical, [
        { neighbours: 1, lambda: 0 },
        { neighbours: 4, lambda: 1e-6 },
      ]);
      assert.deepEqual(Object.keys(rows[0].perGroup), ['p0', 'p1', 'p2', 'p3']);
      assert.ok(rows[1].mean < 0.1 * rows[0].mean, `${rows[1].mean} vs ${rows[0].mean}`);
      assert.throws(() => crossValidate(samples.slice(0, 1), canonical, [{ neighbours: 1, lambda: 0 }]), /two groups/);
    });
  });
});
