/**
 * Loads the tracker's pretrained TF.js graph models (blazeface, facemesh, iris: the files @vladmandic/human ships
 * under models/) with the project's own TF.js: from disk in Node, by fetch in the browser. Every failure names the
 * file and says what to do.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { loadGraphModel, type GraphModel } from '@tensorflow/tfjs-converter';
import { CpemError } from '../errors/cpem-error.js';
import { isNode, nodeImport, nodePackageFolder, type NodePath } from './backend.js';

export type TrackerModelName = 'blazeface' | 'facemesh' | 'iris';

/** Default model location: the served package in the browser, the installed package's folder in Node. */
export async function defaultModelBase(): Promise<string> {
  if (!isNode()) return '/models/human/';
  const dir = await nodePackageFolder('@vladmandic/human', 'package.json');
  if (!dir) {
    throw new CpemError('WEIGHTS_MISSING', 'Face tracker: cannot find node_modules/@vladmandic/human/models. Run `npm ci`, or pass modelBaseUrl: the folder that holds blazeface, facemesh and iris .json/.bin.');
  }
  const path = await nodeImport<NodePath>('node:path');
  return path.join(dir, 'models') + path.sep;
}

function joinBase(base: string, file: string): string {
  return /[/\\]$/.test(base) ? base + file : `${base}/${file}`;
}

async function readBytes(location: string): Promise<Uint8Array> {
  if (isNode() && !/^(https?|blob|data):/i.test(location)) {
    const fs = await nodeImport<{ readFile(p: string): Promise<Uint8Array> }>('node:fs/promises');
    let file = location;
    if (file.startsWith('file:')) file = (await nodeImport<{ fileURLToPath(u: string): string }>('node:url')).fileURLToPath(file);
    try {
      return new Uint8Array(await fs.readFile(file));
    } catch (e) {
      throw new CpemError('WEIGHTS_MISSING', `Face tracker: cannot read model file ${file} (${(e as Error).message}). Run \`npm ci\` (it installs @vladmandic/human), or point modelBaseUrl at a folder with the model files.`, { cause: e });
    }
  }
  let response: Response;
  try {
    response = await fetch(location);
  } catch (e) {
    throw new CpemError('WEIGHTS_MISSING', `Face tracker: fetching model file ${location} failed (${(e as Error).message}). Serve node_modules/@vladmandic/human/models there or set modelBaseUrl.`, { cause: e });
  }
  if (!response.ok) {
    throw new CpemError('WEIGHTS_MISSING', `Face tracker: model file ${location} answered HTTP ${response.status}. Serve node_modules/@vladmandic/human/models at modelBaseUrl (default /models/human/).`);
  }
  return new Uint8Array(await response.arrayBuffer());
}

const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2, complex64: 8 };

/** Bytes a weights manifest entry occupies in the .bin files. */
function specBytes(spec: tf.io.WeightsManifestEntry, file: string): number {
  const n = spec.shape.reduce((a, b) => a * b, 1);
  const dtype = spec.quantization?.dtype ?? spec.dtype;
  const size = DTYPE_BYTES[dtype];
  if (size === undefined) throw new CpemError('WEIGHTS_CORRUPT', `Face tracker: model file ${file} declares weight ${spec.name} with unsupported dtype ${dtype}. Reinstall @vladmandic/human.`);
  return n * size;
}

/** Loads one graph model from `base` (URL prefix or folder). */
export async function loadTrackerModel(base: string, name: TrackerModelName): Promise<GraphModel> {
  const jsonFile = joinBase(base, `${name}.json`);
  const jsonBytes = await readBytes(jsonFile);
  let json: tf.io.ModelJSON;
  try {
    json = JSON.parse(new TextDecoder().decode(jsonBytes)) as tf.io.ModelJSON;
  } catch (e) {
    throw new CpemError('WEIGHTS_CORRUPT', `Face tracker: model file ${jsonFile} is not valid JSON (${(e as Error).message}). Reinstall @vladmandic/human (npm ci).`, { cause: e });
  }
  if (!json || typeof json !== 'object' || !json.modelTopology || !Array.isArray(json.weightsManifest)) {
    throw new CpemError('WEIGHTS_CORRUPT', `Face tracker: model file ${jsonFile} is not a TF.js graph model (no modelTopology or weightsManifest). Reinstall @vladmandic/human (npm ci).`);
  }
  const specs: tf.io.WeightsManifestEntry[] = [];
  const buffers: Uint8Array[] = [];
  for (const group of json.weightsManifest) {
    const parts = await Promise.all(group.paths.map((p) => readBytes(joinBase(base, p))));
    const total = parts.reduce((s, b) => s + b.byteLength, 0);
    const binName = group.paths.map((p) => joinBase(base, p)).join(', ');
    const expected = group.weights.reduce((s, w) => s + specBytes(w, jsonFile), 0);
    if (total !== expected) {
      throw new CpemError('WEIGHTS_CORRUPT', `Face tracker: model file ${binName} holds ${total} bytes but ${jsonFile} expects ${expected}: the file is truncated or from another version. Reinstall @vladmandic/human (npm ci).`);
    }
    specs.push(...group.weights);
    buffers.push(...parts);
  }
  const weightData = new Uint8Array(buffers.reduce((s, b) => s + b.byteLength, 0));
  let offset = 0;
  for (const b of buffers) { weightData.set(b, offset); offset += b.byteLength; }
  const handler: tf.io.IOHandler = {
    load: async () => ({
      modelTopology: json.modelTopology,
      weightSpecs: specs,
      weightData: weightData.buffer,
      format: json.format,
      generatedBy: json.generatedBy,
      convertedBy: json.convertedBy,
      signature: json.signature,
      userDefinedMetadata: json.userDefinedMetadata,
      modelInitializer: json.modelInitializer,
    }),
  };
  try {
    return await loadGraphModel(handler);
  } catch (e) {
    throw new CpemError('WEIGHTS_CORRUPT', `Face tracker: model ${jsonFile} did not load (${(e as Error).message}). Reinstall @vladmandic/human (npm ci).`, { cause: e });
  }
}
