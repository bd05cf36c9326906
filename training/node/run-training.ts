// One training run in Node, from a resolved run config to exported weights: shared by `npm run train` and the
// ablation. The run's checkpoint and loss log live in .cache/train/NAME/; `resume` continues from there.
import * as tf from '@tensorflow/tfjs-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { FaceModel } from '../../plugin/face-model/face-model.js';
import { FaceModelTensors } from '../../plugin/face-model/face-model-tensors.js';
import { CpemTrainer } from '../lib/trainer/cpem-trainer.js';
import { CpemError } from '../../plugin/errors/cpem-error.js';
import type { RunConfig } from '../lib/trainer/run-config.js';
import { ProgressBar } from '../../plugin/node/progress-bar.js';
import { RunBatchSource } from '../lib/data/run-batch-source.js';
import { RealTrackSource } from '../lib/data/real-track-source.js';
import { evaluateSynthetic } from '../lib/eval/synthetic-eval.js';
import { estimatorManifest, type EstimatorManifest } from '../lib/trainer/estimator-manifest.js';
import { loadTrack, trackedClip } from './track-cache.js';
import { categoryUnitIndices, fitTeacherTargets, loadRealClip, type TeacherTargetMap } from './real-clips.js';
import { readLabelSet } from './cli-support.js';
import { labelHalf, labelRounds, trainableClip } from '../lib/eval/real-frame-eval.js';
import type { TrackedClip } from '../lib/data/real-track-source.js';
import { writeModelFiles } from './model-files.js';
import { saveCheckpoint, loadCheckpoint } from './checkpoint-files.js';
import { outputDir, trainRunDir } from './output-folders.js';

export interface TrainingRunOptions {
  /** Where model.json, weights.bin, manifest.json and loss.csv go. */
  outDir: string;
  /** The command line that reproduces the run, recorded in the manifest. */
  command: string;
  faceModelFile?: string;
  resume?: boolean;
  log?: (message: string) => void;
}

/** Trains, exports and returns the manifest. The active TF.js backend is used (wasm or cpu in Node). */
export async function runTraining(run: RunConfig, options: TrainingRunOptions): Promise<EstimatorManifest> {
  const log = options.log ?? ((m: string) => console.error(m));
  // Both folders checked before any work: the run's folder is deleted below, so its name must not leave .cache/train.
  const runDir = trainRunDir(run.name);
  outputDir(options.outDir);
  const faceModelFile = options.faceModelFile ?? path.join('weights', 'face-model.bin');
  if (!fs.statSync(faceModelFile, { throwIfNoEntry: false })?.isFile()) {
    throw new CpemError(
      'WEIGHTS_MISSING',
      `The face model ${faceModelFile} is missing${options.faceModelFile ? ' (--face-model)' : ''}. Name an existing face-model.bin (npm run build:face-model makes one).`,
    );
  }
  const faceModelBytes = fs.readFileSync(faceModelFile);
  const model = new FaceModelTensors(
    await FaceModel.load(
      faceModelBytes.buffer.slice(
        faceModelBytes.byteOffset,
        faceModelBytes.byteOffset + faceModelBytes.byteLength,
      ) as ArrayBuffer,
    ),
  );
  const clips = run.data.realFraction > 0 ? loadRunClips(run, log) : null;
  const realSource = (seed: number) =>
    new RealTrackSource(clips!.clips, seed, {
      categories: clips!.categories,
      labelledShare: run.data.labelledShare,
      mirror: run.data.mirror,
    });
  const real = clips ? { source: realSource(run.training.seed), fraction: run.data.realFraction } : null;
  if (real) log(`real tracks: ${real.source.describe()}`);
  const source = new RunBatchSource(model, run.training.seed, run.data.synthetic, real);
  // Input statistics from the run's own mixture of data, drawn apart from the training batches.
  const statisticsSeed = (run.training.seed ^ 0x5eed) >>> 0;
  const statistics = new RunBatchSource(
    model,
    statisticsSeed,
    run.data.synthetic,
    clips ? { source: realSource(statisticsSeed), fraction: run.data.realFraction } : null,
  );

  let trainer: CpemTrainer;
  if (options.resume && fs.existsSync(path.join(runDir, 'checkpoint.json'))) {
    const checkpoint = loadCheckpoint(runDir);
    source.position = checkpoint.step;
    trainer = await CpemTrainer.resume(checkpoint, model, source);
    log(`resumed ${run.name} at step ${trainer.step}`);
  } else {
    fs.rmSync(runDir, { recursive: true, force: true });
    trainer = await CpemTrainer.create(run.training, model, source, statistics);
  }
  outputDir(runDir, 'The run folder');
  log(
    `training ${run.name}: ${run.training.steps} steps of ${run.training.persons}×${run.training.framesPerPerson} on ${tf.getBackend()}, PE-Net ${trainer.net.parameterCount} parameters`,
  );
  const bar = new ProgressBar(run.training.steps, run.name, process.stderr);
  try {
    while (trainer.step < run.training.steps) {
      const row = await trainer.trainStep();
      if (row) bar.update(trainer.step, `loss ${row.total.toPrecision(4)}`);
      const every = run.training.checkpointEvery;
      if ((every > 0 && trainer.step % every === 0) || trainer.step === run.training.steps) {
        saveCheckpoint(runDir, await trainer.checkpoint());
        fs.writeFileSync(path.join(runDir, 'loss.csv'), trainer.log.toCsv());
      }
    }
    const report = await evaluateSynthetic(trainer.net, model, { synthetic: run.data.synthetic, neutralFace: true });
    const manifest = estimatorManifest({
      packageVersion: JSON.parse(fs.readFileSync('package.json', 'utf8')).version,
      faceModelSha256: crypto.createHash('sha256').update(faceModelBytes).digest('hex'),
      run: {
        name: run.name,
        command: options.command,
        training: run.training,
        // The teacher's resting levels and gains measured on the tune half, with the data settings.
        data: {
          ...run.data,
          ...(clips?.teacherMap
            ? {
                teacherTargets: {
                  rest: Array.from(clips.teacherMap.rest, (v) => +v.toFixed(4)),
                  gain: Array.from(clips.teacherMap.gain),
                  categories: clips.teacherMap.categories,
                  ...(clips.teacherMap.curve ? { curves: clips.teacherMap.curve.categories } : {}),
                },
              }
            : {}),
        },
      },
      trained: {
        steps: trainer.step,
        seconds: Math.round(trainer.log.rows.at(-1)?.seconds ?? 0),
        backend: tf.getBackend(),
        cpus: os.cpus().length,
      },
      finalLoss: trainer.log.rows.at(-1)?.total ?? NaN,
      report,
    });
    writeModelFiles(options.outDir, await trainer.net.toArtifacts({ run: run.name, steps: trainer.step }));
    fs.writeFileSync(path.join(options.outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 1)}\n`);
    fs.writeFileSync(path.join(options.outDir, 'loss.csv'), trainer.log.toCsv());
    log(
      `${run.name}: ${trainer.step} steps in ${manifest.trained.seconds} s; synthetic β MAE ${report.meanUnitMae.toFixed(4)}, correlation ${report.meanCorrelation.toFixed(3)}, rotation ${report.rotationMaeDeg.toFixed(2)}°; wrote ${options.outDir}/`,
    );
    return manifest;
  } finally {
    trainer.dispose();
    model.dispose();
  }
}

/** A config's `tracks` as files: folders become the .mp4 files in them. */
function expandTracks(tracks: string[]): string[] {
  return tracks.flatMap((t) => {
    const file = path.resolve(t);
    if (
      fs.existsSync(file) &&
      fs.statSync(file).isDirectory() &&
      !fs.readdirSync(file).some((f) => /\.(jpe?g|png|ppm)$/i.test(f) || fs.statSync(path.join(file, f)).isDirectory())
    ) {
      return fs
        .readdirSync(file)
        .filter((f) => f.endsWith('.mp4'))
        .sort()
        .map((f) => path.join(file, f));
    }
    return [file];
  });
}

/**
 * The run's real clips with the targets its config asks for. Clips of the labels' report half (and duplicates of
 * other footage) are left out whatever the config lists.
 */
function loadRunClips(
  run: RunConfig,
  log: (m: string) => void,
): {
  clips: TrackedClip[];
  categories: Record<string, number[]> | undefined;
  teacherMap: TeacherTargetMap | undefined;
} {
  const all = fs.existsSync(path.join('test', 'data', 'real-frame-labels.json')) ? readLabelSet() : null;
  const labels = all && run.data.labelRounds !== null ? labelRounds(all, run.data.labelRounds) : all;
  const files = expandTracks(run.data.tracks);
  const kept =
    all && labels
      ? files.filter(
          (f) =>
            trainableClip(all, path.basename(f)) && (!all.clips[path.basename(f)] || labels.clips[path.basename(f)]),
        )
      : files;
  if (kept.length < files.length)
    log(
      `left out ${files.length - kept.length} clip(s) of the report half, duplicated footage${run.data.labelRounds ? ' or label rounds the run does not use' : ''}`,
    );
  if (run.data.labels === 'tune' && !labels)
    throw new CpemError(
      'INVALID_ARGUMENT',
      `Run ${run.name} asks for labels, but test/data/real-frame-labels.json is missing.`,
    );
  const tune = run.data.labels === 'tune' && labels ? labelHalf(labels, 'tune') : null;
  const videoDir = kept.find((f) => f.endsWith('.mp4')) ? path.dirname(kept.find((f) => f.endsWith('.mp4'))!) : null;
  const teacherMap =
    run.data.teacher && tune && videoDir
      ? fitTeacherTargets(tune, videoDir, {
          restQuantile: run.data.teacherRestQuantile,
          mode: run.data.teacherMap,
          log,
        })
      : undefined;
  if (teacherMap?.curve)
    log(
      `teacher targets: curves ${Object.entries(teacherMap.curve.categories)
        .map(([k, v]) => `${k} [${v.map((x) => x.toFixed(2)).join(' ')}]`)
        .join(', ')}`,
    );
  else if (teacherMap)
    log(
      `teacher targets: gains ${Object.entries(teacherMap.categories)
        .map(([k, v]) => `${k} ${v.gain}`)
        .join(', ')}`,
    );
  const clips = kept.map((f) =>
    f.endsWith('.lmtrack') || !(run.data.teacher || tune)
      ? trackedClip(path.basename(f), loadTrack(f, { log, cacheDir: run.data.trackDir ?? undefined }))
      : loadRealClip(f, {
          teacher: run.data.teacher,
          teacherMap,
          labels: tune,
          labelSpread: run.data.labelSpread,
          trackDir: run.data.trackDir ?? undefined,
          log,
        }),
  );
  return { clips, categories: tune ? categoryUnitIndices(tune) : undefined, teacherMap };
}
