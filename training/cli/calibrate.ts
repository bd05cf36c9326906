// `npm run calibrate -- --video FILE --prompts FILE.json [--out profile.json] [--weights weights/pe-net/model.json]
//    [--holdout last-third|none]`
// A person's range profile (docs/personalization.md) from a clip they recorded and a prompt file saying which
// expression they show when: the capture analysis finds each prompt's held frames and the neutral prompt's frames,
// the estimator reads them as the runtime does (per-user neutral over the clip's first seconds), and the profile maps
// each prompted unit's rest to 0 and its held level to the prompt's value. Writes the profile (JSON, for
// `FaceRetargetBehavior({ calibrationProfile })`) and prints the before/after on the held-out last third of each prompt.
import fs from 'node:fs';
import path from 'node:path';
import { CpemError } from '../../plugin/errors/cpem-error.js';
import { selectBackend } from '../../plugin/tracker/backend.js';
import { estimateTrack } from '../lib/eval/clip-estimates.js';
import { loadTrack } from '../node/track-cache.js';
import { beforeAfterMarkdown } from '../lib/personalize/before-after.js';
import { analyseCapture } from '../lib/personalize/capture-analysis.js';
import { capturesFromTrack } from '../lib/personalize/clip-capture.js';
import {
  captureAlignment,
  loadBaseNetwork,
  loadFaceModelTensors,
  loadPromptFile,
} from '../node/personalize/personalize-clip.js';
import { unitsAfterNeutral } from '../lib/personalize/profile-readings.js';
import { profileBeforeAfter, rangeProfileFromCapture } from '../lib/personalize/range-profile.js';
import { readCliArgs, runCli } from '../node/cli-support.js';

const USAGE =
  'usage: npm run calibrate -- --video FILE --prompts FILE.json [--out profile.json] [--weights weights/pe-net/model.json] [--holdout last-third|none]';

async function main(): Promise<void> {
  const args = readCliArgs(
    { video: 'string', prompts: 'string', out: 'string', weights: 'string', holdout: 'string' },
    { usage: USAGE },
  );
  if (!args.video || !args.prompts)
    throw new CpemError('INVALID_ARGUMENT', `--video and --prompts are both needed.\n${USAGE}`);
  const holdout = args.holdout ?? 'last-third';
  if (holdout !== 'last-third' && holdout !== 'none')
    throw new CpemError('INVALID_ARGUMENT', `--holdout must be last-third or none (got ${args.holdout}).`);
  if (!fs.statSync(args.video, { throwIfNoEntry: false })?.isFile())
    throw new CpemError(
      'INVALID_ARGUMENT',
      `No such video file: ${args.video}. Pass the clip the prompt file describes.`,
    );
  const prompts = loadPromptFile(args.prompts);
  const weights = args.weights ?? path.join('weights', 'pe-net', 'model.json');
  const out = args.out ?? `${path.basename(args.video).replace(/\.[^.]+$/, '')}.profile.json`;
  await selectBackend('wasm');
  const { tensors: model } = await loadFaceModelTensors();
  const net = await loadBaseNetwork(weights);
  try {
    const track = loadTrack(args.video, { log: (m) => console.error(m) });
    const captures = capturesFromTrack(track, prompts, path.basename(args.video));
    const analysis = analyseCapture(captures, { alignment: captureAlignment(model), holdout });
    for (const p of analysis.prompts) {
      const roles = ['plateau', 'ramp', 'rest', 'outlier']
        .map((r) => `${p.frames.filter((f) => f.role === r).length} ${r === 'plateau' ? 'held' : r}`)
        .join(', ');
      console.error(
        `${p.label.padEnd(24)} ${p.status.padEnd(9)} ${p.withFace}/${p.captured} with a face (${roles})${p.message ? `: ${p.message}` : ''}`,
      );
    }
    const times = new Map(track.frames.map((f) => [f.index, f.time]));
    const units = unitsAfterNeutral(await estimateTrack(net, track), (i) => times.get(i) ?? 0);
    const readings = captures.map((c) => c.frames.map((f) => units.get(f.index ?? -1) ?? null));
    const profile = rangeProfileFromCapture(captures, analysis, (p, k) => readings[p][k], {
      skipHeldOut: holdout === 'last-third',
      source: `${path.basename(args.video)} with ${path.basename(args.prompts)}`,
      weights,
      ...(prompts.person ? { person: prompts.person } : {}),
    });
    fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
    fs.writeFileSync(out, `${JSON.stringify(profile, null, 1)}\n`);
    for (const [unit, range] of Object.entries(profile.units)) {
      const m = profile.measured?.units?.[unit as keyof typeof profile.units];
      if (m?.peak === undefined) continue;
      console.error(
        `${unit.padEnd(14)} rest ${m.rest.toFixed(3)}  peak ${m.peak.toFixed(3)} → ${m.target}  offset ${range!.offset.toFixed(3)}  gain ${range!.gain.toFixed(2)}${m.note ? `  (${m.note})` : ''}`,
      );
    }
    if (holdout === 'last-third')
      console.log(
        beforeAfterMarkdown(profileBeforeAfter(analysis, readings, profile), {
          before: 'without profile',
          after: 'with profile',
        }),
      );
    console.error(`wrote ${out} (${Object.keys(profile.units).length} units mapped)`);
  } finally {
    net.dispose();
    model.dispose();
  }
}

runCli(main);
