// `npm run fit:ibug68 [-- --out FILE]`: fits the iBUG-68 regressor (plugin/landmarks/ibug68-regressor.ts) to the
// 68-point landmarks of ../shared/cpem-demo (300W-LP and VoxCeleb2 frames), tracking each image from scratch in Node
// (wasm). K (points per iBUG point) and λ (ridge) come from leave-one-person-out cross-validation; the fit on all
// persons is written to weights/ibug68-regressor.json. The landmark images that `npm run eval:tracker` scores
// (../shared/landmark-images) are never used here.
import fs from 'node:fs';
import path from 'node:path';
import { CpemError } from '../../plugin/errors/cpem-error.js';
import { FaceTracker } from '../../plugin/tracker/face-tracker.js';
import { IBUG68_REGRESSOR_FORMAT, type Ibug68RegressorFile } from '../../plugin/landmarks/ibug68-regressor.js';
import { faceNearestTruth } from '../node/eval/tracker-nme.js';
import { decodeImage } from '../../plugin/node/ffmpeg-frames.js';
import { readCpemDemoLandmarks } from '../node/cpem-demo-landmarks.js';
import { readCanonicalFaceMesh } from '../node/canonical-mesh.js';
import { crossValidate, fitIbug68Regressor, type RegressorSample } from '../lib/landmarks/fit-ibug68-regressor.js';
import { ProgressBar } from '../../plugin/node/progress-bar.js';
import { readCliArgs, runCli } from '../node/cli-support.js';
import { sharedDir } from '../node/shared-data.js';
import { outputFile } from '../node/output-folders.js';

const GRID = [1, 4, 8, 12, 16].flatMap((neighbours) =>
  (neighbours === 1 ? [0] : [0.0003, 0.001, 0.003, 0.01, 0.03]).map((lambda) => ({ neighbours, lambda })),
);

runCli(async () => {
  const shared = sharedDir(
    'Fitting the iBUG-68 regressor (the annotated images of cpem-demo and the canonical face mesh live there)',
  );
  const out = outputFile(
    readCliArgs({ out: 'string' }, { usage: 'usage: npm run fit:ibug68 [-- --out FILE]' }).out ??
      path.join('weights', 'ibug68-regressor.json'),
  );
  const canonical = readCanonicalFaceMesh(path.join(shared, 'face-data', 'mediapipe-canonical'));
  const images = readCpemDemoLandmarks(path.join(shared, 'cpem-demo'));
  if (!images.length)
    throw new CpemError(
      'INVALID_ARGUMENT',
      `No annotated images under ${path.join(shared, 'cpem-demo')}: the development data folder is incomplete.`,
    );

  const tracker = await FaceTracker.create({ backend: 'wasm', maxFaces: 4 });
  const samples: (RegressorSample & { set: string })[] = [];
  const missed: string[] = [];
  const bar = new ProgressBar(images.length, 'tracking', process.stderr);
  for (const [n, img] of images.entries()) {
    tracker.reset();
    const face = faceNearestTruth((await tracker.track(decodeImage(img.file))).faces, img.truth);
    if (face)
      samples.push({
        mesh: face.landmarks,
        stride: 3,
        truth: img.truth,
        group: `${img.set}/${img.person}`,
        weight: 1,
        set: img.set,
      });
    else missed.push(`${img.set}/${img.name}`);
    bar.update(n + 1);
  }
  tracker.dispose();
  // Each dataset counts alike, however many frames it has.
  const perSet = new Map<string, number>();
  for (const s of samples) perSet.set(s.set, (perSet.get(s.set) ?? 0) + 1);
  for (const s of samples) s.weight = 1 / perSet.get(s.set)!;
  console.log(
    `${samples.length} faces tracked (${[...perSet].map(([k, n]) => `${k} ${n}`).join(', ')}); no face in ${missed.length}${missed.length ? `: ${missed.join(', ')}` : ''}`,
  );

  const rows = crossValidate(samples, canonical, GRID);
  const groups = Object.keys(rows[0].perGroup);
  console.log(
    `\nleave-one-person-out NME %\n| K | λ | ${groups.join(' | ')} | mean |\n|${' --- |'.repeat(groups.length + 3)}`,
  );
  for (const r of rows)
    console.log(
      `| ${r.neighbours} | ${r.lambda} | ${groups.map((g) => (100 * r.perGroup[g]).toFixed(2)).join(' | ')} | ${(100 * r.mean).toFixed(3)} |`,
    );
  const best = rows.reduce((a, b) => (b.mean < a.mean ? b : a));
  const nearestVertex = rows.find((r) => r.neighbours === 1)!;
  console.log(
    `\nchosen K = ${best.neighbours}, λ = ${best.lambda}: ${(100 * best.mean).toFixed(2)} % (nearest-vertex map ${(100 * nearestVertex.mean).toFixed(2)} %)`,
  );

  const fit = fitIbug68Regressor(samples, canonical, best.neighbours, best.lambda);
  const file: Ibug68RegressorFile = {
    format: IBUG68_REGRESSOR_FORMAT,
    version: 1,
    neighbours: fit.neighbours,
    lambda: fit.lambda,
    points: fit.points.map((p) => ({ vertices: p.vertices, weights: p.weights.map((w) => Number(w.toFixed(6))) })),
    provenance: {
      command: 'npm run fit:ibug68',
      data: Object.fromEntries(perSet),
      crossValidation: {
        nmePercent: Number((100 * best.mean).toFixed(3)),
        nearestVertexNmePercent: Number((100 * nearestVertex.mean).toFixed(3)),
        groups,
      },
    },
  };
  // Rounding must not break the sum-to-one constraint: put the residual on the anchor (vertices[0]).
  for (const p of file.points)
    p.weights[0] = Number((p.weights[0] + 1 - p.weights.reduce((s, w) => s + w, 0)).toFixed(6));
  fs.writeFileSync(out, `${JSON.stringify(file)}\n`);
  console.log(`wrote ${out}`);
});
