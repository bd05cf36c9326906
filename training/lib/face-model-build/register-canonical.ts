import { applySimilarity, fitSimilarity, solveSpd, type Similarity } from './linalg.js';
import { baryPosition, get3, norm, sub, SurfaceQuery, type BaryPoint, type Vec3 } from './geometry.js';

/**
 * Registers the face model to MediaPipe's canonical face mesh and places the 468 face-mesh points on the model
 * surface: a similarity on the iBUG points both share, then identity fitting, then closest-point refinement. The
 * face-mesh eye contours and inner-lip contour are matched to the model's eye and mouth boundary loops (the lid
 * margins and the lip opening), every other point to the nearest point of the face surface.
 */
export interface RegistrationInput {
  readonly mean: Float32Array;
  readonly identity: Float32Array;
  readonly identityCount: number;
  readonly triangles: Uint32Array;
  readonly faceTriangles: readonly number[];
  readonly landmarks68: readonly number[];
  readonly eyeLoopLeft: readonly number[];
  readonly eyeLoopRight: readonly number[];
  readonly mouthLoop: readonly number[];
  /** 468 canonical points, mm, model axes. */
  readonly canonical: Float32Array;
  /** iBUG index → face-mesh index. */
  readonly ibugFromFaceMesh: readonly number[];
  /** iBUG indices used for the initial similarity (the inner 51: the jaw contour differs in meaning). */
  readonly initialIbug: readonly number[];
  readonly leftEyeContour: ReadonlySet<number>;
  readonly rightEyeContour: ReadonlySet<number>;
  readonly innerLipContour: ReadonlySet<number>;
  /** Prior weight on α (mm²). */
  readonly lambda: number;
  readonly iterations: number;
}

export interface RegistrationResult {
  readonly transform: Similarity;
  readonly alpha: Float64Array;
  readonly points: BaryPoint[];
  readonly residuals: Float64Array;
  readonly ibugResiduals: Float64Array;
}

type Target = { point: BaryPoint; y: Vec3 };

export function registerCanonical(inp: RegistrationInput): RegistrationResult {
  const { mean, identity, identityCount: K, triangles } = inp;
  const V = mean.length / 3;
  const shape = (alpha: Float64Array): Float32Array => {
    const s = Float32Array.from(mean);
    for (let m = 0; m < K; m++)
      if (alpha[m] !== 0) for (let i = 0; i < V * 3; i++) s[i] += alpha[m] * identity[m * V * 3 + i];
    return s;
  };
  const vertexPoint = (v: number): BaryPoint => {
    for (let f = 0; f < triangles.length / 3; f++)
      for (let c = 0; c < 3; c++)
        if (triangles[f * 3 + c] === v) {
          const w: Vec3 = [0, 0, 0];
          w[c] = 1;
          return { tri: f, w };
        }
    throw new Error(`vertex ${v} is in no triangle`);
  };
  const fitAlpha = (targets: Target[]): Float64Array => {
    const AtA = new Float64Array(K * K),
      Atb = new Float64Array(K);
    const row = new Float64Array(K);
    for (const { point, y } of targets) {
      for (let d = 0; d < 3; d++) {
        row.fill(0);
        let m0 = 0;
        for (let c = 0; c < 3; c++) {
          const v = triangles[point.tri * 3 + c],
            w = point.w[c];
          if (w === 0) continue;
          m0 += w * mean[v * 3 + d];
          for (let m = 0; m < K; m++) row[m] += w * identity[m * V * 3 + v * 3 + d];
        }
        const r = y[d] - m0;
        for (let i = 0; i < K; i++) {
          Atb[i] += row[i] * r;
          for (let j = 0; j < K; j++) AtA[i * K + j] += row[i] * row[j];
        }
      }
    }
    return solveSpd(AtA, Atb, K, inp.lambda);
  };
  const fitTransform = (src: number[], pts: BaryPoint[], s: Float32Array): Similarity => {
    const x = new Float64Array(src.length * 3),
      y = new Float64Array(src.length * 3);
    src.forEach((k, i) => {
      x.set(get3(inp.canonical, k), i * 3);
      y.set(baryPosition(s, triangles, pts[i]), i * 3);
    });
    return fitSimilarity(x, y);
  };

  // 1. Similarity on the shared iBUG points, then identity, alternating.
  const ibugSrc = inp.initialIbug.map((i) => inp.ibugFromFaceMesh[i]);
  const ibugPts = inp.initialIbug.map((i) => vertexPoint(inp.landmarks68[i]));
  let alpha: Float64Array = new Float64Array(K);
  let T = fitTransform(ibugSrc, ibugPts, shape(alpha));
  for (let it = 0; it < 5; it++) {
    alpha = fitAlpha(ibugSrc.map((k, i) => ({ point: ibugPts[i], y: applySimilarity(T, get3(inp.canonical, k)) })));
    T = fitTransform(ibugSrc, ibugPts, shape(alpha));
  }

  // 2. Closest-point refinement over all 468 points.
  const edgeTriangle = new Map<string, number>();
  for (const f of inp.faceTriangles)
    for (let c = 0; c < 3; c++) {
      edgeTriangle.set(`${triangles[f * 3 + c]},${triangles[f * 3 + ((c + 1) % 3)]}`, f);
    }
  const onLoop = (loop: readonly number[], s: Float32Array, p: Vec3): BaryPoint => {
    let best = Infinity,
      out: BaryPoint | null = null;
    for (let i = 0; i < loop.length; i++) {
      const u = loop[i],
        v = loop[(i + 1) % loop.length];
      const a = get3(s, u),
        b = get3(s, v),
        ab = sub(b, a);
      const t = Math.min(
        1,
        Math.max(
          0,
          (ab[0] * (p[0] - a[0]) + ab[1] * (p[1] - a[1]) + ab[2] * (p[2] - a[2])) /
            (ab[0] ** 2 + ab[1] ** 2 + ab[2] ** 2),
        ),
      );
      const q: Vec3 = [a[0] + t * ab[0], a[1] + t * ab[1], a[2] + t * ab[2]];
      const d = norm(sub(p, q));
      if (d >= best) continue;
      const f = edgeTriangle.get(`${u},${v}`) ?? edgeTriangle.get(`${v},${u}`);
      if (f === undefined) throw new Error(`boundary edge ${u}-${v} has no triangle`);
      const w: Vec3 = [0, 0, 0];
      for (let c = 0; c < 3; c++) {
        if (triangles[f * 3 + c] === u) w[c] = 1 - t;
        if (triangles[f * 3 + c] === v) w[c] = t;
      }
      best = d;
      out = { tri: f, w };
    }
    return out!;
  };
  const N = inp.canonical.length / 3;
  const all = Array.from({ length: N }, (_, k) => k);
  let points: BaryPoint[] = [];
  const correspond = (s: Float32Array): BaryPoint[] => {
    const query = new SurfaceQuery(s, triangles, inp.faceTriangles);
    return all.map((k) => {
      const y = applySimilarity(T, get3(inp.canonical, k));
      if (inp.leftEyeContour.has(k)) return onLoop(inp.eyeLoopLeft, s, y);
      if (inp.rightEyeContour.has(k)) return onLoop(inp.eyeLoopRight, s, y);
      if (inp.innerLipContour.has(k)) return onLoop(inp.mouthLoop, s, y);
      return query.closest(y).point;
    });
  };
  for (let it = 0; it < inp.iterations; it++) {
    points = correspond(shape(alpha));
    alpha = fitAlpha(all.map((k) => ({ point: points[k], y: applySimilarity(T, get3(inp.canonical, k)) })));
    T = fitTransform(all, points, shape(alpha));
  }
  const s = shape(alpha);
  points = correspond(s);
  const residuals = Float64Array.from(all, (k) =>
    norm(sub(applySimilarity(T, get3(inp.canonical, k)), baryPosition(s, triangles, points[k]))),
  );
  const ibugResiduals = Float64Array.from(inp.ibugFromFaceMesh, (k, i) =>
    norm(sub(applySimilarity(T, get3(inp.canonical, k)), get3(s, inp.landmarks68[i]))),
  );
  return { transform: T, alpha, points, residuals, ibugResiduals };
}
