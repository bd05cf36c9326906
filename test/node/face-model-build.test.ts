import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { applySimilarity, fitSimilarity, solveSpd } from '../../training/lib/face-model-build/linalg.js';
import { boundaryLoops, closestOnTriangle, mirrorMap } from '../../training/lib/face-model-build/geometry.js';
import { decimateSymmetric } from '../../training/lib/face-model-build/decimate.js';
import { ICT_UNIT_RECIPES, formatRecipe } from '../../training/lib/face-model-build/ict-unit-mapping.js';

describe('face model build helpers', () => {
  it('fitSimilarity recovers a known scale, rotation and translation', () => {
    const c = Math.cos(0.7),
      s = Math.sin(0.7);
    // Rotation about the axis (1, 1, 0)/√2 composed with one about z, as a row-major matrix.
    const Rz = [c, -s, 0, s, c, 0, 0, 0, 1];
    const T = { s: 1.3, R: Rz, t: [5, -2, 9] as [number, number, number] };
    const x = Float64Array.from({ length: 30 }, (_, i) => Math.sin(i * 1.7) * 10);
    const y = new Float64Array(30);
    for (let i = 0; i < 10; i++) y.set(applySimilarity(T, x.subarray(i * 3, i * 3 + 3)), i * 3);
    const fit = fitSimilarity(x, y);
    assert.ok(Math.abs(fit.s - 1.3) < 1e-9);
    fit.R.forEach((r, i) => assert.ok(Math.abs(r - Rz[i]) < 1e-9));
    fit.t.forEach((t, i) => assert.ok(Math.abs(t - T.t[i]) < 1e-8));
  });

  it('solveSpd solves a regularised system', () => {
    const A = Float64Array.from([4, 1, 1, 3]);
    const x = solveSpd(A, Float64Array.from([1, 2]), 2, 1);
    // (A + I) x = b: [[5, 1], [1, 4]] x = [1, 2].
    assert.ok(Math.abs(5 * x[0] + x[1] - 1) < 1e-12 && Math.abs(x[0] + 4 * x[1] - 2) < 1e-12);
  });

  it('closestOnTriangle returns barycentric weights of the closest point', () => {
    const a: [number, number, number] = [0, 0, 0],
      b: [number, number, number] = [2, 0, 0],
      c: [number, number, number] = [0, 2, 0];
    assert.deepEqual(
      closestOnTriangle([0.5, 0.5, 3], a, b, c).map((w) => Number(w.toFixed(6))),
      [0.5, 0.25, 0.25],
    );
    assert.deepEqual(closestOnTriangle([3, -1, 0], a, b, c), [0, 1, 0]);
    assert.deepEqual(
      closestOnTriangle([1, -1, 0], a, b, c).map((w) => Number(w.toFixed(6))),
      [0.5, 0.5, 0],
    );
  });

  it('decimates a symmetric grid symmetrically, keeping locked and boundary vertices', () => {
    // A 13 × 9 grid in x ∈ [−6, 6], y ∈ [0, 8], a hole-free sheet: its outer loop is locked.
    const W = 13,
      H = 9;
    const pos = new Float32Array(W * H * 3);
    for (let j = 0; j < H; j++) for (let i = 0; i < W; i++) pos.set([i - 6, j, 0.05 * (i - 6) ** 2], (j * W + i) * 3);
    const tris: number[] = [];
    for (let j = 0; j < H - 1; j++)
      for (let i = 0; i < W - 1; i++) {
        const v = j * W + i;
        // Split each quad along the diagonal that mirrors onto the mirrored quad's.
        if (i < 6) tris.push(v, v + 1, v + W + 1, v, v + W + 1, v + W);
        else tris.push(v, v + 1, v + W, v + 1, v + W + 1, v + W);
      }
    const { map } = mirrorMap(pos, [[0, W * H]], W * H);
    const boundary = new Set(
      boundaryLoops(
        tris,
        Array.from({ length: tris.length / 3 }, (_, f) => f),
      ).flat(),
    );
    assert.equal(boundary.size, 2 * (W + H) - 4);
    const features = Float32Array.from(pos);
    const locked = new Set([...boundary, 4 * W + 3, map[4 * W + 3]]);
    const out = decimateSymmetric({
      positions: pos,
      triangles: tris,
      features,
      featureSize: 3,
      mirror: map,
      locked,
      targetVertices: 60,
    });
    const kept = new Set(out.keptVertices);
    assert.ok(kept.size <= 62 && kept.size < W * H, `${kept.size} kept`);
    for (const v of locked) assert.ok(kept.has(v), `locked vertex ${v} kept`);
    for (const v of kept) assert.ok(kept.has(map[v]), `mirror of ${v} kept`);
    // Still a sheet with one boundary loop and no flipped triangle (all normals keep the input's +z side).
    assert.equal(
      boundaryLoops(
        out.triangles,
        Array.from({ length: out.triangles.length / 3 }, (_, f) => f),
      ).length,
      1,
    );
    for (let f = 0; f < out.triangles.length / 3; f++) {
      const [p, q, r] = [0, 1, 2].map((k) => out.triangles[f * 3 + k]);
      const ux = pos[q * 3] - pos[p * 3],
        uy = pos[q * 3 + 1] - pos[p * 3 + 1];
      const vx = pos[r * 3] - pos[p * 3],
        vy = pos[r * 3 + 1] - pos[p * 3 + 1];
      assert.ok(ux * vy - uy * vx > 0, `triangle ${f} flipped`);
    }
  });

  it('formats recipes as the docs table lists them', () => {
    assert.equal(formatRecipe(ICT_UNIT_RECIPES.browInnerUp), 'browInnerUp_L + browInnerUp_R');
    assert.equal(formatRecipe(ICT_UNIT_RECIPES.lipUpperUp), 'mouthShrugUpper − 0.5·mouthRollUpper');
    assert.equal(formatRecipe(ICT_UNIT_RECIPES.eyeLookUp_L), 'eyeLookUp_L + left eyeball turned up 25°');
  });
});
