/** One row of the training log: the step, the weighted total and each loss term before weighting. */
export interface LossLogRow {
  step: number;
  total: number;
  terms: Record<string, number>;
  /** Seconds since training started. */
  seconds: number;
}

/** Collects loss rows and renders them as CSV (a header of every term seen, one row per entry). */
export class LossLog {
  readonly rows: LossLogRow[] = [];

  add(row: LossLogRow): void {
    this.rows.push({ ...row, terms: { ...row.terms } });
  }

  toCsv(): string {
    const terms = [...new Set(this.rows.flatMap((r) => Object.keys(r.terms)))];
    const lines = [['step', 'seconds', 'total', ...terms].join(',')];
    for (const r of this.rows) {
      lines.push([r.step, r.seconds.toFixed(2), r.total, ...terms.map((t) => r.terms[t] ?? '')].join(','));
    }
    return `${lines.join('\n')}\n`;
  }

  /** Parses a CSV written by {@link toCsv} (for resuming a run). */
  static fromCsv(csv: string): LossLog {
    const log = new LossLog();
    const [header, ...lines] = csv.trim().split('\n');
    const names = header.split(',');
    for (const line of lines) {
      const cells = line.split(',');
      const terms: Record<string, number> = {};
      names.slice(3).forEach((n, i) => {
        if (cells[i + 3] !== '') terms[n] = Number(cells[i + 3]);
      });
      log.add({ step: Number(cells[0]), seconds: Number(cells[1]), total: Number(cells[2]), terms });
    }
    return log;
  }
}
