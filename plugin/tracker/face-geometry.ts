/**
 * Geometry of the face tracker: detector anchors and decoding, weighted non-maximum suppression, rotated square
 * regions of interest and the affine maps between a region's crop and the image.
 *
 * Pre- and post-processing follow MediaPipe's face detection, face mesh and iris graphs (Apache-2.0) as
 * re-implemented in @vladmandic/human's src/face/{blazeface,facemesh,facemeshutil,iris}.ts (MIT, © Vladimir
 * Mandic); this is a compact rewrite of those steps, not a copy.
 *
 * Coordinates: image pixels with pixel centres on integers (pixel i spans [i - 0.5, i + 0.5]).
 */

/** A rotated square region: centre, side length (pixels) and rotation (radians, image x towards image y). */
export interface Roi {
  cx: number;
  cy: number;
  size: number;
  angle: number;
}

/** One decoded detection in image pixels: box corners, the six keypoints (x, y pairs) and its score. */
export interface Detection {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  keypoints: Float32Array;
  score: number;
}

/** BlazeFace anchor centres (input pixels) for a square input of `inputSize`: two layers, 2 and 6 anchors a cell. */
export function blazefaceAnchors(inputSize: number): Float32Array {
  const layers = [
    { stride: inputSize / 16, count: 2 },
    { stride: inputSize / 8, count: 6 },
  ];
  const out: number[] = [];
  for (const { stride, count } of layers) {
    const cells = Math.ceil(inputSize / stride);
    for (let y = 0; y < cells; y++) {
      for (let x = 0; x < cells; x++) {
        for (let n = 0; n < count; n++) out.push(stride * (x + 0.5), stride * (y + 0.5));
      }
    }
  }
  return new Float32Array(out);
}

/** Maps a point of a crop of side `cropSize` (continuous crop coordinates) to the image. */
export function cropToImage(roi: Roi, cropSize: number, u: number, v: number, flip = false): [number, number] {
  const dx = (u / cropSize - 0.5) * roi.size * (flip ? -1 : 1);
  const dy = (v / cropSize - 0.5) * roi.size;
  const c = Math.cos(roi.angle),
    s = Math.sin(roi.angle);
  return [roi.cx + c * dx - s * dy, roi.cy + s * dx + c * dy];
}

/** An image-space offset in `roi`'s frame, in units of its side. */
export function toRoiFrame(roi: Roi, dx: number, dy: number): [number, number] {
  const c = Math.cos(roi.angle),
    s = Math.sin(roi.angle);
  return [(c * dx + s * dy) / roi.size, (-s * dx + c * dy) / roi.size];
}

/** The inverse of toRoiFrame: an offset in `roi`'s frame back to image pixels. */
export function fromRoiFrame(roi: Roi, u: number, v: number): [number, number] {
  const c = Math.cos(roi.angle),
    s = Math.sin(roi.angle);
  return [(c * u - s * v) * roi.size, (s * u + c * v) * roi.size];
}

/**
 * The 8 projective coefficients of tf.image.transform that sample `roi` into a `cropSize` square: output pixel
 * (xo, yo) reads the image at (a0 xo + a1 yo + a2, b0 xo + b1 yo + b2). `flip` mirrors the crop horizontally.
 */
export function cropTransform(roi: Roi, cropSize: number, flip = false): number[] {
  const s = roi.size / cropSize;
  const k = (0.5 - cropSize / 2) * s;
  const c = Math.cos(roi.angle),
    sn = Math.sin(roi.angle);
  const f = flip ? -1 : 1;
  return [f * c * s, -sn * s, roi.cx + f * c * k - sn * k, f * sn * s, c * s, roi.cy + f * sn * k + c * k, 0, 0];
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-Math.max(-80, Math.min(80, x))));
}

/**
 * Decodes raw detector output (anchors × [logit, cx, cy, w, h, 6 × (x, y)], input pixels relative to each anchor)
 * into detections whose score reaches `minScore`, mapped to the image through the letterbox `roi`.
 */
export function decodeDetections(
  raw: Float32Array,
  anchors: Float32Array,
  inputSize: number,
  roi: Roi,
  minScore: number,
): Detection[] {
  const n = anchors.length / 2;
  const stride = raw.length / n;
  const out: Detection[] = [];
  for (let i = 0; i < n; i++) {
    const o = i * stride;
    const score = sigmoid(raw[o]);
    if (!(score >= minScore)) continue; // NaN frames fall out here
    const ax = anchors[2 * i],
      ay = anchors[2 * i + 1];
    const cx = raw[o + 1] + ax,
      cy = raw[o + 2] + ay,
      w = raw[o + 3],
      h = raw[o + 4];
    const [x0, y0] = cropToImage(roi, inputSize, cx - w / 2, cy - h / 2);
    const [x1, y1] = cropToImage(roi, inputSize, cx + w / 2, cy + h / 2);
    const keypoints = new Float32Array(12);
    for (let k = 0; k < 6; k++) {
      const [x, y] = cropToImage(roi, inputSize, raw[o + 5 + 2 * k] + ax, raw[o + 6 + 2 * k] + ay);
      keypoints[2 * k] = x;
      keypoints[2 * k + 1] = y;
    }
    if ([x0, y0, x1, y1].every(Number.isFinite) && x1 > x0 && y1 > y0) out.push({ x0, y0, x1, y1, keypoints, score });
  }
  return out;
}

export function iou(
  a: { x0: number; y0: number; x1: number; y1: number },
  b: { x0: number; y0: number; x1: number; y1: number },
): number {
  const w = Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0);
  const h = Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  return inter / ((a.x1 - a.x0) * (a.y1 - a.y0) + (b.x1 - b.x0) * (b.y1 - b.y0) - inter);
}

/** MediaPipe's weighted non-maximum suppression: overlapping detections are averaged, weighted by score. */
export function weightedNms(detections: Detection[], maxCount: number, iouThreshold = 0.3): Detection[] {
  const remaining = [...detections].sort((a, b) => b.score - a.score);
  const out: Detection[] = [];
  while (remaining.length > 0 && out.length < maxCount) {
    const top = remaining[0];
    const group = remaining.filter((d) => iou(top, d) > iouThreshold);
    const rest = remaining.filter((d) => iou(top, d) <= iouThreshold);
    let wsum = 0;
    const acc = { x0: 0, y0: 0, x1: 0, y1: 0, keypoints: new Float32Array(12) };
    for (const d of group) {
      wsum += d.score;
      acc.x0 += d.score * d.x0;
      acc.y0 += d.score * d.y0;
      acc.x1 += d.score * d.x1;
      acc.y1 += d.score * d.y1;
      for (let k = 0; k < 12; k++) acc.keypoints[k] += d.score * d.keypoints[k];
    }
    for (let k = 0; k < 12; k++) acc.keypoints[k] /= wsum;
    out.push({
      x0: acc.x0 / wsum,
      y0: acc.y0 / wsum,
      x1: acc.x1 / wsum,
      y1: acc.y1 / wsum,
      keypoints: acc.keypoints,
      score: top.score,
    });
    remaining.splice(0, remaining.length, ...rest);
  }
  return out;
}

/** Face-mesh region from a detection: rotated so the eyes (keypoints 0, 1) are level, square, 1.5× the box. */
export function roiFromDetection(d: Detection, scale = 1.5): Roi {
  const angle = Math.atan2(d.keypoints[3] - d.keypoints[1], d.keypoints[2] - d.keypoints[0]);
  return { cx: (d.x0 + d.x1) / 2, cy: (d.y0 + d.y1) / 2, size: scale * Math.max(d.x1 - d.x0, d.y1 - d.y0), angle };
}

/**
 * Face-mesh region from landmarks (x, y, z triples; the first `count` used): rotated so that the line from
 * `fromIndex` to `toIndex` is level, the landmarks' box in that frame, squared and scaled.
 */
export function roiFromLandmarks(
  points: Float32Array,
  count: number,
  fromIndex: number,
  toIndex: number,
  scale: number,
): Roi {
  const angle = Math.atan2(
    points[3 * toIndex + 1] - points[3 * fromIndex + 1],
    points[3 * toIndex] - points[3 * fromIndex],
  );
  const c = Math.cos(angle),
    s = Math.sin(angle);
  let u0 = Infinity,
    u1 = -Infinity,
    v0 = Infinity,
    v1 = -Infinity;
  for (let i = 0; i < count; i++) {
    const x = points[3 * i],
      y = points[3 * i + 1];
    const u = c * x + s * y,
      v = -s * x + c * y;
    if (u < u0) u0 = u;
    if (u > u1) u1 = u;
    if (v < v0) v0 = v;
    if (v > v1) v1 = v;
  }
  const um = (u0 + u1) / 2,
    vm = (v0 + v1) / 2;
  return { cx: c * um - s * vm, cy: s * um + c * vm, size: scale * Math.max(u1 - u0, v1 - v0), angle };
}

/** Eye region for the iris model: centred between two eye corners, level with them, `scale` × their distance. */
export function roiFromEyeCorners(points: Float32Array, a: number, b: number, scale = 2.3): Roi {
  const ax = points[3 * a],
    ay = points[3 * a + 1],
    bx = points[3 * b],
    by = points[3 * b + 1];
  return {
    cx: (ax + bx) / 2,
    cy: (ay + by) / 2,
    size: scale * Math.hypot(bx - ax, by - ay),
    angle: Math.atan2(by - ay, bx - ax),
  };
}
