// From page load to the first face motion on the README's page (bench/browser/pages/readme-page.ts, in a frame of
// its own, the clip in place of the webcam), stage by stage: the page's script (fetched and parsed), the engine,
// the character (glTF loaded and framed), the TF.js backend (probing webgpu and webgl, starting the one picked), the
// models (tracker and PE-Net loaded and warmed up), the first estimated frame. The source opens while the models
// load. Milliseconds from the frame's navigation start, through Performance marks; each run is a new document, with
// the browser's HTTP cache warm after the first.
import type { BenchFunction, BenchRow } from '../support/bench-types.js';
import { summarize } from '../support/stats.js';

const RUNS = 3;
const STAGES = [
  ['page script', 'page:script'],
  ['engine', 'page:engine'],
  ['character', 'page:character'],
  ['backend probe + start', 'cpem:backend'],
  ['models', 'cpem:models'],
  ['first frame', 'cpem:first-motion'],
] as const;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function oneRun(log: (m: string) => void): Promise<Record<string, number>> {
  const frame = document.createElement('iframe');
  frame.style.cssText = 'width:1280px;height:720px;border:0';
  frame.src = `/bench/readme-page.html${location.search}`;
  document.body.appendChild(frame);
  try {
    const t0 = performance.now();
    for (;;) {
      const marks = frame.contentWindow?.performance.getEntriesByType('mark') ?? [];
      if (marks.some((m) => m.name === 'cpem:first-motion')) {
        const at: Record<string, number> = {};
        for (const m of marks) at[m.name] ??= m.startTime;
        return at;
      }
      const startup = (
        frame.contentWindow as unknown as { cpemStartup?: { behavior: { state: string }; error: string | null } } | null
      )?.cpemStartup;
      if (startup?.behavior.state === 'stopped')
        throw new Error(`the README page stopped before its first face motion (${startup.error})`);
      if (performance.now() - t0 > 180_000)
        throw new Error(`no face motion within 3 minutes (marks: ${marks.map((m) => m.name).join(', ')})`);
      await sleep(50);
    }
  } finally {
    frame.remove();
    log('  startup run done');
  }
}

const bench: BenchFunction = async ({ sharedDir, log }) => {
  if (!sharedDir) return [];
  const runs: Record<string, number>[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await oneRun(log));
  const rows: BenchRow[] = [];
  let previous = (_: Record<string, number>) => 0;
  for (const [name, mark] of STAGES) {
    const before = previous;
    // The first frame waits for the models and for the source, whichever is later.
    const start =
      mark === 'cpem:first-motion'
        ? (r: Record<string, number>) => Math.max(r['cpem:models'], r['cpem:source'] ?? 0)
        : before;
    rows.push({
      bench: 'startup',
      case: name,
      backend: 'auto',
      unit: 'ms',
      ...summarize(runs.map((r) => r[mark] - start(r))),
      note: `ends ${Math.round(summarize(runs.map((r) => r[mark])).p50)} ms after page load (p50)`,
    });
    previous = (r) => r[mark];
  }
  rows.push({
    bench: 'startup',
    case: 'source open (beside the models)',
    backend: 'auto',
    unit: 'ms',
    ...summarize(runs.map((r) => r['cpem:source'] - r['page:character'])),
    note: 'the clip; a webcam adds its permission prompt',
  });
  rows.push({
    bench: 'startup',
    case: 'page load → first face motion',
    backend: 'auto',
    unit: 'ms',
    ...summarize(runs.map((r) => r['cpem:first-motion'])),
    note: `README page, ${RUNS} runs, first one with a cold HTTP cache`,
  });
  return rows;
};
export default bench;
