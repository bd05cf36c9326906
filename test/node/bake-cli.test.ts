// `npx babylon-cpem bake` end to end, as a user runs it (the built bin and dist, plain Node): a ../shared clip baked
// onto the ../shared avatar, its GLB checked by the Khronos validator, Babylon and three.js, its jaw against the
// tracker's lip gap; and each bad input refused with its CpemError code, writing nothing for it.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import '@tensorflow/tfjs-backend-wasm';
import { FaceTracker } from '../../plugin/tracker/face-tracker.js';
import type { TakeUnitsJson } from '../../plugin/recording/take-formats.js';
import { LIVE_LINK_BLENDSHAPES } from '../../plugin/recording/take-formats.js';
import { decodeVideo } from '../../plugin/node/ffmpeg-frames.js';
import {
  correlation,
  largestTrackError,
  loadGlbInBabylon,
  loadGlbInThree,
  trackAt,
  validateGlb,
} from '../support/glb-checks.js';
import { characterGlb } from '../support/test-characters.js';
import { sharedPath } from '../../training/node/shared-data.js';

const CLIP = path.resolve(sharedPath('videos', 'liveportrait_d0.mp4'));
const AVATAR = path.resolve(sharedPath('avatars', 'rpm_brunette-t.glb'));
const MISSING =
  !fs.existsSync(CLIP) || !fs.existsSync(AVATAR)
    ? 'needs ../shared/videos/liveportrait_d0.mp4 and ../shared/avatars/rpm_brunette-t.glb'
    : false;
const FRAMES = 75;

function bake(args: string[], env: NodeJS.ProcessEnv = process.env) {
  const r = spawnSync(process.execPath, [path.resolve('bin', 'babylon-cpem.mjs'), 'bake', ...args], {
    encoding: 'utf8',
    env,
    timeout: 150_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('npx babylon-cpem bake', () => {
  const dir = fs.mkdtempSync(path.resolve('.cache', 'bake-spec-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  describe('a clip onto the avatar, beside a video without a face and a file that is no video', {
    skip: MISSING,
  }, () => {
    const out = path.join(dir, 'out');
    let run: ReturnType<typeof bake>;
    let glb: Uint8Array;
    let take: TakeUnitsJson;
    before(() => {
      const noFace = path.join(dir, 'empty-room.mp4');
      const lavfi = spawnSync('ffmpeg', [
        '-v',
        'error',
        '-f',
        'lavfi',
        '-i',
        'testsrc=size=256x256:rate=25:duration=0.4',
        '-pix_fmt',
        'yuv420p',
        noFace,
      ]);
      assert.equal(lavfi.status, 0, String(lavfi.stderr));
      const notVideo = path.join(dir, 'notes.mp4');
      fs.writeFileSync(notVideo, 'these are lines of dialogue, not a video\n');
      run = bake([
        CLIP,
        noFace,
        notVideo,
        '--character',
        AVATAR,
        '--out',
        out,
        '--max-frames',
        String(FRAMES),
        '--csv',
      ]);
      glb = new Uint8Array(fs.readFileSync(path.join(out, 'liveportrait_d0.glb')));
      take = JSON.parse(fs.readFileSync(path.join(out, 'liveportrait_d0.units.json'), 'utf8'));
    });

    it("writes the clip's GLB, CSV and units, and for the other two says why and writes nothing", () => {
      assert.equal(run.status, 1, 'exit 1: two of three videos failed');
      assert.deepEqual(fs.readdirSync(out).sort(), [
        'liveportrait_d0.csv',
        'liveportrait_d0.glb',
        'liveportrait_d0.units.json',
      ]);
      assert.match(run.stderr, /empty-room\.mp4: NO_FACE: .*no face in any of its 10 frames; nothing was written/);
      assert.match(run.stderr, /notes\.mp4: VIDEO_UNREADABLE: .*not a video/);
      const summary = run.stdout.match(
        /(\d+) frames \((\d+) with a face.*keys (\d+) -> (\d+) \(largest error: influence ([\d.]+)/,
      );
      assert.ok(summary, run.stdout);
      const [frames, faces, before, afterKeys, error] = summary.slice(1).map(Number);
      assert.equal(frames, FRAMES);
      assert.ok(faces >= FRAMES - 2, `a face in ${faces} of ${FRAMES} frames`);
      assert.ok(afterKeys < before / 3, `reduction keeps ${afterKeys} of ${before} keys`);
      assert.ok(error <= 0.01, `largest influence error ${error} within the 0.01 tolerance`);
      assert.equal(take.frames.length, faces);
      assert.equal(take.units.length, 46);
    });

    it('passes the Khronos glTF validator with no errors', async () => {
      const report = await validateGlb(glb);
      assert.equal(report.errors, 0, report.messages.join('\n'));
    });

    it('loads back in Babylon with one animation group whose morph-target tracks match the recorded influences within the tolerance', async (t) => {
      const loaded = await loadGlbInBabylon(glb);
      try {
        assert.equal(loaded.groups.length, 1);
        assert.ok(
          loaded.groups[0].targetedAnimations.some((ta) => ta.animation.targetProperty === 'rotationQuaternion'),
          'the head turns',
        );
        const { error, tracks } = largestTrackError(loaded, take);
        t.diagnostic(`${tracks} morph-target tracks, largest |track - recorded| ${error.toFixed(5)}`);
        assert.ok(tracks >= 52, `${tracks} morph-target tracks bound to table rows`);
        assert.ok(error <= 0.0101, `largest |track - recorded| ${error.toFixed(4)} over ${take.frames.length} frames`);
        // The CSV's JawOpen (Live Link Face layout) is the recorded jawOpen the track follows.
        const csv = fs
          .readFileSync(path.join(out, 'liveportrait_d0.csv'), 'utf8')
          .trim()
          .split('\n')
          .map((l) => l.split(','));
        assert.deepEqual(csv[0].slice(0, 3), ['Timecode', 'BlendShapeCount', 'EyeBlinkLeft']);
        assert.equal(csv[0].length, 2 + 61);
        assert.equal(csv.length - 1, take.frames.length);
        const jawColumn = csv[0].indexOf('JawOpen');
        assert.equal(jawColumn, 2 + LIVE_LINK_BLENDSHAPES.indexOf('JawOpen'));
        const jaw = loaded.morphTracks.find((t) => t.target.name === 'jawOpen' && t.mesh.startsWith('Wolf3D_Head'))!;
        take.frames.forEach((f, k) =>
          assert.ok(Math.abs(Number(csv[k + 1][jawColumn]) - trackAt(jaw, f.timeMs)) <= 0.0101, `frame ${k}`),
        );
      } finally {
        loaded.engine.dispose();
      }
    });

    it('opens the jaw where the tracked lips part, and three.js loads the same morph-target tracks', async (t) => {
      // The tracker's inner-lip gap (landmarks 13 and 14) over the eye-corner distance (33, 263), frame by frame.
      const tracker = await FaceTracker.create({ backend: 'wasm' });
      const gap = new Map<number, number>();
      for await (const f of decodeVideo(CLIP, { maxFrames: FRAMES })) {
        const r = await tracker.track({ data: f.data, width: f.width, height: f.height, channels: 3 });
        const lm = r.faces[0]?.landmarks;
        if (lm)
          gap.set(
            Math.round(f.time * 1000),
            Math.hypot(lm[13 * 3] - lm[14 * 3], lm[13 * 3 + 1] - lm[14 * 3 + 1]) /
              Math.hypot(lm[33 * 3] - lm[263 * 3], lm[33 * 3 + 1] - lm[263 * 3 + 1]),
          );
      }
      tracker.dispose();
      const loaded = await loadGlbInBabylon(glb);
      try {
        const jaw = loaded.morphTracks.find((t) => t.target.name === 'jawOpen' && t.mesh.startsWith('Wolf3D_Head'))!;
        const pairs = take.frames
          .map((f) => [trackAt(jaw, f.timeMs), gap.get(Math.round(f.timeMs + take.startMs))] as const)
          .filter(([, g]) => g !== undefined) as Array<[number, number]>;
        assert.ok(pairs.length >= FRAMES - 5);
        const r = correlation(
          pairs.map((p) => p[0]),
          pairs.map((p) => p[1]),
        );
        const byGap = [...pairs].sort((a, b) => a[1] - b[1]);
        const q = Math.floor(byGap.length / 4);
        const mean = (xs: Array<[number, number]>) => xs.reduce((s, p) => s + p[0], 0) / xs.length;
        const open = mean(byGap.slice(-q));
        const closed = mean(byGap.slice(0, q));
        t.diagnostic(
          `jaw track vs lip gap: r = ${r.toFixed(3)}; jaw ${open.toFixed(3)} (widest quarter) vs ${closed.toFixed(3)} (narrowest)`,
        );
        assert.ok(r > 0.5, `jaw track vs lip gap: r = ${r.toFixed(2)}`);
        assert.ok(
          open > closed + 0.05,
          `jaw ${open.toFixed(3)} where the lips part most, ${closed.toFixed(3)} where least`,
        );

        const three = await loadGlbInThree(glb);
        assert.equal(three.animations, 1);
        assert.equal(three.morphTracks.length, loaded.morphMeshes.size, 'one weights track per mesh in both engines');
        const perMesh = new Map<string, number>();
        for (const t of loaded.morphTracks) perMesh.set(t.mesh, (perMesh.get(t.mesh) ?? 0) + 1);
        assert.deepEqual(
          three.morphTracks.map((t) => t.targets).sort(),
          [...perMesh.values()].sort(),
          'the same morph-target tracks per mesh',
        );
      } finally {
        loaded.engine.dispose();
      }
    });
  });

  it('refuses before any decoding: ffmpeg absent, an unwritable output folder, a character with nothing to drive', {
    skip: MISSING,
  }, async () => {
    // PATH with node alone: no ffmpeg.
    const bin = path.join(dir, 'bin-without-ffmpeg');
    fs.mkdirSync(bin);
    fs.symlinkSync(process.execPath, path.join(bin, 'node'));
    const out = path.join(dir, 'never');
    const noFfmpeg = bake([CLIP, '--character', AVATAR, '--out', out], { ...process.env, PATH: bin });
    assert.equal(noFfmpeg.status, 1);
    assert.match(noFfmpeg.stderr, /DEPENDENCY_MISSING: ffmpeg is not on the PATH.*apt-get install -y ffmpeg/);
    assert.ok(!fs.existsSync(out), 'no output folder made');

    const file = path.join(dir, 'a-file');
    fs.writeFileSync(file, '');
    const unwritable = bake([CLIP, '--character', AVATAR, '--out', path.join(file, 'clips')]);
    assert.equal(unwritable.status, 1);
    assert.match(unwritable.stderr, /OUTPUT_UNWRITABLE: .*a-file is a file/);

    const box = path.join(dir, 'box.glb');
    fs.writeFileSync(box, await characterGlb({ morphTargets: [], head: false }));
    const nothing = bake([CLIP, '--character', box, '--out', path.join(dir, 'box-out')]);
    assert.equal(nothing.status, 1);
    assert.match(nothing.stderr, /NO_MORPH_TARGETS: .*neither morph targets nor a head node/);
    assert.deepEqual(fs.readdirSync(path.join(dir, 'box-out')), []);
  });
});
