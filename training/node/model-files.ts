// TF.js model files on disk for Node (tfjs-node cannot be installed here): model.json plus one weights shard,
// in the layout tf.io.http and loadGraphModel/loadLayersModel read in the browser.
import * as tf from '@tensorflow/tfjs-core';
import fs from 'node:fs';
import path from 'node:path';
import { CpemError } from '../../plugin/errors/cpem-error.js';
import { modelJsonOf, WEIGHTS_SHARD } from '../trainer/estimator-manifest.js';


/** Writes `artifacts` as DIR/model.json and DIR/weights.bin; returns the model.json path. */
export function writeModelFiles(dir: string, artifacts: tf.io.ModelArtifacts): string {
  if (!artifacts.weightSpecs || !artifacts.weightData) throw new CpemError('INVALID_ARGUMENT', 'Model artifacts without weights cannot be written.');
  fs.mkdirSync(dir, { recursive: true });
  const data = artifacts.weightData instanceof ArrayBuffer ? artifacts.weightData : tf.io.concatenateArrayBuffers(artifacts.weightData as ArrayBuffer[]);
  const json = modelJsonOf(artifacts);
  const file = path.join(dir, 'model.json');
  fs.writeFileSync(path.join(dir, WEIGHTS_SHARD), new Uint8Array(data));
  fs.writeFileSync(file, `${JSON.stringify(json, null, 1)}\n`);
  return file;
}

/**
 * A tf.io IOHandler that loads model.json and its shards from disk. Missing files throw WEIGHTS_MISSING and
 * unreadable JSON WEIGHTS_CORRUPT, each naming the file.
 */
export function modelFilesHandler(modelJson: string): tf.io.IOHandler {
  return {
    async load(): Promise<tf.io.ModelArtifacts> {
      if (!fs.existsSync(modelJson)) throw new CpemError('WEIGHTS_MISSING', `${modelJson} does not exist. Train weights with npm run train, or use the shipped weights/pe-net/model.json.`);
      let json: { modelTopology?: {}; format?: string; generatedBy?: string; weightsManifest?: tf.io.WeightsManifestConfig; userDefinedMetadata?: Record<string, {}> };
      try {
        json = JSON.parse(fs.readFileSync(modelJson, 'utf8'));
      } catch (e) {
        throw new CpemError('WEIGHTS_CORRUPT', `${modelJson} is not valid JSON (${(e as Error).message}).`, { cause: e });
      }
      if (!Array.isArray(json.weightsManifest)) throw new CpemError('WEIGHTS_CORRUPT', `${modelJson} has no weightsManifest.`);
      const specs: tf.io.WeightsManifestEntry[] = [];
      const buffers: ArrayBuffer[] = [];
      for (const group of json.weightsManifest) {
        specs.push(...group.weights);
        for (const shard of group.paths) {
          const file = path.join(path.dirname(modelJson), shard);
          if (!fs.existsSync(file)) throw new CpemError('WEIGHTS_MISSING', `Weights shard ${file} (named by ${modelJson}) does not exist.`);
          const bytes = fs.readFileSync(file);
          buffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
        }
      }
      return {
        modelTopology: json.modelTopology,
        format: json.format,
        generatedBy: json.generatedBy,
        weightSpecs: specs,
        weightData: tf.io.concatenateArrayBuffers(buffers),
        userDefinedMetadata: json.userDefinedMetadata,
      };
    },
  };
}
