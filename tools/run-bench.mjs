#!/usr/bin/env node
// `npm run bench`: runs every bench/*.bench.ts in Node and every bench/browser/*.bench.ts in headless Chromium
// (served by tools/server.mjs), prints one table and writes bench/results/latest.json (and a dated copy).
//   node tools/run-bench.mjs [--only NAME]   NAME matches the file name without .bench.ts
// Each bench module's default export is a BenchFunction (bench/support/bench-types.ts).
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { chromium } from 'playwright-core';
import { bundleForNode } from './node-bundle.mjs';
import { startServer } from './server.mjs';
import { CHROMIUM_PATH, CHROMIUM_FLAGS } from '../training/node/chromium.cjs';
import { readCliArgs } from '../training/node/cli-args.mjs';
import assetUrls from './esbuild-asset-urls.cjs';
import { copyRuntimeAssets } from './copy-runtime-assets.mjs';
import { sharedDirOrNull } from '../training/node/shared-path.mjs';

const only = readCliArgs({ only: 'string' }, { usage: 'usage: node tools/run-bench.mjs [--only NAME]' }).only ?? null;
copyRuntimeAssets();
const sharedFolder = sharedDirOrNull();
const sharedDir = sharedFolder === null ? null : path.resolve(sharedFolder);
const pick = (dir) =>
  (fs.existsSync(dir) ? fs.readdirSync(dir) : [])
    .filter((f) => f.endsWith('.bench.ts') && (!only || f === `${only}.bench.ts`))
    .map((f) => path.join(dir, f));
const log = (m) => process.stderr.write(`${m}\n`);
const rows = [];

for (const file of pick('bench')) {
  log(`node: ${file}`);
  const [out] = await bundleForNode([file], path.join('.cache', 'bench'));
  const mod = await import(pathToFileURL(path.resolve(out)).href);
  for (const row of await mod.default({ sharedDir, log })) rows.push({ ...row, env: 'node' });
}

const browserBenches = pick(path.join('bench', 'browser'));
if (browserBenches.length > 0) {
  const outdir = path.resolve('.cache', 'www', 'bench');
  await esbuild.build({
    // The behavior's inference worker beside the bench bundles, where the behavior looks for it.
    // Pages a bench loads in a frame (bench/browser/pages/NAME.ts, served as /bench/NAME.html and /bench/NAME.js).
    entryPoints: [
      ...browserBenches,
      { in: 'plugin/behavior/inference-worker.ts', out: 'inference-worker' },
      ...fs
        .readdirSync(path.join('bench', 'browser', 'pages'))
        .filter((f) => f.endsWith('.ts'))
        .map((f) => ({ in: path.join('bench', 'browser', 'pages', f), out: f.replace(/\.ts$/, '') })),
    ],
    outdir,
    bundle: true,
    format: 'esm',
    target: 'es2022',
    logLevel: 'warning',
    plugins: [assetUrls.servedAssetUrls('/')],
    external: ['fs', 'path', 'crypto', 'worker_threads', 'node-fetch', 'util', 'os', 'perf_hooks'],
  });
  // Each page's document: a canvas filling the window (the README's index.html) and the page's bundle.
  for (const f of fs.readdirSync(path.join('bench', 'browser', 'pages')).filter((n) => n.endsWith('.ts'))) {
    const name = f.replace(/\.ts$/, '');
    fs.writeFileSync(
      path.join(outdir, `${name}.html`),
      '<!doctype html><html><head><meta charset="utf-8"><style>html, body, canvas { margin: 0; width: 100%; height: 100%; display: block; }</style></head>' +
        `<body><canvas id="canvas"></canvas><script type="module" src="/bench/${name}.js"></script></body></html>\n`,
    );
  }
  const server = await startServer({ port: 0 });
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: false, args: CHROMIUM_FLAGS });
  try {
    for (const file of browserBenches) {
      // Pages are not cross-origin isolated (single-threaded wasm) unless a bench module exports
      // `pageVariants = ['plain', 'isolated']`: then it runs once in each, and its rows say which.
      let variants = ['plain'];
      for (let v = 0; v < variants.length; v++) {
        log(`chromium: ${file}${variants.length > 1 ? ` (${variants[v]} page)` : ''}`);
        const page = await browser.newPage();
        page.on('console', (m) => log(`  [page] ${m.text()}`));
        page.on('requestfailed', (r) => log(`  [request failed] ${r.url()} (${r.failure()?.errorText})`));
        // Nothing leaves the machine: tasks-vision (the peer) posts usage logs to a Google host; they are refused here.
        await page.route(
          (url) => url.origin !== new URL(server.url).origin && url.protocol !== 'blob:' && url.protocol !== 'data:',
          (route) => {
            log(`  [refused] ${route.request().method()} ${route.request().url()}`);
            return route.abort('blockedbyclient');
          },
        );
        // Any page of the server's origin will do: the bench module is imported into it. The server sends the
        // isolation headers (COOP/COEP) unless asked for ?coi=0.
        await page.goto(`${server.url}bench/${variants[v] === 'isolated' ? '' : '?coi=0'}`);
        const moduleUrl = `${server.url}bench/${path.basename(file).replace(/\.ts$/, '.js')}`;
        // ../shared is reachable from the page through the server's /shared/ mount when present.
        const result = await page.evaluate(
          async ({ url, shared }) => {
            const mod = await import(url);
            const rows = await mod.default({ sharedDir: shared, log: (m) => console.log(m) });
            return { rows, variants: Array.isArray(mod.pageVariants) ? mod.pageVariants : null };
          },
          { url: moduleUrl, shared: sharedDir ? '/shared' : null },
        );
        if (v === 0 && result.variants)
          variants = result.variants.includes('plain')
            ? ['plain', ...result.variants.filter((x) => x !== 'plain')]
            : result.variants;
        for (const row of result.rows) rows.push({ ...row, env: 'chromium' });
        await page.close();
      }
    }
  } finally {
    await browser.close();
    await server.close();
  }
}

const fmt = (v) =>
  v === undefined || v === null || Number.isNaN(v)
    ? ''
    : Number.isInteger(v) || Math.abs(v) >= 100
      ? v.toFixed(0)
      : v.toPrecision(3);
const header = ['bench', 'case', 'env', 'backend', 'unit', 'mean', 'p50', 'p95', 'value', 'n', 'note'];
const table = rows.map((r) =>
  [
    r.bench,
    r.case,
    r.env,
    r.backend ?? '',
    r.unit,
    fmt(r.mean),
    fmt(r.p50),
    fmt(r.p95),
    fmt(r.value),
    r.n ?? '',
    r.note ?? '',
  ].map(String),
);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i].length)));
const line = (cells) =>
  cells
    .map((c, i) => c.padEnd(widths[i]))
    .join('  ')
    .trimEnd();
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const r of table) console.log(line(r));

const report = {
  date: new Date().toISOString(),
  node: process.version,
  platform: `${process.platform} ${process.arch}`,
  rows,
};
fs.mkdirSync(path.join('bench', 'results'), { recursive: true });
fs.writeFileSync(path.join('bench', 'results', 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
fs.writeFileSync(
  path.join('bench', 'results', `bench-${report.date.replace(/[:.]/g, '-')}.json`),
  `${JSON.stringify(report, null, 2)}\n`,
);
log(`wrote bench/results/latest.json (${rows.length} rows)`);
