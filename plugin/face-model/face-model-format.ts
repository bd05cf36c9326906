import { CpemError } from '../errors/cpem-error.js';
import { crc32 } from './crc32.js';

/**
 * The face-model file (weights/face-model.bin), version 1. All numbers little-endian.
 *
 * | bytes | what |
 * | --- | --- |
 * | 0..7 | magic, ASCII `CPEMFACE` |
 * | 8..11 | uint32 format version (1) |
 * | 12..15 | uint32 H, byte length of the JSON header (padded with spaces to a multiple of 4) |
 * | 16..16+H | JSON header ({@link FaceModelHeader}) |
 * | ... | sections, each starting at a multiple of 4, at the offsets the header lists |
 * | last 4 | uint32 CRC-32 of every byte before it |
 *
 * docs/face-model.md describes each section.
 */
export const FACE_MODEL_MAGIC = 'CPEMFACE';
export const FACE_MODEL_VERSION = 1;

export type SectionDtype = 'float32' | 'int16' | 'uint16' | 'uint32';

/** Where one array lies in the file. `offset` counts from the start of the file. */
export interface SectionEntry {
  readonly dtype: SectionDtype;
  readonly shape: readonly number[];
  readonly offset: number;
}

/** The JSON header. Sections hold the arrays; the rest describes them. */
export interface FaceModelHeader {
  readonly units: 'mm';
  readonly vertexCount: number;
  readonly triangleCount: number;
  readonly identityCount: number;
  readonly expressionNames: readonly string[];
  /** Vertex index ranges [start, end) of the model's parts. */
  readonly regions: Readonly<Record<'face' | 'eyeballLeft' | 'eyeballRight', readonly [number, number]>>;
  /** Total file length in bytes, checksum included. */
  readonly byteLength: number;
  readonly sections: Readonly<Record<string, SectionEntry>>;
  /** Free-form build facts: source, measured errors, registration. */
  readonly build?: Record<string, unknown>;
}

type TypedArray = Float32Array | Int16Array | Uint16Array | Uint32Array;
const BYTES: Record<SectionDtype, number> = { float32: 4, int16: 2, uint16: 2, uint32: 4 };
const CTOR = { float32: Float32Array, int16: Int16Array, uint16: Uint16Array, uint32: Uint32Array } as const;

function dtypeOf(a: TypedArray): SectionDtype {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Int16Array) return 'int16';
  if (a instanceof Uint16Array) return 'uint16';
  return 'uint32';
}

const align4 = (n: number): number => (n + 3) & ~3;

/** Writes a face-model file from its header fields and named arrays (with their shapes). */
export function encodeFaceModelFile(
  header: Omit<FaceModelHeader, 'sections' | 'byteLength'>,
  arrays: Record<string, { data: TypedArray; shape: number[] }>,
): Uint8Array {
  // The header's length depends on the offsets it lists; iterate until it is stable.
  let headerBytes = new Uint8Array(0);
  let sections: Record<string, SectionEntry> = {};
  let total = 0;
  for (let pass = 0; pass < 4; pass++) {
    let offset = 16 + headerBytes.length;
    sections = {};
    for (const [name, { data, shape }] of Object.entries(arrays)) {
      if (shape.reduce((a, b) => a * b, 1) !== data.length)
        throw new Error(`section ${name}: shape ${shape} does not match ${data.length} values`);
      offset = align4(offset);
      sections[name] = { dtype: dtypeOf(data), shape, offset };
      offset += data.byteLength;
    }
    total = align4(offset) + 4;
    let json = JSON.stringify({ ...header, byteLength: total, sections });
    const raw = new TextEncoder().encode(json);
    json += ' '.repeat(align4(raw.length) - raw.length);
    const next = new TextEncoder().encode(json);
    if (next.length === headerBytes.length) {
      headerBytes = next;
      break;
    }
    headerBytes = next;
  }
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  out.set(new TextEncoder().encode(FACE_MODEL_MAGIC), 0);
  view.setUint32(8, FACE_MODEL_VERSION, true);
  view.setUint32(12, headerBytes.length, true);
  out.set(headerBytes, 16);
  for (const [name, { data }] of Object.entries(arrays)) {
    const s = sections[name];
    const bytes = BYTES[s.dtype];
    for (let i = 0; i < data.length; i++) {
      const p = s.offset + i * bytes;
      if (s.dtype === 'float32') view.setFloat32(p, data[i], true);
      else if (s.dtype === 'int16') view.setInt16(p, data[i], true);
      else if (s.dtype === 'uint16') view.setUint16(p, data[i], true);
      else view.setUint32(p, data[i], true);
    }
  }
  view.setUint32(total - 4, crc32(out.subarray(0, total - 4)), true);
  return out;
}

/** A parsed face-model file: its header and its sections as typed arrays (copies, aligned). */
export interface FaceModelFile {
  readonly header: FaceModelHeader;
  readonly arrays: Readonly<Record<string, TypedArray>>;
}

const invalid = (what: string): never => {
  throw new CpemError(
    'FACE_MODEL_INVALID',
    `Face model file: ${what}. Regenerate it with \`npm run build:face-model\` or load the shipped weights/face-model.bin.`,
  );
};
const corrupt = (what: string): never => {
  throw new CpemError(
    'WEIGHTS_CORRUPT',
    `Face model file: ${what}. The file is damaged or incomplete; download or copy it again (weights/face-model.bin).`,
  );
};

/** Parses and checks a face-model file; throws a {@link CpemError} naming what is wrong. */
export function decodeFaceModelFile(buffer: ArrayBuffer | Uint8Array): FaceModelFile {
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1)
    throw new CpemError('BACKEND_UNAVAILABLE', 'Face model: this platform is big-endian; the file is little-endian.');
  const bytes = buffer instanceof Uint8Array ? buffer : new Uint8Array(buffer);
  if (bytes.length < 16) corrupt(`only ${bytes.length} bytes, too short to hold the 16-byte preamble (truncated)`);
  const magic = String.fromCharCode(...bytes.subarray(0, 8));
  if (magic !== FACE_MODEL_MAGIC)
    invalid(`wrong magic ${JSON.stringify(magic)} (expected "${FACE_MODEL_MAGIC}"): this is not a face model file`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== FACE_MODEL_VERSION)
    invalid(`format version ${version}, this package reads version ${FACE_MODEL_VERSION}`);
  const headerLength = view.getUint32(12, true);
  if (16 + headerLength + 4 > bytes.length)
    corrupt(`header of ${headerLength} bytes runs past the end of the ${bytes.length}-byte file (truncated)`);
  let header: FaceModelHeader;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + headerLength))) as FaceModelHeader;
  } catch (e) {
    return corrupt(`the JSON header does not parse (${(e as Error).message})`);
  }
  if (typeof header.byteLength !== 'number') corrupt('the header has no byteLength');
  if (bytes.length < header.byteLength)
    corrupt(`${bytes.length} bytes, the header says ${header.byteLength} (truncated)`);
  if (bytes.length > header.byteLength)
    corrupt(`${bytes.length} bytes, the header says ${header.byteLength} (trailing data)`);
  const stored = view.getUint32(bytes.length - 4, true);
  const actual = crc32(bytes.subarray(0, bytes.length - 4));
  if (stored !== actual)
    corrupt(
      `checksum mismatch (stored CRC-32 ${stored.toString(16)}, computed ${actual.toString(16)}): the content is corrupt`,
    );
  const arrays: Record<string, TypedArray> = {};
  for (const [name, s] of Object.entries(header.sections ?? {})) {
    const Ctor = CTOR[s.dtype];
    if (!Ctor) invalid(`section ${name} has unknown dtype ${s.dtype}`);
    const count = s.shape.reduce((a, b) => a * b, 1);
    const end = s.offset + count * BYTES[s.dtype];
    if (s.offset < 16 + headerLength || s.offset % 4 !== 0 || end > bytes.length - 4)
      invalid(`section ${name} lies outside the file body`);
    // Copy into a fresh buffer: aligned, and independent of a Node Buffer's shared pool.
    const copy = new Uint8Array(end - s.offset);
    copy.set(bytes.subarray(s.offset, end));
    arrays[name] = new Ctor(copy.buffer, 0, count);
  }
  return { header, arrays };
}
