// `npm run fit:curve -- [--weights weights/pe-net/model.json] [--out DIR]`
// Fits PE-Net's output curve (PeNetConfig.expressionCurveKnots) on the 'tune' half of the labelled real frames
// (never the 'report' half): per labelled category, its readings' distribution mapped onto its labels' (see
// training/lib/eval/output-curve.ts), read through the runtime chain without the per-user neutral. Writes the network
// with the curve, and the fit into its manifest, to --out (default: beside --weights, in place).
import fs from 'node:fs';
import path from 'node:path';
import { PeNet } from '../../plugin/estimator/pe-net.js';
import { selectBackend } from '../../plugin/tracker/backend.js';
import { modelFilesHandler, writeModelFiles } from '../node/model-files.js';
import { estimateLabelledClips } from '../node/eval/labelled-clip-estimates.js';
import { labelHalf } from '../lib/eval/real-frame-eval.js';
import { fitOutputCurve, OUTPUT_CURVE_KNOTS } from '../lib/eval/output-curve.js';
import { readCliArgs, runCli, readLabelSet } from '../node/cli-support.js';
import { sharedDir as requireSharedDir } from '../node/shared-data.js';
import { CpemError } from '../../plugin/errors/cpem-error.js';

const USAGE = 'usage: npm run fit:curve -- [--weights weights/pe-net/model.json] [--out DIR]';

async function main(): Promise<void> {
  const args = readCliArgs({ weights: 'string', out: 'string' }, { usage: USAGE });
  const weights = args.weights ?? path.join('weights', 'pe-net', 'model.json');
  const out = args.out ?? path.dirname(weights);
  const sharedDir = requireSharedDir('Fitting the output curve (on labelled clips)');
  const manifestFile = path.join(path.dirname(weights), 'manifest.json');
  if (!fs.existsSync(manifestFile))
    throw new CpemError(
      'WEIGHTS_MISSING',
      `No ${manifestFile} beside ${weights}: fit the curve on weights the trainer wrote.`,
    );
  await selectBackend('wasm');
  const loaded = await PeNet.load(modelFilesHandler(weights));
  const net =
    loaded.config.expressionCurveKnots === OUTPUT_CURVE_KNOTS ? loaded : loaded.withExpressionCurve(OUTPUT_CURVE_KNOTS);
  if (net !== loaded) loaded.dispose();
  // Readings before any curve: the identity.
  net.setExpressionCurve(
    Float32Array.from(
      { length: net.config.numExpression * OUTPUT_CURVE_KNOTS },
      (_, i) => (i % OUTPUT_CURVE_KNOTS) / (OUTPUT_CURVE_KNOTS - 1),
    ),
  );
  const tune = labelHalf(readLabelSet(), 'tune');
  const estimates = await estimateLabelledClips(net, tune, sharedDir, {
    log: (m) => console.error(m),
    calibration: false,
  });
  const fit = fitOutputCurve(tune, (f) => estimates.get(f.clip)?.get(f.frame)?.rawUnits ?? null);
  net.setExpressionCurve(fit.curve);
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
  manifest.outputCurve = {
    command: 'npm run fit:curve',
    split: 'tune',
    knots: OUTPUT_CURVE_KNOTS,
    categories: fit.categories,
  };
  const artifacts = await net.toArtifacts({ run: manifest.run?.name ?? 'unknown', outputCurve: 'tune half' });
  net.dispose();
  writeModelFiles(out, artifacts);
  fs.writeFileSync(path.join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 1)}\n`);
  for (const [name, c] of Object.entries(fit.categories)) {
    console.error(`${name.padEnd(14)} ${c.frames} frames  knots ${c.knots.map((v) => v.toFixed(2)).join(' ')}`);
  }
  console.error(`wrote ${path.join(out, 'model.json')} (output curve) and its manifest.json`);
}

runCli(main);
