// `npm run build:face-model`: builds weights/face-model.bin from the ICT face model arrays and MediaPipe's canonical
// face mesh in ../shared/face-data (see docs/face-model.md).
//   node tools/run-node.mjs training/cli/build-face-model.ts -- [--shared DIR] [--out FILE]
import fs from 'node:fs';
import path from 'node:path';
import { EXPRESSION_UNITS, MIRRORED_UNIT_INDEX } from '../../plugin/units/expression-units.js';
import { IBUG68_FROM_FACE_MESH } from '../../plugin/landmarks/ibug68-from-face-mesh.js';
import { readCanonicalFaceMesh } from '../node/canonical-mesh.js';
import { encodeFaceModelFile } from '../../plugin/face-model/face-model-format.js';
import { ICT_UNIT_RECIPE_LIST } from '../lib/face-model-build/ict-unit-mapping.js';
import { decimateSymmetric } from '../lib/face-model-build/decimate.js';
import {
  baryPosition,
  boundaryLoops,
  get3,
  mirrorMap,
  norm,
  sub,
  SurfaceQuery,
  type BaryPoint,
  type Vec3,
} from '../lib/face-model-build/geometry.js';
import { registerCanonical } from '../lib/face-model-build/register-canonical.js';
import { solveSpd } from '../lib/face-model-build/linalg.js';
import { readCliArgs } from '../node/cli-support.js';
import { sharedPath } from '../node/shared-data.js';
import { outputFile } from '../node/output-folders.js';
import type { CpemError } from '../../plugin/errors/cpem-error.js';
import { NUM_FACE_LANDMARKS, NUM_MESH_POINTS } from '../../plugin/constants.js';

const args = readCliArgs(
  { shared: 'string', out: 'string', 'face-vertices': 'string', 'eye-vertices': 'string', 'diagnose-ibug': 'boolean' },
  {
    usage:
      'usage: npm run build:face-model -- [--shared DIR] [--out FILE] [--face-vertices N] [--eye-vertices N] [--diagnose-ibug]',
  },
);
const SHARED = args.shared ?? sharedPath('face-data');
const OUT = args.out ?? 'weights/face-model.bin';
// Checked before the long build: a folder under /proc made the recursive mkdir at the end spin forever.
try {
  outputFile(OUT);
} catch (e) {
  console.error(`${(e as CpemError).code}: ${(e as Error).message}`);
  process.exit(1);
}
const FACE_TARGET = Number(args['face-vertices'] ?? '4500');
const EYE_TARGET = Number(args['eye-vertices'] ?? '1000');
const HOLE_RINGS = 2;
const IDENTITY_COUNT = 80;
const CM_TO_MM = 10;

const ictDir = path.join(SHARED, 'ict-face-model');
const mpDir = path.join(SHARED, 'mediapipe-canonical');
if (!fs.existsSync(ictDir)) {
  console.error(`build-face-model: ${ictDir} not found; pass --shared DIR (the folder holding ict-face-model/).`);
  process.exit(2);
}
const readF32 = (f: string) => {
  const b = fs.readFileSync(path.join(ictDir, f));
  return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
};
const meta = JSON.parse(fs.readFileSync(path.join(ictDir, 'model.json'), 'utf8'));
const NV: number = meta.vertexCount;
const neutral = readF32('neutral.f32').map((x) => x * CM_TO_MM);
const identityAll = readF32('identity.f32');
const expressionAll = readF32('expression.f32');
const trisBuf = fs.readFileSync(path.join(ictDir, 'triangles.u32'));
const trisAll = new Uint32Array(trisBuf.buffer, trisBuf.byteOffset, trisBuf.byteLength / 4);
const groups = fs.readFileSync(path.join(ictDir, 'triangle-groups.u8'));
const groupIndex = (name: string) => meta.triangleGroups.indexOf(name);
const trianglesOf = (...names: string[]) => {
  const ids = names.map(groupIndex);
  const out: number[] = [];
  for (let f = 0; f < groups.length; f++)
    if (ids.includes(groups[f])) out.push(trisAll[f * 3], trisAll[f * 3 + 1], trisAll[f * 3 + 2]);
  return out;
};
const log = (...a: unknown[]) => console.log(...a);

// --- 1. The 46 units at full resolution (mm), with eye rotations, made mirror-symmetric. ---
const ictIndex = (n: string) => {
  const i = meta.expressionNames.indexOf(n);
  if (i < 0) throw new Error(`no ICT shape ${n}`);
  return i;
};
const N3 = NV * 3;
const [eyeL0, eyeL1] = meta.regions.eyeballLeft as [number, number];
const [eyeR0, eyeR1] = meta.regions.eyeballRight as [number, number];
function sphereCentre(s: number, e: number): Vec3 {
  // |p|² = 2 c·p + k, linear least squares in (c, k).
  const A = new Float64Array(16),
    b = new Float64Array(4);
  for (let v = s; v <= e; v++) {
    const p = get3(neutral, v),
      row = [2 * p[0], 2 * p[1], 2 * p[2], 1],
      r = p[0] ** 2 + p[1] ** 2 + p[2] ** 2;
    for (let i = 0; i < 4; i++) {
      b[i] += row[i] * r;
      for (let j = 0; j < 4; j++) A[i * 4 + j] += row[i] * row[j];
    }
  }
  const x = solveSpd(A, b, 4);
  return [x[0], x[1], x[2]];
}
const eyeCentre = { left: sphereCentre(eyeL0, eyeL1), right: sphereCentre(eyeR0, eyeR1) };
log('eyeball centres (mm):', eyeCentre);
const units = new Float32Array(EXPRESSION_UNITS.length * N3);
ICT_UNIT_RECIPE_LIST.forEach((recipe, u) => {
  const D = units.subarray(u * N3, (u + 1) * N3);
  for (const [name, w] of recipe.terms) {
    const j = ictIndex(name);
    for (let i = 0; i < N3; i++) D[i] += w * CM_TO_MM * expressionAll[j * N3 + i];
  }
  if (recipe.eyeRotation) {
    const { eye, towards, degrees } = recipe.eyeRotation;
    const c = eyeCentre[eye];
    const [s, e] = eye === 'left' ? [eyeL0, eyeL1] : [eyeR0, eyeR1];
    // Axis: forward (+z) × target direction; Rodrigues rotation by `degrees`.
    const f: Vec3 = [0, 0, 1];
    const k0: Vec3 = [
      f[1] * towards[2] - f[2] * towards[1],
      f[2] * towards[0] - f[0] * towards[2],
      f[0] * towards[1] - f[1] * towards[0],
    ];
    const kn = norm(k0),
      k: Vec3 = [k0[0] / kn, k0[1] / kn, k0[2] / kn];
    const th = (degrees * Math.PI) / 180,
      ct = Math.cos(th),
      st = Math.sin(th);
    for (let v = s; v <= e; v++) {
      const p = sub(get3(neutral, v), c);
      const kxp: Vec3 = [k[1] * p[2] - k[2] * p[1], k[2] * p[0] - k[0] * p[2], k[0] * p[1] - k[1] * p[0]];
      const kp = k[0] * p[0] + k[1] * p[1] + k[2] * p[2];
      for (let d = 0; d < 3; d++) D[v * 3 + d] += p[d] * ct + kxp[d] * st + k[d] * kp * (1 - ct) - p[d];
    }
  }
});
const { map: mirror, worst: mirrorWorst } = mirrorMap(
  neutral,
  [
    [0, 9409],
    [eyeL0, eyeR1 + 1],
  ],
  NV,
);
let notInvolution = 0;
for (let v = 0; v < NV; v++) if (mirror[v] >= 0 && mirror[mirror[v]] !== v) notInvolution++;
log(`mirror map: worst mismatch ${mirrorWorst.toFixed(3)} mm, ${notInvolution} vertices not mutual`);
const asymmetryBefore: Record<string, number> = {};
{
  const sym = new Float32Array(units.length);
  EXPRESSION_UNITS.forEach((name, u) => {
    const mu = MIRRORED_UNIT_INDEX[u];
    let maxD = 0,
      maxAsym = 0;
    for (let v = 0; v < NV; v++) {
      const m = mirror[v];
      if (m < 0) continue;
      const a = get3(units, u * NV + v),
        b = get3(units, mu * NV + m);
      const bm: Vec3 = [-b[0], b[1], b[2]];
      maxD = Math.max(maxD, norm(a));
      maxAsym = Math.max(maxAsym, norm(sub(a, bm)));
      for (let d = 0; d < 3; d++) sym[(u * NV + v) * 3 + d] = 0.5 * (a[d] + bm[d]);
    }
    asymmetryBefore[name] = maxD > 0 ? maxAsym / maxD : 0;
  });
  units.set(sym);
}

// --- 2. Reduce the vertex set. ---
const faceTris = trianglesOf('M_Face');
const eyeTris = trianglesOf('M_ScleraLeft', 'M_IrisLeft', 'M_ScleraRight', 'M_IrisRight');
const FEAT_ID = 10;
const F = 3 + EXPRESSION_UNITS.length * 3 + FEAT_ID * 3;
const features = new Float32Array(NV * F);
for (let v = 0; v < NV; v++) {
  let o = v * F;
  for (let d = 0; d < 3; d++) features[o++] = neutral[v * 3 + d];
  for (let u = 0; u < EXPRESSION_UNITS.length; u++)
    for (let d = 0; d < 3; d++) features[o++] = units[u * N3 + v * 3 + d];
  for (let m = 0; m < FEAT_ID; m++)
    for (let d = 0; d < 3; d++) features[o++] = CM_TO_MM * identityAll[m * N3 + v * 3 + d];
}
const loopsOfList = (tris: number[]) =>
  boundaryLoops(
    tris,
    Array.from({ length: tris.length / 3 }, (_, i) => i),
  );
const faceLoops = loopsOfList(faceTris);
const lockedFace = new Set<number>(faceLoops.flat());
// The lips and lids curl into the mouth and eye openings within two rings of the hole loops; keeping those rings
// whole keeps the lip line and lid margins clean (decimating them leaves jagged slivers along the openings).
{
  const neighbours = new Map<number, Set<number>>();
  for (let f = 0; f < faceTris.length / 3; f++)
    for (let c = 0; c < 3; c++) {
      const a = faceTris[f * 3 + c],
        b = faceTris[f * 3 + ((c + 1) % 3)];
      if (!neighbours.has(a)) neighbours.set(a, new Set());
      if (!neighbours.has(b)) neighbours.set(b, new Set());
      neighbours.get(a)!.add(b);
      neighbours.get(b)!.add(a);
    }
  const holes = faceLoops
    .slice()
    .sort((a, b) => b.length - a.length)
    .slice(1);
  let ring = new Set<number>(holes.flat());
  for (let r = 0; r < HOLE_RINGS; r++) {
    const next = new Set<number>();
    for (const v of ring) for (const u of neighbours.get(v) ?? []) if (!lockedFace.has(u)) next.add(u);
    for (const v of next) {
      lockedFace.add(v);
      lockedFace.add(mirror[v]);
    }
    ring = next;
  }
}
for (const v of meta.landmarks68 as number[]) {
  lockedFace.add(v);
  lockedFace.add(mirror[v]);
}
const eyeLoopsFull = [
  ...loopsOfList(trianglesOf('M_ScleraLeft')),
  ...loopsOfList(trianglesOf('M_IrisLeft')),
  ...loopsOfList(trianglesOf('M_ScleraRight')),
  ...loopsOfList(trianglesOf('M_IrisRight')),
];
const lockedEye = new Set<number>(eyeLoopsFull.flat());
log(
  `face: ${new Set(faceTris).size} vertices, loops ${faceLoops.map((l) => l.length).join('/')}; eyes: ${new Set(eyeTris).size} vertices, loops ${eyeLoopsFull.map((l) => l.length).join('/')}`,
);
const t0 = Date.now();
const faceDec = decimateSymmetric({
  positions: neutral,
  triangles: faceTris,
  features,
  featureSize: F,
  mirror,
  locked: lockedFace,
  targetVertices: FACE_TARGET,
});
const eyeDec = decimateSymmetric({
  positions: neutral,
  triangles: eyeTris,
  features,
  featureSize: F,
  mirror,
  locked: lockedEye,
  targetVertices: EYE_TARGET,
});
log(
  `decimated in ${((Date.now() - t0) / 1000).toFixed(1)} s: face ${faceDec.keptVertices.length} vertices / ${faceDec.triangles.length / 3} triangles, eyes ${eyeDec.keptVertices.length} / ${eyeDec.triangles.length / 3}`,
);

// New numbering: face, left eyeball, right eyeball.
const keptFace = faceDec.keptVertices;
const keptEyeL = eyeDec.keptVertices.filter((v) => v >= eyeL0 && v <= eyeL1);
const keptEyeR = eyeDec.keptVertices.filter((v) => v >= eyeR0 && v <= eyeR1);
const kept = [...keptFace, ...keptEyeL, ...keptEyeR];
const V = kept.length;
const newIndex = new Int32Array(NV).fill(-1);
kept.forEach((v, i) => {
  newIndex[v] = i;
});
const groupOfTri = (t: number[], lo: number, hi: number) => {
  const out: number[] = [];
  for (let f = 0; f < t.length / 3; f++)
    if (t[f * 3] >= lo && t[f * 3] <= hi) out.push(t[f * 3], t[f * 3 + 1], t[f * 3 + 2]);
  return out;
};
const triOld = [
  ...faceDec.triangles,
  ...groupOfTri(eyeDec.triangles, eyeL0, eyeL1),
  ...groupOfTri(eyeDec.triangles, eyeR0, eyeR1),
];
const triangles = Uint32Array.from(triOld, (v) => newIndex[v]);
const TF = faceDec.triangles.length / 3;
const TL = groupOfTri(eyeDec.triangles, eyeL0, eyeL1).length / 3;
const T = triangles.length / 3;

// --- 3. Sections, quantised. ---
const mean = new Float32Array(V * 3);
kept.forEach((v, i) => mean.set(neutral.subarray(v * 3, v * 3 + 3), i * 3));
function quantise(rows: number, rowOf: (r: number, v: number, d: number) => number) {
  const q = new Int16Array(rows * V * 3),
    scales = new Float32Array(rows),
    deq = new Float32Array(rows * V * 3);
  for (let r = 0; r < rows; r++) {
    let mx = 0;
    for (let i = 0; i < V; i++) for (let d = 0; d < 3; d++) mx = Math.max(mx, Math.abs(rowOf(r, kept[i], d)));
    const s = Math.fround(mx / 32767 || 1);
    scales[r] = s;
    for (let i = 0; i < V; i++)
      for (let d = 0; d < 3; d++) {
        const k = (r * V + i) * 3 + d;
        q[k] = Math.round(rowOf(r, kept[i], d) / s);
        deq[k] = q[k] * s;
      }
  }
  return { q, scales, deq };
}
const idQ = quantise(IDENTITY_COUNT, (r, v, d) => CM_TO_MM * identityAll[r * N3 + v * 3 + d]);
const exQ = quantise(EXPRESSION_UNITS.length, (r, v, d) => units[r * N3 + v * 3 + d]);
let quantMax = 0;
for (let r = 0; r < IDENTITY_COUNT; r++) quantMax = Math.max(quantMax, idQ.scales[r] / 2);
for (let r = 0; r < EXPRESSION_UNITS.length; r++) quantMax = Math.max(quantMax, exQ.scales[r] / 2);

// --- 4. Reduction error over random α ~ N(0,1), β ~ U[0,1]. ---
let seed = 12345;
const rand = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
const faceQuery = new SurfaceQuery(
  mean,
  triangles,
  Array.from({ length: TF }, (_, f) => f),
);
const eyeQuery = new SurfaceQuery(
  mean,
  triangles,
  Array.from({ length: T - TF }, (_, f) => TF + f),
);
const allOld = [...new Set([...faceTris, ...eyeTris])].sort((a, b) => a - b);
// Each dropped vertex rides on a nearby reduced triangle: among those within 2 mm of the nearest at neutral, the
// one that follows it best through every unit at 1.0 (so a lip vertex does not ride on the other lip).
const unitPose = (u: number, src: Float32Array, n: number, base: Float32Array) => {
  const p = Float32Array.from(base);
  for (let i = 0; i < n * 3; i++) p[i] += src[u * n * 3 + i];
  return p;
};
const fullPoses = EXPRESSION_UNITS.map((_, u) => unitPose(u, units, NV, neutral));
const redPoses = EXPRESSION_UNITS.map((_, u) => unitPose(u, exQ.deq, V, mean));
const embed = allOld.map((v) => {
  if (newIndex[v] >= 0) return null;
  const cands = (v >= eyeL0 ? eyeQuery : faceQuery).within(get3(neutral, v), 2);
  let best = Infinity,
    out = cands[0];
  for (const c of cands) {
    let e = 0;
    for (let u = 0; u < fullPoses.length; u++)
      e += norm(sub(baryPosition(redPoses[u], triangles, c), get3(fullPoses[u], v)));
    if (e < best) {
      best = e;
      out = c;
    }
  }
  return out;
});
const SAMPLES = 16;
const worstDropped = { err: 0, v: -1, p: [0, 0, 0] as Vec3 };
let errSum = 0,
  errCount = 0,
  errMax = 0,
  quantSum = 0,
  quantCount = 0,
  quantSampleMax = 0;
for (let sIdx = 0; sIdx < SAMPLES; sIdx++) {
  const alpha = Array.from({ length: IDENTITY_COUNT }, gauss),
    beta = Array.from({ length: EXPRESSION_UNITS.length }, rand);
  const full = Float32Array.from(neutral);
  for (let m = 0; m < IDENTITY_COUNT; m++)
    for (let i = 0; i < N3; i++) full[i] += alpha[m] * CM_TO_MM * identityAll[m * N3 + i];
  for (let u = 0; u < beta.length; u++) for (let i = 0; i < N3; i++) full[i] += beta[u] * units[u * N3 + i];
  const red = Float32Array.from(mean);
  for (let m = 0; m < IDENTITY_COUNT; m++) for (let i = 0; i < V * 3; i++) red[i] += alpha[m] * idQ.deq[m * V * 3 + i];
  for (let u = 0; u < beta.length; u++) for (let i = 0; i < V * 3; i++) red[i] += beta[u] * exQ.deq[u * V * 3 + i];
  allOld.forEach((v, k) => {
    const e = embed[k];
    const p = e ? baryPosition(red, triangles, e) : get3(red, newIndex[v]);
    const err = norm(sub(p, get3(full, v)));
    if (err > worstDropped.err) Object.assign(worstDropped, { err, v, p: get3(full, v) });
    if (e) {
      errSum += err;
      errCount++;
      errMax = Math.max(errMax, err);
    } else {
      quantSum += err;
      quantCount++;
      quantSampleMax = Math.max(quantSampleMax, err);
    }
  });
}
const reduction = {
  sourceVertices: allOld.length,
  keptVertices: V,
  samples: SAMPLES,
  droppedVertexErrorMeanMm: errSum / errCount,
  droppedVertexErrorMaxMm: errMax,
  allVertexErrorMeanMm: (errSum + quantSum) / (errCount + quantCount),
  quantisationErrorMeanMm: quantSum / quantCount,
  quantisationErrorMaxMm: quantSampleMax,
  quantisationStepMaxMm: quantMax * 2,
};
log('reduction error:', reduction, 'worst at', worstDropped);

// --- 5. Face-mesh points: register to the canonical mesh. ---
const canonical = Float32Array.from(readCanonicalFaceMesh(mpDir), (x) => x * CM_TO_MM);
const conn = JSON.parse(fs.readFileSync(path.join(mpDir, 'connections.json'), 'utf8')).connections as Record<
  string,
  [number, number][]
>;
const setOf = (edges: [number, number][]) => new Set(edges.flat());
const lipsEdges = conn.lips;
// The inner lip contour is the loop of lip edges that holds point 13 (upper inner lip, centre).
const inner = new Set<number>([13]);
for (let grew = true; grew; ) {
  grew = false;
  for (const [a, b] of lipsEdges)
    if (inner.has(a) !== inner.has(b)) {
      inner.add(a);
      inner.add(b);
      grew = true;
    }
}
const faceLoopsNew = faceLoops.map((l) => l.map((v) => newIndex[v]));
const centroid = (l: number[]) => {
  const c = [0, 0, 0];
  for (const v of l) for (let d = 0; d < 3; d++) c[d] += mean[v * 3 + d] / l.length;
  return c;
};
const sortedLoops = faceLoopsNew.slice().sort((a, b) => b.length - a.length);
const holes = sortedLoops.slice(1);
const mouthLoop = holes.find((l) => centroid(l)[1] < 0)!;
const eyeLoopLeft = holes.find((l) => centroid(l)[1] > 0 && centroid(l)[0] > 0)!;
const eyeLoopRight = holes.find((l) => centroid(l)[1] > 0 && centroid(l)[0] < 0)!;
log(
  `face loops: outer ${sortedLoops[0].length}, mouth ${mouthLoop.length}, eyes ${eyeLoopLeft.length}/${eyeLoopRight.length}`,
);
const landmarks68 = (meta.landmarks68 as number[]).map((v) => newIndex[v]);
const t1 = Date.now();
const reg = registerCanonical({
  mean,
  identity: idQ.deq,
  identityCount: IDENTITY_COUNT,
  triangles,
  faceTriangles: Array.from({ length: TF }, (_, f) => f),
  landmarks68,
  eyeLoopLeft,
  eyeLoopRight,
  mouthLoop,
  canonical,
  ibugFromFaceMesh: IBUG68_FROM_FACE_MESH,
  initialIbug: Array.from({ length: 51 }, (_, i) => i + 17),
  leftEyeContour: setOf(conn.left_eye),
  rightEyeContour: setOf(conn.right_eye),
  innerLipContour: inner,
  lambda: 4,
  iterations: 8,
});
const res = Array.from(reg.residuals);
const meanOf = (a: number[]) => a.reduce((s, x) => s + x, 0) / a.length;
const contourIdx = [...setOf(conn.left_eye), ...setOf(conn.right_eye), ...inner];
const registration = {
  scale: reg.transform.s,
  rotation: reg.transform.R,
  translationMm: reg.transform.t,
  alpha: Array.from(reg.alpha, (x) => Number(x.toFixed(6))),
  residualMeanMm: meanOf(res),
  residualMaxMm: Math.max(...res),
  contourResidualMeanMm: meanOf(contourIdx.map((k) => res[k])),
  ibugResidualMm: Array.from(reg.ibugResiduals, (x) => Number(x.toFixed(2))),
};
log(
  `registered in ${((Date.now() - t1) / 1000).toFixed(1)} s: scale ${reg.transform.s.toFixed(4)}, residual mean ${registration.residualMeanMm.toFixed(2)} mm, max ${registration.residualMaxMm.toFixed(2)} mm, contours ${registration.contourResidualMeanMm.toFixed(2)} mm`,
);
const xyIbug = IBUG68_FROM_FACE_MESH.map((k, i) => {
  const y = reg.transform;
  const a = get3(canonical, k);
  const sR = [0, 1, 2].map((r) => y.s * (y.R[r * 3] * a[0] + y.R[r * 3 + 1] * a[1] + y.R[r * 3 + 2] * a[2]) + y.t[r]);
  const sh = Float32Array.from(mean);
  for (let m = 0; m < IDENTITY_COUNT; m++)
    for (let q = 0; q < V * 3; q++) sh[q] += reg.alpha[m] * idQ.deq[m * V * 3 + q];
  const b = get3(sh, landmarks68[i]);
  return [i, Number(Math.hypot(sR[0] - b[0], sR[1] - b[1]).toFixed(1)), Number((sR[2] - b[2]).toFixed(1))];
});
log('iBUG residual x-y and z (index, mm, mm):', JSON.stringify(xyIbug));
if (args['diagnose-ibug']) {
  const sh = Float32Array.from(mean);
  for (let m = 0; m < IDENTITY_COUNT; m++)
    for (let q = 0; q < V * 3; q++) sh[q] += reg.alpha[m] * idQ.deq[m * V * 3 + q];
  const moved = Array.from({ length: NUM_MESH_POINTS }, (_, k) => {
    const a = get3(canonical, k);
    const y = reg.transform;
    return [0, 1, 2].map((r) => y.s * (y.R[r * 3] * a[0] + y.R[r * 3 + 1] * a[1] + y.R[r * 3 + 2] * a[2]) + y.t[r]);
  });
  log(
    'nearest face-mesh point to each ICT landmark (i, current, nearest, mm):',
    JSON.stringify(
      landmarks68.map((v, i) => {
        const b = get3(sh, v);
        let bk = 0,
          bd = Infinity;
        moved.forEach((m, k) => {
          const d = Math.hypot(m[0] - b[0], m[1] - b[1], m[2] - b[2]);
          if (d < bd) {
            bd = d;
            bk = k;
          }
        });
        return [i, IBUG68_FROM_FACE_MESH[i], bk, Number(bd.toFixed(1))];
      }),
    ),
  );
}
const worstIbug = registration.ibugResidualMm
  .map((r, i) => [i, r])
  .sort((a, b) => b[1] - a[1])
  .slice(0, 8);
log('iBUG residual worst (index, mm):', JSON.stringify(worstIbug));

// Iris points: 468 right iris centre, 469..472 its rim (+x, +y, −x, −y), 473 left centre, 474..477 its rim.
const vertexPoint = (v: number): BaryPoint => {
  for (let f = 0; f < T; f++)
    for (let c = 0; c < 3; c++)
      if (triangles[f * 3 + c] === v) {
        const w: Vec3 = [0, 0, 0];
        w[c] = 1;
        return { tri: f, w };
      }
  throw new Error(`vertex ${v} in no triangle`);
};
// The ICT iris mesh is a closed shell over the front of the eyeball; the limbus is placed at the mean human visible
// iris radius (5.9 mm) around the front pole, projected onto the iris surface.
const IRIS_RADIUS_MM = 5.9;
const irisPoints = (irisGroup: string): BaryPoint[] => {
  const lo = irisGroup === 'M_IrisLeft' ? TF : TF + TL,
    hi = irisGroup === 'M_IrisLeft' ? TF + TL : T;
  const verts = [
    ...new Set(
      trianglesOf(irisGroup)
        .map((v) => newIndex[v])
        .filter((v) => v >= 0),
    ),
  ];
  const centre = verts.reduce((b, v) => (mean[v * 3 + 2] > mean[b * 3 + 2] ? v : b), verts[0]);
  const c = get3(mean, centre);
  const query = new SurfaceQuery(
    mean,
    triangles,
    Array.from({ length: hi - lo }, (_, f) => lo + f),
  );
  const dirs: Array<[number, number]> = [
    [1, 0],
    [0, 1],
    [-1, 0],
    [0, -1],
  ];
  const rim = dirs.map(
    ([dx, dy]) => query.closest([c[0] + IRIS_RADIUS_MM * dx, c[1] + IRIS_RADIUS_MM * dy, c[2]]).point,
  );
  log(`${irisGroup}: front pole at ${c.map((x) => x.toFixed(1)).join(', ')} mm`);
  return [vertexPoint(centre), ...rim];
};
const facePoints = [...reg.points, ...irisPoints('M_IrisRight'), ...irisPoints('M_IrisLeft')];
const fmTriangles = Uint32Array.from(facePoints, (p) => p.tri);
const fmWeights = Float32Array.from(facePoints.flatMap((p) => p.w));

// --- 6. Write. ---
const bytes = encodeFaceModelFile(
  {
    units: 'mm',
    vertexCount: V,
    triangleCount: T,
    identityCount: IDENTITY_COUNT,
    expressionNames: [...EXPRESSION_UNITS],
    regions: {
      face: [0, keptFace.length],
      eyeballLeft: [keptFace.length, keptFace.length + keptEyeL.length],
      eyeballRight: [keptFace.length + keptEyeL.length, V],
    },
    build: {
      source: 'ICT FaceKit face model (light), MIT; MediaPipe canonical face mesh, Apache-2.0',
      command: 'npm run build:face-model',
      triangleRanges: { face: [0, TF], eyeballLeft: [TF, TF + TL], eyeballRight: [TF + TL, T] },
      sourceVertex: kept,
      eyeballCentresMm: {
        left: eyeCentre.left.map((x) => Number(x.toFixed(3))),
        right: eyeCentre.right.map((x) => Number(x.toFixed(3))),
      },
      mouthLoop,
      eyeLoopLeft,
      eyeLoopRight,
      sourceAsymmetry: Object.fromEntries(Object.entries(asymmetryBefore).map(([k, v]) => [k, Number(v.toFixed(4))])),
      reduction,
      registration,
    },
  },
  {
    mean: { data: mean, shape: [V, 3] },
    identityScale: { data: idQ.scales, shape: [IDENTITY_COUNT] },
    identity: { data: idQ.q, shape: [IDENTITY_COUNT, V, 3] },
    expressionScale: { data: exQ.scales, shape: [EXPRESSION_UNITS.length] },
    expression: { data: exQ.q, shape: [EXPRESSION_UNITS.length, V, 3] },
    triangles: { data: Uint16Array.from(triangles), shape: [T, 3] },
    landmarks68: { data: Uint32Array.from(landmarks68), shape: [68] },
    faceMeshTriangles: { data: fmTriangles, shape: [NUM_FACE_LANDMARKS] },
    faceMeshWeights: { data: fmWeights, shape: [NUM_FACE_LANDMARKS, 3] },
  },
);
if (V > 65535) throw new Error('too many vertices for uint16 triangles');
fs.mkdirSync(path.dirname(OUT), { recursive: true });
fs.writeFileSync(OUT, bytes);
log(`wrote ${OUT}: ${V} vertices, ${T} triangles, ${(bytes.length / 1e6).toFixed(2)} MB`);
