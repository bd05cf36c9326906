// The training sandbox page (`npm start`, then /training). Its main path, "Teach it your face" (?mode=teach, the
// default): capture the person's expressions, fine-tune the shipped PE-Net on them and compare before and after
// (teach-panel.ts). "Train from scratch" (?mode=train): pick data, set the config and train a fresh PE-Net. Both run on
// the best TF.js backend the browser has, with the live loss chart and the held-out errors, and export the weights.
import * as tf from '@tensorflow/tfjs-core';
import { FaceModel } from '../../plugin/face-model/face-model.js';
import { assetUrl } from '../../plugin/assets.js';
import { packagedFaceModelUrl } from '../../plugin/face-model-asset.js';
import { readAsset } from '../../plugin/util/read-asset.js';
import { PeNet } from '../../plugin/estimator/pe-net.js';
import { CpemError, isCpemError } from '../../plugin/errors/cpem-error.js';
import { RunBatchSource } from '../lib/data/run-batch-source.js';
import { RealTrackSource, type TrackedClip } from '../lib/data/real-track-source.js';
import {
  DEFAULT_TRAINING_CONFIG,
  resolveTrainingConfig,
  type LossWeights,
  type TrainingConfig,
} from '../lib/trainer/training-config.js';
import type { LossLogRow } from '../lib/trainer/loss-log.js';
import { SANDBOX_BACKENDS, activeWebGpuDevice, fallbacksAfter, type BackendChoice } from './backends.js';
import { webGpuAdapterInfo } from '../../plugin/tracker/backend.js';
import { LossChart } from './loss-chart.js';
import { TrainingSession, type SessionState, type SourceFactory } from './session.js';
import { VALIDATION_CATEGORIES, VALIDATION_SAMPLES, type ValidationRow } from './validation.js';
import { VideoClips, type ClipSampling } from './video-clips.js';
import { downloadFiles, runFiles, sha256Hex, type SandboxRunData } from './export.js';
import { TeachPanel, type TeachLaunch } from './teach-panel.js';
import { readPeNetArtifacts } from '../../plugin/estimator/pe-net-files.js';
import { personalizationSummary } from '../lib/personalize/manifest.js';

/** Where "Use in sample scene" stores the weights; the sample scene reads this key for `?weights=sandbox`. */
export const SANDBOX_WEIGHTS_URL = 'indexeddb://babylon-cpem-sandbox-pe-net';
const DEFAULT_VALIDATE_EVERY = 50;

declare global {
  interface Window {
    /** For scripted checks of the page (the sandbox spec): the live run and a few read-outs. */
    cpemSandbox?: SandboxProbe;
  }
}

interface SandboxProbe {
  readonly session: TrainingSession | null;
  /** The guided capture and fine-tuning of "Teach it your face". */
  readonly teach: TeachPanel;
  readonly loaded: PeNet | null;
  lossRows(): LossLogRow[];
  numTensors(): number;
  /** Outputs of the trained or the loaded-back network on the held-out features. */
  outputs(which: 'trained' | 'loaded'): Promise<number[]>;
  /** Destroys the WebGPU device under TF.js, as a driver reset would; false when WebGPU is not in use. */
  loseDevice(): boolean;
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const status = $('status');
const progress = $('progress');
const errorBox = $('error');
const configErrors = $('config-errors');
const backendSelect = $<HTMLSelectElement>('backend');
const buttons = {
  start: $<HTMLButtonElement>('start'),
  pause: $<HTMLButtonElement>('pause'),
  stop: $<HTMLButtonElement>('stop'),
  download: $<HTMLButtonElement>('download'),
  useInScene: $<HTMLButtonElement>('use-in-scene'),
};
const loadInput = $<HTMLInputElement>('load-weights');
const loadResult = $('load-result');
const checkSaved = $<HTMLButtonElement>('check-saved');
const chart = new LossChart($<HTMLCanvasElement>('loss-chart'));
const tableHead = document.querySelector('#validation thead')!;
const tableBody = document.querySelector('#validation tbody')!;

let faceModel: FaceModel | null = null;
let faceModelSha256: string | null = null;
/** The data of the current run, for the manifest. */
let runData: SandboxRunData = { synthetic: {}, realFraction: 0, tracks: [] };
let session: TrainingSession | null = null;
let loaded: PeNet | null = null;
let busy = false; // an export, a load or a start is in progress
let savedAtStep = -1; // the step of the last download or sample-scene copy
let chartQueued = false;
let lastStepTime = 0;
let msPerStep = NaN;
const clips = new VideoClips($('drop'), $<HTMLInputElement>('video-files'), $('clips'));
const teach = new TeachPanel({
  faceModel: () => faceModel,
  backend: () => backendSelect.value as BackendChoice,
  loadBase: async () => {
    const weights = assetUrl('pe-net/model.json');
    const artifacts = await readPeNetArtifacts(weights);
    // The shipped run's name, from the manifest served beside the weights (absent in some builds: then unknown).
    const run = await fetch(new URL('manifest.json', new URL(weights, location.href)))
      .then((r) => (r.ok ? r.json() : null))
      .then(
        (m) => String(m?.run?.name ?? 'unknown'),
        () => 'unknown',
      );
    return { artifacts, run, weights: 'weights/pe-net/model.json' };
  },
  launch: (init) => launchTeach(init),
  continueRun: () => {
    if (session?.state === 'paused') {
      clearError();
      void session.run();
    }
  },
  status: (text) => {
    status.textContent = text;
  },
  error: (e) => showError(e),
  clearError: () => clearError(),
  changed: () => setControls(session?.state ?? 'idle'),
});

// ---- config form ----

const NUMBER_FIELDS = [
  'steps',
  'persons',
  'framesPerPerson',
  'learningRate',
  'seed',
  'expressionExclusiveFrom',
  'logEvery',
] as const;
const WEIGHT_FIELDS = Object.keys(DEFAULT_TRAINING_CONFIG.lossWeights) as Array<keyof LossWeights>;

/** A field for each loss weight of the trainer's config that the page's form does not list (yet), after the last one. */
function addMissingWeightFields(): void {
  let last = document.getElementById(`lw-${WEIGHT_FIELDS[0]}`)?.closest('label');
  for (const w of WEIGHT_FIELDS) {
    const existing = document.getElementById(`lw-${w}`)?.closest('label');
    if (existing) {
      last = existing;
      continue;
    }
    const label = document.createElement('label');
    label.className = 'field';
    label.append(`λ ${w} `);
    const input = document.createElement('input');
    input.type = 'text';
    input.id = `lw-${w}`;
    label.append(input);
    last?.after(label);
    last = label;
  }
}

function fillForm(): void {
  addMissingWeightFields();
  const c = DEFAULT_TRAINING_CONFIG;
  const query = new URLSearchParams(location.search);
  const set = (id: string, value: string) => {
    $<HTMLInputElement>(id).value = query.get(id) ?? value;
  };
  for (const f of NUMBER_FIELDS) set(f, String(Number(c[f].toPrecision(6))));
  set('hidden', c.hidden.join(', '));
  for (const w of WEIGHT_FIELDS) set(`lw-${w}`, String(c.lossWeights[w]));
  set('validateEvery', String(DEFAULT_VALIDATE_EVERY));
  set('clip-fps', '5');
  set('clip-frames', '150');
  set('real-fraction', '1');
  const backend = query.get('backend');
  if (backend && [...SANDBOX_BACKENDS, 'auto'].includes(backend)) backendSelect.value = backend;
}

/** The config from the form, checked by the trainer's validator; every problem is listed on the page. */
function readConfig(): { config: TrainingConfig; validateEvery: number } {
  // What was typed, by the validator's field names, so that its messages can quote text that is not a number.
  const typed = new Map<string, string>();
  const num = (id: string, name = id) => {
    const text = $<HTMLInputElement>(id).value.trim();
    typed.set(name, text);
    return text === '' ? NaN : Number(text);
  };
  const hiddenTokens = $<HTMLInputElement>('hidden')
    .value.split(/[\s,]+/)
    .filter(Boolean);
  hiddenTokens.forEach((t, i) => typed.set(`hidden[${i}]`, t));
  const partial = {
    ...Object.fromEntries(NUMBER_FIELDS.map((f) => [f, num(f)])),
    hidden: hiddenTokens.map(Number),
    lossWeights: Object.fromEntries(WEIGHT_FIELDS.map((w) => [w, num(`lw-${w}`, `lossWeights.${w}`)])),
  } as Parameters<typeof resolveTrainingConfig>[0];
  const problems: string[] = [];
  let config: TrainingConfig | null = null;
  try {
    config = resolveTrainingConfig(partial);
  } catch (e) {
    if (!isCpemError(e, 'INVALID_ARGUMENT')) throw e;
    for (const line of e.message.split('\n- ').slice(1)) {
      const name = line.split(' ')[0];
      const text = typed.get(name);
      const notANumber = text !== undefined && (text === '' || !Number.isFinite(Number(text)));
      problems.push(notANumber ? line.replace(/\(got [^)]*\)$/, `(got ${JSON.stringify(text)})`) : line);
    }
  }
  const validateEvery = num('validateEvery');
  if (!Number.isInteger(validateEvery) || validateEvery < 1)
    problems.push(`validateEvery must be a positive integer (got ${$<HTMLInputElement>('validateEvery').value})`);
  if (problems.length > 0 || !config) {
    throw new CpemError('INVALID_ARGUMENT', `Invalid training config:\n- ${problems.join('\n- ')}`);
  }
  return { config, validateEvery };
}

// ---- page state ----

function setControls(state: SessionState | 'idle'): void {
  document.body.dataset.state = state;
  const running = state === 'running';
  buttons.start.disabled = running || busy || !faceModel;
  buttons.start.textContent = state === 'paused' ? 'Continue' : 'Start';
  buttons.pause.disabled = !running;
  buttons.stop.disabled = !(running || state === 'paused');
  const exportable = !!session && !running && state !== 'lost' && !busy;
  buttons.download.disabled = !exportable;
  buttons.useInScene.disabled = !exportable;
  loadInput.disabled = !exportable;
  checkSaved.disabled = !exportable;
  backendSelect.disabled = running || state === 'paused';
  for (const el of document.querySelectorAll<HTMLInputElement>('#config input, #data input'))
    el.disabled = running || state === 'paused' || busy;
  buttons.start.disabled ||= teach.capturing;
  teach.setControls(running || state === 'paused' || busy, state === 'paused' && teach.isTeaching(session));
}

/** Names the backend in use (and, for WebGPU, its adapter; a software one gets a note that wasm is faster). */
async function showBackend(s: TrainingSession): Promise<void> {
  $('backend-in-use').textContent =
    s.backend + (s.skippedBackends.length ? ` (not used: ${s.skippedBackends.join(', ')})` : '');
  const note = $('backend-note');
  note.textContent = '';
  if (s.backend !== 'webgpu') return;
  const adapter = await webGpuAdapterInfo();
  if (adapter)
    note.textContent = `adapter: ${adapter.text}${adapter.software ? ' (software: wasm is usually faster on this machine)' : ''}`;
}

function showError(e: unknown): void {
  const message = e instanceof Error ? e.message : String(e);
  errorBox.textContent = isCpemError(e) ? `${e.code}: ${message}` : message;
  errorBox.dataset.code = isCpemError(e) ? e.code : 'ERROR';
}

function clearError(): void {
  errorBox.textContent = '';
  delete errorBox.dataset.code;
}

function updateProgress(): void {
  if (!session) return;
  const s = session;
  const parts = [`step ${s.step} / ${s.config.steps}`, s.backend];
  if (Number.isFinite(msPerStep)) parts.push(`${msPerStep.toFixed(0)} ms/step`);
  parts.push(`${tf.memory().numTensors} tensors`);
  if (s.checkpointStep !== null) parts.push(`checkpoint at step ${s.checkpointStep}`);
  progress.textContent = parts.join(' · ');
}

function queueChart(): void {
  if (chartQueued) return;
  chartQueued = true;
  requestAnimationFrame(() => {
    chartQueued = false;
    if (session) chart.draw(session.trainer.log.rows, session.config.steps);
    updateProgress();
  });
}

function renderTableHead(): void {
  $('validation-note').textContent =
    `Held-out synthetic set: the first ${VALIDATION_SAMPLES} samples of the trainer's evaluation (training/lib/eval/synthetic-eval.ts), never trained on.`;
  tableHead.innerHTML = '';
  const tr = document.createElement('tr');
  const headers: Array<[string, string]> = [
    ['step', ''],
    ['β MAE', 'mean absolute error over the 46 units'],
    // Category names may break between their words (a zero-width space), so the table fits its column.
    ...VALIDATION_CATEGORIES.map((c): [string, string] => [
      c.replace(/([a-z])([A-Z])/g, '$1\u200b$2'),
      `β MAE of the ${c} units (training/lib/eval/synthetic-eval.ts)`,
    ]),
    ['categories', 'mean of the category errors'],
    ['α MAE', 'identity coefficients'],
    ['rotation °', 'head rotation, mean absolute error in degrees'],
  ];
  for (const [h, title] of headers) {
    const th = document.createElement('th');
    th.textContent = h;
    th.title = title;
    tr.append(th);
  }
  tableHead.append(tr);
}

function addValidationRow(row: ValidationRow, label = String(row.step)): void {
  const tr = document.createElement('tr');
  tr.dataset.step = String(row.step);
  if (label !== String(row.step)) tr.dataset.loaded = 'true';
  for (const text of [
    label,
    ...[row.betaMae, ...row.categoryMae, row.meanCategoryMae, row.alphaMae].map((v) => v.toFixed(3)),
    row.rotationMaeDeg.toFixed(1),
  ]) {
    const td = document.createElement('td');
    td.textContent = text;
    tr.append(td);
  }
  tableBody.append(tr);
  tr.scrollIntoView({ block: 'nearest' });
}

function redrawTable(): void {
  tableBody.innerHTML = '';
  for (const row of session?.validationRows ?? []) addValidationRow(row);
}

// ---- actions ----

function usesVideos(): boolean {
  return document.querySelector<HTMLInputElement>('input[name=data]:checked')!.value === 'videos';
}

/** Sampling of dropped videos, and the share of real batches, from the data fields. */
function readSampling(): ClipSampling & { realFraction: number } {
  const fps = Number($<HTMLInputElement>('clip-fps').value);
  const maxFrames = Number($<HTMLInputElement>('clip-frames').value);
  const realFraction = Number($<HTMLInputElement>('real-fraction').value);
  const problems: string[] = [];
  if (!(realFraction > 0 && realFraction <= 1))
    problems.push(`share of video batches must be in (0, 1] (got ${$<HTMLInputElement>('real-fraction').value})`);
  if (!(fps > 0 && fps <= 60))
    problems.push(`frames per second must be in (0, 60] (got ${$<HTMLInputElement>('clip-fps').value})`);
  if (!Number.isInteger(maxFrames) || maxFrames < 1)
    problems.push(`frames per clip must be a positive integer (got ${$<HTMLInputElement>('clip-frames').value})`);
  if (problems.length > 0)
    throw new CpemError('INVALID_ARGUMENT', `Invalid video sampling:\n- ${problems.join('\n- ')}`);
  return { fps, maxFrames, realFraction };
}

/**
 * The run's batches, as the Node trainer makes them: batch k depends only on (seed, k); with tracked clips, a
 * share of the batches are real (one clip per person), the rest synthetic.
 */
function runSource(tracked: TrackedClip[] | null, realFraction: number): SourceFactory {
  return (model, seed, position) => {
    const real = tracked ? { source: new RealTrackSource(tracked, seed), fraction: realFraction } : null;
    const source = new RunBatchSource(model, seed, {}, real);
    source.position = position;
    return source;
  };
}

async function start(): Promise<void> {
  if (session && session.state === 'paused') {
    clearError();
    void session.run();
    return;
  }
  clearError();
  configErrors.textContent = '';
  let config: TrainingConfig;
  let validateEvery: number;
  let sampling: (ClipSampling & { realFraction: number }) | null = null;
  try {
    ({ config, validateEvery } = readConfig());
    if (usesVideos()) sampling = readSampling();
  } catch (e) {
    configErrors.textContent = e instanceof Error ? e.message : String(e);
    return;
  }
  busy = true;
  setControls('idle');
  status.textContent = 'starting…';
  try {
    let source = runSource(null, 0);
    let data: SandboxRunData = { synthetic: {}, realFraction: 0, tracks: [] };
    if (sampling) {
      const tracked = await clips.prepare(backendSelect.value as BackendChoice, sampling, (text) => {
        status.textContent = text;
      });
      source = runSource(tracked, sampling.realFraction);
      data = { synthetic: {}, realFraction: sampling.realFraction, tracks: tracked.map((c) => c.name) };
    }
    clips.release(); // the tracker's models go before training takes the backend
    await launchSession({ config, validateEvery, source, data });
  } catch (e) {
    clips.release();
    busy = false;
    showError(e);
    status.textContent = 'could not start';
    setControls('idle');
  }
}

/** "Teach it": a session that fine-tunes the shipped network on the guided capture (teach-panel.ts). */
async function launchTeach(init: TeachLaunch): Promise<void> {
  if (session && session.state === 'running')
    throw new CpemError('INVALID_ARGUMENT', 'A run is in progress: stop it first.');
  busy = true;
  setControls('idle');
  status.textContent = 'starting…';
  try {
    await launchSession({
      ...init,
      data: { synthetic: {}, realFraction: teach.settings?.realFraction ?? 0, tracks: ['guided capture'] },
      teaching: true,
    });
  } catch (e) {
    busy = false;
    setControls('idle');
    throw e;
  }
}

/** Replaces the current session by a new one and starts it (a fresh network, or `base` fine-tuned). */
async function launchSession(init: {
  config: TrainingConfig;
  validateEvery: number;
  source: SourceFactory;
  data: SandboxRunData;
  base?: tf.io.ModelArtifacts;
  teaching?: boolean;
}): Promise<void> {
  const { config, validateEvery, source, data } = init;
  loaded?.dispose();
  loaded = null;
  session?.dispose();
  session = null;
  teach.adopt(null);
  tableBody.innerHTML = '';
  session = await TrainingSession.create({
    config,
    validateEvery,
    backend: backendSelect.value as BackendChoice,
    faceModel: faceModel!,
    source,
    ...(init.base ? { base: init.base } : {}),
    events: {
      state: onState,
      loss: () => {
        const now = performance.now();
        if (lastStepTime > 0 && session) msPerStep = (now - lastStepTime) / session.config.logEvery;
        lastStepTime = now;
        queueChart();
      },
      validation: (row) => addValidationRow(row),
    },
  });
  runData = data;
  savedAtStep = -1;
  if (init.teaching) teach.adopt(session);
  await showBackend(session);
  busy = false;
  lastStepTime = 0;
  msPerStep = NaN;
  void session.run();
}

function onState(state: SessionState, error: Error | null): void {
  status.textContent = {
    running: 'training…',
    paused: 'paused',
    stopped: 'stopped',
    done: 'done',
    lost: 'device lost',
    error: 'failed',
  }[state];
  setControls(state);
  if ((state === 'done' || state === 'stopped') && session && teach.isTeaching(session)) {
    const finished = session;
    void withBusy(async () => {
      status.textContent = 'scoring the shipped and your network on the held-out frames…';
      await teach.finished(finished);
      status.textContent = `${state} · before/after on the held-out frames below`;
    });
  }
  const resume = $('resume');
  resume.hidden = !(state === 'lost' || state === 'error');
  if (error && (state === 'lost' || state === 'error')) {
    showError(error);
    const select = $<HTMLSelectElement>('resume-backend');
    select.innerHTML = '';
    // After a lost device: a new device first (the loss may have been passing), then the backends after it.
    const choices =
      state === 'lost' && session ? [session.backend, ...fallbacksAfter(session.backend)] : [...SANDBOX_BACKENDS];
    for (const b of choices)
      select.add(new Option(state === 'lost' && b === session?.backend ? `${b} (new device)` : b, b));
    $('resume-note').textContent =
      session?.checkpointStep !== null && session ? `from the checkpoint at step ${session.checkpointStep}` : '';
  }
  queueChart();
}

async function withBusy(task: () => Promise<void>): Promise<void> {
  busy = true;
  setControls(session?.state ?? 'idle');
  try {
    await task();
  } catch (e) {
    showError(e);
  } finally {
    busy = false;
    setControls(session?.state ?? 'idle');
  }
}

async function download(): Promise<void> {
  await withBusy(async () => {
    status.textContent = 'scoring on the held-out set and packing the files…';
    const files = await runFiles(session!, {
      faceModelSha256,
      data: runData,
      ...(teach.isTeaching(session) && teach.record
        ? { personalization: teach.record, calibrationProfile: teach.calibrationProfile }
        : {}),
    });
    await downloadFiles(files);
    savedAtStep = session!.step;
    status.textContent = `downloaded ${Object.keys(files).join(', ')} (step ${session!.step})`;
  });
}

async function useInScene(): Promise<void> {
  await withBusy(async () => {
    const [handler] = tf.io.getSaveHandlers(SANDBOX_WEIGHTS_URL);
    await session!.net.save(handler, {
      step: session!.step,
      ...(teach.isTeaching(session) && teach.record ? personalizationSummary(teach.record) : {}),
    });
    savedAtStep = session!.step;
    status.textContent = `saved to ${SANDBOX_WEIGHTS_URL} (step ${session!.step})`;
    if (!window.open('/?weights=sandbox', '_blank'))
      status.textContent += ' · the browser blocked the new tab: open /?weights=sandbox';
  });
}

/** Loads exported weights (model.json + shards, or the sample-scene copy) and checks them on the held-out set. */
async function checkWeights(handler: tf.io.IOHandler, label: string): Promise<void> {
  await withBusy(async () => {
    const net = await PeNet.load(handler);
    loaded?.dispose();
    loaded = net;
    const [a, b] = await Promise.all([session!.outputsOf(session!.net), session!.outputsOf(net)]);
    let maxDiff = a.length === b.length ? 0 : Infinity;
    for (let i = 0; i < a.length && i < b.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
    addValidationRow(await session!.evaluate(net), label);
    loadResult.textContent = `${label}: max |Δ| against the trained network ${maxDiff.toExponential(2)}`;
    loadResult.dataset.maxDiff = String(maxDiff);
  });
}

async function loadFiles(): Promise<void> {
  const files = [...(loadInput.files ?? [])];
  const json = files.find((f) => f.name.endsWith('.json'));
  const shards = files.filter((f) => f !== json);
  if (!json || shards.length === 0) {
    showError(
      new CpemError('INVALID_ARGUMENT', 'Select the model.json file and its weights file (weights.bin) together.'),
    );
    return;
  }
  await checkWeights(tf.io.browserFiles([json, ...shards]), json.name);
  loadInput.value = '';
}

// ---- wiring ----

buttons.start.addEventListener('click', () => void start());
buttons.pause.addEventListener('click', () => void session?.pause());
buttons.stop.addEventListener('click', () => void session?.stop());
buttons.download.addEventListener('click', () => void download());
buttons.useInScene.addEventListener('click', () => void useInScene());
loadInput.addEventListener('change', () => void loadFiles());
checkSaved.addEventListener(
  'click',
  () => void checkWeights(tf.io.getLoadHandlers(SANDBOX_WEIGHTS_URL)[0], 'sample-scene copy'),
);
$('resume-button').addEventListener(
  'click',
  () =>
    void withBusy(async () => {
      await session!.resumeOn($<HTMLSelectElement>('resume-backend').value as BackendChoice);
      clearError();
      await showBackend(session!);
      redrawTable();
      queueChart();
    }),
);
addEventListener('resize', () => queueChart());
// Leaving the page loses the run: ask first when it has trained steps that were not saved.
addEventListener('beforeunload', (e) => {
  if (session && session.step > 0 && savedAtStep !== session.step) e.preventDefault();
});

window.cpemSandbox = {
  get session() {
    return session;
  },
  teach,
  get loaded() {
    return loaded;
  },
  lossRows: () => session?.trainer.log.rows.map((r) => ({ ...r, terms: { ...r.terms } })) ?? [],
  numTensors: () => tf.memory().numTensors,
  async outputs(which) {
    const net = which === 'trained' ? session?.net : loaded;
    if (!session || !net) throw new CpemError('INVALID_ARGUMENT', `No ${which} network yet.`);
    return [...(await session.outputsOf(net))];
  },
  loseDevice() {
    const device = activeWebGpuDevice();
    device?.destroy();
    return !!device;
  },
};

/** Which path the page shows: "Teach it your face" (default) or "Train from scratch" (?mode=train). */
function setMode(mode: 'teach' | 'train'): void {
  document.body.dataset.mode = mode;
  for (const radio of document.querySelectorAll<HTMLInputElement>('input[name=mode]'))
    radio.checked = radio.value === mode;
}

for (const radio of document.querySelectorAll<HTMLInputElement>('input[name=mode]')) {
  radio.addEventListener('change', () => setMode(radio.value === 'train' ? 'train' : 'teach'));
}

async function main(): Promise<void> {
  setMode(new URLSearchParams(location.search).get('mode') === 'train' ? 'train' : 'teach');
  teach.fillForm(new URLSearchParams(location.search));
  fillForm();
  renderTableHead();
  chart.draw([], 1);
  setControls('idle');
  const bytes = await readAsset(packagedFaceModelUrl(), 'Face model', 'Serve the page with npm start.');
  faceModelSha256 = sha256Hex(bytes);
  faceModel = await FaceModel.load(bytes);
  status.textContent = `ready · face model ${faceModel.vertexCount} vertices, ${faceModel.expressionCount} units`;
  document.body.dataset.ready = 'true';
  setControls('idle');
}

main().catch((e: unknown) => {
  showError(e);
  status.textContent = 'failed to load';
  document.body.dataset.error = 'true';
});
