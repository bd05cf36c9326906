import { joinAssetPath } from '../assets.js';
import { CpemError } from '../errors/cpem-error.js';
import type { EstimatedFaceMotion } from '../estimator/face-estimator.js';
import { FaceModel } from '../face-model/face-model.js';
import { projectPoints } from '../geometry/head-pose.js';

/**
 * What overlays need beyond the motion: the face model, loaded only when first asked for (it is not needed to drive
 * a character), and the reconstruction of a frame's face from it in video pixels.
 */
export class FaceOverlay {
  private model: FaceModel | null = null;
  private loading: Promise<FaceModel> | null = null;
  /** reconstruct() tried to load the face model and failed: it does not try again (load() does). */
  private failed = false;

  /**
   * `source`: the face-model file (URL, or a path in Node), or null for `face-model.bin` under `assetBaseUrl` (without
   * either, loading fails with what to pass). `onError` hears a failed load started by reconstruct().
   */
  constructor(
    private readonly source: string | URL | null,
    private readonly assetBaseUrl: string | undefined,
    private readonly onError: (e: unknown) => void,
  ) {}

  /** The face model once loaded, else null. */
  get faceModel(): FaceModel | null {
    return this.model;
  }

  /** Loads the face model (once); rejects with WEIGHTS_MISSING or FACE_MODEL_INVALID, and a later call tries again. */
  load(): Promise<FaceModel> {
    if (this.model) return Promise.resolve(this.model);
    if (this.source === null && this.assetBaseUrl === undefined) {
      return Promise.reject(
        new CpemError(
          'WEIGHTS_MISSING',
          'Overlays need the face model, which apps carry only when they ask for it: pass faceModelUrl: packagedFaceModelUrl() ' +
            "(import { packagedFaceModelUrl } from 'babylon-cpem/face-model'), or assetBaseUrl where copy-assets put the files.",
        ),
      );
    }
    this.loading ??= FaceModel.load(this.source ?? joinAssetPath(this.assetBaseUrl!, 'face-model.bin')).then(
      (model) => {
        this.model = model;
        this.loading = null;
        this.failed = false;
        return model;
      },
      (e) => {
        this.loading = null;
        throw e;
      },
    );
    return this.loading;
  }

  /**
   * The face model's 478 face-mesh points for `motion`'s identity, units and pose, projected into video pixels
   * ([x0, y0, x1, ...]). Null until the face model has loaded: the first call starts loading it; if that fails, the
   * error goes to `onError` once and reconstruct() stays null (call load() to try again).
   */
  reconstruct(motion: EstimatedFaceMotion): Float32Array | null {
    const model = this.model;
    if (!model) {
      if (!this.loading && !this.failed) {
        this.load().catch((e) => {
          this.failed = true;
          this.onError(e);
        });
      }
      return null;
    }
    const points = model.faceMeshLandmarksOf(model.decode(motion.frameIdentity, motion.rawUnits));
    return projectPoints(points, motion.frameRotation, [
      motion.projection.x,
      motion.projection.y,
      Math.log(motion.projection.scale),
    ]);
  }
}
