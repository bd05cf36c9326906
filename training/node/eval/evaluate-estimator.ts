// The estimator's accuracy report: synthetic held-out faces, labelled real frames, identity consistency on real
// clips and the reconstructed landmarks on annotated images. Node only (tracks and images come through ffmpeg).
import path from 'node:path';
import type { PeNet } from '../../../plugin/estimator/pe-net.js';
import type { FaceModel } from '../../../plugin/face-model/face-model.js';
import type { FaceModelTensors } from '../../../plugin/face-model/face-model-tensors.js';
import { FaceTracker } from '../../../plugin/tracker/face-tracker.js';
import { identityDrift } from '../../lib/eval/clip-estimates.js';
import { evaluateSynthetic, type SyntheticReport } from '../../lib/eval/synthetic-eval.js';
import { scoreRealFrames, type LabelSet, type RealFrameReport } from '../../lib/eval/real-frame-eval.js';
import { reconstructionNme, type ReconstructionRow } from './reconstruction-nme.js';
import { readLandmarkImages } from './tracker-nme.js';
import { estimateLabelledClips } from './labelled-clip-estimates.js';
import { loadTeacherTrack } from '../real-clips.js';
import { teacherPeerUnits } from '../../lib/eval/teacher-peer.js';
import { mirrorCheck, type MirrorCheck } from './mirror-check.js';
import { NUM_EXPRESSION_UNITS } from '../../../plugin/constants.js';

/**
 * One half's labelled frames scored four ways: PE-Net's raw units, the calibrated units a character gets, the
 * teacher as a peer (MediaPipe's blendshapes on the same frames; null without its cache), and reading 0.
 */
export interface RealFrameScores {
  raw: RealFrameReport;
  calibrated: RealFrameReport;
  teacher: RealFrameReport | null;
  zero: RealFrameReport;
}

export interface EvaluationReport {
  synthetic: SyntheticReport;
  /** Scores on the labelled real frames, per split: PE-Net's raw units and the calibrated units a character gets. */
  realFrames: {
    report: RealFrameScores;
    tune: RealFrameScores;
  } | null;
  /** α drift from each clip's first frame (mean |Δα|), per clip and averaged over the report and tune clips. */
  identity: { perClip: Record<string, number>; report: number; tune: number } | null;
  /** The mirrored check on the report half's labelled frames (mirror-check.ts). */
  mirror: MirrorCheck | null;
  reconstruction: { rows: ReconstructionRow[]; mean: number } | null;
}

export interface EvaluationOptions {
  labels: LabelSet | null;
  /** ../shared (videos/, landmark-images/), or null to skip the real-data sections. */
  sharedDir: string | null;
  log?: (message: string) => void;
  syntheticSamples?: number;
  /** Score the teacher beside ours (its cache is made with npm run teacher where missing). Default true. */
  teacher?: boolean;
  /** Folder of the clips' landmark tracks (default .cache/tracks), e.g. .cache/tracks-attention. */
  trackDir?: string;
}

/** The teacher's peer units on every frame of each clip, or null when a clip's teacher cache cannot be had. */
function teacherEstimates(videos: string[], log: (m: string) => void): Map<string, Map<number, Float32Array>> | null {
  try {
    return new Map(videos.map((v) => [path.basename(v), teacherPeerUnits(loadTeacherTrack(v, { log }))]));
  } catch (e) {
    log(`no teacher column: ${(e as Error).message}`);
    return null;
  }
}

const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / Math.max(1, v.length);

export async function evaluateEstimator(
  net: PeNet,
  model: FaceModel,
  tensors: FaceModelTensors,
  options: EvaluationOptions,
): Promise<EvaluationReport> {
  const log = options.log ?? (() => {});
  log('synthetic held-out set');
  const synthetic = await evaluateSynthetic(net, tensors, {
    samples: options.syntheticSamples ?? 2048,
    neutralFace: true,
  });
  if (!options.sharedDir || !options.labels)
    return { synthetic, realFrames: null, identity: null, mirror: null, reconstruction: null };

  const labels = options.labels;
  const estimates = await estimateLabelledClips(net, labels, options.sharedDir, { log, trackDir: options.trackDir });
  const pick = (which: 'raw' | 'calibrated') => (f: { clip: string; frame: number }) => {
    const e = estimates.get(f.clip)?.get(f.frame);
    return e ? (which === 'raw' ? e.rawUnits : e.units) : null;
  };
  const zero = () => new Float32Array(NUM_EXPRESSION_UNITS);
  const teacher =
    options.teacher === false
      ? null
      : teacherEstimates(
          Object.keys(labels.clips).map((c) => path.join(options.sharedDir!, 'videos', c)),
          log,
        );
  const split = (s: 'tune' | 'report'): RealFrameScores => ({
    raw: scoreRealFrames(labels, s, pick('raw')),
    calibrated: scoreRealFrames(labels, s, pick('calibrated')),
    teacher: teacher ? scoreRealFrames(labels, s, (f) => teacher.get(f.clip)?.get(f.frame) ?? null) : null,
    zero: scoreRealFrames(labels, s, zero),
  });
  const perClip = Object.fromEntries([...estimates.entries()].map(([clip, e]) => [clip, identityDrift(e)]));
  const bySplit = (s: string) =>
    mean(
      Object.entries(perClip)
        .filter(([c, v]) => labels.clips[c].split === s && Number.isFinite(v))
        .map(([, v]) => v),
    );

  log('mirrored check on the report half');
  const mirror = await mirrorCheck(net, labels, 'report', path.join(options.sharedDir, 'videos'), log);

  log('reconstructed landmarks on annotated images');
  const tracker = await FaceTracker.create({ backend: 'wasm', maxFaces: 3 });
  let rows: ReconstructionRow[];
  try {
    rows = await reconstructionNme(
      net,
      model,
      tracker,
      readLandmarkImages(path.join(options.sharedDir, 'landmark-images')),
    );
  } finally {
    tracker.dispose();
  }
  return {
    synthetic,
    realFrames: { report: split('report'), tune: split('tune') },
    identity: { perClip, report: bySplit('report'), tune: bySplit('tune') },
    mirror,
    reconstruction: { rows, mean: mean(rows.filter((r) => Number.isFinite(r.nme)).map((r) => r.nme)) },
  };
}
