// A live loss chart on a canvas: the weighted total and each loss term (before weighting) against the step,
// on a log scale. Redraws from the rows it is given; cheap enough to call after every logged step.
import type { LossLogRow } from '../lib/trainer/loss-log.js';

const COLORS: Record<string, string> = {
  total: '#f5f5f5',
  landmark: '#4fc3f7',
  identityConsistency: '#ffb74d',
  expressionExclusive: '#e57373',
  identityRegularization: '#ba68c8',
  expressionSparsity: '#81c784',
  syntheticSupervision: '#fff176',
};
const FALLBACK = ['#90a4ae', '#a1887f', '#4db6ac'];

export class LossChart {
  private readonly ctx: CanvasRenderingContext2D;

  constructor(private readonly canvas: HTMLCanvasElement) {
    this.ctx = canvas.getContext('2d')!;
  }

  draw(rows: readonly LossLogRow[], totalSteps: number): void {
    const { canvas, ctx } = this;
    const dpr = window.devicePixelRatio || 1;
    const cssW = canvas.clientWidth || canvas.width;
    const cssH = canvas.clientHeight || canvas.height;
    if (canvas.width !== Math.round(cssW * dpr) || canvas.height !== Math.round(cssH * dpr)) {
      canvas.width = Math.round(cssW * dpr);
      canvas.height = Math.round(cssH * dpr);
    }
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = '#1b1e24';
    ctx.fillRect(0, 0, cssW, cssH);
    const pad = { left: 56, right: 12, top: 28, bottom: 26 };
    const w = cssW - pad.left - pad.right;
    const h = cssH - pad.top - pad.bottom;
    const names = ['total', ...new Set(rows.flatMap((r) => Object.keys(r.terms)))];
    const value = (r: LossLogRow, name: string) => (name === 'total' ? r.total : r.terms[name]);
    let lo = Infinity;
    let hi = -Infinity;
    for (const r of rows) {
      for (const n of names) {
        const v = value(r, n);
        if (v !== undefined && v > 0 && Number.isFinite(v)) {
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
        }
      }
    }
    if (!Number.isFinite(lo)) {
      lo = 1e-3;
      hi = 1;
    }
    const yMin = Math.floor(Math.log10(lo));
    const yMax = Math.max(Math.ceil(Math.log10(hi)), yMin + 1);
    const xMax = Math.max(totalSteps - 1, rows.at(-1)?.step ?? 1, 1);
    const x = (step: number) => pad.left + (step / xMax) * w;
    const y = (v: number) => pad.top + h - ((Math.log10(Math.max(v, 10 ** yMin)) - yMin) / (yMax - yMin)) * h;

    ctx.font = '11px system-ui, sans-serif';
    ctx.strokeStyle = '#333842';
    ctx.fillStyle = '#9aa0aa';
    ctx.lineWidth = 1;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (let e = yMin; e <= yMax; e++) {
      const yy = y(10 ** e);
      ctx.beginPath();
      ctx.moveTo(pad.left, yy);
      ctx.lineTo(pad.left + w, yy);
      ctx.stroke();
      ctx.fillText(`1e${e}`, pad.left - 6, yy);
    }
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (let i = 0; i <= 4; i++) {
      const s = Math.round((xMax * i) / 4);
      ctx.fillText(String(s), x(s), pad.top + h + 6);
    }

    let legendX = pad.left;
    names.forEach((name, i) => {
      const color = COLORS[name] ?? FALLBACK[i % FALLBACK.length];
      ctx.strokeStyle = color;
      ctx.lineWidth = name === 'total' ? 2 : 1.25;
      ctx.beginPath();
      let started = false;
      for (const r of rows) {
        const v = value(r, name);
        if (v === undefined || !Number.isFinite(v)) {
          started = false;
          continue;
        }
        if (started) ctx.lineTo(x(r.step), y(v));
        else ctx.moveTo(x(r.step), y(v));
        started = true;
      }
      ctx.stroke();
      ctx.fillStyle = color;
      ctx.textAlign = 'left';
      ctx.textBaseline = 'middle';
      ctx.fillRect(legendX, 10, 10, 3);
      ctx.fillText(name, legendX + 14, 12);
      legendX += 22 + ctx.measureText(name).width;
    });
  }
}
