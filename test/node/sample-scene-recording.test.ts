// The sample scene's Record panel in headless Chromium, its webcam a fake camera playing the marked clip
// (test/support/marked-clip.ts): a take of the digital double is recorded, stopped into a clip that plays back on the
// double (the behavior no longer writes to it), and downloaded as a GLB that the bake's checks accept: the Khronos
// validator, Babylon's loader with tracks within the reduction tolerance of the recorded influences, three.js.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { sampleSceneSession } from '../support/sample-scene-session.js';
import { CLIP_SOURCE, makeMarkedClip } from '../support/marked-clip.js';
import { largestTrackError, loadGlbInBabylon, loadGlbInThree, trackAt, validateGlb } from '../support/glb-checks.js';
import type { TakeUnitsJson } from '../../plugin/recording/take-formats.js';

const CLIP = path.resolve('.cache', 'e2e', 'liveportrait_d3-marked.y4m');

describe('sample scene: record, play and download a take', () => {
  const session = sampleSceneSession(CLIP_SOURCE, CLIP, () => makeMarkedClip(CLIP));

  it('records the double from a fake camera, plays the clip back on it and downloads a GLB the checks accept', {
    timeout: 300_000,
  }, async (t) => {
    if (!session.available) return t.skip(`${CLIP_SOURCE} is not present`);
    const { page, errors } = await session.openRunning('?backend=wasm', {
      viewport: { width: 1280, height: 760 },
      acceptDownloads: true,
    });

    // Record a whole loop of the clip (5.7 s), however many frames the machine estimates in it.
    await page.click('#recordButton');
    await page.waitForFunction(
      () => {
        const r = (window as any).cpemSample.recording.recorder;
        return r.durationMs >= 6500 && r.frameCount >= 20;
      },
      null,
      { timeout: 120_000, polling: 200 },
    );
    await page.click('#stopButton');
    const info = await page.locator('#takeInfo').innerText();
    t.diagnostic(info);
    const m = info.match(/take 1: ([\d.]+) s, (\d+) frames, keys (\d+) → (\d+) \(largest error ([\d.]+)\)/);
    assert.ok(m, info);
    const [seconds, frames, keysBefore, keysAfter, largest] = m.slice(1).map(Number);
    assert.ok(seconds >= 6.5 && frames >= 20);
    assert.ok(keysAfter < keysBefore, `reduction: ${keysBefore} → ${keysAfter} keys`);
    assert.ok(largest <= 0.01);

    // Play: the clip's animations write the double's targets and head; the behavior holds off.
    await page.click('#playButton');
    await page.waitForTimeout(300);
    const playback = await page.evaluate(async () => {
      const { behavior, recording, doubleMesh } = (window as any).cpemSample;
      const group = recording.take.clip.group;
      const manager = doubleMesh.morphTargetManager;
      const out: Array<{ influence: number; clip: number }> = [];
      for (let k = 0; k < 12; k++) {
        await new Promise((r) => setTimeout(r, 250));
        let worst = { influence: 0, clip: 0 };
        for (let i = 0; i < manager.numTargets; i++) {
          const target = manager.getTarget(i);
          const ta = group.targetedAnimations.find((x: any) => x.target === target);
          const value = ta.animation.runtimeAnimations[0].currentValue;
          if (Math.abs(target.influence - value) >= Math.abs(worst.influence - worst.clip))
            worst = { influence: target.influence, clip: value };
        }
        out.push(worst);
      }
      return { drives: behavior.drivesCharacter, playing: group.isPlaying, state: behavior.state, samples: out };
    });
    assert.equal(playback.drives, false);
    assert.equal(playback.playing, true);
    assert.equal(playback.state, 'paused');
    for (const s of playback.samples)
      assert.ok(Math.abs(s.influence - s.clip) < 1e-6, `a target shows ${s.influence}, its clip ${s.clip}`);

    // Download the GLB (and read the take's units, as the CSV's source) and check it as the bake spec does.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#downloadGlbButton')]);
    assert.equal(download.suggestedFilename(), 'take-1.glb');
    const glb = new Uint8Array(fs.readFileSync((await download.path())!));
    const [csvDownload] = await Promise.all([page.waitForEvent('download'), page.click('#downloadCsvButton')]);
    const csv = fs
      .readFileSync((await csvDownload.path())!, 'utf8')
      .trim()
      .split('\n');
    const take = (await page.evaluate(() => (window as any).cpemSample.recording.unitsJson())) as TakeUnitsJson;
    assert.equal(csv.length - 1, take.frames.length);
    assert.equal(csv[0].split(',').length, 63);
    assert.deepEqual(errors, []);

    const report = await validateGlb(glb);
    assert.equal(report.errors, 0, report.messages.join('\n'));
    const loaded = await loadGlbInBabylon(glb);
    try {
      assert.equal(loaded.groups.length, 1);
      const { error, tracks } = largestTrackError(loaded, take);
      t.diagnostic(`${tracks} morph-target tracks, largest |track - recorded| ${error.toFixed(5)}`);
      assert.equal(tracks, 46);
      assert.ok(error <= 0.0101, `largest |track - recorded| ${error}`);
      const jaw = loaded.morphTracks.find((x) => x.target.name === 'jawOpen')!;
      const values = take.frames.map((f) => trackAt(jaw, f.timeMs));
      assert.ok(
        Math.max(...values) - Math.min(...values) > 0.1,
        `the jaw moves over the take (${Math.min(...values).toFixed(2)}..${Math.max(...values).toFixed(2)})`,
      );
      const three = await loadGlbInThree(glb);
      assert.equal(three.animations, 1);
      assert.deepEqual(
        three.morphTracks.map((x) => x.targets),
        [46],
        "one weights track with the double's 46 targets",
      );
      assert.equal(three.morphTracks.length, loaded.morphMeshes.size);
    } finally {
      loaded.engine.dispose();
    }
  });
});
