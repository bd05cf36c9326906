// Where the development data lives: the folder `../shared` beside the checkout (clips, teacher models, annotated
// images, avatars, the face-model sources). It is never part of the repository. Paths are relative to the repository
// root, the working directory of every command, test and bench.
import fs from 'node:fs';
import path from 'node:path';
import { CpemError } from '../../plugin/errors/cpem-error.js';

const SHARED = path.join('..', 'shared');

/** ../shared beside the checkout, or null when it is absent. */
export function sharedDirOrNull(): string | null {
  return fs.existsSync(SHARED) ? SHARED : null;
}

/**
 * ../shared beside the checkout; a CpemError INVALID_ARGUMENT when it is absent, saying that `what` (e.g. 'The
 * ablation (its real clips)') needs it and where the data folder goes.
 */
export function sharedDir(what: string): string {
  const dir = sharedDirOrNull();
  if (!dir)
    throw new CpemError(
      'INVALID_ARGUMENT',
      `${what} needs the development data folder ../shared, which is absent: put it beside the checkout.`,
    );
  return dir;
}

/** A path inside ../shared (relative to the repository root, as {@link sharedDirOrNull}'s), whether or not it exists. */
export function sharedPath(...parts: string[]): string {
  return path.join(SHARED, ...parts);
}
