// `npm run personalize -- --video FILE --prompts FILE.json [--weights weights/pe-net/model.json] [--out DIR]
//    [--holdout last-third|second-pass|none] [--steps N] [--seed N] [--members N] [--backend wasm|cpu]`
// Teaches PE-Net one person's face from a clip they recorded and a prompt file saying which expression they show
// when (docs/personalization.md): fine-tunes a copy of the network on the prompts' frames and writes the weights,
// their manifest (prompts, frames, scores) and the before/after table on the held-out frames.
import fs from 'node:fs';
import path from 'node:path';
import { CpemError } from '../../plugin/errors/cpem-error.js';
import { selectBackend } from '../../plugin/tracker/backend.js';
import { ProgressBar } from '../../plugin/node/progress-bar.js';
import { beforeAfterMarkdown } from '../lib/personalize/before-after.js';
import { personalizationSettings } from '../lib/personalize/fine-tune.js';
import {
  baseRunName,
  loadBaseNetwork,
  loadFaceModelTensors,
  loadPromptFile,
  personalizationRecord,
  personalizeFromClip,
  scoreBeforeAfter,
  writePersonalizedFiles,
} from '../node/personalize/personalize-clip.js';
import { readCliArgs, runCli } from '../node/cli-support.js';
import { outputDir, personalizeDefaultDir } from '../node/output-folders.js';

const USAGE =
  'usage: npm run personalize -- --video FILE --prompts FILE.json [--weights weights/pe-net/model.json] [--out DIR] ' +
  '[--holdout last-third|second-pass|none] [--steps N] [--seed N] [--members N] [--backend wasm|cpu]';
const HOLDOUTS = ['last-third', 'second-pass', 'none'] as const;

async function main(): Promise<void> {
  const args = readCliArgs(
    {
      video: 'string',
      prompts: 'string',
      weights: 'string',
      out: 'string',
      holdout: 'string',
      steps: 'string',
      seed: 'string',
      members: 'string',
      backend: 'string',
    },
    { usage: USAGE },
  );
  if (!args.video || !args.prompts)
    throw new CpemError('INVALID_ARGUMENT', `--video and --prompts are both needed.\n${USAGE}`);
  const holdout = (args.holdout ?? 'last-third') as (typeof HOLDOUTS)[number];
  if (!HOLDOUTS.includes(holdout))
    throw new CpemError('INVALID_ARGUMENT', `--holdout must be one of ${HOLDOUTS.join(', ')} (got ${args.holdout}).`);
  const backend = args.backend ?? 'wasm';
  if (backend !== 'wasm' && backend !== 'cpu')
    throw new CpemError('INVALID_ARGUMENT', `--backend must be wasm or cpu (got ${backend}).`);
  const int = (name: string, v: string | undefined) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < (name === 'seed' ? 0 : 1))
      throw new CpemError(
        'INVALID_ARGUMENT',
        `--${name} must be a ${name === 'seed' ? 'non-negative' : 'positive'} integer (got ${v}).`,
      );
    return n;
  };
  const settings = personalizationSettings({
    ...(args.steps ? { steps: int('steps', args.steps) } : {}),
    ...(args.seed ? { seed: int('seed', args.seed) } : {}),
    ...(args.members ? { members: int('members', args.members) } : {}),
  });
  const prompts = loadPromptFile(args.prompts);
  const weights = args.weights ?? path.join('weights', 'pe-net', 'model.json');
  if (!fs.statSync(args.video, { throwIfNoEntry: false })?.isFile())
    throw new CpemError(
      'INVALID_ARGUMENT',
      `No such video file: ${args.video}. Pass the clip the prompt file describes.`,
    );
  // Checked (and made) before any work; the default is keyed by the clip's and the prompts' content, so another clip
  // or prompt file under the same name never overwrites earlier results.
  const outDir = outputDir(args.out ?? personalizeDefaultDir(args.video, JSON.stringify(prompts)));
  await selectBackend(backend);
  const { tensors: model, sha256 } = await loadFaceModelTensors();
  const base = await loadBaseNetwork(weights);
  const log = (m: string) => console.error(m);
  const bar = new ProgressBar(settings.steps * settings.members, 'personalize', process.stderr);
  try {
    const result = await personalizeFromClip({
      video: args.video,
      prompts,
      base,
      model,
      holdout,
      settings,
      log,
      onRow: (row, member) =>
        bar.update(
          member * settings.steps + row.step + 1,
          `${settings.members > 1 ? `member ${member + 1}/${settings.members}, ` : ''}loss ${row.total.toPrecision(4)}`,
        ),
    });
    try {
      for (const p of result.analysis.prompts) {
        const roles = ['plateau', 'ramp', 'rest', 'outlier']
          .map((r) => `${p.frames.filter((f) => f.role === r).length} ${r}`)
          .join(', ');
        console.error(
          `${p.label.padEnd(24)} ${p.status.padEnd(9)} ${p.withFace}/${p.captured} with a face (${roles}); motion ${p.plateauMotion.toFixed(2)} mm, rest ${p.restMotion.toFixed(2)} mm`,
        );
      }
      const scores = await scoreBeforeAfter(base, result.trainer.net, result.captures, result.analysis);
      const record = personalizationRecord({
        source: {
          kind: 'prompt-file',
          video: path.basename(args.video),
          ...(prompts.person ? { person: prompts.person } : {}),
        },
        base: { run: baseRunName(weights), weights },
        holdout,
        analysis: result.analysis,
        clip: result.clip,
        settings,
        trained: { steps: result.trainer.step, seconds: Math.round(result.seconds), backend },
        scores: scores.rows.length ? scores : null,
      });
      await writePersonalizedFiles(outDir, {
        result,
        record,
        scores,
        model,
        faceModelSha256: sha256,
        command: `npm run personalize -- ${process.argv.slice(2).join(' ')}`,
      });
      console.log(
        scores.rows.length ? beforeAfterMarkdown(scores) : `No held-out frames to score (--holdout ${holdout}).`,
      );
      console.error(
        `${result.clip.clip.frames.length} frames trained (${result.clip.targeted} with targets), ${result.trainer.step} steps in ${result.seconds.toFixed(0)} s on ${backend}; wrote ${outDir}/ (model.json, weights.bin, manifest.json, loss.csv, before-after.md, before-after.json)`,
      );
    } finally {
      result.trainer.dispose();
    }
  } finally {
    base.dispose();
    model.dispose();
  }
}

runCli(main);
