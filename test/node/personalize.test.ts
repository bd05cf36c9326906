// The personalisation core (training/lib/personalize/) in Node: the evaluation's prompt files, prompt-file errors, the
// capture analysis on a real clip's tracked frames (ramp and plateau found from the landmarks; no face; no change
// from neutral), the person's training clip, and a few fine-tuning steps of the shipped network on it.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { isCpemError } from '../../plugin/errors/cpem-error.js';
import { PeNet } from '../../plugin/estimator/pe-net.js';
import type { FaceModelTensors } from '../../plugin/face-model/face-model-tensors.js';
import { expressionUnitIndex } from '../../plugin/units/expression-units.js';
import { loadTrack } from '../../training/node/track-cache.js';
import { modelFilesHandler } from '../../training/node/model-files.js';
import { scoreBeforeAfter } from '../../training/lib/personalize/before-after.js';
import { analyseCapture } from '../../training/lib/personalize/capture-analysis.js';
import { capturesFromTrack } from '../../training/lib/personalize/clip-capture.js';
import { personalize, personalizationSettings } from '../../training/lib/personalize/fine-tune.js';
import { parsePromptFile, readPromptFileText } from '../../training/lib/personalize/prompt-file.js';
import { promptSpec } from '../../training/lib/personalize/prompts.js';
import { captureAlignment, loadFaceModelTensors } from '../../training/node/personalize/personalize-clip.js';
import { personClip } from '../../training/lib/personalize/targets.js';
import { sharedPath } from '../../training/node/shared-data.js';

const labels = JSON.parse(fs.readFileSync('test/data/real-frame-labels.json', 'utf8')) as {
  clips: Record<string, { fps: number; split: string; person: string }>;
  frames: Array<{ clip: string; frame: number }>;
};
const VIDEO = path.resolve(sharedPath('videos', 'liveportrait_d10.mp4'));

function throwsInvalid(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => isCpemError(e) && e.code === 'INVALID_ARGUMENT' && pattern.test(e.message));
}

describe('personalisation: prompt files', () => {
  it('docs/personalize holds a prompt file for each of 6+ people, with 4+ expressions and labelled frames after its last span', () => {
    const files = fs.readdirSync('docs/personalize').filter((f) => f.endsWith('.json'));
    const people = new Set<string>();
    for (const f of files) {
      const file = readPromptFileText(fs.readFileSync(path.join('docs/personalize', f), 'utf8'), f);
      const clip = labels.clips[file.video!];
      assert.ok(clip, `${f}: ${file.video} is in the label set`);
      const expressions = new Set(file.spans.flatMap((s) => s.spec.prompts).filter((p) => p !== 'neutral'));
      assert.ok(expressions.size >= 4, `${f}: ${[...expressions]}`);
      const after = labels.frames.filter((l) => l.clip === file.video && l.frame > file.spans.at(-1)!.to * clip.fps);
      assert.ok(after.length >= 5, `${f}: ${after.length} labelled frames after the last span`);
      people.add(clip.person);
    }
    assert.ok(people.size >= 6, `${people.size} people`);
    assert.ok(
      [...people].filter((p) => Object.values(labels.clips).some((c) => c.person === p && c.split === 'report'))
        .length >= 6,
      'six of them in the report half',
    );
  });

  it('lists every problem of a prompt file at once, naming the span', () => {
    throwsInvalid(() => parsePromptFile({ spans: [] }), /at least one/);
    const bad = {
      format: 'other',
      extra: 1,
      spans: [
        { prompt: 'grin', from: 0, to: 1 },
        { prompt: 'smile', from: 2, to: 1 },
        { prompt: ['smile', 'neutral'], from: 3, to: 4 },
        { prompt: 'pucker', from: 5, to: 6, intensity: 2 },
        { prompt: 'jawOpen', from: 7, to: 8 },
        { prompt: 'browsUp', from: 7.5, to: 9 },
      ],
    };
    try {
      parsePromptFile(bad, 'me.json');
      assert.fail('no error');
    } catch (e) {
      assert.ok(isCpemError(e) && e.code === 'INVALID_ARGUMENT');
      const m = (e as Error).message;
      for (const part of [
        /^me\.json/,
        /"format"/,
        /unknown field "extra"/,
        /span 1: unknown prompt "grin"/,
        /span 2 \(smile\)/,
        /span 3: neutral cannot be combined/,
        /span 4: .*intensity of pucker/,
        /overlap/,
      ])
        assert.match(m, part);
    }
    throwsInvalid(() => readPromptFileText('{ "spans": ', 'x.json'), /x\.json is not JSON/);
  });
});

describe('personalisation on a tracked clip', {
  skip: fs.existsSync(VIDEO) ? false : '../shared/videos is not here',
}, () => {
  let model: FaceModelTensors;
  let base: PeNet;
  before(async () => {
    await tf.setBackend('cpu');
    model = (await loadFaceModelTensors()).tensors;
    base = await PeNet.load(modelFilesHandler(path.join('weights', 'pe-net', 'model.json')));
  });
  after(() => {
    base?.dispose();
    model?.dispose();
  });

  const file = () => readPromptFileText(fs.readFileSync('docs/personalize/liveportrait_d10.json', 'utf8'));

  it("finds each prompt's held frames and ramp from the landmarks, and says when a prompt has no face or no change", () => {
    const track = loadTrack(VIDEO);
    const captures = capturesFromTrack(track, file(), 'liveportrait_d10.mp4');
    const analysis = analyseCapture(captures, { alignment: captureAlignment(model), holdout: 'last-third' });
    assert.equal(analysis.reference, 'neutral');
    for (const p of analysis.prompts) {
      assert.equal(p.status, 'ok', `${p.label}: ${p.message}`);
      if (p.spec.prompts[0] !== 'neutral') {
        assert.ok(
          p.frames.some((f) => f.role === 'plateau'),
          p.label,
        );
        assert.ok(
          p.plateauMotion > p.restMotion,
          `${p.label}: ${p.plateauMotion} mm against ${p.restMotion} mm at rest`,
        );
      }
      assert.ok(
        p.frames.some((f) => f.heldOut) && p.frames.some((f) => !f.heldOut),
        `${p.label}: some frames held out`,
      );
    }
    // The long "worried" span (1.25 s) has a way in: frames below the plateau, found from its own motion.
    const worried = analysis.prompts.at(-1)!;
    assert.ok(
      worried.frames.filter((f) => f.role !== 'plateau').length > 0,
      JSON.stringify(worried.frames.map((f) => f.role)),
    );

    // A smile asked for while the face still rests (the neutral span's own frames): no change from neutral.
    const stillCaptures = [
      captures[0],
      { spec: promptSpec(['smile']), frames: captures[0].frames.map((f) => ({ ...f })) },
    ];
    const noChange = analyseCapture(stillCaptures, { alignment: captureAlignment(model) });
    assert.equal(noChange.prompts[1].status, 'no-change');
    assert.match(noChange.prompts[1].message!, /looks like your neutral face .* retake it/);
    throwsInvalid(() => personClip('x', stillCaptures, noChange), /No prompt besides the neutral face/);

    // A prompt without a face says so; with no face anywhere, the analysis throws NO_FACE.
    const faceless = captures.map((c, i) =>
      i === 1 ? { ...c, frames: c.frames.map((f) => ({ ...f, landmarks: null })) } : c,
    );
    const a2 = analyseCapture(faceless, { alignment: captureAlignment(model) });
    assert.equal(a2.prompts[1].status, 'no-face');
    assert.match(a2.prompts[1].message!, /No face in 0 of \d+ frames/);
    assert.throws(
      () =>
        analyseCapture(
          captures.map((c) => ({ ...c, frames: c.frames.map((f) => ({ ...f, landmarks: null })) })),
          { alignment: captureAlignment(model) },
        ),
      (e: unknown) => isCpemError(e) && e.code === 'NO_FACE',
    );
    throwsInvalid(
      () => capturesFromTrack(track, parsePromptFile({ spans: [{ prompt: 'smile', from: 100, to: 101 }] }), 'the clip'),
      /smile at 100-101 s holds no frame/,
    );
  });

  it("fine-tunes a copy of the shipped network on the person's frames: their target term falls, the base is untouched, no tensor leaks", async () => {
    const track = loadTrack(VIDEO);
    const captures = capturesFromTrack(track, file(), 'liveportrait_d10.mp4');
    const analysis = analyseCapture(captures, { alignment: captureAlignment(model), holdout: 'last-third' });
    const settings = personalizationSettings({ steps: 16, logEvery: 1 });
    const clip = personClip('liveportrait_d10.mp4', captures, analysis, settings);
    assert.ok(clip.targeted > 10 && clip.clip.frames.length >= clip.targeted);
    // A smile frame's target: the smile units towards the span's intensity, an unrelated unit held at 0, jaw open
    // (prompted with it) towards its own.
    const smileRow = clip.sources.findIndex(
      (s) =>
        analysis.prompts[s.prompt].spec.prompts.join() === 'smile,jawOpen' &&
        analysis.prompts[s.prompt].frames[s.frame].role === 'plateau',
    );
    const u = clip.clip.targets!.units!;
    assert.ok(smileRow >= 0);
    assert.equal(u.values[smileRow][expressionUnitIndex('mouthSmile_L')], Math.fround(0.4));
    assert.equal(u.masks[smileRow][expressionUnitIndex('mouthSmile_L')], 1);
    assert.equal(u.values[smileRow][expressionUnitIndex('mouthPucker')], 0);
    assert.equal(u.masks[smileRow][expressionUnitIndex('mouthPucker')], Math.fround(settings.leaveAloneWeight));

    const before = (await base.toArtifacts()).weightData as ArrayBuffer;
    const tensors = tf.memory().numTensors;
    const trainer = await personalize(base, model, clip.clip, settings);
    try {
      const target = trainer.log.rows.filter((r) => r.terms.teacher !== undefined).map((r) => r.terms.teacher);
      assert.ok(target.length >= 4, "the person's batches carry their targets");
      const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
      assert.ok(mean(target.slice(-3)) < mean(target.slice(0, 3)), `target term ${target.map((v) => v.toFixed(3))}`);
      assert.deepEqual(
        new Uint8Array((await base.toArtifacts()).weightData as ArrayBuffer),
        new Uint8Array(before),
        'the shipped network is untouched',
      );
      const scores = await scoreBeforeAfter(base, trainer.net, captures, analysis);
      assert.equal(scores.rows.length, analysis.prompts.length);
      assert.ok(
        scores.rows.every(
          (r) =>
            r.frames > 0 && Number.isFinite(r.before.largestOther.value) && Number.isFinite(r.after.largestOther.value),
        ),
      );
    } finally {
      trainer.dispose();
    }
    assert.equal(tf.memory().numTensors, tensors);
  });

  it("averages several fine-tunings: members 2 holds the mean of the seed and seed + 1 runs' weights", async () => {
    throwsInvalid(() => personalizationSettings({ members: 0 }), /members must be a positive integer; got 0/);
    throwsInvalid(() => personalizationSettings({ members: 1.5 }), /members must be a positive integer/);
    const track = loadTrack(VIDEO);
    const captures = capturesFromTrack(track, file(), 'liveportrait_d10.mp4');
    const analysis = analyseCapture(captures, { alignment: captureAlignment(model), holdout: 'last-third' });
    const settings = personalizationSettings({ steps: 3, logEvery: 1, seed: 5 });
    const clip = personClip('liveportrait_d10.mp4', captures, analysis, settings).clip;
    const tensors = tf.memory().numTensors;
    const weights = async (s: typeof settings) => {
      const members: number[] = [];
      const trainer = await personalize(base, model, clip, s, (_, member) => members.push(member));
      try {
        return {
          values: await Promise.all(trainer.net.trainableVariables.map((v) => v.data() as Promise<Float32Array>)),
          members: [...new Set(members)],
        };
      } finally {
        trainer.dispose();
      }
    };
    const a = await weights(settings);
    const b = await weights({ ...settings, seed: 6 });
    const mean = await weights({ ...settings, members: 2 });
    assert.deepEqual(a.members, [0]);
    assert.deepEqual(mean.members, [0, 1], 'both members log their rows');
    let largest = 0,
      apart = 0;
    mean.values.forEach((m, i) =>
      m.forEach((v, j) => {
        largest = Math.max(largest, Math.abs(v - (a.values[i][j] + b.values[i][j]) / 2));
        apart = Math.max(apart, Math.abs(a.values[i][j] - b.values[i][j]));
      }),
    );
    assert.ok(apart > 1e-4, `the two seeds train apart (${apart})`);
    assert.ok(largest < 1e-5, `largest difference from the mean ${largest}`);
    assert.equal(tf.memory().numTensors, tensors);
  });
});
