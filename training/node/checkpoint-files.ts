// A trainer checkpoint on disk: checkpoint.json (step, config, weight specs, loss log) + network.bin + optimizer.bin.
import * as tf from '@tensorflow/tfjs-core';
import fs from 'node:fs';
import path from 'node:path';
import { CpemError } from '../../plugin/errors/cpem-error.js';
import type { TrainerCheckpoint } from '../lib/trainer/cpem-trainer.js';

const toBuffer = (data: tf.io.WeightData | undefined): ArrayBuffer =>
  data instanceof ArrayBuffer ? data : tf.io.concatenateArrayBuffers((data ?? []) as ArrayBuffer[]);

export function saveCheckpoint(dir: string, checkpoint: TrainerCheckpoint): void {
  fs.mkdirSync(dir, { recursive: true });
  const { weightData, ...network } = checkpoint.network;
  fs.writeFileSync(path.join(dir, 'network.bin'), new Uint8Array(toBuffer(weightData)));
  fs.writeFileSync(path.join(dir, 'optimizer.bin'), new Uint8Array(checkpoint.optimizer.data));
  // Written last: a checkpoint.json names a complete set of files.
  fs.writeFileSync(
    path.join(dir, 'checkpoint.json'),
    JSON.stringify({ ...checkpoint, network, optimizer: { specs: checkpoint.optimizer.specs } }),
  );
}

export function loadCheckpoint(dir: string): TrainerCheckpoint {
  const file = path.join(dir, 'checkpoint.json');
  const read = (name: string): ArrayBuffer => {
    const bytes = fs.readFileSync(path.join(dir, name));
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  };
  try {
    const json = JSON.parse(fs.readFileSync(file, 'utf8'));
    return {
      ...json,
      network: { ...json.network, weightData: read('network.bin') },
      optimizer: { specs: json.optimizer.specs, data: read('optimizer.bin') },
    };
  } catch (e) {
    throw new CpemError(
      'WEIGHTS_CORRUPT',
      `Checkpoint in ${dir} cannot be read (${(e as Error).message}); delete the folder to start the run afresh.`,
      { cause: e },
    );
  }
}
