// A recorded clip with a prompt file as captured prompts: the frames of each span, as the guided capture would have
// collected them live. Pure (landmark tracks are decoded the same in Node and in the browser).
import { CpemError } from '../../../plugin/errors/cpem-error.js';
import type { LandmarkTrack } from '../data/landmark-track.js';
import type { PromptCapture } from './capture-analysis.js';
import type { PromptFile } from './prompt-file.js';
import { promptLabel } from './prompts.js';

/** Tolerance on span ends: frame times are the decoder's own, rounded in the track. */
const TIME_EPSILON = 1e-3;

/**
 * The frames of each span of `file` in `track` (from ≤ t ≤ to), with their landmarks where the tracker found a face.
 * Throws INVALID_ARGUMENT naming every span that holds no frame of the clip (past its end, or between two frames).
 */
export function capturesFromTrack(track: LandmarkTrack, file: PromptFile, source = 'the clip'): PromptCapture[] {
  const duration = track.frames.length ? track.frames[track.frames.length - 1].time : 0;
  const problems: string[] = [];
  const captures = file.spans.map((span) => {
    const frames = track.frames
      .filter((f) => f.time >= span.from - TIME_EPSILON && f.time <= span.to + TIME_EPSILON)
      .map((f) => ({
        time: f.time,
        index: f.index,
        landmarks: f.status === 'ok' ? Float32Array.from(f.landmarks) : null,
      }));
    if (frames.length === 0)
      problems.push(
        `${promptLabel(span.spec)} at ${span.from}-${span.to} s holds no frame of ${source} (0-${duration.toFixed(2)} s)`,
      );
    return { spec: span.spec, frames };
  });
  if (problems.length > 0)
    throw new CpemError('INVALID_ARGUMENT', `The prompt file does not fit ${source}:\n- ${problems.join('\n- ')}`);
  return captures;
}
