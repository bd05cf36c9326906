/**
 * Landmark-track files: the tracker's output for one video, read by the trainer. Format (little-endian), described
 * for users in docs/tracking.md:
 *
 *   bytes 0-7    magic "CPEMLMT1"
 *   bytes 8-11   uint32 N, length of the JSON header in bytes
 *   12 .. 12+N   JSON header (UTF-8), padded with spaces so that the records start at a multiple of 4
 *   then         frameCount records of RECORD_FLOATS float32 each:
 *                frame index, time (s), status (1 face, 0 no face), confidence, box x, y, width, height,
 *                478 × (x, y, z) landmarks in video pixels (zeros when there is no face)
 *
 * Pure functions over bytes: no file system, so the same code reads tracks in Node and in the browser.
 */
import { CpemError } from '../../../plugin/errors/cpem-error.js';
import { NUM_FACE_LANDMARKS } from '../../../plugin/constants.js';

export const LANDMARK_TRACK_MAGIC = 'CPEMLMT1';
export const LANDMARK_TRACK_VERSION = 1;
/** Floats per frame record: 8 scalars, then the landmarks. */
export const RECORD_FLOATS = 8 + NUM_FACE_LANDMARKS * 3;

export interface LandmarkTrackHeader {
  format: 'cpem-landmark-track';
  version: number;
  /** The source video: its file name, size in pixels, its own frame rate and frame count. */
  video: { file: string; width: number; height: number; fps: number; frames: number };
  /** Frames per second actually tracked (the video's own unless resampled with --fps). */
  sampledFps: number;
  frameCount: number;
  points: number;
  recordFloats: number;
  /** Names of a record's first 8 floats, then 'landmarks'. */
  fields: string[];
  /** Landmark order and coordinate meaning. */
  landmarkOrder: string;
  tracker: { backend: string; models: string; minConfidence: number };
  /** Share of frames with a face. */
  faceRate: number;
  created: string;
}

export interface LandmarkTrackFrame {
  index: number;
  /** Seconds from the start of the video. */
  time: number;
  status: 'ok' | 'no-face';
  confidence: number;
  box: { x: number; y: number; width: number; height: number };
  /** 478 × 3 (x, y in video pixels, z relative depth in pixels); zeros when status is 'no-face'. */
  landmarks: Float32Array;
}

export interface LandmarkTrack {
  header: LandmarkTrackHeader;
  frames: LandmarkTrackFrame[];
}

export const RECORD_FIELDS = [
  'index',
  'time',
  'status',
  'confidence',
  'boxX',
  'boxY',
  'boxWidth',
  'boxHeight',
  'landmarks',
];

/** Builds a header with the fixed fields filled in. */
export function makeTrackHeader(
  init: Pick<LandmarkTrackHeader, 'video' | 'sampledFps' | 'tracker'>,
  frames: readonly LandmarkTrackFrame[],
): LandmarkTrackHeader {
  return {
    format: 'cpem-landmark-track',
    version: LANDMARK_TRACK_VERSION,
    ...init,
    frameCount: frames.length,
    points: NUM_FACE_LANDMARKS,
    recordFloats: RECORD_FLOATS,
    fields: RECORD_FIELDS,
    landmarkOrder:
      'MediaPipe face mesh 0-467, then iris 468-477 (468 centre of the iris near mesh 33/133, 469-472 its rim right, top, left, bottom in the image; 473-477 the same near 263/362); x, y video pixels, z relative depth in pixels',
    faceRate: frames.length ? frames.filter((f) => f.status === 'ok').length / frames.length : 0,
    created: new Date().toISOString(),
  };
}

/** Serialises a track. */
export function encodeLandmarkTrack(header: LandmarkTrackHeader, frames: readonly LandmarkTrackFrame[]): Uint8Array {
  let json = JSON.stringify({ ...header, frameCount: frames.length });
  while ((12 + new TextEncoder().encode(json).length) % 4 !== 0) json += ' ';
  const jsonBytes = new TextEncoder().encode(json);
  const dataOffset = 12 + jsonBytes.length;
  const out = new Uint8Array(dataOffset + frames.length * RECORD_FLOATS * 4);
  out.set(new TextEncoder().encode(LANDMARK_TRACK_MAGIC), 0);
  new DataView(out.buffer).setUint32(8, jsonBytes.length, true);
  out.set(jsonBytes, 12);
  const records = new Float32Array(out.buffer, dataOffset, frames.length * RECORD_FLOATS);
  frames.forEach((f, i) => {
    if (f.landmarks.length !== NUM_FACE_LANDMARKS * 3) {
      throw new CpemError(
        'INVALID_ARGUMENT',
        `Landmark track: frame ${f.index} has ${f.landmarks.length} landmark values; a track stores ${NUM_FACE_LANDMARKS * 3} (478 × 3).`,
      );
    }
    const o = i * RECORD_FLOATS;
    records.set(
      [f.index, f.time, f.status === 'ok' ? 1 : 0, f.confidence, f.box.x, f.box.y, f.box.width, f.box.height],
      o,
    );
    records.set(f.landmarks, o + 8);
  });
  return out;
}

/** Parses a track; the frames' landmarks are views into one Float32Array copy of the records. */
export function decodeLandmarkTrack(bytes: Uint8Array | ArrayBuffer): LandmarkTrack {
  const b = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const bad = (why: string) =>
    new CpemError(
      'INVALID_ARGUMENT',
      `Landmark track: ${why}. Write the file with \`npm run track -- VIDEO --out FILE\`.`,
    );
  if (b.length < 12 || new TextDecoder().decode(b.subarray(0, 8)) !== LANDMARK_TRACK_MAGIC)
    throw bad(`not a landmark-track file (no ${LANDMARK_TRACK_MAGIC} magic)`);
  const jsonLength = new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(8, true);
  if (12 + jsonLength > b.length) throw bad('the header runs past the end of the file (truncated)');
  let header: LandmarkTrackHeader;
  try {
    header = JSON.parse(new TextDecoder().decode(b.subarray(12, 12 + jsonLength))) as LandmarkTrackHeader;
  } catch (e) {
    throw bad(`the JSON header does not parse (${(e as Error).message})`);
  }
  if (header.format !== 'cpem-landmark-track' || header.version !== LANDMARK_TRACK_VERSION)
    throw bad(
      `format ${String(header.format)} version ${String(header.version)}; this reader knows cpem-landmark-track version ${LANDMARK_TRACK_VERSION}`,
    );
  if (header.recordFloats !== RECORD_FLOATS || header.points !== NUM_FACE_LANDMARKS)
    throw bad(
      `records of ${header.recordFloats} floats for ${header.points} points; expected ${RECORD_FLOATS} for ${NUM_FACE_LANDMARKS}`,
    );
  const dataOffset = 12 + jsonLength;
  const expected = header.frameCount * RECORD_FLOATS * 4;
  if (b.length - dataOffset !== expected)
    throw bad(
      `${b.length - dataOffset} bytes of records where ${header.frameCount} frames need ${expected} (truncated or padded)`,
    );
  const records = new Float32Array(header.frameCount * RECORD_FLOATS);
  new Uint8Array(records.buffer).set(b.subarray(dataOffset));
  const frames: LandmarkTrackFrame[] = [];
  for (let i = 0; i < header.frameCount; i++) {
    const o = i * RECORD_FLOATS;
    frames.push({
      index: records[o],
      time: records[o + 1],
      status: records[o + 2] === 1 ? 'ok' : 'no-face',
      confidence: records[o + 3],
      box: { x: records[o + 4], y: records[o + 5], width: records[o + 6], height: records[o + 7] },
      landmarks: records.subarray(o + 8, o + RECORD_FLOATS),
    });
  }
  return { header, frames };
}
