import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '../../training/lib/tf/register-gradients.js';
import { FaceModel } from '../../plugin/face-model/face-model.js';
import { FaceModelTensors } from '../../plugin/face-model/face-model-tensors.js';
import { decodeFaceModelFile, encodeFaceModelFile } from '../../plugin/face-model/face-model-format.js';
import { crc32 } from '../../plugin/face-model/crc32.js';
import { isCpemError } from '../../plugin/errors/cpem-error.js';
import { NUM_FACE_LANDMARKS, NUM_MESH_POINTS } from '../../plugin/constants.js';

const FILE = 'weights/face-model.bin';
let model: FaceModel;
let bytes: Uint8Array;

function seeded(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

before(async () => {
  bytes = new Uint8Array(fs.readFileSync(FILE)); // a plain copy: Buffer#slice would share memory
  model = await FaceModel.load(FILE);
});

describe('face model file', () => {
  it('is at most 5 MB and holds the model the issue asks for', () => {
    assert.ok(bytes.length <= 5 * 1024 * 1024, `${bytes.length} bytes`);
    assert.equal(model.identityCount, 80);
    assert.equal(model.expressionCount, 46);
    assert.ok(model.vertexCount > 2000 && model.vertexCount < 8000, `${model.vertexCount} vertices`);
    assert.equal(model.landmarks68.length, 68);
    assert.equal(model.faceMeshPoints.triangles.length, NUM_FACE_LANDMARKS);
    const { face, eyeballLeft, eyeballRight } = model.regions;
    assert.deepEqual(
      [face[0], face[1] === eyeballLeft[0], eyeballLeft[1] === eyeballRight[0], eyeballRight[1]],
      [0, true, true, model.vertexCount],
    );
    // Millimetres: outer eye corners (iBUG 36, 45) of the mean face are 80-100 mm apart.
    const lm = model.landmarks68Of(model.mean);
    const eyes = Math.hypot(lm[36 * 3] - lm[45 * 3], lm[36 * 3 + 1] - lm[45 * 3 + 1], lm[36 * 3 + 2] - lm[45 * 3 + 2]);
    assert.ok(eyes > 80 && eyes < 100, `${eyes} mm`);
    for (let k = 0; k < NUM_FACE_LANDMARKS; k++) {
      const w = model.faceMeshPoints.weights.subarray(k * 3, k * 3 + 3);
      assert.ok(Math.abs(w[0] + w[1] + w[2] - 1) < 1e-5 && Math.min(...w) >= -1e-6, `point ${k} weights ${w}`);
    }
  });

  it('loads the same model from an ArrayBuffer, a file: URL and an http URL', async () => {
    const fromBuffer = FaceModel.fromArrayBuffer(
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
    );
    const fromUrl = await FaceModel.load(new URL(`file://${process.cwd()}/${FILE}`));
    assert.deepEqual(fromBuffer.mean, model.mean);
    assert.deepEqual(fromUrl.expressionBasis, model.expressionBasis);
    const http = await import('node:http');
    const server = http.createServer((req, res) => {
      if (req.url === '/face-model.bin') res.end(bytes);
      else {
        res.statusCode = 404;
        res.end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    try {
      const fetched = await FaceModel.load(`http://127.0.0.1:${port}/face-model.bin`);
      assert.deepEqual(fetched.identityBasis.subarray(0, 1000), model.identityBasis.subarray(0, 1000));
      await assert.rejects(
        FaceModel.load(`http://127.0.0.1:${port}/missing.bin`),
        (e) => isCpemError(e, 'WEIGHTS_MISSING') && /404/.test((e as Error).message),
      );
    } finally {
      server.close();
    }
    await assert.rejects(
      FaceModel.load('weights/no-such-file.bin'),
      (e) => isCpemError(e, 'WEIGHTS_MISSING') && /no-such-file/.test((e as Error).message),
    );
  });

  it('rejects a wrong, truncated or corrupt file with an error that names the problem', () => {
    assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
    const expectError = (data: Uint8Array, code: 'FACE_MODEL_INVALID' | 'WEIGHTS_CORRUPT', pattern: RegExp) =>
      assert.throws(
        () => FaceModel.fromArrayBuffer(data),
        (e) => isCpemError(e, code) && pattern.test((e as Error).message),
      );
    const wrongMagic = bytes.slice();
    wrongMagic.set(new TextEncoder().encode('GLTFBIN!'), 0);
    expectError(wrongMagic, 'FACE_MODEL_INVALID', /wrong magic/);
    const wrongVersion = bytes.slice();
    new DataView(wrongVersion.buffer).setUint32(8, 7, true);
    expectError(wrongVersion, 'FACE_MODEL_INVALID', /version 7/);
    expectError(bytes.slice(0, bytes.length - 1000), 'WEIGHTS_CORRUPT', /truncated/);
    expectError(bytes.slice(0, 10), 'WEIGHTS_CORRUPT', /truncated/);
    expectError(bytes.slice(0, 100), 'WEIGHTS_CORRUPT', /truncated/);
    const corrupt = bytes.slice();
    corrupt[Math.floor(bytes.length / 2)] ^= 0x40;
    expectError(corrupt, 'WEIGHTS_CORRUPT', /checksum/);
    const longer = new Uint8Array(bytes.length + 8);
    longer.set(bytes);
    expectError(longer, 'WEIGHTS_CORRUPT', /trailing/);
  });

  it('round-trips every dtype through the encoder and checks section shapes', () => {
    const file = encodeFaceModelFile(
      {
        units: 'mm',
        vertexCount: 2,
        triangleCount: 0,
        identityCount: 0,
        expressionNames: [],
        regions: { face: [0, 2], eyeballLeft: [2, 2], eyeballRight: [2, 2] },
      },
      {
        a: { data: new Float32Array([1.5, -2]), shape: [2] },
        b: { data: new Int16Array([-3, 4, 5]), shape: [3] },
        c: { data: new Uint16Array([7]), shape: [1] },
        d: { data: new Uint32Array([4e9]), shape: [1] },
      },
    );
    const { arrays } = decodeFaceModelFile(file);
    assert.deepEqual([...arrays.a, ...arrays.b, ...arrays.c, ...arrays.d], [1.5, -2, -3, 4, 5, 7, 4e9]);
    // A well-formed file that is not a complete face model names the missing section.
    assert.throws(
      () => FaceModel.fromArrayBuffer(file),
      (e) => isCpemError(e, 'FACE_MODEL_INVALID'),
    );
  });
});

describe('face model decoding', () => {
  it('matches a plain float64 reference computation from the file sections to 1e-5', () => {
    const { header, arrays } = decodeFaceModelFile(bytes);
    const V = header.vertexCount,
      n = V * 3;
    const rand = seeded(7);
    for (let trial = 0; trial < 3; trial++) {
      const alpha = Array.from({ length: 80 }, () => rand() * 4 - 2),
        beta = Array.from({ length: 46 }, rand);
      const ref = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        let x = arrays.mean[i];
        for (let m = 0; m < 80; m++) x += alpha[m] * arrays.identity[m * n + i] * arrays.identityScale[m];
        for (let u = 0; u < 46; u++) x += beta[u] * arrays.expression[u * n + i] * arrays.expressionScale[u];
        ref[i] = x;
      }
      const got = model.decode(alpha, beta);
      let worst = 0,
        scale = 0;
      for (let i = 0; i < n; i++) {
        worst = Math.max(worst, Math.abs(got[i] - ref[i]));
        scale = Math.max(scale, Math.abs(ref[i]));
      }
      assert.ok(worst <= 1e-5 * scale, `max error ${worst} mm over coordinates up to ${scale} mm`);
    }
    assert.throws(
      () => model.decode(new Array(81).fill(0)),
      (e) => isCpemError(e, 'INVALID_ARGUMENT'),
    );
    assert.throws(
      () => model.decode(undefined, [NaN]),
      (e) => isCpemError(e, 'INVALID_ARGUMENT'),
    );
  });

  it('gives outward unit normals and 68 / 478 landmark positions', () => {
    const s = model.decode();
    const normals = model.vertexNormals(s);
    const lm = model.landmarks68Of(s);
    // Nose tip (iBUG 30) faces the viewer (+z).
    const tip = model.landmarks68[30];
    assert.ok(normals[tip * 3 + 2] > 0.8, `nose-tip normal z ${normals[tip * 3 + 2]}`);
    for (let v = 0; v < model.vertexCount; v += 97)
      assert.ok(Math.abs(Math.hypot(normals[v * 3], normals[v * 3 + 1], normals[v * 3 + 2]) - 1) < 1e-5);
    assert.equal(lm[30 * 3 + 2], s[tip * 3 + 2]);
    const fm = model.faceMeshLandmarksOf(s);
    assert.equal(fm.length, NUM_FACE_LANDMARKS * 3);
    // Face-mesh point 1 is the nose tip, 263 the left (+x) outer eye corner, 33 the right one.
    assert.ok(Math.hypot(fm[3] - lm[90], fm[4] - lm[91]) < 8, 'face-mesh nose tip near iBUG 30');
    assert.ok(fm[263 * 3] > 30 && fm[33 * 3] < -30);
    // Iris centres sit on the eyeballs, in front of the eye corners.
    assert.ok(fm[473 * 3] > 20 && fm[NUM_MESH_POINTS * 3] < -20 && fm[473 * 3 + 2] > fm[263 * 3 + 2]);
  });

  it('decodes batched in TF.js like the CPU path, landmarks from gathered rows, with gradients and no leaks', async () => {
    await tf.setBackend('cpu');
    const before = tf.memory().numTensors;
    const t = new FaceModelTensors(model);
    const rand = seeded(3);
    const N = 3;
    const alphaRows = Array.from({ length: N }, () => Array.from({ length: 80 }, () => rand() * 2 - 1));
    const betaRows = Array.from({ length: N }, () => Array.from({ length: 46 }, rand));
    const alpha = tf.tensor2d(alphaRows),
      beta = tf.tensor2d(betaRows);
    const verts = t.decode(alpha, beta),
      lm68 = t.landmarks68(alpha, beta),
      lm478 = t.faceMeshLandmarks(alpha, beta);
    assert.deepEqual(verts.shape, [N, model.vertexCount, 3]);
    const [vd, l68, l478] = await Promise.all([verts.data(), lm68.data(), lm478.data()]);
    for (let b = 0; b < N; b++) {
      const cpu = model.decode(alphaRows[b], betaRows[b]);
      const off = b * model.vertexCount * 3;
      let worst = 0;
      for (let i = 0; i < cpu.length; i++) worst = Math.max(worst, Math.abs(vd[off + i] - cpu[i]));
      assert.ok(worst < 2e-3, `TF vs CPU ${worst} mm`);
      const c68 = model.landmarks68Of(cpu),
        c478 = model.faceMeshLandmarksOf(cpu);
      for (let i = 0; i < c68.length; i++) assert.ok(Math.abs(l68[b * 204 + i] - c68[i]) < 2e-3);
      for (let i = 0; i < c478.length; i++) assert.ok(Math.abs(l478[b * 1434 + i] - c478[i]) < 2e-3);
    }
    // d(Σ landmark z)/dβ_u = Σ_k expression_u(k).z: the gradient flows through the gathered basis.
    const g = tf.grad((bb: tf.Tensor) =>
      tf.sum(tf.slice(t.landmarks68(alpha, bb as tf.Tensor2D), [0, 0, 2], [N, 68, 1])),
    )(beta);
    const gd = await g.data();
    const u = 21; // jawOpen
    let expect = 0;
    for (const v of model.landmarks68) expect += model.expressionBasis[u * model.vertexCount * 3 + v * 3 + 2];
    assert.ok(Math.abs(gd[u] - expect) < 1e-3 * Math.max(1, Math.abs(expect)), `${gd[u]} vs ${expect}`);
    const wrong = tf.zeros([N, 79]) as tf.Tensor2D;
    assert.throws(
      () => t.decode(wrong, beta),
      (e) => isCpemError(e, 'INVALID_ARGUMENT'),
    );
    tf.dispose([alpha, beta, verts, lm68, lm478, g, wrong]);
    t.dispose();
    assert.equal(tf.memory().numTensors, before);
  });
});
