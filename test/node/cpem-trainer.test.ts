import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { FaceModel } from '../../plugin/face-model/face-model.js';
import { FaceModelTensors } from '../../plugin/face-model/face-model-tensors.js';
import { SyntheticFaceSource } from '../../training/lib/data/synthetic-batch.js';
import { CpemTrainer } from '../../training/lib/trainer/cpem-trainer.js';
import type { LossLogRow } from '../../training/lib/trainer/loss-log.js';
import { resolveTrainingConfig } from '../../training/lib/trainer/training-config.js';

describe('CPEM trainer', () => {
  let model: FaceModelTensors;
  before(async () => {
    await tf.setBackend('cpu');
    model = new FaceModelTensors(await FaceModel.load('weights/face-model.bin'));
  });
  after(() => model.dispose());

  const config = resolveTrainingConfig({
    steps: 30,
    persons: 2,
    framesPerPerson: 4,
    hidden: [64],
    learningRate: 1e-3,
    logEvery: 1,
    lossWeights: { syntheticSupervision: 1 },
  });

  it('lowers the loss on synthetic data and logs every term', async () => {
    // The paper's shared trunk: every term trains every layer, and the total falls within 30 steps.
    const trainer = await CpemTrainer.create(
      { ...config, detachIdentity: false },
      model,
      new SyntheticFaceSource(model, 1),
    );
    const rows: LossLogRow[] = [];
    for (let i = 0; i < config.steps; i++) rows.push((await trainer.trainStep())!);
    const mean = (r: LossLogRow[]) => r.reduce((s, x) => s + x.total, 0) / r.length;
    assert.ok(
      mean(rows.slice(-5)) < 0.7 * mean(rows.slice(0, 5)),
      `loss ${mean(rows.slice(0, 5))} → ${mean(rows.slice(-5))}`,
    );
    assert.deepEqual(Object.keys(rows[0].terms).sort(), [
      'expressionSparsity',
      'identityConsistency',
      'identityRegularization',
      'landmark',
      'syntheticSupervision',
    ]);
    // The expression-exclusive term joins for the last third (from step 20).
    assert.ok(!('expressionExclusive' in rows[19].terms));
    assert.ok('expressionExclusive' in rows[20].terms);
    trainer.dispose();
  });

  it('resumes from a checkpoint exactly where an uninterrupted run would be', async () => {
    const straight = await CpemTrainer.create(config, model, new SyntheticFaceSource(model, 2));
    for (let i = 0; i < 6; i++) await straight.trainStep();
    const interrupted = await CpemTrainer.create(config, model, new SyntheticFaceSource(model, 2));
    for (let i = 0; i < 3; i++) await interrupted.trainStep();
    const checkpoint = await interrupted.checkpoint();
    // The source continues where it was; the network and Adam's moments come from the checkpoint.
    const source = (interrupted as unknown as { source: SyntheticFaceSource }).source;
    interrupted.dispose();
    const resumed = await CpemTrainer.resume(checkpoint, model, source);
    assert.equal(resumed.step, 3);
    for (let i = 0; i < 3; i++) await resumed.trainStep();
    const a = await straight.net.toArtifacts();
    const b = await resumed.net.toArtifacts();
    const wa = new Float32Array(a.weightData as ArrayBuffer);
    const wb = new Float32Array(b.weightData as ArrayBuffer);
    let maxDiff = 0;
    for (let i = 0; i < wa.length; i++) maxDiff = Math.max(maxDiff, Math.abs(wa[i] - wb[i]));
    assert.ok(maxDiff < 1e-6, `weights differ by ${maxDiff}`);
    assert.equal(resumed.log.rows.length, 6);
    straight.dispose();
    resumed.dispose();
  });

  it('keeps the tensor count flat over training steps', async () => {
    const trainer = await CpemTrainer.create(config, model, new SyntheticFaceSource(model, 3));
    await trainer.trainStep();
    await trainer.trainStep(); // Adam creates its moments on the first steps
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) await trainer.trainStep();
    assert.equal(tf.memory().numTensors, before);
    trainer.dispose();
  });
});
