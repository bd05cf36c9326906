// `npm run eval:tracker`: landmark NME of the face tracker on ../shared/landmark-images (menpo, aflw2000), per
// image and on average, and how far the cheaper iris modes put the eyes on a clip from ../shared/videos; prints the
// tables, writes docs/tracking/nme.json and both tables in docs/tracking.md.
import fs from 'node:fs';
import path from 'node:path';
import { FaceTracker } from '../../plugin/tracker/face-tracker.js';
import { evaluateTracker, meanNme, readLandmarkImages, type NmeRow } from '../node/eval/tracker-nme.js';
import { compareIrisModes } from '../node/eval/iris-modes.js';
import { readCliArgs } from '../node/cli-support.js';
import { sharedPath } from '../node/shared-data.js';

const shared = path.resolve(sharedPath('landmark-images'));
if (!fs.existsSync(shared)) {
  console.error(`no ${shared}: the landmark images live beside the checkout in ../shared; nothing to evaluate.`);
  process.exit(1);
}
const backend = (readCliArgs({ backend: 'string' }, { usage: 'usage: npm run eval:tracker [-- --backend wasm|cpu]' })
  .backend ?? 'wasm') as 'wasm' | 'cpu';
const tracker = await FaceTracker.create({ backend, maxFaces: 4 });
const rows = await evaluateTracker(tracker, readLandmarkImages(shared));
tracker.dispose();

const pct = (v: number) => (Number.isFinite(v) ? (100 * v).toFixed(2) : 'no face');
const regionMean = (k: keyof NmeRow['regions']) => meanNme(rows.map((r) => ({ ...r, nme: r.regions[k] })));
const lines = [
  '| set | image | size | faces found | NME % | jaw | brows | nose | eyes | mouth | nearest-vertex map |',
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ...rows.map(
    (r) =>
      `| ${r.set} | ${r.image} | ${r.width}×${r.height} | ${r.facesFound} | ${pct(r.nme)} | ${pct(r.regions.jaw)} | ${pct(r.regions.brows)} | ${pct(r.regions.nose)} | ${pct(r.regions.eyes)} | ${pct(r.regions.mouth)} | ${pct(r.nearestVertexNme)} |`,
  ),
  `| **mean** | ${rows.filter((r) => Number.isFinite(r.nme)).length} of ${rows.length} images | | | **${pct(meanNme(rows))}** | ${pct(regionMean('jaw'))} | ${pct(regionMean('brows'))} | ${pct(regionMean('nose'))} | ${pct(regionMean('eyes'))} | ${pct(regionMean('mouth'))} | ${pct(meanNme(rows.map((r) => ({ ...r, nme: r.nearestVertexNme }))))} |`,
];
const table = lines.join('\n');
console.log(table);
const summary = {
  date: new Date().toISOString(),
  backend: tracker.backend,
  meanNme: meanNme(rows),
  nearestVertexMeanNme: meanNme(rows.map((r) => ({ ...r, nme: r.nearestVertexNme }))),
  missed: rows.filter((r) => !Number.isFinite(r.nme)).length,
  rows,
};
fs.mkdirSync(path.join('docs', 'tracking'), { recursive: true });
fs.writeFileSync(
  path.join('docs', 'tracking', 'nme.json'),
  `${JSON.stringify(summary, (_k, v) => (typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(5)) : v), 2)}\n`,
);
const IRIS_CLIP = 'liveportrait_d3.mp4',
  IRIS_FRAMES = 300;
const irisRows = await compareIrisModes(path.resolve(sharedPath('videos', IRIS_CLIP)), IRIS_FRAMES);
const irisTable = [
  `| \`refineIris\` | frames | eye contour | iris points | eye opening correlation (right, left) |`,
  '| --- | --- | --- | --- | --- |',
  ...irisRows.map(
    (r) =>
      `| \`${r.mode === 'alternate' ? "'alternate'" : 'false'}\` | ${r.frames} | ${(100 * r.contour).toFixed(2)} % | ${(100 * r.iris).toFixed(2)} % | ${r.openingCorrelation.map((c) => c.toFixed(3)).join(', ')} |`,
  ),
].join('\n');
console.log(
  `\neye points against refineIris true on ${IRIS_CLIP} (${IRIS_FRAMES} frames), in % of the eye distance\n${irisTable}`,
);

const doc = path.join('docs', 'tracking.md');
if (fs.existsSync(doc)) {
  let text = fs.readFileSync(doc, 'utf8');
  for (const [name, body] of [
    ['nme', table],
    ['iris', irisTable],
  ]) {
    const start = `<!-- ${name}:start -->`,
      end = `<!-- ${name}:end -->`;
    if (text.includes(start) && text.includes(end))
      text = `${text.slice(0, text.indexOf(start) + start.length)}\n${body}\n${text.slice(text.indexOf(end))}`;
  }
  fs.writeFileSync(doc, text);
  console.log(`updated ${doc}`);
}
