// The teacher-track format (training/lib/data/teacher-track.ts): what npm run teacher writes and the trainer reads.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isCpemError } from '../../plugin/errors/cpem-error.js';
import {
  decodeTeacherHeader,
  decodeTeacherTrack,
  encodeTeacherTrack,
  makeTeacherHeader,
  MEDIAPIPE_BLENDSHAPES,
  teacherRecordFloats,
  type TeacherFrame,
} from '../../training/lib/data/teacher-track.js';
import { NUM_FACE_LANDMARKS, NUM_MESH_POINTS } from '../../plugin/constants.js';

/** Frames with distinct values everywhere, every third without a face (all zeros after the flag). */
function frames(n: number): TeacherFrame[] {
  return Array.from({ length: n }, (_, k) => {
    const face = k % 3 !== 2;
    const fill = (len: number, base: number) =>
      Float32Array.from({ length: len }, (_, i) => (face ? base + k * 0.5 + i * 0.001 : 0));
    return {
      index: k,
      timestampMs: (k * 1000) / 29.97,
      face,
      blendshapes: Float32Array.from({ length: MEDIAPIPE_BLENDSHAPES.length }, (_, i) =>
        face ? ((i + k) % 10) / 10 : 0,
      ),
      landmarks: fill(NUM_FACE_LANDMARKS * 3, 100),
      matrix: fill(16, -3),
    };
  });
}

function header(fs: TeacherFrame[], complete = true) {
  return makeTeacherHeader(
    {
      video: { file: 'clip.mp4', bytes: 12345, width: 640, height: 360, fps: 29.97, frames: fs.length },
      complete,
      teacher: {
        file: 'face_landmarker_v2_with_blendshapes.task',
        sha256: 'ab'.repeat(32),
        runtime: 'test',
        delegate: 'CPU',
        runningMode: 'VIDEO',
        numFaces: 1,
      },
    },
    fs,
  );
}

function expectError(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(isCpemError(e, 'INVALID_ARGUMENT'), `expected a CpemError INVALID_ARGUMENT, got ${String(e)}`);
    assert.match((e as Error).message, pattern);
    return true;
  });
}

describe('teacher-track format', () => {
  it('round-trips header and every frame value exactly (float32)', () => {
    const fs = frames(7);
    const bytes = encodeTeacherTrack(header(fs), fs);
    assert.equal(bytes.length % 4, 0);
    const back = decodeTeacherTrack(bytes);
    assert.equal(back.header.frameCount, 7);
    assert.equal(back.header.recordFloats, teacherRecordFloats(52));
    assert.equal(back.header.recordFloats, 3 + 52 + NUM_FACE_LANDMARKS * 3 + 16);
    assert.deepEqual(back.header.blendshapes, [...MEDIAPIPE_BLENDSHAPES]);
    assert.equal(back.header.faceRate, 5 / 7);
    assert.equal(back.header.video.fps, 29.97);
    assert.equal(back.header.teacher.sha256, 'ab'.repeat(32));
    for (const [k, f] of back.frames.entries()) {
      assert.equal(f.index, k);
      assert.equal(f.face, fs[k].face);
      assert.equal(f.timestampMs, Math.fround(fs[k].timestampMs));
      assert.deepEqual(Array.from(f.blendshapes), Array.from(Float32Array.from(fs[k].blendshapes)));
      assert.deepEqual(Array.from(f.landmarks), Array.from(fs[k].landmarks));
      assert.deepEqual(Array.from(f.matrix), Array.from(fs[k].matrix));
    }
    assert.equal(back.frames[1].landmarks[0], 100.5);
    assert.equal(back.frames[2].matrix[15], 0);
  });

  it('reads the header alone from a prefix of the file', () => {
    const fs = frames(3);
    const bytes = encodeTeacherTrack(header(fs, false), fs);
    const { header: h, dataOffset } = decodeTeacherHeader(bytes.subarray(0, 4000));
    assert.equal(h.complete, false);
    assert.equal(h.frameCount, 3);
    assert.equal((bytes.length - dataOffset) / 4, 3 * h.recordFloats);
  });

  it('an empty clip is a valid file', () => {
    const back = decodeTeacherTrack(encodeTeacherTrack(header([]), []));
    assert.equal(back.frames.length, 0);
    assert.equal(back.header.faceRate, 0);
  });

  it('refuses to write frames out of order, with repeated timestamps or of the wrong shape', () => {
    const fs = frames(3);
    expectError(() => encodeTeacherTrack(header(fs), [fs[0], fs[2]]), /record 1 holds frame 2/);
    expectError(
      () => encodeTeacherTrack(header(fs), [fs[0], { ...fs[1], timestampMs: fs[0].timestampMs }]),
      /not after .* timestamps must increase strictly/,
    );
    expectError(
      () => encodeTeacherTrack(header(fs), [{ ...fs[0], blendshapes: new Float32Array(51) }]),
      /51 blendshape scores; the header names 52/,
    );
    expectError(
      () => encodeTeacherTrack(header(fs), [{ ...fs[0], landmarks: new Float32Array(NUM_MESH_POINTS * 3) }]),
      /1404 landmark values/,
    );
    expectError(() => encodeTeacherTrack(header(fs), [{ ...fs[0], matrix: new Float32Array(9) }]), /9 matrix values/);
  });

  it('names the problem in a truncated, padded or corrupt file', () => {
    const fs = frames(4);
    const bytes = encodeTeacherTrack(header(fs), fs);
    const { dataOffset } = decodeTeacherHeader(bytes);
    expectError(
      () => decodeTeacherTrack(bytes.subarray(0, bytes.length - 4)),
      /bytes of records where 4 frames need .*\(truncated\)/,
    );
    expectError(() => decodeTeacherTrack(new Uint8Array([...bytes, 0, 0, 0, 0])), /\(padded\)/);
    expectError(() => decodeTeacherTrack(bytes.subarray(0, 40)), /header runs past the end of the file \(truncated\)/);
    expectError(() => decodeTeacherTrack(bytes.subarray(0, 6)), /not a teacher-track file/);
    const wrongMagic = bytes.slice();
    wrongMagic[0] = 'X'.charCodeAt(0);
    expectError(() => decodeTeacherTrack(wrongMagic), /no CPEMTCH1 magic/);
    const badJson = bytes.slice();
    badJson[12] = '!'.charCodeAt(0);
    expectError(() => decodeTeacherTrack(badJson), /JSON header does not parse/);
    // A record whose index field was overwritten, and one whose face flag is neither 0 nor 1.
    const badIndex = bytes.slice();
    new DataView(badIndex.buffer).setFloat32(dataOffset + 2 * header(fs).recordFloats * 4, 7, true);
    expectError(() => decodeTeacherTrack(badIndex), /record 2 holds frame index 7/);
    const badFlag = bytes.slice();
    new DataView(badFlag.buffer).setFloat32(dataOffset + 1 * header(fs).recordFloats * 4 + 8, 0.5, true);
    expectError(() => decodeTeacherTrack(badFlag), /frame 1 has face flag 0.5/);
    const badTime = bytes.slice();
    new DataView(badTime.buffer).setFloat32(dataOffset + 3 * header(fs).recordFloats * 4 + 4, 0, true);
    expectError(() => decodeTeacherTrack(badTime), /frame 3 has timestamp 0 ms, not after/);
  });

  it('refuses another format, version or record size, and says how to remake the file', () => {
    const fs = frames(2);
    const make = (patch: Record<string, unknown>) =>
      encodeTeacherTrack({ ...header(fs), ...patch } as ReturnType<typeof header>, fs);
    expectError(
      () => decodeTeacherTrack(make({ version: 2 })),
      /version 2; this reader knows cpem-teacher-track version 1.*npm run teacher/,
    );
    expectError(() => decodeTeacherTrack(make({ format: 'cpem-landmark-track' })), /format cpem-landmark-track/);
    expectError(() => decodeTeacherTrack(make({ points: NUM_MESH_POINTS })), /for 468 points/);
  });
});
