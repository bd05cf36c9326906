// What the Node command lines (training/cli/*.ts) share: where the labelled real frames are, and how a failure is
// reported (../shared is found by shared-data.ts). Their options are read by training/node/cli-args.mjs (readCliArgs),
// re-exported here.
import fs from 'node:fs';
import path from 'node:path';
import { CpemError, isCpemError } from '../../plugin/errors/cpem-error.js';
import { parseLabelSet, type LabelSet } from '../lib/eval/real-frame-eval.js';

export { readCliArgs } from './cli-args.mjs';

/** The labelled real frames (test/data/real-frame-labels.json), checked. */
export function readLabelSet(): LabelSet {
  return parseLabelSet(JSON.parse(fs.readFileSync(path.join('test', 'data', 'real-frame-labels.json'), 'utf8')));
}

/**
 * Reads a JSON file named on the command line (`what`: the option, e.g. --config), as a CpemError INVALID_ARGUMENT
 * that says what to do when it is missing, a folder, unreadable or not JSON.
 */
export function readJsonFile(file: string, what: string): unknown {
  const stat = fs.statSync(file, { throwIfNoEntry: false });
  if (!stat) throw new CpemError('INVALID_ARGUMENT', `${what} ${file}: no such file. Name an existing JSON file.`);
  if (stat.isDirectory())
    throw new CpemError('INVALID_ARGUMENT', `${what} ${file} is a folder: name a JSON file in it.`);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new CpemError(
      'INVALID_ARGUMENT',
      `${what} ${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? e}).`,
      { cause: e },
    );
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CpemError(
      'INVALID_ARGUMENT',
      `${what} ${file} is not valid JSON (${(e as Error).message}). Fix the file.`,
      { cause: e },
    );
  }
}

/**
 * Runs a command's main; a failure prints `CODE: message` and exits 1. A file-system error that escaped as such
 * (a path that is missing, a folder, not writable) is reported the same way, naming the path, not as a stack.
 */
export function runCli(main: () => Promise<void>): void {
  main().catch((e) => {
    const sys = e as NodeJS.ErrnoException;
    if (isCpemError(e)) console.error(`${e.code}: ${e.message}`);
    else if (typeof sys?.code === 'string' && typeof sys.path === 'string')
      console.error(
        `INVALID_ARGUMENT: ${sys.path}: ${sys.code} (${sys.syscall ?? 'file access'} failed). Check the path.`,
      );
    else console.error(e);
    process.exit(1);
  });
}
