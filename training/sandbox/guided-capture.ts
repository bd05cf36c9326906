// The sandbox's guided capture: the person in front of the webcam (or in a video file) is asked for one expression
// after another, each after a countdown and for a couple of seconds, with a mirrored preview and the tracked
// landmarks; every frame is kept with its prompt. A prompt can be retaken. With a video file and a prompt file, the
// spans of the file are tracked instead. The frames go to the personalisation core (training/lib/personalize/).
import { CpemError } from '../../plugin/errors/cpem-error.js';
import { FaceTracker } from '../../plugin/tracker/face-tracker.js';
import {
  analyseCapture,
  type AlignmentReference,
  type CaptureAnalysis,
  type CapturedFrame,
  type PromptCapture,
} from '../lib/personalize/capture-analysis.js';
import {
  promptDefinition,
  promptLabel,
  promptSpec,
  type PromptName,
  type PromptSpec,
} from '../lib/personalize/prompts.js';
import type { PromptFile } from '../lib/personalize/prompt-file.js';
import type { BackendChoice } from './backends.js';
import { waitForVideoEvent } from './video-clips.js';
import { NUM_MESH_POINTS } from '../../plugin/constants.js';

export type CaptureSource = { kind: 'webcam' } | { kind: 'file'; file: File; prompts: PromptFile | null };

export interface CaptureTiming {
  /** Seconds each prompt is captured for. */
  promptSeconds: number;
  /** Seconds of countdown before each prompt (tracked and shown, not kept). */
  countdownSeconds: number;
  /** Run the sequence twice and score on the second pass (instead of the last third of each prompt). */
  secondPass: boolean;
}

/** What the page shows per prompt row. */
export interface PromptRowState {
  spec: PromptSpec;
  /** Pass (0 first, 1 the second pass). */
  pass: number;
  phase: 'waiting' | 'countdown' | 'capturing' | 'captured';
  capture: PromptCapture | null;
}

/** Opens the webcam; a denied or missing camera becomes CAMERA_DENIED / CAMERA_UNAVAILABLE saying what to do. */
async function openWebcam(): Promise<MediaStream> {
  if (!navigator.mediaDevices?.getUserMedia) {
    throw new CpemError(
      'CAMERA_UNAVAILABLE',
      'This page has no camera access (serve it from localhost or over https), or choose a video file.',
    );
  }
  try {
    return await navigator.mediaDevices.getUserMedia({
      video: { width: 640, height: 480, facingMode: 'user' },
      audio: false,
    });
  } catch (e) {
    const name = (e as Error)?.name;
    if (name === 'NotAllowedError' || name === 'SecurityError') {
      throw new CpemError(
        'CAMERA_DENIED',
        `Camera access was denied (${name}). Allow the camera for this page, or choose a video file of yourself.`,
        { cause: e },
      );
    }
    throw new CpemError(
      'CAMERA_UNAVAILABLE',
      `No camera could be opened (${name}: ${(e as Error)?.message}). Plug one in or close the app using it, or choose a video file of yourself.`,
      { cause: e },
    );
  }
}

const nextFrame = () => new Promise<void>((resolve) => requestAnimationFrame(() => resolve()));

/** Mesh, iris: the colours of the preview's landmark dots. */
const DOT_COLOURS = ['#7fe3ff', '#ffd54f'];

export interface GuidedCaptureElements {
  video: HTMLVideoElement;
  overlay: HTMLCanvasElement;
  /** The instruction and countdown over the preview. */
  banner: HTMLElement;
}

export class GuidedCapture {
  rows: PromptRowState[] = [];
  /** Frames tracked in the current capture (any prompt), for the page's read-outs. */
  trackedFrames = 0;
  private tracker: FaceTracker | null = null;
  private stream: MediaStream | null = null;
  private fileUrl: string | null = null;
  private source: CaptureSource | null = null;
  private stopRequested = false;
  private running = false;
  /** The preview loop (tracking and drawing, nothing kept) while no capture runs, and its end. */
  private previewing = false;
  private previewLoop: Promise<void> | null = null;

  constructor(
    private readonly el: GuidedCaptureElements,
    private readonly onChange: () => void,
  ) {}

  get busy(): boolean {
    return this.running;
  }

  /** The preview shows the source with its landmarks (opened by preview(), until a capture or release()). */
  get previewOn(): boolean {
    return this.previewing;
  }

  /**
   * Opens the source and shows it with the tracked landmarks, keeping nothing, so the person can settle in front of
   * the camera before the prompts start. Throws CAMERA_DENIED / CAMERA_UNAVAILABLE for a source that cannot be opened.
   */
  async preview(source: CaptureSource, backend: BackendChoice): Promise<void> {
    if (this.running) return;
    await this.stopPreview();
    await this.open(source);
    this.tracker ??= await FaceTracker.create({ backend, maxFaces: 1 });
    if (source.kind === 'webcam') this.el.banner.textContent = 'Get ready: face the camera, then start the capture';
    this.previewing = true;
    this.previewLoop = (async () => {
      while (this.previewing && this.tracker) {
        await this.trackFrame(0);
        await nextFrame();
        if (source.kind === 'file') break; // a still picture of the file's first frame
      }
    })().finally(() => {
      this.previewing = false;
    });
    this.onChange();
  }

  private async stopPreview(): Promise<void> {
    this.previewing = false;
    await this.previewLoop;
    this.previewLoop = null;
  }

  get usesPromptFile(): boolean {
    return this.source?.kind === 'file' && this.source.prompts !== null;
  }

  /** The rows for a sequence of prompts (twice with a second pass), or for a prompt file's spans. */
  plan(sequence: readonly PromptName[], timing: CaptureTiming, prompts: PromptFile | null): void {
    this.rows = prompts
      ? prompts.spans.map((s) => ({ spec: s.spec, pass: 0, phase: 'waiting', capture: null }))
      : [0, ...(timing.secondPass ? [1] : [])].flatMap((pass) =>
          sequence.map((name): PromptRowState => ({ spec: promptSpec([name]), pass, phase: 'waiting', capture: null })),
        );
    this.onChange();
  }

  /**
   * Opens the source and captures every row (or only `only`, to retake one), tracking on `backend`. Resolves when
   * done or stopped; throws CAMERA_DENIED / CAMERA_UNAVAILABLE for a source that cannot be opened.
   */
  async run(
    source: CaptureSource,
    backend: BackendChoice,
    timing: CaptureTiming,
    only: number | null = null,
  ): Promise<void> {
    if (this.running) throw new CpemError('INVALID_ARGUMENT', 'A capture is already running.');
    this.running = true;
    this.stopRequested = false;
    try {
      await this.stopPreview();
      await this.open(source);
      this.tracker ??= await FaceTracker.create({ backend, maxFaces: 1 });
      const indices = only === null ? this.rows.map((_, i) => i) : [only];
      if (source.kind === 'file' && source.prompts) {
        await this.trackSpans(source.prompts, indices);
      } else {
        if (source.kind === 'file' && only === null) {
          this.el.video.currentTime = 0;
          await this.el.video.play();
        }
        for (const i of indices) {
          if (this.stopRequested) break;
          await this.captureRow(i, timing);
        }
      }
    } finally {
      this.running = false;
      this.el.banner.textContent = '';
      if (source.kind === 'file') this.el.video.pause();
      this.onChange();
    }
  }

  /** Ends a running capture after the current frame; rows not reached stay waiting. */
  stop(): void {
    this.stopRequested = true;
  }

  /** The captured rows' frames, in order, for the analysis (rows never captured are left out). */
  captures(): { captures: PromptCapture[]; rows: number[] } {
    const rows = this.rows.map((r, i) => (r.capture ? i : -1)).filter((i) => i >= 0);
    return { captures: rows.map((i) => this.rows[i].capture!), rows };
  }

  /** Analyses what was captured (see analyseCapture); null before anything was. */
  analyse(
    alignment: AlignmentReference,
    secondPass: boolean,
  ): {
    analysis: CaptureAnalysis;
    captures: PromptCapture[];
    rows: number[];
    holdout: 'last-third' | 'second-pass';
  } | null {
    const { captures, rows } = this.captures();
    if (captures.length === 0) return null;
    const holdout = secondPass && this.rows.some((r) => r.pass === 1 && r.capture) ? 'second-pass' : 'last-third';
    return { analysis: analyseCapture(captures, { alignment, holdout }), captures, rows, holdout };
  }

  /** Ends the preview, frees the tracker's models and closes the camera or the file (before training takes the backend). */
  async release(): Promise<void> {
    await this.stopPreview();
    this.tracker?.dispose();
    this.tracker = null;
    this.closeSource();
  }

  private closeSource(): void {
    for (const t of this.stream?.getTracks() ?? []) t.stop();
    this.stream = null;
    if (this.fileUrl) URL.revokeObjectURL(this.fileUrl);
    this.fileUrl = null;
    this.el.video.removeAttribute('src');
    this.el.video.srcObject = null;
    this.source = null;
  }

  private async open(source: CaptureSource): Promise<void> {
    const same =
      this.source &&
      this.source.kind === source.kind &&
      (source.kind === 'webcam' || (this.source.kind === 'file' && this.source.file === source.file));
    if (same && this.el.video.readyState >= 2) {
      this.source = source;
      return;
    }
    this.closeSource();
    const video = this.el.video;
    video.muted = true;
    video.playsInline = true;
    if (source.kind === 'webcam') {
      this.stream = await openWebcam();
      const loaded = waitForVideoEvent(video, 'loadeddata', 'The camera', 'CAMERA_UNAVAILABLE');
      video.srcObject = this.stream;
      await video.play();
      await loaded;
    } else {
      this.fileUrl = URL.createObjectURL(source.file);
      const loaded = waitForVideoEvent(video, 'loadeddata', source.file.name, 'CAMERA_UNAVAILABLE');
      video.src = this.fileUrl;
      await loaded;
    }
    this.source = source;
  }

  /**
   * Tracks the current video frame, draws it and returns the frame (landmarks or null). A video without a current
   * frame (a camera stream that stalls for a moment on a busy machine) gives a frame without landmarks, not an error.
   */
  private async trackFrame(time: number): Promise<CapturedFrame> {
    if (this.el.video.readyState < HTMLMediaElement.HAVE_CURRENT_DATA) return { time, landmarks: null };
    const result = await this.tracker!.track(this.el.video);
    const face = result.status === 'ok' ? result.faces[0] : undefined;
    this.trackedFrames++;
    this.drawLandmarks(face?.landmarks ?? null, result.width, result.height);
    return { time, landmarks: face ? Float32Array.from(face.landmarks) : null };
  }

  private async captureRow(i: number, timing: CaptureTiming): Promise<void> {
    const row = this.rows[i];
    const def = row.spec.prompts.length === 1 ? promptDefinition(row.spec.prompts[0]) : null;
    const instruction = def?.instruction ?? promptLabel(row.spec);
    const pass = row.pass > 0 ? ' (again)' : '';
    row.phase = 'countdown';
    this.onChange();
    const t0 = performance.now();
    while (!this.stopRequested && performance.now() - t0 < timing.countdownSeconds * 1000) {
      const left = Math.ceil(timing.countdownSeconds - (performance.now() - t0) / 1000);
      this.el.banner.textContent = `${instruction}${pass} in ${left}…`;
      await this.trackFrame(0);
      await nextFrame();
    }
    if (this.stopRequested) {
      row.phase = row.capture ? 'captured' : 'waiting';
      return;
    }
    row.phase = 'capturing';
    this.onChange();
    const frames: CapturedFrame[] = [];
    const start = performance.now();
    while (!this.stopRequested && performance.now() - start < timing.promptSeconds * 1000) {
      const left = timing.promptSeconds - (performance.now() - start) / 1000;
      this.el.banner.textContent = `${instruction}${pass} · hold it ${left.toFixed(1)} s`;
      frames.push(await this.trackFrame((performance.now() - start) / 1000));
      await nextFrame();
    }
    if (this.stopRequested) {
      row.phase = row.capture ? 'captured' : 'waiting';
      return;
    }
    row.capture = { spec: row.spec, frames };
    row.phase = 'captured';
    this.onChange();
  }

  /** With a prompt file: seeks through each span of the video at 15 frames per second and tracks every frame. */
  private async trackSpans(prompts: PromptFile, indices: number[]): Promise<void> {
    const video = this.el.video;
    const fps = 15;
    const duration = Number.isFinite(video.duration) ? video.duration : 0;
    for (const i of indices) {
      if (this.stopRequested) break;
      const span = prompts.spans[i];
      const row = this.rows[i];
      row.phase = 'capturing';
      this.onChange();
      this.tracker!.reset();
      const frames: CapturedFrame[] = [];
      for (let t = span.from; t <= span.to + 1e-6 && t <= duration && !this.stopRequested; t += 1 / fps) {
        const seeked = waitForVideoEvent(video, 'seeked', 'The video', 'CAMERA_UNAVAILABLE');
        video.currentTime = t;
        await seeked;
        this.el.banner.textContent = `${promptLabel(span.spec)} · ${t.toFixed(2)} s`;
        frames.push({ ...(await this.trackFrame(t)), time: t });
      }
      row.capture = { spec: row.spec, frames };
      row.phase = 'captured';
      this.onChange();
    }
  }

  /** The tracked landmarks over the (mirrored) preview; nothing when no face was found. */
  private drawLandmarks(landmarks: Float32Array | null, width: number, height: number): void {
    const canvas = this.el.overlay;
    if (canvas.width !== width || canvas.height !== height) {
      canvas.width = width;
      canvas.height = height;
    }
    const g = canvas.getContext('2d')!;
    g.clearRect(0, 0, width, height);
    if (!landmarks) return;
    const r = Math.max(1, width / 400);
    for (let i = 0; i < landmarks.length / 3; i++) {
      g.fillStyle = DOT_COLOURS[i >= NUM_MESH_POINTS ? 1 : 0];
      g.fillRect(landmarks[i * 3] - r / 2, landmarks[i * 3 + 1] - r / 2, r, r);
    }
  }
}
