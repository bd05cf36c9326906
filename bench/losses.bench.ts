// Cost of the two CPEM constraint losses with their gradients, batch of 32 persons × 4 frames, TF.js cpu.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { identityConsistencyLoss, expressionExclusiveLoss } from '../training/lib/index.js';
import { summarize, timeCalls } from './support/stats.js';
import type { BenchFunction } from './support/bench-types.js';
import { NUM_EXPRESSION_UNITS } from '../plugin/constants.js';

const run: BenchFunction = async () => {
  await tf.setBackend('cpu');
  const alpha = tf.randomNormal([32, 4, 80]) as tf.Tensor3D;
  const beta = tf.randomUniform([128, NUM_EXPRESSION_UNITS]);
  const idc = tf.grad((a: tf.Tensor) => identityConsistencyLoss(a as tf.Tensor3D));
  const exc = tf.grad((b: tf.Tensor) => expressionExclusiveLoss(b));
  const before = tf.memory().numTensors;
  const idcMs = await timeCalls(async () => {
    const g = idc(alpha);
    await g.data();
    g.dispose();
  }, 50);
  const excMs = await timeCalls(async () => {
    const g = exc(beta);
    await g.data();
    g.dispose();
  }, 50);
  const leaked = tf.memory().numTensors - before;
  tf.dispose([alpha, beta]);
  return [
    { bench: 'losses', case: 'L_idc + gradient, 32×4×80', backend: 'cpu', unit: 'ms', ...summarize(idcMs) },
    { bench: 'losses', case: 'L_exp + gradient, 128×46', backend: 'cpu', unit: 'ms', ...summarize(excMs) },
    { bench: 'losses', case: 'tensors leaked over 110 calls', backend: 'cpu', unit: 'tensors', value: leaked },
  ];
};
export default run;
