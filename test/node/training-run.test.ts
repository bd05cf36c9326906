import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { FaceModel } from '../../plugin/face-model/face-model.js';
import { FaceModelTensors } from '../../plugin/face-model/face-model-tensors.js';
import { PeNet } from '../../plugin/estimator/pe-net.js';
import { isCpemError } from '../../plugin/errors/cpem-error.js';
import { resolveRunConfig } from '../../training/lib/trainer/run-config.js';
import { RunBatchSource } from '../../training/lib/data/run-batch-source.js';
import { RealTrackSource } from '../../training/lib/data/real-track-source.js';
import { disposeBatch } from '../../training/lib/data/synthetic-batch.js';
import { writeModelFiles, modelFilesHandler } from '../../training/node/model-files.js';
import { CpemTrainer } from '../../training/lib/trainer/cpem-trainer.js';
import { saveCheckpoint, loadCheckpoint } from '../../training/node/checkpoint-files.js';
import { evaluateSynthetic } from '../../training/lib/eval/synthetic-eval.js';
import { cpemObjective } from '../../training/lib/trainer/cpem-objective.js';
import { resolveTrainingConfig } from '../../training/lib/trainer/training-config.js';
import { NUM_FACE_LANDMARKS, NUM_MESH_POINTS } from '../../plugin/constants.js';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'cpem-run-'));

describe('training run config', () => {
  it('fills defaults and keeps what the file says', () => {
    const run = resolveRunConfig({
      name: 'a',
      training: { steps: 10 },
      data: { realFraction: 0.5, tracks: ['x.track'] },
    });
    assert.equal(run.training.steps, 10);
    assert.equal(run.training.lossWeights.identityConsistency, 1000);
    assert.equal(run.data.realFraction, 0.5);
  });
  it('lists every problem at once', () => {
    try {
      resolveRunConfig({ name: 'bad name', training: { steps: -1 }, data: { realFraction: 2, extra: 1 }, other: 1 });
      assert.fail('no error');
    } catch (e) {
      assert.ok(isCpemError(e, 'INVALID_ARGUMENT'));
      for (const part of [
        'unknown field other',
        'name must be',
        'steps must be',
        'realFraction must be',
        'unknown field data.extra',
      ]) {
        assert.ok((e as Error).message.includes(part), `missing "${part}" in ${(e as Error).message}`);
      }
    }
  });
  it('needs tracks when real data is asked for', () => {
    assert.throws(() => resolveRunConfig({ data: { realFraction: 0.3 } }), /needs data.tracks/);
  });
});

describe('training data and files', () => {
  let model: FaceModelTensors;
  before(async () => {
    await tf.setBackend('cpu');
    model = new FaceModelTensors(await FaceModel.load('weights/face-model.bin'));
  });
  after(() => model.dispose());

  it('draws the same batch for the same (seed, position), whatever came before', async () => {
    const a = new RunBatchSource(model, 7);
    const b = new RunBatchSource(model, 7);
    for (let i = 0; i < 3; i++) disposeBatch(a.next(2, 4));
    b.position = 3;
    const [x, y] = [a.next(2, 4), b.next(2, 4)];
    const [dx, dy] = await Promise.all([x.features.data(), y.features.data()]);
    assert.deepEqual(Array.from(dx.slice(0, 50)), Array.from(dy.slice(0, 50)));
    const z = new RunBatchSource(model, 8).next(2, 4);
    assert.notDeepEqual(Array.from((await z.features.data()).slice(0, 50)), Array.from(dx.slice(0, 50)));
    [x, y, z].forEach(disposeBatch);
  });

  it('mixes real clips in at the asked fraction, each person one clip with T frames spread over it', async () => {
    // Every frame is one fixed face; iris point 470 (outside the mesh points that set the face box) carries
    // 1000·clip + frame in its x, so a batch row tells where it came from.
    const face = new Float32Array(NUM_FACE_LANDMARKS * 3).map((_, i) =>
      i % 3 === 2 ? i % 11 : i % 3 ? 100 + (i % 37) : 200 + (i % 53),
    );
    const clip = (c: number, n: number) => ({
      name: `c${c}`,
      frames: Array.from({ length: n }, (_, f) => {
        const x = Float32Array.from(face);
        x[470 * 3] = 1000 * c + f;
        return x;
      }),
    });
    const real = new RealTrackSource([clip(1, 40), clip(2, 8)], 3);
    const source = new RunBatchSource(model, 5, {}, { source: real, fraction: 0.5 });
    let realBatches = 0;
    const before = tf.memory().numTensors;
    for (let k = 0; k < 40; k++) {
      const batch = source.next(3, 4);
      if (!batch.truth) {
        realBatches++;
        assert.deepEqual(batch.features.shape, [12, NUM_FACE_LANDMARKS * 2]);
      }
      disposeBatch(batch);
    }
    assert.equal(tf.memory().numTensors, before);
    assert.ok(realBatches >= 12 && realBatches <= 28, `${realBatches} of 40 batches real`);
    // Undo the face-box normalisation of point 470 to read each row's clip and frame.
    let minX = Infinity,
      maxX = -Infinity,
      minY = Infinity,
      maxY = -Infinity;
    for (let i = 0; i < NUM_MESH_POINTS; i++) {
      minX = Math.min(minX, face[3 * i]);
      maxX = Math.max(maxX, face[3 * i]);
      minY = Math.min(minY, face[3 * i + 1]);
      maxY = Math.max(maxY, face[3 * i + 1]);
    }
    const size = Math.max(maxX - minX, maxY - minY);
    const batch = real.next(6, 4);
    const features = await batch.features.data();
    disposeBatch(batch);
    for (let p = 0; p < 6; p++) {
      const ids = [0, 1, 2, 3].map((t) =>
        Math.round(features[(p * 4 + t) * NUM_FACE_LANDMARKS * 2 + 470 * 2] * size + (minX + maxX) / 2),
      );
      const clipOf = ids.map((id) => Math.floor(id / 1000));
      assert.ok(
        clipOf.every((c) => c === clipOf[0]),
        `person ${p} mixes clips: ${ids}`,
      );
      const n = clipOf[0] === 1 ? 40 : 8;
      ids.forEach((id, t) => {
        const f = id % 1000;
        assert.ok(
          f >= Math.floor((t * n) / 4) && f < Math.floor(((t + 1) * n) / 4),
          `person ${p} frame ${t} is ${f} of ${n}`,
        );
      });
    }
    assert.throws(() => new RealTrackSource([{ name: 'empty', frames: [] }]), /no tracked frames/);
  });

  it("carries real frames' unit and category targets with their masks, and draws labelled frames at the asked share", async () => {
    const face = new Float32Array(NUM_FACE_LANDMARKS * 3).map((_, i) =>
      i % 3 === 2 ? i % 11 : i % 3 ? 100 + (i % 37) : 200 + (i % 53),
    );
    const n = 50;
    // Frame f's unit 0 target is f / 100 (masked out on odd frames); frames 10 and 30 carry category labels.
    const units = Array.from({ length: n }, (_, f) =>
      Float32Array.from({ length: 46 }, (__, u) => (u === 0 ? f / 100 : 0)),
    );
    const unitMasks = Array.from({ length: n }, (_, f) => new Float32Array(46).fill(f % 2 ? 0 : 1));
    const catValues = Array.from({ length: n }, (_, f) => Float32Array.of(f === 10 ? 0.7 : f === 30 ? 0.2 : 0, 0));
    const catMasks = Array.from({ length: n }, (_, f) => new Float32Array(2).fill(f === 10 || f === 30 ? 1 : 0));
    const frames = Array.from({ length: n }, (_, f) => {
      const x = Float32Array.from(face);
      x[470 * 3] = f;
      return x;
    });
    const source = new RealTrackSource(
      [
        {
          name: 'c',
          frames,
          targets: { units: { values: units, masks: unitMasks }, categories: { values: catValues, masks: catMasks } },
        },
      ],
      9,
      { categories: { smile: [27, 28], jaw: [21] }, labelledShare: 0.5 },
    );
    const batch = source.next(8, 4);
    const [points, u, um, c, cm, cu] = await Promise.all(
      [
        batch.points3d,
        batch.targets!.units,
        batch.targets!.unitMask,
        batch.targets!.categories,
        batch.targets!.categoryMask,
        batch.targets!.categoryUnits,
      ].map((t) => t.data()),
    );
    assert.deepEqual(batch.targets!.categoryUnits.shape, [46, 2]);
    assert.equal(cu[27 * 2], 0.5);
    assert.equal(cu[21 * 2 + 1], 1);
    let labelled = 0;
    for (let row = 0; row < 32; row++) {
      const f = Math.round(points[row * NUM_FACE_LANDMARKS * 3 + 470 * 3]);
      assert.ok(Math.abs(u[row * 46] - f / 100) < 1e-6, `row ${row}: unit target of frame ${f}`);
      assert.equal(um[row * 46], f % 2 ? 0 : 1);
      if (f === 10 || f === 30) {
        labelled++;
        assert.equal(cm[row * 2], 1);
        assert.ok(Math.abs(c[row * 2] - (f === 10 ? 0.7 : 0.2)) < 1e-6);
      } else assert.equal(cm[row * 2], 0);
    }
    // Half the draws go to the two labelled frames (binomial over 32 draws: far more than the 2 in 50 of uniform draws).
    assert.ok(labelled >= 8 && labelled <= 24, `${labelled} of 32 rows labelled`);
    disposeBatch(batch);
    assert.throws(
      () =>
        new RealTrackSource([{ name: 'c', frames, targets: { units: { values: units.slice(1), masks: unitMasks } } }]),
      /unit targets need 46 values/,
    );
    assert.throws(
      () =>
        new RealTrackSource([{ name: 'c', frames, targets: { categories: { values: catValues, masks: catMasks } } }]),
      /no categories/,
    );
  });

  it('scores teacher and label targets as masked mean squared errors', async () => {
    const n = 2;
    const expression = tf.tensor2d(
      Float32Array.from({ length: n * 46 }, (_, i) => (i % 46 === 0 ? 0.5 : i % 46 === 1 ? 0.25 : 0)),
      [n, 46],
    );
    const out = {
      expression,
      identity: tf.zeros([n, 80]) as tf.Tensor2D,
      rotation: tf.zeros([n, 3]) as tf.Tensor2D,
      translation: tf.zeros([n, 3]) as tf.Tensor2D,
    };
    const categoryUnits = new Float32Array(46 * 1);
    categoryUnits[0] = 0.5;
    categoryUnits[1] = 0.5; // one category: the mean of units 0 and 1 (0.375 here)
    const targets = {
      units: tf.tensor2d(
        Float32Array.from({ length: n * 46 }, (_, i) => (i === 0 ? 1 : 0)),
        [n, 46],
      ),
      unitMask: tf.tensor2d(
        Float32Array.from({ length: n * 46 }, (_, i) => (i === 0 || i === 47 ? 1 : 0)),
        [n, 46],
      ),
      categories: tf.tensor2d([0.875, 0], [n, 1]),
      categoryMask: tf.tensor2d([1, 0], [n, 1]),
      categoryUnits: tf.tensor2d(categoryUnits, [46, 1]),
    };
    const batch = {
      persons: n,
      frames: 1,
      features: tf.zeros([n, 4]) as tf.Tensor2D,
      landmarks: tf.zeros([n, NUM_FACE_LANDMARKS, 2]) as tf.Tensor3D,
      points3d: tf.zeros([n, NUM_FACE_LANDMARKS, 3]) as tf.Tensor3D,
      targets,
    };
    const weights = {
      ...resolveTrainingConfig({}).lossWeights,
      landmark: 0,
      identityConsistency: 0,
      identityRegularization: 0,
      expressionSparsity: 0,
      expressionExclusive: 0,
      teacher: 2,
      labels: 3,
    };
    const { total, terms } = cpemObjective(model, out, batch, weights);
    // Teacher: entries (0, unit 0) error 0.5² and (1, unit 1) error 0.25², over 2 frames with targets: 0.15625.
    // Labels: (0.375 − 0.875)² = 0.25 on the one labelled frame.
    assert.ok(Math.abs((await terms.teacher.data())[0] - 0.15625) < 1e-6);
    assert.ok(Math.abs((await terms.labels.data())[0] - 0.25) < 1e-6);
    assert.ok(Math.abs((await total.data())[0] - (2 * 0.15625 + 3 * 0.25)) < 1e-5);
    tf.dispose([
      total,
      ...Object.values(terms),
      ...Object.values(out),
      ...Object.values(targets),
      batch.features,
      batch.landmarks,
      batch.points3d,
    ]);
  });

  it('writes model.json + weights.bin that load back to the same network, and names missing files', async () => {
    const dir = tmp();
    const net = PeNet.create({ inputSize: 956, hidden: [16], numIdentity: 80, numExpression: 46 }, 4);
    writeModelFiles(dir, await net.toArtifacts({ note: 'x' }));
    const loaded = await PeNet.load(modelFilesHandler(path.join(dir, 'model.json')));
    const input = tf.randomNormal([3, 956], 0, 0.3, 'float32', 1) as tf.Tensor2D;
    const [a, b] = [net.predict(input), loaded.predict(input)];
    const [ea, eb] = await Promise.all([a.expression.data(), b.expression.data()]);
    assert.deepEqual(Array.from(ea), Array.from(eb));
    tf.dispose([input, ...Object.values(a), ...Object.values(b)]);
    net.dispose();
    loaded.dispose();
    fs.rmSync(path.join(dir, 'weights.bin'));
    await assert.rejects(
      PeNet.load(modelFilesHandler(path.join(dir, 'model.json'))),
      (e) => isCpemError(e, 'WEIGHTS_MISSING') && /weights\.bin/.test((e as Error).message),
    );
    fs.writeFileSync(path.join(dir, 'model.json'), '{"format": ');
    await assert.rejects(
      PeNet.load(modelFilesHandler(path.join(dir, 'model.json'))),
      (e) => isCpemError(e) && /model\.json/.test((e as Error).message),
    );
  });

  it('round-trips a checkpoint through files', async () => {
    const dir = tmp();
    const config = resolveRunConfig({ training: { steps: 4, persons: 2, hidden: [16], logEvery: 1 } }).training;
    const trainer = await CpemTrainer.create(config, model, new RunBatchSource(model, 1));
    await trainer.trainStep();
    await trainer.trainStep();
    const checkpoint = await trainer.checkpoint();
    saveCheckpoint(dir, checkpoint);
    const back = loadCheckpoint(dir);
    assert.equal(back.step, 2);
    assert.deepEqual(new Uint8Array(back.optimizer.data), new Uint8Array(checkpoint.optimizer.data));
    assert.deepEqual(
      new Uint8Array(back.network.weightData as ArrayBuffer),
      new Uint8Array(checkpoint.network.weightData as ArrayBuffer),
    );
    const resumed = await CpemTrainer.resume(back, model, new RunBatchSource(model, 1));
    assert.equal(resumed.step, 2);
    trainer.dispose();
    resumed.dispose();
    fs.writeFileSync(path.join(dir, 'checkpoint.json'), 'nope');
    assert.throws(
      () => loadCheckpoint(dir),
      (e) => isCpemError(e, 'WEIGHTS_CORRUPT'),
    );
  });

  it('scores a network on held-out synthetic faces: an untrained one reads expressions worse than a constant 0', async () => {
    const net = PeNet.create({ inputSize: 956, hidden: [16], numIdentity: 80, numExpression: 46 }, 2);
    const report = await evaluateSynthetic(net, model, { samples: 64 });
    assert.equal(report.unitMae.length, 46);
    assert.equal(Object.keys(report.categoryMae).length, 10);
    // Sigmoid outputs near 0.5 against sparse truth: MAE around 0.45.
    assert.ok(report.meanUnitMae > 0.3 && report.meanUnitMae < 0.6, `MAE ${report.meanUnitMae}`);
    net.dispose();
  });
});
