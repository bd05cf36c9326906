// Face tracker per-stage latency in headless Chromium (wasm, webgl, webgpu) on a real clip from ../shared/videos,
// and tf.memory().numTensors before and after 1,000 tracked frames on wasm. WebGL and WebGPU run on SwiftShader
// (software) on this machine, so they get few frames and their figures say nothing about a real GPU.
import { trackerStageRows, type TrackerBenchPlan } from '../support/tracker-stages.js';
import type { BenchFunction } from '../support/bench-types.js';
import { videoFramesInBrowser } from '../../training/lib/data/video-frames-browser.js';

const CLIP = 'liveportrait_d0.mp4';
const DISTINCT = 100; // frames decoded once to ImageData, then looped

const run: BenchFunction = async ({ sharedDir, log }) => {
  const url = sharedDir ? `${sharedDir}/videos/${CLIP}` : null;
  if (!url || !(await fetch(url, { method: 'HEAD' })).ok)
    return [{ bench: 'tracker', case: 'track a clip', unit: 'ms', note: `skipped: no ../shared/videos/${CLIP}` }];
  const frames = await videoFramesInBrowser(url, DISTINCT);
  const size = `${frames[0].width}×${frames[0].height}`;
  const plan: TrackerBenchPlan[] = [
    { backend: 'wasm', frames: 1000, detects: 30, note: `${CLIP} ${size}, ${DISTINCT} frames looped (ImageData)` },
    { backend: 'webgl', frames: 20, detects: 3, note: `${CLIP} ${size}; SwiftShader software WebGL2 here, few frames` },
    {
      backend: 'webgpu',
      frames: 10,
      detects: 2,
      note: `${CLIP} ${size}; SwiftShader software WebGPU here, few frames`,
    },
  ];
  return trackerStageRows(frames, plan, `${CLIP} ${size}, letterboxed to 256`, log);
};
export default run;
