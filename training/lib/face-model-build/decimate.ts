import { cross, dot, get3, norm, sub, type Vec3 } from './geometry.js';

/**
 * Mirror-symmetric half-edge-collapse decimation. A collapse a → b removes vertex a and re-attaches its triangles to
 * b, so the kept vertices are a subset of the input's and their data (basis rows) are copied unchanged. The cost of
 * a collapse is the distance between the two vertices in "shape space" (`features`: neutral position and every
 * unit's displacement), so areas whose expressions bend sharply (lids, lips) keep more vertices. Mirror pairs
 * (`mirror`) collapse together, so the kept set stays mirror-symmetric. `locked` vertices are never removed.
 */
export interface DecimateInput {
  readonly positions: ArrayLike<number>;
  readonly triangles: readonly number[];
  readonly features: Float32Array;
  readonly featureSize: number;
  readonly mirror: Int32Array;
  readonly locked: ReadonlySet<number>;
  /** Stop when at most this many of the input's vertices remain. */
  readonly targetVertices: number;
}

export interface DecimateResult {
  readonly keptVertices: number[];
  readonly triangles: number[];
}

class Heap {
  private readonly items: Array<[number, number, number]> = [];
  push(item: [number, number, number]): void {
    const a = this.items;
    a.push(item);
    for (let i = a.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (a[p][0] <= a[i][0]) break;
      [a[p], a[i]] = [a[i], a[p]];
      i = p;
    }
  }
  pop(): [number, number, number] | undefined {
    const a = this.items;
    if (a.length === 0) return undefined;
    const top = a[0];
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1,
          r = l + 1;
        let m = i;
        if (l < a.length && a[l][0] < a[m][0]) m = l;
        if (r < a.length && a[r][0] < a[m][0]) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i], a[m]];
        i = m;
      }
    }
    return top;
  }
}

export function decimateSymmetric(input: DecimateInput): DecimateResult {
  const { positions, features, featureSize: F, mirror, locked } = input;
  const tris = input.triangles.slice();
  const T = tris.length / 3;
  const alive = new Uint8Array(T).fill(1);
  const incident = new Map<number, Set<number>>();
  for (let f = 0; f < T; f++)
    for (let c = 0; c < 3; c++) {
      const v = tris[f * 3 + c];
      if (!incident.has(v)) incident.set(v, new Set());
      incident.get(v)!.add(f);
    }
  let remaining = incident.size;
  const cost = (a: number, b: number) => {
    let s = 0;
    for (let k = 0; k < F; k++) s += (features[a * F + k] - features[b * F + k]) ** 2;
    return Math.sqrt(s);
  };
  const ring = (v: number): Set<number> => {
    const out = new Set<number>();
    for (const f of incident.get(v) ?? [])
      for (let c = 0; c < 3; c++) if (tris[f * 3 + c] !== v) out.add(tris[f * 3 + c]);
    return out;
  };
  // Normals of the input surface at each vertex: a new triangle must face the way the surface faced at all three
  // corners, which bounds the drift that a chain of individually small flips could build up.
  const vertexNormal = new Map<number, Vec3>();
  for (let f = 0; f < T; f++) {
    const vs = [0, 1, 2].map((c) => tris[f * 3 + c]);
    const n = cross(
      sub(get3(positions, vs[1]), get3(positions, vs[0])),
      sub(get3(positions, vs[2]), get3(positions, vs[0])),
    );
    for (const v of vs) {
      const acc = vertexNormal.get(v) ?? [0, 0, 0];
      vertexNormal.set(v, [acc[0] + n[0], acc[1] + n[1], acc[2] + n[2]]);
    }
  }
  for (const [v, n] of vertexNormal) {
    const l = norm(n) || 1;
    vertexNormal.set(v, [n[0] / l, n[1] / l, n[2] / l]);
  }
  const heap = new Heap();
  const pushAround = (v: number) => {
    for (const u of ring(v)) {
      heap.push([cost(u, v), u, v]);
      heap.push([cost(u, v), v, u]);
    }
  };
  for (const v of incident.keys()) pushAround(v);

  const normalOf = (p: Vec3, q: Vec3, r: Vec3): Vec3 => cross(sub(q, p), sub(r, p));
  // May a → b be collapsed? Link condition, no flipped or needle triangles.
  const valid = (a: number, b: number): boolean => {
    if (locked.has(a) || !incident.has(a) || !incident.has(b)) return false;
    const ra = ring(a),
      rb = ring(b);
    if (!ra.has(b)) return false;
    const shared = [...incident.get(a)!].filter((f) => incident.get(b)!.has(f));
    if (shared.length === 0 || shared.length > 2) return false;
    const opposite = new Set<number>();
    for (const f of shared)
      for (let c = 0; c < 3; c++) {
        const v = tris[f * 3 + c];
        if (v !== a && v !== b) opposite.add(v);
      }
    for (const v of ra) if (v !== b && rb.has(v) && !opposite.has(v)) return false;
    // A boundary edge may only collapse along the boundary: the shared count 1 means a boundary edge; a is unlocked,
    // and all boundary vertices are locked, so this cannot occur, but keep the guard.
    if (shared.length === 1) return false;
    const pb = get3(positions, b);
    for (const f of incident.get(a)!) {
      if (shared.includes(f)) continue;
      const vs = [0, 1, 2].map((c) => tris[f * 3 + c]);
      const before = vs.map((v) => get3(positions, v)) as [Vec3, Vec3, Vec3];
      const after = vs.map((v) => (v === a ? pb : get3(positions, v))) as [Vec3, Vec3, Vec3];
      const n0 = normalOf(...before),
        n1 = normalOf(...after);
      const l0 = norm(n0),
        l1 = norm(n1);
      if (l1 < 1e-12 || dot(n0, n1) < 0.5 * l0 * l1) return false;
      for (const v of vs) if (dot(n1, vertexNormal.get(v === a ? b : v)!) < 0.5 * l1) return false;
      const e2 = [sub(after[1], after[0]), sub(after[2], after[1]), sub(after[0], after[2])].reduce(
        (s, e) => s + dot(e, e),
        0,
      );
      if ((2 * Math.sqrt(3) * l1) / e2 < 0.15) return false; // 1 for equilateral, 0 for a needle
    }
    return true;
  };
  const collapse = (a: number, b: number) => {
    for (const f of [...incident.get(a)!]) {
      const has = [0, 1, 2].some((c) => tris[f * 3 + c] === b);
      if (has) {
        alive[f] = 0;
        for (let c = 0; c < 3; c++) incident.get(tris[f * 3 + c])?.delete(f);
      } else {
        for (let c = 0; c < 3; c++) if (tris[f * 3 + c] === a) tris[f * 3 + c] = b;
        incident.get(b)!.add(f);
      }
    }
    incident.delete(a);
    remaining--;
  };

  while (remaining > input.targetVertices) {
    const item = heap.pop();
    if (!item) break;
    const [, a, b] = item;
    if (!incident.has(a) || !incident.has(b)) continue;
    const ma = mirror[a],
      mb = mirror[b];
    const centreA = ma === a,
      centreB = mb === b;
    if (centreA !== centreB || b === ma) continue;
    if (centreA) {
      if (!valid(a, b)) continue;
      collapse(a, b);
      pushAround(b);
      continue;
    }
    // Off-centre pair: both collapses must be valid and far enough apart not to interact.
    const near = new Set([a, b, ...ring(a), ...ring(b)]);
    if (near.has(ma) || near.has(mb) || [...ring(ma), ...ring(mb)].some((v) => near.has(v))) continue;
    if (!valid(a, b) || !valid(ma, mb)) continue;
    collapse(a, b);
    collapse(ma, mb);
    pushAround(b);
    pushAround(mb);
  }
  const out: number[] = [];
  for (let f = 0; f < T; f++) if (alive[f]) out.push(tris[f * 3], tris[f * 3 + 1], tris[f * 3 + 2]);
  return { keptVertices: [...incident.keys()].sort((x, y) => x - y), triangles: out };
}
