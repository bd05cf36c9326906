// Checks the built package (npm run build): both entry points, their exports, types and source maps.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundleForNode } from '../../tools/node-bundle.mjs';

const dist = path.resolve('dist');
const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8'));

describe('built package (dist/)', () => {
  it('has JavaScript, source maps and type declarations for both entry points', () => {
    for (const entry of ['.', './training']) {
      const target = pkg.exports[entry];
      for (const file of [target.import, `${target.import}.map`, target.types]) {
        assert.ok(fs.existsSync(path.resolve(file)), `${file} is missing: run npm run build`);
      }
    }
    assert.match(fs.readFileSync(pkg.exports['.'].types.replace(/^\.\//, ''), 'utf8'), /EXPRESSION_UNITS/);
  });

  it('keeps peer dependencies out of the bundle', () => {
    const code = fs.readdirSync(dist, { recursive: true })
      .filter((f) => String(f).endsWith('.js'))
      .map((f) => fs.readFileSync(path.join(dist, String(f)), 'utf8'))
      .join('\n');
    assert.match(code, /from '@tensorflow\/tfjs-core'/);
    assert.doesNotMatch(code, /class Engine\b|registerKernel\(/);
  });

  it('the main entry imports in plain Node and exports the public API', async () => {
    const main = await import(pathToFileURL(path.join(dist, 'babylon-cpem.js')).href);
    assert.equal(main.EXPRESSION_UNITS.length, 46);
    assert.equal(main.CONTRADICTORY_GROUPS.length, 14);
    assert.equal(typeof main.CpemError, 'function');
    assert.equal(typeof main.createNeutralFaceMotion, 'function');
    assert.equal(main.createNeutralFaceMotion().units.length, 46);
  });

  it('the training entry, bundled as a consumer would, exports working losses', async () => {
    // The training entry registers TF.js gradients from tfjs-core's ES module build, so it is consumed
    // through a bundler (see tools/node-bundle.mjs); bundle a consumer of dist/training.js and run it.
    const dir = path.resolve('.cache', 'dist-consumer');
    fs.mkdirSync(dir, { recursive: true });
    const consumer = path.join(dir, 'consumer.ts');
    fs.writeFileSync(consumer, [
      `import * as tf from '@tensorflow/tfjs-core';`,
      `import '@tensorflow/tfjs-backend-cpu';`,
      `import * as training from ${JSON.stringify(path.join(dist, 'training.js'))};`,
      `export { training };`,
      `export async function identityLossGradient() {`,
      `  await tf.setBackend('cpu');`,
      `  const g = tf.grad((a) => training.identityConsistencyLoss(a))(tf.tensor3d([[[1], [3]]]));`,
      `  return Array.from(await g.data());`,
      `}`,
    ].join('\n'));
    const [out] = await bundleForNode([path.relative('.', consumer)], path.join('.cache', 'dist-consumer-out'));
    const mod = await import(pathToFileURL(path.resolve(out)).href);
    assert.equal(typeof mod.training.identityConsistencyLoss, 'function');
    assert.equal(typeof mod.training.expressionExclusiveLoss, 'function');
    assert.deepEqual(await mod.identityLossGradient(), [-2, 2]);
  });
});
