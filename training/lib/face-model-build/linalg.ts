/** Dense linear algebra for the face-model build (small problems, float64). */

/** Solves (A + λI) x = b for symmetric positive definite A (n × n, row-major) by Cholesky. */
export function solveSpd(A: Float64Array, b: Float64Array, n: number, lambda = 0): Float64Array {
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A[i * n + j] + (i === j ? lambda : 0);
      for (let k = 0; k < j; k++) s -= L[i * n + k] * L[j * n + k];
      if (i === j) {
        if (s <= 0) throw new Error('solveSpd: matrix is not positive definite');
        L[i * n + i] = Math.sqrt(s);
      } else L[i * n + j] = s / L[j * n + j];
    }
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= L[i * n + k] * y[k];
    y[i] = s / L[i * n + i];
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < n; k++) s -= L[k * n + i] * x[k];
    x[i] = s / L[i * n + i];
  }
  return x;
}

/** Eigen-decomposition of a symmetric n × n matrix by cyclic Jacobi rotations; eigenvectors are columns of V. */
export function symmetricEigen(M: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  const A = Float64Array.from(M);
  const V = new Float64Array(n * n);
  for (let i = 0; i < n; i++) V[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += A[p * n + q] ** 2;
    if (off < 1e-22) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = A[p * n + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (A[q * n + q] - A[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1),
          s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = A[k * n + p],
            akq = A[k * n + q];
          A[k * n + p] = c * akp - s * akq;
          A[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = A[p * n + k],
            aqk = A[q * n + k];
          A[p * n + k] = c * apk - s * aqk;
          A[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = V[k * n + p],
            vkq = V[k * n + q];
          V[k * n + p] = c * vkp - s * vkq;
          V[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  return { values: Float64Array.from({ length: n }, (_, i) => A[i * n + i]), vectors: V };
}

/** A similarity transform y = s · R x + t (R row-major 3 × 3). */
export interface Similarity {
  s: number;
  R: number[];
  t: [number, number, number];
}

export function applySimilarity(T: Similarity, p: ArrayLike<number>): [number, number, number] {
  const { s, R, t } = T;
  return [0, 1, 2].map((i) => s * (R[i * 3] * p[0] + R[i * 3 + 1] * p[1] + R[i * 3 + 2] * p[2]) + t[i]) as [
    number,
    number,
    number,
  ];
}

/**
 * Least-squares similarity taking points x onto points y (Horn's quaternion method; weights optional).
 * x and y are [n, 3] flat arrays.
 */
export function fitSimilarity(x: ArrayLike<number>, y: ArrayLike<number>, weights?: ArrayLike<number>): Similarity {
  const n = x.length / 3;
  const w = (i: number) => (weights ? weights[i] : 1);
  let W = 0;
  const mx = [0, 0, 0],
    my = [0, 0, 0];
  for (let i = 0; i < n; i++)
    for (let c = 0; c < 3; c++) {
      mx[c] += w(i) * x[i * 3 + c];
      my[c] += w(i) * y[i * 3 + c];
    }
  for (let i = 0; i < n; i++) W += w(i);
  for (let c = 0; c < 3; c++) {
    mx[c] /= W;
    my[c] /= W;
  }
  const S = new Float64Array(9);
  let sx = 0;
  for (let i = 0; i < n; i++) {
    const a = [0, 1, 2].map((c) => x[i * 3 + c] - mx[c]);
    const b = [0, 1, 2].map((c) => y[i * 3 + c] - my[c]);
    sx += w(i) * (a[0] ** 2 + a[1] ** 2 + a[2] ** 2);
    for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) S[r * 3 + c] += w(i) * a[r] * b[c];
  }
  const [Sxx, Sxy, Sxz, Syx, Syy, Syz, Szx, Szy, Szz] = S;
  const N = Float64Array.from([
    Sxx + Syy + Szz,
    Syz - Szy,
    Szx - Sxz,
    Sxy - Syx,
    Syz - Szy,
    Sxx - Syy - Szz,
    Sxy + Syx,
    Szx + Sxz,
    Szx - Sxz,
    Sxy + Syx,
    -Sxx + Syy - Szz,
    Syz + Szy,
    Sxy - Syx,
    Szx + Sxz,
    Syz + Szy,
    -Sxx - Syy + Szz,
  ]);
  const { values, vectors } = symmetricEigen(N, 4);
  let best = 0;
  for (let i = 1; i < 4; i++) if (values[i] > values[best]) best = i;
  const [q0, qx, qy, qz] = [0, 1, 2, 3].map((r) => vectors[r * 4 + best]);
  const R = [
    q0 * q0 + qx * qx - qy * qy - qz * qz,
    2 * (qx * qy - q0 * qz),
    2 * (qx * qz + q0 * qy),
    2 * (qy * qx + q0 * qz),
    q0 * q0 - qx * qx + qy * qy - qz * qz,
    2 * (qy * qz - q0 * qx),
    2 * (qz * qx - q0 * qy),
    2 * (qz * qy + q0 * qx),
    q0 * q0 - qx * qx - qy * qy + qz * qz,
  ];
  // Scale: Σ b · R a / Σ |a|².
  let num = 0;
  for (let i = 0; i < n; i++) {
    const a = [0, 1, 2].map((c) => x[i * 3 + c] - mx[c]);
    const b = [0, 1, 2].map((c) => y[i * 3 + c] - my[c]);
    for (let r = 0; r < 3; r++) num += w(i) * b[r] * (R[r * 3] * a[0] + R[r * 3 + 1] * a[1] + R[r * 3 + 2] * a[2]);
  }
  const s = num / sx;
  const t = [0, 1, 2].map((r) => my[r] - s * (R[r * 3] * mx[0] + R[r * 3 + 1] * mx[1] + R[r * 3 + 2] * mx[2])) as [
    number,
    number,
    number,
  ];
  return { s, R, t };
}
