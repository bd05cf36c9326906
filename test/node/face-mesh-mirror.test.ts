// The landmark mirror map: an involution that pairs the eye corners, lip corners and irises across the face, and
// (with ../shared) exactly the mirror symmetry of MediaPipe's canonical face mesh.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { FACE_MESH_MIRROR, mirrorFaceLandmarks } from '../../plugin/landmarks/face-mesh-mirror.js';
import { NUM_FACE_LANDMARKS, NUM_MESH_POINTS } from '../../plugin/constants.js';
import { sharedPath } from '../../training/node/shared-data.js';

const OBJ = sharedPath('face-data', 'mediapipe-canonical', 'canonical_face_model.obj');

describe('face-mesh mirror map', () => {
  it('is an involution over the 478 points that swaps known left/right pairs', () => {
    assert.equal(FACE_MESH_MIRROR.length, NUM_FACE_LANDMARKS);
    FACE_MESH_MIRROR.forEach((j, i) => assert.equal(FACE_MESH_MIRROR[j], i, `point ${i} ↔ ${j}`));
    for (const [a, b] of [
      [33, 263],
      [133, 362],
      [61, 291],
      [468, 473],
      [469, 476],
      [471, 474],
      [470, 475],
      [472, 477],
    ]) {
      assert.equal(FACE_MESH_MIRROR[a], b);
    }
    for (const midline of [0, 1, 4, 17, 152]) assert.equal(FACE_MESH_MIRROR[midline], midline);
  });

  it('mirrors landmarks: x about the image width, points moved to their partners, twice is the identity', () => {
    const lm = Float32Array.from({ length: NUM_FACE_LANDMARKS * 3 }, (_, k) => (k * 7.3) % 101);
    const m = mirrorFaceLandmarks(lm, 200);
    assert.ok(Math.abs(m[263 * 3] - (200 - lm[33 * 3])) < 1e-4);
    assert.equal(m[263 * 3 + 1], lm[33 * 3 + 1]);
    assert.equal(m[263 * 3 + 2], lm[33 * 3 + 2]);
    const back = mirrorFaceLandmarks(m, 200);
    back.forEach((v, k) => assert.ok(Math.abs(v - lm[k]) < 1e-4, `value ${k}`));
    assert.throws(() => mirrorFaceLandmarks(new Float32Array(10), 200), /478 points/);
  });

  it("matches the canonical mesh's mirror symmetry (needs ../shared)", {
    skip: fs.existsSync(OBJ) ? false : `needs ${OBJ}`,
  }, () => {
    const v = fs
      .readFileSync(OBJ, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('v '))
      .map((l) => l.split(/\s+/).slice(1, 4).map(Number));
    assert.equal(v.length, NUM_MESH_POINTS);
    for (let i = 0; i < NUM_MESH_POINTS; i++) {
      const j = FACE_MESH_MIRROR[i];
      const d = Math.hypot(v[j][0] + v[i][0], v[j][1] - v[i][1], v[j][2] - v[i][2]);
      assert.ok(d < 1e-4, `point ${i}: its partner ${j} is ${d} from its mirror image`);
    }
  });
});
