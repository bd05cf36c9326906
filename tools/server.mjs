// Builds the browser pages with esbuild and serves them, with the static folders they need, over HTTP.
// tools/serve.mjs is the `npm start` command line around it; specs start it in-process.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import assetUrls from './esbuild-asset-urls.cjs';

// The repository root: the nearest folder above this file with the package's package.json (this module may
// also run from a bundle under .cache/).
function findRoot(from) {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, 'utf8')).name === 'babylon-cpem') return dir;
    if (path.dirname(dir) === dir) throw new Error('babylon-cpem: cannot find the repository root');
  }
}
const ROOT = findRoot(path.dirname(fileURLToPath(import.meta.url)));
const OUT = path.join(ROOT, '.cache', 'www');

/** Pages: URL path -> HTML file and the TypeScript entry it loads as /<name>.js. */
export const PAGES = {
  '/': { html: 'sample-scene/index.html', entry: 'sample-scene/main.ts', name: 'sample-scene' },
  '/face-model-render': {
    html: 'tools/face-model-render/index.html',
    entry: 'tools/face-model-render/main.ts',
    name: 'face-model-render',
  },
  '/training': { html: 'training/sandbox/index.html', entry: 'training/sandbox/main.ts', name: 'training-sandbox' },
};

/** Static mounts: URL prefix -> folder (relative to the repository root). */
export const MOUNTS = {
  // The package's runtime files (PE-Net, face model, tracker models, wasm binaries: plugin/assets.ts).
  '/weights/': 'weights',
  '/docs/': 'docs',
  // Development data beside the checkout (never shipped); specs and benches read clips and avatars from it.
  '/shared/': '../shared',
  // MediaPipe tasks-vision's wasm (a devDependency): the bench's peer, never part of the package or the pages.
  '/vendor/tasks-vision/': 'node_modules/@mediapipe/tasks-vision/wasm',
};

/**
 * Cross-origin isolation (COOP + COEP), which gives pages SharedArrayBuffer and so tfjs' threaded wasm build. Every
 * response carries the headers except a page asked for with `?coi=0` (the single-threaded case, for comparison).
 */
const ISOLATION_HEADERS = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
};

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.bin': 'application/octet-stream',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.svg': 'image/svg+xml',
  '.css': 'text/css',
  '.glb': 'model/gltf-binary',
  '.mp4': 'video/mp4',
  '.webm': 'video/webm',
};

function buildOptions() {
  return {
    entryPoints: [
      ...Object.values(PAGES).map((p) => ({ in: path.join(ROOT, p.entry), out: p.name })),
      // The behavior's inference worker (inference: 'worker'), found beside the page's bundle as the package finds it.
      { in: path.join(ROOT, 'plugin/behavior/inference-worker.ts'), out: 'inference-worker' },
    ],
    outdir: OUT,
    bundle: true,
    format: 'esm',
    target: 'es2022',
    sourcemap: true,
    logLevel: 'warning',
    // The package's default asset URLs resolve to /weights/ (served from weights/ below).
    plugins: [assetUrls.servedAssetUrls('/')],
    // TF.js' Node-only fallbacks are never reached in the browser.
    external: ['fs', 'path', 'crypto', 'worker_threads', 'node-fetch', 'util', 'os', 'perf_hooks'],
  };
}

function sendFile(res, file, isolate = true) {
  fs.stat(file, (err, st) => {
    if (err || !st.isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain', ...(isolate ? ISOLATION_HEADERS : {}) });
      res.end(`not found: ${path.relative(ROOT, file)}\n`);
      return;
    }
    res.writeHead(200, {
      'content-type': MIME[path.extname(file)] ?? 'application/octet-stream',
      'content-length': st.size,
      'cache-control': 'no-store',
      ...(isolate ? ISOLATION_HEADERS : {}),
    });
    fs.createReadStream(file).pipe(res);
  });
}

function resolveRequest(urlPath) {
  const page = PAGES[urlPath] ?? PAGES[urlPath.replace(/\/$/, '')];
  if (page) return path.join(ROOT, page.html);
  for (const [prefix, dir] of Object.entries(MOUNTS)) {
    if (urlPath.startsWith(prefix)) return safeJoin(path.join(ROOT, dir), urlPath.slice(prefix.length));
  }
  return safeJoin(OUT, urlPath);
}

function safeJoin(base, rel) {
  const file = path.resolve(base, `.${path.posix.normalize(`/${decodeURIComponent(rel)}`)}`);
  return file.startsWith(base) ? file : null;
}

/**
 * Builds the pages and starts serving. `watch` rebuilds on change. Resolves with the URL and a close().
 */
export async function startServer({ port = 8080, host = '127.0.0.1', watch = false } = {}) {
  const ctx = await esbuild.context(buildOptions());
  try {
    await ctx.rebuild();
    if (watch) await ctx.watch();
  } catch (e) {
    await ctx.dispose();
    throw e;
  }
  const server = http.createServer((req, res) => {
    const requestUrl = new URL(req.url ?? '/', 'http://localhost');
    const urlPath = requestUrl.pathname;
    const file = resolveRequest(urlPath);
    if (!file) {
      res.writeHead(400);
      res.end('bad path\n');
      return;
    }
    sendFile(res, file, requestUrl.searchParams.get('coi') !== '0');
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const address = server.address();
  const url = `http://${host}:${address.port}/`;
  return {
    url,
    async close() {
      await ctx.dispose();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
