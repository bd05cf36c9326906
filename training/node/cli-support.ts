// What the Node command lines (training/cli/*.ts) share: where ../shared and the labelled real frames are, and how
// a failure is reported. Their options are read by tools/cli-args.mjs (readCliArgs), re-exported here.
import fs from 'node:fs';
import path from 'node:path';
import { isCpemError } from '../../plugin/errors/cpem-error.js';
import { parseLabelSet, type LabelSet } from '../eval/real-frame-eval.js';

export { readCliArgs } from '../../tools/cli-args.mjs';

/** ../shared beside the checkout, or null when it is absent. */
export function sharedDirOrNull(): string | null {
  const dir = path.join('..', 'shared');
  return fs.existsSync(dir) ? dir : null;
}

/** The labelled real frames (test/data/real-frame-labels.json), checked. */
export function readLabelSet(): LabelSet {
  return parseLabelSet(JSON.parse(fs.readFileSync(path.join('test', 'data', 'real-frame-labels.json'), 'utf8')));
}

/** Runs a command's main; a failure prints `CODE: message` for a CpemError (else the error) and exits 1. */
export function runCli(main: () => Promise<void>): void {
  main().catch((e) => {
    console.error(isCpemError(e) ? `${e.code}: ${e.message}` : e);
    process.exit(1);
  });
}
