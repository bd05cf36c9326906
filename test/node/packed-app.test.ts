// The package as a Babylon developer gets it: `npm pack`, then a new app in a temp folder installs the tarball with
// its peer dependencies (from the npm registry, or npm's cache), bundles the README's "Using the package" page with
// Vite, and the built folder alone is served and opened in headless Chromium, its webcam a fake camera playing the
// marked clip (test/support/marked-clip.ts). The character (an avatar with ARKit morph targets from ../shared) must
// open its jaw where the person opens her mouth and close its eyes where she closes hers. The first spec checks what
// `npm pack` puts in the tarball, and needs no ../shared.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { fakeCameraFlags } from '../../tools/chromium.cjs';
import { launchChromium } from '../support/browser-page.js';
import { CLIP_SOURCE, makeMarkedClip, recordClip, sampleTable, windowCounts, windowMean } from '../support/marked-clip.js';

const AVATAR = path.resolve('..', 'shared', 'avatars', 'rpm_brunette-t.glb');
const CLIP = path.resolve('.cache', 'e2e', 'liveportrait_d3-marked.y4m');
const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8'));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

interface PackResult { filename: string; size: number; unpackedSize: number; files: Array<{ path: string; size: number }> }

/** The "Using the package" page: the first ```js block under that README heading. */
function readmePage(): string {
  const readme = fs.readFileSync('README.md', 'utf8');
  const section = readme.slice(readme.indexOf('## Using the package'));
  const block = section.match(/```js\n([\s\S]*?)```/);
  assert.ok(block, 'README.md has no ```js block under "## Using the package"');
  return block[1];
}

/** Serves `dir` (and nothing else) on loopback. */
async function serveFolder(dir: string): Promise<{ url: string; close(): Promise<void> }> {
  const types: Record<string, string> = {
    '.html': 'text/html', '.js': 'text/javascript', '.json': 'application/json', '.wasm': 'application/wasm', '.bin': 'application/octet-stream',
    '.glb': 'model/gltf-binary', '.css': 'text/css',
  };
  const server = http.createServer((req, res) => {
    const rel = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = path.join(dir, rel.endsWith('/') ? `${rel}index.html` : rel);
    if (!file.startsWith(dir) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404);
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/**
 * Writes an app folder: index.html loading `main` (the page's code) and a test probe that finds the behavior through
 * Babylon's EngineStore (it reads, and changes nothing in, the page), and the character as public/avatar.glb.
 */
function writeApp(app: string, main: string): void {
  fs.mkdirSync(path.join(app, 'public'), { recursive: true });
  fs.copyFileSync(AVATAR, path.join(app, 'public', 'avatar.glb'));
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'cpem-app', private: true, type: 'module' }));
  fs.writeFileSync(path.join(app, 'main.js'), main);
  fs.writeFileSync(path.join(app, 'probe.js'), [
    "import { EngineStore } from '@babylonjs/core';",
    'const find = () => {',
    '  const scene = EngineStore.LastCreatedScene;',
    "  const node = scene?.getNodes().find((n) => n.getBehaviorByName?.('FaceRetarget'));",
    '  if (!node) return setTimeout(find, 50);',
    '  const targets = new Map();',
    '  for (const m of scene.morphTargetManagers) for (let i = 0; i < m.numTargets; i++) if (!targets.has(m.getTarget(i).name)) targets.set(m.getTarget(i).name, m.getTarget(i));',
    "  window.cpemProbe = { behavior: node.getBehaviorByName('FaceRetarget'), scene, influence: (name) => targets.get(name)?.influence ?? NaN };",
    '};',
    'find();',
  ].join('\n'));
  fs.writeFileSync(path.join(app, 'index.html'), [
    '<!doctype html>',
    '<html><head><meta charset="utf-8"><title>babylon-cpem app</title>',
    '<style>html, body, canvas { margin: 0; width: 100%; height: 100%; display: block; }</style></head>',
    '<body><canvas id="canvas"></canvas><script type="module" src="/main.js"></script><script type="module" src="/probe.js"></script></body></html>',
  ].join('\n'));
}

/** Opens `url` with the fake camera and waits until the behavior has left 'starting' (its state then). */
async function openApp(browser: Browser, url: string, origin: string): Promise<{ tab: Page; problems: string[]; foreign: string[]; state: string }> {
  const tab = await browser.newPage();
  const problems: string[] = [];
  const foreign: string[] = [];
  tab.on('pageerror', (e) => problems.push(e.message));
  tab.on('request', (r) => { if (!r.url().startsWith(origin) && !/^(data|blob):/.test(r.url())) foreign.push(r.url()); });
  await tab.goto(url, { timeout: 90_000 });
  await tab.waitForFunction(() => {
    const probe = (window as unknown as { cpemProbe?: { behavior: { state: string } } }).cpemProbe;
    return probe && (probe.behavior.state === 'running' || probe.behavior.state === 'stopped');
  }, null, { timeout: 180_000, polling: 200 });
  return { tab, problems, foreign, state: await tab.evaluate(() => (window as any).cpemProbe.behavior.state) };
}

describe('the packed package in a new app (npm pack, npm install, vite build, headless Chromium)', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cpem-packed-'));
  let packed: PackResult;
  let browser: Browser | undefined;
  let server: { url: string; close(): Promise<void> } | undefined;

  before(() => {
    // `npm test` has just built dist/ and weights/; prepack would build them again.
    assert.ok(fs.existsSync(path.join('dist', 'babylon-cpem.js')), 'dist/ is missing: run npm run build');
    const out = execFileSync(npm, ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { encoding: 'utf8' });
    packed = (JSON.parse(out) as PackResult[])[0];
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('packs the runtime and its files, with their notice, and nothing from ../shared or the sources', () => {
    const files = packed.files.map((f) => f.path);
    for (const f of [
      'package.json', 'README.md', 'bin/babylon-cpem.mjs', 'dist/babylon-cpem.js', 'dist/types/plugin/index.d.ts', 'dist/training.js',
      'weights/NOTICE.md', 'weights/pe-net/model.json', 'weights/pe-net/weights.bin', 'weights/face-model.bin',
      ...['blazeface', 'facemesh', 'iris'].flatMap((m) => [`weights/tracker/${m}.json`, `weights/tracker/${m}.bin`]),
      ...['', '-simd', '-threaded-simd'].map((v) => `weights/tfjs-wasm/tfjs-backend-wasm${v}.wasm`),
    ]) {
      assert.ok(files.includes(f), `${f} is not in the package`);
    }
    const allowed = /^(package\.json|README\.md|bin\/[^/]+\.mjs|dist\/.+\.(js|js\.map|d\.ts|d\.ts\.map)|weights\/.+)$/;
    assert.deepEqual(files.filter((f) => !allowed.test(f)), [], 'files outside dist/, weights/, bin/');
    assert.deepEqual(files.filter((f) => /\.(mp4|y4m|glb|png|jpg|lmtrack|teacher)$|shared|\.cache/.test(f)), [], 'development data in the package');
    // The README states the package's size as `npm pack` reports it.
    const stated = fs.readFileSync('README.md', 'utf8').match(/(\d+(?:\.\d+)?) MB packed, (\d+(?:\.\d+)?) MB unpacked/);
    assert.ok(stated, 'README.md does not state "N MB packed, N MB unpacked"');
    const mb = (bytes: number) => bytes / 1e6;
    assert.ok(Math.abs(Number(stated[1]) - mb(packed.size)) / mb(packed.size) < 0.1, `README says ${stated[1]} MB packed; npm pack says ${mb(packed.size).toFixed(1)} MB`);
    assert.ok(Math.abs(Number(stated[2]) - mb(packed.unpackedSize)) / mb(packed.unpackedSize) < 0.1, `README says ${stated[2]} MB unpacked; npm pack says ${mb(packed.unpackedSize).toFixed(1)} MB`);
  });

  it("drives an ARKit character's jaw and eyes from a fake camera in an app of the README's 10 lines, built by Vite", { timeout: 900_000 }, async (t) => {
    if (!fs.existsSync(CLIP_SOURCE) || !fs.existsSync(AVATAR)) return t.skip('../shared (videos and avatars) is not present');
    const page = readmePage();
    const lines = page.split('\n').filter((l) => l.trim() !== '');
    assert.ok(lines.length <= 10, `the README's page has ${lines.length} lines of code`);

    // A new app: the README's page, the character and the test probe.
    const app = path.join(work, 'app');
    writeApp(app, page);

    // Its dependencies: the tarball, the peers at the versions this repository pins, and Vite.
    const peers = Object.keys(pkg.peerDependencies).map((name) => `${name}@${pkg.devDependencies[name]}`);
    execFileSync(npm, ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts',
      path.join(work, packed.filename), ...peers, `vite@${pkg.devDependencies.vite}`], { cwd: app, stdio: 'pipe' });
    execFileSync(path.join(app, 'node_modules', '.bin', 'vite'), ['build', '--logLevel', 'warn'], { cwd: app, stdio: 'pipe' });
    const built = path.join(app, 'dist');
    const assets = fs.readdirSync(path.join(built, 'assets'));
    for (const name of ['weights', 'face-model', 'blazeface', 'facemesh', 'iris', 'tfjs-backend-wasm-simd']) {
      assert.ok(assets.some((f) => f.startsWith(`${name}-`)), `vite build did not emit ${name}: it did not follow new URL(…, import.meta.url)`);
    }

    makeMarkedClip(CLIP);
    server = await serveFolder(built);
    browser = await launchChromium(fakeCameraFlags(CLIP));
    const { tab, problems, foreign, state } = await openApp(browser, server.url, server.url);
    assert.equal(state, 'running', problems.join('\n'));
    // A missing target reads NaN; once running, the behavior may already have set it.
    const jaw = await tab.evaluate(() => (window as any).cpemProbe.influence('jawOpen'));
    assert.ok(jaw >= 0 && jaw <= 1, `the avatar has an ARKit jawOpen target (influence ${jaw})`);

    const samples = await recordClip(tab, { jaw: 'jawOpen', eyes: ['eyeBlinkLeft', 'eyeBlinkRight'] }, 6, 240_000);
    const counts = windowCounts(samples);
    t.diagnostic(`${samples.length} samples, ${samples.filter((s) => s.locked).length} calibrated; per window ${JSON.stringify(counts)}`);
    t.diagnostic(`jawOpen      ${sampleTable(samples, 'jawOpen')}`);
    t.diagnostic(`eyeBlink L/R ${sampleTable(samples, 'eyeClose')}`);
    assert.ok(Object.values(counts).every((n) => n >= 6), `too few calibrated frames in some window of the clip to judge: ${JSON.stringify(counts)}`);
    const jawIn = windowMean(samples, 'mouthOpen', 'jawOpen'), jawOut = windowMean(samples, 'mouthClosed', 'jawOpen');
    const eyeIn = windowMean(samples, 'eyesClosed', 'eyeClose'), eyeOut = windowMean(samples, 'eyesOpen', 'eyeClose');
    t.diagnostic(`jawOpen ${jawIn.toFixed(3)} with the mouth open vs ${jawOut.toFixed(3)} closed; eyeBlink ${eyeIn.toFixed(3)} with the eyes closed vs ${eyeOut.toFixed(3)} open`);
    assert.ok(jawIn > jawOut + 0.1, `jawOpen ${jawIn.toFixed(3)} with the mouth open vs ${jawOut.toFixed(3)} with it closed`);
    assert.ok(eyeIn > eyeOut + 0.02 && eyeIn > 3 * eyeOut, `eyeBlink ${eyeIn.toFixed(3)} with the eyes closed vs ${eyeOut.toFixed(3)} open`);
    assert.deepEqual(problems, []);
    assert.deepEqual([...new Set(foreign)], [], 'the page fetched from outside its own folder');
  });

  it("runs inference in a worker that Vite bundles from the package (inference: 'worker')", { timeout: 600_000 }, async (t) => {
    const installed = path.join(work, 'app', 'node_modules');
    if (!fs.existsSync(CLIP_SOURCE) || !fs.existsSync(AVATAR)) return t.skip('../shared (videos and avatars) is not present');
    if (!fs.existsSync(installed)) return t.skip('needs the app the spec before installed');
    // The README's page with one option more, built by Vite against the same installed packages.
    const page = readmePage().replace("new FaceRetargetBehavior({ source: 'webcam' })", "new FaceRetargetBehavior({ source: 'webcam', inference: 'worker' })");
    assert.ok(page.includes("inference: 'worker'"), "the README's page no longer creates the behavior as FaceRetargetBehavior({ source: 'webcam' })");
    const app = path.join(work, 'worker-app');
    writeApp(app, page);
    fs.symlinkSync(installed, path.join(app, 'node_modules'), 'dir');
    execFileSync(path.join(installed, '.bin', 'vite'), ['build', '--logLevel', 'warn'], { cwd: app, stdio: 'pipe' });
    const built = path.join(app, 'dist');
    const assets = fs.readdirSync(path.join(built, 'assets'));
    const workerFile = assets.find((f) => f.startsWith('inference-worker-') && f.endsWith('.js'));
    assert.ok(workerFile, 'vite build did not bundle the inference worker: it did not follow new Worker(new URL(…, import.meta.url))');
    assert.doesNotMatch(fs.readFileSync(path.join(built, 'assets', workerFile), 'utf8'), /from\s*["']@tensorflow\//, 'the bundled worker still imports bare package names');

    makeMarkedClip(CLIP);
    const own = await serveFolder(built);
    browser ??= await launchChromium(fakeCameraFlags(CLIP));
    try {
      const { tab, problems, foreign, state } = await openApp(browser, own.url, own.url);
      assert.equal(state, 'running', problems.join('\n'));
      assert.equal(await tab.evaluate(() => (window as any).cpemProbe.behavior.inferenceThread), 'worker');
      await tab.waitForFunction(() => (window as any).cpemProbe.behavior.stats.frames >= 10, null, { timeout: 120_000, polling: 200 });
      const stats = await tab.evaluate(() => ({ ...(window as any).cpemProbe.behavior.stats }));
      t.diagnostic(`worker: ${stats.frames} frames, main thread ${stats.mainThread.toFixed(1)} ms for the last`);
      assert.ok(stats.mainThread < stats.tracker, `the main thread's share (${stats.mainThread} ms) is below the tracker's time (${stats.tracker} ms) in the worker`);
      assert.deepEqual(problems, []);
      assert.deepEqual([...new Set(foreign)], [], 'the page fetched from outside its own folder');
      await tab.close();
    } finally {
      await own.close();
    }
  });
});
