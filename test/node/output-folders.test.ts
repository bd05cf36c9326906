// Output folders and run folders of the command lines: a run name never leaves .cache/train (a fresh run deletes its
// folder), output folders are checked before any work (under /proc, under a file, a dangling link) with a
// CpemError, and personalize's default folder is keyed by the clip's content.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { isCpemError } from '../../plugin/errors/cpem-error.js';
import { resolveRunConfig } from '../../training/lib/trainer/run-config.js';
import { runTraining } from '../../training/node/run-training.js';
import { outputDir, outputFile, personalizeDefaultDir, trainRunDir } from '../../training/node/output-folders.js';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'cpem-out-'));
const FACE_MODEL = path.resolve('weights', 'face-model.bin');

function cli(entry: string, args: string[]) {
  return spawnSync(process.execPath, ['tools/run-node.mjs', entry, '--', ...args], {
    encoding: 'utf8',
    timeout: 120_000,
  });
}

describe('run names', () => {
  for (const name of ['.', '..', '.hidden', 'a/b', '../x', '/tmp/x']) {
    it(`refuses ${JSON.stringify(name)} in a run config and as a run folder`, () => {
      assert.throws(
        () => resolveRunConfig({ name }),
        (e) => isCpemError(e, 'INVALID_ARGUMENT') && /name must be/.test((e as Error).message),
      );
      assert.throws(
        () => trainRunDir(name),
        (e) => isCpemError(e, 'INVALID_ARGUMENT'),
      );
    });
  }
  it('keeps ordinary names', () => {
    assert.equal(resolveRunConfig({ name: 'shipped-v1.2_a' }).name, 'shipped-v1.2_a');
    assert.equal(trainRunDir('shipped-v1.2_a'), path.join('.cache', 'train', 'shipped-v1.2_a'));
  });

  it("runTraining with the name '..' deletes nothing (it used to delete all of .cache)", async () => {
    await tf.setBackend('cpu');
    const dir = tmp();
    const cwd = process.cwd();
    try {
      fs.mkdirSync(path.join(dir, '.cache', 'tracks'), { recursive: true });
      fs.writeFileSync(path.join(dir, '.cache', 'tracks', 'keep.lmtrack'), 'x');
      fs.writeFileSync(path.join(dir, 'package.json'), '{"version":"0.0.0"}');
      process.chdir(dir);
      const run = {
        ...resolveRunConfig({ name: 'x', training: { steps: 1, persons: 2, framesPerPerson: 2 } }),
        name: '..',
      };
      await assert.rejects(
        runTraining(run, { outDir: path.join(dir, 'out'), command: 'test', faceModelFile: FACE_MODEL, log: () => {} }),
        (e) => isCpemError(e, 'INVALID_ARGUMENT'),
      );
      assert.ok(fs.existsSync(path.join(dir, '.cache', 'tracks', 'keep.lmtrack')), 'the track cache is still there');
    } finally {
      process.chdir(cwd);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('output folders', () => {
  it('are made where missing, and a folder under /proc, under a file or behind a dangling link is refused at once', () => {
    const dir = tmp();
    try {
      const file = path.join(dir, 'file');
      fs.writeFileSync(file, 'x');
      fs.symlinkSync(path.join(dir, 'nowhere'), path.join(dir, 'dangling'));
      assert.equal(outputDir(path.join(dir, 'a', 'b')), path.join(dir, 'a', 'b'));
      assert.ok(fs.statSync(path.join(dir, 'a', 'b')).isDirectory());
      assert.deepEqual(fs.readdirSync(path.join(dir, 'a', 'b')), [], 'the write probe is removed');
      for (const bad of [
        '/proc/cpem-out/x',
        '/proc',
        file,
        path.join(file, 'x'),
        path.join(dir, 'dangling'),
        path.join(dir, 'dangling', 'x'),
      ]) {
        const t0 = Date.now();
        assert.throws(
          () => outputDir(bad),
          (e) => isCpemError(e, 'INVALID_ARGUMENT') && (e as Error).message.includes(bad),
          bad,
        );
        assert.ok(Date.now() - t0 < 1000, `${bad} answered in ${Date.now() - t0} ms`);
      }
      assert.throws(() => outputFile(path.join(dir, 'a')), /is a folder/);
      assert.throws(
        () => outputFile(path.join(file, 'deeper', 'x.md')),
        (e) => isCpemError(e, 'INVALID_ARGUMENT'),
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('copy-assets into /proc, a file or a dangling link ends at once with INVALID_ARGUMENT and exit 1', () => {
    const dir = tmp();
    try {
      const file = path.join(dir, 'file');
      fs.writeFileSync(file, 'x');
      fs.symlinkSync(path.join(dir, 'nowhere'), path.join(dir, 'dangling'));
      for (const bad of ['/proc/cpem-assets', file, path.join(file, 'x'), path.join(dir, 'dangling')]) {
        const r = spawnSync(process.execPath, ['bin/babylon-cpem.mjs', 'copy-assets', bad], {
          encoding: 'utf8',
          timeout: 20_000,
        });
        assert.equal(r.status, 1, `${bad}: ${r.stdout}${r.stderr}`);
        assert.match(r.stderr, /^INVALID_ARGUMENT: copy-assets DIR /, bad);
        assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack');
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('train --out under /proc or under a file is refused before training', () => {
    const dir = tmp();
    try {
      const config = path.join(dir, 'config.json');
      fs.writeFileSync(
        config,
        JSON.stringify({ name: 'output-folders-test', training: { steps: 1, persons: 2, framesPerPerson: 2 } }),
      );
      fs.writeFileSync(path.join(dir, 'file'), 'x');
      for (const out of ['/proc/cpem-train', path.join(dir, 'file', 'out')]) {
        const r = cli('training/cli/train.ts', ['--config', config, '--out', out, '--backend', 'cpu']);
        assert.equal(r.status, 1, `${out}: ${r.stdout}${r.stderr}`);
        assert.match(r.stderr, /INVALID_ARGUMENT: --out /);
        assert.doesNotMatch(r.stderr, /training output-folders-test/, 'nothing trained');
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
      fs.rmSync(path.join('.cache', 'train', 'output-folders-test'), { recursive: true, force: true });
    }
  });

  it('personalize --out under /proc is refused before any work', () => {
    const dir = tmp();
    try {
      const video = path.join(dir, 'clip.mp4');
      spawnSync('ffmpeg', [
        '-v',
        'error',
        '-f',
        'lavfi',
        '-i',
        'testsrc=size=64x64:rate=10:duration=1',
        '-pix_fmt',
        'yuv420p',
        video,
      ]);
      const prompts = path.join(dir, 'prompts.json');
      fs.writeFileSync(
        prompts,
        JSON.stringify({
          format: 'babylon-cpem/prompts',
          spans: [
            { prompt: 'neutral', from: 0, to: 0.5 },
            { prompt: 'smile', from: 0.6, to: 0.9 },
          ],
        }),
      );
      const r = cli('training/cli/personalize.ts', [
        '--video',
        video,
        '--prompts',
        prompts,
        '--out',
        '/proc/cpem-personalize',
        '--backend',
        'cpu',
      ]);
      assert.equal(r.status, 1, `${r.stdout}${r.stderr}`);
      assert.match(r.stderr, /INVALID_ARGUMENT: --out \/proc\/cpem-personalize/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('file outputs of eval and track', () => {
  it('eval and track --out into a folder that cannot be made end with INVALID_ARGUMENT before any work; a missing folder is made', () => {
    const dir = tmp();
    try {
      fs.writeFileSync(path.join(dir, 'file'), 'x');
      for (const out of ['/proc/cpem-eval/evaluation.md', path.join(dir, 'file', 'evaluation.md')]) {
        const r = cli('training/cli/evaluate.ts', ['--out', out]);
        assert.equal(r.status, 1, `${out}: ${r.stdout}${r.stderr}`);
        assert.match(r.stderr, /^INVALID_ARGUMENT: --out /m);
        assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack');
      }
      const video = path.join(dir, 'clip.mp4');
      spawnSync('ffmpeg', [
        '-v',
        'error',
        '-f',
        'lavfi',
        '-i',
        'testsrc=size=64x64:rate=10:duration=0.3',
        '-pix_fmt',
        'yuv420p',
        video,
      ]);
      const track = cli('training/cli/track.ts', [video, '--out', '/proc/cpem-track/clip.lmtrack']);
      assert.equal(track.status, 1, track.stderr);
      assert.match(track.stderr, /^INVALID_ARGUMENT: --out \/proc\/cpem-track/m);
      assert.equal(outputFile(path.join(dir, 'new', 'evaluation.md')), path.join(dir, 'new', 'evaluation.md'));
      assert.ok(fs.statSync(path.join(dir, 'new')).isDirectory());
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("personalize's default folder", () => {
  it('is keyed by the clip and prompts, so another clip under the same name does not overwrite it', () => {
    const dir = tmp();
    try {
      const a = path.join(dir, 'a', 'me.mp4');
      const b = path.join(dir, 'b', 'me.mp4');
      fs.mkdirSync(path.dirname(a));
      fs.mkdirSync(path.dirname(b));
      fs.writeFileSync(a, 'first recording');
      fs.writeFileSync(b, 'second recording');
      const da = personalizeDefaultDir(a, 'p');
      assert.equal(path.dirname(da), path.join('.cache', 'personalize'));
      assert.match(path.basename(da), /^me\.[0-9a-f]{16}$/);
      assert.notEqual(da, personalizeDefaultDir(b, 'p'));
      assert.notEqual(da, personalizeDefaultDir(a, 'other prompts'));
      assert.equal(da, personalizeDefaultDir(a, 'p'));
      // A clip named '..' still names a folder inside .cache/personalize.
      const dots = path.join(dir, '..mp4');
      fs.writeFileSync(dots, 'x');
      assert.equal(path.dirname(personalizeDefaultDir(dots, 'p')), path.join('.cache', 'personalize'));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
