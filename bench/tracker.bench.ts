// Face tracker per-stage latency in Node (wasm, cpu) on a real clip from ../shared/videos, and the tensor count
// before and after 1,000 tracked frames. Stages: detect (detector only, on frames where it ran), landmarks
// (face mesh + iris in tracking mode: no detector), total (the whole track() call, tracking mode).
import path from 'node:path';
import fs from 'node:fs';
import type { RawImage } from '../plugin/tracker/face-tracker.js';
import { decodeVideo } from '../plugin/node/ffmpeg-frames.js';
import { trackerStageRows, type TrackerBenchPlan } from './support/tracker-stages.js';
import type { BenchFunction } from './support/bench-types.js';

export const TRACKER_BENCH_CLIP = 'liveportrait_d0.mp4';

const run: BenchFunction = async ({ sharedDir, log }) => {
  const clip = sharedDir ? path.join(sharedDir, 'videos', TRACKER_BENCH_CLIP) : null;
  if (!clip || !fs.existsSync(clip))
    return [
      {
        bench: 'tracker',
        case: 'track a clip',
        unit: 'ms',
        note: `skipped: no ../shared/videos/${TRACKER_BENCH_CLIP}`,
      },
    ];
  const frames: RawImage[] = [];
  for await (const f of decodeVideo(clip, { maxFrames: 200 }))
    frames.push({ data: f.data, width: f.width, height: f.height, channels: 3 });
  const size = `${frames[0].width}×${frames[0].height}`;
  const plan: TrackerBenchPlan[] = [
    { backend: 'wasm', frames: 1000, detects: 30, note: `${TRACKER_BENCH_CLIP} ${size}, 200 frames looped` },
    { backend: 'cpu', frames: 20, detects: 3, note: `${TRACKER_BENCH_CLIP} ${size}; plain-JS kernels, few frames` },
  ];
  return trackerStageRows(frames, plan, `${TRACKER_BENCH_CLIP} ${size}, letterboxed to 256`, log);
};
export default run;
