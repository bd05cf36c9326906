// TF.js model files on disk for Node (tfjs-node cannot be installed here): model.json plus one weights shard,
// in the layout tf.io.http and loadGraphModel/loadLayersModel read in the browser.
import * as tf from '@tensorflow/tfjs-core';
import fs from 'node:fs';
import path from 'node:path';
import { CpemError } from '../../plugin/errors/cpem-error.js';
import { readPeNetArtifacts } from '../../plugin/estimator/pe-net-files.js';
import { modelJsonOf, WEIGHTS_SHARD } from '../lib/trainer/estimator-manifest.js';

/** Writes `artifacts` as DIR/model.json and DIR/weights.bin; returns the model.json path. */
export function writeModelFiles(dir: string, artifacts: tf.io.ModelArtifacts): string {
  if (!artifacts.weightSpecs || !artifacts.weightData)
    throw new CpemError('INVALID_ARGUMENT', 'Model artifacts without weights cannot be written.');
  fs.mkdirSync(dir, { recursive: true });
  const data =
    artifacts.weightData instanceof ArrayBuffer
      ? artifacts.weightData
      : tf.io.concatenateArrayBuffers(artifacts.weightData as ArrayBuffer[]);
  const json = modelJsonOf({ ...artifacts, weightData: data });
  const file = path.join(dir, 'model.json');
  fs.writeFileSync(path.join(dir, WEIGHTS_SHARD), new Uint8Array(data));
  fs.writeFileSync(file, `${JSON.stringify(json, null, 1)}\n`);
  return file;
}

/**
 * A tf.io IOHandler that loads model.json and its shards from disk, as PeNet.load(path) does (the shards' SHA-256
 * checked): missing files raise WEIGHTS_MISSING, damaged ones WEIGHTS_CORRUPT, each naming the file.
 */
export function modelFilesHandler(modelJson: string): tf.io.IOHandler {
  return { load: () => readPeNetArtifacts(modelJson) };
}
