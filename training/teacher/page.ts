// The teacher page: runs MediaPipe Face Landmarker (tasks-vision, CPU delegate, VIDEO mode) in headless Chromium
// over frames that the teacher command (training/cli/teacher.ts, server in teacher-runner.ts) decodes in Node.
// For one clip it fetches frame k's raw RGBA bytes from the loopback server (prefetching frame k + 1 while frame k
// is detected), calls detectForVideo with the frame's timestamp, and posts the frame's teacher-track record back.
// The page reaches nothing but the loopback server that serves it.
import { FaceLandmarker, FilesetResolver } from '@mediapipe/tasks-vision';
import {
  MEDIAPIPE_BLENDSHAPES,
  TEACHER_MATRIX_FLOATS,
  TEACHER_SCALARS,
  teacherRecordFloats,
} from '../lib/data/teacher-track.js';
import { NUM_FACE_LANDMARKS } from '../../plugin/constants.js';

interface RawFrame {
  index: number;
  timestampMs: number;
  image: ImageData;
}

export interface TeacherClipSummary {
  frames: number;
  faces: number;
  /** detectForVideo time per frame, ms. */
  detectMs: number[];
  /** Time the page waited for each frame's bytes after the previous detection, ms. */
  waitMs: number[];
  /** Setting up the landmarker for the clip, ms. */
  createMs: number;
}

declare global {
  interface Window {
    cpemTeacher?: {
      init(): Promise<{ modelBytes: number; loadMs: number }>;
      runClip(clip: string): Promise<TeacherClipSummary>;
      close(): void;
    };
  }
}

const RECORD_FLOATS = teacherRecordFloats(MEDIAPIPE_BLENDSHAPES.length);
let landmarker: FaceLandmarker | null = null;
/**
 * VIDEO mode wants strictly increasing timestamps for the landmarker's whole life; each clip's frames go in at
 * `clipStart + timestampMs`, clipStart a second past the previous clip's last frame.
 */
let clipStart = 0;
let lastTimestamp = -1000;

async function fetchFrame(clip: string, k: number): Promise<RawFrame | null> {
  const r = await fetch(`/frames/${encodeURIComponent(clip)}/${k}`);
  if (r.status === 204) return null;
  if (!r.ok) throw new Error(`frame ${k} of ${clip}: HTTP ${r.status} ${await r.text()}`);
  const width = Number(r.headers.get('x-width'));
  const height = Number(r.headers.get('x-height'));
  const timestampMs = Number(r.headers.get('x-timestamp-ms'));
  const bytes = new Uint8ClampedArray(await r.arrayBuffer());
  if (bytes.length !== width * height * 4)
    throw new Error(`frame ${k} of ${clip}: ${bytes.length} bytes for a ${width}×${height} RGBA frame`);
  return { index: k, timestampMs, image: new ImageData(bytes, width, height) };
}

/** The teacher-track record of one frame (training/lib/data/teacher-track.ts). */
function toRecord(
  frame: RawFrame,
  result: ReturnType<FaceLandmarker['detectForVideo']>,
): { record: Float32Array; face: boolean } {
  const record = new Float32Array(RECORD_FLOATS);
  record[0] = frame.index;
  record[1] = frame.timestampMs;
  const points = result.faceLandmarks[0];
  const shapes = result.faceBlendshapes[0];
  const matrix = result.facialTransformationMatrixes[0];
  if (!points) return { record, face: false };
  if (!shapes || !matrix)
    throw new Error(`frame ${frame.index}: landmarks without ${shapes ? 'a transformation matrix' : 'blendshapes'}`);
  if (points.length !== NUM_FACE_LANDMARKS)
    throw new Error(`frame ${frame.index}: ${points.length} landmarks, expected ${NUM_FACE_LANDMARKS}`);
  if (shapes.categories.length !== MEDIAPIPE_BLENDSHAPES.length)
    throw new Error(
      `frame ${frame.index}: ${shapes.categories.length} blendshapes, expected ${MEDIAPIPE_BLENDSHAPES.length}`,
    );
  if (matrix.data.length !== TEACHER_MATRIX_FLOATS)
    throw new Error(`frame ${frame.index}: a ${matrix.rows}×${matrix.columns} matrix, expected 4×4`);
  record[2] = 1;
  const b = TEACHER_SCALARS;
  for (const c of shapes.categories) {
    if (MEDIAPIPE_BLENDSHAPES[c.index] !== c.categoryName)
      throw new Error(
        `frame ${frame.index}: blendshape ${c.index} is ${c.categoryName}, expected ${MEDIAPIPE_BLENDSHAPES[c.index]} (another model?)`,
      );
    record[b + c.index] = c.score;
  }
  const { width, height } = frame.image;
  const l = b + MEDIAPIPE_BLENDSHAPES.length;
  for (let i = 0; i < NUM_FACE_LANDMARKS; i++) {
    record[l + 3 * i] = points[i].x * width;
    record[l + 3 * i + 1] = points[i].y * height;
    record[l + 3 * i + 2] = points[i].z * width;
  }
  record.set(matrix.data, l + NUM_FACE_LANDMARKS * 3);
  return { record, face: true };
}

async function postRecord(clip: string, k: number, record: Float32Array): Promise<void> {
  const r = await fetch(`/results/${encodeURIComponent(clip)}/${k}`, {
    method: 'POST',
    body: record.buffer as ArrayBuffer,
  });
  if (!r.ok) throw new Error(`result ${k} of ${clip}: HTTP ${r.status} ${await r.text()}`);
}

window.cpemTeacher = {
  async init() {
    const t0 = performance.now();
    const fileset = await FilesetResolver.forVisionTasks(new URL('/wasm', location.href).href);
    const r = await fetch('/model/teacher.task');
    if (!r.ok) throw new Error(`teacher model: HTTP ${r.status}`);
    const model = new Uint8Array(await r.arrayBuffer());
    landmarker = await FaceLandmarker.createFromOptions(fileset, {
      baseOptions: { modelAssetBuffer: model, delegate: 'CPU' },
      runningMode: 'VIDEO',
      numFaces: 1,
      outputFaceBlendshapes: true,
      outputFacialTransformationMatrixes: true,
    });
    return { modelBytes: model.length, loadMs: performance.now() - t0 };
  },

  async runClip(clip) {
    const lm = landmarker;
    if (!lm) throw new Error('init() first');
    const c0 = performance.now();
    // Setting the options rebuilds the landmarker's graph: VIDEO mode tracks the face from frame to frame, and a
    // new clip must not start from the last clip's face.
    await lm.setOptions({ runningMode: 'VIDEO' });
    clipStart = lastTimestamp + 1000;
    const summary: TeacherClipSummary = {
      frames: 0,
      faces: 0,
      detectMs: [],
      waitMs: [],
      createMs: performance.now() - c0,
    };
    const posts: Promise<void>[] = [];
    try {
      let next = fetchFrame(clip, 0);
      for (let k = 0; ; k++) {
        const w0 = performance.now();
        const frame = await next;
        if (!frame) break;
        summary.waitMs.push(performance.now() - w0);
        next = fetchFrame(clip, k + 1);
        const t0 = performance.now();
        lastTimestamp = clipStart + frame.timestampMs;
        const result = lm.detectForVideo(frame.image, lastTimestamp);
        summary.detectMs.push(performance.now() - t0);
        const { record, face } = toRecord(frame, result);
        summary.frames++;
        if (face) summary.faces++;
        posts.push(postRecord(clip, k, record));
      }
      await Promise.all(posts);
    } catch (e) {
      await Promise.allSettled(posts);
      throw e;
    }
    return summary;
  },

  close() {
    landmarker?.close();
    landmarker = null;
  },
};
