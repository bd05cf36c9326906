import { CpemError } from '../../../plugin/errors/cpem-error.js';
import type { SyntheticOptions } from '../data/synthetic-batch.js';
import { resolveTrainingConfig, type TrainingConfig, type LossWeights } from './training-config.js';

/**
 * A training run as written in a config file (training/configs/*.json): the trainer's settings plus where the
 * batches come from. `npm run train -- --config FILE` reads one.
 */
export interface RunConfig {
  /** Names the run's folder (.cache/train/NAME: checkpoint and loss log). */
  name: string;
  training: TrainingConfig;
  data: {
    /** Options of the synthetic generator. */
    synthetic: SyntheticOptions;
    /**
     * Share of batches drawn from real landmark tracks (P clips × T frames spread over each clip, one clip = one
     * person; self-supervised), the others synthetic. Which batches are real depends only on the seed. 0: synthetic only.
     */
    realFraction: number;
    /**
     * Videos (tracked once into .cache/tracks/), landmark-track files or folders (every .mp4 in it), relative to the
     * repository root (e.g. ../shared/videos/NAME.mp4) or absolute. Clips of the labels' report half, and clips the
     * label file lists as duplicates of another, are always left out: nothing of those people is trained on.
     */
    tracks: string[];
    /** Attach the teacher's unit values to real frames (videos only; cached by npm run teacher). Default false. */
    teacher: boolean;
    /** Attach the tune half's labels by eye to real frames ('tune'), or none. Default 'none'. */
    labels: 'tune' | 'none';
    /** A label also applies to the frames within this many of its frame. Default 2. */
    labelSpread: number;
    /** Share of real frames drawn among labelled ones (when a clip has any). Default 0.25. */
    labelledShare: number;
    /**
     * Which quantile of the teacher's values on the tune half's neutral frames is taken as its resting level per unit
     * (targets are measured above it). Default 0.5.
     */
    teacherRestQuantile: number;
    /**
     * How the teacher's values above their resting level become targets, fitted on the tune half's labels:
     * 'gains', one gain per category from a grid (never below 1), or 'quantile', per category a monotone curve that
     * maps the teacher's distribution onto the labels' over the whole range (training/lib/eval/output-curve.ts), so a
     * category the teacher reads at half strength is lifted at the top as well. Default 'gains'.
     */
    teacherMap: 'gains' | 'quantile';
    /**
     * Mirror half the real clips drawn into a batch (landmarks flipped left to right, left and right unit targets
     * swapped), so the network learns that a face and its mirror image read as mirror-image units. Default false.
     */
    mirror: boolean;
    /**
     * Which rounds of the label file (clips[…].round, default 1) the run trains and tunes on: their clips and labels
     * only, the clips of other rounds left out of training. Null: every round. Default null.
     */
    labelRounds: number[] | null;
    /**
     * Folder of the videos' landmark tracks, e.g. .cache/tracks-attention for the attention mesh's tracks
     * (npm run probe:attention). Default null: .cache/tracks, made with the package's tracker where missing.
     */
    trackDir: string | null;
  };
}

type RunConfigInput = {
  name?: string;
  training?: Partial<Omit<TrainingConfig, 'lossWeights'>> & { lossWeights?: Partial<LossWeights> };
  data?: Partial<RunConfig['data']>;
};

/**
 * What is wrong with `data.synthetic` (SyntheticOptions), each naming the field: unchecked, a bad value surfaced only
 * as an error about the input statistics (inputMean) after the batches were drawn.
 */
function syntheticProblems(v: unknown): string[] {
  type Schema = { [field: string]: 'probability' | 'nonNegative' | Schema };
  const range: Schema = { sigma: 'nonNegative', limit: 'nonNegative' };
  const schema: Schema = {
    expression: {
      neutralProbability: 'probability',
      meanActiveUnits: 'nonNegative',
      symmetricProbability: 'probability',
    },
    pose: { yaw: range, pitch: range, roll: range },
    identitySigma: 'nonNegative',
    landmarkNoise: 'nonNegative',
    framePoseSigma: 'nonNegative',
  };
  const problems: string[] = [];
  const check = (where: string, o: unknown, fields: Schema): void => {
    if (typeof o !== 'object' || o === null || Array.isArray(o)) {
      problems.push(`${where} must be an object (got ${JSON.stringify(o)})`);
      return;
    }
    if (fields === range) for (const k of Object.keys(range)) if (!(k in o)) problems.push(`${where}.${k} is missing`);
    for (const [k, x] of Object.entries(o)) {
      const kind = fields[k];
      if (!kind) problems.push(`unknown field ${where}.${k}`);
      else if (typeof kind === 'object') check(`${where}.${k}`, x, kind);
      else if (typeof x !== 'number' || !Number.isFinite(x) || x < 0 || (kind === 'probability' && x > 1)) {
        problems.push(
          `${where}.${k} must be ${kind === 'probability' ? 'in [0, 1]' : 'a finite number ≥ 0'} (got ${JSON.stringify(x)})`,
        );
      }
    }
  };
  check('data.synthetic', v, schema);
  return problems;
}

/** Checks a parsed config file and fills in defaults; throws INVALID_ARGUMENT listing every problem. */
export function resolveRunConfig(input: unknown, source = 'config'): RunConfig {
  const problems: string[] = [];
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new CpemError('INVALID_ARGUMENT', `${source}: expected a JSON object with name, training and data.`);
  }
  const raw = input as RunConfigInput;
  for (const k of Object.keys(raw))
    if (!['name', 'training', 'data', '$comment'].includes(k)) problems.push(`unknown field ${k}`);
  const name = raw.name ?? 'run';
  // The name is a folder under .cache/train that a fresh run deletes first: '.' or '..' would delete .cache/train or .cache.
  if (typeof name !== 'string' || !/^[\w-][\w.-]*$/.test(name))
    problems.push(`name must be letters, digits, '.', '_' or '-', not starting with '.' (got ${JSON.stringify(name)})`);
  let training: TrainingConfig | null = null;
  try {
    training = resolveTrainingConfig(raw.training ?? {});
  } catch (e) {
    problems.push((e as Error).message.replace(/^Invalid training config:\n- /, 'training: ').replace(/\n- /g, '; '));
  }
  const data = raw.data ?? {};
  for (const k of Object.keys(data))
    if (
      ![
        'synthetic',
        'realFraction',
        'tracks',
        'teacher',
        'labels',
        'labelSpread',
        'labelledShare',
        'teacherRestQuantile',
        'teacherMap',
        'mirror',
        'labelRounds',
        'trackDir',
      ].includes(k)
    )
      problems.push(`unknown field data.${k}`);
  const teacherRestQuantile = data.teacherRestQuantile ?? 0.5;
  if (typeof teacherRestQuantile !== 'number' || !(teacherRestQuantile >= 0 && teacherRestQuantile <= 1))
    problems.push(`data.teacherRestQuantile must be in [0, 1] (got ${JSON.stringify(teacherRestQuantile)})`);
  const teacherMap = data.teacherMap ?? 'gains';
  if (teacherMap !== 'gains' && teacherMap !== 'quantile')
    problems.push(`data.teacherMap must be 'gains' or 'quantile' (got ${JSON.stringify(teacherMap)})`);
  const mirror = data.mirror ?? false;
  if (typeof mirror !== 'boolean') problems.push(`data.mirror must be true or false (got ${JSON.stringify(mirror)})`);
  const labelRounds = data.labelRounds ?? null;
  if (
    labelRounds !== null &&
    !(
      Array.isArray(labelRounds) &&
      labelRounds.length > 0 &&
      labelRounds.every((r: unknown) => Number.isInteger(r) && (r as number) >= 1)
    )
  )
    problems.push(
      `data.labelRounds must list label rounds (whole numbers from 1), or be null (got ${JSON.stringify(labelRounds)})`,
    );
  const trackDir = data.trackDir ?? null;
  if (trackDir !== null && typeof trackDir !== 'string')
    problems.push(`data.trackDir must be a folder path (got ${JSON.stringify(trackDir)})`);
  const teacher = data.teacher ?? false;
  if (typeof teacher !== 'boolean')
    problems.push(`data.teacher must be true or false (got ${JSON.stringify(teacher)})`);
  const labels = data.labels ?? 'none';
  if (labels !== 'tune' && labels !== 'none')
    problems.push(
      `data.labels must be 'tune' or 'none' (got ${JSON.stringify(labels)}); the report half is never trained on`,
    );
  const labelSpread = data.labelSpread ?? 2;
  if (!Number.isInteger(labelSpread) || labelSpread < 0)
    problems.push(`data.labelSpread must be a whole number ≥ 0 (got ${JSON.stringify(labelSpread)})`);
  const labelledShare = data.labelledShare ?? 0.25;
  if (typeof labelledShare !== 'number' || !(labelledShare >= 0 && labelledShare <= 1))
    problems.push(`data.labelledShare must be in [0, 1] (got ${JSON.stringify(labelledShare)})`);
  const realFraction = data.realFraction ?? 0;
  if (typeof realFraction !== 'number' || !(realFraction >= 0 && realFraction <= 1))
    problems.push(`data.realFraction must be in [0, 1] (got ${JSON.stringify(realFraction)})`);
  const tracks = data.tracks ?? [];
  if (!Array.isArray(tracks) || !tracks.every((t) => typeof t === 'string'))
    problems.push('data.tracks must be a list of paths');
  else if (realFraction > 0 && tracks.length === 0) problems.push('data.realFraction > 0 needs data.tracks');
  problems.push(...syntheticProblems(data.synthetic ?? {}));
  if (problems.length > 0)
    throw new CpemError('INVALID_ARGUMENT', `Invalid run config (${source}):\n- ${problems.join('\n- ')}`);
  return {
    name,
    training: training!,
    data: {
      synthetic: data.synthetic ?? {},
      realFraction,
      tracks,
      teacher,
      labels,
      labelSpread,
      labelledShare,
      teacherRestQuantile,
      teacherMap,
      mirror,
      labelRounds,
      trackDir,
    },
  };
}
