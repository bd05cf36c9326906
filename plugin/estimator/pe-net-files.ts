/**
 * Reading a saved PE-Net (model.json and its weight shards) from a URL or, in Node, a path, and what model.json
 * records about its shards. Every failure names the file: WEIGHTS_MISSING when it is not there, WEIGHTS_CORRUPT when
 * it is there but damaged (unparsable JSON, a shard of the wrong size, a SHA-256 that does not match).
 */
import type * as tf from '@tensorflow/tfjs-core';
import { CpemError } from '../errors/cpem-error.js';
import { describeLocation, readAsset, resolveBeside } from '../util/read-asset.js';
import { sha256Hex } from '../util/sha256.js';

/** model.json's metadata (userDefinedMetadata) as TF.js types it: any value but null and undefined, by name. */
export type ModelMetadata = Record<string, NonNullable<unknown>>;

/** A weights-manifest group as written by the package: shard paths, their weights, and the SHA-256 of the shards' bytes. */
export interface PeNetWeightsGroup {
  paths: string[];
  weights: tf.io.WeightsManifestEntry[];
  /** SHA-256 (hex) of the group's shards concatenated in order; checked on load when present. */
  sha256?: string;
}

/** Where a shard named in model.json is read from, when not beside model.json (e.g. a bundler renamed it). */
export type ShardUrls = Record<string, string | URL>;

const HINT =
  "Check the URL or path (the shipped weights are the package's weights/pe-net/), or re-export the weights with the trainer.";

/** The model.json of `artifacts` with its weights in one group: shard `shard`, and the SHA-256 of the weight data. */
export function peNetModelJson(artifacts: tf.io.ModelArtifacts, shard: string): Record<string, unknown> {
  const data = artifacts.weightData;
  if (!(data instanceof ArrayBuffer))
    throw new CpemError('INVALID_ARGUMENT', 'PE-Net artifacts must hold their weight data as one ArrayBuffer.');
  const group: PeNetWeightsGroup = { paths: [shard], sha256: sha256Hex(data), weights: artifacts.weightSpecs ?? [] };
  return {
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    modelTopology: artifacts.modelTopology,
    weightsManifest: [group],
    userDefinedMetadata: artifacts.userDefinedMetadata,
  };
}

/**
 * Reads model.json at `location` and its shards (beside it, or where `shardUrls` says), checks each group's SHA-256
 * when model.json has one, and returns the TF.js model artifacts.
 */
export async function readPeNetArtifacts(
  location: string | URL,
  shardUrls: ShardUrls = {},
): Promise<tf.io.ModelArtifacts> {
  const name = describeLocation(location);
  const jsonBytes = await readAsset(location, 'PE-Net model.json', HINT);
  let json: {
    modelTopology?: object;
    format?: string;
    generatedBy?: string;
    weightsManifest?: unknown;
    userDefinedMetadata?: ModelMetadata;
  };
  try {
    json = JSON.parse(new TextDecoder().decode(jsonBytes));
  } catch (e) {
    throw new CpemError(
      'WEIGHTS_CORRUPT',
      `PE-Net model.json ${name} is not valid JSON (${(e as Error).message}): the file is truncated or not a model.json. ${HINT}`,
      { cause: e },
    );
  }
  const groups = json?.weightsManifest;
  if (
    !json ||
    typeof json !== 'object' ||
    !Array.isArray(groups) ||
    groups.length === 0 ||
    !groups.every(
      (g) =>
        g && Array.isArray(g.paths) && g.paths.every((p: unknown) => typeof p === 'string') && Array.isArray(g.weights),
    )
  ) {
    throw new CpemError(
      'WEIGHTS_CORRUPT',
      `PE-Net model.json ${name} has no valid weightsManifest (a list of { paths, weights }). ${HINT}`,
    );
  }
  const specs: tf.io.WeightsManifestEntry[] = [];
  const parts: Uint8Array[] = [];
  for (const group of groups as PeNetWeightsGroup[]) {
    const files = group.paths.map((p) => shardUrls[p] ?? resolveBeside(location, p));
    const bytes = await Promise.all(files.map((f) => readAsset(f, `PE-Net weights shard (named by ${name})`, HINT)));
    bytes.forEach((b, i) => {
      if (b.byteLength > 0 && b.every((x) => x === 0)) {
        throw new CpemError(
          'WEIGHTS_CORRUPT',
          `PE-Net weights shard ${describeLocation(files[i])} is all zero bytes (${b.byteLength}): not trained weights. ${HINT}`,
        );
      }
    });
    if (group.sha256 !== undefined) {
      const joined = concat(bytes);
      const actual = sha256Hex(joined);
      if (actual !== String(group.sha256).toLowerCase()) {
        throw new CpemError(
          'WEIGHTS_CORRUPT',
          `PE-Net weights ${files.map(describeLocation).join(', ')}: SHA-256 ${actual} does not match the ${String(group.sha256).slice(0, 64)} ` +
            `that ${name} records (${joined.byteLength} bytes read): the file is damaged or belongs to another export. ${HINT}`,
        );
      }
    }
    specs.push(...group.weights);
    parts.push(...bytes);
  }
  const data = concat(parts);
  return {
    modelTopology: json.modelTopology,
    format: json.format,
    generatedBy: json.generatedBy,
    weightSpecs: specs,
    weightData:
      data.buffer.byteLength === data.byteLength ? (data.buffer as ArrayBuffer) : (data.slice().buffer as ArrayBuffer),
    userDefinedMetadata: json.userDefinedMetadata,
  };
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((s, p) => s + p.byteLength, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.byteLength;
  }
  return out;
}
