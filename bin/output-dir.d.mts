/** The error these helpers throw: `code` is always INVALID_ARGUMENT, the message names the path and what to do. */
export declare class OutputPathError extends Error {
  readonly code: 'INVALID_ARGUMENT';
  constructor(message: string, cause?: unknown);
}
/** Makes `dir` (and its missing parents) and checks that a file can be written into it; returns its absolute path. */
export declare function prepareOutputDir(dir: string, what?: string): string;
/** Checks that `file` can be written (its folder made and probed, `file` not a folder); returns its absolute path. */
export declare function prepareOutputFile(file: string, what?: string): string;
/** `parent/name` for a user-named folder, refused unless it lies strictly inside `parent`. */
export declare function childFolder(parent: string, name: string, what?: string): string;
