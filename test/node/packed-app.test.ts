// The package as a Babylon developer gets it: `npm pack`, then a new app in a temp folder installs the tarball with
// its peer dependencies (from the npm registry, or npm's cache), bundles the README's "Using the package" page with
// Vite, and the built folder alone is served and opened in headless Chromium, its webcam a fake camera playing the
// marked clip (test/support/marked-clip.ts). The character (an avatar with ARKit morph targets from ../shared) must
// open its jaw where the person opens her mouth and close its eyes where she closes hers. The first spec checks what
// `npm pack` puts in the tarball, and needs no ../shared.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { CHROMIUM_FLAGS, CHROMIUM_PATH, fakeCameraFlags } from '../../training/node/chromium.cjs';
import { launchChromium } from '../support/browser-page.js';
import { CLIP_SOURCE, makeMarkedClip, recordClip, reportClipSamples, windowMean } from '../support/marked-clip.js';
import { sharedPath } from '../../training/node/shared-data.js';

const AVATAR = path.resolve(sharedPath('avatars', 'rpm_brunette-t.glb'));
const CLIP = path.resolve('.cache', 'e2e', 'liveportrait_d3-marked.y4m');
const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8'));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

interface PackResult {
  filename: string;
  size: number;
  unpackedSize: number;
  files: Array<{ path: string; size: number }>;
}

/** A block of the "Using the package" page: the first ```js (main.js) or ```html (index.html) block under that README heading. */
function readmeBlock(lang: 'js' | 'html'): string {
  const readme = fs.readFileSync('README.md', 'utf8');
  const section = readme.slice(readme.indexOf('## Using the package'));
  const block = section.match(new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``));
  assert.ok(block, `README.md has no \`\`\`${lang} block under "## Using the package"`);
  return block[1];
}
const readmePage = () => readmeBlock('js');
/** The README's page with inference in the package's worker, as the README says to ask for it. */
const workerPage = () => {
  const page = readmePage();
  const behavior = "new FaceRetargetBehavior({ source: 'webcam' })";
  assert.ok(page.includes(behavior), `the README's page no longer creates the behavior as ${behavior}`);
  return `import { inferenceWorker } from 'babylon-cpem/worker';\n${page.replace(behavior, "new FaceRetargetBehavior({ source: 'webcam', worker: inferenceWorker })")}`;
};

/** A TCP port free on loopback now. */
async function freePort(): Promise<number> {
  const probe = http.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** Serves `dir` (and nothing else) on loopback. */
async function serveFolder(dir: string): Promise<{ url: string; close(): Promise<void> }> {
  const types: Record<string, string> = {
    '.html': 'text/html',
    '.js': 'text/javascript',
    '.json': 'application/json',
    '.wasm': 'application/wasm',
    '.bin': 'application/octet-stream',
    '.glb': 'model/gltf-binary',
    '.css': 'text/css',
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
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
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
  fs.writeFileSync(
    path.join(app, 'probe.js'),
    [
      // Babylon from its modules, as the page imports it (the whole of @babylonjs/core would swell the build the spec measures).
      "import { EngineStore } from '@babylonjs/core/Engines/engineStore.js';",
      "import { Matrix, Vector3 } from '@babylonjs/core/Maths/math.vector.js';",
      "import '@babylonjs/core/Culling/ray.js';",
      // The box of the morph-target meshes (the face, eyes, teeth) projected through the active camera, in shares of the
      // canvas; the canvas's size beside the window's; the mesh picked at the box's centre.
      'const faceView = (scene) => {',
      '  const engine = scene.getEngine(), canvas = engine.getRenderingCanvas();',
      '  const w = engine.getRenderWidth(), h = engine.getRenderHeight();',
      '  const viewport = scene.activeCamera.viewport.toGlobal(w, h);',
      '  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;',
      '  for (const m of scene.meshes.filter((m) => m.morphTargetManager?.numTargets > 0)) {',
      '    m.computeWorldMatrix(true);',
      '    for (const c of m.getBoundingInfo().boundingBox.vectorsWorld) {',
      '      const p = Vector3.Project(c, Matrix.IdentityReadOnly, scene.getTransformMatrix(), viewport);',
      '      x0 = Math.min(x0, p.x / w); x1 = Math.max(x1, p.x / w); y0 = Math.min(y0, p.y / h); y1 = Math.max(y1, p.y / h);',
      '    }',
      '  }',
      '  const pick = scene.pick(((x0 + x1) / 2) * canvas.clientWidth, ((y0 + y1) / 2) * canvas.clientHeight);',
      '  return { x0, x1, y0, y1, canvas: [canvas.clientWidth, canvas.clientHeight], window: [innerWidth, innerHeight], picked: pick?.pickedMesh?.name ?? null };',
      '};',
      'const find = () => {',
      '  const scene = EngineStore.LastCreatedScene;',
      "  const node = scene?.getNodes().find((n) => n.getBehaviorByName?.('FaceRetarget'));",
      '  if (!node) return setTimeout(find, 50);',
      '  const targets = new Map();',
      '  for (const m of scene.morphTargetManagers) for (let i = 0; i < m.numTargets; i++) if (!targets.has(m.getTarget(i).name)) targets.set(m.getTarget(i).name, m.getTarget(i));',
      "  window.cpemProbe = { behavior: node.getBehaviorByName('FaceRetarget'), scene, influence: (name) => targets.get(name)?.influence ?? NaN, faceView: () => faceView(scene) };",
      '};',
      'find();',
    ].join('\n'),
  );
  // The README's index.html, with the probe after the page's script.
  const html = readmeBlock('html');
  assert.match(html, /<script type="module" src="\/main.js"><\/script>/);
  fs.writeFileSync(
    path.join(app, 'index.html'),
    html.replace('<script type="module" src="/main.js"></script>', '$&<script type="module" src="/probe.js"></script>'),
  );
}

/** Where the character's face is on the page (probe.js's faceView). */
interface FaceView {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
  canvas: number[];
  window: number[];
  picked: string | null;
}
const faceInView = (tab: Page): Promise<FaceView> => tab.evaluate(() => (window as any).cpemProbe.faceView());

/** Opens `url` with the fake camera and waits until the behavior has left 'starting' (its state then). */
async function openApp(
  browser: Browser,
  url: string,
  origin: string,
): Promise<{ tab: Page; problems: string[]; foreign: string[]; state: string }> {
  const tab = await browser.newPage();
  const problems: string[] = [];
  const foreign: string[] = [];
  tab.on('pageerror', (e) => problems.push(e.message));
  // Console errors and warnings (the page's and its workers'): a first run prints none. A failed request is named
  // by its URL instead (the browser's own line does not say which), the favicon the page does not have aside.
  tab.on('console', (m) => {
    if ((m.type() === 'error' || m.type() === 'warning') && !/^Failed to load resource/.test(m.text()))
      problems.push(`console ${m.type()}: ${m.text()}`);
  });
  tab.on('response', (r) => {
    if (r.status() >= 400 && !r.url().endsWith('/favicon.ico')) problems.push(`${r.status()} ${r.url()}`);
  });
  tab.on('request', (r) => {
    if (!r.url().startsWith(origin) && !/^(data|blob):/.test(r.url())) foreign.push(r.url());
  });
  // Vite's dev server bundles the dependencies on the first request: minutes on a busy 2-core machine.
  await tab.goto(url, { timeout: 300_000, waitUntil: 'domcontentloaded' });
  await tab.waitForFunction(
    () => {
      const probe = (window as unknown as { cpemProbe?: { behavior: { state: string } } }).cpemProbe;
      return probe && (probe.behavior.state === 'running' || probe.behavior.state === 'stopped');
    },
    null,
    { timeout: 300_000, polling: 200 },
  );
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
    const out = execFileSync(npm, ['pack', '--ignore-scripts', '--json', '--pack-destination', work], {
      encoding: 'utf8',
    });
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
      'package.json',
      'README.md',
      'bin/babylon-cpem.mjs',
      'dist/babylon-cpem.js',
      'dist/types/plugin/index.d.ts',
      'dist/training.js',
      'weights/NOTICE.md',
      'weights/pe-net/model.json',
      'weights/pe-net/weights.bin',
      'weights/face-model.bin',
      ...['blazeface', 'facemesh', 'iris'].flatMap((m) => [`weights/tracker/${m}.json`, `weights/tracker/${m}.bin`]),
      ...['', '-simd', '-threaded-simd'].map((v) => `weights/tfjs-wasm/tfjs-backend-wasm${v}.wasm`),
    ]) {
      assert.ok(files.includes(f), `${f} is not in the package`);
    }
    const allowed = /^(package\.json|README\.md|bin\/[^/]+\.mjs|dist\/.+\.(js|js\.map|d\.ts|d\.ts\.map)|weights\/.+)$/;
    assert.deepEqual(
      files.filter((f) => !allowed.test(f)),
      [],
      'files outside dist/, weights/, bin/',
    );
    assert.deepEqual(
      files.filter((f) => /\.(mp4|y4m|glb|png|jpg|lmtrack|teacher)$|shared|\.cache/.test(f)),
      [],
      'development data in the package',
    );
    // The README states the package's size as `npm pack` reports it.
    const stated = fs.readFileSync('README.md', 'utf8').match(/(\d+(?:\.\d+)?) MB packed, (\d+(?:\.\d+)?) MB unpacked/);
    assert.ok(stated, 'README.md does not state "N MB packed, N MB unpacked"');
    const mb = (bytes: number) => bytes / 1e6;
    assert.ok(
      Math.abs(Number(stated[1]) - mb(packed.size)) / mb(packed.size) < 0.1,
      `README says ${stated[1]} MB packed; npm pack says ${mb(packed.size).toFixed(1)} MB`,
    );
    assert.ok(
      Math.abs(Number(stated[2]) - mb(packed.unpackedSize)) / mb(packed.unpackedSize) < 0.1,
      `README says ${stated[2]} MB unpacked; npm pack says ${mb(packed.unpackedSize).toFixed(1)} MB`,
    );
  });

  it("drives an ARKit character's jaw and eyes from a fake camera in the README's app, built by Vite", {
    timeout: 900_000,
  }, async (t) => {
    if (!fs.existsSync(CLIP_SOURCE) || !fs.existsSync(AVATAR))
      return t.skip('../shared (videos and avatars) is not present');
    const page = readmePage();
    const lines = page.split('\n').filter((l) => l.trim() !== '');
    assert.ok(lines.length <= 13, `the README's page has ${lines.length} lines of code`);

    // A new app: the README's page, the character and the test probe.
    const app = path.join(work, 'app');
    writeApp(app, page);

    // Its dependencies: the tarball, the peers at the versions this repository pins, and Vite.
    const peers = Object.keys(pkg.peerDependencies).map((name) => `${name}@${pkg.devDependencies[name]}`);
    execFileSync(
      npm,
      [
        'install',
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        '--ignore-scripts',
        path.join(work, packed.filename),
        ...peers,
        `vite@${pkg.devDependencies.vite}`,
      ],
      { cwd: app, stdio: 'pipe' },
    );
    execFileSync(path.join(app, 'node_modules', '.bin', 'vite'), ['build', '--logLevel', 'warn'], {
      cwd: app,
      stdio: 'pipe',
    });
    const built = path.join(app, 'dist');
    const assets = fs.readdirSync(path.join(built, 'assets'));
    for (const name of ['weights', 'blazeface', 'facemesh', 'iris', 'tfjs-backend-wasm-simd']) {
      assert.ok(
        assets.some((f) => f.startsWith(`${name}-`)),
        `vite build did not emit ${name}: it did not follow new URL(…, import.meta.url)`,
      );
    }
    // Only what the page uses: no inference worker (it runs on the main thread), no face model (no overlay).
    for (const name of ['inference-worker', 'face-model']) {
      assert.ok(
        !assets.some((f) => f.startsWith(`${name}-`)),
        `vite build emitted ${name}, which the README's page does not use`,
      );
    }
    // What the page costs: Babylon from its modules, not all of it, and no preload link per module.
    const files = fs
      .readdirSync(built, { recursive: true })
      .map(String)
      .filter((f) => fs.statSync(path.join(built, f)).isFile());
    const size = (f: string) => fs.statSync(path.join(built, f)).size;
    const preloads = (fs.readFileSync(path.join(built, 'index.html'), 'utf8').match(/modulepreload/g) ?? []).length;
    const index = files.filter((f) => /^assets\/index-.*\.js$/.test(f)).map(size)[0] ?? 0;
    t.diagnostic(
      `vite build: ${(files.reduce((n, f) => n + size(f), 0) / 1e6).toFixed(1)} MB in ${files.length} files, ${preloads} modulepreload links, index chunk ${(index / 1e6).toFixed(2)} MB`,
    );
    assert.ok(index < 2e6, `the index chunk is ${(index / 1e6).toFixed(2)} MB`);
    assert.ok(preloads < 100, `index.html has ${preloads} modulepreload links`);

    makeMarkedClip(CLIP);
    server = await serveFolder(built);
    browser = await launchChromium(fakeCameraFlags(CLIP));
    const { tab, problems, foreign, state } = await openApp(browser, server.url, server.url);
    assert.equal(state, 'running', problems.join('\n'));
    // The first sight: the canvas fills the window and the camera is on the character's face, which takes a good
    // share of the view and lies inside it.
    const view = await faceInView(tab);
    fs.mkdirSync(path.resolve('.cache', 'packed-app'), { recursive: true });
    await tab.screenshot({ path: path.resolve('.cache', 'packed-app', 'first-sight.png') });
    t.diagnostic(
      `face box x ${view.x0.toFixed(2)}-${view.x1.toFixed(2)}, y ${view.y0.toFixed(2)}-${view.y1.toFixed(2)} of a ${view.canvas.join('×')} canvas in a ${view.window.join('×')} window; ${view.picked} at its centre (.cache/packed-app/first-sight.png)`,
    );
    assert.deepEqual(view.canvas, view.window, 'the canvas fills the window');
    assert.ok(view.x0 >= 0 && view.x1 <= 1 && view.y0 >= 0 && view.y1 <= 1, 'the face lies inside the canvas');
    assert.ok(
      view.y1 - view.y0 >= 0.3,
      `the face fills ${((view.y1 - view.y0) * 100).toFixed(0)} % of the canvas's height`,
    );
    assert.ok(
      view.picked !== null && /head|eye|teeth/i.test(view.picked),
      `the mesh at the face's centre is ${view.picked}`,
    );
    // A missing target reads NaN; once running, the behavior may already have set it.
    const jaw = await tab.evaluate(() => (window as any).cpemProbe.influence('jawOpen'));
    assert.ok(jaw >= 0 && jaw <= 1, `the avatar has an ARKit jawOpen target (influence ${jaw})`);

    const samples = await recordClip(tab, { jaw: 'jawOpen', eyes: ['eyeBlinkLeft', 'eyeBlinkRight'] }, 6, 240_000);
    reportClipSamples(t, samples, { jaw: 'jawOpen', eyes: 'eyeBlink L/R' });
    const jawIn = windowMean(samples, 'mouthOpen', 'jawOpen'),
      jawOut = windowMean(samples, 'mouthClosed', 'jawOpen');
    const eyeIn = windowMean(samples, 'eyesClosed', 'eyeClose'),
      eyeOut = windowMean(samples, 'eyesOpen', 'eyeClose');
    t.diagnostic(
      `jawOpen ${jawIn.toFixed(3)} with the mouth open vs ${jawOut.toFixed(3)} closed; eyeBlink ${eyeIn.toFixed(3)} with the eyes closed vs ${eyeOut.toFixed(3)} open`,
    );
    assert.ok(
      jawIn > jawOut + 0.1,
      `jawOpen ${jawIn.toFixed(3)} with the mouth open vs ${jawOut.toFixed(3)} with it closed`,
    );
    assert.ok(
      eyeIn > eyeOut + 0.02 && eyeIn > 3 * eyeOut,
      `eyeBlink ${eyeIn.toFixed(3)} with the eyes closed vs ${eyeOut.toFixed(3)} open`,
    );
    assert.deepEqual(problems, []);
    assert.deepEqual([...new Set(foreign)], [], 'the page fetched from outside its own folder');
  });

  it("runs inference in the package's worker that Vite bundles (worker: inferenceWorker)", {
    timeout: 600_000,
  }, async (t) => {
    const installed = path.join(work, 'app', 'node_modules');
    if (!fs.existsSync(CLIP_SOURCE) || !fs.existsSync(AVATAR))
      return t.skip('../shared (videos and avatars) is not present');
    if (!fs.existsSync(installed)) return t.skip('needs the app the spec before installed');
    // The README's page with one option more, built by Vite against the same installed packages.
    const page = workerPage();
    const app = path.join(work, 'worker-app');
    writeApp(app, page);
    fs.symlinkSync(installed, path.join(app, 'node_modules'), 'dir');
    execFileSync(path.join(installed, '.bin', 'vite'), ['build', '--logLevel', 'warn'], { cwd: app, stdio: 'pipe' });
    const built = path.join(app, 'dist');
    const assets = fs.readdirSync(path.join(built, 'assets'));
    const workerFile = assets.find((f) => f.startsWith('inference-worker-') && f.endsWith('.js'));
    assert.ok(
      workerFile,
      'vite build did not bundle the inference worker: it did not follow new Worker(new URL(…, import.meta.url))',
    );
    assert.doesNotMatch(
      fs.readFileSync(path.join(built, 'assets', workerFile), 'utf8'),
      /from\s*["']@tensorflow\//,
      'the bundled worker still imports bare package names',
    );

    makeMarkedClip(CLIP);
    const own = await serveFolder(built);
    browser ??= await launchChromium(fakeCameraFlags(CLIP));
    try {
      const { tab, problems, foreign, state } = await openApp(browser, own.url, own.url);
      assert.equal(state, 'running', problems.join('\n'));
      assert.equal(await tab.evaluate(() => (window as any).cpemProbe.behavior.inferenceThread), 'worker');
      await tab.waitForFunction(() => (window as any).cpemProbe.behavior.stats.frames >= 10, null, {
        timeout: 120_000,
        polling: 200,
      });
      const stats = await tab.evaluate(() => ({ ...(window as any).cpemProbe.behavior.stats }));
      t.diagnostic(`worker: ${stats.frames} frames, main thread ${stats.mainThread.toFixed(1)} ms for the last`);
      assert.ok(
        stats.mainThread < stats.tracker,
        `the main thread's share (${stats.mainThread} ms) is below the tracker's time (${stats.tracker} ms) in the worker`,
      );
      assert.deepEqual(problems, []);
      assert.deepEqual([...new Set(foreign)], [], 'the page fetched from outside its own folder');
      await tab.close();
    } finally {
      await own.close();
    }
  });
  it("runs the worker from Vite's dev server, with no configuration, on a machine without WebGPU (worker: inferenceWorker, vite)", {
    timeout: 600_000,
  }, async (t) => {
    const app = path.join(work, 'app');
    if (!fs.existsSync(CLIP_SOURCE) || !fs.existsSync(AVATAR))
      return t.skip('../shared (videos and avatars) is not present');
    if (!fs.existsSync(path.join(app, 'node_modules'))) return t.skip('needs the app the specs before installed');
    // The app of the README (its node_modules are its own: Vite serves no files from outside its folder), now with
    // the worker, served by `vite` as a developer starts it.
    fs.writeFileSync(path.join(app, 'main.js'), workerPage());
    const vite = spawn(
      path.join(app, 'node_modules', '.bin', 'vite'),
      ['--host', '127.0.0.1', '--strictPort', '--port', String(await freePort())],
      { cwd: app, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } },
    );
    let log = '';
    vite.stdout.on('data', (d) => {
      log += d;
    });
    vite.stderr.on('data', (d) => {
      log += d;
    });
    // NO_COLOR, and colour codes stripped where a Vite ignores it: with CI set, Vite colours its output even through a
    // pipe, and the colour codes around the port hid the address from the match below.
    // No WebGPU at all here (no Vulkan): the page and its worker start on another backend without a word on the console.
    const plain = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      headless: false,
      args: [...CHROMIUM_FLAGS.filter((f) => f !== '--enable-features=Vulkan'), ...fakeCameraFlags(CLIP)],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        // The look-up stops with the time limit: a loop left polling would keep the spec's process alive forever.
        let waiting = true;
        const timer = setTimeout(() => {
          waiting = false;
          reject(new Error(`vite did not start:\n${log}`));
        }, 60_000);
        const look = () => {
          if (!waiting) return;
          // biome-ignore lint/suspicious/noControlCharactersInRegex: ESC starts the colour codes this strips.
          const m = log.replace(/\x1b\[[0-9;]*m/g, '').match(/http:\/\/127\.0\.0\.1:\d+\//);
          if (m) {
            clearTimeout(timer);
            resolve(m[0]);
          } else setTimeout(look, 100);
        };
        look();
      });
      const { tab, problems, state } = await openApp(plain, url, url);
      t.diagnostic(
        `vite: ${log
          .trim()
          .split('\n')
          .filter((l) => l.trim())
          .slice(-4)
          .join(' | ')}`,
      );
      assert.equal(state, 'running', problems.join('\n'));
      assert.equal(await tab.evaluate(() => (window as any).cpemProbe.behavior.inferenceThread), 'worker');
      await tab.waitForFunction(() => (window as any).cpemProbe.behavior.stats.frames >= 5, null, {
        timeout: 120_000,
        polling: 200,
      });
      assert.deepEqual(
        problems.filter((p) => !/\[vite\]/.test(p)),
        [],
      );
      await tab.close();
    } finally {
      await plain.close();
      vite.kill();
    }
  });
});
