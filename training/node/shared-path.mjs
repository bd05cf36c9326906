// Where the development data lives: the folder `../shared` beside the checkout (clips, teacher models, annotated
// images, avatars, the face-model sources). It is never part of the repository. Paths are relative to the repository
// root, the working directory of every command, test, bench and tool. Plain JavaScript, so that the tools' .mjs
// scripts use it as the TypeScript code does (training/node/shared-data.ts adds the error for a missing folder).
import fs from 'node:fs';
import path from 'node:path';

const SHARED = path.join('..', 'shared');

/**
 * ../shared beside the checkout, or null when it is absent.
 * @returns {string | null}
 */
export function sharedDirOrNull() {
  return fs.existsSync(SHARED) ? SHARED : null;
}

/**
 * A path inside ../shared (relative to the repository root, as sharedDirOrNull's), whether or not it exists.
 * @param {...string} parts
 * @returns {string}
 */
export function sharedPath(...parts) {
  return path.join(SHARED, ...parts);
}
