import * as tf from '@tensorflow/tfjs-core';
import type { FaceModelTensors } from '../../../plugin/face-model/face-model-tensors.js';
import { projectPointsBatch, rotationMatrices } from '../../../plugin/geometry/head-pose.js';
import { landmarkFeaturesBatch } from '../../../plugin/estimator/landmark-features.js';
import { seededRandom, type SeededRandom } from '../../../plugin/util/seeded-random.js';
import { sampleExpression, type ExpressionSamplerOptions } from './expression-sampler.js';
import { sampleIdentity, samplePose, type PoseSamplerOptions } from './pose-sampler.js';
import { NUM_EXPRESSION_UNITS } from '../../../plugin/constants.js';

/** One batch of P persons × T frames; row p·T + t is frame t of person p. Holds tensors: dispose it. */
export interface FaceBatch {
  persons: number;
  frames: number;
  /** PE-Net input, [N, 956]: landmarks in face-box units. */
  features: tf.Tensor2D;
  /** The same landmarks as points, [N, 478, 2], for the landmark loss. */
  landmarks: tf.Tensor3D;
  /**
   * The landmarks as the tracker gives them, [N, 478, 3]: x, y in image pixels (y down) and depth z in pixels
   * (growing away from the camera). Feature sets other than the face box are computed from these.
   */
  points3d: tf.Tensor3D;
  /** Ground truth, where it exists (synthetic data). Translation is in face-box units: [tx, ty, log scale]. */
  truth?: { identity: tf.Tensor2D; expression: tf.Tensor2D; rotation: tf.Tensor2D; translation: tf.Tensor2D };
  /** Targets on real frames, where they exist (each with a mask: 1 where the value is a target, 0 where none). */
  targets?: RealFrameTargets;
}

/** What real frames are trained towards: a teacher's unit values, and categories labelled by eye. */
export interface RealFrameTargets {
  /** [N, 46] unit values in [0, 1] and their mask. */
  units: tf.Tensor2D;
  unitMask: tf.Tensor2D;
  /** [N, C] category values in [0, 1] and their mask; a category's prediction is the mean of its units. */
  categories: tf.Tensor2D;
  categoryMask: tf.Tensor2D;
  /** [46, C]: column c averages the units of category c (1/|units| on its units, 0 elsewhere). */
  categoryUnits: tf.Tensor2D;
}

export function disposeBatch(batch: FaceBatch): void {
  tf.dispose([batch.features, batch.landmarks, batch.points3d]);
  if (batch.truth) tf.dispose(Object.values(batch.truth));
  if (batch.targets) tf.dispose(Object.values(batch.targets));
}

export interface SyntheticOptions {
  expression?: ExpressionSamplerOptions;
  pose?: PoseSamplerOptions;
  /** Standard deviation of identity coefficients. Default 1 (the modes have unit variance). */
  identitySigma?: number;
  /** Tracker-like noise on every landmark, in face-box units (σ). Default 0.004 (about 1 px on a 250 px face). */
  landmarkNoise?: number;
  /** Pose changes between the frames of one person: each frame's pose is the person's plus N(0, σ²). Default 0.15 rad. */
  framePoseSigma?: number;
}

/**
 * Synthetic training data from the face model: for each person an identity α, for each of its frames a sparse
 * expression β (respecting the contradictory groups) and a head pose; the 478 face-mesh points go through the
 * model's surface correspondences, a weak-perspective camera with random scale and offset, the face-box
 * normalisation the runtime uses, and tracker-like noise. Deterministic from its seed.
 */
export class SyntheticFaceSource {
  private readonly random: SeededRandom;

  constructor(
    private readonly model: FaceModelTensors,
    seed: number,
    private readonly options: SyntheticOptions = {},
  ) {
    this.random = seededRandom(seed);
  }

  next(persons: number, frames: number): FaceBatch {
    const n = persons * frames;
    const K = this.model.identityCount;
    const { identitySigma = 1, landmarkNoise = 0.004, framePoseSigma = 0.15 } = this.options;
    const alpha = new Float32Array(n * K);
    const beta = new Float32Array(n * NUM_EXPRESSION_UNITS);
    const rotation = new Float32Array(n * 3);
    const camera = new Float32Array(n * 3);
    for (let p = 0; p < persons; p++) {
      const identity = sampleIdentity(this.random, K, identitySigma);
      const basePose = samplePose(this.random, this.options.pose);
      for (let t = 0; t < frames; t++) {
        const row = p * frames + t;
        alpha.set(identity, row * K);
        beta.set(sampleExpression(this.random, this.options.expression), row * NUM_EXPRESSION_UNITS);
        for (let a = 0; a < 3; a++)
          rotation[row * 3 + a] =
            basePose[a] + (t === 0 ? 0 : framePoseSigma * this.random.normal() * (a === 1 ? 1 : 0.6));
        // Camera: any scale and offset; the face-box normalisation removes them again.
        camera.set(
          [this.random.uniform(-200, 200), this.random.uniform(-200, 200), Math.log(this.random.uniform(1, 4))],
          row * 3,
        );
      }
    }
    return tf.tidy(() => {
      const identity = tf.tensor2d(alpha, [n, K]);
      const expression = tf.tensor2d(beta, [n, NUM_EXPRESSION_UNITS]);
      const rot = tf.tensor2d(rotation, [n, 3]);
      const cam = tf.tensor2d(camera, [n, 3]);
      const points = this.model.faceMeshLandmarks(identity, expression);
      const image = projectPointsBatch(points, rot, cam);
      const { center, size } = landmarkFeaturesBatch(image);
      // Ground-truth camera in face-box units: offset relative to the box centre, scale relative to its size.
      const [t, logScale] = tf.split(cam, [2, 1], 1);
      const translation = tf.concat(
        [tf.div(tf.sub(t, center), size), tf.sub(logScale, tf.log(size))],
        1,
      ) as tf.Tensor2D;
      const noiseSeed = this.random.int(2 ** 31);
      const noisy = tf.add(
        tf.div(tf.sub(image, tf.expandDims(center, 1)), tf.expandDims(size, 1)),
        tf.randomNormal(image.shape, 0, landmarkNoise, 'float32', noiseSeed),
      );
      const landmarks = noisy as tf.Tensor3D;
      const features = tf.reshape(landmarks, [n, -1]) as tf.Tensor2D;
      // The tracker's view of the same noisy points: pixels, and depth −s·(R·p)_z (the tracker's z grows away from
      // the camera) with noise of the same size.
      const depth = tf.mul(
        tf.neg(tf.slice(tf.matMul(points, rotationMatrices(rot), false, true), [0, 0, 2], [-1, -1, 1])),
        tf.expandDims(tf.exp(logScale), 1),
      );
      const depthNoise = tf.mul(
        tf.randomNormal(depth.shape, 0, landmarkNoise, 'float32', (noiseSeed ^ 0x2545f491) >>> 0),
        tf.expandDims(size, 1),
      );
      const points3d = tf.concat(
        [tf.add(tf.mul(noisy, tf.expandDims(size, 1)), tf.expandDims(center, 1)), tf.add(depth, depthNoise)],
        2,
      ) as tf.Tensor3D;
      return {
        persons,
        frames,
        features,
        landmarks,
        points3d,
        truth: { identity, expression, rotation: rot, translation },
      } as unknown as tf.TensorContainerObject;
    }) as unknown as FaceBatch;
  }
}
