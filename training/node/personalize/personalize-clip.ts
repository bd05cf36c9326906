// Personalisation of PE-Net from a recorded clip and its prompt file, in Node: what `npm run personalize` runs and
// the evaluation (`npm run eval:personalize`) repeats per person. The clip is tracked once into .cache/tracks/.
import * as tf from '@tensorflow/tfjs-core';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CpemError } from '../../../plugin/errors/cpem-error.js';
import { FaceModel } from '../../../plugin/face-model/face-model.js';
import { FaceModelTensors } from '../../../plugin/face-model/face-model-tensors.js';
import { PeNet } from '../../../plugin/estimator/pe-net.js';
import type { LandmarkTrack } from '../../lib/data/landmark-track.js';
import { evaluateSynthetic } from '../../lib/eval/synthetic-eval.js';
import { modelFilesHandler, writeModelFiles } from '../model-files.js';
import { loadTrack } from '../track-cache.js';
import { featureSpecFor } from '../../lib/trainer/cpem-trainer.js';
import { estimatorManifest, type EstimatorManifest } from '../../lib/trainer/estimator-manifest.js';
import type { CpemTrainer } from '../../lib/trainer/cpem-trainer.js';
import { beforeAfterMarkdown, scoreBeforeAfter, type BeforeAfter } from '../../lib/personalize/before-after.js';
import {
  analyseCapture,
  type AlignmentReference,
  type AnalysisOptions,
  type CaptureAnalysis,
  type PromptCapture,
} from '../../lib/personalize/capture-analysis.js';
import { capturesFromTrack } from '../../lib/personalize/clip-capture.js';
import { personalize, type PersonalizationSettings } from '../../lib/personalize/fine-tune.js';
import {
  personalizationRecord,
  personalizationSummary,
  type PersonalizationRecord,
} from '../../lib/personalize/manifest.js';
import { readPromptFileText, type PromptFile } from '../../lib/personalize/prompt-file.js';
import { personClip, type PersonClip } from '../../lib/personalize/targets.js';

/** The face model (weights/face-model.bin by default) as tensors on the active backend, with its file's SHA-256. */
export async function loadFaceModelTensors(
  file = path.join('weights', 'face-model.bin'),
): Promise<{ tensors: FaceModelTensors; sha256: string }> {
  const bytes = fs.readFileSync(file);
  const model = await FaceModel.load(
    bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
  );
  return { tensors: new FaceModelTensors(model), sha256: crypto.createHash('sha256').update(bytes).digest('hex') };
}

/** The alignment the capture analysis uses: the face model's neutral face at PE-Net's alignment points. */
export function captureAlignment(model: FaceModelTensors): AlignmentReference {
  const spec = featureSpecFor('aligned', model.model);
  if (spec.set !== 'aligned') throw new CpemError('INVALID_ARGUMENT', 'The aligned feature spec could not be made.');
  return { points: spec.points, reference: spec.reference };
}

/** Reads and checks a prompt file. */
export function loadPromptFile(file: string): PromptFile {
  if (!fs.existsSync(file)) throw new CpemError('INVALID_ARGUMENT', `No such prompt file: ${file}.`);
  if (fs.statSync(file).isDirectory())
    throw new CpemError('INVALID_ARGUMENT', `The prompt file ${file} is a folder: name the JSON prompt file in it.`);
  return readPromptFileText(fs.readFileSync(file, 'utf8'), file);
}

export interface ClipPersonalization {
  track: LandmarkTrack;
  captures: PromptCapture[];
  analysis: CaptureAnalysis;
  clip: PersonClip;
  trainer: CpemTrainer;
  seconds: number;
}

/** Tracks (or reads) the clip, cuts it by the prompt file, analyses the prompts and fine-tunes a copy of `base`. */
export async function personalizeFromClip(init: {
  video: string;
  prompts: PromptFile;
  base: PeNet;
  model: FaceModelTensors;
  holdout: NonNullable<AnalysisOptions['holdout']>;
  settings: PersonalizationSettings;
  log?: (message: string) => void;
  onRow?: Parameters<typeof personalize>[4];
}): Promise<ClipPersonalization> {
  const track = loadTrack(init.video, { log: init.log });
  const captures = capturesFromTrack(track, init.prompts, path.basename(init.video));
  const analysis = analyseCapture(captures, { alignment: captureAlignment(init.model), holdout: init.holdout });
  for (const p of analysis.prompts) if (p.message) init.log?.(p.message);
  const clip = personClip(path.basename(init.video), captures, analysis, init.settings);
  const t0 = Date.now();
  const trainer = await personalize(init.base, init.model, clip.clip, init.settings, init.onRow);
  return { track, captures, analysis, clip, trainer, seconds: (Date.now() - t0) / 1000 };
}

/** The base network's run name, from the manifest beside it (or "unknown"). */
export function baseRunName(weights: string): string {
  const file = path.join(path.dirname(weights), 'manifest.json');
  try {
    return String(JSON.parse(fs.readFileSync(file, 'utf8')).run?.name ?? 'unknown');
  } catch {
    return 'unknown';
  }
}

export async function loadBaseNetwork(weights: string): Promise<PeNet> {
  return PeNet.load(modelFilesHandler(weights));
}

/**
 * Writes a personalised network as `npm run train` lays out its runs: model.json + weights.bin, manifest.json (with
 * the personalisation record), loss.csv, and the before/after table (before-after.md, before-after.json).
 */
export async function writePersonalizedFiles(
  outDir: string,
  init: {
    result: ClipPersonalization;
    record: PersonalizationRecord;
    scores: BeforeAfter;
    model: FaceModelTensors;
    faceModelSha256: string;
    command: string;
  },
): Promise<EstimatorManifest & { personalization: PersonalizationRecord }> {
  const { trainer } = init.result;
  const report = await evaluateSynthetic(trainer.net, init.model);
  const manifest = {
    ...estimatorManifest({
      packageVersion: JSON.parse(fs.readFileSync('package.json', 'utf8')).version,
      faceModelSha256: init.faceModelSha256,
      run: {
        name: 'personalized',
        command: init.command,
        training: trainer.config,
        data: { person: init.record.source },
      },
      trained: {
        steps: trainer.step,
        seconds: Math.round(init.result.seconds),
        backend: tf.getBackend(),
        cpus: os.cpus().length,
      },
      finalLoss: trainer.log.rows.at(-1)?.total ?? NaN,
      report,
    }),
    personalization: init.record,
  };
  writeModelFiles(
    outDir,
    await trainer.net.toArtifacts({ run: 'personalized', steps: trainer.step, ...personalizationSummary(init.record) }),
  );
  fs.writeFileSync(path.join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 1)}\n`);
  fs.writeFileSync(path.join(outDir, 'loss.csv'), trainer.log.toCsv());
  fs.writeFileSync(path.join(outDir, 'before-after.json'), `${JSON.stringify(init.scores, null, 1)}\n`);
  fs.writeFileSync(path.join(outDir, 'before-after.md'), beforeAfterMarkdown(init.scores));
  return manifest;
}

export { personalizationRecord, scoreBeforeAfter };
