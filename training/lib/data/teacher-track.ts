/**
 * Teacher-track files: MediaPipe Face Landmarker's output for every frame of one video (`npm run teacher`,
 * docs/teacher.md), read by the estimator's training as soft targets. Frame k is the k-th frame that
 * `decodeVideo` yields (no resampling), the same frame k as the clip's landmark track and its by-eye labels.
 * Format (little-endian), like the landmark track's:
 *
 *   bytes 0-7    magic "CPEMTCH1"
 *   bytes 8-11   uint32 N, length of the JSON header in bytes
 *   12 .. 12+N   JSON header (UTF-8), padded with spaces so that the records start at a multiple of 4
 *   then         frameCount records of recordFloats float32 each:
 *                frame index, timestamp (ms, as given to detectForVideo), face (1 found, 0 not),
 *                the blendshape scores (header.blendshapes order),
 *                478 × (x, y, z) landmarks (x, y in video pixels, z in the same pixel scale as x),
 *                the 4 × 4 facial transformation matrix (16 values, column-major);
 *                everything after `face` is 0 on a frame without a face.
 *
 * Pure functions over bytes: no file system, so the same code reads teacher tracks in Node and in the browser.
 */
import { CpemError } from '../../../plugin/errors/cpem-error.js';
import { NUM_FACE_LANDMARKS } from '../../../plugin/constants.js';

export const TEACHER_TRACK_MAGIC = 'CPEMTCH1';
export const TEACHER_TRACK_FORMAT = 'cpem-teacher-track';
export const TEACHER_TRACK_VERSION = 1;
export const TEACHER_MATRIX_FLOATS = 16;
/** Floats before the blendshape scores in a record: index, timestamp, face. */
export const TEACHER_SCALARS = 3;

/**
 * The 52 blendshape categories of MediaPipe Face Landmarker v2 (face_landmarker_v2_with_blendshapes.task), in
 * the model's output order: `_neutral`, then 51 ARKit names (no `tongueOut`). The teacher page checks every
 * frame's categories against this list, so a model with another order cannot write a cache.
 */
export const MEDIAPIPE_BLENDSHAPES = [
  '_neutral',
  'browDownLeft',
  'browDownRight',
  'browInnerUp',
  'browOuterUpLeft',
  'browOuterUpRight',
  'cheekPuff',
  'cheekSquintLeft',
  'cheekSquintRight',
  'eyeBlinkLeft',
  'eyeBlinkRight',
  'eyeLookDownLeft',
  'eyeLookDownRight',
  'eyeLookInLeft',
  'eyeLookInRight',
  'eyeLookOutLeft',
  'eyeLookOutRight',
  'eyeLookUpLeft',
  'eyeLookUpRight',
  'eyeSquintLeft',
  'eyeSquintRight',
  'eyeWideLeft',
  'eyeWideRight',
  'jawForward',
  'jawLeft',
  'jawOpen',
  'jawRight',
  'mouthClose',
  'mouthDimpleLeft',
  'mouthDimpleRight',
  'mouthFrownLeft',
  'mouthFrownRight',
  'mouthFunnel',
  'mouthLeft',
  'mouthLowerDownLeft',
  'mouthLowerDownRight',
  'mouthPressLeft',
  'mouthPressRight',
  'mouthPucker',
  'mouthRight',
  'mouthRollLower',
  'mouthRollUpper',
  'mouthShrugLower',
  'mouthShrugUpper',
  'mouthSmileLeft',
  'mouthSmileRight',
  'mouthStretchLeft',
  'mouthStretchRight',
  'mouthUpperUpLeft',
  'mouthUpperUpRight',
  'noseSneerLeft',
  'noseSneerRight',
] as const;

/** Floats per record for `blendshapes` scores. */
export function teacherRecordFloats(blendshapes: number): number {
  return TEACHER_SCALARS + blendshapes + NUM_FACE_LANDMARKS * 3 + TEACHER_MATRIX_FLOATS;
}

export const TEACHER_RECORD_FIELDS = ['index', 'timestampMs', 'face', 'blendshapes', 'landmarks', 'matrix'];

export interface TeacherTrackHeader {
  format: typeof TEACHER_TRACK_FORMAT;
  version: number;
  /** The source video: file name, byte size, size in pixels, its own frame rate and (probed) frame count. */
  video: { file: string; bytes: number; width: number; height: number; fps: number; frames: number };
  /** Records in the file. */
  frameCount: number;
  /** True when every frame the decoder yields is in the file (false after --max-frames). */
  complete: boolean;
  /** Blendshape category names in record order (the model's order). */
  blendshapes: string[];
  points: number;
  recordFloats: number;
  fields: string[];
  /** What frame k and its timestamp are. */
  frameOrder: string;
  /** What the landmarks and the matrix hold. */
  coordinates: { landmarks: string; matrix: string };
  /** The teacher model and how it ran. */
  teacher: { file: string; sha256: string; runtime: string; delegate: string; runningMode: string; numFaces: number };
  /** Share of frames with a face. */
  faceRate: number;
  created: string;
}

export interface TeacherFrame {
  /** 0-based decoded frame index. */
  index: number;
  /** Milliseconds from the start, as passed to detectForVideo (strictly increasing). */
  timestampMs: number;
  face: boolean;
  /** Scores in [0, 1], header.blendshapes order; zeros without a face. */
  blendshapes: Float32Array;
  /** 478 × (x, y, z): x, y in video pixels, z in pixels of the same scale as x; zeros without a face. */
  landmarks: Float32Array;
  /** 4 × 4 facial transformation matrix, column-major; zeros without a face. */
  matrix: Float32Array;
}

export interface TeacherTrack {
  header: TeacherTrackHeader;
  frames: TeacherFrame[];
}

const HOW_TO_MAKE = 'Write the file again with `npm run teacher -- VIDEO --force`.';

/** Builds a header with the fixed fields filled in and faceRate/frameCount taken from `frames`. */
export function makeTeacherHeader(
  init: Pick<TeacherTrackHeader, 'video' | 'teacher' | 'complete'> & { blendshapes?: readonly string[] },
  frames: readonly TeacherFrame[],
): TeacherTrackHeader {
  const blendshapes = [...(init.blendshapes ?? MEDIAPIPE_BLENDSHAPES)];
  return {
    format: TEACHER_TRACK_FORMAT,
    version: TEACHER_TRACK_VERSION,
    video: init.video,
    frameCount: frames.length,
    complete: init.complete,
    blendshapes,
    points: NUM_FACE_LANDMARKS,
    recordFloats: teacherRecordFloats(blendshapes.length),
    fields: TEACHER_RECORD_FIELDS,
    frameOrder:
      'record k is the k-th frame that decodeVideo (plugin/node/ffmpeg-frames.ts) yields, every decoded frame once (ffmpeg -fps_mode passthrough), as the landmark tracks and the by-eye labels count frames; timestampMs = k × 1000 / video.fps',
    coordinates: {
      landmarks:
        'MediaPipe face mesh 0-467, then iris 468-477; x, y in video pixels (normalised x × width, y × height), z = normalised z × width (the same pixel scale as x; smaller is nearer the camera)',
      matrix:
        '4 × 4 facial transformation matrix of the canonical face model (centimetres) to the detected face in camera space, column-major (translation in elements 12-14)',
    },
    teacher: init.teacher,
    faceRate: frames.length ? frames.filter((f) => f.face).length / frames.length : 0,
    created: new Date().toISOString(),
  };
}

/** Serialises a teacher track; throws INVALID_ARGUMENT on frames of the wrong shape. */
export function encodeTeacherTrack(header: TeacherTrackHeader, frames: readonly TeacherFrame[]): Uint8Array {
  const nb = header.blendshapes.length;
  const recordFloats = teacherRecordFloats(nb);
  const bad = (why: string) => new CpemError('INVALID_ARGUMENT', `Teacher track: ${why}.`);
  if (header.recordFloats !== recordFloats)
    throw bad(`header.recordFloats is ${header.recordFloats}; ${nb} blendshapes need ${recordFloats}`);
  let json = JSON.stringify({ ...header, frameCount: frames.length });
  const enc = new TextEncoder();
  while ((12 + enc.encode(json).length) % 4 !== 0) json += ' ';
  const jsonBytes = enc.encode(json);
  const dataOffset = 12 + jsonBytes.length;
  const out = new Uint8Array(dataOffset + frames.length * recordFloats * 4);
  out.set(enc.encode(TEACHER_TRACK_MAGIC), 0);
  new DataView(out.buffer).setUint32(8, jsonBytes.length, true);
  out.set(jsonBytes, 12);
  const records = new Float32Array(out.buffer, dataOffset, frames.length * recordFloats);
  let lastTime = -Infinity;
  frames.forEach((f, i) => {
    if (f.index !== i) throw bad(`record ${i} holds frame ${f.index}; records are frames 0, 1, 2 … in order`);
    if (!(f.timestampMs > lastTime))
      throw bad(
        `frame ${i} has timestamp ${f.timestampMs} ms, not after ${lastTime} ms; timestamps must increase strictly`,
      );
    lastTime = f.timestampMs;
    if (f.blendshapes.length !== nb)
      throw bad(`frame ${i} has ${f.blendshapes.length} blendshape scores; the header names ${nb}`);
    if (f.landmarks.length !== NUM_FACE_LANDMARKS * 3)
      throw bad(
        `frame ${i} has ${f.landmarks.length} landmark values; a teacher track stores ${NUM_FACE_LANDMARKS * 3} (478 × 3)`,
      );
    if (f.matrix.length !== TEACHER_MATRIX_FLOATS)
      throw bad(`frame ${i} has ${f.matrix.length} matrix values; a teacher track stores 16 (4 × 4)`);
    const o = i * recordFloats;
    records[o] = f.index;
    records[o + 1] = f.timestampMs;
    records[o + 2] = f.face ? 1 : 0;
    records.set(f.blendshapes, o + TEACHER_SCALARS);
    records.set(f.landmarks, o + TEACHER_SCALARS + nb);
    records.set(f.matrix, o + TEACHER_SCALARS + nb + NUM_FACE_LANDMARKS * 3);
  });
  return out;
}

/** Reads only the JSON header (a prefix of the file is enough). Throws INVALID_ARGUMENT naming the problem. */
export function decodeTeacherHeader(bytes: Uint8Array | ArrayBuffer): {
  header: TeacherTrackHeader;
  dataOffset: number;
} {
  const b = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const bad = (why: string) => new CpemError('INVALID_ARGUMENT', `Teacher track: ${why}. ${HOW_TO_MAKE}`);
  if (b.length < 12 || new TextDecoder().decode(b.subarray(0, 8)) !== TEACHER_TRACK_MAGIC)
    throw bad(`not a teacher-track file (no ${TEACHER_TRACK_MAGIC} magic)`);
  const jsonLength = new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(8, true);
  if (12 + jsonLength > b.length) throw bad(`the ${jsonLength}-byte header runs past the end of the file (truncated)`);
  let header: TeacherTrackHeader;
  try {
    header = JSON.parse(new TextDecoder().decode(b.subarray(12, 12 + jsonLength))) as TeacherTrackHeader;
  } catch (e) {
    throw bad(`the JSON header does not parse (${(e as Error).message})`);
  }
  if (!header || header.format !== TEACHER_TRACK_FORMAT || header.version !== TEACHER_TRACK_VERSION) {
    throw bad(
      `format ${String(header?.format)} version ${String(header?.version)}; this reader knows ${TEACHER_TRACK_FORMAT} version ${TEACHER_TRACK_VERSION}`,
    );
  }
  if (!Array.isArray(header.blendshapes) || header.blendshapes.some((n) => typeof n !== 'string'))
    throw bad('the header has no list of blendshape names');
  if (header.points !== NUM_FACE_LANDMARKS || header.recordFloats !== teacherRecordFloats(header.blendshapes.length)) {
    throw bad(
      `records of ${header.recordFloats} floats for ${header.points} points and ${header.blendshapes.length} blendshapes; expected ${teacherRecordFloats(header.blendshapes.length)} for ${NUM_FACE_LANDMARKS}`,
    );
  }
  if (!Number.isInteger(header.frameCount) || header.frameCount < 0)
    throw bad(`frameCount ${String(header.frameCount)} is not a count`);
  return { header, dataOffset: 12 + jsonLength };
}

/**
 * Parses a teacher track; the frames' arrays are views into one Float32Array copy of the records. Throws
 * INVALID_ARGUMENT naming the problem for a file that is not one, truncated, padded or out of order.
 */
export function decodeTeacherTrack(bytes: Uint8Array | ArrayBuffer): TeacherTrack {
  const b = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const { header, dataOffset } = decodeTeacherHeader(b);
  const bad = (why: string) =>
    new CpemError('INVALID_ARGUMENT', `Teacher track ${header.video?.file ?? ''}: ${why}. ${HOW_TO_MAKE}`);
  const rf = header.recordFloats;
  const expected = header.frameCount * rf * 4;
  if (b.length - dataOffset !== expected) {
    throw bad(
      `${b.length - dataOffset} bytes of records where ${header.frameCount} frames need ${expected} (${b.length - dataOffset < expected ? 'truncated' : 'padded'})`,
    );
  }
  const records = new Float32Array(header.frameCount * rf);
  new Uint8Array(records.buffer).set(b.subarray(dataOffset));
  const nb = header.blendshapes.length;
  const frames: TeacherFrame[] = [];
  let lastTime = -Infinity;
  for (let i = 0; i < header.frameCount; i++) {
    const o = i * rf;
    if (records[o] !== i) throw bad(`record ${i} holds frame index ${records[o]} (corrupt or out of order)`);
    if (!(records[o + 1] > lastTime))
      throw bad(`frame ${i} has timestamp ${records[o + 1]} ms, not after the previous ${lastTime} ms (corrupt)`);
    lastTime = records[o + 1];
    if (records[o + 2] !== 0 && records[o + 2] !== 1)
      throw bad(`frame ${i} has face flag ${records[o + 2]}; it must be 0 or 1 (corrupt)`);
    const s = o + TEACHER_SCALARS;
    frames.push({
      index: i,
      timestampMs: records[o + 1],
      face: records[o + 2] === 1,
      blendshapes: records.subarray(s, s + nb),
      landmarks: records.subarray(s + nb, s + nb + NUM_FACE_LANDMARKS * 3),
      matrix: records.subarray(s + nb + NUM_FACE_LANDMARKS * 3, o + rf),
    });
  }
  return { header, frames };
}
