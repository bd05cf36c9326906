// The command lines' output folders and user-named run folders, checked before any work (bin/output-dir.mjs, which
// the shipped copy-assets command shares), with failures as CpemError INVALID_ARGUMENT naming the path and what to do.
import path from 'node:path';
import { CpemError } from '../../plugin/errors/cpem-error.js';
import { childFolder, prepareOutputDir, prepareOutputFile } from '../../bin/output-dir.mjs';
import { contentKey } from './content-key.mjs';

function typed<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw new CpemError('INVALID_ARGUMENT', (e as Error).message, { cause: e });
  }
}

/** Makes `dir` where missing and checks that it can be written; throws INVALID_ARGUMENT otherwise. */
export function outputDir(dir: string, what = '--out'): string {
  typed(() => prepareOutputDir(dir, what));
  return dir;
}

/** Checks that `file` can be written (its folder made and probed, `file` not a folder); throws INVALID_ARGUMENT otherwise. */
export function outputFile(file: string, what = '--out'): string {
  typed(() => prepareOutputFile(file, what));
  return file;
}

/** .cache/train/NAME, the run's checkpoint folder: refused unless NAME names a folder strictly inside .cache/train. */
export function trainRunDir(name: string): string {
  return typed(() => childFolder(path.join('.cache', 'train'), name, 'The run name'));
}

/**
 * `npm run personalize`'s default output folder: .cache/personalize/<clip stem>.<key of the clip's and the prompt
 * file's content>, so another clip or another prompt file under the same names never overwrites earlier results.
 */
export function personalizeDefaultDir(video: string, promptsText: string): string {
  const stem = path.basename(video, path.extname(video)).replace(/^\.+/, '') || 'clip';
  return path.join('.cache', 'personalize', `${stem}.${contentKey(video, `personalize\0${promptsText}`)}`);
}
