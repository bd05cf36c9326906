import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LossLog } from '../../training/lib/trainer/loss-log.js';
import { ProgressBar } from '../../plugin/node/progress-bar.js';

describe('trainer support', () => {
  it('the loss log round-trips through CSV, with terms that appear later', () => {
    const log = new LossLog();
    log.add({ step: 0, seconds: 0.5, total: 3, terms: { landmark: 2, idc: 1 } });
    log.add({ step: 10, seconds: 1.25, total: 2.5, terms: { landmark: 1.5, idc: 0.5, exclusive: 0.5 } });
    const csv = log.toCsv();
    assert.equal(csv.split('\n')[0], 'step,seconds,total,landmark,idc,exclusive');
    assert.equal(csv.split('\n')[1], '0,0.50,3,2,1,');
    assert.deepEqual(LossLog.fromCsv(csv).rows, log.rows);
  });

  it('the progress bar prints one line per tenth when not on a terminal', () => {
    const lines: string[] = [];
    const bar = new ProgressBar(100, 'train', { write: (s: string) => lines.push(s) });
    for (let i = 1; i <= 100; i++) bar.update(i, `loss ${i}`);
    assert.equal(lines.length, 11); // the first update, then one per tenth
    assert.match(lines[10], /^train 100\/100 100% .* · loss 100\n$/);
  });
});
