// What tfjs' threaded wasm would give the tracker's networks on this machine: the face mesh (192 px) and the iris
// model (64 px, one eye and both) timed on one thread (plain page) and on every logical core (cross-origin isolated
// page). tfjs-backend-wasm 4.22 caps its XNNPACK thread pool at half of navigator.hardwareConcurrency whatever
// setThreadsCount asks (1 thread on a 2-core machine), so the isolated page reports twice the real core count to it
// before the backend starts: that is the only way to run every core here, and a bench may do it; the library does not.
import * as tf from '@tensorflow/tfjs-core';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { selectBackend } from '../../plugin/tracker/backend.js';
import { execute, loadTrackerModel, trackerModelFiles, type TrackerModelName } from '../../plugin/tracker/model-io.js';
import { summarize } from '../support/stats.js';
import type { BenchFunction, BenchRow } from '../support/bench-types.js';

export const pageVariants = ['plain', 'isolated'];

const RUNS = 60;
const WARM_UP = 10;

const run: BenchFunction = async ({ log }) => {
  const cores = navigator.hardwareConcurrency;
  const isolated = globalThis.crossOriginIsolated === true;
  if (isolated) Object.defineProperty(navigator, 'hardwareConcurrency', { value: 2 * cores, configurable: true });
  await selectBackend('wasm', undefined, isolated ? cores : undefined);
  const threads = getThreadsCount();
  const backend = `wasm, ${threads} thread${threads > 1 ? 's' : ''}`;
  const note = `${isolated ? 'cross-origin isolated' : 'plain'} page, ${cores} logical cores`;
  log(`${note}: ${backend}`);
  const files = trackerModelFiles();
  const rows: BenchRow[] = [];
  for (const [name, size, batch] of [
    ['facemesh', 192, 1],
    ['iris', 64, 1],
    ['iris', 64, 2],
  ] as Array<[TrackerModelName, number, number]>) {
    const model = await loadTrackerModel(files, name);
    const input = tf.randomUniform([batch, size, size, 3]);
    const ms: number[] = [];
    for (let i = 0; i < WARM_UP + RUNS; i++) {
      const t0 = performance.now();
      const out = execute(model, input.clone());
      await Promise.all(out.map((t) => t.data()));
      if (i >= WARM_UP) ms.push(performance.now() - t0);
      tf.dispose(out);
    }
    input.dispose();
    model.dispose();
    rows.push({
      bench: 'wasm-threads',
      case: `${name} ${size} px × ${batch}`,
      backend,
      unit: 'ms',
      ...summarize(ms),
      note,
    });
  }
  return rows;
};
export default run;
