// Before / after: how a network reads the person's held-out frames (never trained on), per prompt: the value of the
// prompted units against the prompt's target, and the largest of the units the prompt leaves alone. Scored for the
// shipped network and for the personalised one on the same frames.
import * as tf from '@tensorflow/tfjs-core';
import { frameFeatures, featureSize, type LandmarkFeatureSpec } from '../../../plugin/estimator/landmark-features.js';
import type { PeNet } from '../../../plugin/estimator/pe-net.js';
import { EXPRESSION_UNITS } from '../../../plugin/units/expression-units.js';
import type { CaptureAnalysis, PromptCapture } from './capture-analysis.js';
import { unitRoles } from './prompts.js';
import { NUM_EXPRESSION_UNITS } from '../../../plugin/constants.js';

/** One prompt's reading by one network. */
export interface PromptReading {
  /** Mean over the scored frames of the mean of the prompted units (NaN for the neutral prompt). */
  prompted: number;
  /** The unit the prompt leaves alone that reads highest (mean over the scored frames), and its value. */
  largestOther: { unit: string; value: number };
}

export interface BeforeAfterRow {
  label: string;
  prompts: string[];
  /** Held-out frames scored (those showing the expression; all held-out frames with a face when none does). */
  frames: number;
  /** The prompted units' mean target on a held expression (NaN for neutral). */
  target: number;
  before: PromptReading;
  after: PromptReading;
}

export interface BeforeAfter {
  rows: BeforeAfterRow[];
  /** Over the prompts with a target: mean |prompted − target|, before and after. */
  promptedError: { before: number; after: number };
  /** Mean over all scored prompts of the largest left-alone unit, before and after. */
  largestOther: { before: number; after: number };
}

/** The frames of each usable prompt that are scored: held out, with a face, showing the expression where any does. */
export function scoredFrames(analysis: CaptureAnalysis): number[][] {
  return analysis.prompts.map((p) => {
    if (p.status !== 'ok') return [];
    const held = p.frames.map((f, k) => (f.heldOut && f.role !== 'no-face' ? k : -1)).filter((k) => k >= 0);
    const showing = held.filter((k) => p.frames[k].role === 'plateau' || p.frames[k].role === 'ramp');
    return showing.length > 0 ? showing : held;
  });
}

/** A network's 46 units on each of `landmarks` (478 × 3 pixels each), in batches; reads asynchronously. */
export async function networkUnits(net: PeNet, landmarks: Float32Array[]): Promise<Float32Array[]> {
  const spec: LandmarkFeatureSpec = net.config.features ?? { set: 'face-box' };
  const size = featureSize(spec);
  const out: Float32Array[] = [];
  for (let start = 0; start < landmarks.length; start += 256) {
    const chunk = landmarks.slice(start, start + 256);
    const values = new Float32Array(chunk.length * size);
    chunk.forEach((l, i) => values.set(frameFeatures(spec, l, 3).features, i * size));
    const input = tf.tensor2d(values, [chunk.length, size]);
    const expression = tf.tidy(() => net.predict(input).expression);
    try {
      const data = (await expression.data()) as Float32Array;
      for (let i = 0; i < chunk.length; i++)
        out.push(data.slice(i * NUM_EXPRESSION_UNITS, (i + 1) * NUM_EXPRESSION_UNITS));
    } finally {
      tf.dispose([input, expression]);
    }
  }
  return out;
}

function reading(units: Float32Array[], prompted: boolean[], free: boolean[]): PromptReading {
  const mean = new Float32Array(NUM_EXPRESSION_UNITS);
  for (const u of units) for (let i = 0; i < NUM_EXPRESSION_UNITS; i++) mean[i] += u[i] / units.length;
  const idx = prompted.map((p, i) => (p ? i : -1)).filter((i) => i >= 0);
  let best = -1;
  for (let i = 0; i < NUM_EXPRESSION_UNITS; i++)
    if (!prompted[i] && !free[i] && (best < 0 || mean[i] > mean[best])) best = i;
  return {
    prompted: idx.length ? idx.reduce((s, i) => s + mean[i], 0) / idx.length : NaN,
    largestOther: { unit: EXPRESSION_UNITS[best], value: mean[best] },
  };
}

/** Scores two networks (e.g. the shipped and the personalised one) on the held-out frames of a capture. */
export async function scoreBeforeAfter(
  before: PeNet,
  after: PeNet,
  captures: readonly PromptCapture[],
  analysis: CaptureAnalysis,
): Promise<BeforeAfter> {
  const scored = scoredFrames(analysis);
  const landmarks = scored.flatMap((ks, i) => ks.map((k) => captures[i].frames[k].landmarks!));
  const [a, b] = [await networkUnits(before, landmarks), await networkUnits(after, landmarks)];
  return beforeAfterFromUnits(analysis, a, b);
}

/**
 * The before/after of two readings of the held-out frames (`before` and `after`: one 46-unit reading per frame of
 * scoredFrames(analysis), in its order): e.g. the estimator's readings without and with a range profile.
 */
export function beforeAfterFromUnits(analysis: CaptureAnalysis, a: Float32Array[], b: Float32Array[]): BeforeAfter {
  const scored = scoredFrames(analysis);
  const rows: BeforeAfterRow[] = [];
  let offset = 0;
  analysis.prompts.forEach((p, i) => {
    const n = scored[i].length;
    if (n === 0) return;
    const { values, prompted, free } = unitRoles(p.spec);
    const targets = values.filter((_, u) => prompted[u]);
    rows.push({
      label: p.label,
      prompts: [...p.spec.prompts],
      frames: n,
      target: targets.length ? targets.reduce((s, v) => s + v, 0) / targets.length : NaN,
      before: reading(a.slice(offset, offset + n), prompted, free),
      after: reading(b.slice(offset, offset + n), prompted, free),
    });
    offset += n;
  });
  const withTarget = rows.filter((r) => Number.isFinite(r.target));
  const mean = (v: number[]) => (v.length ? v.reduce((s, x) => s + x, 0) / v.length : NaN);
  return {
    rows,
    promptedError: {
      before: mean(withTarget.map((r) => Math.abs(r.before.prompted - r.target))),
      after: mean(withTarget.map((r) => Math.abs(r.after.prompted - r.target))),
    },
    largestOther: {
      before: mean(rows.map((r) => r.before.largestOther.value)),
      after: mean(rows.map((r) => r.after.largestOther.value)),
    },
  };
}

/** The before/after table as Markdown. */
export function beforeAfterMarkdown(
  result: BeforeAfter,
  names: { before: string; after: string } = { before: 'shipped', after: 'personalised' },
): string {
  const f = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : '–');
  const lines = [
    `| prompt | frames | target | prompted, ${names.before} | prompted, ${names.after} | largest other unit, ${names.before} | largest other unit, ${names.after} |`,
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...result.rows.map(
      (r) =>
        `| ${r.label} | ${r.frames} | ${f(r.target)} | ${f(r.before.prompted)} | ${f(r.after.prompted)} | ${r.before.largestOther.unit} ${f(r.before.largestOther.value)} | ${r.after.largestOther.unit} ${f(r.after.largestOther.value)} |`,
    ),
    `| **mean** | | | error ${f(result.promptedError.before)} | error ${f(result.promptedError.after)} | ${f(result.largestOther.before)} | ${f(result.largestOther.after)} |`,
  ];
  return `${lines.join('\n')}\n`;
}
