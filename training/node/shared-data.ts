// The development data folder ../shared for the TypeScript code: where it is (shared-path.mjs, which the tools'
// scripts use too) and an error that says what needs it when it is absent.
import { CpemError } from '../../plugin/errors/cpem-error.js';
import { sharedDirOrNull } from './shared-path.mjs';

export { sharedDirOrNull, sharedPath } from './shared-path.mjs';

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
