import * as tf from '@tensorflow/tfjs-core';

/*
 * Head-pose conventions, shared by the estimator, training and overlays.
 * Model frame: x to the subject's left, y up, z towards the camera (millimetres).
 * Image frame: x to the right, y down (pixels, or face-box units). The camera image is not mirrored, so the
 * subject's left appears on the image's right: image x = +model x, image y = −model y.
 * rotation = [pitch, yaw, roll] in radians, applied as R = Rz(roll) · Ry(yaw) · Rx(pitch):
 *   pitch > 0: the face looks down; yaw > 0: the face turns to the subject's left; roll > 0: the head tilts
 *   towards the subject's right shoulder (the top of the head moves to the subject's right).
 * Weak perspective: image = scale · (R·p)_xy with y flipped, + (tx, ty); translation = [tx, ty, log scale].
 */

/** Row-major 3 × 3 rotation matrix for [pitch, yaw, roll]. */
export function rotationMatrix(rotation: ArrayLike<number>): Float32Array {
  const [cx, sx] = [Math.cos(rotation[0]), Math.sin(rotation[0])];
  const [cy, sy] = [Math.cos(rotation[1]), Math.sin(rotation[1])];
  const [cz, sz] = [Math.cos(rotation[2]), Math.sin(rotation[2])];
  // Rz · Ry · Rx
  return Float32Array.of(
    cz * cy,
    cz * sy * sx - sz * cx,
    cz * sy * cx + sz * sx,
    sz * cy,
    sz * sy * sx + cz * cx,
    sz * sy * cx - cz * sx,
    -sy,
    cy * sx,
    cy * cx,
  );
}

/** Projects model points (flat [x, y, z, ...]) to the image with weak perspective; returns flat [u, v, ...]. */
export function projectPoints(
  points: ArrayLike<number>,
  rotation: ArrayLike<number>,
  translation: ArrayLike<number>,
): Float32Array {
  const r = rotationMatrix(rotation);
  const s = Math.exp(translation[2]);
  const out = new Float32Array((points.length / 3) * 2);
  for (let i = 0, j = 0; i < points.length; i += 3, j += 2) {
    const [x, y, z] = [points[i], points[i + 1], points[i + 2]];
    out[j] = s * (r[0] * x + r[1] * y + r[2] * z) + translation[0];
    out[j + 1] = -s * (r[3] * x + r[4] * y + r[5] * z) + translation[1];
  }
  return out;
}

/** Batched rotation matrices [N, 3, 3] from rotations [N, 3]; differentiable. */
export function rotationMatrices(rotation: tf.Tensor2D): tf.Tensor3D {
  return tf.tidy(() => {
    const [pitch, yaw, roll] = tf.split(rotation, 3, 1).map((t) => tf.squeeze(t, [1]));
    const [cx, sx, cy, sy, cz, sz] = [
      tf.cos(pitch),
      tf.sin(pitch),
      tf.cos(yaw),
      tf.sin(yaw),
      tf.cos(roll),
      tf.sin(roll),
    ];
    const entries = [
      tf.mul(cz, cy),
      tf.sub(tf.mul(tf.mul(cz, sy), sx), tf.mul(sz, cx)),
      tf.add(tf.mul(tf.mul(cz, sy), cx), tf.mul(sz, sx)),
      tf.mul(sz, cy),
      tf.add(tf.mul(tf.mul(sz, sy), sx), tf.mul(cz, cx)),
      tf.sub(tf.mul(tf.mul(sz, sy), cx), tf.mul(cz, sx)),
      tf.neg(sy),
      tf.mul(cy, sx),
      tf.mul(cy, cx),
    ];
    return tf.reshape(tf.stack(entries, 1), [-1, 3, 3]) as tf.Tensor3D;
  });
}

/**
 * Batched weak-perspective projection: points [N, K, 3], rotation [N, 3], translation [N, 3] ([tx, ty, log s])
 * → image points [N, K, 2]. Differentiable in all three.
 */
export function projectPointsBatch(points: tf.Tensor3D, rotation: tf.Tensor2D, translation: tf.Tensor2D): tf.Tensor3D {
  return tf.tidy(() => {
    const rotated = tf.matMul(points, rotationMatrices(rotation), false, true); // [N, K, 3]: p · Rᵀ
    const xy = tf.slice(rotated, [0, 0, 0], [-1, -1, 2]);
    const flipped = tf.mul(xy, tf.tensor1d([1, -1]));
    const [t, logScale] = tf.split(translation, [2, 1], 1);
    const scaled = tf.mul(flipped, tf.expandDims(tf.exp(logScale), 1));
    return tf.add(scaled, tf.expandDims(t, 1)) as tf.Tensor3D;
  });
}
