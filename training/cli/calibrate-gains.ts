// `npm run calibrate:gains -- [--weights weights/pe-net/model.json]`
// Fits a gain per expression category on the 'tune' half of the labelled real frames (never the 'report' half),
// through the runtime chain, and writes it into the network's fixed unit gains and its manifest.
import fs from 'node:fs';
import path from 'node:path';
import { PeNet } from '../../plugin/estimator/pe-net.js';
import { selectBackend } from '../../plugin/tracker/backend.js';
import { modelFilesHandler, writeModelFiles } from '../node/model-files.js';
import { loadTrack } from '../node/track-cache.js';
import { estimateTrack, type FrameEstimate } from '../lib/eval/clip-estimates.js';
import type { LabelledFrame } from '../lib/eval/real-frame-eval.js';
import { fitCategoryGains } from '../lib/eval/unit-gain.js';
import { readCliArgs, runCli, readLabelSet } from '../node/cli-support.js';
import { sharedDir as requireSharedDir } from '../node/shared-data.js';
import { NUM_EXPRESSION_UNITS } from '../../plugin/constants.js';

async function main(): Promise<void> {
  const args = readCliArgs(
    { weights: 'string' },
    { usage: 'usage: npm run calibrate:gains -- [--weights weights/pe-net/model.json]' },
  );
  const weights = args.weights ?? path.join('weights', 'pe-net', 'model.json');
  const sharedDir = requireSharedDir('Calibration (it reads the labelled clips)');
  await selectBackend('wasm');
  const net = await PeNet.load(modelFilesHandler(weights));
  const labels = readLabelSet();
  const tuneClips = Object.entries(labels.clips)
    .filter(([, c]) => c.split === 'tune')
    .map(([name]) => name);
  const tracks = new Map(
    tuneClips.map((clip) => [clip, loadTrack(path.join(sharedDir, 'videos', clip), { log: (m) => console.error(m) })]),
  );
  const fit = await fitCategoryGains(labels, async (gain) => {
    net.setExpressionGain(new Float32Array(NUM_EXPRESSION_UNITS).fill(gain));
    const estimates = new Map<string, Map<number, FrameEstimate>>();
    for (const [clip, track] of tracks) estimates.set(clip, await estimateTrack(net, track));
    return (f: LabelledFrame) => estimates.get(f.clip)?.get(f.frame)?.units ?? null;
  });
  net.setExpressionGain(fit.unitGain);
  const manifestFile = path.join(path.dirname(weights), 'manifest.json');
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
  const artifacts = await net.toArtifacts({ run: manifest.run?.name ?? 'unknown', calibrated: 'tune half' });
  writeModelFiles(path.dirname(weights), artifacts);
  manifest.calibration = { command: 'npm run calibrate:gains', split: 'tune', categories: fit.categories };
  fs.writeFileSync(manifestFile, `${JSON.stringify(manifest, null, 1)}\n`);
  for (const [k, v] of Object.entries(fit.categories))
    console.error(
      `${k.padEnd(14)} gain ${v.gain}  tune objective ${v.objectiveAtOne.toFixed(3)} → ${v.objective.toFixed(3)}`,
    );
  console.error(`wrote ${weights} (unit gains) and ${manifestFile}`);
  net.dispose();
}

runCli(main);
