// The by-eye labelled real frames (test/data/real-frame-labels.json) that the accuracy report scores against.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { isExpressionUnitName } from '../../plugin/units/expression-units.js';

interface LabelledFrame { clip: string; frame: number; time: number; neutral: boolean; labels: Record<string, number> }
const doc = JSON.parse(fs.readFileSync('test/data/real-frame-labels.json', 'utf8')) as {
  categories: Record<string, string[]>;
  clips: Record<string, { fps: number; split: 'tune' | 'report' }>;
  frames: LabelledFrame[];
};
const videos = path.resolve('..', 'shared', 'videos');

describe('real-frame labels', () => {
  it('covers the nine categories with 150+ expressive frames and 20+ neutral ones', () => {
    assert.deepEqual(Object.keys(doc.categories).sort(), ['browsLowered', 'browsRaised', 'cheekPuff', 'eyesClosed', 'frown', 'jawOpen', 'noseWrinkle', 'pucker', 'smile']);
    for (const units of Object.values(doc.categories)) for (const u of units) assert.ok(isExpressionUnitName(u), u);
    const expressive = doc.frames.filter((f) => !f.neutral);
    assert.ok(expressive.length >= 150, `${expressive.length} expressive frames`);
    assert.ok(doc.frames.filter((f) => f.neutral).length >= 20);
    for (const f of doc.frames) {
      assert.deepEqual(Object.keys(f.labels).sort(), Object.keys(doc.categories).sort());
      for (const v of Object.values(f.labels)) assert.ok(v >= 0 && v <= 1);
      if (f.neutral) assert.ok(Object.values(f.labels).every((v) => v === 0), `${f.clip}@${f.frame} neutral with labels`);
      else assert.ok(Object.values(f.labels).some((v) => v > 0), `${f.clip}@${f.frame} has no label`);
    }
  });

  it('splits clips (never frames) into tune and report halves of similar size', () => {
    const frames = (split: string) => doc.frames.filter((f) => doc.clips[f.clip].split === split);
    for (const f of doc.frames) assert.ok(doc.clips[f.clip], `clip ${f.clip} has no split`);
    const tune = frames('tune').length;
    const report = frames('report').length;
    assert.ok(Math.abs(tune - report) < 0.2 * (tune + report), `${tune} vs ${report}`);
    assert.ok(frames('report').filter((f) => f.neutral).length >= 10);
  });

  it('references frames that exist in ../shared/videos (skipped when absent)', (t) => {
    if (!fs.existsSync(videos)) return t.skip('../shared/videos is absent');
    for (const [clip, info] of Object.entries(doc.clips)) {
      const file = path.join(videos, clip);
      assert.ok(fs.existsSync(file), `${clip} is missing`);
      const count = Number(execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-count_packets', '-show_entries', 'stream=nb_read_packets', '-of', 'csv=p=0', file]).toString().trim());
      for (const f of doc.frames.filter((x) => x.clip === clip)) {
        assert.ok(f.frame < count, `${clip}@${f.frame} beyond ${count} frames`);
        assert.ok(Math.abs(f.time - f.frame / info.fps) < 0.01);
      }
    }
  });
});
