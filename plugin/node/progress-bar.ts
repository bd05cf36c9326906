/** A text progress bar for command-line runs: redrawn in place on a terminal, one line per 10 % otherwise. */
export class ProgressBar {
  private lastDecile = -1;
  private readonly start = Date.now();

  constructor(
    private readonly total: number,
    private readonly label: string,
    /** Where to write: `process.stderr` in Node. */
    private readonly out: { write(s: string): unknown; isTTY?: boolean },
  ) {}

  /** Shows `done` of `total`, with an optional status such as the current loss. */
  update(done: number, status = ''): void {
    const fraction = Math.min(1, done / this.total);
    const elapsed = (Date.now() - this.start) / 1000;
    const eta = fraction > 0 ? elapsed * (1 / fraction - 1) : NaN;
    const text = `${this.label} ${done}/${this.total} ${(100 * fraction).toFixed(0).padStart(3)}% ${elapsed.toFixed(0)}s elapsed${Number.isFinite(eta) ? `, ~${eta.toFixed(0)}s left` : ''}${status ? ` · ${status}` : ''}`;
    if (this.out.isTTY) {
      const width = 24;
      const filled = Math.round(width * fraction);
      this.out.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${text}\x1b[K`);
      if (done >= this.total) this.out.write('\n');
    } else {
      const decile = Math.floor(fraction * 10);
      if (decile !== this.lastDecile || done >= this.total) {
        this.lastDecile = decile;
        this.out.write(`${text}\n`);
      }
    }
  }
}
