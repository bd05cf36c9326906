/** Small geometry helpers for the face-model build: closest points, boundary loops, mirror maps. */

export type Vec3 = [number, number, number];

export const get3 = (a: ArrayLike<number>, i: number): Vec3 => [a[i * 3], a[i * 3 + 1], a[i * 3 + 2]];
export const sub = (a: Vec3, b: Vec3): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
export const add = (a: Vec3, b: Vec3): Vec3 => [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
export const scale = (a: Vec3, s: number): Vec3 => [a[0] * s, a[1] * s, a[2] * s];
export const dot = (a: Vec3, b: Vec3): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
export const cross = (a: Vec3, b: Vec3): Vec3 => [
  a[1] * b[2] - a[2] * b[1],
  a[2] * b[0] - a[0] * b[2],
  a[0] * b[1] - a[1] * b[0],
];
export const norm = (a: Vec3): number => Math.hypot(a[0], a[1], a[2]);

/** Closest point to p on triangle (a, b, c), as barycentric weights (Ericson, Real-Time Collision Detection 5.1.5). */
export function closestOnTriangle(p: Vec3, a: Vec3, b: Vec3, c: Vec3): Vec3 {
  const ab = sub(b, a),
    ac = sub(c, a),
    ap = sub(p, a);
  const d1 = dot(ab, ap),
    d2 = dot(ac, ap);
  if (d1 <= 0 && d2 <= 0) return [1, 0, 0];
  const bp = sub(p, b);
  const d3 = dot(ab, bp),
    d4 = dot(ac, bp);
  if (d3 >= 0 && d4 <= d3) return [0, 1, 0];
  const vc = d1 * d4 - d3 * d2;
  if (vc <= 0 && d1 >= 0 && d3 <= 0) {
    const v = d1 / (d1 - d3);
    return [1 - v, v, 0];
  }
  const cp = sub(p, c);
  const d5 = dot(ab, cp),
    d6 = dot(ac, cp);
  if (d6 >= 0 && d5 <= d6) return [0, 0, 1];
  const vb = d5 * d2 - d1 * d6;
  if (vb <= 0 && d2 >= 0 && d6 <= 0) {
    const w = d2 / (d2 - d6);
    return [1 - w, 0, w];
  }
  const va = d3 * d6 - d5 * d4;
  if (va <= 0 && d4 - d3 >= 0 && d5 - d6 >= 0) {
    const w = (d4 - d3) / (d4 - d3 + (d5 - d6));
    return [0, 1 - w, w];
  }
  const denom = 1 / (va + vb + vc);
  const v = vb * denom,
    w = vc * denom;
  return [1 - v - w, v, w];
}

/** A point on a mesh: triangle index and barycentric weights. */
export interface BaryPoint {
  tri: number;
  w: Vec3;
}

export function baryPosition(pos: ArrayLike<number>, tris: ArrayLike<number>, p: BaryPoint): Vec3 {
  let out: Vec3 = [0, 0, 0];
  for (let c = 0; c < 3; c++) out = add(out, scale(get3(pos, tris[p.tri * 3 + c]), p.w[c]));
  return out;
}

/** Closest point on the surface made of the listed triangles (brute force with a bounding-sphere cull). */
export class SurfaceQuery {
  private readonly centre: Float64Array;
  private readonly radius: Float64Array;
  constructor(
    private readonly pos: ArrayLike<number>,
    private readonly tris: ArrayLike<number>,
    private readonly list: readonly number[],
  ) {
    this.centre = new Float64Array(list.length * 3);
    this.radius = new Float64Array(list.length);
    list.forEach((f, k) => {
      const [a, b, c] = [0, 1, 2].map((i) => get3(pos, tris[f * 3 + i]));
      const m = scale(add(add(a, b), c), 1 / 3);
      this.centre.set(m, k * 3);
      this.radius[k] = Math.max(norm(sub(a, m)), norm(sub(b, m)), norm(sub(c, m)));
    });
  }

  /** Closest points on every triangle within `slack` of the nearest distance. */
  within(p: Vec3, slack: number): BaryPoint[] {
    const d0 = this.closest(p).distance;
    const out: BaryPoint[] = [];
    for (let k = 0; k < this.list.length; k++) {
      const dc = Math.hypot(p[0] - this.centre[k * 3], p[1] - this.centre[k * 3 + 1], p[2] - this.centre[k * 3 + 2]);
      if (dc - this.radius[k] > d0 + slack) continue;
      const f = this.list[k];
      const w = closestOnTriangle(
        p,
        ...([0, 1, 2].map((i) => get3(this.pos, this.tris[f * 3 + i])) as [Vec3, Vec3, Vec3]),
      );
      if (norm(sub(p, baryPosition(this.pos, this.tris, { tri: f, w }))) <= d0 + slack) out.push({ tri: f, w });
    }
    return out;
  }

  closest(p: Vec3): { point: BaryPoint; distance: number } {
    let best = Infinity;
    let bestPoint: BaryPoint = { tri: -1, w: [1, 0, 0] };
    for (let k = 0; k < this.list.length; k++) {
      const dc = Math.hypot(p[0] - this.centre[k * 3], p[1] - this.centre[k * 3 + 1], p[2] - this.centre[k * 3 + 2]);
      if (dc - this.radius[k] >= best) continue;
      const f = this.list[k];
      const w = closestOnTriangle(
        p,
        ...([0, 1, 2].map((i) => get3(this.pos, this.tris[f * 3 + i])) as [Vec3, Vec3, Vec3]),
      );
      const d = norm(sub(p, baryPosition(this.pos, this.tris, { tri: f, w })));
      if (d < best) {
        best = d;
        bestPoint = { tri: f, w };
      }
    }
    return { point: bestPoint, distance: best };
  }
}

/** Boundary loops (ordered vertex lists) of the surface made of the listed triangles. */
export function boundaryLoops(tris: ArrayLike<number>, list: readonly number[]): number[][] {
  const count = new Map<string, number>();
  const directed = new Map<number, number>();
  const key = (a: number, b: number) => (a < b ? `${a},${b}` : `${b},${a}`);
  for (const f of list) {
    for (let c = 0; c < 3; c++) {
      const a = tris[f * 3 + c],
        b = tris[f * 3 + ((c + 1) % 3)];
      count.set(key(a, b), (count.get(key(a, b)) ?? 0) + 1);
    }
  }
  for (const f of list) {
    for (let c = 0; c < 3; c++) {
      const a = tris[f * 3 + c],
        b = tris[f * 3 + ((c + 1) % 3)];
      if (count.get(key(a, b)) === 1) directed.set(a, b);
    }
  }
  const loops: number[][] = [];
  const seen = new Set<number>();
  for (const start of directed.keys()) {
    if (seen.has(start)) continue;
    const loop: number[] = [];
    for (let v: number | undefined = start; v !== undefined && !seen.has(v); v = directed.get(v)) {
      seen.add(v);
      loop.push(v);
    }
    loops.push(loop);
  }
  return loops;
}

/**
 * For each vertex in [start, end), the vertex of the same range nearest to its mirror image (x → −x).
 * Returns the map and the largest mismatch distance.
 */
export function mirrorMap(
  pos: ArrayLike<number>,
  ranges: ReadonlyArray<readonly [number, number]>,
  total: number,
): { map: Int32Array; worst: number } {
  const map = new Int32Array(total).fill(-1);
  let worst = 0;
  // A uniform grid keeps the search local.
  const cell = 0.5;
  const grid = new Map<string, number[]>();
  const k = (x: number, y: number, z: number) =>
    `${Math.floor(x / cell)},${Math.floor(y / cell)},${Math.floor(z / cell)}`;
  for (const [s, e] of ranges)
    for (let v = s; v < e; v++) {
      const key = k(pos[v * 3], pos[v * 3 + 1], pos[v * 3 + 2]);
      const list = grid.get(key);
      if (list) list.push(v);
      else grid.set(key, [v]);
    }
  for (const [s, e] of ranges)
    for (let v = s; v < e; v++) {
      const q: Vec3 = [-pos[v * 3], pos[v * 3 + 1], pos[v * 3 + 2]];
      let best = Infinity,
        bi = -1;
      for (let r = 1; bi < 0 || r <= 2; r++) {
        const [cx, cy, cz] = q.map((x) => Math.floor(x / cell));
        for (let dx = -r; dx <= r; dx++)
          for (let dy = -r; dy <= r; dy++)
            for (let dz = -r; dz <= r; dz++) {
              for (const u of grid.get(`${cx + dx},${cy + dy},${cz + dz}`) ?? []) {
                const d = Math.hypot(pos[u * 3] - q[0], pos[u * 3 + 1] - q[1], pos[u * 3 + 2] - q[2]);
                if (d < best) {
                  best = d;
                  bi = u;
                }
              }
            }
        if (r > 20) break;
      }
      map[v] = bi;
      worst = Math.max(worst, best);
    }
  return { map, worst };
}
