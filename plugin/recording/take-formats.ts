import { compileRetargetTable, evaluateRetargetTable } from '../retarget/shaping.js';
import { arkitRetargetTable } from '../retarget/presets/arkit.js';
import { EXPRESSION_UNITS } from '../units/expression-units.js';
import type { TakeBuffer } from './take-buffer.js';

/** Live Link Face's 52 blendshape columns, in its order (Apple names, first letter upper-case). */
export const LIVE_LINK_BLENDSHAPES = [
  'EyeBlinkLeft',
  'EyeLookDownLeft',
  'EyeLookInLeft',
  'EyeLookOutLeft',
  'EyeLookUpLeft',
  'EyeSquintLeft',
  'EyeWideLeft',
  'EyeBlinkRight',
  'EyeLookDownRight',
  'EyeLookInRight',
  'EyeLookOutRight',
  'EyeLookUpRight',
  'EyeSquintRight',
  'EyeWideRight',
  'JawForward',
  'JawRight',
  'JawLeft',
  'JawOpen',
  'MouthClose',
  'MouthFunnel',
  'MouthPucker',
  'MouthRight',
  'MouthLeft',
  'MouthSmileLeft',
  'MouthSmileRight',
  'MouthFrownLeft',
  'MouthFrownRight',
  'MouthDimpleLeft',
  'MouthDimpleRight',
  'MouthStretchLeft',
  'MouthStretchRight',
  'MouthRollLower',
  'MouthRollUpper',
  'MouthShrugLower',
  'MouthShrugUpper',
  'MouthPressLeft',
  'MouthPressRight',
  'MouthLowerDownLeft',
  'MouthLowerDownRight',
  'MouthUpperUpLeft',
  'MouthUpperUpRight',
  'BrowDownLeft',
  'BrowDownRight',
  'BrowInnerUp',
  'BrowOuterUpLeft',
  'BrowOuterUpRight',
  'CheekPuff',
  'CheekSquintLeft',
  'CheekSquintRight',
  'NoseSneerLeft',
  'NoseSneerRight',
  'TongueOut',
] as const;

/** Its 9 pose columns after the blendshapes (radians; the eyes are not estimated and stay 0). */
export const LIVE_LINK_POSE_COLUMNS = [
  'HeadYaw',
  'HeadPitch',
  'HeadRoll',
  'LeftEyeYaw',
  'LeftEyePitch',
  'LeftEyeRoll',
  'RightEyeYaw',
  'RightEyePitch',
  'RightEyeRoll',
] as const;

/** The take's nominal frame rate: 1000 / the median interval between frames, rounded (30 for a take of one frame). */
export function nominalFrameRate(take: TakeBuffer): number {
  const t = take.frameTimes();
  if (t.length < 2) return 30;
  const steps = Array.from({ length: t.length - 1 }, (_, i) => t[i + 1] - t[i]).sort((a, b) => a - b);
  return Math.max(1, Math.round(1000 / steps[steps.length >> 1]));
}

/** `HH:MM:SS:FF.mmm` (frame FF at `fps`, then the thousandths of a frame), as Live Link Face writes its Timecode. */
export function liveLinkTimecode(ms: number, fps: number): string {
  const frames = (ms / 1000) * fps;
  const whole = Math.floor(frames + 1e-6);
  const seconds = Math.floor(whole / fps);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const sub = Math.min(999, Math.round((frames - whole) * 1000));
  return `${pad(Math.floor(seconds / 3600))}:${pad(Math.floor(seconds / 60) % 60)}:${pad(seconds % 60)}:${pad(whole % fps)}.${pad(Math.max(0, sub), 3)}`;
}

/**
 * The take's per-frame units as a CSV in Live Link Face's column layout: Timecode, BlendShapeCount (61), the 52 ARKit
 * blendshapes (the 46 units through the ARKit preset, as a character with ARKit targets gets them), then head yaw,
 * pitch and roll (radians, as the estimator reports them) and six eye angles (0). Frames without a face (gaps) have no row.
 */
export function takeToLiveLinkCsv(take: TakeBuffer): string {
  const table = compileRetargetTable(arkitRetargetTable('apple'));
  const column = LIVE_LINK_BLENDSHAPES.map((name) => table.targetNames.indexOf(name[0].toLowerCase() + name.slice(1)));
  const values = new Float32Array(table.targetNames.length);
  const fps = nominalFrameRate(take);
  const lines = [['Timecode', 'BlendShapeCount', ...LIVE_LINK_BLENDSHAPES, ...LIVE_LINK_POSE_COLUMNS].join(',')];
  const times = take.frameTimes();
  const fmt = (v: number) => (Math.round(v * 1e6) / 1e6).toString();
  for (let f = 0; f < take.frameCount; f++) {
    evaluateRetargetTable(table, take.unitsAt(f), values);
    const [pitch, yaw, roll] = take.anglesAt(f);
    const row = [liveLinkTimecode(times[f], fps), String(LIVE_LINK_BLENDSHAPES.length + LIVE_LINK_POSE_COLUMNS.length)];
    for (const c of column) row.push(fmt(c >= 0 ? values[c] : 0));
    row.push(fmt(yaw), fmt(pitch), fmt(roll), '0', '0', '0', '0', '0', '0');
    lines.push(row.join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** The raw take as JSON: the 46 units and head angles of every frame, their times, and the gaps. */
export interface TakeUnitsJson {
  format: 'babylon-cpem-take';
  version: 1;
  units: readonly string[];
  /** The clock time of the first frame (ms; in a bake, its time in the video): `timeMs` counts from it. */
  startMs: number;
  durationMs: number;
  frameRate: number;
  gaps: ReadonlyArray<{ startMs: number; endMs: number }>;
  frames: Array<{ timeMs: number; units: number[]; rotation: number[] }>;
}

export function takeToUnitsJson(take: TakeBuffer): TakeUnitsJson {
  const times = take.frameTimes();
  const round = (v: number) => Math.round(v * 1e5) / 1e5;
  return {
    format: 'babylon-cpem-take',
    version: 1,
    units: EXPRESSION_UNITS,
    startMs: round(take.startTime),
    durationMs: take.durationMs,
    frameRate: nominalFrameRate(take),
    gaps: take.gaps.map((g) => ({ ...g })),
    frames: Array.from(times, (t, f) => ({
      timeMs: round(t),
      units: Array.from(take.unitsAt(f), round),
      rotation: Array.from(take.anglesAt(f), round),
    })),
  };
}
