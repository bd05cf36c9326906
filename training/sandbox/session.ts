// One training run of the sandbox page: backend, face-model tensors, batch source, held-out set and trainer,
// driven step by step without blocking the page. Keeps a checkpoint in main memory (at every validation and
// pause) so that a run survives a lost WebGPU device: it can continue from there on another backend.
import * as tf from '@tensorflow/tfjs-core';
import { CpemError, isCpemError } from '../../plugin/errors/cpem-error.js';
import { FaceModelTensors } from '../../plugin/face-model/face-model-tensors.js';
import type { FaceModel } from '../../plugin/face-model/face-model.js';
import { PeNet } from '../../plugin/estimator/pe-net.js';
import { CpemTrainer, type BatchSource, type TrainerCheckpoint } from '../lib/trainer/cpem-trainer.js';
import type { LossLogRow } from '../lib/trainer/loss-log.js';
import type { TrainingConfig } from '../lib/trainer/training-config.js';
import { DeviceWatch, selectBackend, type BackendChoice, type SandboxBackend } from './backends.js';
import { ValidationSet, type ValidationRow } from './validation.js';

export type SessionState = 'running' | 'paused' | 'stopped' | 'done' | 'lost' | 'error';

/**
 * Makes the run's batch source for the face-model tensors of the active backend, positioned at batch
 * `position` (0 for a new run, the checkpoint's step when resuming).
 */
export type SourceFactory = (model: FaceModelTensors, seed: number, position: number) => BatchSource;

export interface SessionEvents {
  state(state: SessionState, error: CpemError | Error | null): void;
  /** A logged loss row (every config.logEvery steps). */
  loss(row: LossLogRow): void;
  validation(row: ValidationRow): void;
}

export interface SessionOptions {
  config: TrainingConfig;
  backend: BackendChoice;
  faceModel: FaceModel;
  source: SourceFactory;
  /** Steps between validations on the held-out set (and in-memory checkpoints). */
  validateEvery: number;
  /**
   * A trained network to fine-tune (CpemTrainer.fineTune: its input standardisation, gains and feature set kept)
   * instead of a fresh one, e.g. the shipped network for a person's guided capture.
   */
  base?: tf.io.ModelArtifacts;
  events: SessionEvents;
}

/** Hands the event loop back to the page between steps (input, painting, other tasks). */
function yieldToPage(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

export class TrainingSession {
  state: SessionState = 'paused';
  error: CpemError | Error | null = null;
  readonly validationRows: ValidationRow[] = [];
  /** tf.memory().numTensors after every step (the page shows it; a test checks it stays flat). */
  readonly tensorCounts: number[] = [];
  /** Backends that failed before the one in use (auto selection). */
  skippedBackends: SandboxBackend[] = [];
  private lastCheckpoint: TrainerCheckpoint | null = null;
  private running: Promise<void> | null = null;

  private constructor(
    private readonly options: SessionOptions,
    public backend: SandboxBackend,
    private model: FaceModelTensors,
    private validation: ValidationSet,
    public trainer: CpemTrainer,
    private watch: DeviceWatch,
  ) {}

  /** Selects the backend, uploads the face model, draws the held-out set and makes a fresh network (or copies `base`). */
  static async create(options: SessionOptions): Promise<TrainingSession> {
    const { backend, skipped } = await selectBackend(options.backend);
    const model = new FaceModelTensors(options.faceModel);
    const validation = new ValidationSet(model);
    let trainer: CpemTrainer;
    try {
      const source = options.source(model, options.config.seed, 0);
      trainer = options.base
        ? CpemTrainer.fineTune(
            options.config,
            PeNet.fromArtifacts(options.base, 'the network to fine-tune'),
            model,
            source,
          )
        : await CpemTrainer.create(options.config, model, source);
    } catch (e) {
      validation.dispose();
      model.dispose();
      throw e;
    }
    const session = new TrainingSession(options, backend, model, validation, trainer, new DeviceWatch(backend));
    session.skippedBackends = skipped;
    session.listenForLoss();
    await session.validate();
    await session.takeCheckpoint();
    return session;
  }

  get config(): TrainingConfig {
    return this.options.config;
  }

  get net(): PeNet {
    return this.trainer.net;
  }

  get step(): number {
    return this.trainer.step;
  }

  /** The face model's tensors on the run's backend. */
  get modelTensors(): FaceModelTensors {
    return this.model;
  }

  get checkpointStep(): number | null {
    return this.lastCheckpoint?.step ?? null;
  }

  /** Trains until the last step, a pause or a stop. Resolves when the loop has left. */
  run(): Promise<void> {
    if (this.running) return this.running;
    if (this.state !== 'paused')
      throw new CpemError('INVALID_ARGUMENT', `Cannot run a training session that is ${this.state}.`);
    this.running = this.loop().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** Stops after the current step and keeps a checkpoint; run() continues. */
  async pause(): Promise<void> {
    if (this.state !== 'running') return;
    this.setState('paused');
    await this.running;
    if ((this.state as SessionState) === 'paused') await this.takeCheckpoint();
  }

  /** Ends the run after the current step; the network stays for export. */
  async stop(): Promise<void> {
    if (this.state === 'running' || this.state === 'paused') this.setState('stopped');
    await this.running;
  }

  /**
   * After a lost device (or any failure): continues from the last checkpoint on `backend`, with new face-model
   * tensors, held-out set and batch source there. Steps after that checkpoint are trained again, on the same
   * batches (the run's batches depend only on the seed and the step).
   */
  async resumeOn(backend: BackendChoice): Promise<void> {
    if (this.state !== 'lost' && this.state !== 'error')
      throw new CpemError(
        'INVALID_ARGUMENT',
        `Resume on another backend is for a failed run; this one is ${this.state}.`,
      );
    const checkpoint = this.lastCheckpoint;
    if (!checkpoint) throw new CpemError('INVALID_ARGUMENT', 'There is no checkpoint to resume from: start a new run.');
    const selected = await selectBackend(backend);
    // The old tensors live on the failed backend; free what can still be freed there.
    for (const old of [this.trainer, this.validation, this.model]) {
      try {
        old.dispose();
      } catch {
        // a lost device cannot release its buffers; they go with it
      }
    }
    this.backend = selected.backend;
    this.model = new FaceModelTensors(this.options.faceModel);
    this.validation = new ValidationSet(this.model);
    this.trainer = await CpemTrainer.resume(
      checkpoint,
      this.model,
      this.options.source(this.model, this.options.config.seed, checkpoint.step),
    );
    this.watch = new DeviceWatch(this.backend);
    this.listenForLoss();
    while (this.validationRows.length > 0 && this.validationRows.at(-1)!.step > checkpoint.step)
      this.validationRows.pop();
    this.error = null;
    this.setState('paused');
  }

  /** PE-Net outputs on the held-out features, [N, α | β | rotation | translation] flattened; for export checks. */
  async outputsOf(net: PeNet): Promise<Float32Array> {
    const features = await this.validation.featuresFor(net.config.features);
    const joined = tf.tidy(() => {
      const out = net.predict(features);
      return tf.concat([out.identity, out.expression, out.rotation, out.translation], 1);
    });
    try {
      return (await joined.data()) as Float32Array;
    } finally {
      joined.dispose();
    }
  }

  /** Validation errors of any network (e.g. one loaded back from an export) on this run's held-out set. */
  evaluate(net: PeNet): Promise<ValidationRow> {
    return this.validation.evaluate(net, this.trainer.step);
  }

  /** Frees everything on the backend. */
  dispose(): void {
    for (const d of [this.trainer, this.validation, this.model]) {
      try {
        d.dispose();
      } catch {
        // see resumeOn
      }
    }
  }

  private async loop(): Promise<void> {
    const { config, validateEvery, events } = this.options;
    this.setState('running');
    try {
      while (this.state === 'running' && this.trainer.step < config.steps) {
        this.throwIfLost();
        const row = await this.trainer.trainStep();
        this.throwIfLost();
        if (row) events.loss(row);
        if (this.trainer.step % validateEvery === 0 || this.trainer.step === config.steps) {
          await this.validate();
          await this.takeCheckpoint();
        }
        this.tensorCounts.push(tf.memory().numTensors);
        await yieldToPage();
      }
      if (this.state === 'running') this.setState('done');
    } catch (e) {
      // A lost device makes reads fail or stall; the lost promise may settle just after the failure.
      if (await this.watch.lostWithin(2000)) this.fail('lost', this.watch.error!);
      else this.fail('error', e instanceof Error ? e : new Error(String(e)));
    }
  }

  private async validate(): Promise<void> {
    const row = await this.validation.evaluate(this.trainer.net, this.trainer.step);
    this.throwIfLost();
    this.validationRows.push(row);
    this.options.events.validation(row);
  }

  private async takeCheckpoint(): Promise<void> {
    if (this.lastCheckpoint?.step === this.trainer.step) return;
    const checkpoint = await this.trainer.checkpoint();
    this.throwIfLost();
    this.lastCheckpoint = checkpoint;
  }

  private throwIfLost(): void {
    if (this.watch.lost) throw this.watch.error!;
  }

  private listenForLoss(): void {
    const watch = this.watch;
    watch.onLost((e) => {
      // A paused run notices here; a running one at its next step.
      if (watch === this.watch && this.state === 'paused') this.fail('lost', e);
    });
  }

  private fail(state: 'lost' | 'error', error: CpemError | Error): void {
    this.error = error;
    this.setState(state);
    if (!isCpemError(error)) console.error(error);
  }

  private setState(state: SessionState): void {
    this.state = state;
    this.options.events.state(state, this.error);
  }
}
