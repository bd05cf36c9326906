#!/usr/bin/env node
// Renders the retarget test face (and the ../shared avatar when present) in headless Chromium with a few
// FaceMotions applied, to look at: writes PNGs to .cache/retarget-preview/ (or --out DIR).
//   node tools/retarget-preview.mjs [--out DIR] [--mirror]
import fs from 'node:fs';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { chromium } from 'playwright-core';
import { startServer } from './server.mjs';
import { CHROMIUM_PATH, CHROMIUM_FLAGS } from '../training/node/chromium.cjs';
import { readCliArgs } from '../training/node/cli-args.mjs';
import { prepareOutputDir } from '../bin/output-dir.mjs';
import { sharedPath } from '../training/node/shared-path.mjs';

const args = readCliArgs(
  { out: 'string', mirror: 'boolean' },
  { usage: 'usage: node tools/retarget-preview.mjs [--out DIR] [--mirror]' },
);
const outDir = args.out ?? path.join('.cache', 'retarget-preview');
const mirror = args.mirror === true;
try {
  prepareOutputDir(outDir, '--out');
} catch (e) {
  console.error(`${e.code}: ${e.message}`);
  process.exit(1);
}
const www = path.resolve('.cache', 'www', 'retarget-preview');
await esbuild.build({
  entryPoints: ['test/support/retarget-preview-page.ts'],
  outdir: www,
  bundle: true,
  format: 'esm',
  target: 'es2022',
  logLevel: 'warning',
});
const server = await startServer({ port: 0 });
const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: false, args: CHROMIUM_FLAGS });
try {
  const page = await browser.newPage();
  page.on('console', (m) => process.stderr.write(`  [page] ${m.text()}\n`));
  await page.goto(`${server.url}retarget-preview/`);
  const characters = ['test-face'];
  if (fs.existsSync(path.resolve(sharedPath('avatars', 'rpm_brunette-t.glb'))))
    characters.push('/shared/avatars/rpm_brunette-t.glb');
  for (const which of characters) {
    const frames = await page.evaluate(async ({ url, which, mirror }) => (await import(url)).default(which, mirror), {
      url: `${server.url}retarget-preview/retarget-preview-page.js`,
      which,
      mirror,
    });
    const label = which === 'test-face' ? 'test-face' : path.basename(which, '.glb');
    for (const [pose, dataUrl] of Object.entries(frames)) {
      const file = path.join(
        outDir,
        `${label}-${pose.replace(/[^a-zA-Z0-9_+.-]+/g, '_')}${mirror ? '-mirror' : ''}.png`,
      );
      fs.writeFileSync(file, Buffer.from(dataUrl.split(',')[1], 'base64'));
      console.log(`wrote ${file}`);
    }
  }
} finally {
  await browser.close();
  await server.close();
}
