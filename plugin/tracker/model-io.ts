/**
 * Loads the tracker's pretrained TF.js graph models (blazeface, facemesh, iris: the files @vladmandic/human ships
 * under models/, which the package carries in weights/tracker/) with the project's own TF.js: from disk in Node, by
 * fetch in the browser. Every failure names the file and says what to do.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { loadGraphModel, type GraphModel } from '@tensorflow/tfjs-converter';
import { ASSET_FILES, assetUrl, joinAssetPath, type RuntimeAssetFile } from '../assets.js';
import { CpemError } from '../errors/cpem-error.js';
import { describeLocation, readAsset } from '../util/read-asset.js';

export type TrackerModelName = 'blazeface' | 'facemesh' | 'iris';

/** Where each model file (by its name in the model folder, e.g. 'facemesh.bin') is read from. */
export type TrackerModelFiles = (file: string) => string;

const HINT =
  'Point modelBaseUrl (or assetBaseUrl) at a folder holding blazeface, facemesh and iris .json/.bin, or reinstall the package.';

/**
 * The tracker's model files: in the folder `modelBaseUrl` when given, else under `assetBaseUrl`'s tracker/, else the
 * package's own copies (weights/tracker/).
 */
export function trackerModelFiles(modelBaseUrl?: string, assetBaseUrl?: string): TrackerModelFiles {
  if (modelBaseUrl !== undefined) return (file) => joinAssetPath(modelBaseUrl, file);
  return (file) => {
    const name = `tracker/${file}`;
    if (!(ASSET_FILES as readonly string[]).includes(name)) {
      throw new CpemError(
        'WEIGHTS_CORRUPT',
        `Face tracker: a model names the file ${describeLocation(file)}, which the package does not ship. ${HINT}`,
      );
    }
    return assetUrl(name as RuntimeAssetFile, assetBaseUrl);
  };
}

const DTYPE_BYTES: Record<string, number> = {
  float32: 4,
  int32: 4,
  bool: 1,
  uint8: 1,
  uint16: 2,
  float16: 2,
  complex64: 8,
};

/** Bytes a weights manifest entry occupies in the .bin files. */
function specBytes(spec: tf.io.WeightsManifestEntry, file: string): number {
  const n = spec.shape.reduce((a, b) => a * b, 1);
  const dtype = spec.quantization?.dtype ?? spec.dtype;
  const size = DTYPE_BYTES[dtype];
  if (size === undefined)
    throw new CpemError(
      'WEIGHTS_CORRUPT',
      `Face tracker: model file ${file} declares weight ${spec.name} with unsupported dtype ${dtype}. Reinstall the package, or point modelBaseUrl at good copies.`,
    );
  return n * size;
}

/** Loads one graph model, its files located by `files`. */
export async function loadTrackerModel(files: TrackerModelFiles, name: TrackerModelName): Promise<GraphModel> {
  const jsonFile = files(`${name}.json`);
  const jsonBytes = await readAsset(jsonFile, 'Face tracker model', HINT);
  let json: tf.io.ModelJSON;
  try {
    json = JSON.parse(new TextDecoder().decode(jsonBytes)) as tf.io.ModelJSON;
  } catch (e) {
    throw new CpemError(
      'WEIGHTS_CORRUPT',
      `Face tracker: model file ${describeLocation(jsonFile)} is not valid JSON (${(e as Error).message}). Reinstall the package, or point modelBaseUrl at good copies.`,
      { cause: e },
    );
  }
  if (!json || typeof json !== 'object' || !json.modelTopology || !Array.isArray(json.weightsManifest)) {
    throw new CpemError(
      'WEIGHTS_CORRUPT',
      `Face tracker: model file ${describeLocation(jsonFile)} is not a TF.js graph model (no modelTopology or weightsManifest). Reinstall the package, or point modelBaseUrl at good copies.`,
    );
  }
  const specs: tf.io.WeightsManifestEntry[] = [];
  const buffers: Uint8Array[] = [];
  for (const group of json.weightsManifest) {
    const parts = await Promise.all(
      group.paths.map((p) => readAsset(files(p), `Face tracker model (named by ${describeLocation(jsonFile)})`, HINT)),
    );
    const total = parts.reduce((s, b) => s + b.byteLength, 0);
    const binName = group.paths.map((p) => describeLocation(files(p))).join(', ');
    const expected = group.weights.reduce((s, w) => s + specBytes(w, describeLocation(jsonFile)), 0);
    if (total !== expected) {
      throw new CpemError(
        'WEIGHTS_CORRUPT',
        `Face tracker: model file ${binName} holds ${total} bytes but ${describeLocation(jsonFile)} expects ${expected}: the file is truncated or from another version. Reinstall the package, or point modelBaseUrl at good copies.`,
      );
    }
    specs.push(...group.weights);
    buffers.push(...parts);
  }
  const weightData = new Uint8Array(buffers.reduce((s, b) => s + b.byteLength, 0));
  let offset = 0;
  for (const b of buffers) {
    weightData.set(b, offset);
    offset += b.byteLength;
  }
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
    throw new CpemError(
      'WEIGHTS_CORRUPT',
      `Face tracker: model ${describeLocation(jsonFile)} did not load (${(e as Error).message}). Reinstall the package, or point modelBaseUrl at good copies.`,
      { cause: e },
    );
  }
}

/** Runs `model` on `input`, which it disposes, and returns the outputs as a list (the caller disposes them). */
export function execute(model: GraphModel, input: tf.Tensor): tf.Tensor[] {
  try {
    const out = model.execute(input) as tf.Tensor | tf.Tensor[];
    return Array.isArray(out) ? out : [out];
  } finally {
    input.dispose();
  }
}
