// Redraws docs/images/training-sandbox.png: the sandbox page (/training) after a short synthetic run on WebGPU
// in headless Chromium.  node tools/run-node.mjs tools/screenshot-training-sandbox.ts
import fs from 'node:fs';
import path from 'node:path';
import { startServer } from './server.mjs';
import { launchChromium } from '../test/support/browser-page.js';

const OUT = 'docs/images/training-sandbox.png';
const FIELDS: Record<string, string> = {
  steps: '150',
  persons: '4',
  framesPerPerson: '4',
  hidden: '128, 64',
  learningRate: '0.001',
  logEvery: '1',
  validateEvery: '25',
  'lw-syntheticSupervision': '1',
};

const server = await startServer({ port: 0 });
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(`${server.url}training?mode=train&backend=webgpu`);
  await page.waitForFunction(() => document.body.dataset.ready === 'true', null, { timeout: 60_000 });
  for (const [id, value] of Object.entries(FIELDS)) await page.fill(`#${id}`, value);
  await page.click('#start');
  await page.waitForFunction(() => ['done', 'error', 'lost'].includes(document.body.dataset.state ?? ''), null, {
    timeout: 600_000,
  });
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  await page.screenshot({ path: OUT });
  console.log(`wrote ${OUT} (${await page.locator('#progress').innerText()})`);
} finally {
  await browser.close();
  await server.close();
}
