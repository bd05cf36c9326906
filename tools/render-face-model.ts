// `npm run render:face-model`: renders docs/face-model/contact-sheet.png (neutral + the 46 units at 1.0) and
// docs/face-model/correspondences.png (the 478 face-mesh points on the neutral face) with Babylon in headless Chromium.
import fs from 'node:fs';
import path from 'node:path';
import { startServer } from './server.mjs';
import { launchChromium } from '../test/support/browser-page.js';

const OUT = 'docs/face-model';
const server = await startServer({ port: 0 });
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 400, height: 400 } });
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(`${server.url}face-model-render`);
  const pictures = await page.evaluate(() => window.faceModelPictures!);
  fs.mkdirSync(OUT, { recursive: true });
  for (const [name, url] of Object.entries(pictures)) {
    const file = path.join(OUT, `${name}.png`);
    fs.writeFileSync(file, Buffer.from(url.replace(/^data:image\/png;base64,/, ''), 'base64'));
    console.log(`wrote ${file}`);
  }
} finally {
  await browser.close();
  await server.close();
}
