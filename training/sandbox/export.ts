// What "Download weights" saves: the layout `npm run train` writes and weights/pe-net/ ships, so a sandbox run
// can replace the shipped weights as is: model.json + weights.bin (PE-Net's TF.js model), manifest.json
// (the run, the face model's hash, the trainer's synthetic evaluation) and loss.csv.
import { evaluateSynthetic } from '../lib/eval/synthetic-eval.js';
import { estimatorManifest, modelJsonOf, WEIGHTS_SHARD } from '../lib/trainer/estimator-manifest.js';
import type { TrainingSession } from './session.js';
import { personalizationSummary, type PersonalizationRecord } from '../lib/personalize/manifest.js';
import type { CalibrationProfile } from '../../plugin/calibration/range-profile.js';
import packageJson from '../../package.json';

export { WEIGHTS_SHARD };

/** How the run's data was made, recorded in the manifest like the Node trainer's run.data. */
export interface SandboxRunData {
  synthetic: Record<string, never>;
  realFraction: number;
  /** Names of the dropped clips that were tracked ('guided capture' for a personalisation). */
  tracks: string[];
}

export { sha256Hex } from '../../plugin/util/sha256.js';

/**
 * The run's files, by name. Scores the network on the trainer's full held-out synthetic set first. A personalised
 * network (guided capture) carries its record: in manifest.json as `personalization`, summarised in model.json.
 */
export async function runFiles(
  session: TrainingSession,
  info: {
    faceModelSha256: string | null;
    data: SandboxRunData;
    personalization?: PersonalizationRecord;
    calibrationProfile?: CalibrationProfile | null;
  },
): Promise<Record<string, Blob>> {
  const net = session.net;
  const name = info.personalization ? 'personalized' : 'training-sandbox';
  const artifacts = await net.toArtifacts({
    run: name,
    steps: session.step,
    ...(info.personalization ? personalizationSummary(info.personalization) : {}),
  });
  const report = await evaluateSynthetic(net, session.modelTensors);
  const rows = session.trainer.log.rows;
  const manifest = estimatorManifest({
    packageVersion: packageJson.version,
    faceModelSha256: info.faceModelSha256 ?? 'unknown (the face model had not loaded)',
    run: {
      name,
      command: info.personalization ? 'npm start, then /training: Teach it your face' : 'npm start, then /training',
      training: session.config,
      data: info.data,
    },
    trained: {
      steps: session.step,
      seconds: Math.round(rows.at(-1)?.seconds ?? 0),
      backend: session.backend,
      cpus: navigator.hardwareConcurrency ?? 0,
    },
    finalLoss: rows.at(-1)?.total ?? NaN,
    report,
  });
  const full = info.personalization ? { ...manifest, personalization: info.personalization } : manifest;
  const modelJson = modelJsonOf(artifacts);
  const json = (value: unknown) => new Blob([`${JSON.stringify(value, null, 1)}\n`], { type: 'application/json' });
  return {
    'model.json': json(modelJson),
    [WEIGHTS_SHARD]: new Blob([artifacts.weightData as ArrayBuffer], { type: 'application/octet-stream' }),
    'manifest.json': json(full),
    'loss.csv': new Blob([session.trainer.log.toCsv()], { type: 'text/csv' }),
    // The person's range profile from the same capture, for FaceRetargetBehavior({ calibrationProfile }).
    ...(info.calibrationProfile ? { 'calibration-profile.json': json(info.calibrationProfile) } : {}),
  };
}

/** Saves each blob as a download under its name. */
export async function downloadFiles(files: Record<string, Blob>): Promise<void> {
  for (const [name, blob] of Object.entries(files)) {
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    a.click();
    // Let the browser pick the download up before the next one and before the URL goes.
    await new Promise((resolve) => setTimeout(resolve, 100));
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
}
