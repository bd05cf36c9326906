// Cost per frame of applying the full ARKit table to the Ready Player Me avatar (../shared/avatars, tests and
// benchmarks only) in headless Chromium: the applier alone, the table evaluation alone, and a rendered frame with
// and without it for context (the render is SwiftShader's software WebGL2 here, far slower than a GPU).
import { Engine } from '@babylonjs/core/Engines/engine';
import { Scene } from '@babylonjs/core/scene';
import { FreeCamera } from '@babylonjs/core/Cameras/freeCamera';
import { HemisphericLight } from '@babylonjs/core/Lights/hemisphericLight';
import { Vector3 } from '@babylonjs/core/Maths/math.vector';
import { createNeutralFaceMotion, type FaceMotion } from '../../plugin/motion/face-motion.js';
import { autoMap } from '../../plugin/retarget/auto-map.js';
import { RetargetApplier } from '../../plugin/retarget/morph-target-applier.js';
import { compileRetargetTable, evaluateRetargetTable } from '../../plugin/retarget/shaping.js';
import { loadGlb } from '../../test/support/arkit-test-face.js';
import { summarize } from '../support/stats.js';
import type { BenchFunction, BenchRow } from '../support/bench-types.js';
import { NUM_EXPRESSION_UNITS } from '../../plugin/constants.js';

const FRAMES = 20000;
const BATCH = 200; // Chromium coarsens performance.now() (100 µs) outside cross-origin isolation: time batches of frames.
const RENDER_FRAMES = 60;

/** Varying motions: every unit on its own sine, so each frame writes new values and crosses 0 often. */
function motions(n: number): FaceMotion[] {
  return Array.from({ length: n }, (_, f) => {
    const m = createNeutralFaceMotion(f);
    for (let u = 0; u < NUM_EXPRESSION_UNITS; u++) m.units[u] = Math.max(0, Math.sin(0.05 * f * (1 + u / 7) + u));
    m.rotation.set([0.2 * Math.sin(f * 0.03), 0.4 * Math.sin(f * 0.02), 0.1 * Math.sin(f * 0.05)]);
    return m;
  });
}

/** Per-frame microseconds, measured over batches of BATCH frames. */
function perFrameUs(frames: number, run: (frame: number) => void): number[] {
  const out: number[] = [];
  for (let b = 0; b < frames / BATCH; b++) {
    const t0 = performance.now();
    for (let i = 0; i < BATCH; i++) run(b * BATCH + i);
    out.push(((performance.now() - t0) * 1000) / BATCH);
  }
  return out;
}

const run: BenchFunction = async ({ sharedDir, log }) => {
  const url = sharedDir ? `${sharedDir}/avatars/rpm_brunette-t.glb` : null;
  if (!url || !(await fetch(url, { method: 'HEAD' })).ok) {
    return [
      {
        bench: 'retarget',
        case: 'apply ARKit table to RPM avatar',
        unit: 'µs',
        note: 'skipped: no ../shared/avatars/rpm_brunette-t.glb',
      },
    ];
  }
  const canvas = document.createElement('canvas');
  canvas.width = 256;
  canvas.height = 256;
  document.body.appendChild(canvas);
  const engine = new Engine(canvas, false);
  const scene = new Scene(engine);
  const camera = new FreeCamera('camera', new Vector3(0, 1.65, 0.6), scene); // glTF characters face +z once loaded
  camera.setTarget(new Vector3(0, 1.6, 0));
  new HemisphericLight('light', new Vector3(0, 1, -1), scene);
  const root = await loadGlb(url, scene);
  const auto = autoMap(root);
  const applier = new RetargetApplier(root, auto.table, { onWarning: () => {} });
  const note = `${auto.preset}: ${auto.table.targets.length} rows, ${applier.boundTargetCount} targets on ${applier.boundManagers.length} managers, head ${auto.head}`;
  log(`retarget bench: ${note}`);
  const ms = motions(256);
  const at = (f: number) => ms[f & 255];

  perFrameUs(500, (f) => applier.apply(at(f))); // warm-up: JIT, first writes
  const apply = perFrameUs(FRAMES, (f) => applier.apply(at(f)));

  const compiled = compileRetargetTable(auto.table);
  const values = new Float32Array(auto.table.targets.length);
  perFrameUs(500, (f) => evaluateRetargetTable(compiled, at(f).units, values));
  const evaluate = perFrameUs(FRAMES, (f) => evaluateRetargetTable(compiled, at(f).units, values));

  await scene.whenReadyAsync();
  for (let f = 0; f < 5; f++) {
    applier.apply(at(f));
    scene.render();
  }
  const withApply: number[] = [];
  const renderOnly: number[] = [];
  for (let f = 0; f < RENDER_FRAMES; f++) {
    let t0 = performance.now();
    applier.apply(at(f));
    scene.render();
    withApply.push(performance.now() - t0);
    t0 = performance.now();
    scene.render();
    renderOnly.push(performance.now() - t0);
  }
  applier.dispose();
  scene.dispose();
  engine.dispose();
  canvas.remove();

  const rows: BenchRow[] = [
    {
      bench: 'retarget',
      case: 'apply ARKit table to RPM avatar (per frame)',
      unit: 'µs',
      ...summarize(apply),
      n: FRAMES,
      note: `${note}; means of ${BATCH}-frame batches`,
    },
    {
      bench: 'retarget',
      case: 'evaluate table only (no Babylon writes)',
      unit: 'µs',
      ...summarize(evaluate),
      n: FRAMES,
      note: `means of ${BATCH}-frame batches`,
    },
    {
      bench: 'retarget',
      case: 'apply + scene.render() (CPU side)',
      backend: 'webgl2 (SwiftShader)',
      unit: 'ms',
      ...summarize(withApply),
    },
    {
      bench: 'retarget',
      case: 'scene.render() alone (CPU side)',
      backend: 'webgl2 (SwiftShader)',
      unit: 'ms',
      ...summarize(renderOnly),
    },
  ];
  return rows;
};
export default run;
