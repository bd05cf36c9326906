// How far the tracker's cheaper iris modes (refineIris 'alternate' and false) put the eyes from the full one (true,
// the iris model on both eyes every frame), on the same frames of a clip. Node only (ffmpeg decodes the clip).
import { FaceTracker } from '../../../plugin/tracker/face-tracker.js';
import { decodeVideo } from '../../../plugin/node/ffmpeg-frames.js';
import { pearson } from '../../lib/eval/real-frame-eval.js';

/** Lid and corner points of both eyes (iris-model contour rows 0-15 of each eye). */
const EYE_CONTOUR = [
  33, 7, 163, 144, 145, 153, 154, 155, 133, 246, 161, 160, 159, 158, 157, 173, 263, 249, 390, 373, 374, 380, 381, 382,
  362, 466, 388, 387, 386, 385, 384, 398,
];
const IRIS = [468, 469, 470, 471, 472, 473, 474, 475, 476, 477];

export interface IrisModeRow {
  mode: 'alternate' | 'false';
  frames: number;
  /** Mean point distance from refineIris true's, over the inter-ocular distance (33-263). */
  contour: number;
  iris: number;
  /** Correlation over frames of each eye's opening (upper-lid 159/386 to lower-lid 145/374, over the inter-ocular distance) with true's. */
  openingCorrelation: [number, number];
}

/** Tracks the first `maxFrames` frames of `clip` in each iris mode (Node, wasm) and compares them with true's. */
export async function compareIrisModes(clip: string, maxFrames: number): Promise<IrisModeRow[]> {
  const tracked: Record<string, (Float32Array | null)[]> = {};
  for (const mode of [true, 'alternate', false] as const) {
    const tracker = await FaceTracker.create({ backend: 'wasm', refineIris: mode });
    const out: (Float32Array | null)[] = [];
    for await (const f of decodeVideo(clip, { maxFrames })) {
      out.push(
        (await tracker.track({ data: f.data, width: f.width, height: f.height, channels: 3 })).faces[0]?.landmarks ??
          null,
      );
    }
    tracker.dispose();
    tracked[String(mode)] = out;
  }
  return (['alternate', 'false'] as const).map((mode) => {
    let contour = 0,
      iris = 0,
      frames = 0;
    const opening: [Array<[number, number]>, Array<[number, number]>] = [[], []];
    tracked[mode].forEach((p, f) => {
      const q = tracked.true[f];
      if (!p || !q) return;
      const iod = Math.hypot(q[3 * 33] - q[3 * 263], q[3 * 33 + 1] - q[3 * 263 + 1]);
      const mean = (ks: number[]) =>
        ks.reduce((s, k) => s + Math.hypot(p[3 * k] - q[3 * k], p[3 * k + 1] - q[3 * k + 1]), 0) / ks.length / iod;
      contour += mean(EYE_CONTOUR);
      iris += mean(IRIS);
      frames++;
      [
        [159, 145],
        [386, 374],
      ].forEach(([up, low], e) => {
        const open = (x: Float32Array) => Math.hypot(x[3 * up] - x[3 * low], x[3 * up + 1] - x[3 * low + 1]) / iod;
        opening[e].push([open(p), open(q)]);
      });
    });
    return {
      mode,
      frames,
      contour: contour / frames,
      iris: iris / frames,
      openingCorrelation: [pearson(opening[0]), pearson(opening[1])],
    };
  });
}
