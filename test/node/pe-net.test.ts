import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { PeNet } from '../../plugin/estimator/pe-net.js';
import '../../training/lib/tf/register-gradients.js';
import { CpemError } from '../../plugin/errors/cpem-error.js';
import { peNetModelJson } from '../../plugin/estimator/pe-net-files.js';
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import crypto from 'node:crypto';
import type { AddressInfo } from 'node:net';

const config = { inputSize: 12, hidden: [16, 8], numIdentity: 5, numExpression: 46 };

describe('PE-Net', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  it('leaves no tensor behind when a network is made and disposed', () => {
    const before = tf.memory().numTensors;
    PeNet.create({ ...config, expressionCurveKnots: 11, identityHidden: [4] }, 2).dispose();
    assert.equal(tf.memory().numTensors, before);
  });

  it('maps features to α, β in [0, 1], rotation and translation', async () => {
    const net = PeNet.create(config, 3);
    assert.equal(net.parameterCount, 12 * 16 + 16 + 16 * 8 + 8 + 8 * 5 + 5 + 8 * 46 + 46 + 2 * (8 * 3 + 3));
    const x = tf.randomNormal([4, 12], 0, 1, 'float32', 7) as tf.Tensor2D;
    const out = net.predict(x);
    assert.deepEqual(out.identity.shape, [4, 5]);
    assert.deepEqual(out.expression.shape, [4, 46]);
    assert.deepEqual(out.rotation.shape, [4, 3]);
    assert.deepEqual(out.translation.shape, [4, 3]);
    const beta = await out.expression.data();
    assert.ok(beta.every((b) => b > 0 && b < 1));
    tf.dispose([x, ...Object.values(out)]);
    net.dispose();
  });

  it('standardises its input with fixed statistics and starts each head at the bias it is given', async () => {
    const mean = Float32Array.from({ length: 12 }, (_, i) => i / 10);
    const scale = Float32Array.from({ length: 12 }, (_, i) => 1 + i);
    const net = PeNet.create(config, 3, { inputMean: mean, inputScale: scale, headBias: { translation: [0, 0, -5] } });
    const plain = PeNet.create(config, 3);
    // x − mean, times scale, through the plain network gives the same output as x through the standardising one.
    const x = tf.randomNormal([2, 12], 0, 1, 'float32', 4) as tf.Tensor2D;
    const xs = tf.mul(tf.sub(x, tf.tensor1d(mean)), tf.tensor1d(scale)) as tf.Tensor2D;
    const [a, b] = [net.predict(x), plain.predict(xs)];
    const [ea, eb, ta, tb] = await Promise.all([
      a.expression.data(),
      b.expression.data(),
      a.translation.data(),
      b.translation.data(),
    ]);
    ea.forEach((v, i) => assert.ok(Math.abs(v - eb[i]) < 1e-5));
    assert.ok(Math.abs(ta[2] - (tb[2] - 5)) < 1e-5, `log scale ${ta[2]} vs ${tb[2]} - 5`);
    // The statistics are not trained, and they travel with the saved weights.
    assert.equal(net.trainableVariables.length, plain.trainableVariables.length);
    assert.equal(net.parameterCount, plain.parameterCount);
    const loaded = PeNet.fromArtifacts(await net.toArtifacts());
    const c = loaded.predict(x);
    assert.deepEqual(Array.from(await c.expression.data()), Array.from(ea));
    assert.throws(() => PeNet.create(config, 1, { inputScale: [1, 2] }), /inputScale needs 12/);
    assert.throws(() => PeNet.create(config, 1, { headBias: { rotation: [1] } }), /head bias rotation/);
    tf.dispose([x, xs, ...Object.values(a), ...Object.values(b), ...Object.values(c)]);
    [net, plain, loaded].forEach((n) => n.dispose());
  });

  it('with a detached identity head, identity losses train that head only, and outputs are unchanged', async () => {
    const detached = PeNet.create({ ...config, detachIdentity: true }, 6);
    const shared = PeNet.create(config, 6);
    const x = tf.randomNormal([3, 12], 0, 1, 'float32', 2) as tf.Tensor2D;
    const grads = (net: PeNet) =>
      tf.variableGrads(() => tf.sum(tf.square(net.predict(x).identity)) as tf.Scalar, net.trainableVariables);
    const [gd, gs] = [grads(detached), grads(shared)];
    const norm = async (g: tf.NamedTensorMap, prefix: string) => {
      let total = 0;
      for (const [name, t] of Object.entries(g))
        if (name.includes(prefix)) total += (await tf.sum(tf.abs(t)).data())[0];
      return total;
    };
    assert.equal(await norm(gd.grads, '/dense'), 0);
    assert.ok((await norm(gd.grads, '/identity')) > 0);
    assert.ok((await norm(gs.grads, '/dense')) > 0);
    const [a, b] = [detached.predict(x), shared.predict(x)];
    assert.deepEqual(Array.from(await a.identity.data()), Array.from(await b.identity.data()));
    tf.dispose([
      x,
      gd.value,
      gs.value,
      ...Object.values(gd.grads),
      ...Object.values(gs.grads),
      ...Object.values(a),
      ...Object.values(b),
    ]);
    detached.dispose();
    shared.dispose();
  });

  it('scales each unit by its fixed gain, clamped at 1, and keeps the gains in the saved weights', async () => {
    const net = PeNet.create(config, 8);
    const x = tf.randomNormal([2, 12], 0, 1, 'float32', 5) as tf.Tensor2D;
    const before = await net.predict(x).expression.data();
    const gain = new Float32Array(46).fill(1);
    gain[3] = 1.5;
    gain[4] = 10;
    net.setExpressionGain(gain);
    const loaded = PeNet.fromArtifacts(await net.toArtifacts());
    const after = await loaded.predict(x).expression.data();
    assert.ok(Math.abs(after[3] - Math.min(1, 1.5 * before[3])) < 1e-6);
    assert.equal(after[4], 1);
    assert.ok(Math.abs(after[5] - before[5]) < 1e-7);
    assert.deepEqual(Array.from(await loaded.expressionGain()), Array.from(gain));
    assert.throws(() => net.setExpressionGain([1, 2]), /46 positive numbers/);
    const n = tf.memory().numTensors;
    net.setExpressionGain(gain);
    assert.equal(tf.memory().numTensors, n);
    x.dispose();
    net.dispose();
    loaded.dispose();
  });

  it('is reproducible from its seed', async () => {
    const a = PeNet.create(config, 11);
    const b = PeNet.create(config, 11);
    const c = PeNet.create(config, 12);
    const x = tf.ones([1, 12]) as tf.Tensor2D;
    const [ya, yb, yc] = await Promise.all(
      [a, b, c].map(async (n) => {
        const o = n.predict(x);
        const v = Array.from(await o.identity.data());
        tf.dispose(Object.values(o));
        return v;
      }),
    );
    assert.deepEqual(ya, yb);
    assert.notDeepEqual(ya, yc);
    x.dispose();
    [a, b, c].forEach((n) => n.dispose());
  });

  it('round-trips through TF.js model artifacts with identical outputs', async () => {
    const net = PeNet.create(config, 5);
    let saved: tf.io.ModelArtifacts | undefined;
    await net.save(
      tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
      { note: 'test' },
    );
    const loaded = await PeNet.load(tf.io.fromMemory(saved!));
    const x = tf.randomUniform([3, 12], -1, 1, 'float32', 9) as tf.Tensor2D;
    const o1 = net.predict(x);
    const o2 = loaded.predict(x);
    for (const k of ['identity', 'expression', 'rotation', 'translation'] as const) {
      assert.deepEqual(Array.from(await o1[k].data()), Array.from(await o2[k].data()));
    }
    assert.deepEqual(saved!.userDefinedMetadata, { note: 'test' });
    tf.dispose([x, ...Object.values(o1), ...Object.values(o2)]);
    net.dispose();
    loaded.dispose();
  });

  it('rejects corrupt, truncated and foreign weights with WEIGHTS_CORRUPT', async () => {
    const net = PeNet.create(config, 5);
    const good = await net.toArtifacts();
    net.dispose();
    const data = good.weightData as ArrayBuffer;
    const withNaN = data.slice(0);
    new Float32Array(withNaN)[10] = NaN;
    const cases: Array<[string, tf.io.ModelArtifacts, RegExp]> = [
      ['truncated', { ...good, weightData: data.slice(0, data.byteLength - 8) }, /bytes, expected/],
      ['NaN weight', { ...good, weightData: withNaN }, /weight value 10 is NaN/],
      ['foreign model', { ...good, modelTopology: { class_name: 'Sequential' } }, /not a babylon-cpem\/pe-net model/],
      [
        'missing weight',
        { ...good, weightSpecs: good.weightSpecs!.filter((s) => s.name !== 'dense0/kernel') },
        /dense0\/kernel is missing/,
      ],
    ];
    for (const [what, artifacts, message] of cases) {
      assert.throws(
        () => PeNet.fromArtifacts(artifacts),
        (e: unknown) => e instanceof CpemError && e.code === 'WEIGHTS_CORRUPT' && message.test(e.message),
        what,
      );
    }
  });

  it('reports an unreadable source as WEIGHTS_MISSING and bad input shapes clearly', async () => {
    const failing: tf.io.IOHandler = {
      load: async () => {
        throw new Error('ENOENT: no such file');
      },
    };
    await assert.rejects(PeNet.load(failing), (e: unknown) => e instanceof CpemError && e.code === 'WEIGHTS_MISSING');
    const net = PeNet.create(config);
    const wrong = tf.zeros([2, 7]) as tf.Tensor2D;
    assert.throws(() => net.predict(wrong), /expects input \[N, 12\]/);
    wrong.dispose();
    net.dispose();
    assert.throws(() => PeNet.create({ ...config, hidden: [0] }), CpemError);
  });

  it('loads model.json + weights.bin from a plain path, a file: URL and over HTTP, checking the SHA-256 model.json records', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cpem-pe-net-'));
    const server = http.createServer((req, res) => {
      const file = path.join(dir, decodeURIComponent(new URL(req.url!, 'http://x').pathname));
      if (!fs.existsSync(file)) {
        res.writeHead(404);
        res.end('Not found');
        return;
      }
      res.end(fs.readFileSync(file));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/model.json`;
    const modelJson = path.join(dir, 'model.json');
    const corrupt = (what: RegExp) => (e: unknown) =>
      e instanceof CpemError && e.code === 'WEIGHTS_CORRUPT' && what.test(e.message) && e.message.length < 800;
    const missing = (what: RegExp) => (e: unknown) =>
      e instanceof CpemError && e.code === 'WEIGHTS_MISSING' && what.test(e.message) && e.message.length < 800;
    try {
      const net = PeNet.create(config, 6);
      const artifacts = await net.toArtifacts();
      const json = peNetModelJson(artifacts, 'weights.bin') as { weightsManifest: Array<{ sha256?: string }> };
      const bytes = new Uint8Array(artifacts.weightData as ArrayBuffer);
      assert.equal(json.weightsManifest[0].sha256, crypto.createHash('sha256').update(bytes).digest('hex'));
      fs.writeFileSync(modelJson, JSON.stringify(json));
      fs.writeFileSync(path.join(dir, 'weights.bin'), bytes);
      const x = tf.randomNormal([2, 12], 0, 1, 'float32', 3) as tf.Tensor2D;
      const expected = Array.from(await net.predict(x).expression.data());
      for (const source of [modelJson, pathToFileURL(modelJson), pathToFileURL(modelJson).href, url]) {
        const loaded = await PeNet.load(source);
        assert.deepEqual(Array.from(await loaded.predict(x).expression.data()), expected, String(source));
        loaded.dispose();
      }
      // A renamed shard (as bundlers hash file names) is found through shardUrls.
      fs.renameSync(path.join(dir, 'weights.bin'), path.join(dir, 'weights-3f2a.bin'));
      await assert.rejects(PeNet.load(url), missing(/weights\.bin answered HTTP 404/));
      await assert.rejects(PeNet.load(modelJson), missing(/weights\.bin cannot be read/));
      (
        await PeNet.load(url, { shardUrls: { 'weights.bin': url.replace('model.json', 'weights-3f2a.bin') } })
      ).dispose();
      fs.renameSync(path.join(dir, 'weights-3f2a.bin'), path.join(dir, 'weights.bin'));
      // Damaged shards: one byte changed, all zero bytes of the right size.
      const flipped = bytes.slice();
      flipped[100] ^= 1;
      fs.writeFileSync(path.join(dir, 'weights.bin'), flipped);
      await assert.rejects(PeNet.load(modelJson), corrupt(/weights\.bin: SHA-256 [0-9a-f]{64} does not match/));
      fs.writeFileSync(path.join(dir, 'weights.bin'), new Uint8Array(bytes.length));
      await assert.rejects(PeNet.load(url), corrupt(/weights\.bin is all zero bytes/));
      // Without a recorded SHA-256 (an older export), zero bytes are still refused.
      delete json.weightsManifest[0].sha256;
      fs.writeFileSync(modelJson, JSON.stringify(json));
      await assert.rejects(PeNet.load(modelJson), corrupt(/all zero bytes/));
      // A truncated or foreign model.json is WEIGHTS_CORRUPT naming it; a missing one WEIGHTS_MISSING.
      fs.writeFileSync(modelJson, JSON.stringify(json).slice(0, 200));
      await assert.rejects(PeNet.load(url), corrupt(/model\.json is not valid JSON/));
      fs.writeFileSync(modelJson, `"${'x'.repeat(1_000_000)}`);
      await assert.rejects(PeNet.load(modelJson), corrupt(/model\.json is not valid JSON/));
      fs.writeFileSync(modelJson, '{"weightsManifest": 3}');
      await assert.rejects(PeNet.load(modelJson), corrupt(/no valid weightsManifest/));
      fs.rmSync(modelJson);
      await assert.rejects(PeNet.load(url), missing(/model\.json answered HTTP 404/));
      await assert.rejects(PeNet.load(modelJson), missing(/model\.json cannot be read/));
      tf.dispose(x);
      net.dispose();
    } finally {
      server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the shipped weights match the SHA-256 their model.json records, and load by path', async () => {
    const json = JSON.parse(fs.readFileSync('weights/pe-net/model.json', 'utf8'));
    const bytes = fs.readFileSync(path.join('weights', 'pe-net', json.weightsManifest[0].paths[0]));
    assert.equal(json.weightsManifest[0].sha256, crypto.createHash('sha256').update(bytes).digest('hex'));
    (await PeNet.load('weights/pe-net/model.json')).dispose();
  });

  it('leaks no tensors over repeated predictions', () => {
    const net = PeNet.create(config);
    const x = tf.zeros([8, 12]) as tf.Tensor2D;
    const before = tf.memory().numTensors;
    for (let i = 0; i < 50; i++) tf.dispose(Object.values(net.predict(x)));
    assert.equal(tf.memory().numTensors, before);
    x.dispose();
    net.dispose();
  });
});
