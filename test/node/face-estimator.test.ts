// The estimator chain on landmarks made by projecting the face model's 478 points (no tracker needed), with
// real PE-Nets: a random one for shapes, timings and tensor hygiene, and one with hand-set head biases whose
// outputs are known, to check the conversion of PE-Net's face-box pose into pixels and millimetres.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { FaceEstimator } from '../../plugin/estimator/face-estimator.js';
import { PeNet } from '../../plugin/estimator/pe-net.js';
import { ALIGNED_FEATURE_SIZE } from '../../plugin/estimator/landmark-features.js';
import { FaceModel } from '../../plugin/face-model/face-model.js';
import { projectPoints } from '../../plugin/geometry/head-pose.js';
import { isCpemError } from '../../plugin/errors/cpem-error.js';
import { FaceTracker } from '../../plugin/tracker/face-tracker.js';
import { mirrorFaceLandmarks } from '../../plugin/landmarks/face-mesh-mirror.js';
import { MIRRORED_UNIT_INDEX } from '../../plugin/units/expression-units.js';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { NUM_FACE_LANDMARKS, NUM_MESH_POINTS } from '../../plugin/constants.js';
import { sharedPath } from '../../training/node/shared-data.js';

const CONFIG = { inputSize: 956, hidden: [32], numIdentity: 80, numExpression: 46 };

/** Face-model landmarks (478 × 3, image px) for a head at (cx, cy) with `scale` px/mm, rotated and expressing `beta`. */
function landmarks(
  model: FaceModel,
  beta: number[],
  rotation: number[],
  cx: number,
  cy: number,
  scale: number,
): Float32Array {
  const points = model.faceMeshLandmarksOf(model.decode(undefined, beta));
  const uv = projectPoints(points, rotation, [cx, cy, Math.log(scale)]);
  const out = new Float32Array(NUM_FACE_LANDMARKS * 3);
  for (let i = 0; i < NUM_FACE_LANDMARKS; i++) {
    out[i * 3] = uv[i * 2];
    out[i * 3 + 1] = uv[i * 2 + 1];
    out[i * 3 + 2] = scale * points[i * 3 + 2];
  }
  return out;
}

/** A PE-Net whose outputs ignore the input: every kernel 0, head biases as given (β = gain · σ(bias), gain 1). */
async function constantNet(bias: { rotation: number[]; translation: number[]; expression: number[] }): Promise<PeNet> {
  const net = PeNet.create(CONFIG, 1);
  const artifacts = await net.toArtifacts();
  net.dispose();
  const values = new Float32Array((artifacts.weightData as ArrayBuffer).slice(0));
  let offset = 0;
  for (const spec of artifacts.weightSpecs!) {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const head = spec.name.split('/')[0] as keyof typeof bias;
    // Kernels to 0, head biases as given, other biases 0; fixed weights (input standardisation, gains) stay as made.
    if (spec.name.endsWith('/kernel') || spec.name.endsWith('/bias')) {
      for (let i = 0; i < size; i++) values[offset + i] = spec.name.endsWith('/bias') && bias[head] ? bias[head][i] : 0;
    }
    offset += size;
  }
  return PeNet.fromArtifacts({ ...artifacts, weightData: values.buffer });
}

describe('FaceEstimator', () => {
  let model: FaceModel;
  before(async () => {
    await tf.setBackend('cpu');
    model = await FaceModel.load('weights/face-model.bin');
  });

  it('runs landmarks → PE-Net → calibration → filter with timings, and leaks no tensor over 220 frames', async () => {
    const net = PeNet.create(CONFIG, 4);
    const estimator = await FaceEstimator.create({ tracker: null, weights: net });
    const start = tf.memory().numTensors;
    let first = -1;
    for (let f = 0; f < 220; f++) {
      const jaw = f % 40 < 20 ? 0 : 0.8;
      const beta = new Array(46).fill(0);
      beta[21] = jaw;
      const lm = landmarks(model, beta, [0.1 * Math.sin(f / 9), 0.2 * Math.sin(f / 13), 0], 320, 240, 1.5);
      const m = await estimator.estimateFromLandmarks({ landmarks: lm, confidence: 0.9 }, 640, 480, f * 33);
      assert.ok(m);
      if (f === 0) first = tf.memory().numTensors;
      assert.equal(m.units.length, 46);
      assert.ok(m.units.every((u) => u >= 0 && u <= 1));
      assert.equal(m.rawUnits.length, 46);
      assert.ok(m.timings.estimator > 0 && m.timings.total >= m.timings.estimator + m.timings.filter - 1e-9);
      assert.equal(m.calibration, f * 33 < 2000 || f < 15 ? 'collecting' : 'locked');
      assert.equal(m.landmarks, lm);
    }
    assert.equal(first, start, 'the first frame leaves no tensor behind');
    assert.equal(tf.memory().numTensors, start, 'no tensor leaks over 220 frames');
    // Low confidence counts as no face.
    assert.equal(
      await estimator.estimateFromLandmarks(
        { landmarks: new Float32Array(NUM_FACE_LANDMARKS * 3), confidence: 0.1 },
        640,
        480,
        9000,
      ),
      null,
    );
    // A timestamp that is not a finite number of milliseconds is refused before anything runs.
    for (const t of [NaN, Infinity]) {
      await assert.rejects(
        estimator.estimateFromLandmarks(
          { landmarks: new Float32Array(NUM_FACE_LANDMARKS * 3), confidence: 1 },
          640,
          480,
          t,
        ),
        (e) => isCpemError(e, 'INVALID_ARGUMENT') && /timestamp is/.test(e.message),
      );
    }
    estimator.dispose();
    assert.equal(tf.memory().numTensors, start, 'a given network is not disposed by the estimator');
    net.dispose();
  });

  it('reads a face and its mirror image as mirror-image units (symmetric, the default), which one pass does not', async () => {
    const net = PeNet.create(CONFIG, 7);
    const beta = new Array(46).fill(0);
    beta[0] = 0.9; // a wink of the left eye
    beta[27] = 0.6; // a one-sided smile
    const lm = landmarks(model, beta, [0.05, 0.25, 0.1], 300, 250, 1.6);
    const mirrored = mirrorFaceLandmarks(lm, 640);
    const asymmetry = async (symmetric: boolean) => {
      const read = async (points: Float32Array) => {
        const estimator = await FaceEstimator.create({
          tracker: null,
          weights: net,
          calibration: false,
          smoothing: false,
          symmetric,
        });
        const m = await estimator.estimateFromLandmarks({ landmarks: points, confidence: 1 }, 640, 480, 0);
        estimator.dispose();
        return m!.rawUnits;
      };
      const [a, b] = [await read(lm), await read(mirrored)];
      return Math.max(...Array.from(a, (v, u) => Math.abs(v - b[MIRRORED_UNIT_INDEX[u]])));
    };
    assert.ok((await asymmetry(true)) < 1e-5, 'mirror-image units');
    assert.ok((await asymmetry(false)) > 1e-3, 'a random network read once is not symmetric (the check can fail)');
    net.dispose();
  });

  it('turns face-box pose into pixels and millimetres, and calibrates units against the user neutral', async () => {
    const expression = new Array(46).fill(-10);
    expression[21] = 0; // sigmoid(0) = 0.5: this user's "neutral" jaw reads 0.5
    const net = await constantNet({
      rotation: [0.1, -0.2, 0.05],
      translation: [0.1, -0.05, Math.log(0.002)],
      expression,
    });
    const estimator = await FaceEstimator.create({
      // This user's resting jaw reads 0.5: above the default cap on neutral levels, so the cap is lifted here.
      tracker: null,
      weights: net,
      smoothing: false,
      calibration: { durationMs: 100, minFrames: 3, maxNeutralLevel: 1 },
      focalLength: 1,
    });
    const lm = landmarks(model, [], [0, 0, 0], 400, 260, 2);
    let xs = [Infinity, -Infinity],
      ys = [Infinity, -Infinity];
    for (let i = 0; i < NUM_MESH_POINTS; i++) {
      xs = [Math.min(xs[0], lm[i * 3]), Math.max(xs[1], lm[i * 3])];
      ys = [Math.min(ys[0], lm[i * 3 + 1]), Math.max(ys[1], lm[i * 3 + 1])];
    }
    const size = Math.max(xs[1] - xs[0], ys[1] - ys[0]);
    const centre = [(xs[0] + xs[1]) / 2, (ys[0] + ys[1]) / 2];
    let m = null;
    for (let f = 0; f < 5; f++)
      m = await estimator.estimateFromLandmarks({ landmarks: lm, confidence: 1 }, 800, 600, f * 50);
    assert.ok(m);
    const close = (a: number, b: number, tol: number, what: string) =>
      assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);
    close(m.projection.x, centre[0] + 0.1 * size, 1e-3, 'x px');
    close(m.projection.y, centre[1] - 0.05 * size, 1e-3, 'y px');
    close(m.projection.scale, 0.002 * size, 1e-6, 'px per mm');
    close(m.translation[0], (m.projection.x - 400) / m.projection.scale, 1e-2, 'x mm');
    close(m.translation[1], -(m.projection.y - 300) / m.projection.scale, 1e-2, 'y mm');
    close(m.translation[2], -800 / m.projection.scale, 1e-1, 'z mm');
    assert.deepEqual(
      Array.from(m.rotation).map((r) => +r.toFixed(5)),
      [0.1, -0.2, 0.05],
    );
    close(m.rawUnits[21], 0.5, 1e-6, 'raw jaw');
    assert.equal(m.calibration, 'locked');
    assert.equal(m.units[21], 0, 'measured against the user neutral, the resting jaw is closed');
    estimator.dispose();
    net.dispose();
  });

  it('runs the real tracker and the shipped PE-Net over 200 frames of a clip: no tensor leaks, the reconstruction lies on the face', {
    timeout: 240_000,
  }, async (t) => {
    const clip = sharedPath('videos', 'liveportrait_d3.mp4');
    if (!fs.existsSync(clip)) return t.skip(`${clip} is not present`);
    if (!fs.existsSync('weights/pe-net/model.json')) return t.skip('weights/pe-net/model.json is not there yet');
    const size = 256;
    const raw = spawnSync(
      'ffmpeg',
      [
        '-v',
        'error',
        '-i',
        clip,
        '-frames:v',
        '200',
        '-vf',
        `scale=${size}:${size}`,
        '-f',
        'rawvideo',
        '-pix_fmt',
        'rgb24',
        '-',
      ],
      { maxBuffer: 1 << 28 },
    ).stdout;
    assert.equal(raw.length, 200 * size * size * 3);
    const json = JSON.parse(fs.readFileSync('weights/pe-net/model.json', 'utf8'));
    const bin = fs.readFileSync(`weights/pe-net/${json.weightsManifest[0].paths[0]}`);
    const net = PeNet.fromArtifacts({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest[0].weights,
      weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
    });
    const tracker = await FaceTracker.create({ backend: 'wasm' });
    const estimator = await FaceEstimator.create({ tracker, weights: net });
    let start = -1;
    let faces = 0;
    const errors: number[] = [];
    for (let f = 0; f < 200; f++) {
      const data = new Uint8Array(raw.buffer, raw.byteOffset + f * size * size * 3, size * size * 3);
      const m = await estimator.estimate({ data, width: size, height: size, channels: 3 }, f * 33.3);
      if (f === 1) start = tf.memory().numTensors;
      if (!m) continue;
      faces++;
      assert.ok(m.timings.tracker > 0 && m.timings.estimator > 0);
      // The face model, posed by the network's rotation and face-box translation, lands on the tracked points.
      const points = model.faceMeshLandmarksOf(model.decode(m.frameIdentity, m.rawUnits));
      const uv = projectPoints(points, m.frameRotation, [m.projection.x, m.projection.y, Math.log(m.projection.scale)]);
      let err = 0,
        lo = Infinity,
        hi = -Infinity;
      for (let i = 0; i < NUM_MESH_POINTS; i++) {
        err += Math.hypot(uv[i * 2] - m.landmarks[i * 3], uv[i * 2 + 1] - m.landmarks[i * 3 + 1]) / NUM_MESH_POINTS;
        lo = Math.min(lo, m.landmarks[i * 3]);
        hi = Math.max(hi, m.landmarks[i * 3]);
      }
      errors.push(err / (hi - lo));
    }
    assert.equal(tf.memory().numTensors, start, 'tensors stay flat over 200 tracked frames');
    assert.ok(faces >= 190, `a face in ${faces} of 200 frames`);
    const meanError = errors.reduce((a, b) => a + b, 0) / errors.length;
    t.diagnostic(`reconstruction error ${(100 * meanError).toFixed(1)}% of the face width (${faces} frames)`);
    assert.ok(
      meanError < 0.1,
      `the reconstruction is ${(100 * meanError).toFixed(1)}% of the face width off the landmarks`,
    );
    estimator.dispose();
    net.dispose();
  });

  it('reports missing and mismatched weights as CpemErrors', async () => {
    const tracker = null;
    await assert.rejects(FaceEstimator.create({ tracker, weights: 'file:///no/such/model.json' }), (e) =>
      isCpemError(e, 'WEIGHTS_MISSING'),
    );
    await assert.rejects(
      FaceEstimator.create({ tracker, weights: 'no/such/model.json' }),
      (e) => isCpemError(e, 'WEIGHTS_MISSING') && /no\/such\/model\.json/.test((e as Error).message),
    );
    // A plain path loads in Node, and so does the default: the package's own weights (assets.ts).
    for (const weights of ['weights/pe-net/model.json', undefined]) {
      const estimator = await FaceEstimator.create({ tracker, weights });
      assert.equal(
        estimator.peNet.config.inputSize,
        ALIGNED_FEATURE_SIZE,
        'the shipped network reads aligned features',
      );
      estimator.dispose();
    }
    await assert.rejects(
      FaceEstimator.create({ tracker, assetBaseUrl: 'no-such-folder/' }),
      (e) => isCpemError(e, 'WEIGHTS_MISSING') && /no-such-folder\/pe-net\/model\.json/.test((e as Error).message),
    );
    const small = PeNet.create({ ...CONFIG, inputSize: 12 });
    await assert.rejects(
      FaceEstimator.create({ tracker, weights: small }),
      (e) => isCpemError(e, 'WEIGHTS_CORRUPT') && /956/.test((e as Error).message),
    );
    small.dispose();
  });
});
