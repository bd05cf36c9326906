// npm run teacher on the first 20 frames of one short clip, into a temporary folder (never .cache/teacher): MediaPipe
// Face Landmarker in headless Chromium on frames decoded in Node. Skipped without ../shared or the teacher model.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodeVideo } from '../../plugin/node/ffmpeg-frames.js';
import { decodeTeacherTrack, MEDIAPIPE_BLENDSHAPES } from '../../training/lib/data/teacher-track.js';
import { teacherClipTargets, TEACHER_UNIT_MASK } from '../../training/lib/data/teacher-units.js';
import { teacherFileFor } from '../../training/node/real-clips.js';
import { NUM_FACE_LANDMARKS } from '../../plugin/constants.js';
import { sharedPath } from '../../training/node/shared-data.js';

const CLIP = sharedPath('videos', 'FuxiVirtualHuman__vscodehappy_clip1.mp4');
const TEACHER = sharedPath('teachers', 'face_landmarker_v2_with_blendshapes.task');
const missing = !fs.existsSync(CLIP) ? `needs ${CLIP}` : !fs.existsSync(TEACHER) ? `needs ${TEACHER}` : false;
const FRAMES = 20;

function teacher(args: string[]) {
  return spawnSync(process.execPath, ['tools/run-node.mjs', 'training/cli/teacher.ts', '--', ...args], {
    encoding: 'utf8',
    timeout: 120_000,
  });
}

describe('npm run teacher', { skip: missing }, () => {
  it(`caches the teacher's blendshapes, landmarks and matrix for the first ${FRAMES} frames of a clip`, () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'cpem-teacher-'));
    try {
      const real = teacherFileFor(CLIP);
      const realBefore = fs.existsSync(real) ? fs.statSync(real).mtimeMs : null;
      const r = teacher([CLIP, '--max-frames', String(FRAMES), '--out-dir', out]);
      assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
      assert.match(r.stdout, /20 frames, face on \d+/);
      assert.equal(realBefore, fs.existsSync(real) ? fs.statSync(real).mtimeMs : null, 'the real cache is not touched');

      const track = decodeTeacherTrack(new Uint8Array(fs.readFileSync(teacherFileFor(CLIP, out))));
      const h = track.header;
      assert.equal(h.frameCount, FRAMES);
      assert.equal(h.complete, false);
      assert.deepEqual(h.blendshapes, [...MEDIAPIPE_BLENDSHAPES]);
      assert.equal(h.video.fps, 30);
      assert.equal(h.video.width, 256);
      assert.match(h.teacher.sha256, /^[0-9a-f]{64}$/);
      // Frame k at k / fps seconds, strictly increasing.
      track.frames.forEach((f, k) => {
        assert.equal(f.index, k);
        assert.ok(Math.abs(f.timestampMs - (k * 1000) / 30) < 1e-3, `frame ${k} at ${f.timestampMs} ms`);
      });
      const faces = track.frames.filter((f) => f.face);
      assert.ok(faces.length >= 18, `a face on ${faces.length} of ${FRAMES} frames`);
      for (const f of faces) {
        for (const s of f.blendshapes) assert.ok(s >= 0 && s <= 1, `score ${s}`);
        // Landmarks in video pixels: the face fills much of this 256 px clip.
        let minX = Infinity,
          maxX = -Infinity;
        for (let i = 0; i < NUM_FACE_LANDMARKS; i++) {
          const x = f.landmarks[3 * i],
            y = f.landmarks[3 * i + 1];
          assert.ok(x > -20 && x < 276 && y > -20 && y < 276, `point ${i} at (${x}, ${y})`);
          minX = Math.min(minX, x);
          maxX = Math.max(maxX, x);
        }
        assert.ok(maxX - minX > 60, `face ${maxX - minX} px wide`);
        // The subject's left eye (mesh 263) is on the image's right of the right eye (33) in this frontal clip.
        assert.ok(f.landmarks[3 * 263] > f.landmarks[3 * 33]);
        // A rigid transform whose translation (column-major, elements 12-14) puts the face in front of the camera.
        assert.equal(f.matrix[15], 1);
        assert.ok(f.matrix[14] < -10, `z translation ${f.matrix[14]} cm`);
        const colNorm = Math.hypot(f.matrix[0], f.matrix[1], f.matrix[2]);
        assert.ok(colNorm > 0.5 && colNorm < 2, `rotation column norm ${colNorm}`);
      }
      // The _neutral score and at least a few expression scores vary over a talking clip.
      const jaw = faces.map((f) => f.blendshapes[MEDIAPIPE_BLENDSHAPES.indexOf('jawOpen')]);
      assert.ok(Math.max(...jaw) - Math.min(...jaw) > 0.02, `jawOpen ${Math.min(...jaw)}..${Math.max(...jaw)}`);

      // What the trainer reads: 46 values and the mask per frame.
      const targets = teacherClipTargets(track);
      assert.equal(targets.frames, FRAMES);
      track.frames.forEach((f, k) => {
        assert.deepEqual(targets.masks[k], f.face ? TEACHER_UNIT_MASK : new Float32Array(46));
        for (const v of targets.values[k]) assert.ok(v >= 0 && v <= 1);
      });
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  it("sees the pixels the tracker sees: decodeVideo's RGBA frames hold the same RGB values as its rgb24 frames", async () => {
    const rgb: Uint8Array[] = [];
    for await (const f of decodeVideo(CLIP, { maxFrames: 3 })) rgb.push(f.data);
    let k = 0;
    for await (const f of decodeVideo(CLIP, { maxFrames: 3, pixelFormat: 'rgba' })) {
      assert.equal(f.data.length, (rgb[k].length / 3) * 4);
      let differ = 0;
      for (let p = 0; p < f.data.length / 4; p++) {
        if (
          f.data[4 * p] !== rgb[k][3 * p] ||
          f.data[4 * p + 1] !== rgb[k][3 * p + 1] ||
          f.data[4 * p + 2] !== rgb[k][3 * p + 2] ||
          f.data[4 * p + 3] !== 255
        )
          differ++;
      }
      assert.equal(differ, 0, `frame ${k}: ${differ} pixels differ`);
      k++;
    }
    assert.equal(k, 3);
  });

  it('fails with a clear message when the teacher model is missing', () => {
    const r = teacher([
      CLIP,
      '--max-frames',
      '1',
      '--out-dir',
      os.tmpdir(),
      '--teacher',
      path.join(os.tmpdir(), 'no-such-teacher.task'),
    ]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /INVALID_ARGUMENT: The teacher model .*no-such-teacher\.task is missing/);
  });
});
