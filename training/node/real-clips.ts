// Real clips for training, with their targets: our tracker's landmarks (.cache/tracks, npm run track), the teacher's
// unit values (.cache/teacher, npm run teacher) and the by-eye labels of the tune half (test/data/real-frame-labels.json).
// Each is made on first use when missing. Node only.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { CpemError } from '../../plugin/errors/cpem-error.js';
import { expressionUnitIndex } from '../../plugin/units/expression-units.js';
import type { TrackedClip } from '../data/real-track-source.js';
import { decodeTeacherTrack, type TeacherTrack } from '../data/teacher-track.js';
import { teacherClipTargets } from '../data/teacher-units.js';
import type { LabelSet } from '../eval/real-frame-eval.js';
import { loadTrack } from './track-cache.js';

export const TEACHER_CACHE_DIR = path.join('.cache', 'teacher');

/** The cached teacher track file of a video. */
export function teacherFileFor(video: string, cacheDir = TEACHER_CACHE_DIR): string {
  return path.join(cacheDir, `${path.basename(video, path.extname(video))}.teacher`);
}

/** The teacher track of a video: read from the cache, or made first with `npm run teacher` (headless Chromium). */
export function loadTeacherTrack(video: string, options: { cacheDir?: string; log?: (m: string) => void } = {}): TeacherTrack {
  const file = teacherFileFor(video, options.cacheDir);
  if (!fs.existsSync(file)) {
    options.log?.(`running the teacher on ${video} → ${file}`);
    const r = spawnSync(process.execPath, ['tools/run-node.mjs', 'training/cli/teacher.ts', '--', video, ...(options.cacheDir ? ['--out-dir', options.cacheDir] : [])], { stdio: ['ignore', 'inherit', 'inherit'] });
    if (r.status !== 0) throw new CpemError('INVALID_ARGUMENT', `The teacher could not run on ${video} (exit ${r.status}); run npm run teacher -- ${video} to see why.`);
  }
  const bytes = fs.readFileSync(file);
  return decodeTeacherTrack(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}

export interface RealClipOptions {
  /** Attach the teacher's unit values (and masks) to every frame. */
  teacher: boolean;
  /**
   * Labels by eye to attach, e.g. the tune half of the label set (the caller filters). Each labelled frame's
   * category values also apply to the frames within `labelSpread` of it (the nearest labelled frame wins).
   */
  labels?: LabelSet | null;
  labelSpread?: number;
  log?: (message: string) => void;
}

/** A label set's categories as unit indices (for RealTrackSource's `categories`). */
export function categoryUnitIndices(labels: LabelSet): Record<string, number[]> {
  return Object.fromEntries(Object.entries(labels.categories).map(([name, units]) => [name, units.map((u) => expressionUnitIndex(u))]));
}

/**
 * One training clip per video: the frames where our tracker found a face, with the teacher's targets and the labels
 * the options ask for. The frames match by decoded frame index (track, teacher cache and labels count alike).
 */
export function loadRealClip(video: string, options: RealClipOptions): TrackedClip & { frameIndex: number[] } {
  const name = path.basename(video);
  const track = loadTrack(video, { log: options.log });
  const ok = track.frames.filter((f) => f.status === 'ok');
  const clip: TrackedClip & { frameIndex: number[] } = { name, frames: ok.map((f) => Float32Array.from(f.landmarks)), frameIndex: ok.map((f) => f.index), targets: {} };
  if (options.teacher) {
    const teacher = teacherClipTargets(loadTeacherTrack(video, { log: options.log }));
    if (teacher.frames !== track.frames.length) {
      throw new CpemError('INVALID_ARGUMENT', `${name}: the teacher cache has ${teacher.frames} frames, the landmark track ${track.frames.length}; remake the older one (npm run teacher -- --force ${video}, or delete its .cache/tracks file).`);
    }
    clip.targets!.units = { values: ok.map((f) => teacher.values[f.index]), masks: ok.map((f) => teacher.masks[f.index]) };
  }
  const labelled = options.labels?.frames.filter((f) => f.clip === name) ?? [];
  if (options.labels && labelled.length > 0) {
    const names = Object.keys(options.labels.categories);
    const spread = options.labelSpread ?? 2;
    const values = ok.map(() => new Float32Array(names.length));
    const masks = ok.map(() => new Float32Array(names.length));
    clip.frameIndex.forEach((index, k) => {
      let nearest = null as (typeof labelled)[number] | null;
      for (const f of labelled) if (Math.abs(f.frame - index) <= spread && (!nearest || Math.abs(f.frame - index) < Math.abs(nearest.frame - index))) nearest = f;
      if (!nearest) return;
      names.forEach((c, j) => { values[k][j] = nearest!.labels[c] ?? 0; });
      masks[k].fill(1);
    });
    clip.targets!.categories = { values, masks };
  }
  return clip;
}
