import { CpemError } from '../errors/cpem-error.js';

/**
 * Rigid points of the face mesh that PE-Net's input is aligned on: the nose (bridge to tip), the inner and outer
 * eye corners, the flat of the cheeks beside the nose and the middle of the forehead, in mirror pairs. Expressions
 * barely move them (the lips, lids, brows and jaw, which carry expression, are not among them), so aligning on them
 * removes head pose and distance while leaving the expression's deformation in the points.
 */
export const ALIGNMENT_POINTS: readonly number[] = [
  1, 4, 5, 6, 168, 197, 195, 151, 9, 8, 114, 343, 188, 412, 217, 437, 126, 355, 198, 420, 236, 456, 3, 248, 51, 281, 45,
  275, 44, 274, 134, 363, 220, 440, 133, 362, 33, 263,
];

/** A similarity transform taking image landmarks into the reference frame: q = scale · R · (p − centre) + refCentre. */
export interface FaceAlignment {
  /** Row-major 3 × 3 rotation (image axes x right, y up, z towards the camera → reference axes). */
  rotation: Float64Array;
  /** Reference units per image pixel. */
  scale: number;
  /** Centroid of the alignment points in the image (pixels, image axes flipped to y up, z towards the camera). */
  centre: [number, number, number];
}

/**
 * Aligns one frame's landmarks (flat [x, y, z, ...] in image pixels: y down, z growing away from the camera, as the
 * tracker gives them) by the similarity transform that best fits `points` onto `reference` (flat [x, y, z, ...], one
 * triple per entry of `points`, y up, z towards the viewer) in the least-squares sense (Horn's quaternion method).
 * Writes every landmark, aligned, into `out` ([x, y, z, ...] in the reference's frame) and returns the transform.
 */
export function alignLandmarks(
  landmarks: ArrayLike<number>,
  stride: number,
  points: readonly number[],
  reference: ArrayLike<number>,
  out: Float32Array,
): FaceAlignment {
  const count = landmarks.length / stride;
  if (
    !Number.isInteger(count) ||
    stride < 2 ||
    reference.length !== points.length * 3 ||
    out.length !== count * 3 ||
    points.some((i) => !(i >= 0 && i < count))
  ) {
    throw new CpemError(
      'INVALID_ARGUMENT',
      `alignLandmarks: ${landmarks.length} landmark values at stride ${stride} do not fit ${points.length} alignment points with ${reference.length} reference values.`,
    );
  }
  const px = (i: number) => landmarks[i * stride];
  const py = (i: number) => -landmarks[i * stride + 1];
  const pz = (i: number) => (stride >= 3 ? -landmarks[i * stride + 2] : 0);
  let ax = 0,
    ay = 0,
    az = 0,
    bx = 0,
    by = 0,
    bz = 0;
  points.forEach((i, k) => {
    ax += px(i);
    ay += py(i);
    az += pz(i);
    bx += reference[k * 3];
    by += reference[k * 3 + 1];
    bz += reference[k * 3 + 2];
  });
  const n = points.length;
  ax /= n;
  ay /= n;
  az /= n;
  bx /= n;
  by /= n;
  bz /= n;
  // Cross-covariance S = Σ a bᵀ of the centred points, and their spreads for the scale.
  const S = new Float64Array(9);
  let spreadA = 0,
    spreadB = 0;
  points.forEach((i, k) => {
    const a = [px(i) - ax, py(i) - ay, pz(i) - az];
    const b = [reference[k * 3] - bx, reference[k * 3 + 1] - by, reference[k * 3 + 2] - bz];
    for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) S[r * 3 + c] += a[r] * b[c];
    spreadA += a[0] * a[0] + a[1] * a[1] + a[2] * a[2];
    spreadB += b[0] * b[0] + b[1] * b[1] + b[2] * b[2];
  });
  if (!(spreadA > 0) || !Number.isFinite(spreadA)) {
    throw new CpemError('INVALID_ARGUMENT', 'alignLandmarks: the alignment points are not finite or all at one place.');
  }
  const rotation = rotationFromCovariance(S);
  const scale = Math.sqrt(spreadB / spreadA);
  for (let i = 0; i < count; i++) {
    const x = px(i) - ax,
      y = py(i) - ay,
      z = pz(i) - az;
    for (let r = 0; r < 3; r++) {
      out[i * 3 + r] =
        scale * (rotation[r * 3] * x + rotation[r * 3 + 1] * y + rotation[r * 3 + 2] * z) +
        (r === 0 ? bx : r === 1 ? by : bz);
    }
  }
  return { rotation, scale, centre: [ax, ay, az] };
}

/**
 * The rotation R (row-major) maximising Σ bᵀ R a for the cross-covariance S = Σ a bᵀ: Horn's unit quaternion, the
 * eigenvector of the largest eigenvalue of his symmetric 4 × 4 matrix (Jacobi iterations). Always a proper rotation.
 */
function rotationFromCovariance(S: Float64Array): Float64Array {
  const [sxx, sxy, sxz, syx, syy, syz, szx, szy, szz] = S;
  const N = [
    [sxx + syy + szz, syz - szy, szx - sxz, sxy - syx],
    [syz - szy, sxx - syy - szz, sxy + syx, szx + sxz],
    [szx - sxz, sxy + syx, -sxx + syy - szz, syz + szy],
    [sxy - syx, szx + sxz, syz + szy, -sxx - syy + szz],
  ];
  const { values, vectors } = jacobiEigen(N);
  let best = 0;
  for (let k = 1; k < 4; k++) if (values[k] > values[best]) best = k;
  const [w, x, y, z] = [vectors[0][best], vectors[1][best], vectors[2][best], vectors[3][best]];
  return Float64Array.of(
    w * w + x * x - y * y - z * z,
    2 * (x * y - w * z),
    2 * (x * z + w * y),
    2 * (x * y + w * z),
    w * w - x * x + y * y - z * z,
    2 * (y * z - w * x),
    2 * (x * z - w * y),
    2 * (y * z + w * x),
    w * w - x * x - y * y + z * z,
  );
}

/** Eigen-decomposition of a small symmetric matrix by cyclic Jacobi rotations; eigenvectors are columns. */
function jacobiEigen(matrix: number[][]): { values: number[]; vectors: number[][] } {
  const n = matrix.length;
  const a = matrix.map((row) => row.slice());
  const v: number[][] = a.map((_, i) => a.map((__, j) => (i === j ? 1 : 0)));
  for (let sweep = 0; sweep < 50; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p][q] * a[p][q];
    if (off < 1e-22) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        if (Math.abs(a[p][q]) < 1e-300) continue;
        const theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k][p],
            akq = a[k][q];
          a[k][p] = c * akp - s * akq;
          a[k][q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p][k],
            aqk = a[q][k];
          a[p][k] = c * apk - s * aqk;
          a[q][k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k][p],
            vkq = v[k][q];
          v[k][p] = c * vkp - s * vkq;
          v[k][q] = s * vkp + c * vkq;
        }
      }
    }
  }
  return { values: a.map((row, i) => row[i]), vectors: v };
}
