import type { TeacherTrack } from '../data/teacher-track.js';
import { TEACHER_UNIT_TABLE } from '../data/teacher-units.js';
import { NUM_EXPRESSION_UNITS } from '../../../plugin/constants.js';

/**
 * The teacher as a peer: what a developer using MediaPipe's blendshapes directly would get on each frame, on our 46
 * units. Every unit takes the mean of its counterpart scores (TEACHER_UNIT_TABLE's `counterpart`), whether or not
 * training uses them as targets; a unit with no counterpart reads 0. No calibration, no per-user neutral.
 * Returns frame index → units, for the frames where the teacher found a face.
 */
export function teacherPeerUnits(track: TeacherTrack): Map<number, Float32Array> {
  const index = new Map(track.header.blendshapes.map((n, i) => [n, i]));
  const sources = TEACHER_UNIT_TABLE.map((row) =>
    row.counterpart.map((n) => index.get(n)).filter((i): i is number => i !== undefined),
  );
  const out = new Map<number, Float32Array>();
  for (const f of track.frames) {
    if (!f.face) continue;
    const units = new Float32Array(NUM_EXPRESSION_UNITS);
    sources.forEach((src, u) => {
      if (src.length) units[u] = src.reduce((s, i) => s + f.blendshapes[i], 0) / src.length;
    });
    out.set(f.index, units);
  }
  return out;
}
