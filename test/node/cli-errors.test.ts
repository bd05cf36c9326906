// What the training command lines say when their input is wrong: a CpemError naming the file or field and what to
// do, with the right code and exit status 1, not a raw stack, a misleading code or silence.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isCpemError } from '../../plugin/errors/cpem-error.js';
import { resolveRunConfig } from '../../training/lib/trainer/run-config.js';
import { resolveTrainingConfig } from '../../training/lib/trainer/training-config.js';
import { parsePromptFile } from '../../training/lib/personalize/prompt-file.js';
import { loadPromptFile } from '../../training/node/personalize/personalize-clip.js';
import { loadTrack, trackFileFor } from '../../training/node/track-cache.js';

function cli(entry: string, args: string[]) {
  return spawnSync(process.execPath, ['tools/run-node.mjs', entry, '--', ...args], {
    encoding: 'utf8',
    timeout: 120_000,
  });
}

function assertCliError(r: ReturnType<typeof cli>, code: string, pattern: RegExp): void {
  assert.equal(r.status, 1, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stderr, new RegExp(`^${code}: `, 'm'), r.stderr);
  assert.match(r.stderr, pattern, r.stderr);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack');
}

describe('config and prompt checks', () => {
  it('seed -1 is reported as -1', () => {
    assert.throws(
      () => resolveTrainingConfig({ seed: -1 }),
      (e) =>
        isCpemError(e, 'INVALID_ARGUMENT') && /seed must be a whole number ≥ 0 \(got -1\)/.test((e as Error).message),
    );
    assert.throws(() => resolveTrainingConfig({ seed: 1.5 }), /got 1.5/);
    assert.equal(resolveTrainingConfig({ seed: 0 }).seed, 0);
  });

  it('bad data.synthetic values are named, not left to fail as input statistics', () => {
    for (const [synthetic, part] of [
      [{ identitySigma: -1 }, 'data.synthetic.identitySigma must be a finite number ≥ 0 (got -1)'],
      [{ landmarkNoise: 'x' }, 'data.synthetic.landmarkNoise'],
      [{ expression: { neutralProbability: 2 } }, 'data.synthetic.expression.neutralProbability must be in [0, 1]'],
      [{ pose: { yaw: { sigma: 0.3 } } }, 'data.synthetic.pose.yaw.limit is missing'],
      [{ pose: { yaw: { sigma: NaN, limit: 1 } } }, 'data.synthetic.pose.yaw.sigma'],
      [{ noise: 1 }, 'unknown field data.synthetic.noise'],
      [[1], 'data.synthetic must be an object'],
    ] as const) {
      assert.throws(
        () => resolveRunConfig({ data: { synthetic: synthetic as never } }),
        (e) => isCpemError(e, 'INVALID_ARGUMENT') && (e as Error).message.includes(part),
        part,
      );
    }
    const ok = resolveRunConfig({
      data: {
        synthetic: {
          identitySigma: 0.8,
          expression: { meanActiveUnits: 2 },
          pose: { roll: { sigma: 0.1, limit: 0.3 } },
        },
      },
    });
    assert.equal(ok.data.synthetic.identitySigma, 0.8);
  });

  it('an intensity that is not a number or one per prompt is refused', () => {
    for (const intensity of ['0.5', null, [0.5], true]) {
      const file = { format: 'babylon-cpem/prompts', spans: [{ prompt: 'smile', from: 0, to: 1, intensity }] };
      assert.throws(
        () => parsePromptFile(file),
        (e) => isCpemError(e, 'INVALID_ARGUMENT') && /intensity of smile must be a number/.test((e as Error).message),
        JSON.stringify(intensity),
      );
    }
    assert.equal(
      parsePromptFile({ format: 'babylon-cpem/prompts', spans: [{ prompt: 'smile', from: 0, to: 1, intensity: 0.5 }] })
        .spans.length,
      1,
    );
  });
});

describe('files the commands read', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cpem-cli-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a prompt file that is a folder is named', () => {
    assert.throws(
      () => loadPromptFile(dir),
      (e) => isCpemError(e, 'INVALID_ARGUMENT') && /is a folder/.test((e as Error).message),
    );
  });

  it('a damaged cached track is named, with what to do', () => {
    const video = path.join(dir, 'clip.mp4');
    fs.writeFileSync(video, 'not really a video');
    const cache = path.join(dir, 'tracks');
    fs.mkdirSync(cache);
    const cached = trackFileFor(video, cache);
    fs.writeFileSync(cached, 'CPEMTRK1 but damaged');
    assert.throws(
      () => loadTrack(video, { cacheDir: cache }),
      (e) =>
        isCpemError(e, 'INVALID_ARGUMENT') &&
        (e as Error).message.includes(cached) &&
        /Delete it/.test((e as Error).message),
    );
    const file = path.join(dir, 'damaged.lmtrack');
    fs.writeFileSync(file, 'x');
    assert.throws(
      () => loadTrack(file),
      (e) => isCpemError(e) && (e as Error).message.includes(file) && /Delete it/.test((e as Error).message),
    );
  });

  it('a video that cannot be read is said to be one, not NO_FACE', () => {
    const video = path.join(dir, 'broken.mp4');
    fs.writeFileSync(video, 'not a video at all');
    assert.throws(
      () => loadTrack(video, { cacheDir: path.join(dir, 'no-cache') }),
      (e) => isCpemError(e, 'INVALID_ARGUMENT') && /cannot read/.test((e as Error).message),
    );
  });

  it('train: --config missing, a folder or not JSON, and --face-model missing', () => {
    const notJson = path.join(dir, 'bad.json');
    fs.writeFileSync(notJson, '{ name: oops');
    assertCliError(
      cli('training/cli/train.ts', ['--config', path.join(dir, 'missing.json')]),
      'INVALID_ARGUMENT',
      /--config .*missing\.json: no such file/,
    );
    assertCliError(cli('training/cli/train.ts', ['--config', dir]), 'INVALID_ARGUMENT', /is a folder/);
    assertCliError(cli('training/cli/train.ts', ['--config', notJson]), 'INVALID_ARGUMENT', /is not valid JSON/);
    const config = path.join(dir, 'config.json');
    fs.writeFileSync(
      config,
      JSON.stringify({ name: 'cli-errors-test', training: { steps: 1, persons: 2, framesPerPerson: 2 } }),
    );
    assertCliError(
      cli('training/cli/train.ts', [
        '--config',
        config,
        '--face-model',
        path.join(dir, 'none.bin'),
        '--out',
        path.join(dir, 'out'),
        '--backend',
        'cpu',
      ]),
      'WEIGHTS_MISSING',
      /none\.bin is missing \(--face-model\)/,
    );
  });

  it('teacher: a file that is not a .task model is WEIGHTS_CORRUPT, not BACKEND_UNAVAILABLE', () => {
    const video = path.join(dir, 'small.mp4');
    spawnSync('ffmpeg', [
      '-v',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      'testsrc=size=64x64:rate=10:duration=0.3',
      '-pix_fmt',
      'yuv420p',
      video,
    ]);
    const model = path.join(dir, 'model.task');
    fs.writeFileSync(model, 'not a model');
    assertCliError(
      cli('training/cli/teacher.ts', [
        video,
        '--teacher',
        model,
        '--out-dir',
        path.join(dir, 'teacher'),
        '--max-frames',
        '2',
      ]),
      'WEIGHTS_CORRUPT',
      /model\.task is not a MediaPipe \.task file/,
    );
  });
});
