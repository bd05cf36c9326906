// The before/after of a personalisation on the page: per prompt, the prompted units' value against the prompt's
// target and the largest unit the prompt leaves alone, for the shipped and the personalised network, as a table and
// as a bar chart (training/lib/personalize/before-after.ts computes them).
import type { BeforeAfter } from '../lib/personalize/before-after.js';

const f2 = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : '–');

/** Fills `table` (thead + tbody) with one row per scored prompt and a mean row. */
export function renderBeforeAfterTable(table: HTMLTableElement, result: BeforeAfter): void {
  table.innerHTML = '';
  const head = table.createTHead().insertRow();
  for (const [text, title] of [
    ['prompt', ''],
    ['frames', 'held-out frames scored (never trained on)'],
    ['target', 'the value the prompted units were trained towards'],
    ['prompted, shipped', 'mean of the prompted units, shipped network'],
    ['prompted, yours', 'mean of the prompted units, personalised network'],
    ['largest other, shipped', 'the unit the prompt leaves alone that reads highest, shipped network'],
    ['largest other, yours', 'the same, personalised network'],
  ]) {
    const th = document.createElement('th');
    th.textContent = text;
    th.title = title;
    head.append(th);
  }
  const body = table.createTBody();
  const row = (cells: string[], cls?: string) => {
    const tr = body.insertRow();
    if (cls) tr.className = cls;
    for (const c of cells) tr.insertCell().textContent = c;
    return tr;
  };
  for (const r of result.rows) {
    const tr = row([
      r.label,
      String(r.frames),
      f2(r.target),
      f2(r.before.prompted),
      f2(r.after.prompted),
      `${r.before.largestOther.unit} ${f2(r.before.largestOther.value)}`,
      `${r.after.largestOther.unit} ${f2(r.after.largestOther.value)}`,
    ]);
    tr.dataset.prompt = r.prompts.join('+');
  }
  row(
    [
      'mean',
      '',
      '',
      `error ${f2(result.promptedError.before)}`,
      `error ${f2(result.promptedError.after)}`,
      f2(result.largestOther.before),
      f2(result.largestOther.after),
    ],
    'mean',
  );
}

const COLOURS = {
  before: '#8a8f99',
  after: '#2f6fdf',
  otherBefore: '#b07a7a',
  otherAfter: '#ff6b5b',
  target: '#ffffff',
  text: '#c8ccd4',
  grid: '#2a2e37',
};

/**
 * Two panels of grouped bars, one group per prompt: above, the prompted units (shipped, personalised) with the
 * target as a white tick; below, the largest unit each network reads that the prompt leaves alone.
 */
export function drawBeforeAfterChart(canvas: HTMLCanvasElement, result: BeforeAfter): void {
  const dpr = window.devicePixelRatio || 1;
  const width = canvas.clientWidth || canvas.width;
  const height = canvas.clientHeight || canvas.height;
  canvas.width = Math.round(width * dpr);
  canvas.height = Math.round(height * dpr);
  const g = canvas.getContext('2d')!;
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.fillStyle = '#1b1e24';
  g.fillRect(0, 0, width, height);
  const left = 34,
    right = 8,
    top = 22,
    labels = 46,
    gap = 18;
  const panel = (height - top - labels - gap) / 2;
  const rows = result.rows;
  const groupWidth = (width - left - right) / Math.max(1, rows.length);
  g.font = '11px system-ui, sans-serif';
  const axes = (y0: number, title: string) => {
    g.strokeStyle = COLOURS.grid;
    g.fillStyle = COLOURS.text;
    for (const v of [0, 0.5, 1]) {
      const y = y0 + panel * (1 - v);
      g.beginPath();
      g.moveTo(left, y);
      g.lineTo(width - right, y);
      g.stroke();
      g.fillText(v.toFixed(1), 4, y + 4);
    }
    g.fillText(title, left, y0 - 6);
  };
  const bar = (x: number, w: number, y0: number, v: number, colour: string) => {
    if (!Number.isFinite(v)) return;
    g.fillStyle = colour;
    const h = panel * Math.min(1, Math.max(0, v));
    g.fillRect(x, y0 + panel - h, w, h);
  };
  const y1 = top,
    y2 = top + panel + gap;
  axes(y1, 'prompted units: shipped (grey), yours (blue), target (white)');
  axes(y2, 'largest unit the prompt leaves alone: shipped, yours');
  rows.forEach((r, i) => {
    const x = left + i * groupWidth;
    const w = Math.max(2, groupWidth * 0.3);
    bar(x + groupWidth * 0.15, w, y1, r.before.prompted, COLOURS.before);
    bar(x + groupWidth * 0.15 + w, w, y1, r.after.prompted, COLOURS.after);
    if (Number.isFinite(r.target)) {
      g.fillStyle = COLOURS.target;
      g.fillRect(x + groupWidth * 0.1, y1 + panel * (1 - r.target) - 1, groupWidth * 0.8, 2);
    }
    bar(x + groupWidth * 0.15, w, y2, r.before.largestOther.value, COLOURS.otherBefore);
    bar(x + groupWidth * 0.15 + w, w, y2, r.after.largestOther.value, COLOURS.otherAfter);
    g.save();
    g.fillStyle = COLOURS.text;
    g.translate(x + groupWidth / 2, height - labels + 6);
    g.rotate(Math.PI / 7);
    g.fillText(r.label.length > 18 ? `${r.label.slice(0, 17)}…` : r.label, -4, 4);
    g.restore();
  });
}
