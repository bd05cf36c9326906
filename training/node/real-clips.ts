// Real clips for training, with their targets: our tracker's landmarks (.cache/tracks, npm run track), the teacher's
// unit values (.cache/teacher, npm run teacher) and the by-eye labels of the tune half (test/data/real-frame-labels.json).
// Each is made on first use when missing. Node only.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { CpemError } from '../../plugin/errors/cpem-error.js';
import { expressionUnitIndex } from '../../plugin/units/expression-units.js';
import type { TrackedClip } from '../lib/data/real-track-source.js';
import { decodeTeacherTrack, type TeacherTrack } from '../lib/data/teacher-track.js';
import { teacherClipTargets, TEACHER_UNIT_MASK } from '../lib/data/teacher-units.js';
import { ACTIVE_LABEL, type LabelSet } from '../lib/eval/real-frame-eval.js';
import { GAIN_GRID } from '../lib/eval/unit-gain.js';
import { OUTPUT_CURVE_KNOTS, quantileCurve } from '../lib/eval/output-curve.js';
import { contentKeyedFile } from './content-key.mjs';
import { loadTrack } from './track-cache.js';
import { NUM_EXPRESSION_UNITS } from '../../plugin/constants.js';

export const TEACHER_CACHE_DIR = path.join('.cache', 'teacher');

/** The cached teacher track file of a video, keyed by the video's content: `<stem>.<key>.teacher`. */
export function teacherFileFor(video: string, cacheDir = TEACHER_CACHE_DIR): string {
  return contentKeyedFile(video, cacheDir, 'teacher');
}

/** The teacher track of a video: read from the cache, or made first with `npm run teacher` (headless Chromium). */
export function loadTeacherTrack(
  video: string,
  options: { cacheDir?: string; log?: (m: string) => void } = {},
): TeacherTrack {
  const file = teacherFileFor(video, options.cacheDir);
  if (!fs.existsSync(file)) {
    options.log?.(`running the teacher on ${video} → ${file}`);
    const r = spawnSync(
      process.execPath,
      [
        'tools/run-node.mjs',
        'training/cli/teacher.ts',
        '--',
        video,
        ...(options.cacheDir ? ['--out-dir', options.cacheDir] : []),
      ],
      { stdio: ['ignore', 'inherit', 'inherit'] },
    );
    if (r.status !== 0)
      throw new CpemError(
        'INVALID_ARGUMENT',
        `The teacher could not run on ${video} (exit ${r.status}); run npm run teacher -- ${video} to see why.`,
      );
  }
  const bytes = fs.readFileSync(file);
  return decodeTeacherTrack(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}

export interface RealClipOptions {
  /** Folder of the landmark tracks (default .cache/tracks). */
  trackDir?: string;
  /** Attach the teacher's unit values (and masks) to every frame. */
  teacher: boolean;
  /**
   * How the teacher's values become targets (see fitTeacherTargets): per unit, the teacher's level on a resting face
   * r and a gain g, t' = min(1, g · clamp((t − r) / (1 − r), 0, 1)): a resting face is trained towards 0, and a
   * movement the teacher reads too weakly against the labels towards its labelled strength.
   */
  teacherMap?: TeacherTargetMap;
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
  return Object.fromEntries(
    Object.entries(labels.categories).map(([name, units]) => [name, units.map((u) => expressionUnitIndex(u))]),
  );
}

/**
 * One training clip per video: the frames where our tracker found a face, with the teacher's targets and the labels
 * the options ask for. The frames match by decoded frame index (track, teacher cache and labels count alike).
 */
export function loadRealClip(video: string, options: RealClipOptions): TrackedClip & { frameIndex: number[] } {
  const name = path.basename(video);
  const track = loadTrack(video, { log: options.log, cacheDir: options.trackDir });
  const ok = track.frames.filter((f) => f.status === 'ok');
  const clip: TrackedClip & { frameIndex: number[] } = {
    name,
    frames: ok.map((f) => Float32Array.from(f.landmarks)),
    frameIndex: ok.map((f) => f.index),
    targets: {},
  };
  if (options.teacher) {
    const teacher = teacherClipTargets(loadTeacherTrack(video, { log: options.log }));
    if (teacher.frames !== track.frames.length) {
      throw new CpemError(
        'INVALID_ARGUMENT',
        `${name}: the teacher cache has ${teacher.frames} frames, the landmark track ${track.frames.length}; remake the older one (npm run teacher -- --force ${video}, or delete its .cache/tracks file).`,
      );
    }
    const map = options.teacherMap;
    const values = ok.map((f) => (map ? applyTeacherMap(map, teacher.values[f.index]) : teacher.values[f.index]));
    clip.targets!.units = { values, masks: ok.map((f) => teacher.masks[f.index]) };
  }
  const labelled = options.labels?.frames.filter((f) => f.clip === name) ?? [];
  if (options.labels && labelled.length > 0) {
    const names = Object.keys(options.labels.categories);
    const spread = options.labelSpread ?? 2;
    const values = ok.map(() => new Float32Array(names.length));
    const masks = ok.map(() => new Float32Array(names.length));
    clip.frameIndex.forEach((index, k) => {
      let nearest = null as (typeof labelled)[number] | null;
      for (const f of labelled)
        if (
          Math.abs(f.frame - index) <= spread &&
          (!nearest || Math.abs(f.frame - index) < Math.abs(nearest.frame - index))
        )
          nearest = f;
      if (!nearest) return;
      names.forEach((c, j) => {
        values[k][j] = nearest!.labels[c] ?? 0;
      });
      masks[k].fill(1);
    });
    clip.targets!.categories = { values, masks };
  }
  return clip;
}

/** Per unit, the teacher's resting level and gain or curve (see RealClipOptions.teacherMap). */
export interface TeacherTargetMap {
  rest: Float32Array;
  gain: Float32Array;
  /**
   * With `data.teacherMap: 'quantile'`: per unit, knots of a monotone curve over [0, 1] (numExpression × knots,
   * row-major) that replaces the gain: a target is curve(clamp((t − r) / (1 − r), 0, 1)).
   */
  curve?: { knots: number; values: Float32Array; categories: Record<string, number[]> };
  /** The gain chosen per category, with the tune-half objective at gain 1 and at the chosen gain. */
  categories: Record<string, { gain: number; objective: number; objectiveAtOne: number }>;
}

/** A teacher frame's 46 values as targets under `map`. */
export function applyTeacherMap(map: TeacherTargetMap, values: Float32Array): Float32Array {
  return values.map((t, u) => {
    const above = Math.min(1, Math.max(0, (t - map.rest[u]) / Math.max(1 - map.rest[u], 1e-3)));
    if (!map.curve) return Math.min(1, map.gain[u] * above);
    const { knots, values: c } = map.curve;
    const x = above * (knots - 1);
    const k = Math.min(knots - 2, Math.floor(x));
    return c[u * knots + k] + (x - k) * (c[u * knots + k + 1] - c[u * knots + k]);
  });
}

/**
 * Measures how the teacher's values should become targets, on the labelled frames of `labels` (pass the tune half
 * only): each unit's resting level is the teacher's `restQuantile` (default the median) over the neutral frames (MediaPipe's blendshapes are not
 * 0 on a resting face; docs/teacher.md has the levels), and each labelled category whose units
 * all have teacher targets gets the gain from GAIN_GRID (never below 1) that best fits the labels, by the same
 * objective as `npm run calibrate`: the mean of the all-frame error and the error where the category is shown. A unit
 * takes the gain of the smallest category it belongs to.
 */
export function fitTeacherTargets(
  labels: LabelSet,
  videoDir: string,
  options: { restQuantile?: number; mode?: 'gains' | 'quantile'; log?: (m: string) => void } = {},
): TeacherTargetMap {
  const { restQuantile = 0.5, mode = 'gains', log } = options;
  const frames = new Map<string, ReturnType<typeof teacherClipTargets>>();
  for (const clip of new Set(labels.frames.map((f) => f.clip)))
    frames.set(clip, teacherClipTargets(loadTeacherTrack(path.join(videoDir, clip), { log })));
  const labelled = labels.frames.filter((f) => frames.get(f.clip)!.face[f.frame]);
  const perUnit: number[][] = Array.from({ length: NUM_EXPRESSION_UNITS }, () => []);
  for (const f of labelled) if (f.neutral) frames.get(f.clip)!.values[f.frame].forEach((v, u) => perUnit[u].push(v));
  if (perUnit[0].length === 0)
    throw new CpemError(
      'INVALID_ARGUMENT',
      "No neutral labelled frame with a teacher face: the teacher's resting levels cannot be measured.",
    );
  const rest = Float32Array.from(
    perUnit,
    (v) => v.sort((a, b) => a - b)[Math.min(v.length - 1, Math.floor(restQuantile * v.length))],
  );
  const map: TeacherTargetMap = { rest, gain: new Float32Array(NUM_EXPRESSION_UNITS).fill(1), categories: {} };
  const mask = TEACHER_UNIT_MASK;
  const categories = Object.entries(categoryUnitIndices(labels))
    .filter(([, units]) => units.every((u) => mask[u] > 0))
    .sort((a, b) => b[1].length - a[1].length);
  for (const [name, units] of categories) {
    const pairs = labelled.map((f) => {
      const v = applyTeacherMap(
        { ...map, gain: new Float32Array(NUM_EXPRESSION_UNITS).fill(1) },
        frames.get(f.clip)!.values[f.frame],
      );
      return [units.reduce((s, u) => s + v[u], 0) / units.length, f.labels[name] ?? 0] as const;
    });
    const objective = (g: number) => {
      const all = pairs.reduce((s, [t, y]) => s + Math.abs(Math.min(1, g * t) - y), 0) / pairs.length;
      const shown = pairs.filter(([, y]) => y >= ACTIVE_LABEL);
      return shown.length
        ? (all + shown.reduce((s, [t, y]) => s + Math.abs(Math.min(1, g * t) - y), 0) / shown.length) / 2
        : all;
    };
    if (mode === 'quantile') {
      map.curve ??= {
        knots: OUTPUT_CURVE_KNOTS,
        values: Float32Array.from(
          { length: NUM_EXPRESSION_UNITS * OUTPUT_CURVE_KNOTS },
          (_, i) => (i % OUTPUT_CURVE_KNOTS) / (OUTPUT_CURVE_KNOTS - 1),
        ),
        categories: {},
      };
      const knots = quantileCurve(
        pairs.map(([t]) => t),
        pairs.map(([, y]) => y),
      );
      map.curve.categories[name] = knots.map((v) => +v.toFixed(4));
      for (const u of units) map.curve.values.set(knots, u * OUTPUT_CURVE_KNOTS);
      continue;
    }
    const gain = GAIN_GRID.reduce((a, b) => (objective(b) < objective(a) ? b : a), 1 as number);
    map.categories[name] = { gain, objective: objective(gain), objectiveAtOne: objective(1) };
    // Larger categories first, so a unit ends with the gain of the smallest category it is in.
    for (const u of units) map.gain[u] = gain;
  }
  return map;
}
