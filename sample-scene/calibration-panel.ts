// The sample scene's "Calibrate" panel: about thirty seconds over the live camera (a neutral face, then nine
// expressions, each after a short countdown), a retake per prompt, and the person's range profile fitted from it
// (plugin/calibration), applied to the behavior at once, stored in localStorage for the next visit and offered as a
// download. Which frames hold each expression comes from the capture analysis the training sandbox uses
// (training/lib/personalize/capture-analysis.ts); the readings are the behavior's own (PE-Net's units, per-user neutral).
//   ?calibrate=neutral:3,smile:2.5,…  another sequence (prompt:seconds)   ?countdown=S  the countdown before each prompt
import {
  assertValidCalibrationProfile,
  isCpemError,
  type CalibrationProfile,
  type EstimatedFaceMotion,
  type FaceRetargetBehavior,
} from '../plugin/index.js';
import { ALIGNMENT_POINTS } from '../plugin/estimator/face-alignment.js';
import type { FaceModel } from '../plugin/face-model/index.js';
import {
  analyseCapture,
  type CaptureAnalysis,
  type PromptCapture,
} from '../training/lib/personalize/capture-analysis.js';
import type { FrameEstimate } from '../training/lib/eval/clip-estimates.js';
import { unitsAfterNeutral } from '../training/lib/personalize/profile-readings.js';
import { isPromptName, promptDefinition, promptSpec, type PromptName } from '../training/lib/personalize/prompts.js';
import { rangeProfileFromCapture } from '../training/lib/personalize/range-profile.js';

export const PROFILE_STORAGE_KEY = 'babylon-cpem-calibration-profile';

/** The default sequence: about thirty seconds with the countdowns. */
export const CALIBRATION_SEQUENCE: ReadonlyArray<{ prompt: PromptName; seconds: number }> = [
  { prompt: 'neutral', seconds: 3 },
  ...(
    [
      'smile',
      'jawOpen',
      'pucker',
      'browsUp',
      'browsDown',
      'eyesClosed',
      'lipCornersDown',
      'noseWrinkle',
      'cheekPuff',
    ] as const
  ).map((prompt) => ({ prompt, seconds: 2.4 })),
];
const DEFAULT_COUNTDOWN = 0.6;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The profile stored by an earlier calibration in this browser, checked; null (and the reason) when there is none or it does not fit. */
export function storedProfile(): { profile: CalibrationProfile | null; problem: string | null } {
  const text = localStorage.getItem(PROFILE_STORAGE_KEY);
  if (!text) return { profile: null, problem: null };
  try {
    return { profile: assertValidCalibrationProfile(JSON.parse(text)), problem: null };
  } catch (e) {
    return {
      profile: null,
      problem: isCpemError(e)
        ? `${e.code}: ${e.message}`
        : `The stored calibration profile is not JSON (${(e as Error).message}).`,
    };
  }
}

/** One recorded frame: the tracker's landmarks and the estimator's raw reading. */
interface Recorded {
  time: number;
  landmarks: Float32Array;
  rawUnits: Float32Array;
  identity: Float32Array;
  rotation: Float32Array;
}

function sequenceFromUrl(params: URLSearchParams): Array<{ prompt: PromptName; seconds: number }> {
  const given = params.get('calibrate');
  if (!given) return [...CALIBRATION_SEQUENCE];
  return given.split(',').map((item) => {
    const [name, seconds] = item.split(':');
    if (!isPromptName(name)) throw new Error(`?calibrate: unknown prompt ${name}`);
    return { prompt: name, seconds: Number(seconds) || 2.4 };
  });
}

/** Wires the panel to `behavior`; returns what specs and the console read. */
export function createCalibrationPanel(behavior: FaceRetargetBehavior, faceModel: FaceModel, params: URLSearchParams) {
  const start = $<HTMLButtonElement>('calibrateProfileButton');
  const download = $<HTMLButtonElement>('downloadProfileButton');
  const clear = $<HTMLButtonElement>('clearProfileButton');
  const prompt = $('calibratePrompt');
  const rows = $('calibrateRows');
  const info = $('profileInfo');
  const sequence = sequenceFromUrl(params);
  const countdown = Number(params.get('countdown') ?? DEFAULT_COUNTDOWN);
  const neutral = faceModel.faceMeshLandmarksOf(faceModel.decode());
  const alignment = {
    points: ALIGNMENT_POINTS,
    reference: ALIGNMENT_POINTS.flatMap((i) => [neutral[i * 3], neutral[i * 3 + 1], neutral[i * 3 + 2]]),
  };
  const frames: Recorded[][] = sequence.map(() => []);
  const state = { running: false, completed: 0, analysis: null as CaptureAnalysis | null, error: '' };

  const describe = (p: CalibrationProfile | null) => {
    if (!p) return "no profile: the character gets the network's readings";
    const boosted = Object.entries(p.units)
      .filter(([, r]) => r!.gain !== 1)
      .map(([u, r]) => `${u} ×${r!.gain.toFixed(2)}`);
    return `profile of ${p.measured?.createdAt?.slice(0, 16).replace('T', ' ') ?? '?'} applied: ${boosted.join(', ') || 'offsets only'}`;
  };
  const enable = () => {
    start.disabled = state.running || !behavior.modelsLoaded;
    download.disabled = clear.disabled = !behavior.calibrationProfile || state.running;
    rows.querySelectorAll('button').forEach((b) => {
      (b as HTMLButtonElement).disabled = state.running;
    });
  };

  /** Shows the prompt with a countdown, then records the behavior's frames for its seconds. */
  const capture = async (i: number) => {
    const { prompt: name, seconds } = sequence[i];
    const def = promptDefinition(name);
    for (let c = Math.ceil(countdown / 0.2); c > 0; c--) {
      prompt.textContent = `${def.instruction}… ${(c * 0.2).toFixed(1)}`;
      await sleep(200);
    }
    prompt.textContent = `${def.instruction} (hold it)`;
    frames[i] = [];
    // A frame belongs to the prompt shown when it was taken (its timestamp), not when its estimate arrives: the first
    // estimate after the prompt appears is often of a frame taken before it.
    const from = performance.now();
    const to = from + seconds * 1000;
    const observer = behavior.onFaceMotionObservable.add((m: EstimatedFaceMotion) => {
      if (m.timestamp < from || m.timestamp >= to) return;
      frames[i].push({
        time: m.timestamp / 1000,
        landmarks: Float32Array.from(m.landmarks),
        rawUnits: m.rawUnits,
        identity: m.frameIdentity,
        rotation: m.frameRotation,
      });
    });
    await sleep(seconds * 1000);
    // The frame taken last is still being estimated.
    await sleep(400);
    observer.remove();
  };

  /** Analyses what was captured, fits the profile, applies and stores it, and lists each prompt's status. */
  const finish = () => {
    const captures: PromptCapture[] = sequence.map((s, i) => ({
      spec: promptSpec([s.prompt]),
      frames: frames[i].map((f) => ({ time: f.time, landmarks: f.landmarks })),
    }));
    const estimates = new Map<number, FrameEstimate>();
    const times = new Map<number, number>();
    const keys = frames.map((list, i) =>
      list.map((f, k) => {
        const key = i * 100_000 + k;
        estimates.set(key, {
          index: key,
          rawUnits: f.rawUnits,
          units: f.rawUnits,
          identity: f.identity,
          rotation: f.rotation,
        });
        times.set(key, f.time);
        return key;
      }),
    );
    rows.innerHTML = '';
    try {
      const analysis = analyseCapture(captures, { alignment, holdout: 'none' });
      state.analysis = analysis;
      analysis.prompts.forEach((p, i) => {
        const tr = document.createElement('tr');
        tr.dataset.prompt = sequence[i].prompt;
        tr.dataset.status = p.status;
        const held = p.frames.filter((f) => f.role === 'plateau').length;
        tr.innerHTML = `<td>${p.label}</td><td>${p.status === 'ok' ? `${held} held of ${p.withFace}` : p.status}</td><td><button class="retake">retake</button></td>`;
        if (p.message) tr.title = p.message;
        tr.querySelector('button')!.addEventListener('click', () => void retake(i));
        rows.append(tr);
      });
      const problems = analysis.prompts.filter((p) => p.message).map((p) => p.message);
      const units = unitsAfterNeutral(estimates, (k) => times.get(k) ?? 0);
      const profile = rangeProfileFromCapture(captures, analysis, (p, k) => units.get(keys[p][k]) ?? null, {
        source: 'sample scene: Calibrate (live camera)',
      });
      behavior.setCalibrationProfile(profile);
      localStorage.setItem(PROFILE_STORAGE_KEY, JSON.stringify(profile));
      prompt.textContent = problems.length
        ? problems.join('\n')
        : 'Done: the profile is applied and stored in this browser.';
      state.error = '';
    } catch (e) {
      state.error = isCpemError(e) ? `${e.code}: ${e.message}` : String(e);
      prompt.textContent = state.error;
    }
    info.textContent = describe(behavior.calibrationProfile);
    state.completed++;
    document.body.dataset.calibrations = String(state.completed);
  };

  const run = async (which: number[]) => {
    if (state.running) return;
    state.running = true;
    enable();
    try {
      // The per-user neutral is taken again over the neutral prompt, so the profile and the runtime share it.
      if (which.includes(0) && sequence[0].prompt === 'neutral') behavior.recalibrate();
      for (const i of which) await capture(i);
      finish();
    } finally {
      state.running = false;
      enable();
    }
  };
  const retake = (i: number) => run([i]);

  start.addEventListener('click', () => void run(sequence.map((_, i) => i)));
  clear.addEventListener('click', () => {
    behavior.setCalibrationProfile(null);
    localStorage.removeItem(PROFILE_STORAGE_KEY);
    info.textContent = describe(null);
    enable();
  });
  download.addEventListener('click', () => {
    const p = behavior.calibrationProfile;
    if (!p) return;
    const url = URL.createObjectURL(new Blob([`${JSON.stringify(p, null, 1)}\n`], { type: 'application/json' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = 'calibration-profile.json';
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  });
  setInterval(enable, 500);
  info.textContent = describe(behavior.calibrationProfile);
  enable();
  return { state, frames, sequence, run, retake };
}
