// Checks the built package (npm run build): every entry point, what each exports, types and source maps.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { spawnSync } from 'node:child_process';
import { bundleForNode } from '../../tools/node-bundle.mjs';

const dist = path.resolve('dist');
const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8'));

describe('built package (dist/)', () => {
  it('has JavaScript, source maps and type declarations for every entry point', () => {
    assert.deepEqual(Object.keys(pkg.exports), [
      '.',
      './retarget',
      './motion',
      './face-model',
      './landmarks',
      './training',
      './recording',
      './worker',
      './package.json',
    ]);
    for (const entry of Object.keys(pkg.exports).filter((e) => e !== './package.json')) {
      const target = pkg.exports[entry];
      for (const file of [target.import, `${target.import}.map`, target.types]) {
        assert.ok(fs.existsSync(path.resolve(file)), `${file} is missing: run npm run build`);
      }
    }
    assert.match(fs.readFileSync(pkg.exports['.'].types.replace(/^\.\//, ''), 'utf8'), /EXPRESSION_UNITS/);
  });

  it('names the worker and the face model only in the entries that ask for them, so other apps do not bundle them', () => {
    const js = fs.readdirSync(dist).filter((f) => f.endsWith('.js'));
    const naming = (pattern: RegExp) =>
      js.filter((f) => pattern.test(fs.readFileSync(path.join(dist, f), 'utf8'))).sort();
    assert.deepEqual(naming(/new URL\(["']\.\/inference-worker\.js["']/), ['worker.js']);
    const faceModel = naming(/new URL\(["']\.\.\/weights\/face-model\.bin["']/);
    assert.equal(faceModel.length, 1);
    // Only the face-model entry (or a chunk only it imports) names the file.
    assert.ok(
      faceModel[0] === 'face-model.js' ||
        fs.readFileSync(path.join(dist, 'face-model.js'), 'utf8').includes(faceModel[0]),
      faceModel[0],
    );
    for (const entry of ['babylon-cpem.js', 'retarget.js', 'motion.js', 'recording.js']) {
      assert.ok(
        !fs.readFileSync(path.join(dist, entry), 'utf8').includes(faceModel[0]),
        `${entry} imports ${faceModel[0]}`,
      );
    }
  });

  it('keeps peer dependencies out of the bundle', () => {
    const code = fs
      .readdirSync(dist, { recursive: true })
      .filter((f) => String(f).endsWith('.js'))
      .map((f) => fs.readFileSync(path.join(dist, String(f)), 'utf8'))
      .join('\n');
    assert.match(code, /from '@tensorflow\/tfjs-core'/);
    assert.doesNotMatch(code, /class Engine\b|registerKernel\(/);
  });

  it('the main entry imports in plain Node and exports what an app uses, and no internals', async () => {
    const load = (file: string) => import(pathToFileURL(path.join(dist, file)).href);
    const main = await load('babylon-cpem.js');
    assert.deepEqual(Object.keys(main).sort(), [
      'ASSET_FILES',
      'CALIBRATION_PROFILE_FORMAT',
      'CALIBRATION_PROFILE_VERSION',
      'CpemError',
      'EXPRESSION_UNITS',
      'FaceEstimator',
      'FaceRetargetBehavior',
      'FaceTracker',
      'NUM_EXPRESSION_UNITS',
      'NUM_FACE_LANDMARKS',
      'PeNet',
      'RETARGET_TABLE_SCHEMA',
      'ROW_DEFAULTS',
      'RetargetApplier',
      'applyRangeProfile',
      'arkitRetargetTable',
      'assertValidCalibrationProfile',
      'assertValidRetargetTable',
      'assetUrl',
      'autoMap',
      'compileRangeProfile',
      'cpemUnitsRetargetTable',
      'createNeutralFaceMotion',
      'expressionUnitIndex',
      'fitRangeProfile',
      'formatCalibrationProfileIssues',
      'formatRetargetIssues',
      'frameHead',
      'isCpemError',
      'isExpressionUnitName',
      'oculusVisemeRetargetTable',
      'validateCalibrationProfile',
      'validateRetargetTable',
      'vrmRetargetTable',
    ]);
    assert.equal(main.EXPRESSION_UNITS.length, 46);
    assert.equal(main.createNeutralFaceMotion().units.length, 46);
    // The building blocks are behind subpaths; the format and shaping internals are nowhere.
    const retarget = await load('retarget.js');
    const motion = await load('motion.js');
    const faceModel = await load('face-model.js');
    const landmarks = await load('landmarks.js');
    assert.equal(typeof retarget.compileRetargetTable, 'function');
    assert.equal(typeof retarget.findHeadNode, 'function');
    assert.equal(motion.CONTRADICTORY_GROUPS.length, 14);
    assert.equal(typeof motion.IdentityCalibration, 'function');
    assert.equal(typeof faceModel.FaceModel.load, 'function');
    assert.equal(landmarks.IBUG68_FROM_FACE_MESH.length, 68);
    for (const internal of [
      'encodeFaceModelFile',
      'decodeFaceModelFile',
      'FACE_MODEL_MAGIC',
      'sanitizeUnits',
      'shapeValue',
      'resolveOneEuroOptions',
      'selectBackend',
    ]) {
      for (const [name, entry] of Object.entries({ main, retarget, motion, faceModel, landmarks }))
        assert.ok(!(internal in entry), `${internal} is exported from ${name}`);
    }
    // In Node the default asset URLs are file: URLs into the package's weights/.
    assert.equal(
      main.assetUrl('pe-net/model.json'),
      pathToFileURL(path.resolve('weights', 'pe-net', 'model.json')).href,
    );
    assert.equal(faceModel.packagedFaceModelUrl(), pathToFileURL(path.resolve('weights', 'face-model.bin')).href);
    assert.ok(!('packagedFaceModelUrl' in main), 'the main entry names the face model: every app would carry it');
    assert.ok(
      main.ASSET_FILES.every((f: string) => fs.existsSync(path.join('weights', f))),
      'every runtime file is in weights/',
    );
  });

  it('the training, recording and bake entries import in plain Node (no bundler) and work there', () => {
    // A fresh `node` process: the CommonJS tfjs-core that Node resolves, and dist/training.js registering the gradients
    // it compiled in (tools/rollup-tfjs-gradients.mjs) with that tfjs-core, conv2d's and maxPool's included.
    const script = [
      `import * as tf from '@tensorflow/tfjs-core';`,
      `import '@tensorflow/tfjs-backend-cpu';`,
      `const training = await import(${JSON.stringify(pathToFileURL(path.join(dist, 'training.js')).href)});`,
      `const recording = await import(${JSON.stringify(pathToFileURL(path.join(dist, 'recording.js')).href)});`,
      `const bake = await import(${JSON.stringify(pathToFileURL(path.join(dist, 'bake.js')).href)});`,
      `await tf.setBackend('cpu');`,
      `const g = tf.grad((a) => training.identityConsistencyLoss(a))(tf.tensor3d([[[1], [3]]]));`,
      `const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);`,
      `const k = tf.grad((w) => tf.sum(tf.conv2d(x, w, 1, 'valid')))(tf.ones([2, 2, 1, 1]));`,
      `const p = tf.grad((v) => tf.sum(tf.maxPool(v, 2, 1, 'valid')))(x);`,
      `console.log(JSON.stringify({ identity: Array.from(await g.data()), conv: Array.from(await k.data()), pool: Array.from(await p.data()),`,
      `  recording: ['FaceTakeRecorder', 'TakeRecording', 'exportTakeGlb', 'takeToLiveLinkCsv', 'takeToUnitsJson', 'reduceCurve'].filter((n) => typeof recording[n] !== 'function'),`,
      `  bake: typeof bake.runBakeCli }));`,
    ].join('\n');
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
    assert.deepEqual(out.identity, [-2, 2]);
    assert.deepEqual(out.conv, [12, 16, 24, 28], 'the conv2d filter gradient: each weight sums its window of x');
    assert.deepEqual(out.pool, [0, 0, 0, 0, 1, 1, 0, 1, 1]);
    assert.deepEqual(out.recording, [], 'what dist/recording.js lacks');
    assert.equal(out.bake, 'function');
    // The bin's bake command, from dist/bake.js.
    const help = spawnSync(process.execPath, [path.join('bin', 'babylon-cpem.mjs'), 'bake', '--help'], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /npx babylon-cpem bake VIDEO\.\.\. --character CHAR\.glb --out DIR/);
    const code = fs.readFileSync(path.join(dist, 'training.js'), 'utf8');
    assert.doesNotMatch(code, /tfjs-core\/dist\//, 'no deep import of tfjs-core left in dist/training.js');
  });

  it('the training entry, bundled as a consumer would, exports working losses', async () => {
    // Bundlers resolve tfjs-core's ES module build; bundle a consumer of dist/training.js and run it.
    const dir = path.resolve('.cache', 'dist-consumer');
    fs.mkdirSync(dir, { recursive: true });
    const consumer = path.join(dir, 'consumer.ts');
    fs.writeFileSync(
      consumer,
      [
        `import * as tf from '@tensorflow/tfjs-core';`,
        `import '@tensorflow/tfjs-backend-cpu';`,
        `import * as training from ${JSON.stringify(path.join(dist, 'training.js'))};`,
        `export { training };`,
        `export async function identityLossGradient() {`,
        `  await tf.setBackend('cpu');`,
        `  const g = tf.grad((a) => training.identityConsistencyLoss(a))(tf.tensor3d([[[1], [3]]]));`,
        `  return Array.from(await g.data());`,
        `}`,
      ].join('\n'),
    );
    const [out] = await bundleForNode([path.relative('.', consumer)], path.join('.cache', 'dist-consumer-out'));
    const mod = await import(pathToFileURL(path.resolve(out)).href);
    // What the README says the entry holds: losses, data, trainer, export.
    for (const name of [
      'identityConsistencyLoss',
      'expressionExclusiveLoss',
      'landmarkLoss',
      'identityRegularization',
      'expressionSparsity',
      'cpemObjective',
      'SyntheticFaceSource',
      'RealTrackSource',
      'RunBatchSource',
      'decodeLandmarkTrack',
      'CpemTrainer',
      'resolveTrainingConfig',
      'evaluateSynthetic',
      'modelJsonOf',
      'estimatorManifest',
    ]) {
      assert.equal(typeof mod.training[name], 'function', name);
    }
    assert.deepEqual(await mod.identityLossGradient(), [-2, 2]);
  });
});
