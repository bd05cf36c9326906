import * as tf from '@tensorflow/tfjs-core';
import { CpemError, isCpemError } from '../errors/cpem-error.js';
import { describeLocation } from '../util/read-asset.js';
import { seededRandom } from '../util/seeded-random.js';
import { readPeNetArtifacts, type ModelMetadata, type ShardUrls } from './pe-net-files.js';
import { stopGradient } from '../util/stop-gradient.js';
import { alignedHeadRotation, featureSize, featureSpecProblem, type LandmarkFeatureSpec } from './landmark-features.js';

/** Shape of the parameter-estimation network (PE-Net): an MLP from landmark features to CPEM's parameters. */
export interface PeNetConfig {
  /** Features per sample (e.g. 478 landmarks × 3 coordinates). */
  inputSize: number;
  /** Widths of the hidden layers (ReLU). */
  hidden: number[];
  /** Identity coefficients α (80). */
  numIdentity: number;
  /** Expression units β (46), squashed by a sigmoid into [0, 1]. */
  numExpression: number;
  /**
   * The identity head reads the shared hidden layers without sending gradients back into them (training only;
   * outputs are the same). Under CPEM's identity-consistent loss (λ 1000) a shared trunk otherwise learns to
   * drop everything that changes between frames of one person, expression included.
   */
  detachIdentity?: boolean;
  /**
   * Hidden widths of a trunk of the identity head's own (ReLU), reading the standardised features beside the shared
   * trunk: the shared trunk learns what expression needs and drops what identity needs, so α read from it stays the
   * mean face. Absent: the identity head reads the shared trunk (earlier weights).
   */
  identityHidden?: number[];
  /**
   * Which features of a frame's landmarks the network reads (see LandmarkFeatureSpec); `inputSize` must match.
   * Absent: the face-box features of the first networks.
   */
  features?: LandmarkFeatureSpec;
  /**
   * Knots of a fixed, monotone output curve per expression unit, applied after the gain: β' = f_u(β), piecewise
   * linear through (k / (knots − 1), curve[u][k]) for k = 0 … knots − 1. It maps a unit's readings onto the range
   * its labelled strength spans (fitted after training: `npm run fit:curve`), so a strong expression reaches the
   * top instead of stopping short of it. Identity until fitted. Absent: no curve (earlier weights).
   */
  expressionCurveKnots?: number;
}

/** One batch of PE-Net outputs; rows are samples. Dispose them (or run inside tf.tidy). */
export interface PeNetOutput {
  /** α, [N, numIdentity]. */
  identity: tf.Tensor2D;
  /** β in [0, 1], [N, numExpression]. */
  expression: tf.Tensor2D;
  /** Head rotation [pitch, yaw, roll] in radians, [N, 3]. */
  rotation: tf.Tensor2D;
  /** Translation [tx, ty, log scale] in face-box units, [N, 3]. */
  translation: tf.Tensor2D;
}

/** How {@link PeNet.create} initialises a network beyond its seed. */
export interface PeNetInit {
  /** Starting output of a head (its bias), e.g. `{ translation: [0, 0, logScale] }`. */
  headBias?: Partial<Record<'identity' | 'expression' | 'rotation' | 'translation', ArrayLike<number>>>;
  /** Per-feature mean and scale of the fixed input standardisation x' = (x − mean) · scale. */
  inputMean?: ArrayLike<number>;
  inputScale?: ArrayLike<number>;
}

function isFixedWeight(name: string): boolean {
  return (FIXED_WEIGHTS as readonly string[]).includes(name) || name === CURVE_WEIGHT;
}

/** The fixed weight holding the output curve's knot values, [numExpression, expressionCurveKnots]. */
const CURVE_WEIGHT = 'expression/curve';

/** The identity curve's knot values: knot k of every unit at k / (knots − 1). */
function identityCurve(units: number, knots: number): Float32Array {
  return Float32Array.from({ length: units * knots }, (_, i) => (i % knots) / (knots - 1));
}

/** Why `curve` is not a usable output curve (units × knots values, each row non-decreasing in [0, 1]), or null. */
export function expressionCurveProblem(curve: ArrayLike<number>, units: number, knots: number): string | null {
  if (curve.length !== units * knots) return `an output curve needs ${units} × ${knots} values; got ${curve.length}`;
  for (let u = 0; u < units; u++) {
    for (let k = 0; k < knots; k++) {
      const v = curve[u * knots + k];
      if (!(v >= 0 && v <= 1)) return `unit ${u}'s knot ${k} is ${v}; knots must lie in [0, 1]`;
      if (k > 0 && v < curve[u * knots + k - 1]) return `unit ${u}'s curve falls at knot ${k}; it must never decrease`;
    }
  }
  return null;
}

/** The `format` written into model.json, checked on load. */
export const PE_NET_FORMAT = 'babylon-cpem/pe-net';
const FORMAT_VERSION = 2;
const HEADS = ['identity', 'expression', 'rotation', 'translation'] as const;

function headSize(config: PeNetConfig, head: (typeof HEADS)[number]): number {
  return head === 'identity' ? config.numIdentity : head === 'expression' ? config.numExpression : 3;
}

/**
 * Fixed (not trained) weights: the input standardisation x' = (x − mean) · scale per feature, and a gain per
 * expression unit applied after the sigmoid (β = min(1, gain · σ(z)); 1 while training, set by calibration on
 * labelled real frames afterwards).
 */
const FIXED_WEIGHTS = ['input/mean', 'input/scale', 'expression/gain'] as const;

/** Names and shapes of every weight, in a fixed order. */
function weightShapes(config: PeNetConfig): Array<[string, number[]]> {
  const shapes: Array<[string, number[]]> = FIXED_WEIGHTS.map((name) => [
    name,
    [name === 'expression/gain' ? config.numExpression : config.inputSize],
  ]);
  if (config.expressionCurveKnots !== undefined)
    shapes.push([CURVE_WEIGHT, [config.numExpression, config.expressionCurveKnots]]);
  let width = config.inputSize;
  config.hidden.forEach((h, i) => {
    shapes.push([`dense${i}/kernel`, [width, h]], [`dense${i}/bias`, [h]]);
    width = h;
  });
  let identityWidth = width;
  if (config.identityHidden) {
    identityWidth = config.inputSize;
    config.identityHidden.forEach((h, i) => {
      shapes.push([`identityDense${i}/kernel`, [identityWidth, h]], [`identityDense${i}/bias`, [h]]);
      identityWidth = h;
    });
  }
  for (const head of HEADS) {
    shapes.push(
      [`${head}/kernel`, [head === 'identity' ? identityWidth : width, headSize(config, head)]],
      [`${head}/bias`, [headSize(config, head)]],
    );
  }
  return shapes;
}

function validateConfig(config: PeNetConfig): void {
  const positive = (v: unknown) => Number.isInteger(v) && (v as number) > 0;
  if (
    !config ||
    !positive(config.inputSize) ||
    !positive(config.numIdentity) ||
    !positive(config.numExpression) ||
    !Array.isArray(config.hidden) ||
    !config.hidden.every(positive) ||
    (config.detachIdentity !== undefined && typeof config.detachIdentity !== 'boolean') ||
    (config.identityHidden !== undefined &&
      !(
        Array.isArray(config.identityHidden) &&
        config.identityHidden.length > 0 &&
        config.identityHidden.every(positive)
      )) ||
    (config.expressionCurveKnots !== undefined &&
      !(
        Number.isInteger(config.expressionCurveKnots) &&
        config.expressionCurveKnots >= 2 &&
        config.expressionCurveKnots <= 64
      ))
  ) {
    throw new CpemError(
      'INVALID_ARGUMENT',
      `PE-Net config must have positive integer inputSize, numIdentity, numExpression and hidden widths (identityHidden, where given, positive widths; expressionCurveKnots, where given, an integer in [2, 64]); got ${JSON.stringify(config)}.`,
    );
  }
  if (config.features !== undefined) {
    const problem = featureSpecProblem(config.features);
    if (problem) throw new CpemError('INVALID_ARGUMENT', `PE-Net config: ${problem}.`);
    if (config.inputSize !== featureSize(config.features)) {
      throw new CpemError(
        'INVALID_ARGUMENT',
        `PE-Net config: ${config.features.set} features give ${featureSize(config.features)} inputs, but inputSize is ${config.inputSize}.`,
      );
    }
  }
}

// TF.js variable names are global to the engine; number each network's weights apart.
let networkCount = 0;
function variableName(weight: string): string {
  return `pe-net${networkCount++}/${weight}`;
}

/**
 * PE-Net: landmark features → identity α, expression β (sigmoid), head rotation and translation.
 * Weights are TF.js variables, so the same object serves inference (plugin) and training (training/).
 * Saved as a TF.js model: model.json (topology = this config) plus binary weight shards.
 */
export class PeNet {
  private constructor(
    readonly config: PeNetConfig,
    private readonly weights: Map<string, tf.Variable>,
  ) {}

  /**
   * A freshly initialised network, reproducible from `seed`: Glorot-uniform kernels; zero biases unless
   * `init.headBias` gives a head's starting output (e.g. the translation head's log scale); the input
   * standardisation `init.inputMean` / `init.inputScale` (default 0 / 1), which training takes from its data.
   */
  static create(config: PeNetConfig, seed = 1, init: PeNetInit = {}): PeNet {
    validateConfig(config);
    for (const [head, bias] of Object.entries(init.headBias ?? {})) {
      if (
        !HEADS.includes(head as (typeof HEADS)[number]) ||
        bias.length !== headSize(config, head as (typeof HEADS)[number])
      ) {
        throw new CpemError(
          'INVALID_ARGUMENT',
          `PE-Net head bias ${head} must be one of ${HEADS.join(', ')} with one value per output.`,
        );
      }
    }
    for (const [name, v] of [
      ['inputMean', init.inputMean],
      ['inputScale', init.inputScale],
    ] as const) {
      if (v && (v.length !== config.inputSize || !Array.from(v).every(Number.isFinite))) {
        throw new CpemError('INVALID_ARGUMENT', `PE-Net ${name} needs ${config.inputSize} finite values.`);
      }
    }
    const random = seededRandom(seed);
    const weights = new Map<string, tf.Variable>();
    for (const [name, shape] of weightShapes(config)) {
      const size = shape.reduce((a, b) => a * b, 1);
      const values = new Float32Array(size);
      if (name === 'input/mean') {
        if (init.inputMean) values.set(Array.from(init.inputMean));
      } else if (name === 'expression/gain') {
        values.fill(1);
      } else if (name === CURVE_WEIGHT) {
        values.set(identityCurve(config.numExpression, config.expressionCurveKnots!));
      } else if (name === 'input/scale') {
        values.set(init.inputScale ? Array.from(init.inputScale) : new Array(size).fill(1));
      } else if (name === 'rotation/kernel' && config.features?.set === 'aligned') {
        // Zero: the rotation starts as the alignment's (see predict).
      } else if (shape.length === 2) {
        const limit = Math.sqrt(6 / (shape[0] + shape[1]));
        for (let i = 0; i < size; i++) values[i] = random.uniform(-limit, limit);
      } else {
        const bias = init.headBias?.[name.replace('/bias', '') as (typeof HEADS)[number]];
        if (bias) values.set(Array.from(bias));
      }
      const initial = tf.tensor(values, shape);
      weights.set(name, tf.variable(initial, !isFixedWeight(name), variableName(name)));
      // The variable holds the values; the tensor they were made from is not needed (it leaked one per weight).
      initial.dispose();
    }
    return new PeNet(config, weights);
  }

  /** Builds a network from TF.js model artifacts; throws WEIGHTS_CORRUPT naming what does not fit. */
  static fromArtifacts(artifacts: tf.io.ModelArtifacts, source = 'PE-Net weights'): PeNet {
    const topology = artifacts.modelTopology as { format?: string; version?: number; config?: PeNetConfig } | undefined;
    const corrupt = (why: string): never => {
      throw new CpemError(
        'WEIGHTS_CORRUPT',
        `${source}: ${why}. Re-export the weights with the trainer (npm run train) or use the shipped weights/.`,
      );
    };
    if (!topology || topology.format !== PE_NET_FORMAT)
      corrupt(
        `model.json is not a ${PE_NET_FORMAT} model (modelTopology.format is ${JSON.stringify(topology?.format)})`,
      );
    if (topology!.version !== FORMAT_VERSION)
      corrupt(`format version ${topology!.version} is not supported (expected ${FORMAT_VERSION})`);
    try {
      validateConfig(topology!.config!);
    } catch (e) {
      corrupt(`bad config: ${(e as Error).message}`);
    }
    const config = topology!.config!;
    if (!artifacts.weightSpecs || !artifacts.weightData) corrupt('no weights in the artifacts');
    const data =
      artifacts.weightData instanceof ArrayBuffer
        ? artifacts.weightData
        : tf.io.concatenateArrayBuffers(artifacts.weightData as ArrayBuffer[]);
    const expected = weightShapes(config);
    const specs = new Map(artifacts.weightSpecs!.map((s) => [s.name, s]));
    let bytes = 0;
    for (const [name, shape] of expected) {
      const spec = specs.get(name);
      if (!spec) corrupt(`weight ${name} is missing`);
      if (spec!.dtype !== 'float32' || spec!.shape.join() !== shape.join())
        corrupt(`weight ${name} is ${spec!.dtype} [${spec!.shape}], expected float32 [${shape}]`);
      bytes += shape.reduce((a, b) => a * b, 1) * 4;
    }
    if (data.byteLength !== bytes)
      corrupt(`weight data is ${data.byteLength} bytes, expected ${bytes} (truncated or padded shard?)`);
    const values = new Float32Array(data);
    for (let i = 0; i < values.length; i++)
      if (!Number.isFinite(values[i])) corrupt(`weight value ${i} is ${values[i]}`);
    if (config.expressionCurveKnots !== undefined) {
      // The curve's values, found by their place in the shards (the specs' order), checked before any tensor is made.
      let offset = 0;
      for (const spec of artifacts.weightSpecs!) {
        const size = spec.shape.reduce((a, b) => a * b, 1);
        if (spec.name === CURVE_WEIGHT) {
          const problem = expressionCurveProblem(
            values.subarray(offset, offset + size),
            config.numExpression,
            config.expressionCurveKnots,
          );
          if (problem) corrupt(problem);
        }
        offset += size;
      }
    }
    const decoded = tf.io.decodeWeights(data, artifacts.weightSpecs!);
    const weights = new Map<string, tf.Variable>();
    for (const [name] of expected) {
      weights.set(name, tf.variable(decoded[name], !isFixedWeight(name), variableName(name)));
    }
    tf.dispose(Object.values(decoded));
    return new PeNet(config, weights);
  }

  /**
   * Loads a saved network: a model.json URL, or in Node a path or file: URL, with its shards beside it (or where
   * `shardUrls` says, by the name model.json gives them); or any TF.js IOHandler (tf.io.browserFiles,
   * tf.io.fromMemory, IndexedDB). Checks the shards against the SHA-256 that model.json records. A file that is not
   * there raises WEIGHTS_MISSING, one that is damaged or not a PE-Net WEIGHTS_CORRUPT, each naming the file.
   */
  static async load(source: string | URL | tf.io.IOHandler, options: { shardUrls?: ShardUrls } = {}): Promise<PeNet> {
    if (typeof source === 'string' || source instanceof URL) {
      return PeNet.fromArtifacts(
        await readPeNetArtifacts(source, options.shardUrls),
        `PE-Net weights ${describeLocation(source)}`,
      );
    }
    if (!source || typeof source.load !== 'function')
      throw new CpemError(
        'INVALID_ARGUMENT',
        'PeNet.load needs a model.json URL or path, or a TF.js IOHandler that can load.',
      );
    let artifacts: tf.io.ModelArtifacts;
    try {
      artifacts = await source.load();
    } catch (e) {
      if (isCpemError(e)) throw e;
      throw new CpemError(
        'WEIGHTS_MISSING',
        `PE-Net weights could not be read from the IOHandler (${(e as Error).message}).`,
        { cause: e },
      );
    }
    return PeNet.fromArtifacts(artifacts, 'PE-Net weights');
  }

  /** The fixed gain of each expression unit (1 unless calibrated). */
  async expressionGain(): Promise<Float32Array> {
    return (await this.w('expression/gain').data()) as Float32Array;
  }

  /** Sets the fixed gain of each expression unit (β = min(1, gain · σ(z))), e.g. from calibration on real frames. */
  setExpressionGain(gain: ArrayLike<number>): void {
    if (gain.length !== this.config.numExpression || !Array.from(gain).every((g) => Number.isFinite(g) && g > 0)) {
      throw new CpemError(
        'INVALID_ARGUMENT',
        `Expression gains must be ${this.config.numExpression} positive numbers.`,
      );
    }
    const value = tf.tensor1d(Array.from(gain));
    this.w('expression/gain').assign(value);
    value.dispose();
  }

  /** The output curve's knot values, [numExpression × knots] row-major, or null for a network without one. */
  async expressionCurve(): Promise<Float32Array | null> {
    return this.config.expressionCurveKnots === undefined
      ? null
      : ((await this.w(CURVE_WEIGHT).data()) as Float32Array);
  }

  /** Sets the output curve (see PeNetConfig.expressionCurveKnots): per unit, non-decreasing knot values in [0, 1]. */
  setExpressionCurve(curve: ArrayLike<number>): void {
    const knots = this.config.expressionCurveKnots;
    if (knots === undefined)
      throw new CpemError(
        'INVALID_ARGUMENT',
        'This PE-Net has no output curve (its config has no expressionCurveKnots).',
      );
    const problem = expressionCurveProblem(curve, this.config.numExpression, knots);
    if (problem) throw new CpemError('INVALID_ARGUMENT', `PE-Net output curve: ${problem}.`);
    const value = tf.tensor2d(Array.from(curve), [this.config.numExpression, knots]);
    this.w(CURVE_WEIGHT).assign(value);
    value.dispose();
  }

  /**
   * A copy of this network, every weight the same, with an output curve of `knots` knots (the identity until
   * {@link setExpressionCurve}): how weights trained without one get a curve fitted.
   */
  withExpressionCurve(knots: number): PeNet {
    const copy = PeNet.create({ ...this.config, expressionCurveKnots: knots });
    for (const [name, v] of this.weights) if (name !== CURVE_WEIGHT) copy.w(name).assign(v);
    return copy;
  }

  /** Trainable variables (every weight but the fixed input standardisation, unit gains and curve), in a fixed order. */
  get trainableVariables(): tf.Variable[] {
    return [...this.weights.entries()].filter(([name]) => !isFixedWeight(name)).map(([, v]) => v);
  }

  /** Number of scalar parameters. */
  get parameterCount(): number {
    return this.trainableVariables.reduce((s, v) => s + v.size, 0);
  }

  /** Forward pass on [N, inputSize] features. Outputs are new tensors: dispose them or call within tf.tidy. */
  predict(input: tf.Tensor2D): PeNetOutput {
    if (input.rank !== 2 || input.shape[1] !== this.config.inputSize) {
      throw new CpemError(
        'INVALID_ARGUMENT',
        `PE-Net expects input [N, ${this.config.inputSize}], got [${input.shape}].`,
      );
    }
    return tf.tidy(() => {
      const standardised = tf.mul(tf.sub(input, this.w('input/mean')), this.w('input/scale')) as tf.Tensor2D;
      let x = standardised;
      this.config.hidden.forEach((_, i) => {
        x = tf.relu(tf.add(tf.matMul(x, this.w(`dense${i}/kernel`)), this.w(`dense${i}/bias`))) as tf.Tensor2D;
      });
      let xi = this.config.detachIdentity ? stopGradient(x) : x;
      if (this.config.identityHidden) {
        xi = standardised;
        this.config.identityHidden.forEach((_, i) => {
          xi = tf.relu(
            tf.add(tf.matMul(xi, this.w(`identityDense${i}/kernel`)), this.w(`identityDense${i}/bias`)),
          ) as tf.Tensor2D;
        });
      }
      const head = (name: string, from: tf.Tensor2D = x) =>
        tf.add(tf.matMul(from, this.w(`${name}/kernel`)), this.w(`${name}/bias`)) as tf.Tensor2D;
      const beta = tf.minimum(tf.mul(tf.sigmoid(head('expression')), this.w('expression/gain')), 1) as tf.Tensor2D;
      const out = {
        identity: head('identity', xi),
        expression:
          this.config.expressionCurveKnots === undefined
            ? beta
            : this.applyCurve(beta, this.config.expressionCurveKnots),
        // With aligned features the rigid alignment already measured the head's rotation: the head adds a learnt
        // correction to it (it starts at zero), instead of learning the rotation from the matrix.
        rotation:
          this.config.features?.set === 'aligned'
            ? (tf.add(head('rotation'), alignedHeadRotation(input)) as tf.Tensor2D)
            : head('rotation'),
        translation: head('translation'),
      };
      return out as unknown as tf.TensorContainerObject;
    }) as unknown as PeNetOutput;
  }

  /** Model artifacts (topology + float32 weights) with optional metadata, e.g. for tf.io handlers. */
  async toArtifacts(metadata: ModelMetadata = {}): Promise<tf.io.ModelArtifacts> {
    const named = [...this.weights.entries()].map(([name, tensor]) => ({ name, tensor }));
    const { data, specs } = await tf.io.encodeWeights(named);
    return {
      modelTopology: { format: PE_NET_FORMAT, version: FORMAT_VERSION, config: this.config },
      format: PE_NET_FORMAT,
      generatedBy: 'babylon-cpem',
      weightSpecs: specs,
      weightData: data,
      userDefinedMetadata: metadata,
    };
  }

  /** Saves through a TF.js IOHandler (e.g. tf.io.browserDownloads, or the trainer's file handler). */
  async save(handler: tf.io.IOHandler, metadata: ModelMetadata = {}): Promise<tf.io.SaveResult> {
    if (!handler.save) throw new CpemError('INVALID_ARGUMENT', 'The IOHandler cannot save.');
    return handler.save(await this.toArtifacts(metadata));
  }

  /**
   * The output curve on [N, units] values in [0, 1]: the sum of hat functions max(0, 1 − |β·(K − 1) − k|) weighted
   * by the knot values, i.e. linear interpolation between knots, in a few batched ops and differentiable in β.
   */
  private applyCurve(beta: tf.Tensor2D, knots: number): tf.Tensor2D {
    const positions = tf.reshape(tf.range(0, knots), [1, 1, knots]);
    const hats = tf.relu(tf.sub(1, tf.abs(tf.sub(tf.mul(tf.expandDims(beta, 2), knots - 1), positions))));
    return tf.sum(tf.mul(hats, tf.expandDims(this.w(CURVE_WEIGHT), 0)), 2) as tf.Tensor2D;
  }

  /** Frees every weight tensor. The network cannot be used afterwards. */
  dispose(): void {
    for (const v of this.weights.values()) v.dispose();
    this.weights.clear();
  }

  private w(name: string): tf.Variable {
    const v = this.weights.get(name);
    if (!v) throw new CpemError('INVALID_ARGUMENT', `PE-Net has been disposed (weight ${name} is gone).`);
    return v;
  }
}
