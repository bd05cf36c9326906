// `npm run eval -- [--weights weights/pe-net/model.json] [--out docs/evaluation.md] [--json FILE] [--track-dir DIR]`
// Scores the estimator (docs/evaluation.md): synthetic held-out faces; labelled real frames of ../shared/videos
// (report and tune halves); identity consistency on those clips; reconstructed landmarks on ../shared/landmark-images.
// Clips are tracked once into .cache/tracks/ (--track-dir reads another set, e.g. .cache/tracks-attention). Without ../shared only the synthetic section is written.
import fs from 'node:fs';
import path from 'node:path';
import { FaceModel } from '../../plugin/face-model/face-model.js';
import { FaceModelTensors } from '../../plugin/face-model/face-model-tensors.js';
import { PeNet } from '../../plugin/estimator/pe-net.js';
import { selectBackend } from '../../plugin/tracker/backend.js';
import { modelFilesHandler } from '../node/model-files.js';
import { evaluateEstimator } from '../node/eval/evaluate-estimator.js';
import { evaluationMarkdown } from '../node/eval/report-markdown.js';
import { readCliArgs, runCli, readLabelSet } from '../node/cli-support.js';
import { sharedDirOrNull } from '../node/shared-data.js';
import { outputFile } from '../node/output-folders.js';

async function main(): Promise<void> {
  const args = readCliArgs(
    { weights: 'string', out: 'string', json: 'string', 'track-dir': 'string' },
    {
      usage:
        'usage: npm run eval -- [--weights weights/pe-net/model.json] [--out docs/evaluation.md] [--json FILE] [--track-dir DIR]',
    },
  );
  const weights = args.weights ?? path.join('weights', 'pe-net', 'model.json');
  // Checked before the evaluation runs: a missing or unwritable folder used to end it with a raw ENOENT.
  const outFile = outputFile(args.out ?? path.join('docs', 'evaluation.md'));
  if (args.json) outputFile(args.json, '--json');
  const sharedDir = sharedDirOrNull();
  await selectBackend('wasm');
  const model = await FaceModel.load(path.join('weights', 'face-model.bin'));
  const tensors = new FaceModelTensors(model);
  const net = await PeNet.load(modelFilesHandler(weights));
  const labels = readLabelSet();
  if (!sharedDir) console.error('../shared is absent: only the synthetic section is evaluated.');
  const report = await evaluateEstimator(net, model, tensors, {
    labels,
    sharedDir,
    trackDir: args['track-dir'],
    log: (m) => console.error(m),
  });
  const manifestFile = path.join(path.dirname(weights), 'manifest.json');
  const manifest = fs.existsSync(manifestFile) ? JSON.parse(fs.readFileSync(manifestFile, 'utf8')) : null;
  const command = `npm run eval${
    process.argv.length > 2
      ? ` -- ${process.argv
          .slice(2)
          .filter((a) => a !== '--')
          .join(' ')}`
      : ''
  }`;
  fs.writeFileSync(outFile, evaluationMarkdown(report, { weights, manifest, command }));
  if (args.json)
    fs.writeFileSync(
      args.json,
      JSON.stringify(report, (_, v) => (v instanceof Float32Array ? Array.from(v) : v), 1),
    );
  const r = report.realFrames?.report;
  console.error(
    `synthetic unit MAE ${report.synthetic.meanUnitMae.toFixed(3)}` +
      (r
        ? `; report half: category MAE raw ${r.raw.categoryAverage.toFixed(3)}, calibrated ${r.calibrated.categoryAverage.toFixed(3)} (reading 0: ${r.zero.categoryAverage.toFixed(3)}); where shown ${r.raw.activeAverage.toFixed(3)} / ${r.calibrated.activeAverage.toFixed(3)}; neutral mean ${r.calibrated.neutral.meanActivation.toFixed(3)}`
        : '') +
      (report.identity ? `; α drift report ${report.identity.report.toFixed(3)}` : '') +
      (report.reconstruction ? `; landmark NME ${(100 * report.reconstruction.mean).toFixed(2)} %` : ''),
  );
  console.error(`wrote ${outFile}`);
  net.dispose();
  tensors.dispose();
}

runCli(main);
