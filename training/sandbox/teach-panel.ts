// "Teach it your face", the sandbox's main path: guided capture of the person's expressions, then fine-tuning of the
// shipped PE-Net on them (the page's TrainingSession with the shipped network as its base), then the before/after on
// the frames the fine-tuning never saw. The capture and the scores come from the personalisation core
// (training/lib/personalize/), shared with `npm run personalize`.
import type * as tf from '@tensorflow/tfjs-core';
import { CpemError } from '../../plugin/errors/cpem-error.js';
import type { FaceModel } from '../../plugin/face-model/face-model.js';
import { PeNet, type PeNetConfig } from '../../plugin/estimator/pe-net.js';
import { featureSpecFor } from '../lib/trainer/cpem-trainer.js';
import type { TrainingConfig } from '../lib/trainer/training-config.js';
import {
  beforeAfterFromUnits,
  scoreBeforeAfter,
  scoredFrames,
  type BeforeAfter,
} from '../lib/personalize/before-after.js';
import { captureReadings, profileBeforeAfter, rangeProfileFromCapture } from '../lib/personalize/range-profile.js';
import type { CalibrationProfile } from '../../plugin/calibration/range-profile.js';
import type { AlignmentReference, CaptureAnalysis, PromptCapture } from '../lib/personalize/capture-analysis.js';
import {
  personalizationConfig,
  personalizationSettings,
  personalizationSource,
  type PersonalizationSettings,
} from '../lib/personalize/fine-tune.js';
import { personalizationRecord, type PersonalizationRecord } from '../lib/personalize/manifest.js';
import { readPromptFileText, type PromptFile } from '../lib/personalize/prompt-file.js';
import {
  DEFAULT_SEQUENCE,
  isPromptName,
  promptDefinition,
  promptLabel,
  PROMPT_NAMES,
  type PromptName,
} from '../lib/personalize/prompts.js';
import { personClip, type PersonClip } from '../lib/personalize/targets.js';
import type { BackendChoice } from './backends.js';
import { drawBeforeAfterChart, renderBeforeAfterTable } from './before-after-view.js';
import { GuidedCapture, type CaptureSource, type CaptureTiming } from './guided-capture.js';
import type { SourceFactory, TrainingSession } from './session.js';
import { NUM_EXPRESSION_UNITS } from '../../plugin/constants.js';

/** What the page needs to start a fine-tuning session (main.ts does the rest, as for any run). */
export interface TeachLaunch {
  config: TrainingConfig;
  validateEvery: number;
  source: SourceFactory;
  base: tf.io.ModelArtifacts;
}

export interface TeachPanelDeps {
  faceModel(): FaceModel | null;
  backend(): BackendChoice;
  /** The shipped network's files (model.json with its shard). */
  loadBase(): Promise<{ artifacts: tf.io.ModelArtifacts; run: string; weights: string }>;
  launch(init: TeachLaunch): Promise<void>;
  /** Continues the paused fine-tuning session. */
  continueRun(): void;
  status(text: string): void;
  error(e: unknown): void;
  clearError(): void;
  /** The page's controls changed state (buttons to enable or disable). */
  changed(): void;
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** Analysis of the captured rows (row index per analysed prompt). */
interface Analysed {
  analysis: CaptureAnalysis;
  captures: PromptCapture[];
  rows: number[];
  holdout: 'last-third' | 'second-pass';
}

export class TeachPanel {
  readonly capture: GuidedCapture;
  analysed: Analysed | null = null;
  person: PersonClip | null = null;
  settings: PersonalizationSettings | null = null;
  beforeAfter: BeforeAfter | null = null;
  record: PersonalizationRecord | null = null;
  /**
   * The person's range profile, fitted on the capture (its held-out frames left out) from the shipped network's
   * readings, written beside the fine-tuned weights; and which of the two did better on the held-out frames.
   */
  calibrationProfile: CalibrationProfile | null = null;
  comparison: {
    shipped: number;
    profile: number;
    fineTuned: number;
    better: 'range profile' | 'fine-tuning' | 'neither';
  } | null = null;
  /** The session the last "Teach it" started, and when. */
  private taughtSession: TrainingSession | null = null;
  private base: { artifacts: tf.io.ModelArtifacts; run: string; weights: string } | null = null;
  private promptFile: PromptFile | null = null;
  private busy = false;
  private capturesDone = 0;
  /** The page's session is this panel's fine-tuning, paused (the Teach button continues it). */
  private pausedTeaching = false;

  constructor(private readonly deps: TeachPanelDeps) {
    this.capture = new GuidedCapture(
      { video: $('teach-video'), overlay: $('teach-overlay'), banner: $('teach-banner') },
      () => this.renderRows(),
    );
    $('teach-capture').addEventListener('click', () => void this.startCapture());
    $('teach-open').addEventListener('click', () => void this.openPreview());
    $('teach-stop-capture').addEventListener('click', () => this.capture.stop());
    $('teach-start').addEventListener('click', () => {
      if (this.pausedTeaching) this.deps.continueRun();
      else void this.teach();
    });
    $<HTMLInputElement>('teach-video-file').addEventListener('change', () => this.sourceChanged('file'));
    $<HTMLInputElement>('teach-prompt-file').addEventListener('change', () => void this.readPromptFile());
    for (const radio of document.querySelectorAll<HTMLInputElement>('input[name=teach-source]'))
      radio.addEventListener('change', () => this.deps.changed());
  }

  /** Fills the panel's fields from their defaults and the page's query (promptSeconds, countdown, prompts, steps, …). */
  fillForm(query: URLSearchParams): void {
    const defaults = personalizationSettings();
    const set = (id: string, key: string, value: string) => {
      $<HTMLInputElement>(id).value = query.get(key) ?? value;
    };
    set('teach-prompt-seconds', 'promptSeconds', '2');
    set('teach-countdown', 'countdown', '1');
    set('teach-prompts', 'prompts', DEFAULT_SEQUENCE.join(', '));
    set('teach-steps', 'teachSteps', String(defaults.steps));
    set('teach-lr', 'teachLearningRate', String(defaults.learningRate));
    set('teach-real', 'teachRealFraction', String(defaults.realFraction));
    set('teach-validate', 'teachValidateEvery', '10');
    $<HTMLInputElement>('teach-second-pass').checked = query.get('secondPass') === '1';
    this.renderRows();
  }

  get capturing(): boolean {
    return this.capture.busy;
  }

  /** Captures and retakes finished so far, failed ones included (a page or a test waits for the next one). */
  get completedCaptures(): number {
    return this.capturesDone;
  }

  /** Buttons' state for the page's state: a run going on (or paused), and whether it is this panel's, paused. */
  setControls(training: boolean, pausedTeaching = false): void {
    this.pausedTeaching = pausedTeaching;
    const idle = !training && !this.capture.busy && !this.busy;
    $<HTMLButtonElement>('teach-capture').disabled = !idle || !this.deps.faceModel();
    $<HTMLButtonElement>('teach-open').disabled = !idle || !this.deps.faceModel() || this.capture.previewOn;
    $<HTMLButtonElement>('teach-stop-capture').disabled = !this.capture.busy;
    const start = $<HTMLButtonElement>('teach-start');
    start.textContent = pausedTeaching ? 'Continue' : 'Teach it';
    start.disabled = pausedTeaching
      ? this.busy
      : !idle || !this.analysed?.analysis.prompts.some((p) => p.status === 'ok' && p.spec.prompts[0] !== 'neutral');
    for (const b of document.querySelectorAll<HTMLButtonElement>('#teach-rows button'))
      b.disabled = !idle || this.capture.rows.length === 0;
    for (const el of document.querySelectorAll<HTMLInputElement>('#teach-form input')) el.disabled = !idle;
  }

  private sourceChanged(kind: 'webcam' | 'file'): void {
    const radio = document.querySelector<HTMLInputElement>(`input[name=teach-source][value=${kind}]`);
    if (radio) radio.checked = true;
    this.deps.changed();
  }

  private async readPromptFile(): Promise<void> {
    const input = $<HTMLInputElement>('teach-prompt-file');
    const file = input.files?.[0];
    this.promptFile = null;
    $('teach-prompt-file-note').textContent = '';
    if (!file) return;
    try {
      this.promptFile = readPromptFileText(await file.text(), file.name);
      $('teach-prompt-file-note').textContent =
        `${file.name}: ${this.promptFile.spans.length} spans (${this.promptFile.spans.map((s) => promptLabel(s.spec)).join(', ')})`;
      this.sourceChanged('file');
    } catch (e) {
      input.value = '';
      this.deps.error(e);
    }
  }

  private source(): CaptureSource {
    const kind = document.querySelector<HTMLInputElement>('input[name=teach-source]:checked')?.value ?? 'webcam';
    if (kind === 'webcam') return { kind: 'webcam' };
    const file = $<HTMLInputElement>('teach-video-file').files?.[0];
    if (!file) throw new CpemError('INVALID_ARGUMENT', 'Choose a video file of yourself (or switch to the webcam).');
    return { kind: 'file', file, prompts: this.promptFile };
  }

  private readTiming(): { timing: CaptureTiming; sequence: PromptName[] } {
    const problems: string[] = [];
    const num = (id: string) => Number($<HTMLInputElement>(id).value);
    const promptSeconds = num('teach-prompt-seconds');
    const countdownSeconds = num('teach-countdown');
    if (!(promptSeconds >= 0.2 && promptSeconds <= 30))
      problems.push(
        `seconds per prompt must be in [0.2, 30] (got ${$<HTMLInputElement>('teach-prompt-seconds').value})`,
      );
    if (!(countdownSeconds >= 0 && countdownSeconds <= 10))
      problems.push(`countdown must be in [0, 10] s (got ${$<HTMLInputElement>('teach-countdown').value})`);
    const names = $<HTMLInputElement>('teach-prompts')
      .value.split(/[\s,]+/)
      .filter(Boolean);
    const unknown = names.filter((n) => !isPromptName(n));
    if (unknown.length) problems.push(`unknown prompt ${unknown.join(', ')} (the prompts: ${PROMPT_NAMES.join(', ')})`);
    if (names.length === 0) problems.push('list at least one prompt');
    if (names.length && names[0] !== 'neutral')
      problems.push('the first prompt must be neutral: the others are measured from it');
    if (problems.length)
      throw new CpemError('INVALID_ARGUMENT', `Invalid capture settings:\n- ${problems.join('\n- ')}`);
    return {
      timing: { promptSeconds, countdownSeconds, secondPass: $<HTMLInputElement>('teach-second-pass').checked },
      sequence: names as PromptName[],
    };
  }

  private readSettings(): { settings: PersonalizationSettings; validateEvery: number } {
    const num = (id: string) => Number($<HTMLInputElement>(id).value);
    const steps = num('teach-steps');
    const validateEvery = num('teach-validate');
    const problems: string[] = [];
    if (!Number.isInteger(steps) || steps < 1)
      problems.push(`steps must be a positive integer (got ${$<HTMLInputElement>('teach-steps').value})`);
    if (!Number.isInteger(validateEvery) || validateEvery < 1)
      problems.push(`validate every must be a positive integer (got ${$<HTMLInputElement>('teach-validate').value})`);
    const learningRate = num('teach-lr');
    if (!(learningRate > 0 && learningRate < 1))
      problems.push(`learning rate must be in (0, 1) (got ${$<HTMLInputElement>('teach-lr').value})`);
    const realFraction = num('teach-real');
    if (!(realFraction > 0 && realFraction <= 1))
      problems.push(`share of your frames must be in (0, 1] (got ${$<HTMLInputElement>('teach-real').value})`);
    if (problems.length)
      throw new CpemError('INVALID_ARGUMENT', `Invalid fine-tuning settings:\n- ${problems.join('\n- ')}`);
    return { settings: personalizationSettings({ steps, learningRate, realFraction }), validateEvery };
  }

  private alignment(): AlignmentReference {
    const model = this.deps.faceModel();
    if (!model) throw new CpemError('INVALID_ARGUMENT', 'The face model has not loaded yet.');
    const spec = featureSpecFor('aligned', model);
    if (spec.set !== 'aligned') throw new CpemError('INVALID_ARGUMENT', 'The aligned feature spec could not be made.');
    return { points: spec.points, reference: spec.reference };
  }

  /** Shows the source with its landmarks before the capture starts. */
  private async openPreview(): Promise<void> {
    this.deps.clearError();
    try {
      await this.capture.preview(this.source(), this.deps.backend());
      this.deps.status('preview: start the capture when you are ready');
    } catch (e) {
      this.deps.error(e);
      await this.capture.release();
    }
    this.deps.changed();
  }

  /** Runs the whole sequence (or a prompt file's spans). */
  private async startCapture(): Promise<void> {
    this.deps.clearError();
    let source: CaptureSource;
    let plan: ReturnType<TeachPanel['readTiming']>;
    try {
      source = this.source();
      plan = this.readTiming();
    } catch (e) {
      this.deps.error(e);
      return;
    }
    this.capture.plan(plan.sequence, plan.timing, source.kind === 'file' ? source.prompts : null);
    this.clearResults();
    await this.runCapture(source, plan.timing, null);
  }

  /** Captures row `i` again. */
  async retake(i: number): Promise<void> {
    this.deps.clearError();
    let source: CaptureSource;
    let timing: CaptureTiming;
    try {
      source = this.source();
      timing = this.readTiming().timing;
    } catch (e) {
      this.deps.error(e);
      return;
    }
    this.clearResults();
    await this.runCapture(source, timing, i);
  }

  private async runCapture(source: CaptureSource, timing: CaptureTiming, only: number | null): Promise<void> {
    this.deps.status(only === null ? 'capturing…' : `retaking ${promptLabel(this.capture.rows[only].spec)}…`);
    this.deps.changed();
    try {
      await this.capture.run(source, this.deps.backend(), timing, only);
    } catch (e) {
      this.deps.error(e);
      this.deps.status('capture failed');
      await this.capture.release();
      this.capturesDone++;
      this.deps.changed();
      return;
    }
    this.reanalyse();
    const usable = this.analysed?.analysis.prompts.filter((p) => p.status === 'ok').length ?? 0;
    this.deps.status(`captured: ${usable} of ${this.capture.rows.length} prompts usable`);
    this.capturesDone++;
    this.deps.changed();
  }

  /** Re-analyses the captured rows; shows each prompt's status, and the first problem in the message line. */
  reanalyse(): void {
    try {
      this.analysed = this.capture.analyse(this.alignment(), $<HTMLInputElement>('teach-second-pass').checked);
      const problems = this.analysed?.analysis.prompts.filter((p) => p.message).map((p) => p.message!) ?? [];
      $('teach-message').textContent = problems.join('\n');
    } catch (e) {
      this.analysed = null;
      $('teach-message').textContent = '';
      this.deps.error(e);
    }
    this.renderRows();
  }

  /** Fine-tunes the shipped network on the capture (through the page's session, so pause, stop and resume work). */
  async teach(): Promise<void> {
    this.deps.clearError();
    if (!this.analysed) {
      this.deps.error(new CpemError('INVALID_ARGUMENT', 'Capture your expressions first.'));
      return;
    }
    this.busy = true;
    this.deps.changed();
    try {
      const { settings, validateEvery } = this.readSettings();
      this.person = personClip('guided capture', this.analysed.captures, this.analysed.analysis, settings);
      await this.capture.release(); // the tracker's models and the camera go before training takes the backend
      this.deps.status('loading the shipped network…');
      this.base ??= await this.deps.loadBase();
      const netConfig = (this.base.artifacts.modelTopology as { config: PeNetConfig }).config;
      const config = personalizationConfig(netConfig, settings);
      const clip = this.person.clip;
      this.settings = settings;
      this.clearResults();
      this.busy = false;
      await this.deps.launch({
        config,
        validateEvery,
        base: this.base.artifacts,
        source: (model, seed, position) => personalizationSource(model, clip, seed, settings.realFraction, position),
      });
    } catch (e) {
      this.deps.error(e);
      this.deps.status('could not start');
    } finally {
      this.busy = false;
      this.deps.changed();
    }
  }

  /** The session is the one "Teach it" started: main.ts tells the panel which session is running. */
  adopt(session: TrainingSession | null): void {
    this.taughtSession = session;
  }

  isTeaching(session: TrainingSession | null): boolean {
    return !!session && session === this.taughtSession;
  }

  /**
   * After fine-tuning (done or stopped): scores the shipped and the personalised network on the held-out frames,
   * shows the table and chart, and keeps the record that goes with the weights.
   */
  async finished(session: TrainingSession): Promise<void> {
    if (!this.isTeaching(session) || !this.analysed || !this.person || !this.settings || !this.base) return;
    const shipped = PeNet.fromArtifacts(this.base.artifacts, 'the shipped network');
    try {
      const scores = await scoreBeforeAfter(shipped, session.net, this.analysed.captures, this.analysed.analysis);
      this.beforeAfter = scores;
      const rows = session.trainer.log.rows;
      this.record = personalizationRecord({
        source: { kind: 'guided-capture' },
        base: { run: this.base.run, weights: this.base.weights },
        holdout: this.analysed.holdout,
        analysis: this.analysed.analysis,
        clip: this.person,
        settings: this.settings,
        trained: { steps: session.step, seconds: Math.round(rows.at(-1)?.seconds ?? 0), backend: session.backend },
        scores: scores.rows.length ? scores : null,
      });
      await this.compareWithProfile(shipped, session.net, this.base.weights);
      const table = $<HTMLTableElement>('before-after');
      renderBeforeAfterTable(table, scores);
      $('before-after-wrap').hidden = false;
      drawBeforeAfterChart($<HTMLCanvasElement>('before-after-chart'), scores);
      $('before-after-note').textContent = scores.rows.length
        ? `On ${scores.rows.reduce((s, r) => s + r.frames, 0)} held-out frames (${this.record.holdout === 'second-pass' ? 'the second pass' : 'the last third of each prompt'}), never trained on: prompted units' error ${scores.promptedError.before.toFixed(2)} → ${scores.promptedError.after.toFixed(2)}; largest unit a prompt leaves alone ${scores.largestOther.before.toFixed(2)} → ${scores.largestOther.after.toFixed(2)} (mean).`
        : 'No held-out frames to score.';
      const c = this.comparison;
      if (c) {
        $('before-after-note').textContent +=
          ` Through the runtime chain (per-user neutral), prompted units' error on the same frames: shipped ${c.shipped.toFixed(2)}, ` +
          `with your range profile ${c.profile.toFixed(2)}, fine-tuned ${c.fineTuned.toFixed(2)}: ${c.better === 'neither' ? 'neither helped you' : `the ${c.better} helped you more`}. ` +
          'The range profile is saved beside the weights (calibration-profile.json).';
      }
    } finally {
      shipped.dispose();
    }
  }

  /**
   * Fits the range profile on the capture (held-out frames left out) from the shipped network's readings through the
   * runtime chain, and scores it against the fine-tuned network on the held-out frames, both read the same way.
   */
  private async compareWithProfile(shipped: PeNet, tuned: PeNet, weights: string): Promise<void> {
    this.calibrationProfile = null;
    this.comparison = null;
    if (!this.analysed) return;
    const { captures, analysis } = this.analysed;
    try {
      const base = await captureReadings(shipped, captures);
      const profile = rangeProfileFromCapture(captures, analysis, (p, k) => base[p][k], {
        skipHeldOut: true,
        source: 'training sandbox: Teach it your face (guided capture)',
        weights,
      });
      const withProfile = profileBeforeAfter(analysis, base, profile);
      const fine = await captureReadings(tuned, captures);
      const zero = new Float32Array(NUM_EXPRESSION_UNITS);
      const scored = (r: Array<Array<Float32Array | null>>) =>
        scoredFrames(analysis).flatMap((ks, p) => ks.map((k) => r[p][k] ?? zero));
      const fineTuned = beforeAfterFromUnits(analysis, scored(base), scored(fine));
      const shippedError = withProfile.promptedError.before;
      const [profileError, fineError] = [withProfile.promptedError.after, fineTuned.promptedError.after];
      this.calibrationProfile = profile;
      this.comparison = {
        shipped: shippedError,
        profile: profileError,
        fineTuned: fineError,
        better:
          Math.min(profileError, fineError) >= shippedError
            ? 'neither'
            : profileError <= fineError
              ? 'range profile'
              : 'fine-tuning',
      };
    } catch (e) {
      // No held frame to fit from (every prompt retaken as "no change"): the weights go without a profile.
      this.deps.status(`no range profile: ${(e as Error).message}`);
    }
  }

  private clearResults(): void {
    this.beforeAfter = null;
    this.record = null;
    this.calibrationProfile = null;
    this.comparison = null;
    $('before-after-wrap').hidden = true;
  }

  private renderRows(): void {
    const body = $('teach-rows');
    body.innerHTML = '';
    const analysedAt = new Map(this.analysed?.rows.map((r, k) => [r, k]) ?? []);
    this.capture.rows.forEach((row, i) => {
      const tr = document.createElement('tr');
      const name = row.spec.prompts.join('+');
      tr.dataset.prompt = name;
      const analysis = analysedAt.has(i) ? this.analysed!.analysis.prompts[analysedAt.get(i)!] : null;
      tr.dataset.status = analysis?.status ?? row.phase;
      const def = row.spec.prompts.length === 1 ? promptDefinition(row.spec.prompts[0]) : null;
      const count = (role: string) => analysis?.frames.filter((f) => f.role === role).length ?? 0;
      let status: string = row.phase;
      if (!analysis && row.capture && row.capture.frames.every((f) => !f.landmarks)) {
        // Nothing to analyse at all (no face anywhere): the row says so itself.
        tr.dataset.status = 'no-face';
        status = 'no face';
      }
      if (analysis) {
        status =
          analysis.status === 'ok'
            ? `ok · ${analysis.withFace}/${analysis.captured} frames (${row.spec.prompts[0] === 'neutral' ? `${count('plateau')} kept` : `${count('plateau')} held, ${count('ramp')} ramp, ${count('rest')} at rest`})`
            : analysis.status === 'no-face'
              ? 'no face'
              : 'no change from neutral';
      }
      const cells = [`${promptLabel(row.spec)}${row.pass ? ' (2nd)' : ''}`, def?.instruction ?? '', status];
      for (const text of cells) {
        const td = document.createElement('td');
        td.textContent = text;
        tr.append(td);
      }
      if (analysis?.message) tr.title = analysis.message;
      const td = document.createElement('td');
      const button = document.createElement('button');
      button.textContent = 'Retake';
      button.className = 'retake';
      button.addEventListener('click', () => void this.retake(i));
      td.append(button);
      tr.append(td);
      body.append(tr);
    });
    this.deps.changed();
  }
}
