import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { BROWSER_BACKENDS, lcgValues, useBackend } from '../support/tf-backends.js';
import { FaceModel } from '../../plugin/face-model/face-model.js';
import { FaceModelTensors } from '../../plugin/face-model/face-model-tensors.js';

// The face model fetched as the browser would fetch it, decoded batched on every TF.js backend, against the CPU
// path (FaceModel.decode) and with the landmark gradient that training uses.
describe('face model in the browser', () => {
  let model: FaceModel;
  beforeAll(async () => {
    model = await FaceModel.load('/weights/face-model.bin');
  });

  for (const backend of BROWSER_BACKENDS) {
    it(`decodes vertices and 478 landmarks on ${backend} like the CPU path`, async () => {
      await useBackend(backend);
      const before = tf.memory().numTensors;
      const t = new FaceModelTensors(model);
      const N = 2;
      const a = lcgValues(N * 80, 11),
        b = lcgValues(N * 46, 12).map((x) => (x + 1) / 2);
      const alpha = tf.tensor2d(a, [N, 80]),
        beta = tf.tensor2d(b, [N, 46]);
      const verts = t.decode(alpha, beta);
      const lms = t.faceMeshLandmarks(alpha, beta);
      // Gradient of the summed landmark x w.r.t. α: Σ_k identity_i(k).x, whatever α and β are.
      const g = tf.grad((x: tf.Tensor) =>
        tf.sum(tf.slice(t.faceMeshLandmarks(x as tf.Tensor2D, beta), [0, 0, 0], [1, 478, 1])),
      )(alpha);
      const [vd, ld, gd] = await Promise.all([verts.data(), lms.data(), g.data()]);
      let worstV = 0,
        worstL = 0;
      for (let n = 0; n < N; n++) {
        const cpu = model.decode(a.subarray(n * 80, n * 80 + 80), b.subarray(n * 46, n * 46 + 46));
        for (let i = 0; i < cpu.length; i++) worstV = Math.max(worstV, Math.abs(vd[n * cpu.length + i] - cpu[i]));
        const fm = model.faceMeshLandmarksOf(cpu);
        for (let i = 0; i < fm.length; i++) worstL = Math.max(worstL, Math.abs(ld[n * fm.length + i] - fm[i]));
      }
      // Coordinates are up to ~130 mm; float32 on GPUs with reduced-precision sums stays within 0.01 mm.
      expect(worstV).toBeLessThan(0.01);
      expect(worstL).toBeLessThan(0.01);
      const V = model.vertexCount;
      for (const i of [0, 5, 79]) {
        let expected = 0;
        for (let k = 0; k < 478; k++)
          for (let c = 0; c < 3; c++) {
            const v = model.triangles[model.faceMeshPoints.triangles[k] * 3 + c];
            expected += model.faceMeshPoints.weights[k * 3 + c] * model.identityBasis[i * V * 3 + v * 3];
          }
        expect(Math.abs(gd[i] - expected)).toBeLessThan(1e-3 * Math.max(1, Math.abs(expected)));
        expect(Math.abs(gd[80 + i])).toBe(0);
      }
      tf.dispose([alpha, beta, verts, lms, g]);
      t.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});
